"""Demo persons written straight into a benchmark database: persons, insured records and,
for those due, a digitised archive (招工登记表, 转正定级表, reviewed birth-date and work-start
facts) — the state an archive is in once digitised ahead of retirement."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from retirelink.archives.insured import InsuranceRecord
from retirelink.archives.material_classes import MaterialType
from retirelink.demo.model import DemoPerson
from retirelink.rules import YearMonth
from retirelink.storage.rows import ArchiveFactRow, ArchiveRow, MaterialRow, PersonRow
from retirelink.workflow.prereview import earliest_special_job_month, statutory_month


def month_in_view(
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


def insert_persons(session: Session, batch: list[DemoPerson]) -> dict[str, int]:
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


def digitised_archives(
    session: Session, due: list[DemoPerson], ids: dict[str, int], *, at: datetime
) -> int:
    """A digitised archive for each person due: two forms and two reviewed facts."""
    now = at
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
                _fact(person_id, material_ids[0], "birth_date", person.birth_date, "day", at),
                _fact(person_id, material_ids[0], "work_start", start, "month", at),
            ],
        )
    return len(due)


def _fact(
    person_id: int, material_id: int, kind: str, day: date, precision: str, at: datetime
) -> dict[str, Any]:
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
        "reviewed_at": at,
        "review_note": "",
        "created_at": at,
    }
