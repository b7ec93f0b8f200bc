"""Fund guard (基金安全) values: the roll a check reads, the signals, and what a check finds.

A check reads one ``PensionerCase`` — a pension on the roll (待遇发放名册), the months paid,
what partner departments reported about the person, the signs of life shared with us, and the
other roll rows the identity matching says are the same human — and returns ``Finding``s.
Everything here is plain data; the law is in ``rules`` and the checks in ``checks_*``.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from retirelink.rules.explanation import Explanation
from retirelink.rules.payments import PaidPeriod


class CheckCode(StrEnum):
    """One check of the fund guard, registered by this code (``checks.CHECKS``)."""

    DEATH = "death"
    CUSTODY = "custody"
    NOT_RESUMED = "not_resumed"
    DUPLICATE = "duplicate"
    CERTIFICATION = "certification"
    OVER_100 = "over_100"
    ACCOUNT_AFTER_DEATH = "account_after_death"
    PAYEE_CHANGE = "payee_change"
    SHARED_ACCOUNT = "shared_account"
    BIRTH_DATE_ALTERED = "birth_date_altered"

    @property
    def label(self) -> str:
        return _CHECK_LABELS[self]


_CHECK_LABELS: Mapping[CheckCode, str] = MappingProxyType(
    {
        CheckCode.DEATH: "死亡后继续领取",
        CheckCode.CUSTODY: "服刑期间领取",
        CheckCode.NOT_RESUMED: "刑满释放后未恢复发放",
        CheckCode.DUPLICATE: "重复领取",
        CheckCode.CERTIFICATION: "未完成资格认证仍在领取",
        CheckCode.OVER_100: "百岁以上无生存迹象",
        CheckCode.ACCOUNT_AFTER_DEATH: "死亡信息后变更银行账户",
        CheckCode.PAYEE_CHANGE: "收款人突然变更",
        CheckCode.SHARED_ACCOUNT: "多人共用一个收款账户",
        CheckCode.BIRTH_DATE_ALTERED: "新退休人员档案出生日期异常",
    }
)


class Band(StrEnum):
    """Three-band triage (anchors.md §7.3): act at once, a person decides, or drop it."""

    AUTOMATIC = "automatic"
    REVIEW = "review"
    DISMISSED = "dismissed"

    @property
    def label(self) -> str:
        return _BAND_LABELS[self]


_BAND_LABELS: Mapping[Band, str] = MappingProxyType(
    {Band.AUTOMATIC: "自动预警", Band.REVIEW: "人工核查", Band.DISMISSED: "自动排除"}
)


class Scheme(StrEnum):
    EMPLOYEE = "employee"
    INSTITUTION = "institution"
    RESIDENT = "resident"

    @property
    def label(self) -> str:
        return _SCHEME_LABELS[self]


_SCHEME_LABELS: Mapping[Scheme, str] = MappingProxyType(
    {
        Scheme.EMPLOYEE: "企业职工基本养老保险",
        Scheme.INSTITUTION: "机关事业单位养老保险",
        Scheme.RESIDENT: "城乡居民基本养老保险",
    }
)


class PayStatus(StrEnum):
    PAYING = "paying"
    SUSPENDED = "suspended"
    STOPPED = "stopped"

    @property
    def label(self) -> str:
        return {"paying": "正常发放", "suspended": "暂停发放", "stopped": "终止发放"}[self]


class EventKind(StrEnum):
    """What a partner department reported (snapshot ``partner_events.kind``)."""

    DEATH_CANCELLATION = "death_cancellation"
    DEATH_CERTIFICATE = "death_certificate"
    CREMATION = "cremation"
    DECLARED_DEAD = "declared_dead"
    IMPRISONMENT = "imprisonment"
    PENDING = "pending"
    NON_CUSTODIAL = "non_custodial"
    ACQUITTED = "acquitted"

    @property
    def label(self) -> str:
        return _EVENT_LABELS[self]

    @property
    def is_death(self) -> bool:
        return self in DEATH_KINDS


_EVENT_LABELS: Mapping[EventKind, str] = MappingProxyType(
    {
        EventKind.DEATH_CANCELLATION: "公安户籍死亡注销",
        EventKind.DEATH_CERTIFICATE: "卫健死亡医学证明",
        EventKind.CREMATION: "民政殡葬火化",
        EventKind.DECLARED_DEAD: "法院宣告死亡",
        EventKind.IMPRISONMENT: "司法在押服刑（拘役、有期徒刑及以上）",
        EventKind.PENDING: "在押未定罪或被通缉",
        EventKind.NON_CUSTODIAL: "管制、缓刑或监外执行",
        EventKind.ACQUITTED: "在押后宣告无罪",
    }
)
DEATH_KINDS = frozenset(
    {
        EventKind.DEATH_CANCELLATION,
        EventKind.DEATH_CERTIFICATE,
        EventKind.CREMATION,
        EventKind.DECLARED_DEAD,
    }
)
CUSTODY_KINDS = frozenset(
    {EventKind.IMPRISONMENT, EventKind.PENDING, EventKind.NON_CUSTODIAL, EventKind.ACQUITTED}
)

DEPARTMENT_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "public_security": "公安",
        "health": "卫健",
        "civil_affairs": "民政",
        "justice": "司法",
        "court": "法院",
        "medical_insurance": "医保",
        "social_security": "社保",
    }
)


class LifeSignSource(StrEnum):
    """Where a sign of life (生存迹象) comes from (无感认证, 人社厅发〔2018〕54号)."""

    MEDICAL_SETTLEMENT = "medical_settlement"
    HOSPITAL_STAY = "hospital_stay"
    TRAVEL = "travel"
    BANK_ACTIVITY = "bank_activity"
    IN_PERSON = "in_person"
    SELF_SERVICE = "self_service"

    @property
    def label(self) -> str:
        return _SIGN_LABELS[self]


_SIGN_LABELS: Mapping[LifeSignSource, str] = MappingProxyType(
    {
        LifeSignSource.MEDICAL_SETTLEMENT: "医保就医结算",
        LifeSignSource.HOSPITAL_STAY: "住院记录",
        LifeSignSource.TRAVEL: "出行安检",
        LifeSignSource.BANK_ACTIVITY: "银行账户本人交易",
        LifeSignSource.IN_PERSON: "现场认证",
        LifeSignSource.SELF_SERVICE: "自助认证",
    }
)


@dataclass(frozen=True, slots=True)
class RollEntry:
    """One pension on the roll (snapshot ``pensioners``)."""

    pension_id: int
    id_number: str
    name: str
    birth_date: date
    sex: str
    scheme: Scheme
    region: str
    first_month: date
    monthly_amount: Decimal
    status: PayStatus
    paid_through: date | None
    bank_account: str = ""
    payee_name: str = ""
    basic_amount: Decimal | None = None
    account_changed_on: date | None = None
    payee_changed_on: date | None = None
    previous_id_number: str | None = None
    previous_name: str | None = None
    last_certified_on: date | None = None
    archive_birth_date: date | None = None


@dataclass(frozen=True, slots=True)
class PartnerEvent:
    """One record a partner department reported (snapshot ``partner_events``)."""

    record_id: int
    department: str
    kind: EventKind
    id_number: str
    name: str
    event_date: date
    end_date: date | None = None
    received_on: date | None = None

    @property
    def source_label(self) -> str:
        department = DEPARTMENT_LABELS.get(self.department, self.department)
        return f"{department}·{self.kind.label}（记录号{self.record_id}）"


@dataclass(frozen=True, slots=True)
class SignOfLife:
    id_number: str
    source: LifeSignSource
    seen_on: date
    reference: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """A piece of evidence a finding rests on, cited by its source's own reference."""

    kind: str  # 'partner_record', 'payment', 'sign_of_life', 'roll', 'match', 'rejected'
    text: str  # 中文, what it shows
    reference: str = ""  # the record number / pension id it cites
    on: date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "reference": self.reference,
            "on": self.on.isoformat() if self.on else None,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """What one check found about one pension, with its evidence and its amount.

    ``key`` identifies the finding across runs (the same death found again is the same
    finding), so a re-run never duplicates it. ``amount`` is what the rules engine computed:
    overpaid (多发) for most checks, owed to the person (应补发) for ``not_resumed``.
    """

    check: CheckCode
    pension_id: int
    id_number: str
    name: str
    key: str
    confidence: float
    band: Band
    summary: str  # 中文, one line
    amount: Decimal
    months: int
    from_month: str | None  # 'YYYY-MM': first month the amount concerns
    suspend: bool  # payment should be suspended now (暂停发放预警)
    evidence: tuple[Evidence, ...]
    explanation: Explanation = field(default_factory=Explanation)
    owed_to_person: bool = False
    related_pension_id: int | None = None


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Three-band triage thresholds (configuration, ``RETIRELINK_FUND_*``)."""

    automatic: float = 0.9
    review: float = 0.5

    def band(self, confidence: float) -> Band:
        if confidence >= self.automatic:
            return Band.AUTOMATIC
        if confidence >= self.review:
            return Band.REVIEW
        return Band.DISMISSED


@dataclass(frozen=True, slots=True)
class IdentityLink:
    """Another roll row the identity matching takes for the same human."""

    other: RollEntry
    other_paid: tuple[PaidPeriod, ...]
    basis_label: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PensionerCase:
    """Everything the checks read about one pension."""

    roll: RollEntry
    paid: tuple[PaidPeriod, ...]
    events: tuple[PartnerEvent, ...] = ()
    signs: tuple[SignOfLife, ...] = ()
    links: tuple[IdentityLink, ...] = ()
    # Other pensioners paid into the same bank account (``shared_account``).
    account_sharers: tuple[RollEntry, ...] = ()
