"""Benchmark person search over HTTP: a real `retirelink serve`, logged in as the demo clerk.

Usage: .venv/bin/python benchmarks/bench_person_search.py [--backend sqlite|postgresql|both]
       [--persons 100000] [--warmup 50] [--requests 500] [--threads 4] [--concurrent 400]

Budget: p95 at most 50 ms over 100,000 persons, on SQLite and on PostgreSQL. Every search
writes a ledger entry (the app's behaviour) and that write is inside the measured time.

Setup (not timed): migrate a scratch database, ``load_demo`` the first ``--demo-persons``
persons (departments, demo accounts, employers, ledgered persons), bulk-insert the rest of
the same district from ``iter_persons`` with SQLAlchemy Core, ANALYZE on PostgreSQL (what
autovacuum would do after such a load). Then ``GET /api/v1/persons?q=...`` sequentially
(warm-up, then measured requests cycling through the query kinds) and a short run from
``--threads`` client threads. Prints one JSON line per backend.
"""

import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from random import Random
from typing import Any

import httpx
from _common import (
    Scratch,
    Stopwatch,
    emit,
    latency_ms,
    parser,
    running_server,
    scratch,
    selected_backends,
)
from sqlalchemy import func, insert, select, text

from retirelink.bootstrap import build
from retirelink.clock import FixedClock
from retirelink.demo.generator import DemoPerson, generate_employers, iter_persons
from retirelink.demo.loader import DEMO_PASSWORD, load_demo
from retirelink.ledger.model import LedgerAction
from retirelink.storage import migrate
from retirelink.storage.rows import LedgerEntryRow, PersonRow

BUDGET_P95_MS = 50.0
AS_OF = datetime(2025, 6, 30, 2, 0, tzinfo=UTC)
INSERT_BATCH = 10_000
QUERY_KINDS = ("name_2char", "surname", "name_3char", "id_6", "id_10", "id_18")


@dataclass(frozen=True)
class Query:
    kind: str
    text: str


# --- setup ----------------------------------------------------------------------------------


def populate(db: Scratch, *, persons: int, demo_persons: int, seed: int) -> list[tuple[str, str]]:
    """Fill the database; return every person's (name, id_number) for building queries."""
    migrate.upgrade(db.url)
    services = build(db.settings(), clock=FixedClock(AS_OF))
    try:
        load_demo(services, seed=seed, persons=min(demo_persons, persons))
        people = iter_persons(
            seed=seed, count=persons, as_of=AS_OF.date(), employers=generate_employers(seed=seed)
        )
        known = [(p.name, p.id_number) for p in islice(people, demo_persons)]
        with services.engine.begin() as conn:
            for batch in _batches(people):
                conn.execute(insert(PersonRow), [_person_row(p) for p in batch])
                known.extend((p.name, p.id_number) for p in batch)
        if db.backend == "postgresql":
            with services.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
    finally:
        services.close()
    return known


def _batches(people: Iterator[DemoPerson]) -> Iterator[list[DemoPerson]]:
    while batch := list(islice(people, INSERT_BATCH)):
        yield batch


def _person_row(person: DemoPerson) -> dict[str, Any]:
    return {
        "id_number": person.id_number,
        "name": person.name,
        "sex": person.sex.value,
        "birth_date": person.birth_date,
        "ethnicity": person.ethnicity,
        "hukou_region": person.hukou_region,
        "phone": person.phone,
    }


def query_pool(known: list[tuple[str, str]], rng: Random) -> dict[str, list[str]]:
    """Candidate search texts per kind, drawn from the data actually loaded."""
    two_char = Counter(name for name, _ in known if len(name) == 2)
    sample = rng.sample(known, min(200, len(known)))
    return {
        "name_2char": [name for name, _ in two_char.most_common(20)],
        "surname": ["张", "王", "李"],
        "name_3char": [name for name, _ in sample if len(name) == 3][:50],
        "id_6": [id_number[:6] for _, id_number in sample[:50]],
        "id_10": [id_number[:10] for _, id_number in sample[:50]],
        "id_18": [id_number for _, id_number in sample[:50]],
    }


def query_sequence(pool: dict[str, list[str]], count: int, rng: Random) -> list[Query]:
    """``count`` queries cycling through the kinds, each text picked at random."""
    kinds = [kind for kind in QUERY_KINDS if pool[kind]]
    picked = (kinds[i % len(kinds)] for i in range(count))
    return [Query(kind, rng.choice(pool[kind])) for kind in picked]


# --- measuring ------------------------------------------------------------------------------


