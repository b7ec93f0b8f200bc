"""Birth date for retirement (出生时间认定) from the archive.

劳社部发〔1999〕8号 第二条(二): "当本人身份证与档案记载的出生时间不一致时，以本人档案最先记载的
出生时间为准" (policy-spec §3.1, rules [B01]–[B04]). The chosen material is cited in
``Step.evidence``. Every altered (涂改) or damaged material is listed whether or not it decides
(the same article: "严禁随意更改职工出生时间和编造档案"; the 2024 national audit).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Self

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth
from retirelink.rules.explanation import Explanation, Trace

BIRTH_RULE = "劳社部发〔1999〕8号 第二条(二)"
VERIFY_RULE = "劳办函〔1993〕67号（与户口登记机关核实）"
_STATED_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{1,2}))?(?:-([0-9]{1,2}))?")


# --------------------------------------------------------------------------------------------
# 出生时间认定 — 劳社部发〔1999〕8号 第二条(二)
# --------------------------------------------------------------------------------------------


class BirthDateSource(StrEnum):
    """Where the birth date for retirement comes from."""

    ARCHIVE = "archive"
    ID_CARD = "id_card"
    MANUAL_REVIEW = "manual_review"

    @property
    def label(self) -> str:
        return _SOURCE_LABELS[self]


_SOURCE_LABELS = {
    BirthDateSource.ARCHIVE: "以档案最先记载为准",
    BirthDateSource.ID_CARD: "以居民身份证为准",
    BirthDateSource.MANUAL_REVIEW: "转人工核查",
}


class ReviewReason(StrEnum):
    """Why the earliest archive record cannot be taken as it is."""

    ALTERED = "altered"
    DAMAGED = "damaged"
    MONTH_MISSING = "month_missing"
    SAME_DAY_CONFLICT = "same_day_conflict"

    @property
    def label(self) -> str:
        return _REVIEW_LABELS[self]


_REVIEW_LABELS = {
    ReviewReason.ALTERED: "最先形成的材料有涂改",
    ReviewReason.DAMAGED: "最先形成的材料破损",
    ReviewReason.MONTH_MISSING: "最先形成的材料未记载出生月份",
    ReviewReason.SAME_DAY_CONFLICT: "同日形成的材料记载的出生时间不一致",
}


@dataclass(frozen=True, slots=True)
class StatedBirthDate:
    """A birth date as an archive material writes it; old records may omit the month or day.

    >>> StatedBirthDate.parse("1961年8月").label, StatedBirthDate.parse("1961-08-15").label
    ('1961年8月', '1961年8月15日')
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise InvalidInputError("记载了日而未记载月的出生时间无效", field="stated_birth")
        try:
            date(self.year, self.month or 1, self.day or 1)
        except ValueError:
            raise InvalidInputError(
                f"“{self.label}”不是有效的出生时间", field="stated_birth"
            ) from None

    @classmethod
    def parse(cls, text: str) -> Self:
        """Read "1961", "1961-08", "1961-08-15" or "1961年8月15日"."""
        normalised = re.sub(r"[年月./]", "-", text.strip().removesuffix("日")).rstrip("-")
        match = _STATED_DATE.fullmatch(normalised)
        if not match:
            raise InvalidInputError(f"“{text}”不是有效的出生时间", field="stated_birth")
        year, month, day = (int(part) if part else None for part in match.groups())
        return cls(year or 0, month, day)

    @property
    def month_of(self) -> YearMonth | None:
        return YearMonth(self.year, self.month) if self.month else None

    @property
    def earliest_day(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def label(self) -> str:
        month = f"{self.month}月" if self.month else ""
        return f"{self.year}年{month}" + (f"{self.day}日" if self.day else "")

    def differs_from(self, other: date) -> bool | None:
        """Whether ``other`` contradicts what is stated; None when too little is stated to tell."""
        stated = (self.year, self.month, self.day)
        given = (other.year, other.month, other.day)
        known = [(mine, theirs) for mine, theirs in zip(stated, given, strict=True) if mine]
        if any(mine != theirs for mine, theirs in known):
            return True
        return False if self.month else None


@dataclass(frozen=True, slots=True)
class BirthDateRecord:
    """One archive material that states a birth date (履历表, 招工登记表, 学籍登记表 …)."""

    material_id: str
    title: str
    formed_on: date
    stated_birth: StatedBirthDate
    material_class: str = ""  # 干部人事档案 class (policy-spec §6.1), e.g. "一", "9-2"
    altered: bool = False
    damaged: bool = False


@dataclass(frozen=True, slots=True)
class BirthDateDetermination:
    """The birth date retirement is decided on, its source and its evidence.

    ``flagged_materials``: every material marked altered (涂改) or damaged, in order of
    formation — the earliest record and later ones alike. Only the earliest record's flags
    affect the decision (``review_reasons``); a later flagged record is reported, not weighed.
    """

    source: BirthDateSource
    birth_month: YearMonth | None
    birth_date: date | None
    material_id: str | None
    differs_from_id_card: bool | None
    review_reasons: tuple[ReviewReason, ...]
    flagged_materials: tuple[str, ...]
    confidence: str
    explanation: Explanation

    @property
    def needs_review(self) -> bool:
        return self.source is BirthDateSource.MANUAL_REVIEW


def birth_date_for_retirement(
    records: Sequence[BirthDateRecord], *, id_card_birth: date
) -> BirthDateDetermination:
    """The birth date retirement is decided on (劳社部发〔1999〕8号 第二条(二), policy-spec §3.1).

    The archive's earliest **formed** record wins over the ID card (not the earliest stated
    date) [B01]. If that record is altered (涂改), damaged, lacks the month, or records formed
    the same day disagree, nothing is decided: the case goes to manual verification with the
    户口登记机关 (劳办函〔1993〕67号) [B02]. The result cites the material and says whether it
    differs from the ID card [B03]. Without any archive record the ID card decides — a rule
    the spec marks [U] [B04]. Every altered or damaged material, later ones included, is
    listed in ``flagged_materials`` and named in its own step (policy-spec §3.1 (3)); a later
    one does not change the decision.
    """
    _check_records(records)
    trace = Trace()
    trace.record("id_card_birth", "居民身份证记载的出生日期", "身份证", {}, id_card_birth)
    if not records:
        return _from_id_card(id_card_birth, trace)
    earliest = _earliest_formed(records, trace)
    flagged = _flagged_materials(records, trace)
    reasons = _review_reasons(earliest)
    if reasons:
        return _manual_review(earliest, reasons, flagged, id_card_birth, trace)
    return _from_archive(earliest[0], flagged, id_card_birth, trace)


def _check_records(records: Sequence[BirthDateRecord]) -> None:
    seen: set[str] = set()
    for position, record in enumerate(records):
        if not record.material_id.strip() or record.material_id in seen:
            raise InvalidInputError(
                f"第{position + 1}份材料的编号为空或重复", field=f"records[{position}].material_id"
            )
        seen.add(record.material_id)
        if record.stated_birth.earliest_day > record.formed_on:
            raise InvalidInputError(
                f"材料{record.material_id}记载的出生时间晚于其形成时间",
                field=f"records[{position}].stated_birth",
            )


def _earliest_formed(
    records: Sequence[BirthDateRecord], trace: Trace
) -> tuple[BirthDateRecord, ...]:
    first = min(record.formed_on for record in records)
    earliest = tuple(record for record in records if record.formed_on == first)
    listing = {
        item.material_id: f"{item.title} 形成于{item.formed_on} 记载{item.stated_birth.label}"
        for item in sorted(records, key=lambda record: record.formed_on)
    }
    trace.record(
        "earliest_record",
        "档案最先记载出生时间的材料",
        "按材料形成时间取最早者（不是取最早的出生时间）",
        listing,
        "、".join(record.material_id for record in earliest),
        references=(BIRTH_RULE,),
        evidence=tuple(record.material_id for record in records),
    )
    return earliest


def _flagged_materials(records: Sequence[BirthDateRecord], trace: Trace) -> tuple[str, ...]:
    """Every altered or damaged material, in order of formation, whether it decides or not."""
    flagged = [
        record
        for record in sorted(records, key=lambda record: record.formed_on)
        if record.altered or record.damaged
    ]
    ids = tuple(record.material_id for record in flagged)
    trace.record(
        "flagged_materials",
        "有涂改或破损的材料",
        "列出全部标记涂改、破损的材料（不论是否最先形成；仅最先形成的材料影响认定）",
        {record.material_id: _flag_text(record) for record in flagged},
        "、".join(ids) or "无",
        references=(f"{BIRTH_RULE}（严禁随意更改职工出生时间和编造档案）",),
        evidence=ids,
    )
    return ids


def _flag_text(record: BirthDateRecord) -> str:
    marks = "、".join(
        label for label, raised in (("涂改", record.altered), ("破损", record.damaged)) if raised
    )
    return f"{record.title} 形成于{record.formed_on} 记载{record.stated_birth.label}（{marks}）"


def _review_reasons(earliest: tuple[BirthDateRecord, ...]) -> tuple[ReviewReason, ...]:
    flags = (
        (ReviewReason.ALTERED, any(record.altered for record in earliest)),
        (ReviewReason.DAMAGED, any(record.damaged for record in earliest)),
        (ReviewReason.MONTH_MISSING, any(not record.stated_birth.month for record in earliest)),
        (
            ReviewReason.SAME_DAY_CONFLICT,
            len({record.stated_birth for record in earliest}) > 1,
        ),
    )
    return tuple(reason for reason, raised in flags if raised)


def _from_id_card(id_card_birth: date, trace: Trace) -> BirthDateDetermination:
    trace.record(
        "birth_date",
        "认定的出生时间",
        "档案中无记载出生时间的材料 → 以居民身份证为准（可信度U）",
        {"身份证": id_card_birth},
        id_card_birth,
        references=(f"{BIRTH_RULE}（无档案时的处理未见明文，policy-spec §3.1 [B04]，可信度U）",),
    )
    return BirthDateDetermination(
        source=BirthDateSource.ID_CARD,
        birth_month=YearMonth.of(id_card_birth),
        birth_date=id_card_birth,
        material_id=None,
        differs_from_id_card=False,
        review_reasons=(),
        flagged_materials=(),
        confidence="U",
        explanation=trace.explanation(),
    )


def _manual_review(
    earliest: tuple[BirthDateRecord, ...],
    reasons: tuple[ReviewReason, ...],
    flagged: tuple[str, ...],
    id_card_birth: date,
    trace: Trace,
) -> BirthDateDetermination:
    chosen = earliest[0]
    trace.record(
        "birth_date",
        "认定的出生时间",
        "最先记载的材料不能直接采信 → 不自动认定，转人工核查",
        {"原因": "；".join(reason.label for reason in reasons)},
        BirthDateSource.MANUAL_REVIEW.label,
        references=(BIRTH_RULE, VERIFY_RULE),
        evidence=tuple(record.material_id for record in earliest),
    )
    return BirthDateDetermination(
        source=BirthDateSource.MANUAL_REVIEW,
        birth_month=None,
        birth_date=None,
        material_id=chosen.material_id,
        differs_from_id_card=chosen.stated_birth.differs_from(id_card_birth),
        review_reasons=reasons,
        flagged_materials=flagged,
        confidence="C",
        explanation=trace.explanation(),
    )


def _from_archive(
    chosen: BirthDateRecord, flagged: tuple[str, ...], id_card_birth: date, trace: Trace
) -> BirthDateDetermination:
    stated = chosen.stated_birth
    differs = stated.differs_from(id_card_birth)
    # 8号文 combines ID card and archive: when they agree on the month, the card supplies
    # a day the archive left out.
    birth = stated.earliest_day if stated.day else None
    if birth is None and not differs:
        birth = id_card_birth
    trace.record(
        "birth_date",
        "认定的出生时间",
        "以档案最先记载的出生时间为准",
        {"材料": f"{chosen.material_id} {chosen.title}", "档案记载": stated.label},
        birth or stated.label,
        references=(BIRTH_RULE,),
        evidence=(chosen.material_id,),
    )
    trace.record(
        "differs_from_id_card",
        "与身份证是否不一致",
        "档案记载 ≠ 身份证记载",
        {"档案记载": stated.label, "身份证": id_card_birth},
        bool(differs),
        evidence=(chosen.material_id,),
    )
    return BirthDateDetermination(
        source=BirthDateSource.ARCHIVE,
        birth_month=stated.month_of,
        birth_date=birth,
        material_id=chosen.material_id,
        differs_from_id_card=bool(differs),
        review_reasons=(),
        flagged_materials=flagged,
        confidence="C",
        explanation=trace.explanation(),
    )
