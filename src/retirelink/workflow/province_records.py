"""What other provinces' nodes answered about a person (跨省参保记录), as the workflow reads it.

Plain values, filled by the composition root's bridge from the exchange's answers (the
workflow does not import the exchange) and by fakes in tests. Nothing here is checked: the
answers are as received, and ``workflow.cross_province`` weighs them.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from retirelink.rules.benefit_place import province_name


class Relationship(StrEnum):
    """The 转移接续 state of the insurance relationship at the answering node."""

    TRANSFERRED = "transferred"  # transferred out (转出) — its months travel with it
    OPEN = "open"  # still there: 须办理转移接续

    @property
    def label(self) -> str:
        return {"transferred": "已转移接续", "open": "未转移（关系仍在当地）"}[self.value]


@dataclass(frozen=True, slots=True)
class ProvinceYear:
    year: int
    months: int
    base: Decimal
    employer: str


@dataclass(frozen=True, slots=True)
class ProvinceHistory:
    """One node's answer. ``province`` is the node asked; ``answered_for`` and
    ``answered_province`` what the answer itself says; ``reference`` its 查询编号."""

    province: str
    request_id: str
    reference: str
    answered_for: str
    answered_province: str
    found: bool
    relationship: Relationship | None
    transferred_to: str
    archive_held: bool
    years: tuple[ProvinceYear, ...]

    @property
    def province_name(self) -> str:
        return province_name(self.province)

    @property
    def months(self) -> int:
        return sum(line.months for line in self.years)

    @property
    def last_year(self) -> int | None:
        return max((line.year for line in self.years), default=None)


@dataclass(frozen=True, slots=True)
class CrossProvinceRecords:
    """The national register's answer (``listed``: provinces other than ours where the person
    is registered) and each listed node's answer; ``unregistered`` are listed provinces whose
    node we have no link to."""

    index_request_id: str
    index_answered_for: str
    listed: tuple[str, ...]
    histories: tuple[ProvinceHistory, ...]
    unregistered: tuple[str, ...] = ()
