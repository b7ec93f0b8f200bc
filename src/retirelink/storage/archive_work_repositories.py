"""Repositories of the work done on ingested pages: the background job queue, OCR page texts
and the facts read from them. They never commit."""

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import (
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from retirelink.archives.fact_kinds import FactKind
from retirelink.archives.fact_records import ArchiveFact, FactOrigin, FactStatus
from retirelink.archives.holdings import (
    JobStatus,
    OcrLine,
    PageText,
    QueuedJob,
)
from retirelink.storage.base import UtcDateTime
from retirelink.storage.holdings_repositories import fuzzy_date
from retirelink.storage.rows import (
    ArchiveFactRow,
    BackgroundJobRow,
    PageTextRow,
)

_ENQUEUE = sql_text(
    "INSERT INTO background_jobs (kind, subject, status, attempts, run_after, last_error, "
    "created_at) VALUES (:kind, :subject, 'queued', 0, :run_after, '', :run_after) "
    "ON CONFLICT (kind, subject) DO UPDATE SET status = 'queued', attempts = 0, "
    "run_after = excluded.run_after, last_error = '', finished_at = NULL "
    "WHERE background_jobs.status IN ('done', 'failed') RETURNING id"
).bindparams(bindparam("run_after", type_=UtcDateTime()))


class SqlAlchemyJobQueue:
    def __init__(self, session: Session) -> None:
        self._session = session

    def enqueue(self, kind: str, subject: str, *, run_after: datetime) -> bool:
        # New, or done/failed before (a rescanned page): queued; waiting or running: untouched.
        queued = self._session.execute(
            _ENQUEUE, {"kind": kind, "subject": subject, "run_after": run_after}
        ).first()
        return queued is not None

    def claim(
        self, kinds: Sequence[str], *, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[QueuedJob]:
        job = BackgroundJobRow
        due = (
            select(job.id)
            .where(
                job.kind.in_(list(kinds)),
                ((job.status == JobStatus.QUEUED.value) & (job.run_after <= now))
                | ((job.status == JobStatus.RUNNING.value) & (job.locked_until < now)),
            )
            .order_by(job.id)
            .limit(limit)
            # Several runners on PostgreSQL: each takes rows no other runner has locked.
            .with_for_update(skip_locked=True)
        )
        rows = self._session.execute(
            update(job)
            .where(job.id.in_(due.scalar_subquery()))
            .values(
                status=JobStatus.RUNNING.value,
                locked_by=worker,
                locked_until=now + lease,
                attempts=job.attempts + 1,
            )
            .returning(job.id, job.kind, job.subject, job.attempts)
        ).all()
        return sorted(
            (QueuedJob(row.id, row.kind, row.subject, row.attempts) for row in rows),
            key=lambda queued: queued.id,
        )

    def finish(self, job_id: int, *, now: datetime) -> None:
        self._session.execute(
            update(BackgroundJobRow)
            .where(BackgroundJobRow.id == job_id)
            .values(status=JobStatus.DONE.value, finished_at=now, locked_by=None, locked_until=None)
        )

    def fail(self, job_id: int, *, error: str, now: datetime, retry_at: datetime | None) -> None:
        values: dict[str, object] = {
            "last_error": error[:2000],
            "locked_by": None,
            "locked_until": None,
        }
        if retry_at is None:
            values.update(status=JobStatus.FAILED.value, finished_at=now)
        else:
            values.update(status=JobStatus.QUEUED.value, run_after=retry_at)
        self._session.execute(
            update(BackgroundJobRow).where(BackgroundJobRow.id == job_id).values(**values)
        )

    def counts(self, kind: str) -> dict[str, int]:
        rows = self._session.execute(
            select(BackgroundJobRow.status, func.count())
            .where(BackgroundJobRow.kind == kind)
            .group_by(BackgroundJobRow.status)
        )
        return {status: int(count) for status, count in rows}


class SqlAlchemyPageTextRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def save(self, text: PageText) -> None:
        row = self._session.get(PageTextRow, text.page_id)
        if row is None:
            row = PageTextRow(page_id=text.page_id)
            self._session.add(row)
        row.status = text.status
        row.text = text.text
        row.lines_json = json.dumps(
            [
                {
                    "text": line.text,
                    "box": list(line.box) if line.box else None,
                    "score": line.score,
                }
                for line in text.lines
            ],
            ensure_ascii=False,
        )
        row.engine = text.engine
        row.error = text.error
        row.processed_at = text.processed_at
        self._session.flush()

    def get(self, page_id: int) -> PageText | None:
        row = self._session.get(PageTextRow, page_id)
        if row is None:
            return None
        lines = tuple(
            OcrLine(item["text"], tuple(item["box"]) if item["box"] else None, item["score"])
            for item in json.loads(row.lines_json or "[]")
        )
        return PageText(
            row.page_id, row.status, row.text, lines, row.engine, row.error, row.processed_at
        )


class SqlAlchemyFactRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, fact: ArchiveFact) -> ArchiveFact:
        row = ArchiveFactRow(person_id=fact.person_id, **_fact_columns(fact))
        self._session.add(row)
        self._session.flush()
        return _fact(row)

    def get(self, fact_id: int) -> ArchiveFact | None:
        row = self._session.get(ArchiveFactRow, fact_id)
        return _fact(row) if row else None

    def update(self, fact: ArchiveFact) -> None:
        self._session.execute(
            update(ArchiveFactRow).where(ArchiveFactRow.id == fact.id).values(**_fact_columns(fact))
        )

    def delete_candidates_of_page(self, page_id: int) -> int:
        result = self._session.execute(
            delete(ArchiveFactRow).where(
                ArchiveFactRow.page_id == page_id,
                ArchiveFactRow.status == FactStatus.CANDIDATE.value,
                ArchiveFactRow.origin == FactOrigin.OCR.value,
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def for_person(self, person_id: int) -> list[ArchiveFact]:
        rows = self._session.scalars(
            select(ArchiveFactRow)
            .where(ArchiveFactRow.person_id == person_id)
            .order_by(ArchiveFactRow.kind, ArchiveFactRow.start_date, ArchiveFactRow.id)
        )
        return [_fact(row) for row in rows]

    def queue(self, *, status: str, limit: int) -> list[ArchiveFact]:
        rows = self._session.scalars(
            select(ArchiveFactRow)
            .where(ArchiveFactRow.status == status)
            .order_by(ArchiveFactRow.id)
            .limit(limit)
        )
        return [_fact(row) for row in rows]


def _fact_columns(fact: ArchiveFact) -> dict[str, object]:
    return {
        "material_id": fact.material_id,
        "page_id": fact.page_id,
        "kind": fact.kind.value,
        "start_date": fact.start.value if fact.start else None,
        "start_precision": fact.start.precision.value if fact.start else None,
        "end_date": fact.end.value if fact.end else None,
        "end_precision": fact.end.precision.value if fact.end else None,
        "detail": fact.detail,
        "source_text": fact.source_text,
        "line_index": fact.line_index,
        "box_json": json.dumps(list(fact.box)) if fact.box else "",
        "confidence": fact.confidence,
        "status": fact.status.value,
        "origin": fact.origin.value,
        "reviewed_by": fact.reviewed_by,
        "reviewed_at": fact.reviewed_at,
        "review_note": fact.review_note,
        "created_at": fact.created_at,
    }


def _fact(row: ArchiveFactRow) -> ArchiveFact:
    values = json.loads(row.box_json) if row.box_json else None
    box = (int(values[0]), int(values[1]), int(values[2]), int(values[3])) if values else None
    return ArchiveFact(
        id=row.id,
        person_id=row.person_id,
        material_id=row.material_id,
        page_id=row.page_id,
        kind=FactKind(row.kind),
        start=fuzzy_date(row.start_date, row.start_precision),
        end=fuzzy_date(row.end_date, row.end_precision),
        detail=row.detail,
        source_text=row.source_text,
        line_index=row.line_index,
        box=box,
        confidence=row.confidence,
        status=FactStatus(row.status),
        origin=FactOrigin(row.origin),
        created_at=row.created_at,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        review_note=row.review_note,
    )
