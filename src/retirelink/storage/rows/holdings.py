"""Rows of the digital archive repository (issue 4): archives, materials, blobs, pages,
ingest batches, OCR text, facts from archives, background jobs, lending, business archives."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from retirelink.storage.base import Base, UtcDateTime, sortable_text


class ArchiveRow(Base):
    __tablename__ = "archives"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), unique=True)
    archive_number: Mapped[str] = mapped_column(sortable_text(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    custodian: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class MaterialRow(Base):
    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    archive_id: Mapped[int] = mapped_column(ForeignKey("archives.id"))
    class_code: Mapped[str] = mapped_column(String(8))
    material_type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    # 形成时间: first day of the stated period, and how precise the record is.
    formation_date: Mapped[date | None] = mapped_column(Date)
    formation_precision: Mapped[str | None] = mapped_column(String(8))
    catalogued_pages: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    altered: Mapped[bool] = mapped_column(Boolean, default=False)
    altered_note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        UniqueConstraint("archive_id", "class_code", "sequence", name="uq_materials_sequence"),
    )


class BlobRow(Base):
    """Content-addressed bytes: the key is the SHA-256; SM3 recorded at ingest for fixity."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    sm3: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(64))
    stored_at: Mapped[datetime] = mapped_column(UtcDateTime())


class IngestBatchRow(Base):
    __tablename__ = "ingest_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    archive_id: Mapped[int] = mapped_column(ForeignKey("archives.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    files_total: Mapped[int] = mapped_column(Integer)
    pages_total: Mapped[int] = mapped_column(Integer)
    files_failed: Mapped[int] = mapped_column(Integer)
    files_duplicate: Mapped[int] = mapped_column(Integer)
    pages_with_errors: Mapped[int] = mapped_column(Integer)
    pages_with_warnings: Mapped[int] = mapped_column(Integer)
    window_checked_by: Mapped[str | None] = mapped_column(String(64))
    window_checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    warehoused_by: Mapped[str | None] = mapped_column(String(64))
    warehoused_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    return_reason: Mapped[str] = mapped_column(Text)
    # JSON list of {code, severity, message}: page-count mismatches and the like.
    batch_issues_json: Mapped[str] = mapped_column(Text)


class IngestItemRow(Base):
    __tablename__ = "ingest_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    material_id: Mapped[int | None] = mapped_column(ForeignKey("materials.id"))
    pages: Mapped[int] = mapped_column(Integer)
    issues_json: Mapped[str] = mapped_column(Text)


class PageRow(Base):
    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"))
    page_number: Mapped[int] = mapped_column(Integer)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    # The page's index inside a multi-page file (PDF, TIFF); 0 for a one-page image.
    source_index: Mapped[int] = mapped_column(Integer)
    image_format: Mapped[str] = mapped_column(String(8))
    width_px: Mapped[int] = mapped_column(Integer)
    height_px: Mapped[int] = mapped_column(Integer)
    dpi: Mapped[int | None] = mapped_column(Integer)
    colour_mode: Mapped[str] = mapped_column(String(8))
    thumbnail_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    view_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    skew_degrees: Mapped[float | None] = mapped_column(Float)
    qc_issues_json: Mapped[str] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"), index=True)

    __table_args__ = (
        UniqueConstraint("material_id", "page_number", name="uq_pages_material_id_page_number"),
    )


class PageTextRow(Base):
    """OCR output of one page: the text and each line with its box (JSON)."""

    __tablename__ = "page_texts"

    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), primary_key=True)
    # 'done' or 'failed'
    status: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    # JSON list of {text, box: [x0, y0, x1, y1], score}
    lines_json: Mapped[str] = mapped_column(Text)
    engine: Mapped[str] = mapped_column(String(64))
    error: Mapped[str] = mapped_column(Text)
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ArchiveFactRow(Base):
    """A fact read from an archive page: a candidate until a reviewer confirms or corrects it."""

    __tablename__ = "archive_facts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"))
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"))
    kind: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[date | None] = mapped_column(Date)
    start_precision: Mapped[str | None] = mapped_column(String(8))
    end_date: Mapped[date | None] = mapped_column(Date)
    end_precision: Mapped[str | None] = mapped_column(String(8))
    detail: Mapped[str] = mapped_column(Text)
    source_text: Mapped[str] = mapped_column(Text)
    line_index: Mapped[int | None] = mapped_column(Integer)
    # JSON [x0, y0, x1, y1] in page pixels, or empty
    box_json: Mapped[str] = mapped_column(String(64))
    confidence: Mapped[float] = mapped_column(Float)
    # 'candidate', 'confirmed', 'corrected', 'rejected'
    status: Mapped[str] = mapped_column(String(16), index=True)
    # 'ocr' (extracted) or 'reviewer' (entered by hand)
    origin: Mapped[str] = mapped_column(String(16))
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    review_note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class BackgroundJobRow(Base):
    """A queued unit of background work (OCR of a page …): claimed, retried, isolated."""

    __tablename__ = "background_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    # What the job is about, e.g. 'page:123'; (kind, subject) is queued once.
    subject: Mapped[str] = mapped_column(String(64))
    # 'queued', 'running', 'done', 'failed'
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    run_after: Mapped[datetime] = mapped_column(UtcDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        UniqueConstraint("kind", "subject", name="uq_background_jobs_kind_subject"),
        Index("ix_background_jobs_status_run_after", "status", "run_after"),
    )


class LendingRequestRow(Base):
    """调阅: a request to view an archive, its approval and its time-limited viewing window."""

    __tablename__ = "lending_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    archive_id: Mapped[int] = mapped_column(ForeignKey("archives.id"), index=True)
    requester: Mapped[str] = mapped_column(String(64))
    requester_department: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    # 'internal' (a user here) or 'exchange' (a partner department through the exchange)
    origin: Mapped[str] = mapped_column(String(16))
    external_reference: Mapped[str | None] = mapped_column(String(128), unique=True)
    # 'pending', 'approved', 'rejected', 'revoked'
    status: Mapped[str] = mapped_column(String(16), index=True)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    view_hours: Mapped[int] = mapped_column(Integer)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decision_note: Mapped[str] = mapped_column(Text)
    view_until: Mapped[datetime | None] = mapped_column(UtcDateTime())


class BusinessArchiveRow(Base):
    """社会保险业务档案: a volume filed by year and business stage, with its retention period."""

    __tablename__ = "business_archives"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 档号, e.g. 130406-2024-养老-待遇核定-30Y-0001
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    insurance: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(32))
    # 'permanent', '10', '30', '50', '100' (years)
    retention: Mapped[str] = mapped_column(String(16))
    formed_on: Mapped[date] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(100))
    # 'kept', 'appraised_keep', 'destroyed'
    status: Mapped[str] = mapped_column(String(16))
    appraised_by: Mapped[str | None] = mapped_column(String(64))
    appraised_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    appraisal_note: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_business_archives_year_stage", "year", "stage"),)
