"""Value types of the synthetic demo district (frozen, hashable where possible).

Dates that name a month (career spans, retirement) are always the first of that month;
a span's ``end`` is exclusive. Money is :class:`~decimal.Decimal` yuan with two places.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from retirelink.archives.model import EmployerKind
from retirelink.rules.identifiers import Sex


class PersonStatus(StrEnum):
    """Insurance status of a person as the agency's ledger records it."""

    INSURED = "insured"
    RETIRED = "retired"
    DECEASED = "deceased"

    @property
    def label(self) -> str:
        return _PERSON_STATUS_LABELS[self]


_PERSON_STATUS_LABELS: Mapping[PersonStatus, str] = MappingProxyType(
    {
        PersonStatus.INSURED: "在职参保",
        PersonStatus.RETIRED: "已退休",
        PersonStatus.DECEASED: "已死亡",
    }
)


class PartnerRecordKind(StrEnum):
    """Kind of record a partner department shares with the agency."""

    DEATH_CANCELLATION = "death_cancellation"
    DEATH_CERTIFICATE = "death_certificate"
    CREMATION = "cremation"
    IMPRISONMENT = "imprisonment"
    HOUSEHOLD_CANCELLATION = "household_cancellation"

    @property
    def label(self) -> str:
        return _PARTNER_RECORD_KIND_LABELS[self]

    @property
    def department(self) -> str:
        """The partner department that issues this kind of record."""
        return _PARTNER_RECORD_DEPARTMENTS[self]


_PARTNER_RECORD_KIND_LABELS: Mapping[PartnerRecordKind, str] = MappingProxyType(
    {
        PartnerRecordKind.DEATH_CANCELLATION: "户籍死亡注销",
        PartnerRecordKind.DEATH_CERTIFICATE: "死亡医学证明",
        PartnerRecordKind.CREMATION: "殡葬火化",
        PartnerRecordKind.IMPRISONMENT: "在押服刑",
        PartnerRecordKind.HOUSEHOLD_CANCELLATION: "户籍注销",
    }
)

# Department codes and their labels (公安, 卫健, 民政, 司法).
DEPARTMENTS: Mapping[str, str] = MappingProxyType(
    {
        "public_security": "公安",
        "health": "卫健",
        "civil_affairs": "民政",
        "justice": "司法",
    }
)

_PARTNER_RECORD_DEPARTMENTS: Mapping[PartnerRecordKind, str] = MappingProxyType(
    {
        PartnerRecordKind.DEATH_CANCELLATION: "public_security",
        PartnerRecordKind.DEATH_CERTIFICATE: "health",
        PartnerRecordKind.CREMATION: "civil_affairs",
        PartnerRecordKind.IMPRISONMENT: "justice",
        PartnerRecordKind.HOUSEHOLD_CANCELLATION: "public_security",
    }
)

# The demo district's GB/T 2260 code (峰峰矿区) and its departments: (code, name, kind).
DISTRICT_REGION = "130406"
DISTRICT_DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("SHEBAO", "峰峰矿区社会保险事业管理中心", "social_security"),
    ("DANGAN", "峰峰矿区档案馆", "archives"),
    ("GONGAN", "邯郸市公安局峰峰矿区分局", "public_security"),
    ("SIFA", "峰峰矿区司法局", "justice"),
    ("WEIJIAN", "峰峰矿区卫生健康局", "health"),
    ("MINZHENG", "峰峰矿区民政局", "civil_affairs"),
    ("GJJ", "邯郸市住房公积金管理中心峰峰分中心", "housing_fund"),
    ("YIBAO", "峰峰矿区医疗保障局", "medical_insurance"),
)

# Codes of the anomalies planted in a district (keys of ``DemoDistrict.planted``).
PAID_AFTER_DEATH = "paid_after_death"
PAID_WHILE_IMPRISONED = "paid_while_imprisoned"
DUPLICATE_RECEIPT = "duplicate_receipt"
ANOMALY_CODES: tuple[str, ...] = (PAID_AFTER_DEATH, PAID_WHILE_IMPRISONED, DUPLICATE_RECEIPT)


@dataclass(frozen=True, slots=True)
class DemoEmployer:
    credit_code: str
    name: str
    kind: EmployerKind
    region_code: str


@dataclass(frozen=True, slots=True)
class EmploymentSpan:
    employer_credit_code: str
    start: date
    end: date | None
    post: str
    underground: bool


@dataclass(frozen=True, slots=True)
class ContributionYear:
    year: int
    months: int
    base_wage: Decimal
    employer_credit_code: str


@dataclass(frozen=True, slots=True)
class DemoPerson:
    id_number: str
    name: str
    sex: Sex
    birth_date: date
    ethnicity: str
    hukou_region: str
    phone: str
    careers: tuple[EmploymentSpan, ...]
    contributions: tuple[ContributionYear, ...]
    work_start: date
    status: PersonStatus
    retirement_month: date | None
    monthly_pension: Decimal | None


@dataclass(frozen=True, slots=True)
class PartnerRecord:
    department: str
    kind: PartnerRecordKind
    id_number: str
    name: str
    event_date: date
    end_date: date | None
    planted_anomaly: str | None


@dataclass(frozen=True, slots=True)
class DemoDistrict:
    seed: int
    as_of: date
    employers: tuple[DemoEmployer, ...]
    persons: tuple[DemoPerson, ...]
    partner_records: tuple[PartnerRecord, ...]
    planted: Mapping[str, tuple[str, ...]]
