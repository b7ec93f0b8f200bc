"""Statutory retirement age under the 2025 reform.

Legal basis: 《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》 (adopted 2024-09-13,
in force 2025-01-01) 第一条, and its annex 《国务院关于渐进式延迟法定退休年龄的办法》第一条 with
附件1–3. The schedule (original age, first affected birth month, step, cap per category) is the
parameter ``retirement_age.schedule``; this module applies the 办法第一条 rule to it and never
hard-codes a birth month. Parameters are looked up on ``on``, the date of the determination.
The minimum contribution (办法第二条, 附件4) is in ``eligibility`` and re-exported here.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth, YearsMonths
from retirelink.rules.eligibility import (
    ContributionShortfall,
    MinimumContribution,
    ShortfallOption,
    ShortfallRoute,
    contribution_shortfall,
    minimum_contribution,
)
from retirelink.rules.explanation import Explanation, Trace
from retirelink.rules.parameters import ParameterSet, table_row

__all__ = [
    "ContributionShortfall",
    "MinimumContribution",
    "ReformSchedule",
    "RetirementCategory",
    "ShortfallOption",
    "ShortfallRoute",
    "StatutoryRetirement",
    "check_birth",
    "contribution_shortfall",
    "minimum_contribution",
    "parse_category",
    "reform_schedule",
    "statutory_retirement",
]

SCHEDULE = "retirement_age.schedule"


class RetirementCategory(StrEnum):
    """Who the schedule applies to; an explicit input backed by the archive's 岗位 record.

    Which of the two female categories applies follows the pre-2025 工人岗 / 干部·管理技术岗
    rules (policy-spec §1.2), so it is never inferred here.
    """

    MALE = "male"
    FEMALE55 = "female55"
    FEMALE50 = "female50"

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]


_CATEGORY_LABELS = {
    RetirementCategory.MALE: "男职工",
    RetirementCategory.FEMALE55: "原法定退休年龄为五十五周岁的女职工",
    RetirementCategory.FEMALE50: "原法定退休年龄为五十周岁的女职工",
}


def parse_category(value: RetirementCategory | str) -> RetirementCategory:
    """The 办法第一条 category for an engine code; an unknown code is refused, never guessed."""
    try:
        return RetirementCategory(value)
    except ValueError:
        raise InvalidInputError(
            f"未知的退休人员类别“{value}”，应为 male（男职工）、female55 或 female50",
            field="category",
        ) from None


def check_birth(birth: YearMonth, on: date) -> None:
    """Refuse a birth month after the determination date."""
    if birth > YearMonth.of(on):
        raise InvalidInputError(f"出生年月{birth.label}晚于计算日期{on}", field="birth")


@dataclass(frozen=True, slots=True)
class ReformSchedule:
    """One category's row of ``retirement_age.schedule`` (办法第一条, 附件1–3)."""

    original_age_months: int
    first_affected_birth: YearMonth
    step_birth_months: int
    max_delay_months: int
    reference: str

    def delay_months(self, birth: YearMonth) -> int:
        """办法第一条: one month of delay per ``step`` birth months from the first affected one."""
        since_first = birth - self.first_affected_birth
        if since_first < 0:
            return 0
        return min(since_first // self.step_birth_months + 1, self.max_delay_months)


def reform_schedule(
    category: RetirementCategory | str, *, on: date, params: ParameterSet
) -> ReformSchedule:
    """The schedule row in force on ``on`` for ``category`` (办法第一条, 附件1–3)."""
    code = parse_category(category)
    dated = params.get(SCHEDULE, on)
    row = table_row(dated.value, code.value, SCHEDULE)
    try:
        schedule = ReformSchedule(
            original_age_months=int(row["original_age_years"]) * 12,
            first_affected_birth=YearMonth.parse(str(row["first_affected_birth"]), field=SCHEDULE),
            step_birth_months=int(row["step_birth_months"]),
            max_delay_months=int(row["max_delay_months"]),
            reference=dated.citation(SCHEDULE),
        )
    except (KeyError, TypeError, ValueError):
        raise InvalidInputError(f"参数{SCHEDULE}中“{code}”一行不完整", field=SCHEDULE) from None
    if schedule.step_birth_months <= 0 or schedule.max_delay_months < 0:
        raise InvalidInputError(f"参数{SCHEDULE}中“{code}”的步长或上限无效", field=SCHEDULE)
    return schedule


@dataclass(frozen=True, slots=True)
class StatutoryRetirement:
    """Statutory retirement age and month of one person under the 2025 reform."""

    category: RetirementCategory
    birth: YearMonth
    original_age: YearsMonths
    delay_months: int
    statutory_age: YearsMonths
    retirement_month: YearMonth
    explanation: Explanation

    @property
    def original_retirement_month(self) -> YearMonth:
        """The month the original (pre-reform) age is reached."""
        return self.birth.plus(self.original_age.total_months)


def statutory_retirement(
    category: RetirementCategory | str, birth: YearMonth, *, on: date, params: ParameterSet
) -> StatutoryRetirement:
    """Statutory retirement age and month for a birth month and category.

    Legal basis: 《决定》第一条; 《办法》第一条 ("男职工和原法定退休年龄为五十五周岁的女职工，法定
    退休年龄每四个月延迟一个月…原法定退休年龄为五十周岁的女职工…每二个月延迟一个月") and 附件1–3.
    The retirement month is the calendar month in which the statutory age is reached.
    """
    code = parse_category(category)
    check_birth(birth, on)
    schedule = reform_schedule(code, on=on, params=params)
    refs = (schedule.reference,)
    trace = Trace()
    delay = trace.record(
        "delay_months",
        "延迟月数",
        "k = 出生年月 − 首个延迟出生年月；k < 0 ? 0 : min(floor(k / step) + 1, cap)",
        {
            "category": code.label,
            "birth": birth,
            "first": schedule.first_affected_birth,
            "k": birth - schedule.first_affected_birth,
            "step": schedule.step_birth_months,
            "cap": schedule.max_delay_months,
        },
        schedule.delay_months(birth),
        references=refs,
    )
    statutory_age = YearsMonths.of(schedule.original_age_months + delay)
    original_age = YearsMonths.of(schedule.original_age_months)
    trace.record(
        "statutory_age",
        "改革后法定退休年龄",
        "原法定退休年龄 + 延迟月数",
        {"original_age": original_age.age_label, "delay_months": delay},
        statutory_age.age_label,
        references=refs,
    )
    month = trace.record(
        "retirement_month",
        "改革后退休时间",
        "出生年月 + 法定退休年龄（月）",
        {"birth": birth, "statutory_age_months": statutory_age.total_months},
        birth.plus(statutory_age.total_months),
        references=refs,
    )
    return StatutoryRetirement(
        category=code,
        birth=birth,
        original_age=original_age,
        delay_months=delay,
        statutory_age=statutory_age,
        retirement_month=month,
        explanation=trace.explanation(),
    )
