"""Benchmark pre-review (预审) over 100,000 insured persons.

Usage: .venv/bin/python benchmarks/bench_prereview.py [--persons 100000] [--months 6]
       [--backend sqlite|postgresql|both]

Budget (issue 6): pre-review of 100,000 persons ≤ 2 min.

Setup (not timed, reported): a scratch database migrated to head; the demo district's
departments, accounts and employers (``load_demo`` for the first 1,000 persons), then the rest
of ``--persons`` demo persons bulk-inserted with their insured records (status, category,
employment spans, one row per contribution year: about 3 million rows for 100,000 persons).
Every person whose ID-card birth date puts the statutory month within the window gets a
digitised archive: a 招工登记表 and a 转正定级表 catalogued, and reviewed facts stating the birth
date and the start of work — so the archive path of the rules (birth date determination,
deemed contribution, consistency) runs for everyone due, as it would once archives are
digitised ahead of retirement. On PostgreSQL the tables are then analysed, as autovacuum
would after a load this size.

Timed: ``run_prereview`` for ``--months`` months, the way ``retirelink prereview run`` calls
it (selection over every insured person; checklists read in read-only units of work and
written, with their notices and ledger entries, a batch of 20 at a time); then the same run
again, which must change nothing (idempotence) — both times reported. Prints one
JSON line per backend.
"""

import sys
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from _common import Stopwatch, emit, parser, scratch, selected_backends
from _insured import digitised_archives, insert_persons, month_in_view
from sqlalchemy import text
from sqlalchemy.orm import Session

from retirelink.bootstrap import build
from retirelink.clock import FixedClock
from retirelink.demo.employers import generate_employers
from retirelink.demo.generator import iter_persons
from retirelink.demo.insured import insurance_record
from retirelink.demo.loader import load_demo
from retirelink.rules import YearMonth
from retirelink.security.model import SYSTEM_ACTOR
from retirelink.storage import migrate
from retirelink.storage.insured_repositories import SqlAlchemyInsuredRepository
from retirelink.workflow.services import run_prereview

AS_OF = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
BUDGET_SECONDS = 120
BATCH = 2000
DEMO_PERSONS = 1000


def populate(services: Any, *, persons: int, months: int, seed: int) -> dict[str, int]:
    load_demo(services, seed=seed, persons=min(DEMO_PERSONS, persons))
    today = AS_OF.date()
    window = (YearMonth.of(today), YearMonth.of(today).plus(months))
    people = islice(
        iter_persons(
            seed=seed, count=persons, as_of=today, employers=generate_employers(seed=seed)
        ),
        DEMO_PERSONS,
        None,
    )
    counts = {"persons": min(DEMO_PERSONS, persons), "archives": 0}
    with services.uow() as uow:
        employer_ids = uow.employers.ids_by_credit_code()
    with Session(services.engine) as session:
        while batch := list(islice(people, BATCH)):
            ids = insert_persons(session, batch)
            records = [insurance_record(p, ids[p.id_number], employer_ids) for p in batch]
            SqlAlchemyInsuredRepository(session).put_many(records)
            due = [
                person
                for person, record in zip(batch, records, strict=True)
                if record.status.value == "insured"
                and month_in_view(record, person.birth_date, window, today, services.parameters)
            ]
            counts["archives"] += digitised_archives(session, due, ids, at=AS_OF)
            session.commit()
            counts["persons"] += len(batch)
    if services.engine.dialect.name == "postgresql":
        with services.engine.begin() as connection:
            connection.execute(text("ANALYZE"))  # as autovacuum would after a load this size
    return counts


def run(backend: str, args: Any) -> dict[str, Any]:
    with scratch(backend) as db:
        migrate.upgrade(db.url)
        services = build(db.settings(), clock=FixedClock(AS_OF))
        try:
            with Stopwatch() as setup:
                counts = populate(
                    services, persons=args.persons, months=args.months, seed=args.seed
                )
            runs = []
            for _ in range(2):
                with Stopwatch() as timed:
                    summary = run_prereview(
                        services.uow,
                        actor=SYSTEM_ACTOR,
                        months=args.months,
                        params=services.parameters,
                        region=services.settings.region,
                    )
                runs.append((timed.seconds, summary))
        finally:
            services.close()
    (first_s, first), (second_s, second) = runs
    return {
        "benchmark": "prereview",
        "backend": backend,
        "persons": counts["persons"],
        "archives": counts["archives"],
        "months": args.months,
        "setup_seconds": round(setup.seconds, 1),
        "run_seconds": round(first_s, 2),
        "scanned": first.persons_scanned,
        "due": first.persons_due,
        "open": first.open,
        "ready": first.ready,
        "notifications": first.notifications,
        "items_by_code": first.items_by_code,
        "rerun_seconds": round(second_s, 2),
        "rerun_notifications": second.notifications,
        "budget_seconds": BUDGET_SECONDS,
        "met": first_s <= BUDGET_SECONDS,
    }


def main(argv: list[str] | None = None) -> int:
    args_parser = parser(__doc__)
    args_parser.add_argument("--persons", type=int, default=100_000)
    args_parser.add_argument("--months", type=int, default=6)
    args_parser.add_argument("--seed", type=int, default=130406)
    args = args_parser.parse_args(argv)
    for backend in selected_backends(args.backend):
        emit(run(backend, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
