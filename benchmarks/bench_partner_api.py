"""Benchmark the signed partner API: verified and ledgered death notices per second.

Usage: .venv/bin/python benchmarks/bench_partner_api.py [--backend sqlite|postgresql|both]
       [--requests 3000] [--warmup 100] [--threads 8] [--overhead-samples 2000]

Budget (issue 5): >= 200 verified + ledgered requests/s on 2 cores against the running server,
load from a second process on loopback; p95 overhead of signing + ledger <= 20 ms.

Setup (not timed): a migrated scratch database, a partner registry with 公安's key, a real
``python -m retirelink serve --no-upgrade --workers 2`` (one web process per core). Load: a
second process with ``--threads`` client threads, each sending
``POST /api/v1/partner/notices`` with one death notice (a new message id and a new person
each time), signed HMAC-SM3 with a fresh nonce. The server checks the
signature, timestamp and nonce (stored in the database), the catalogue, validates the record,
verifies it against persons and earlier notices, stores job, record, receipt and ledger entry
in one transaction and answers with the signed receipt. Every answer is checked (status 200,
receipt present); throughput = requests / wall time.

Overhead (in-process, same run): the parts signing and the ledger add to a request, timed
separately — ``sign_request`` + ``verify_request`` (client and server side of the signature)
and the nonce insert + ``Ledger.record`` + commit in a unit of work.
"""

import json
import multiprocessing
import secrets
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from _common import (
    Scratch,
    Stopwatch,
    emit,
    latency_ms,
    parser,
    percentile,
    running_server,
    scratch,
    selected_backends,
)

from retirelink.bootstrap import build
from retirelink.exchange.signing import (
    InMemoryNonceStore,
    StaticKeyRing,
    sign_request,
    verify_request,
)
from retirelink.ledger.model import LedgerAction
from retirelink.rules.identifiers import id_check_character
from retirelink.security.model import SYSTEM_ACTOR
from retirelink.storage import migrate

PATH = "/api/v1/partner/notices"
ITEM = "public_security.death_cancellation"
CLIENT = "GONGAN-130406"
KEY = bytes.fromhex("5a" * 32)


def write_registry(db: Scratch) -> None:
    path = db.data_dir / "partners" / "partners.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "our_client_id": "SHEBAO-130406",
        "partners": [
            {
                "department": "GONGAN",
                "kind": "public_security",
                "client_id": CLIENT,
                "base_url": "http://127.0.0.1:9",
                "key": KEY.hex(),
            }
        ],
    }
    path.write_text(json.dumps(document), encoding="utf-8")


def id_number(n: int) -> str:
    """A distinct valid ID number for every ``n`` below 20 million."""
    day, month, year = 1 + (n // 1000) % 28, 1 + (n // 28_000) % 12, 1940 + (n // 336_000) % 60
    first17 = f"130406{year:04d}{month:02d}{day:02d}{n % 1000:03d}"
    return first17 + id_check_character(first17)


def body(n: int) -> bytes:
    message = {
        "message_id": f"GA-{n:08d}",
        "records": [{"id_number": id_number(n), "name": "张三", "event_date": "2025-01-02"}],
    }
    return json.dumps(message, ensure_ascii=False).encode()


def post(client: httpx.Client, n: int) -> float:
    raw = body(n)
    headers = sign_request(
        "POST",
        PATH,
        {},
        raw,
        client_id=CLIENT,
        key=KEY,
        item=ITEM,
        purpose="benefit_suspension",
        now=datetime.now(UTC),
    )
    headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    response = client.post(PATH, content=raw, headers=headers)
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or not response.json().get("receipt"):
        raise RuntimeError(f"request {n}: {response.status_code} {response.text[:200]}")
    return elapsed


def load(base_url: str, first: int, count: int, threads: int, queue: Any) -> None:
    """The load generator (a second process): ``threads`` clients sharing ``count`` requests."""
    latencies: list[float] = []
    lock = threading.Lock()
    next_n = iter(range(first, first + count))

    def worker() -> None:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            while True:
                with lock:
                    n = next(next_n, None)
                if n is None:
                    return
                elapsed = post(client, n)
                with lock:
                    latencies.append(elapsed)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    queue.put((time.perf_counter() - started, latencies))


def run_load(base_url: str, first: int, count: int, threads: int) -> tuple[float, list[float]]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=load, args=(base_url, first, count, threads, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def overhead(db: Scratch, samples: int) -> dict[str, Any]:
    """p95 of the signature (both sides) and of nonce + ledger entry + commit, in-process."""
    keys, nonces = StaticKeyRing(), InMemoryNonceStore()
    keys.add(CLIENT, KEY)
    signature: list[float] = []
    for n in range(samples):
        raw = body(10_000_000 + n)
        now = datetime.now(UTC)
        with Stopwatch() as watch:
            headers = sign_request(
                "POST",
                PATH,
                {},
                raw,
                client_id=CLIENT,
                key=KEY,
                item=ITEM,
                purpose="benefit_suspension",
                now=now,
            )
            verify_request("POST", PATH, {}, headers, raw, keys=keys, nonces=nonces, now=now)
        signature.append(watch.seconds)
    services = build(db.settings())
    ledger: list[float] = []
    try:
        for n in range(samples):
            with Stopwatch() as watch, services.uow() as uow:
                now = services.clock.now()
                uow.nonces.seen_or_remember(CLIENT, secrets.token_hex(16), now, now=now)
                uow.ledger.record(
                    actor=SYSTEM_ACTOR,
                    action=LedgerAction.EXCHANGE_MESSAGE_APPLIED,
                    subject=uow.ledger.subject("exchange_job", f"bench:{n}"),
                    purpose=ITEM,
                )
                uow.commit()
            ledger.append(watch.seconds)
    finally:
        services.close()
    sig_p95 = percentile([s * 1000 for s in signature], 95)
    ledger_p95 = percentile([s * 1000 for s in ledger], 95)
    return {
        "sign_verify_ms": latency_ms(signature),
        "nonce_ledger_commit_ms": latency_ms(ledger),
        "overhead_p95_ms": round(sig_p95 + ledger_p95, 2),
    }


def main(argv: list[str] | None = None) -> int:
    args_parser = parser(__doc__)
    args_parser.add_argument("--requests", type=int, default=3000)
    args_parser.add_argument("--warmup", type=int, default=100)
    args_parser.add_argument("--threads", type=int, default=8)
    args_parser.add_argument("--overhead-samples", type=int, default=2000)
    args_parser.add_argument("--workers", type=int, default=2, help="web worker processes")
    args = args_parser.parse_args(argv)
    for backend in selected_backends(args.backend):
        with scratch(backend) as db:
            migrate.upgrade(db.url)
            write_registry(db)
            with running_server(db.server_env(), workers=args.workers) as base_url:
                run_load(base_url, 0, args.warmup, args.threads)
                seconds, latencies = run_load(base_url, args.warmup, args.requests, args.threads)
            result = {
                "backend": backend,
                "requests": len(latencies),
                "threads": args.threads,
                "server_workers": args.workers,
                "seconds": round(seconds, 2),
                "requests_per_second": round(len(latencies) / seconds, 1),
                "latency_ms": latency_ms(latencies),
                **overhead(db, args.overhead_samples),
            }
            emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
