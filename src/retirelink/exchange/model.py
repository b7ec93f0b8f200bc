"""The sharing catalogue (共享目录): data items partner departments share, and who may use them.

Sharing classes follow 国发〔2016〕51号 (policy spec §7.6): 无条件共享 (to every government
department), 有条件共享 (to listed departments and roles only) and 不予共享 (never). Each item
lists the purposes (用途) it may be used for; a request for any other purpose is refused.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from retirelink.archives.model import DepartmentKind
from retirelink.errors import InvalidInputError
from retirelink.exchange.file_schema import RowIssue
from retirelink.exchange.receipts import Receipt
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


class Transport(StrEnum):
    """How a transfer travelled (the three exchange modes)."""

    FILE = "file"
    API = "api"
    TABLE_SYNC = "table_sync"

    @property
    def label(self) -> str:
        return _TRANSPORT_LABELS[self]


_TRANSPORT_LABELS = {
    Transport.FILE: "文件传输",
    Transport.API: "接口调用",
    Transport.TABLE_SYNC: "库表同步",
}


class WatermarkKind(StrEnum):
    """How a shared table (库表同步) is ordered and resumed: by an integer sequence column, or
    by a change timestamp with a tie-breaking key (docs/exchange.md, 更新时间水位)."""

    INTEGER = "integer"
    TIMESTAMP = "timestamp"

    @property
    def label(self) -> str:
        return _WATERMARK_KIND_LABELS[self]


# Rows of a timestamp-ordered table changed less than this long ago are left for a later
# pull (稳定延迟), so transactions in flight can commit first.
DEFAULT_SETTLE_SECONDS = 5.0

_WATERMARK_KIND_LABELS = {
    WatermarkKind.INTEGER: "序号水位",
    WatermarkKind.TIMESTAMP: "更新时间水位",
}


class JobStatus(StrEnum):
    """What became of a transfer: every record applied, or the whole transfer rejected."""

    APPLIED = "applied"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return _JOB_STATUS_LABELS[self]


_JOB_STATUS_LABELS = {JobStatus.APPLIED: "已入库", JobStatus.REJECTED: "已拒收"}


class RecordFlag(StrEnum):
    """Why a stored partner record is not simply trusted (verification, policy spec §7)."""

    UNKNOWN_PERSON = "unknown_person"
    DISPUTED = "disputed"

    @property
    def label(self) -> str:
        return _RECORD_FLAG_LABELS[self]


_RECORD_FLAG_LABELS = {
    RecordFlag.UNKNOWN_PERSON: "查无此人",
    RecordFlag.DISPUTED: "存在数据异议",
}


@dataclass(frozen=True, slots=True)
class ExchangeJob:
    """One inbound transfer — a file, an API message or a table-sync batch — and its outcome.

    ``dedupe_key`` recognises the same transfer sent again (a file's SHA-256, a message id, a
    sync range); ``payload_digest`` is the SM3 of the payload, quoted in the receipt.
    ``issues`` is the (capped) report of a rejected transfer.
    """

    id: int | None
    transport: Transport
    department: str
    item_code: str
    reference: str
    dedupe_key: str
    payload_digest: str
    format: str
    encoding: str
    rows_total: int
    rows_applied: int
    rows_flagged: int
    issue_count: int
    status: JobStatus
    issues: tuple[RowIssue, ...]
    received_at: datetime
    actor: str

    @property
    def rows_skipped(self) -> int:
        """Valid rows not stored because the same record was already held (applied jobs)."""
        return self.rows_total - self.rows_applied if self.status is JobStatus.APPLIED else 0

    @property
    def filename(self) -> str:
        """The file's name, for file transfers (the reference of other transports otherwise)."""
        return self.reference

    @property
    def digest_sha256(self) -> str:
        """The SHA-256 of a received file (files are recognised by it)."""
        return self.dedupe_key.removeprefix(FILE_DEDUPE_PREFIX)


FILE_DEDUPE_PREFIX = "file:"


