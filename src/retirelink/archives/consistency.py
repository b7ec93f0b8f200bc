"""The 三龄两历 check (年龄、工龄、党龄、学历、工作经历) over the facts of one person's archive.

Archive reviews (干部人事档案专项审核) compare what different materials say about a person's age,
years of work, Party standing, education and career; contradictions point at errors, and at
altered (涂改) or forged records — "1岁工作、22岁退休" was an archive with 14 alterations
(policy-spec §3.1, 2024 national audit). This module compares candidate or confirmed facts
(``fact_extraction.ExtractedFact``) from several materials and lists the contradictions, each
with a 中文 message, the facts involved and the rule it rests on:

* birth dates that disagree across materials, and which one the law picks
  (``choose_birth_date``: 劳社部发〔1999〕8号 第二条(二), the record **formed** earliest);
* a birth date later than the formation of the material stating it;
* work started before birth, or before 16 (《禁止使用童工规定》, 国务院令第364号, 第二条);
* joining the Party before 18 (《中国共产党章程》第一条: 年满十八岁);
* graduation at an age the level of education does not allow (a university degree at 14) —
  plausibility thresholds, not law (``MIN_GRADUATION_AGE``);
* posts at different employers in overlapping periods;
* special-job periods outside the work history (before work started, or during military
  service) — 国发〔1978〕104号 counts special-job years of work only;
* military service overlapping civilian employment;
* periods that end before they start.

Fuzzy dates are compared so that only **certain** contradictions are reported: a work start
in ``1981`` against a birth in ``1965年3月`` is under 16 only if even the latest day of 1981 is
before the 16th birthday counted from the earliest possible birth day. Age checks use the birth
date ``choose_birth_date`` picks (the earliest-formed record's, also while it awaits manual
verification) — a later altered record cannot make a child worker look older.

Pure: no I/O.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import combinations

from retirelink.archives.fact_extraction import ExtractedFact, FactKind
from retirelink.archives.holdings import DatePrecision, FuzzyDate, Material
from retirelink.archives.material_classes import MaterialType

BIRTH_RULE = "劳社部发〔1999〕8号 第二条(二)"
VERIFY_RULE = "劳办函〔1993〕67号（与户口登记机关核实）"
NO_ARCHIVE_RULE = "policy-spec §3.1 [B04]（无档案记载时以居民身份证为准，可信度U）"
CHILD_LABOUR_RULE = "《禁止使用童工规定》（国务院令第364号）第二条"
PARTY_AGE_RULE = "《中国共产党章程》第一条（年满十八岁）"
SPECIAL_JOB_RULE = "国发〔1978〕104号 第一条第（二）项"
SERVICE_RULE = "policy-spec §3.2（连续工龄、军龄按档案证据计算，同一期间不重复）"
EDUCATION_RULE = "学制常识（非法定标准，提示核查）"
FORMATION_RULE = "材料形成时间（形成时间）：材料不能记载其形成之后才发生的出生"
PERIOD_RULE = "起止时间：一段期间不能止于其起始之前"

MIN_WORK_AGE = 16
MIN_PARTY_AGE = 18


class EducationLevel(StrEnum):
    PRIMARY = "primary"
    JUNIOR_MIDDLE = "junior_middle"
    SENIOR_MIDDLE = "senior_middle"
    COLLEGE = "college"
    UNIVERSITY = "university"
    POSTGRADUATE = "postgraduate"

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]


_LEVEL_LABELS = {
    EducationLevel.PRIMARY: "小学",
    EducationLevel.JUNIOR_MIDDLE: "初中",
    EducationLevel.SENIOR_MIDDLE: "高中/中专",
    EducationLevel.COLLEGE: "大专",
    EducationLevel.UNIVERSITY: "大学本科",
    EducationLevel.POSTGRADUATE: "研究生",
}

# The youngest age at graduation that is not an obvious error. Plausibility thresholds kept
# well below the usual school ages (6 + years of schooling), so that skipped grades and the
# 少年班 do not raise false alarms; they are not law.
MIN_GRADUATION_AGE = {
    EducationLevel.PRIMARY: 9,
    EducationLevel.JUNIOR_MIDDLE: 12,
    EducationLevel.SENIOR_MIDDLE: 14,
    EducationLevel.COLLEGE: 17,
    EducationLevel.UNIVERSITY: 17,
    EducationLevel.POSTGRADUATE: 20,
}
# Checked in this order: 大学专科 is 大专, not 大学.
_LEVEL_WORDS = (
    (EducationLevel.POSTGRADUATE, re.compile("博士|硕士|研究生")),
    (EducationLevel.COLLEGE, re.compile("大专|专科")),
    (EducationLevel.UNIVERSITY, re.compile("本科|大学|学院")),
    (EducationLevel.SENIOR_MIDDLE, re.compile("中专|中技|技校|技工学校|高中|职高|师范学校")),
    (EducationLevel.JUNIOR_MIDDLE, re.compile("初中|中学")),
    (EducationLevel.PRIMARY, re.compile("小学")),
)


def education_level(text: str) -> EducationLevel | None:
    """The level of education a fact's detail names (河北矿业学院采矿专业 → university)."""
    for level, pattern in _LEVEL_WORDS:
        if pattern.search(text):
            return level
    return None


