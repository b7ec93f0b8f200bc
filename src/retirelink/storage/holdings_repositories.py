"""Repositories of the digital archive repository: rows ↔ holdings model. They never commit."""

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from retirelink.archives.fact_extraction import FactKind
from retirelink.archives.fact_records import ArchiveFact, FactOrigin, FactStatus
from retirelink.archives.holdings import (
    Archive,
    ArchiveStatus,
    ArchiveSummary,
    BatchStatus,
    Blob,
    ColourMode,
    DatePrecision,
    FuzzyDate,
    ImageFormat,
    IngestBatch,
    IngestItem,
    ItemStatus,
    JobStatus,
    LendingRequest,
    LendingStatus,
    Material,
    MaterialStatus,
    OcrLine,
    Page,
    PageText,
    QcIssue,
    QueuedJob,
)
from retirelink.archives.material_classes import ArchiveKind, MaterialType
from retirelink.archives.retention import (
    BusinessStage,
    BusinessVolume,
    Insurance,
    Retention,
    VolumeStatus,
)
from retirelink.storage.base import UtcDateTime
from retirelink.storage.rows import (
    ArchiveFactRow,
    ArchiveRow,
    BackgroundJobRow,
    BlobRow,
    BusinessArchiveRow,
    IngestBatchRow,
    IngestItemRow,
    LendingRequestRow,
    MaterialRow,
    PageRow,
    PageTextRow,
    PersonRow,
)

# Greater than any character that can follow a prefix, in byte (UTF-8 / "C") order.
_PREFIX_END = "\U0010ffff"


def issues_json(issues: Sequence[QcIssue]) -> str:
    return json.dumps([issue.to_dict() for issue in issues], ensure_ascii=False)


def issues_from_json(text: str) -> tuple[QcIssue, ...]:
    return tuple(QcIssue.from_dict(item) for item in json.loads(text or "[]"))


def _fuzzy(value: date | None, precision: str | None) -> FuzzyDate | None:
    if value is None:
        return None
    return FuzzyDate(value, DatePrecision(precision or DatePrecision.DAY.value))


class SqlAlchemyArchiveRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, archive: Archive) -> Archive:
        row = ArchiveRow(
            person_id=archive.person_id,
            archive_number=archive.archive_number,
            kind=archive.kind.value,
            custodian=archive.custodian,
            location=archive.location,
            status=archive.status.value,
            created_at=archive.created_at,
        )
        self._session.add(row)
        self._session.flush()
        return _archive(row)

    def get(self, archive_id: int) -> Archive | None:
        row = self._session.get(ArchiveRow, archive_id)
        return _archive(row) if row else None

    def get_by_number(self, archive_number: str) -> Archive | None:
        row = self._session.scalar(
            select(ArchiveRow).where(ArchiveRow.archive_number == archive_number)
        )
        return _archive(row) if row else None

    def get_by_person(self, person_id: int) -> Archive | None:
        row = self._session.scalar(select(ArchiveRow).where(ArchiveRow.person_id == person_id))
        return _archive(row) if row else None

    def search(self, *, text: str, offset: int, limit: int) -> tuple[list[ArchiveSummary], int]:
        condition: ColumnElement[bool] = true()
        if text:
            # Prefix ranges, not LIKE: the indexed columns are used on both databases.
            end = text + _PREFIX_END
            condition = or_(
                (ArchiveRow.archive_number >= text) & (ArchiveRow.archive_number < end),
                (PersonRow.name >= text) & (PersonRow.name < end),
                (PersonRow.id_number >= text.upper())
                & (PersonRow.id_number < text.upper() + _PREFIX_END),
            )
        joined = select(ArchiveRow, PersonRow).join(PersonRow, PersonRow.id == ArchiveRow.person_id)
        total = self._session.scalar(
            select(func.count()).select_from(joined.where(condition).subquery())
        )
        materials = (
            select(func.count())
            .where(MaterialRow.archive_id == ArchiveRow.id)
            .correlate(ArchiveRow)
            .scalar_subquery()
        )
        rows = self._session.execute(
            select(ArchiveRow, PersonRow.name, PersonRow.id_number, materials)
            .join(PersonRow, PersonRow.id == ArchiveRow.person_id)
            .where(condition)
            .order_by(ArchiveRow.archive_number)
            .offset(offset)
            .limit(limit)
        ).all()
        return [
            ArchiveSummary(
                id=archive.id,
                archive_number=archive.archive_number,
                kind=ArchiveKind(archive.kind),
                status=ArchiveStatus(archive.status),
                custodian=archive.custodian,
                person_id=archive.person_id,
                person_name=name,
                id_number=id_number,
                materials=int(count),
            )
            for archive, name, id_number, count in rows
        ], int(total or 0)