@dataclass(frozen=True, slots=True)
class PartnerRecord:
    """One event a partner department reported: a death, a cremation, an imprisonment, a
    medical settlement (a sign of life)."""

    id: int | None
    item_code: str
    department: str
    id_number: str
    name: str
    event_date: date
    end_date: date | None
    record_type: str | None
    job_id: int
    received_at: datetime
    flag: RecordFlag | None = None

    @property
    def key(self) -> tuple[str, date]:
        return (self.id_number, self.event_date)


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """The answer to a transfer: the stored job and whether it had been received before."""

    job: ExchangeJob
    duplicate: bool = False
    receipt: Receipt | None = None

    @property
    def applied(self) -> bool:
        return self.job.status is JobStatus.APPLIED

    @property
    def issues(self) -> tuple[RowIssue, ...]:
        return self.job.issues


@dataclass(frozen=True, slots=True)
class StoredReceipt:
    """A receipt as we keep it, with what it answers: a transfer we received (``job_id``: we
    issued the receipt) or a request we sent (``outbox_id``: the partner issued it).

    ``counterpart`` is the other side (a client id or a department kind); ``problems`` is the
    reconciliation of a partner's receipt against what we sent ('' when it agrees).
    """

    receipt: Receipt
    problems: str
    job_id: int | None
    outbox_id: int | None
    counterpart: str

    @property
    def issued_by_us(self) -> bool:
        return self.outbox_id is None


class DisputeStatus(StrEnum):
    """A 数据异议 from opening to its answer by the source department."""

    OPEN = "open"
    SENT = "sent"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return _DISPUTE_STATUS_LABELS[self]


_DISPUTE_STATUS_LABELS = {
    DisputeStatus.OPEN: "待发送",
    DisputeStatus.SENT: "已送达来源部门",
    DisputeStatus.RESOLVED: "已处理",
}


@dataclass(frozen=True, slots=True)
class Dispute:
    """A contradiction found in shared data, routed back to the department that sent it.

    ``evidence`` holds the conflicting notices as plain dicts (department, item, dates,
    references), exactly as sent to the source department.
    """

    id: int | None
    source_department: str
    item_code: str
    id_number: str
    reason: str
    evidence: tuple[dict[str, str], ...]
    status: DisputeStatus
    job_id: int | None
    opened_at: datetime
    updated_at: datetime
    resolution: str = ""


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return _OUTBOX_STATUS_LABELS[self]


_OUTBOX_STATUS_LABELS = {
    OutboxStatus.PENDING: "待发送",
    OutboxStatus.DELIVERED: "已送达",
    OutboxStatus.FAILED: "发送失败（需人工处理）",
}


class OutboxOperation(StrEnum):
    """What an outgoing message asks of a partner, and which endpoint carries it."""

    DISPUTE = "dispute"
    IDENTITY_CHECK = "identity_check"
    HOUSING_FUND_WITHDRAWAL = "housing_fund_withdrawal"
    RETIREE_MEDICAL_TRANSFER = "retiree_medical_transfer"
    INSURED_PROVINCES = "insured_provinces"
    CONTRIBUTION_HISTORY = "contribution_history"

    @property
    def label(self) -> str:
        return _OUTBOX_OPERATION_LABELS[self]

    @property
    def path(self) -> str:
        return _OUTBOX_OPERATION_PATHS[self]