_EMPLOYER_LEAD = re.compile(r"^[ ]*(?:在|于|调入|调至|调到|调往|调任|到|去)+")
_POST_START = re.compile(r"任|担任|从事|工作|[ ，,]")
_EMPLOYER = re.compile("^(.*(?:公司|车间|委员会|政府|机关|[矿厂局社所站场院校队处]))")


def employer_of(detail: str) -> str:
    """The unit a post or period names (调入峰峰矿务局机修厂任副厂长 → 峰峰矿务局机修厂)."""
    text = _EMPLOYER_LEAD.sub("", detail.strip())
    cut = _POST_START.search(text)
    head = text[: cut.start()] if cut else text
    match = _EMPLOYER.match(head)
    return match.group(1) if match else ""


# -------------------------------------------------------------------------------- inputs


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


# -------------------------------------------------------------------------------- birth date


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
    altered = tuple(fact for fact in _by_formation(births) if fact.altered)
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
    candidate = _birth(chosen) if chosen else None
    reasons = _review_reasons(earliest, agree)
    if candidate is not None:
        conflicting = tuple(
            fact for fact in _by_formation(births) if not _compatible(_birth(fact), candidate)
        )
    else:
        conflicting = _disagreeing(births)
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
    first_certain = min(_last_day(_formed(fact)) for fact in dated)
    return [fact for fact in dated if _formed(fact).value <= first_certain] + undated


def _review_reasons(earliest: Sequence[MaterialFact], agree: bool) -> tuple[BirthReviewReason, ...]:
    after_formation = any(
        fact.formation_date is not None and _birth(fact).value > _last_day(fact.formation_date)
        for fact in earliest
    )
    undated = any(fact.formation_date is None for fact in earliest)
    flags = (
        (BirthReviewReason.ALTERED, any(fact.altered for fact in earliest)),
        (
            BirthReviewReason.MONTH_MISSING,
            any(_birth(fact).precision is DatePrecision.YEAR for fact in earliest),
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
            order[_birth(fact).precision],
            fact.formation_date is None,
            fact.formation_date.value if fact.formation_date else date.max,
            fact.material_id,
        ),
    )


def _disagreeing(births: Sequence[MaterialFact]) -> tuple[MaterialFact, ...]:
    return tuple(
        fact
        for fact in _by_formation(births)
        if any(not _compatible(_birth(fact), _birth(other)) for other in births)
    )


def _choice_message(
    status: BirthDateStatus,
    chosen: MaterialFact | None,
    reasons: tuple[BirthReviewReason, ...],
    conflicting: tuple[MaterialFact, ...],
) -> str:
    others = "；".join(f"{fact.source_label}记载{_birth(fact)}" for fact in conflicting)
    if status is BirthDateStatus.DECIDED and chosen is not None:
        text = (
            f"按{BIRTH_RULE}，以最先形成的材料{chosen.source_label}"
            f"记载的出生时间{_birth(chosen)}为准"
        )
        return text + (f"；记载不一致的材料：{others}" if others else "")
    stated = f"（最先形成的材料{chosen.source_label}记载{_birth(chosen)}）" if chosen else ""
    text = (
        f"{'；'.join(reason.label for reason in reasons)}{stated}，"
        f"不自动认定出生时间，需人工核实（{BIRTH_RULE}；{VERIFY_RULE}）"
    )
    return text + (f"；记载不一致的材料：{others}" if others else "")


# -------------------------------------------------------------------------------- contradictions


class ContradictionKind(StrEnum):
    BIRTH_DATE_CONFLICT = "birth_date_conflict"
    BIRTH_AFTER_FORMATION = "birth_after_formation"
    WORK_BEFORE_BIRTH = "work_before_birth"
    WORK_UNDER_AGE = "work_under_age"
    PARTY_UNDER_AGE = "party_under_age"
    EDUCATION_AGE = "education_age"
    JOB_OVERLAP = "job_overlap"
    SPECIAL_JOB_OUTSIDE_WORK = "special_job_outside_work"
    MILITARY_OVERLAP = "military_overlap"
    INVERTED_PERIOD = "inverted_period"

    @property
    def label(self) -> str:
        return _CONTRADICTION_LABELS[self]


