"""Early retirement for illness or non-work disability (病退).

Legal basis: 国发〔1978〕104号《国务院关于工人退休、退职的暂行办法》第一条第（三）项
(完全丧失劳动能力: 男50、女45) and 劳社部发〔1999〕8号 (the 劳动能力鉴定委员会 certifies it;
designated hospitals). The age and minimum-contribution conditions are shared with special jobs
(``early_retirement``); the post-2025 ages are unconfirmed parameters. Below the age,
社会保险法第十七条 allows 病残津贴 instead.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from retirelink.rules.calendar import YearMonth, YearsMonths, check_months
from retirelink.rules.early_retirement import Outcome, early_retirement_conditions, parse_choice
from retirelink.rules.eligibility import MinimumContribution
from retirelink.rules.explanation import Explanation, Trace
from retirelink.rules.parameters import ParameterSet
from retirelink.rules.retirement_age import RetirementCategory, check_birth, parse_category

ILLNESS_AGE = "special_jobs.illness_retirement_age"


class WorkCapacity(StrEnum):
    """Conclusion of the 劳动能力鉴定委员会."""

    COMPLETE_LOSS = "complete_loss"
    MAJOR_LOSS = "major_loss"
    PARTIAL_LOSS = "partial_loss"
    NOT_LOST = "not_lost"

    @property
    def label(self) -> str:
        return {
            "complete_loss": "完全丧失劳动能力",
            "major_loss": "大部分丧失劳动能力",
            "partial_loss": "部分丧失劳动能力",
            "not_lost": "未丧失劳动能力",
        }[self.value]


@dataclass(frozen=True, slots=True)
class IllnessAssessment:
    """The outcome of an illness-retirement review, the earliest month and the reasons."""

    outcome: Outcome
    work_capacity: WorkCapacity
    eligible_age: YearsMonths
    earliest_month: YearMonth
    minimum: MinimumContribution
    reasons: tuple[str, ...]
    explanation: Explanation


def evaluate_illness_retirement(
    category: RetirementCategory | str,
    birth: YearMonth,
    *,
    work_capacity: WorkCapacity | str,
    retirement: YearMonth,
    contribution_months: int,
    on: date,
    params: ParameterSet,
) -> IllnessAssessment:
    """Whether a person may retire in ``retirement`` for illness or non-work disability (病退).

    Legal basis: 国发〔1978〕104号第一条第（三）项 and 劳社部发〔1999〕8号 (男50、女45; 劳动能力鉴定
    委员会 certifies 完全丧失劳动能力; post-2025 ages unconfirmed, parameter
    ``special_jobs.illness_retirement_age``); minimum contribution per 办法第二条. Below the age,
    社会保险法第十七条 allows 病残津贴 instead.
    """
    code, trace = parse_category(category), Trace()
    check_birth(birth, on)
    check_months(contribution_months, "contribution_months")
    capacity = parse_choice(WorkCapacity, work_capacity, "work_capacity")
    complete = trace.record(
        "work_capacity",
        "劳动能力鉴定结论",
        "结论 = 完全丧失劳动能力",
        {"conclusion": capacity.label},
        capacity is WorkCapacity.COMPLETE_LOSS,
        references=("劳社部发〔1999〕8号第二条第（三）项",),
    )
    age, minimum, reasons = early_retirement_conditions(
        trace, code, birth, retirement, contribution_months, ILLNESS_AGE, on, params
    )
    if not complete:
        reasons = (f"劳动能力鉴定结论为{capacity.label}，病退须为完全丧失劳动能力", *reasons)
    elif retirement < birth.plus(age.total_months):
        reasons += ("未达到病退年龄的，可按社会保险法第十七条申领病残津贴",)
    outcome = Outcome.NOT_ELIGIBLE if reasons else Outcome.ELIGIBLE
    trace.record(
        "outcome",
        "病退审核结论",
        "完全丧失劳动能力且年龄、缴费均符合",
        {"reasons": len(reasons)},
        outcome.label,
        references=("国发〔1978〕104号第一条第（三）项",),
    )
    return IllnessAssessment(
        outcome=outcome,
        work_capacity=capacity,
        eligible_age=age,
        earliest_month=birth.plus(age.total_months),
        minimum=minimum,
        reasons=reasons,
        explanation=trace.explanation(),
    )