def _archive(row: ArchiveRow) -> Archive:
    return Archive(
        id=row.id,
        person_id=row.person_id,
        archive_number=row.archive_number,
        kind=ArchiveKind(row.kind),
        custodian=row.custodian,
        location=row.location,
        status=ArchiveStatus(row.status),
        created_at=row.created_at,
    )


class SqlAlchemyMaterialRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, material: Material) -> Material:
        row = MaterialRow(archive_id=material.archive_id, **_material_columns(material))
        self._session.add(row)
        self._session.flush()
        return _material(row)

    def get(self, material_id: int) -> Material | None:
        row = self._session.get(MaterialRow, material_id)
        return _material(row) if row else None

    def for_archive(self, archive_id: int) -> list[Material]:
        rows = self._session.scalars(
            select(MaterialRow)
            .where(MaterialRow.archive_id == archive_id)
            .order_by(MaterialRow.class_code, MaterialRow.sequence)
        )
        materials = [_material(row) for row in rows]
        # Class codes sort as numbers ("9-2" before "10"), not as text.
        return sorted(materials, key=lambda item: (_class_key(item.class_code), item.sequence))

    def find(self, archive_id: int, class_code: str, sequence: int) -> Material | None:
        row = self._session.scalar(
            select(MaterialRow).where(
                MaterialRow.archive_id == archive_id,
                MaterialRow.class_code == class_code,
                MaterialRow.sequence == sequence,
            )
        )
        return _material(row) if row else None

    def update(self, material: Material) -> None:
        self._session.execute(
            update(MaterialRow)
            .where(MaterialRow.id == material.id)
            .values(**_material_columns(material))
        )


def _class_key(code: str) -> tuple[int, int]:
    main, _, sub = code.partition("-")
    return int(main), int(sub or 0)


def _material_columns(material: Material) -> dict[str, object]:
    formation = material.formation_date
    return {
        "class_code": material.class_code,
        "material_type": material.material_type.value,
        "title": material.title,
        "formation_date": formation.value if formation else None,
        "formation_precision": formation.precision.value if formation else None,
        "catalogued_pages": material.catalogued_pages,
        "sequence": material.sequence,
        "status": material.status.value,
        "altered": material.altered,
        "altered_note": material.altered_note,
    }


def _material(row: MaterialRow) -> Material:
    return Material(
        id=row.id,
        archive_id=row.archive_id,
        class_code=row.class_code,
        material_type=MaterialType(row.material_type),
        title=row.title,
        formation_date=_fuzzy(row.formation_date, row.formation_precision),
        catalogued_pages=row.catalogued_pages,
        sequence=row.sequence,
        status=MaterialStatus(row.status),
        altered=row.altered,
        altered_note=row.altered_note,
    )


class SqlAlchemyBlobRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, sha256: str) -> Blob | None:
        row = self._session.get(BlobRow, sha256)
        return _blob(row) if row else None

    def add_if_new(self, blob: Blob) -> bool:
        # One statement on both databases (ON CONFLICT: SQLite 3.24+, PostgreSQL 9.5+);
        # RETURNING, not rowcount, which psycopg does not report for ON CONFLICT.
        inserted = self._session.execute(
            _INSERT_BLOB,
            {
                "sha256": blob.sha256,
                "sm3": blob.sm3,
                "size": blob.size,
                "media_type": blob.media_type,
                "stored_at": blob.stored_at,
            },
        ).first()
        return inserted is not None

    def count_and_bytes(self) -> tuple[int, int]:
        count, total = self._session.execute(
            select(func.count(), func.coalesce(func.sum(BlobRow.size), 0))
        ).one()
        return int(count), int(total)

    def iter_all(self, batch: int = 1000) -> Iterator[Blob]:
        after = ""
        while True:
            rows = self._session.scalars(
                select(BlobRow).where(BlobRow.sha256 > after).order_by(BlobRow.sha256).limit(batch)
            ).all()
            if not rows:
                return
            yield from (_blob(row) for row in rows)
            after = rows[-1].sha256