_CONTRADICTION_LABELS = {
    ContradictionKind.BIRTH_DATE_CONFLICT: "出生时间记载不一致",
    ContradictionKind.BIRTH_AFTER_FORMATION: "出生时间晚于材料形成时间",
    ContradictionKind.WORK_BEFORE_BIRTH: "参加工作早于出生",
    ContradictionKind.WORK_UNDER_AGE: "参加工作时未满十六周岁",
    ContradictionKind.PARTY_UNDER_AGE: "入党时未满十八周岁",
    ContradictionKind.EDUCATION_AGE: "学历与年龄不符",
    ContradictionKind.JOB_OVERLAP: "不同单位任职期间重叠",
    ContradictionKind.SPECIAL_JOB_OUTSIDE_WORK: "特殊工种期间不在工作经历内",
    ContradictionKind.MILITARY_OVERLAP: "服役期间与在职期间重叠",
    ContradictionKind.INVERTED_PERIOD: "起止时间颠倒",
}


@dataclass(frozen=True)
class Contradiction:
    """A contradiction between facts: what, a 中文 message, the facts and the rule."""

    kind: ContradictionKind
    message: str
    facts: tuple[MaterialFact, ...]
    reference: str


def check_consistency(facts: Sequence[MaterialFact]) -> list[Contradiction]:
    """Every certain contradiction among one person's facts (the 三龄两历 check)."""
    choice = choose_birth_date(facts)
    found: list[Contradiction] = []
    found += _birth_conflicts(facts, choice)
    found += _births_after_formation(facts)
    found += _inverted_periods(facts)
    birth = choice.candidate
    source = choice.source
    if birth is not None and source is not None:
        note = "" if choice.status is BirthDateStatus.DECIDED else "（出生时间待人工核实）"
        found += _work_ages(facts, birth, source, note)
        found += _party_ages(facts, birth, source, note)
        found += _education_ages(facts, birth, source, note)
    found += _job_overlaps(facts)
    military = _military_periods(facts)
    found += _special_jobs_outside_work(facts, military)
    found += _military_overlaps(facts, military)
    return found


def _birth_conflicts(facts: Sequence[MaterialFact], choice: BirthDateChoice) -> list[Contradiction]:
    births = [fact for fact in facts if fact.kind is FactKind.BIRTH_DATE and fact.fact.start]
    if not _disagreeing(births):
        return []
    stated = "；".join(f"{fact.source_label}：{_birth(fact)}" for fact in _by_formation(births))
    message = f"各材料记载的出生时间不一致（{stated}）。{choice.message}"
    return [
        Contradiction(
            ContradictionKind.BIRTH_DATE_CONFLICT,
            message,
            tuple(_by_formation(births)),
            BIRTH_RULE,
        )
    ]


def _births_after_formation(facts: Sequence[MaterialFact]) -> list[Contradiction]:
    return [
        Contradiction(
            ContradictionKind.BIRTH_AFTER_FORMATION,
            f"{fact.source_label}记载的出生时间{_birth(fact)}晚于该材料的形成时间",
            (fact,),
            FORMATION_RULE,
        )
        for fact in facts
        if fact.kind is FactKind.BIRTH_DATE
        and fact.fact.start
        and fact.formation_date
        and fact.fact.start.value > _last_day(fact.formation_date)
    ]


def _inverted_periods(facts: Sequence[MaterialFact]) -> list[Contradiction]:
    return [
        Contradiction(
            ContradictionKind.INVERTED_PERIOD,
            f"{fact.source_label}记载的{fact.kind.label}"
            f"止于{fact.fact.end}、早于起始{fact.fact.start}",
            (fact,),
            PERIOD_RULE,
        )
        for fact in facts
        if fact.fact.start and fact.fact.end and _last_day(fact.fact.end) < fact.fact.start.value
    ]