def logged_in_client(base_url: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30)
    response = client.post(
        "/api/v1/auth/login", json={"username": "clerk", "password": DEMO_PASSWORD}
    )
    response.raise_for_status()
    return client


def timed_searches(client: httpx.Client, queries: list[Query]) -> list[tuple[str, float]]:
    """(kind, seconds) for each query, sent one after another."""
    timings = []
    for query in queries:
        with Stopwatch() as watch:
            response = client.get("/api/v1/persons", params={"q": query.text})
        if response.status_code != 200:
            raise RuntimeError(f"search {query} failed: {response.status_code} {response.text}")
        timings.append((query.kind, watch.seconds))
    return timings


def sequential_figures(client: httpx.Client, queries: list[Query], warmup: int) -> dict[str, Any]:
    timed_searches(client, queries[:warmup])
    with Stopwatch() as wall:
        timings = timed_searches(client, queries[warmup:])
    by_kind = {
        kind: latency_ms([s for k, s in timings if k == kind])
        for kind in QUERY_KINDS
        if any(k == kind for k, _ in timings)
    }
    overall = latency_ms([s for _, s in timings])
    return {
        "overall_ms": overall,
        "by_kind_ms": by_kind,
        "requests_per_second": round(len(timings) / wall.seconds, 1),
        "met": overall["p95"] <= BUDGET_P95_MS,
    }


def concurrent_figures(base_url: str, queries: list[Query], threads: int) -> dict[str, Any]:
    clients = [logged_in_client(base_url) for _ in range(threads)]
    results: list[list[tuple[str, float]]] = [[] for _ in range(threads)]

    def worker(index: int) -> None:
        results[index] = timed_searches(clients[index], queries[index::threads])

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    with Stopwatch() as wall:
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()
    for client in clients:
        client.close()
    seconds = [s for per_thread in results for _, s in per_thread]
    if len(seconds) != len(queries):
        raise RuntimeError("a client thread failed")
    overall = latency_ms(seconds)
    return {
        "threads": threads,
        "overall_ms": overall,
        "requests_per_second": round(len(seconds) / wall.seconds, 1),
        "met": overall["p95"] <= BUDGET_P95_MS,
    }


def search_entries(db: Scratch) -> int:
    services = build(db.settings())
    try:
        with services.engine.connect() as conn:
            query = select(func.count()).where(LedgerEntryRow.action == LedgerAction.PERSON_SEARCH)
            return conn.scalar(query.select_from(LedgerEntryRow)) or 0
    finally:
        services.close()


def run(backend: str, args: Any) -> dict[str, Any]:
    rng = Random(args.seed)
    with scratch(backend) as db:
        with Stopwatch() as setup:
            known = populate(
                db, persons=args.persons, demo_persons=args.demo_persons, seed=args.seed
            )
        pool = query_pool(known, rng)
        sequential_queries = query_sequence(pool, args.warmup + args.requests, rng)
        concurrent_queries = query_sequence(pool, args.concurrent, rng)
        with running_server(db.server_env()) as base_url:
            with closing(logged_in_client(base_url)) as client:
                sequential = sequential_figures(client, sequential_queries, args.warmup)
            concurrent = concurrent_figures(base_url, concurrent_queries, args.threads)
        written = search_entries(db)
    sent = len(sequential_queries) + len(concurrent_queries)
    return {
        "benchmark": "person_search",
        "backend": backend,
        "persons": len(known),
        "warmup": args.warmup,
        "requests": args.requests,
        "sequential": sequential,
        "concurrent": concurrent,
        "search_requests_sent": sent,
        "search_ledger_entries": written,
        "ledger_matches_requests": written == sent,
        "setup_seconds": round(setup.seconds, 1),
        "budget_p95_ms": BUDGET_P95_MS,
        "examples": {kind: texts[:3] for kind, texts in pool.items()},
    }


def main(argv: list[str] | None = None) -> int:
    args_parser = parser(__doc__)
    args_parser.add_argument("--persons", type=int, default=100_000)
    args_parser.add_argument("--demo-persons", type=int, default=1000)
    args_parser.add_argument("--warmup", type=int, default=50)
    args_parser.add_argument("--requests", type=int, default=500)
    args_parser.add_argument("--threads", type=int, default=4)
    args_parser.add_argument("--concurrent", type=int, default=400)
    args_parser.add_argument("--seed", type=int, default=130406)
    args = args_parser.parse_args(argv)
    for backend in selected_backends(args.backend):
        emit(run(backend, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
