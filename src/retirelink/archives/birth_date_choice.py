"""The birth date an archive gives: 劳社部发〔1999〕8号 第二条(二), the record formed earliest.

``choose_birth_date`` takes the birth date of the record **formed** earliest (形成时间), not the
earliest birth date (policy-spec §3.1 [B01]). When a record that may be the earliest is altered
(涂改), states no month or states a birth after its own formation, or such records disagree,
nothing is decided and the reasons say why (``BirthReviewReason``, [B02]); without any birth
fact the archive has no record and the ID card is used ([B04]). The 三龄两历 check counts ages
from the date the choice gives (``BirthDateChoice.candidate``) and reports disagreeing birth
dates with its message.

Pure: no I/O.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import combinations

from retirelink.archives.fact_kinds import FactKind
from retirelink.archives.holdings import DatePrecision, FuzzyDate
from retirelink.archives.material_facts import (
    MaterialFact,
    birth_of,
    by_formation,
    compatible,
    last_day,
)

BIRTH_RULE = "劳社部发〔1999〕8号 第二条(二)"
VERIFY_RULE = "劳办函〔1993〕67号（与户口登记机关核实）"
NO_ARCHIVE_RULE = "policy-spec §3.1 [B04]（无档案记载时以居民身份证为准，可信度U）"


class BirthDateStatus(StrEnum):
    DECIDED = "decided"
    MANUAL_VERIFICATION = "manual_verification"
    NO_RECORD = "no_record"

    @property
    def label(self) -> str:
        return {
            "decided": "已认定",
            "manual_verification": "需人工核实",
            "no_record": "档案无记载",
        }[self.value]


class BirthReviewReason(StrEnum):
    """Why the earliest-formed record cannot decide on its own (policy-spec §3.1 [B02])."""

    ALTERED = "altered"
    MONTH_MISSING = "month_missing"
    SAME_DAY_CONFLICT = "same_day_conflict"
    FORMATION_UNKNOWN = "formation_unknown"
    BIRTH_AFTER_FORMATION = "birth_after_formation"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    BirthReviewReason.ALTERED: "最先形成的材料有涂改",
    BirthReviewReason.MONTH_MISSING: "最先形成的材料未记载出生月份",
    BirthReviewReason.SAME_DAY_CONFLICT: "同日（同期）形成的材料记载的出生时间不一致",
    BirthReviewReason.FORMATION_UNKNOWN: (
        "形成时间不明的材料记载的出生时间不一致，无法确定哪份最先记载"
    ),
    BirthReviewReason.BIRTH_AFTER_FORMATION: "最先形成的材料记载的出生时间晚于其形成时间",
}


@dataclass(frozen=True)
class BirthDateChoice:
    """The birth date the archive gives, where it comes from, and whether it is decided.

    ``date`` is set only when ``status`` is DECIDED. ``candidate`` is what the earliest-formed
    record states, also while it awaits manual verification (None when records that may be the
    earliest disagree with each other); ``source`` is that record. ``conflicting`` lists the
    birth facts that disagree with the candidate (or, without one, with each other);
    ``altered`` every birth fact from an altered material, whether it decides or not.
    """

    status: BirthDateStatus
    date: FuzzyDate | None
    candidate: FuzzyDate | None
    source: MaterialFact | None
    reasons: tuple[BirthReviewReason, ...]
    conflicting: tuple[MaterialFact, ...]
    altered: tuple[MaterialFact, ...]
    message: str

    @property
    def reason(self) -> str:
        return "；".join(reason.label for reason in self.reasons)


def choose_birth_date(facts: Sequence[MaterialFact]) -> BirthDateChoice:
    """The birth date by 劳社部发〔1999〕8号 第二条(二): "以本人档案最先记载的出生时间为准".

    "最先记载" is the record **formed earliest** (形成时间), not the earliest birth date
    (policy-spec §3.1 [B01]). Records that may be the earliest are those formed no later than
    the latest possible day of the earliest formation date (a record formed "1983年" may
    precede one formed "1983年7月15日"), and every record whose formation date is unknown.
    If one of them is altered (涂改), states no month, states a birth after its own formation,
    or they disagree, nothing is decided: the status is MANUAL_VERIFICATION and the reason
    says why ([B02]); the natural step is a check with the 户口登记机关 (劳办函〔1993〕67号).
    Statements agree when one contains the other (1965年 / 1965年3月 / 1965年3月15日); of
    agreeing records the most precise statement is chosen. Without any birth fact the status
    is NO_RECORD: the rules engine then uses the ID card ([B04], marked U).
    """
    births = [fact for fact in facts if fact.kind is FactKind.BIRTH_DATE and fact.fact.start]
    altered = tuple(fact for fact in by_formation(births) if fact.altered)
    if not births:
        return BirthDateChoice(
            BirthDateStatus.NO_RECORD,
            None,
            None,
            None,
            (),
            (),
            (),
            f"档案中没有记载出生时间的材料，以居民身份证为准（{NO_ARCHIVE_RULE}）",
        )
    earliest = _possibly_earliest(births)
    agree = _all_compatible(earliest)
    chosen = _most_precise(earliest) if agree else None
    candidate = birth_of(chosen) if chosen else None
    reasons = _review_reasons(earliest, agree)
    if candidate is not None:
        conflicting = tuple(
            fact for fact in by_formation(births) if not compatible(birth_of(fact), candidate)
        )
    else:
        conflicting = disagreeing(births)
    status = BirthDateStatus.MANUAL_VERIFICATION if reasons else BirthDateStatus.DECIDED
    message = _choice_message(status, chosen, reasons, conflicting)
    return BirthDateChoice(
        status,
        candidate if not reasons else None,
        candidate,
        chosen,
        reasons,
        conflicting,
        altered,
        message,
    )


def _possibly_earliest(births: Sequence[MaterialFact]) -> list[MaterialFact]:
    dated = [fact for fact in births if fact.formation_date is not None]
    undated = [fact for fact in births if fact.formation_date is None]
    if not dated:
        return undated
    first_certain = min(last_day(_formed(fact)) for fact in dated)
    return [fact for fact in dated if _formed(fact).value <= first_certain] + undated


def _review_reasons(earliest: Sequence[MaterialFact], agree: bool) -> tuple[BirthReviewReason, ...]:
    after_formation = any(
        fact.formation_date is not None and birth_of(fact).value > last_day(fact.formation_date)
        for fact in earliest
    )
    undated = any(fact.formation_date is None for fact in earliest)
    flags = (
        (BirthReviewReason.ALTERED, any(fact.altered for fact in earliest)),
        (
            BirthReviewReason.MONTH_MISSING,
            any(birth_of(fact).precision is DatePrecision.YEAR for fact in earliest),
        ),
        (BirthReviewReason.SAME_DAY_CONFLICT, not agree and not undated),
        (BirthReviewReason.FORMATION_UNKNOWN, not agree and undated),
        (BirthReviewReason.BIRTH_AFTER_FORMATION, after_formation),
    )
    return tuple(reason for reason, raised in flags if raised)


def _most_precise(facts: Sequence[MaterialFact]) -> MaterialFact:
    order = {DatePrecision.DAY: 0, DatePrecision.MONTH: 1, DatePrecision.YEAR: 2}
    return min(
        facts,
        key=lambda fact: (
            order[birth_of(fact).precision],
            fact.formation_date is None,
            fact.formation_date.value if fact.formation_date else date.max,
            fact.material_id,
        ),
    )


def disagreeing(births: Sequence[MaterialFact]) -> tuple[MaterialFact, ...]:
    return tuple(
        fact
        for fact in by_formation(births)
        if any(not compatible(birth_of(fact), birth_of(other)) for other in births)
    )


def _choice_message(
    status: BirthDateStatus,
    chosen: MaterialFact | None,
    reasons: tuple[BirthReviewReason, ...],
    conflicting: tuple[MaterialFact, ...],
) -> str:
    others = "；".join(f"{fact.source_label}记载{birth_of(fact)}" for fact in conflicting)
    if status is BirthDateStatus.DECIDED and chosen is not None:
        text = (
            f"按{BIRTH_RULE}，以最先形成的材料{chosen.source_label}"
            f"记载的出生时间{birth_of(chosen)}为准"
        )
        return text + (f"；记载不一致的材料：{others}" if others else "")
    stated = f"（最先形成的材料{chosen.source_label}记载{birth_of(chosen)}）" if chosen else ""
    text = (
        f"{'；'.join(reason.label for reason in reasons)}{stated}，"
        f"不自动认定出生时间，需人工核实（{BIRTH_RULE}；{VERIFY_RULE}）"
    )
    return text + (f"；记载不一致的材料：{others}" if others else "")


def _formed(fact: MaterialFact) -> FuzzyDate:
    formed = fact.formation_date
    assert formed is not None
    return formed


def _all_compatible(facts: Sequence[MaterialFact]) -> bool:
    return all(compatible(birth_of(a), birth_of(b)) for a, b in combinations(facts, 2))
