"""Repositories of the archive holdings (archives, materials, blobs, pages, ingest batches):
rows ↔ holdings model. They never commit. The work done on pages (jobs, OCR text, facts),
lending and business archives have their own modules."""

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy import (
    ColumnElement,
    bindparam,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

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
    Material,
    MaterialStatus,
    Page,
    QcIssue,
)
from retirelink.archives.material_classes import ArchiveKind, MaterialType
from retirelink.storage.base import UtcDateTime
from retirelink.storage.rows import (
    ArchiveRow,
    BlobRow,
    IngestBatchRow,
    IngestItemRow,
    MaterialRow,
    PageRow,
    PersonRow,
)

# Greater than any character that can follow a prefix, in byte (UTF-8 / "C") order.
_PREFIX_END = "\U0010ffff"


def issues_json(issues: Sequence[QcIssue]) -> str:
    return json.dumps([issue.to_dict() for issue in issues], ensure_ascii=False)


def issues_from_json(text: str) -> tuple[QcIssue, ...]:
    return tuple(QcIssue.from_dict(item) for item in json.loads(text or "[]"))


def fuzzy_date(value: date | None, precision: str | None) -> FuzzyDate | None:
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
        formation_date=fuzzy_date(row.formation_date, row.formation_precision),
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
