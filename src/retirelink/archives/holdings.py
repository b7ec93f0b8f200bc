"""The digital archive repository's records: archives (档案), materials (材料), pages (页),
the blobs that hold page images, and the ingest batches that bring them in.

A blob is content-addressed: its key is the SHA-256 of its bytes, and its SM3 digest is
recorded beside it at ingest (fixity checks re-read the bytes and compare both). The same
file uploaded twice is one blob, linked from both pages.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from retirelink.archives.material_classes import ArchiveKind, MaterialType


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, order=True)
class FuzzyDate:
    """A date as far as a paper record states it: 1965-03-15, 1965-03 or 1965.

    ``value`` is the first day of the stated period, so fuzzy dates sort and compare by it.
    """

    value: date
    precision: DatePrecision = DatePrecision.DAY

    def __str__(self) -> str:
        if self.precision is DatePrecision.YEAR:
            return f"{self.value.year}年"
        if self.precision is DatePrecision.MONTH:
            return f"{self.value.year}年{self.value.month}月"
        return f"{self.value.year}年{self.value.month}月{self.value.day}日"

    def iso(self) -> str:
        if self.precision is DatePrecision.YEAR:
            return f"{self.value.year:04d}"
        if self.precision is DatePrecision.MONTH:
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()


class ArchiveStatus(StrEnum):
    IN_REPOSITORY = "in_repository"
    LENT = "lent"
    TRANSFERRED_OUT = "transferred_out"

    @property
    def label(self) -> str:
        return {"in_repository": "在库", "lent": "借出", "transferred_out": "已转出"}[self.value]


@dataclass(frozen=True)
class Archive:
    """A person's personnel archive (人事档案): who keeps it, where, and under which number."""

    id: int | None
    person_id: int
    archive_number: str
    kind: ArchiveKind
    custodian: str
    location: str
    status: ArchiveStatus
    created_at: datetime


class MaterialStatus(StrEnum):
    # Catalogued, scans not yet accepted into the repository.
    CATALOGUED = "catalogued"
    # Scans passed the window check (窗口初审) and the warehousing check (入库复审).
    IN_REPOSITORY = "in_repository"

    @property
    def label(self) -> str:
        return {"catalogued": "已编目", "in_repository": "已入库"}[self.value]


@dataclass(frozen=True)
class Material:
    """One material (材料) in an archive: its catalogue entry (class, title, 形成时间, pages)."""

    id: int | None
    archive_id: int
    class_code: str
    material_type: MaterialType
    title: str
    formation_date: FuzzyDate | None
    catalogued_pages: int
    sequence: int
    status: MaterialStatus = MaterialStatus.CATALOGUED
    # An altered record (涂改): a reviewer saw changes on it; facts from it are not trusted
    # without manual verification (劳社部发〔1999〕8号; policy-spec.md §3.1 [B02]).
    altered: bool = False
    altered_note: str = ""


class ImageFormat(StrEnum):
    TIFF = "tiff"
    JPEG = "jpeg"
    JPEG2000 = "jp2"
    PNG = "png"
    PDF = "pdf"

    @property
    def media_type(self) -> str:
        return {
            "tiff": "image/tiff",
            "jpeg": "image/jpeg",
            "jp2": "image/jp2",
            "png": "image/png",
            "pdf": "application/pdf",
        }[self.value]


class ColourMode(StrEnum):
    BITONAL = "bitonal"
    GREY = "grey"
    COLOUR = "colour"

    @property
    def label(self) -> str:
        return {"bitonal": "黑白二值", "grey": "灰度", "colour": "彩色"}[self.value]


@dataclass(frozen=True)
class Blob:
    """Stored bytes, keyed by their SHA-256; ``sm3`` recorded at ingest for fixity."""

    sha256: str
    sm3: str
    size: int
    media_type: str
    stored_at: datetime


class QcSeverity(StrEnum):
    # The page cannot enter the repository as it is: it must be rescanned.
    ERROR = "error"
    # A reviewer should look (a skewed or blank page), but it may enter.
    WARNING = "warning"

    @property
    def label(self) -> str:
        return {"error": "不合格", "warning": "提示"}[self.value]


@dataclass(frozen=True)
class QcIssue:
    code: str
    severity: QcSeverity
    message_zh: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity.value, "message": self.message_zh}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> "QcIssue":
        return cls(data["code"], QcSeverity(data["severity"]), data["message"])


