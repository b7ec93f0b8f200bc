"""Retention of social-insurance business archives (社会保险业务档案).

《社会保险业务档案管理规定（试行）》(人力资源社会保障部、国家档案局令第3号, in force
2009-09-01) and GB/T 31599-2015: business archives are filed by 年度—业务环节 (or
年度—险种—业务环节); they are kept 永久 or for a fixed period of 10, 30, 50 or 100 years — minimum
periods, **counted from 1 January of the year after the archive was formed**. When the period
has run, the volume is appraised (鉴定): kept longer, or destroyed with approval.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Retention(StrEnum):
    PERMANENT = "permanent"
    YEARS_10 = "10"
    YEARS_30 = "30"
    YEARS_50 = "50"
    YEARS_100 = "100"

    @property
    def label(self) -> str:
        return "永久" if self is Retention.PERMANENT else f"{self.value}年"

    @property
    def years(self) -> int | None:
        return None if self is Retention.PERMANENT else int(self.value)


class Insurance(StrEnum):
    PENSION = "pension"
    MEDICAL = "medical"
    UNEMPLOYMENT = "unemployment"
    WORK_INJURY = "work_injury"
    MATERNITY = "maternity"
    GENERAL = "general"

    @property
    def label(self) -> str:
        return {
            "pension": "养老",
            "medical": "医疗",
            "unemployment": "失业",
            "work_injury": "工伤",
            "maternity": "生育",
            "general": "综合",
        }[self.value]


class BusinessStage(StrEnum):
    """业务环节 as GB/T 31599-2015 groups them."""

    REGISTRATION = "registration"
    CONTRIBUTION = "contribution"
    BENEFIT_APPROVAL = "benefit_approval"
    BENEFIT_PAYMENT = "benefit_payment"
    AUDIT = "audit"
    STATISTICS = "statistics"

    @property
    def label(self) -> str:
        return {
            "registration": "参保登记",
            "contribution": "缴费核定",
            "benefit_approval": "待遇核定",
            "benefit_payment": "待遇支付",
            "audit": "稽核监督",
            "statistics": "统计报表",
        }[self.value]


class VolumeStatus(StrEnum):
    KEPT = "kept"
    APPRAISED_KEEP = "appraised_keep"
    DESTROYED = "destroyed"

    @property
    def label(self) -> str:
        return {"kept": "保管中", "appraised_keep": "鉴定后续存", "destroyed": "已销毁"}[self.value]


def retention_ends(formed_on: date, retention: Retention) -> date | None:
    """The last day of the retention period; None for 永久.

    Counted from 1 January of the year after formation (3号令): a volume formed on
    2010-05-20 and kept 10 years is counted from 2011-01-01 and kept until 2020-12-31.

    >>> retention_ends(date(2010, 5, 20), Retention.YEARS_10)
    datetime.date(2020, 12, 31)
    """
    years = retention.years
    if years is None:
        return None
    return date(formed_on.year + years, 12, 31)


@dataclass(frozen=True)
class BusinessVolume:
    """A volume (卷/件) of business archives: 档号, year, insurance, stage and retention."""

    id: int | None
    reference: str
    title: str
    year: int
    insurance: Insurance
    stage: BusinessStage
    retention: Retention
    formed_on: date
    location: str
    status: VolumeStatus = VolumeStatus.KEPT
    appraised_by: str | None = None
    appraised_at: datetime | None = None
    appraisal_note: str = ""

    @property
    def retention_ends(self) -> date | None:
        return retention_ends(self.formed_on, self.retention)

    def due_for_appraisal(self, on: date) -> bool:
        """Kept, with a fixed period that has run by ``on`` (the day after its last day)."""
        ends = self.retention_ends
        return self.status is VolumeStatus.KEPT and ends is not None and on > ends
