"""What early retirement for special jobs (特殊工种) and for illness (病退) have in common.

Both are allowed below the statutory age by 国发〔1978〕104号《国务院关于工人退休、退职的暂行办法》
第一条 (第（二）项 special jobs: 男55、女45; 第（三）项 illness: 男50、女45), restated by
劳社部发〔1999〕8号 and kept by 《国务院关于渐进式延迟法定退休年龄的办法》第八条. The Decision
(第五条) stopped the 1978 *age* provisions from 2025-01-01 and no new national ages were found,
so the 2025 ages are parameters marked U (policy-spec §2, §9.1). Both also need the minimum
contribution of 办法第二条 for the year of retirement.
"""

from datetime import date
from enum import StrEnum
from typing import TypeVar

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth, YearsMonths
from retirelink.rules.eligibility import MinimumContribution, minimum_contribution
from retirelink.rules.explanation import Trace
from retirelink.rules.parameters import ParameterSet, table_row
from retirelink.rules.retirement_age import RetirementCategory

E = TypeVar("E", bound=StrEnum)


class Outcome(StrEnum):
    """The conclusion of an early-retirement review (审核结论)."""

    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    MANUAL_REVIEW = "manual_review"

    @property
    def label(self) -> str:
        return {
            "eligible": "符合条件",
            "not_eligible": "不符合条件",
            "manual_review": "转人工审核",
        }[self.value]


def parse_choice(kind: type[E], value: E | str, field: str) -> E:
    """The ``kind`` member for an engine code; an unknown code is refused, naming ``field``."""
    try:
        return kind(value)
    except ValueError:
        raise InvalidInputError(f"“{value}”不是有效的取值", field=field) from None


def early_retirement_conditions(
    trace: Trace,
    code: RetirementCategory,
    birth: YearMonth,
    retirement: YearMonth,
    contribution_months: int,
    age_parameter: str,
    on: date,
    params: ParameterSet,
) -> tuple[YearsMonths, MinimumContribution, tuple[str, ...]]:
    """The age and minimum-contribution conditions shared by special-job and illness retirement."""
    dated = params.get(age_parameter, on)
    age = YearsMonths.of(int(table_row(dated.value, code.value, age_parameter)) * 12)
    reached = trace.record(
        "early_retirement_age",
        "提前退休年龄条件",
        "申请退休年月 ≥ 出生年月 + 规定年龄",
        {"category": code.label, "birth": birth, "age": age.age_label, "retirement": retirement},
        retirement >= birth.plus(age.total_months),
        references=(dated.citation(age_parameter),),
    )
    minimum = minimum_contribution(retirement.year, on=on, params=params)
    trace.extend(minimum.explanation)
    reasons: list[str] = []
    if not reached:
        reasons.append(
            f"{retirement.label}未年满{age.age_label}（{birth.plus(age.total_months).label}起）"
        )
    if contribution_months < minimum.required_months:
        paid, needed = YearsMonths.of(contribution_months).label, minimum.required.label
        reasons.append(f"累计缴费{paid}，未达到{minimum.year}年最低缴费年限{needed}")
    return age, minimum, tuple(reasons)