_OUTBOX_OPERATION_LABELS = {
    OutboxOperation.DISPUTE: "数据异议",
    OutboxOperation.IDENTITY_CHECK: "户籍身份核验",
    OutboxOperation.HOUSING_FUND_WITHDRAWAL: "公积金退休提取",
    OutboxOperation.RETIREE_MEDICAL_TRANSFER: "医保退休转移",
    OutboxOperation.INSURED_PROVINCES: "全国参保登记查询",
    OutboxOperation.CONTRIBUTION_HISTORY: "外省参保缴费记录查询",
}
_OUTBOX_OPERATION_PATHS = {
    OutboxOperation.DISPUTE: "/api/disputes",
    OutboxOperation.IDENTITY_CHECK: "/api/hukou/verify",
    OutboxOperation.HOUSING_FUND_WITHDRAWAL: "/api/housing-fund/retirement-withdrawals",
    OutboxOperation.RETIREE_MEDICAL_TRANSFER: "/api/enrolment/retiree-transfers",
    OutboxOperation.INSURED_PROVINCES: "/api/insurance-index/provinces",
    OutboxOperation.CONTRIBUTION_HISTORY: "/api/pension-insurance/contribution-history",
}


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A request to a partner, written in the transaction that decided it and delivered later.

    ``idempotency_key`` makes enqueueing the same request twice a no-op, and is sent to the
    partner (as ``request_id`` / ``dispute_id``) so a retried delivery is not acted on twice.
    """

    id: int | None
    department: str
    operation: OutboxOperation
    item_code: str
    purpose: str
    body: dict[str, object]
    idempotency_key: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    last_error: str = ""
    delivered_at: datetime | None = None
    response: dict[str, object] | None = None


class RequestSigning(StrEnum):
    """How we sign our calls to a partner (its registry entry's ``sign``)."""

    HMAC = "hmac"  # HMAC-SM3 with the key we share with it (the default)
    SM2 = "sm2"  # SM2-SM3 with our SM2 private key (the registry's our_sm2_private_key)

    @property
    def label(self) -> str:
        return _REQUEST_SIGNING_LABELS[self]


_REQUEST_SIGNING_LABELS = {
    RequestSigning.HMAC: "HMAC-SM3（共享密钥）",
    RequestSigning.SM2: "SM2-SM3（我方 SM2 私钥）",
}


@dataclass(frozen=True, slots=True)
class PartnerLink:
    """A partner system we exchange with: its department, client id, address and keys.

    ``key`` is the HMAC-SM3 key shared with it (None when it is registered with SM2 public
    keys only); ``sm2_public_keys`` check its SM2-signed requests (newest first, lower-case
    ``04‖x‖y``); ``sign`` is how we sign our calls to it. ``platform_receipt_key`` is the
    platform's own receipt key, which signs receipts for a partner without a shared key.
    ``region`` is the province (GB/T 2260, ``140000``) of another province's node, else ''.
    """

    department: str
    kind: DepartmentKind
    client_id: str
    base_url: str
    key: bytes | None = field(repr=False)
    sm2_public_keys: tuple[str, ...] = ()
    sign: RequestSigning = RequestSigning.HMAC
    platform_receipt_key: bytes | None = field(default=None, repr=False, compare=False)
    region: str = ""

    @property
    def health_key(self) -> str:
        """Under which name its health is kept: the kind, or for one of several provinces'
        nodes the kind and the province (``provincial_node@140000``)."""
        return f"{self.kind.value}@{self.region}" if self.region else self.kind.value

    @property
    def receipt_key(self) -> bytes:
        """The key receipts (回执) exchanged with this partner are signed with: the shared
        key, or — registered with SM2 only — the platform's own receipt key, so the receipt
        is still ours beyond doubt, though the partner cannot check it itself."""
        if self.key is not None:
            return self.key
        if self.platform_receipt_key is not None:
            return self.platform_receipt_key
        raise InvalidInputError(f"{self.kind.label}未登记共享密钥，无法签发回执")


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


class SyncStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"
    MISMATCH = "mismatch"

    @property
    def label(self) -> str:
        return _SYNC_STATUS_LABELS[self]


_SYNC_STATUS_LABELS = {
    SyncStatus.OK: "正常",
    SyncStatus.FAILED: "失败（待重试）",
    SyncStatus.MISMATCH: "对账不符",
}


@dataclass(frozen=True, slots=True)
class SyncCursor:
    """Where the last committed pull from a feed stopped, and how the last run went."""

    source: str
    watermark: str | None
    rows_received: int
    last_run_at: datetime
    last_status: SyncStatus
    last_error: str = ""


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"

    @property
    def label(self) -> str:
        return _BREAKER_STATE_LABELS[self]


_BREAKER_STATE_LABELS = {
    BreakerState.CLOSED: "正常",
    BreakerState.OPEN: "已熔断（暂停调用）",
    BreakerState.HALF_OPEN: "试探恢复中",
}


@dataclass(frozen=True, slots=True)
class PartnerHealth:
    """The last known state of calls to a partner system, for the partners page."""

    department: str
    breaker_state: BreakerState
    consecutive_failures: int
    reachable: bool
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_error: str
    last_latency_ms: int | None
    updated_at: datetime
