"""The input of the 三龄两历 check: facts with their material, and how fuzzy dates compare.

``MaterialFact`` is a candidate or confirmed fact (``fact_kinds.ExtractedFact``) with the
material it comes from: its id, type, formation date (形成时间) and whether it is altered (涂改).

The date helpers compare fuzzy dates so that only **certain** contradictions are reported:
``last_day`` is the latest day a statement allows (1965 → 1965-12-31); ``before_age`` holds only
if even that day is before the birthday counted from the earliest possible birth day;
``compatible`` says whether one statement contains the other (1965 / 1965年3月 / 1965年3月15日
agree). ``birth_of`` and ``by_formation`` read and order the facts.

Pure: no I/O.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from retirelink.archives.fact_kinds import ExtractedFact, FactKind
from retirelink.archives.holdings import DatePrecision, FuzzyDate, Material
from retirelink.archives.material_classes import MaterialType


@dataclass(frozen=True)
class MaterialFact:
    """A fact with the material it comes from: id, type, formation date (形成时间), alteration."""

    fact: ExtractedFact
    material_id: int
    material_type: MaterialType
    formation_date: FuzzyDate | None
    altered: bool = False

    @classmethod
    def of(cls, fact: ExtractedFact, material: Material) -> "MaterialFact":
        if material.id is None:
            raise ValueError("a material must be stored (have an id) before its facts are checked")
        return cls(
            fact, material.id, material.material_type, material.formation_date, material.altered
        )

    @property
    def kind(self) -> FactKind:
        return self.fact.kind

    @property
    def source_label(self) -> str:
        """招工登记表（材料11，形成于1983年7月）, with 有涂改 when altered."""
        formed = f"形成于{self.formation_date}" if self.formation_date else "形成时间不明"
        altered = "，有涂改" if self.altered else ""
        return f"{self.material_type.label}（材料{self.material_id}，{formed}{altered}）"


def birth_of(fact: MaterialFact) -> FuzzyDate:
    start = fact.fact.start
    assert start is not None
    return start


def last_day(fuzzy: FuzzyDate) -> date:
    """The last day of the stated period (1965 → 1965-12-31, 1965年2月 → 1965-02-28)."""
    value = fuzzy.value
    if fuzzy.precision is DatePrecision.YEAR:
        return date(value.year, 12, 31)
    if fuzzy.precision is DatePrecision.MONTH:
        following = date(value.year + value.month // 12, value.month % 12 + 1, 1)
        return following - timedelta(days=1)
    return value


def _birthday(born: date, years: int) -> date:
    """The day one turns ``years`` (a 29 February birthday falls on 1 March in common years)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def before_age(event: FuzzyDate, birth: FuzzyDate, years: int) -> bool:
    """Certainly before the ``years``-th birthday: even the latest day of the event is before
    the birthday counted from the earliest possible birth day."""
    return last_day(event) < _birthday(birth.value, years)


def compatible(first: FuzzyDate, second: FuzzyDate) -> bool:
    """One statement contains the other: 1965 / 1965年3月 / 1965年3月15日 agree."""

    def contains(outer: FuzzyDate, inner: FuzzyDate) -> bool:
        return outer.value <= inner.value and last_day(inner) <= last_day(outer)

    return contains(first, second) or contains(second, first)


def by_formation(facts: Iterable[MaterialFact]) -> list[MaterialFact]:
    return sorted(
        facts,
        key=lambda fact: (
            fact.formation_date is None,
            fact.formation_date.value if fact.formation_date else date.max,
            fact.material_id,
        ),
    )