_INSERT_BLOB = sql_text(
    "INSERT INTO blobs (sha256, sm3, size, media_type, stored_at) "
    "VALUES (:sha256, :sm3, :size, :media_type, :stored_at) "
    "ON CONFLICT (sha256) DO NOTHING RETURNING sha256"
).bindparams(bindparam("stored_at", type_=UtcDateTime()))


def _blob(row: BlobRow) -> Blob:
    return Blob(row.sha256, row.sm3, row.size, row.media_type, row.stored_at)


class SqlAlchemyPageRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, page: Page) -> Page:
        # Core, not the ORM: ingest adds thousands of pages in one transaction.
        page_id = self._session.execute(
            insert(PageRow)
            .values(
                material_id=page.material_id, page_number=page.page_number, **_page_columns(page)
            )
            .returning(PageRow.id)
        ).scalar_one()
        return replace(page, id=page_id)

    def get(self, page_id: int) -> Page | None:
        row = self._session.get(PageRow, page_id)
        return _page(row) if row else None

    def find(self, material_id: int, page_number: int) -> Page | None:
        row = self._session.scalar(
            select(PageRow).where(
                PageRow.material_id == material_id, PageRow.page_number == page_number
            )
        )
        return _page(row) if row else None

    def replace_image(self, page: Page) -> None:
        self._session.execute(
            update(PageRow).where(PageRow.id == page.id).values(**_page_columns(page))
        )

    def for_material(self, material_id: int) -> list[Page]:
        rows = self._session.scalars(
            select(PageRow).where(PageRow.material_id == material_id).order_by(PageRow.page_number)
        )
        return [_page(row) for row in rows]

    def count_for_materials(self, material_ids: Sequence[int]) -> dict[int, int]:
        if not material_ids:
            return {}
        rows = self._session.execute(
            select(PageRow.material_id, func.count())
            .where(PageRow.material_id.in_(sorted(set(material_ids))))
            .group_by(PageRow.material_id)
        )
        return {material_id: int(count) for material_id, count in rows}

    def for_batch(self, batch_id: int) -> list[Page]:
        rows = self._session.scalars(
            select(PageRow)
            .where(PageRow.batch_id == batch_id)
            .order_by(PageRow.material_id, PageRow.page_number)
        )
        return [_page(row) for row in rows]


def _page_columns(page: Page) -> dict[str, object]:
    return {
        "blob_sha256": page.blob_sha256,
        "source_index": page.source_index,
        "image_format": page.image_format.value,
        "width_px": page.width_px,
        "height_px": page.height_px,
        "dpi": page.dpi,
        "colour_mode": page.colour_mode.value,
        "thumbnail_sha256": page.thumbnail_sha256,
        "view_sha256": page.view_sha256,
        "skew_degrees": page.skew_degrees,
        "qc_issues_json": issues_json(page.qc_issues),
        "batch_id": page.batch_id,
    }


def _page(row: PageRow) -> Page:
    return Page(
        id=row.id,
        material_id=row.material_id,
        page_number=row.page_number,
        blob_sha256=row.blob_sha256,
        source_index=row.source_index,
        image_format=ImageFormat(row.image_format),
        width_px=row.width_px,
        height_px=row.height_px,
        dpi=row.dpi,
        colour_mode=ColourMode(row.colour_mode),
        thumbnail_sha256=row.thumbnail_sha256,
        view_sha256=row.view_sha256,
        skew_degrees=row.skew_degrees,
        qc_issues=issues_from_json(row.qc_issues_json),
        batch_id=row.batch_id,
    )


class SqlAlchemyIngestBatchRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, batch: IngestBatch) -> IngestBatch:
        row = IngestBatchRow(archive_id=batch.archive_id, **_batch_columns(batch))
        self._session.add(row)
        self._session.flush()
        return _batch(row)

    def get(self, batch_id: int) -> IngestBatch | None:
        row = self._session.get(IngestBatchRow, batch_id)
        return _batch(row) if row else None

    def update(self, batch: IngestBatch) -> None:
        self._session.execute(
            update(IngestBatchRow)
            .where(IngestBatchRow.id == batch.id)
            .values(**_batch_columns(batch))
        )

    def add_item(self, item: IngestItem) -> IngestItem:
        item_id = self._session.execute(
            insert(IngestItemRow)
            .values(
                batch_id=item.batch_id,
                file_name=item.file_name[:255],
                status=item.status.value,
                message=item.message_zh,
                sha256=item.sha256,
                material_id=item.material_id,
                pages=item.pages,
                issues_json=issues_json(item.issues),
            )
            .returning(IngestItemRow.id)
        ).scalar_one()
        return replace(item, id=item_id)

    def items(self, batch_id: int) -> list[IngestItem]:
        rows = self._session.scalars(
            select(IngestItemRow)
            .where(IngestItemRow.batch_id == batch_id)
            .order_by(IngestItemRow.id)
        )
        return [_item(row) for row in rows]

    def recent(self, *, status: str | None, limit: int) -> list[IngestBatch]:
        statement = select(IngestBatchRow).order_by(IngestBatchRow.id.desc()).limit(limit)
        if status:
            statement = statement.where(IngestBatchRow.status == status)
        return [_batch(row) for row in self._session.scalars(statement)]

    def for_archive(self, archive_id: int) -> list[IngestBatch]:
        rows = self._session.scalars(
            select(IngestBatchRow)
            .where(IngestBatchRow.archive_id == archive_id)
            .order_by(IngestBatchRow.id.desc())
        )
        return [_batch(row) for row in rows]


def _batch_columns(batch: IngestBatch) -> dict[str, object]:
    return {
        "status": batch.status.value,
        "created_by": batch.created_by,
        "created_at": batch.created_at,
        "files_total": batch.files_total,
        "pages_total": batch.pages_total,
        "files_failed": batch.files_failed,
        "files_duplicate": batch.files_duplicate,
        "pages_with_errors": batch.pages_with_errors,
        "pages_with_warnings": batch.pages_with_warnings,
        "window_checked_by": batch.window_checked_by,
        "window_checked_at": batch.window_checked_at,
        "warehoused_by": batch.warehoused_by,
        "warehoused_at": batch.warehoused_at,
        "return_reason": batch.return_reason,
        "batch_issues_json": issues_json(batch.batch_issues),
    }


def _batch(row: IngestBatchRow) -> IngestBatch:
    return IngestBatch(
        id=row.id,
        archive_id=row.archive_id,
        status=BatchStatus(row.status),
        created_by=row.created_by,
        created_at=row.created_at,
        files_total=row.files_total,
        pages_total=row.pages_total,
        files_failed=row.files_failed,
        files_duplicate=row.files_duplicate,
        pages_with_errors=row.pages_with_errors,
        pages_with_warnings=row.pages_with_warnings,
        window_checked_by=row.window_checked_by,
        window_checked_at=row.window_checked_at,
        warehoused_by=row.warehoused_by,
        warehoused_at=row.warehoused_at,
        return_reason=row.return_reason,
        batch_issues=issues_from_json(row.batch_issues_json),
    )


def _item(row: IngestItemRow) -> IngestItem:
    return IngestItem(
        id=row.id,
        batch_id=row.batch_id,
        file_name=row.file_name,
        status=ItemStatus(row.status),
        message_zh=row.message,
        sha256=row.sha256,
        material_id=row.material_id,
        pages=row.pages,
        issues=issues_from_json(row.issues_json),
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


class SqlAlchemyLendingRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, request: LendingRequest) -> LendingRequest:
        row = LendingRequestRow(archive_id=request.archive_id, **_lending_columns(request))
        self._session.add(row)
        self._session.flush()
        return _lending(row)

    def get(self, request_id: int) -> LendingRequest | None:
        row = self._session.get(LendingRequestRow, request_id)
        return _lending(row) if row else None

    def get_by_reference(self, external_reference: str) -> LendingRequest | None:
        row = self._session.scalar(
            select(LendingRequestRow).where(
                LendingRequestRow.external_reference == external_reference
            )
        )
        return _lending(row) if row else None

    def update(self, request: LendingRequest) -> None:
        self._session.execute(
            update(LendingRequestRow)
            .where(LendingRequestRow.id == request.id)
            .values(**_lending_columns(request))
        )

    def recent(
        self, *, requester: str | None, status: str | None, limit: int
    ) -> list[LendingRequest]:
        statement = select(LendingRequestRow).order_by(LendingRequestRow.id.desc()).limit(limit)
        if requester:
            statement = statement.where(LendingRequestRow.requester == requester)
        if status:
            statement = statement.where(LendingRequestRow.status == status)
        return [_lending(row) for row in self._session.scalars(statement)]

    def for_archive(self, archive_id: int) -> list[LendingRequest]:
        rows = self._session.scalars(
            select(LendingRequestRow)
            .where(LendingRequestRow.archive_id == archive_id)
            .order_by(LendingRequestRow.id.desc())
        )
        return [_lending(row) for row in rows]