@dataclass(frozen=True)
class Page:
    """One page of a material: the image blob (and the page within it for multi-page files)."""

    id: int | None
    material_id: int
    page_number: int
    blob_sha256: str
    source_index: int
    image_format: ImageFormat
    width_px: int
    height_px: int
    dpi: int | None
    colour_mode: ColourMode
    thumbnail_sha256: str | None
    view_sha256: str | None
    skew_degrees: float | None
    qc_issues: tuple[QcIssue, ...] = ()
    batch_id: int | None = None

    @property
    def qc_ok(self) -> bool:
        return not any(issue.severity is QcSeverity.ERROR for issue in self.qc_issues)


class BatchStatus(StrEnum):
    # Files received, identified and checked; waiting for the window check (窗口初审).
    RECEIVED = "received"
    # Passed the window check; waiting for a different reviewer's warehousing check (入库复审).
    WINDOW_CHECKED = "window_checked"
    # Accepted into the repository.
    WAREHOUSED = "warehoused"
    # Sent back with reasons (at either check).
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {
            "received": "待窗口初审",
            "window_checked": "待入库复审",
            "warehoused": "已入库",
            "returned": "已退回",
        }[self.value]


class ItemStatus(StrEnum):
    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"
    DUPLICATE = "duplicate"

    @property
    def label(self) -> str:
        return {"ok": "合格", "warning": "有提示", "failed": "失败", "duplicate": "重复"}[
            self.value
        ]


@dataclass(frozen=True)
class IngestItem:
    """One file of a batch and what became of it (pages made, or why it failed)."""

    id: int | None
    batch_id: int
    file_name: str
    status: ItemStatus
    message_zh: str
    sha256: str | None = None
    material_id: int | None = None
    pages: int = 0
    issues: tuple[QcIssue, ...] = ()


@dataclass(frozen=True)
class IngestBatch:
    """A batch of scans for one archive, with its counts and the two reception checks."""

    id: int | None
    archive_id: int
    status: BatchStatus
    created_by: str
    created_at: datetime
    files_total: int = 0
    pages_total: int = 0
    files_failed: int = 0
    files_duplicate: int = 0
    pages_with_errors: int = 0
    pages_with_warnings: int = 0
    window_checked_by: str | None = None
    window_checked_at: datetime | None = None
    warehoused_by: str | None = None
    warehoused_at: datetime | None = None
    return_reason: str = ""
    # Page-count mismatches and other batch-level findings (材料页数与目录不符 …).
    batch_issues: tuple[QcIssue, ...] = field(default_factory=tuple)


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"queued": "排队中", "running": "处理中", "done": "已完成", "failed": "失败"}[
            self.value
        ]


@dataclass(frozen=True)
class QueuedJob:
    """A unit of background work (OCR of one page …), claimed by one worker at a time."""

    id: int
    kind: str
    subject: str
    attempts: int


@dataclass(frozen=True)
class OcrLine:
    """One recognised line: its text, box ``(x0, y0, x1, y1)`` in page pixels and score."""

    text: str
    box: tuple[int, int, int, int] | None = None
    score: float = 1.0


@dataclass(frozen=True)
class PageText:
    page_id: int
    status: str
    text: str
    lines: tuple[OcrLine, ...]
    engine: str
    error: str
    processed_at: datetime


class LendingStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return {
            "pending": "待审批",
            "approved": "已批准",
            "rejected": "未批准",
            "revoked": "已撤销",
        }[self.value]


@dataclass(frozen=True)
class LendingRequest:
    """调阅: who asks to view which archive, why and under which legal basis; once approved,
    the pages can be viewed (watermarked, every view ledgered) until ``view_until``."""

    id: int | None
    archive_id: int
    requester: str
    requester_department: str
    purpose: str
    legal_basis: str
    origin: str
    status: LendingStatus
    requested_at: datetime
    view_hours: int
    external_reference: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str = ""
    view_until: datetime | None = None

    def viewable_at(self, moment: datetime) -> bool:
        return (
            self.status is LendingStatus.APPROVED
            and self.view_until is not None
            and moment < self.view_until
        )


@dataclass(frozen=True)
class ArchiveSummary:
    """One row of the archive list (read model)."""

    id: int
    archive_number: str
    kind: ArchiveKind
    status: ArchiveStatus
    custodian: str
    person_id: int
    person_name: str
    id_number: str
    materials: int
