"""The sharing catalogue (共享目录): data items partner departments share, and who may use them.

Sharing classes follow 国发〔2016〕51号 (policy spec §7.6): 无条件共享 (to every government
department), 有条件共享 (to listed departments and roles only) and 不予共享 (never). Each item
lists the purposes (用途) it may be used for; a request for any other purpose is refused.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from retirelink.archives.model import DepartmentKind
from retirelink.exchange.file_schema import RowIssue
from retirelink.security.model import Role


class SharingClass(StrEnum):
    UNCONDITIONAL = "unconditional"
    CONDITIONAL = "conditional"
    NOT_SHARED = "not_shared"

    @property
    def label(self) -> str:
        return _SHARING_CLASS_LABELS[self]


_SHARING_CLASS_LABELS = {
    SharingClass.UNCONDITIONAL: "无条件共享",
    SharingClass.CONDITIONAL: "有条件共享",
    SharingClass.NOT_SHARED: "不予共享",
}


class UpdateFrequency(StrEnum):
    REALTIME = "realtime"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"

    @property
    def label(self) -> str:
        return _UPDATE_FREQUENCY_LABELS[self]


_UPDATE_FREQUENCY_LABELS = {
    UpdateFrequency.REALTIME: "实时",
    UpdateFrequency.DAILY: "每日",
    UpdateFrequency.WEEKLY: "每周",
    UpdateFrequency.MONTHLY: "每月",
}


class Purpose(StrEnum):
    """The fixed vocabulary of purposes a shared item may be used for."""

    RETIREMENT_REVIEW = "retirement_review"
    CERTIFICATION = "certification"
    BENEFIT_SUSPENSION = "benefit_suspension"
    SURVIVOR_BENEFITS = "survivor_benefits"
    FUND_CHECK = "fund_check"

    @property
    def label(self) -> str:
        return _PURPOSE_LABELS[self]


_PURPOSE_LABELS = {
    Purpose.RETIREMENT_REVIEW: "退休审核",
    Purpose.CERTIFICATION: "待遇资格认证",
    Purpose.BENEFIT_SUSPENSION: "待遇停发与恢复",
    Purpose.SURVIVOR_BENEFITS: "遗属待遇",
    Purpose.FUND_CHECK: "基金监管核查",
}


class FieldKind(StrEnum):
    ID_NUMBER = "id_number"
    TEXT = "text"
    DATE = "date"
    DATETIME = "datetime"
    CODE = "code"
    NUMBER = "number"
    AMOUNT = "amount"

    @property
    def label(self) -> str:
        return _FIELD_KIND_LABELS[self]


_FIELD_KIND_LABELS = {
    FieldKind.ID_NUMBER: "公民身份号码",
    FieldKind.TEXT: "文本",
    FieldKind.DATE: "日期",
    FieldKind.DATETIME: "日期时间",
    FieldKind.CODE: "代码",
    FieldKind.NUMBER: "数值",
    FieldKind.AMOUNT: "金额",
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a data item; ``code_table`` names the national standard for coded values."""

    name: str
    label: str
    kind: FieldKind
    code_table: str | None = None


@dataclass(frozen=True, slots=True)
class CatalogueItem:
    """One shared data item. ``requesters``/``roles`` restrict 有条件共享 items only."""

    code: str
    department: DepartmentKind
    name: str
    description: str
    fields: tuple[FieldSpec, ...]
    sharing_class: SharingClass
    legal_basis: str
    update_frequency: UpdateFrequency
    purposes: frozenset[Purpose]
    requesters: frozenset[DepartmentKind] = frozenset()
    roles: frozenset[Role] = frozenset()

    @property
    def title(self) -> str:
        """How messages name the item: department label, item name and code.

        E.g. ``公安“死亡注销”（public_security.death_cancellation）``.
        """
        return f"{self.department.label}“{self.name}”（{self.code}）"


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """Who asks for which item, in which role, for what purpose (a ``Purpose`` value)."""

    item_code: str
    requester_department: DepartmentKind
    role: Role
    purpose: str


@dataclass(frozen=True, slots=True)
class AccessDecision:
    """The answer to an ``AccessRequest``; ``reason`` is shown to users as is."""

    allowed: bool
    reason: str
    legal_basis: str


def purpose_label(purpose: str) -> str:
    """The 中文 label of a purpose, or the raw value quoted when it is not in the vocabulary.

    >>> purpose_label("fund_check")
    '基金监管核查'
    >>> purpose_label("marketing")
    '未登记用途“marketing”'
    """
    try:
        return Purpose(purpose).label
    except ValueError:
        return f"未登记用途“{purpose}”"


class FileStatus(StrEnum):
    """What became of a received partner file."""

    APPLIED = "applied"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return _FILE_STATUS_LABELS[self]


_FILE_STATUS_LABELS = {FileStatus.APPLIED: "已导入", FileStatus.REJECTED: "已拒收"}


@dataclass(frozen=True, slots=True)
class ExchangeFile:
    """One received partner file, applied or rejected; ``issues`` is the (capped) report."""

    id: int | None
    digest_sha256: str
    filename: str
    item_code: str
    department: str
    format: str
    encoding: str
    rows_total: int
    rows_applied: int
    issue_count: int
    status: FileStatus
    issues: tuple[RowIssue, ...]
    received_at: datetime
    actor: str

    @property
    def rows_skipped(self) -> int:
        """Valid rows not stored because the same record was already held (applied files)."""
        return self.rows_total - self.rows_applied if self.status is FileStatus.APPLIED else 0


@dataclass(frozen=True, slots=True)
class PartnerRecord:
    """One event a partner department reported: a death, a cremation, an imprisonment."""

    id: int | None
    item_code: str
    department: str
    id_number: str
    name: str
    event_date: date
    end_date: date | None
    record_type: str | None
    file_id: int
    received_at: datetime

    @property
    def key(self) -> tuple[str, date]:
        return (self.id_number, self.event_date)


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """The answer to an import: the stored file and whether it had been received before."""

    file: ExchangeFile
    duplicate: bool = False

    @property
    def applied(self) -> bool:
        return self.file.status is FileStatus.APPLIED

    @property
    def issues(self) -> tuple[RowIssue, ...]:
        return self.file.issues


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record as a partner delivered it: the partner's own field names -> text values.

    ``position`` is the record's place in the source's change order (its watermark), as text.
    """

    fields: dict[str, str]
    position: str


@dataclass(frozen=True, slots=True)
class ChangeBatch:
    """Records a source changed strictly after ``after``, in change order.

    ``next_after`` is the watermark to ask from next time (``after`` again when the batch is
    empty); ``digest`` is the SM3 of the batch's canonical form (``batch_digest``), which both
    sides can recompute to reconcile a transfer.
    """

    source: str
    after: str | None
    records: tuple[SourceRecord, ...]
    next_after: str | None
    has_more: bool
    digest: str

    @property
    def count(self) -> int:
        return len(self.records)