def _work_ages(
    facts: Sequence[MaterialFact], birth: FuzzyDate, source: MaterialFact, note: str
) -> list[Contradiction]:
    found = []
    for fact in facts:
        start = fact.fact.start
        if fact.kind is not FactKind.WORK_START or start is None:
            continue
        if _last_day(start) < birth.value:
            found.append(
                Contradiction(
                    ContradictionKind.WORK_BEFORE_BIRTH,
                    f"{fact.source_label}记载参加工作时间{start}，"
                    f"早于出生时间{birth}{note}（{source.source_label}）",
                    (fact, source),
                    BIRTH_RULE,
                )
            )
        elif _before_age(start, birth, MIN_WORK_AGE):
            found.append(
                Contradiction(
                    ContradictionKind.WORK_UNDER_AGE,
                    f"{fact.source_label}记载参加工作时间{start}，按出生时间{birth}{note}"
                    f"（{source.source_label}）计算未满{MIN_WORK_AGE}周岁，"
                    "属禁止招用的童工年龄",
                    (fact, source),
                    CHILD_LABOUR_RULE,
                )
            )
    return found


def _party_ages(
    facts: Sequence[MaterialFact], birth: FuzzyDate, source: MaterialFact, note: str
) -> list[Contradiction]:
    return [
        Contradiction(
            ContradictionKind.PARTY_UNDER_AGE,
            f"{fact.source_label}记载入党时间{fact.fact.start}，按出生时间{birth}{note}"
            f"（{source.source_label}）计算未满{MIN_PARTY_AGE}周岁",
            (fact, source),
            PARTY_AGE_RULE,
        )
        for fact in facts
        if fact.kind is FactKind.PARTY_JOIN
        and fact.fact.start
        and _before_age(fact.fact.start, birth, MIN_PARTY_AGE)
    ]


def _education_ages(
    facts: Sequence[MaterialFact], birth: FuzzyDate, source: MaterialFact, note: str
) -> list[Contradiction]:
    found = []
    for fact in facts:
        graduated = fact.fact.end
        level = education_level(fact.fact.detail)
        if fact.kind is not FactKind.EDUCATION or graduated is None or level is None:
            continue
        minimum = MIN_GRADUATION_AGE[level]
        if _before_age(graduated, birth, minimum):
            found.append(
                Contradiction(
                    ContradictionKind.EDUCATION_AGE,
                    f"{fact.source_label}记载{graduated}{level.label}毕业（{fact.fact.detail}），"
                    f"按出生时间{birth}{note}（{source.source_label}）计算"
                    f"毕业时不满{minimum}周岁",
                    (fact, source),
                    EDUCATION_RULE,
                )
            )
    return found


@dataclass(frozen=True)
class _Period:
    start: date
    end: date
    facts: tuple[MaterialFact, ...]

    @property
    def label(self) -> str:
        first = self.facts[0].fact
        end = self.facts[-1].fact.end
        return f"{first.start}至{end}"

    def overlaps(self, other: "_Period") -> bool:
        # Periods run from the first day of the start to the first day of the end, so a
        # transfer in the month one post ends and the next begins is no overlap.
        return self.start < other.end and other.start < self.end


def _period(fact: MaterialFact) -> _Period | None:
    start, end = fact.fact.start, fact.fact.end
    if start is None or end is None or end.value <= start.value:
        return None
    return _Period(start.value, end.value, (fact,))


def _job_overlaps(facts: Sequence[MaterialFact]) -> list[Contradiction]:
    jobs = [
        (period, employer_of(fact.fact.detail))
        for fact in facts
        if fact.kind is FactKind.JOB_CHANGE and (period := _period(fact)) is not None
    ]
    found = []
    for (first, first_unit), (second, second_unit) in combinations(jobs, 2):
        if not first_unit or not second_unit or not first.overlaps(second):
            continue
        if first_unit in second_unit or second_unit in first_unit:
            continue
        found.append(
            Contradiction(
                ContradictionKind.JOB_OVERLAP,
                f"{first.facts[0].source_label}记载{first.label}在{first_unit}，"
                f"{second.facts[0].source_label}记载{second.label}在{second_unit}，期间重叠",
                first.facts + second.facts,
                SERVICE_RULE,
            )
        )
    return found


def _military_periods(facts: Sequence[MaterialFact]) -> list[_Period]:
    """Military service: stated periods, and 入伍 dates paired with the next 退伍 date."""
    military = [fact for fact in facts if fact.kind is FactKind.MILITARY_SERVICE]
    periods = [period for fact in military if (period := _period(fact)) is not None]
    starts = _distinct(
        fact for fact in military if fact.fact.start is not None and fact.fact.end is None
    )
    ends = _distinct(
        fact for fact in military if fact.fact.end is not None and fact.fact.start is None
    )
    for start in starts:
        begun = _date_of(start)
        later = [end for end in ends if _date_of(end).value > begun.value]
        if later:
            end = min(later, key=lambda fact: _date_of(fact).value)
            ends.remove(end)
            periods.append(_Period(begun.value, _date_of(end).value, (start, end)))
    return periods


