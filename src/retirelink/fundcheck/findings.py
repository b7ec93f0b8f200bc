"""A finding as kept and worked: its lifecycle, history and recovery.

warning (预警) → verifying (核查中, a person with the evidence side by side) → suspended
(已暂停发放) → recovery (追回中) → closed (已办结); any open finding may be dismissed
(已排除) with the reason recorded, so a false positive tells how to tune the rule. Nothing is
suspended without a recorded reason and a person (or, in the automatic band, the rule) that
decided it; the history keeps both.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from retirelink.fundcheck.model import Band, CheckCode, Evidence


class FindingStatus(StrEnum):
    WARNING = "warning"
    VERIFYING = "verifying"
    SUSPENDED = "suspended"
    RECOVERY = "recovery"
    CLOSED = "closed"
    DISMISSED = "dismissed"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in (FindingStatus.CLOSED, FindingStatus.DISMISSED)


_STATUS_LABELS: Mapping[FindingStatus, str] = MappingProxyType(
    {
        FindingStatus.WARNING: "预警",
        FindingStatus.VERIFYING: "核查中",
        FindingStatus.SUSPENDED: "已暂停发放",
        FindingStatus.RECOVERY: "追回中",
        FindingStatus.CLOSED: "已办结",
        FindingStatus.DISMISSED: "已排除",
    }
)


class FindingAction(StrEnum):
    VERIFY = "verify"
    SUSPEND = "suspend"
    RECOVER = "recover"
    CLOSE = "close"
    DISMISS = "dismiss"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS: Mapping[FindingAction, str] = MappingProxyType(
    {
        FindingAction.VERIFY: "开始核查",
        FindingAction.SUSPEND: "核实属实，暂停发放",
        FindingAction.RECOVER: "立案追回",
        FindingAction.CLOSE: "办结",
        FindingAction.DISMISS: "排除（误报）",
    }
)

# Which status an action leads to, and from which statuses it may be taken.
TRANSITIONS: Mapping[FindingAction, tuple[FindingStatus, frozenset[FindingStatus]]] = (
    MappingProxyType(
        {
            FindingAction.VERIFY: (
                FindingStatus.VERIFYING,
                frozenset({FindingStatus.WARNING}),
            ),
            FindingAction.SUSPEND: (
                FindingStatus.SUSPENDED,
                frozenset({FindingStatus.WARNING, FindingStatus.VERIFYING}),
            ),
            FindingAction.RECOVER: (
                FindingStatus.RECOVERY,
                frozenset({FindingStatus.VERIFYING, FindingStatus.SUSPENDED}),
            ),
            FindingAction.CLOSE: (
                FindingStatus.CLOSED,
                frozenset(
                    {FindingStatus.VERIFYING, FindingStatus.SUSPENDED, FindingStatus.RECOVERY}
                ),
            ),
            FindingAction.DISMISS: (
                FindingStatus.DISMISSED,
                frozenset(
                    {FindingStatus.WARNING, FindingStatus.VERIFYING, FindingStatus.SUSPENDED}
                ),
            ),
        }
    )
)


def initial_status(band: Band, *, suspend: bool, auto_suspend: bool) -> FindingStatus:
    """Where a new finding starts. The dismissed band is kept as dismissed (so rules can be
    tuned); the automatic band suspends a pension still being paid at once when the agency
    lets the rule decide (``auto_suspend``) — 暂停, not 终止: a finding dismissed later pays the
    months back; everything else starts as a warning for a person."""
    if band is Band.DISMISSED:
        return FindingStatus.DISMISSED
    if band is Band.AUTOMATIC and suspend and auto_suspend:
        return FindingStatus.SUSPENDED
    return FindingStatus.WARNING


@dataclass(frozen=True, slots=True)
class StoredFinding:
    id: int
    key: str
    check: CheckCode
    pension_id: int
    id_number: str
    name: str
    confidence: float
    band: Band
    status: FindingStatus
    summary: str
    amount: Decimal
    months: int
    from_month: str | None
    suspend: bool
    owed_to_person: bool
    related_pension_id: int | None
    evidence: tuple[Evidence, ...]
    explanation: tuple[Mapping[str, Any], ...]
    found_at: datetime
    updated_at: datetime
    recovery: Mapping[str, Any] | None = None
    recovered: Decimal = Decimal("0")


@dataclass(frozen=True, slots=True)
class FindingEvent:
    at: datetime
    actor: str
    from_status: FindingStatus | None
    to_status: FindingStatus
    reason: str


@dataclass(frozen=True, slots=True)
class FindingFilter:
    check: CheckCode | None = None
    status: FindingStatus | None = None
    band: Band | None = None
    id_number: str | None = None


@dataclass(frozen=True, slots=True)
class FundRun:
    id: int
    kind: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    started_by: str
    as_of: str
    checkpoint: int
    persons: int
    candidates: int
    new_findings: int
    seen_findings: int
    summary: Mapping[str, Any] = field(default_factory=dict)

    @property
    def status_label(self) -> str:
        return {"running": "运行中", "done": "已完成", "failed": "失败"}.get(
            self.status, self.status
        )
