"""The birth-date and age checks of the 三龄两历 check.

* birth dates that disagree across materials (reported with the choice ``choose_birth_date``
  makes) and a birth date later than the formation of the material stating it;
* work started before birth, or before 16 (《禁止使用童工规定》, 国务院令第364号, 第二条);
* joining the Party before 18 (《中国共产党章程》第一条: 年满十八岁);
* graduation at an age the level of education does not allow (a university degree at 14) —
  plausibility thresholds, not law (``MIN_GRADUATION_AGE``; ``education_level`` reads the level
  from a fact's detail).

Ages count from the birth date ``choose_birth_date`` picks and are compared with
``material_facts.before_age``, so that only certain contradictions are reported.

Pure: no I/O.
"""

import re
from collections.abc import Sequence
from enum import StrEnum

from retirelink.archives.birth_date_choice import BIRTH_RULE, BirthDateChoice, disagreeing
from retirelink.archives.contradictions import Contradiction, ContradictionKind
from retirelink.archives.fact_kinds import FactKind
from retirelink.archives.holdings import FuzzyDate
from retirelink.archives.material_facts import (
    MaterialFact,
    before_age,
    birth_of,
    by_formation,
    last_day,
)

CHILD_LABOUR_RULE = "《禁止使用童工规定》（国务院令第364号）第二条"
PARTY_AGE_RULE = "《中国共产党章程》第一条（年满十八岁）"
EDUCATION_RULE = "学制常识（非法定标准，提示核查）"
FORMATION_RULE = "材料形成时间（形成时间）：材料不能记载其形成之后才发生的出生"


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


def birth_conflicts(facts: Sequence[MaterialFact], choice: BirthDateChoice) -> list[Contradiction]:
    births = [fact for fact in facts if fact.kind is FactKind.BIRTH_DATE and fact.fact.start]
    if not disagreeing(births):
        return []
    stated = "；".join(f"{fact.source_label}：{birth_of(fact)}" for fact in by_formation(births))
    message = f"各材料记载的出生时间不一致（{stated}）。{choice.message}"
    return [
        Contradiction(
            ContradictionKind.BIRTH_DATE_CONFLICT,
            message,
            tuple(by_formation(births)),
            BIRTH_RULE,
        )
    ]


def births_after_formation(facts: Sequence[MaterialFact]) -> list[Contradiction]:
    return [
        Contradiction(
            ContradictionKind.BIRTH_AFTER_FORMATION,
            f"{fact.source_label}记载的出生时间{birth_of(fact)}晚于该材料的形成时间",
            (fact,),
            FORMATION_RULE,
        )
        for fact in facts
        if fact.kind is FactKind.BIRTH_DATE
        and fact.fact.start
        and fact.formation_date
        and fact.fact.start.value > last_day(fact.formation_date)
    ]


def work_ages(
    facts: Sequence[MaterialFact], birth: FuzzyDate, source: MaterialFact, note: str
) -> list[Contradiction]:
    found = []
    for fact in facts:
        start = fact.fact.start
        if fact.kind is not FactKind.WORK_START or start is None:
            continue
        if last_day(start) < birth.value:
            found.append(
                Contradiction(
                    ContradictionKind.WORK_BEFORE_BIRTH,
                    f"{fact.source_label}记载参加工作时间{start}，"
                    f"早于出生时间{birth}{note}（{source.source_label}）",
                    (fact, source),
                    BIRTH_RULE,
                )
            )
        elif before_age(start, birth, MIN_WORK_AGE):
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


def party_ages(
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
        and before_age(fact.fact.start, birth, MIN_PARTY_AGE)
    ]


def education_ages(
    facts: Sequence[MaterialFact], birth: FuzzyDate, source: MaterialFact, note: str
) -> list[Contradiction]:
    found = []
    for fact in facts:
        graduated = fact.fact.end
        level = education_level(fact.fact.detail)
        if fact.kind is not FactKind.EDUCATION or graduated is None or level is None:
            continue
        minimum = MIN_GRADUATION_AGE[level]
        if before_age(graduated, birth, minimum):
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
