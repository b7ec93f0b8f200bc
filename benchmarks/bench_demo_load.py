"""Benchmark `load_demo`: the demo district written through the real services, ledgered.

Usage: .venv/bin/python benchmarks/bench_demo_load.py [--backend sqlite|postgresql|both]
       [--persons 20000] [--seed 130406]

Budget: 20,000 persons in at most 60 s on SQLite and on PostgreSQL (2-core machine).
Prints one JSON line per backend: load seconds, persons/s, and (measured separately in the
same run) how long generating the district alone takes, since load_demo includes it.
"""

import sys
from datetime import UTC, datetime
from typing import Any

from _common import Scratch, Stopwatch, emit, parser, scratch, selected_backends
from sqlalchemy import func, select

from retirelink.bootstrap import build
from retirelink.clock import FixedClock
from retirelink.demo.generator import generate_district
from retirelink.demo.loader import load_demo
from retirelink.storage import migrate
from retirelink.storage.rows import LedgerEntryRow, PersonRow

BUDGET_SECONDS = 60.0
# A fixed "today" so every run loads the same district.
AS_OF = datetime(2025, 6, 30, 2, 0, tzinfo=UTC)


def run(backend: str, *, persons: int, seed: int) -> dict[str, Any]:
    with scratch(backend) as db:
        migrate.upgrade(db.url)
        load_seconds, counts = _timed_load(db, persons=persons, seed=seed)
    with Stopwatch() as generate:
        generate_district(seed=seed, persons=persons, as_of=AS_OF.date())
    return {
        "benchmark": "demo_load",
        "backend": backend,
        "persons": persons,
        "seconds": round(load_seconds, 2),
        "persons_per_second": round(persons / load_seconds),
        "generate_only_seconds": round(generate.seconds, 2),
        **counts,
        "budget_seconds": BUDGET_SECONDS,
        "met": load_seconds <= BUDGET_SECONDS,
    }


def _timed_load(db: Scratch, *, persons: int, seed: int) -> tuple[float, dict[str, int]]:
    services = build(db.settings(), clock=FixedClock(AS_OF))
    try:
        with Stopwatch() as load:
            summary = load_demo(services, seed=seed, persons=persons)
        with services.engine.connect() as conn:
            stored = conn.scalar(select(func.count()).select_from(PersonRow)) or 0
            entries = conn.scalar(select(func.count()).select_from(LedgerEntryRow)) or 0
    finally:
        services.close()
    if summary.persons_added != persons or stored != persons:
        raise RuntimeError(f"loaded {summary.persons_added}, stored {stored}, wanted {persons}")
    return load.seconds, {"persons_stored": stored, "ledger_entries": entries}


def main(argv: list[str] | None = None) -> int:
    args_parser = parser(__doc__)
    args_parser.add_argument("--persons", type=int, default=20_000)
    args_parser.add_argument("--seed", type=int, default=130406)
    args = args_parser.parse_args(argv)
    for backend in selected_backends(args.backend):
        emit(run(backend, persons=args.persons, seed=args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