def _lending_columns(request: LendingRequest) -> dict[str, object]:
    return {
        "requester": request.requester,
        "requester_department": request.requester_department,
        "purpose": request.purpose,
        "legal_basis": request.legal_basis,
        "origin": request.origin,
        "external_reference": request.external_reference,
        "status": request.status.value,
        "requested_at": request.requested_at,
        "view_hours": request.view_hours,
        "decided_by": request.decided_by,
        "decided_at": request.decided_at,
        "decision_note": request.decision_note,
        "view_until": request.view_until,
    }


def _lending(row: LendingRequestRow) -> LendingRequest:
    return LendingRequest(
        id=row.id,
        archive_id=row.archive_id,
        requester=row.requester,
        requester_department=row.requester_department,
        purpose=row.purpose,
        legal_basis=row.legal_basis,
        origin=row.origin,
        status=LendingStatus(row.status),
        requested_at=row.requested_at,
        view_hours=row.view_hours,
        external_reference=row.external_reference,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        view_until=row.view_until,
    )


class SqlAlchemyBusinessVolumeRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, volume: BusinessVolume) -> BusinessVolume:
        row = BusinessArchiveRow(**_volume_columns(volume))
        self._session.add(row)
        self._session.flush()
        return _volume(row)

    def get(self, volume_id: int) -> BusinessVolume | None:
        row = self._session.get(BusinessArchiveRow, volume_id)
        return _volume(row) if row else None

    def get_by_reference(self, reference: str) -> BusinessVolume | None:
        row = self._session.scalar(
            select(BusinessArchiveRow).where(BusinessArchiveRow.reference == reference)
        )
        return _volume(row) if row else None

    def update(self, volume: BusinessVolume) -> None:
        self._session.execute(
            update(BusinessArchiveRow)
            .where(BusinessArchiveRow.id == volume.id)
            .values(**_volume_columns(volume))
        )

    def due_for_appraisal(self, on: date, *, limit: int) -> list[BusinessVolume]:
        # Ended before ``on`` ⇔ formed before 1 January of (on.year − years): see retention.py.
        row = BusinessArchiveRow
        periods = [r for r in Retention if r.years is not None]
        ended = or_(
            *(
                (row.retention == r.value) & (row.formed_on < date(on.year - (r.years or 0), 1, 1))
                for r in periods
            )
        )
        statement = (
            select(row)
            .where(row.status == VolumeStatus.KEPT.value, ended)
            .order_by(row.formed_on, row.id)
            .limit(limit)
        )
        return [_volume(item) for item in self._session.scalars(statement)]


def _volume_columns(volume: BusinessVolume) -> dict[str, object]:
    return {
        "reference": volume.reference,
        "title": volume.title,
        "year": volume.year,
        "insurance": volume.insurance.value,
        "stage": volume.stage.value,
        "retention": volume.retention.value,
        "formed_on": volume.formed_on,
        "location": volume.location,
        "status": volume.status.value,
        "appraised_by": volume.appraised_by,
        "appraised_at": volume.appraised_at,
        "appraisal_note": volume.appraisal_note,
    }


def _volume(row: BusinessArchiveRow) -> BusinessVolume:
    return BusinessVolume(
        id=row.id,
        reference=row.reference,
        title=row.title,
        year=row.year,
        insurance=Insurance(row.insurance),
        stage=BusinessStage(row.stage),
        retention=Retention(row.retention),
        formed_on=row.formed_on,
        location=row.location,
        status=VolumeStatus(row.status),
        appraised_by=row.appraised_by,
        appraised_at=row.appraised_at,
        appraisal_note=row.appraisal_note,
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
        start=_fuzzy(row.start_date, row.start_precision),
        end=_fuzzy(row.end_date, row.end_precision),
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
