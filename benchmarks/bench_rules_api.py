"""Benchmark the rules API: POST /api/v1/rules/pension through a real `retirelink serve`.

Usage: .venv/bin/python benchmarks/bench_rules_api.py [--backend sqlite|postgresql|both]
       [--warmup 50] [--requests 500]

Budget: p95 at most 50 ms per request. Setup (not timed): migrate a scratch database and load
the demo accounts (``load_demo`` with a handful of persons), start ``python -m retirelink serve
--no-upgrade``, log in as the demo clerk (cookie session + CSRF header). Then ``--warmup`` and
``--requests`` sequential ``POST /api/v1/rules/pension?on=2025-06-01`` with the documented
example facts (``rules.examples.EXAMPLES["pension"]``, policy-spec §4.1 [P01]); each request
resolves the session in the database, parses the facts, computes the pension with its
explanation from the parameters loaded at start-up and returns JSON. Nothing is ledgered.
Prints one JSON line per backend.
"""

import sys
from contextlib import closing
from datetime import UTC, datetime
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

from retirelink.bootstrap import build
from retirelink.clock import FixedClock
from retirelink.demo.loader import DEMO_PASSWORD, load_demo
from retirelink.rules.examples import EXAMPLES
from retirelink.storage import migrate

BUDGET_P95_MS = 50.0
AS_OF = datetime(2025, 6, 30, 2, 0, tzinfo=UTC)
PATH = "/api/v1/rules/pension"
PARAMS = {"on": "2025-06-01", "region": "130000"}


def prepare(db: Scratch, seed: int) -> None:
    """A migrated database with the demo departments and accounts."""
    migrate.upgrade(db.url)
    services = build(db.settings(), clock=FixedClock(AS_OF))
    try:
        load_demo(services, seed=seed, persons=10)
    finally:
        services.close()


def logged_in_client(base_url: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30)
    response = client.post(
        "/api/v1/auth/login", json={"username": "clerk", "password": DEMO_PASSWORD}
    )
    response.raise_for_status()
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def timed_posts(client: httpx.Client, count: int) -> tuple[list[float], dict[str, Any]]:
    """Seconds per request, and the last response body (checked to be the same every time)."""
    timings: list[float] = []
    body: dict[str, Any] = {}
    for _ in range(count):
        with Stopwatch() as watch:
            response = client.post(PATH, params=PARAMS, json=EXAMPLES["pension"])
        if response.status_code != 200:
            raise RuntimeError(f"{PATH} failed: {response.status_code} {response.text}")
        current = response.json()
        if body and current["total"] != body["total"]:
            raise RuntimeError("the same facts gave a different pension")
        body = current
        timings.append(watch.seconds)
    return timings, body


def run(backend: str, args: Any) -> dict[str, Any]:
    with scratch(backend) as db:
        with Stopwatch() as setup:
            prepare(db, args.seed)
        with running_server(db.server_env()) as base_url:
            client = logged_in_client(base_url)
            with closing(client):
                timed_posts(client, args.warmup)
                with Stopwatch() as wall:
                    timings, body = timed_posts(client, args.requests)
    figures = latency_ms(timings)
    return {
        "benchmark": "rules_api_pension",
        "backend": backend,
        "endpoint": f"POST {PATH}",
        "warmup": args.warmup,
        "requests": args.requests,
        "latency_ms": figures,
        "requests_per_second": round(len(timings) / wall.seconds, 1),
        "budget_p95_ms": BUDGET_P95_MS,
        "met": figures["p95"] <= BUDGET_P95_MS,
        "total": body["total"],
        "explanation_steps": len(body["explanation"]),
        "setup_seconds": round(setup.seconds, 1),
    }


def main(argv: list[str] | None = None) -> int:
    args_parser = parser(__doc__)
    args_parser.add_argument("--warmup", type=int, default=50)
    args_parser.add_argument("--requests", type=int, default=500)
    args_parser.add_argument("--seed", type=int, default=130406)
    args = args_parser.parse_args(argv)
    for backend in selected_backends(args.backend):
        emit(run(backend, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
