"""Pre-review (预审) values: checklist items with who must act, the checklist of one person
and the summary of a run."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class ItemCode(StrEnum):
    """What a pre-review found missing or inconsistent."""

    NO_ARCHIVE = "no_archive"
    FACTS_PENDING = "facts_pending"
    BIRTH_DATE_REVIEW = "birth_date_review"
    BIRTH_DATE_DIFFERS = "birth_date_differs"
    MISSING_MATERIAL = "missing_material"
    SERVICE_GAP = "service_gap"
    UNEVIDENCED_SERVICE = "unevidenced_service"
    CONTRIBUTION_SHORT = "contribution_short"
    NO_CONTRIBUTIONS = "no_contributions"
    SPECIAL_JOB_SHORT = "special_job_short"
    SPECIAL_JOB_EVIDENCE = "special_job_evidence"
    INCONSISTENT = "inconsistent"

    @property
    def label(self) -> str:
        return _ITEM_LABELS[self]


_ITEM_LABELS: Mapping[ItemCode, str] = MappingProxyType(
    {
        ItemCode.NO_ARCHIVE: "人事档案未数字化",
        ItemCode.FACTS_PENDING: "档案信息待审核",
        ItemCode.BIRTH_DATE_REVIEW: "出生日期须人工核实",
        ItemCode.BIRTH_DATE_DIFFERS: "档案出生日期与身份证不一致",
        ItemCode.MISSING_MATERIAL: "缺少材料",
        ItemCode.SERVICE_GAP: "连续工龄中断",
        ItemCode.UNEVIDENCED_SERVICE: "工作经历缺少档案依据",
        ItemCode.CONTRIBUTION_SHORT: "缴费年限不足",
        ItemCode.NO_CONTRIBUTIONS: "没有缴费记录",
        ItemCode.SPECIAL_JOB_SHORT: "特殊工种年限不足",
        ItemCode.SPECIAL_JOB_EVIDENCE: "特殊工种缺少档案原始记录",
        ItemCode.INCONSISTENT: "三龄两历不一致",
    }
)


class Owner(StrEnum):
    """Who must act on an item: the person or employer is told; the agency's own queues
    (archive office, fact reviewers) are not sent to the applicant."""

    APPLICANT = "applicant"
    EMPLOYER = "employer"
    ARCHIVES = "archives"
    AGENCY = "agency"

    @property
    def label(self) -> str:
        return {
            "applicant": "本人",
            "employer": "用人单位",
            "archives": "档案管理部门",
            "agency": "社保经办机构",
        }[self.value]

    @property
    def notified(self) -> bool:
        return self in (Owner.APPLICANT, Owner.EMPLOYER)


class Route(StrEnum):
    """Which retirement month the pre-review is about."""

    STATUTORY = "statutory"
    SPECIAL_JOB = "special_job"

    @property
    def label(self) -> str:
        return {"statutory": "法定退休", "special_job": "特殊工种提前退休"}[self.value]


class ChecklistStatus(StrEnum):
    OPEN = "open"
    READY = "ready"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return {"open": "待补正", "ready": "材料齐全", "resolved": "已补正"}[self.value]


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One thing to fix: what (code + 中文 text), who acts, and the evidence behind it
    (``material:12`` …)."""

    code: ItemCode
    owner: Owner
    text: str
    evidence: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Identity across runs: the same finding keeps its key while it stands."""
        return f"{self.code.value}:{self.text}"

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "owner": self.owner.value,
            "text": self.text,
            "evidence": list(self.evidence),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ChecklistItem":
        return cls(
            code=ItemCode(data["code"]),
            owner=Owner(data["owner"]),
            text=str(data["text"]),
            evidence=tuple(str(item) for item in data.get("evidence", ())),
        )


@dataclass(frozen=True, slots=True)
class Checklist:
    """One person's pre-review: the month in view, what the rules determined (``summary``,
    中文 label -> value) and the items to fix."""

    person_id: int
    retirement_month: str  # YYYY-MM
    route: Route
    summary: Mapping[str, str]
    items: tuple[ChecklistItem, ...]

    @property
    def ready(self) -> bool:
        return not self.items

    @property
    def notified_items(self) -> tuple[ChecklistItem, ...]:
        return tuple(item for item in self.items if item.owner.notified)


@dataclass
class PrereviewRunSummary:
    """Counts of one run, for the CLI, the ledger and the benchmark."""

    as_of: str
    months: int
    persons_scanned: int = 0
    notifications: int = 0
    by_status: Counter[ChecklistStatus] = field(default_factory=Counter)
    items_by_code: dict[str, int] = field(default_factory=dict)

    @property
    def persons_due(self) -> int:
        return sum(self.by_status.values())

    @property
    def open(self) -> int:
        return self.by_status[ChecklistStatus.OPEN]

    @property
    def ready(self) -> int:
        return self.by_status[ChecklistStatus.READY]

    @property
    def resolved(self) -> int:
        return self.by_status[ChecklistStatus.RESOLVED]
