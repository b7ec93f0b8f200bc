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
it (selection over every insured person, checklists, notices, ledger, one commit); then the
same run again, which must change nothing (idempotence) — both times reported. Prints one
JSON line per backend.
"""

import sys
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from _common import Stopwatch, emit, parser, scratch, selected_backends
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from retirelink.archives.insured import InsuranceRecord
from retirelink.archives.material_classes import MaterialType
from retirelink.bootstrap import build
from retirelink.clock import FixedClock
from retirelink.demo.employers import generate_employers
from retirelink.demo.generator import iter_persons
from retirelink.demo.insured import insurance_record
from retirelink.demo.loader import load_demo
from retirelink.demo.model import DemoPerson
from retirelink.rules import YearMonth
from retirelink.security.model import SYSTEM_ACTOR
from retirelink.storage import migrate
from retirelink.storage.insured_repositories import SqlAlchemyInsuredRepository
from retirelink.storage.rows import ArchiveFactRow, ArchiveRow, MaterialRow, PersonRow
from retirelink.workflow.prereview import earliest_special_job_month, statutory_month
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
            ids = _insert_persons(session, batch)
            records = [insurance_record(p, ids[p.id_number], employer_ids) for p in batch]
            SqlAlchemyInsuredRepository(session).put_many(records)
            due = [
                person
                for person, record in zip(batch, records, strict=True)
                if record.status.value == "insured"
                and _month_in_view(record, person.birth_date, window, today, services.parameters)
            ]
            counts["archives"] += _archives(session, due, ids)
            session.commit()
            counts["persons"] += len(batch)
    if services.engine.dialect.name == "postgresql":
        with services.engine.begin() as connection:
            connection.execute(text("ANALYZE"))  # as autovacuum would after a load this size
    return counts


def _month_in_view(
    record: InsuranceRecord,
    birth: date,
    window: tuple[YearMonth, YearMonth],
    today: date,
    params: Any,
) -> bool:
    """Statutory month, or for special-job workers the special-job age, within the window."""
    months = [statutory_month(record.category, birth, on=today, params=params)]
    if any(span.special_job for span in record.employments):
        months.append(earliest_special_job_month(record.category, birth, on=today, params=params))
    return any(window[0] <= month <= window[1] for month in months)


def _insert_persons(session: Session, batch: list[DemoPerson]) -> dict[str, int]:
    session.execute(
        insert(PersonRow),
        [
            {
                "id_number": p.id_number,
                "name": p.name,
                "sex": p.sex.value,
                "birth_date": p.birth_date,
                "ethnicity": p.ethnicity,
                "hukou_region": p.hukou_region,
                "phone": p.phone,
            }
            for p in batch
        ],
    )
    rows = session.execute(
        select(PersonRow.id_number, PersonRow.id).where(
            PersonRow.id_number.in_([p.id_number for p in batch])
        )
    )
    return {row.id_number: row.id for row in rows}


def _archives(session: Session, due: list[DemoPerson], ids: dict[str, int]) -> int:
    """A digitised archive for each person due: two forms and two reviewed facts."""
    now = AS_OF
    for person in due:
        person_id = ids[person.id_number]
        archive_id = session.execute(
            insert(ArchiveRow)
            .values(
                person_id=person_id,
                archive_number=f"BENCH-{person_id:07d}",
                kind="enterprise_worker",
                custodian="峰峰矿区档案馆",
                location="A-1-1",
                status="in_repository",
                created_at=now,
            )
            .returning(ArchiveRow.id)
        ).scalar_one()
        start = person.careers[0].start if person.careers else date(1985, 1, 1)
        material_ids = [
            session.execute(
                insert(MaterialRow)
                .values(
                    archive_id=archive_id,
                    class_code="9-2",
                    material_type=kind.value,
                    title=kind.label,
                    formation_date=start,
                    formation_precision="month",
                    catalogued_pages=1,
                    sequence=sequence,
                    status="catalogued",
                    altered=False,
                    altered_note="",
                )
                .returning(MaterialRow.id)
            ).scalar_one()
            for sequence, kind in enumerate(
                (MaterialType.RECRUITMENT_REGISTRATION, MaterialType.REGULARISATION_GRADING), 1
            )
        ]
        session.execute(
            insert(ArchiveFactRow),
            [
                _fact(person_id, material_ids[0], "birth_date", person.birth_date, "day"),
                _fact(person_id, material_ids[0], "work_start", start, "month"),
            ],
        )
    return len(due)


def _fact(person_id: int, material_id: int, kind: str, day: date, precision: str) -> dict:
    return {
        "person_id": person_id,
        "material_id": material_id,
        "page_id": None,
        "kind": kind,
        "start_date": day,
        "start_precision": precision,
        "end_date": None,
        "end_precision": None,
        "detail": "",
        "source_text": "",
        "line_index": None,
        "box_json": "",
        "confidence": 1.0,
        "status": "confirmed",
        "origin": "reviewer",
        "reviewed_by": "bench",
        "reviewed_at": AS_OF,
        "review_note": "",
        "created_at": AS_OF,
    }


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
                with Stopwatch() as timed, services.uow() as uow:
                    summary = run_prereview(
                        uow,
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