def _special_jobs_outside_work(
    facts: Sequence[MaterialFact], military: Sequence[_Period]
) -> list[Contradiction]:
    work_starts = [
        fact
        for fact in facts
        if fact.kind in (FactKind.WORK_START, FactKind.JOB_CHANGE) and fact.fact.start
    ]
    first_work = min(work_starts, key=lambda fact: _date_of(fact).value, default=None)
    found = []
    for fact in facts:
        start = fact.fact.start
        if fact.kind is not FactKind.SPECIAL_JOB_PERIOD or start is None:
            continue
        if first_work is not None and _last_day(start) < _date_of(first_work).value:
            found.append(
                Contradiction(
                    ContradictionKind.SPECIAL_JOB_OUTSIDE_WORK,
                    f"{fact.source_label}记载特殊工种期间自{start}起，"
                    f"早于参加工作时间{_date_of(first_work)}（{first_work.source_label}）",
                    (fact, first_work),
                    SPECIAL_JOB_RULE,
                )
            )
        period = _period(fact)
        for service in military:
            if period is not None and period.overlaps(service):
                found.append(
                    Contradiction(
                        ContradictionKind.SPECIAL_JOB_OUTSIDE_WORK,
                        f"{fact.source_label}记载特殊工种期间{period.label}，"
                        f"与服役期间{service.label}（{_sources(service.facts)}）重叠",
                        (fact, *service.facts),
                        SPECIAL_JOB_RULE,
                    )
                )
    return found


def _military_overlaps(
    facts: Sequence[MaterialFact], military: Sequence[_Period]
) -> list[Contradiction]:
    jobs = [
        period
        for fact in facts
        if fact.kind is FactKind.JOB_CHANGE and (period := _period(fact)) is not None
    ]
    return [
        Contradiction(
            ContradictionKind.MILITARY_OVERLAP,
            f"服役期间{service.label}（{_sources(service.facts)}）与"
            f"{job.facts[0].source_label}记载的任职期间{job.label}"
            f"（{job.facts[0].fact.detail}）重叠",
            service.facts + job.facts,
            SERVICE_RULE,
        )
        for service in military
        for job in jobs
        if service.overlaps(job)
    ]


# -------------------------------------------------------------------------------- dates


def _birth(fact: MaterialFact) -> FuzzyDate:
    start = fact.fact.start
    assert start is not None
    return start


def _formed(fact: MaterialFact) -> FuzzyDate:
    formed = fact.formation_date
    assert formed is not None
    return formed


def _date_of(fact: MaterialFact) -> FuzzyDate:
    stated = fact.fact.start or fact.fact.end
    assert stated is not None
    return stated


def _last_day(fuzzy: FuzzyDate) -> date:
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


def _before_age(event: FuzzyDate, birth: FuzzyDate, years: int) -> bool:
    """Certainly before the ``years``-th birthday: even the latest day of the event is before
    the birthday counted from the earliest possible birth day."""
    return _last_day(event) < _birthday(birth.value, years)


def _compatible(first: FuzzyDate, second: FuzzyDate) -> bool:
    """One statement contains the other: 1965 / 1965年3月 / 1965年3月15日 agree."""

    def contains(outer: FuzzyDate, inner: FuzzyDate) -> bool:
        return outer.value <= inner.value and _last_day(inner) <= _last_day(outer)

    return contains(first, second) or contains(second, first)


def _all_compatible(facts: Sequence[MaterialFact]) -> bool:
    return all(_compatible(_birth(a), _birth(b)) for a, b in combinations(facts, 2))


def _by_formation(facts: Iterable[MaterialFact]) -> list[MaterialFact]:
    return sorted(
        facts,
        key=lambda fact: (
            fact.formation_date is None,
            fact.formation_date.value if fact.formation_date else date.max,
            fact.material_id,
        ),
    )


def _distinct(facts: Iterable[MaterialFact]) -> list[MaterialFact]:
    """One fact per stated date (a date read twice from one page is one event)."""
    seen: dict[FuzzyDate, MaterialFact] = {}
    for fact in facts:
        seen.setdefault(_date_of(fact), fact)
    return sorted(seen.values(), key=lambda fact: _date_of(fact).value)


def _sources(facts: Iterable[MaterialFact]) -> str:
    labels: list[str] = []
    for fact in facts:
        if fact.source_label not in labels:
            labels.append(fact.source_label)
    return "、".join(labels)
