"""计发月数 (国发〔2005〕38号附件, policy-spec §4.2): the divisor of 个人账户养老金 by age.

个人账户养老金 = account balance ÷ 计发月数 for the age at retirement. The annex lists whole ages
40–70; ages with months (the norm under the gradual retirement-age reform) follow
``pension.payout_months_age_rule`` ([U] [D05]). ``account`` re-exports it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearsMonths
from retirelink.rules.explanation import Explanation, Trace
from retirelink.rules.money import round_half_up
from retirelink.rules.parameters import ParameterSet


class PayoutAgeRule(StrEnum):
    """How an age with months maps onto the whole-year 计发月数 table (policy-spec §4.2 [D05])."""

    COMPLETED_YEARS = "completed_years"
    INTERPOLATE = "interpolate"

    @property
    def label(self) -> str:
        return "按已满周岁" if self is PayoutAgeRule.COMPLETED_YEARS else "按月线性插值"


@dataclass(frozen=True, slots=True)
class PayoutMonths:
    """计发月数 for an age at retirement (国发〔2005〕38号附件) and the rule that mapped it."""

    months: Decimal
    age: YearsMonths
    rule: PayoutAgeRule
    explanation: Explanation


def payout_months_for_age(
    age_months: int, *, on: date, region: str, params: ParameterSet
) -> PayoutMonths:
    """计发月数 for the age at retirement (国发〔2005〕38号附件, policy-spec §4.2).

    The annex lists whole ages 40–70. Ages with months follow ``pension.payout_months_age_rule``
    ([U] [D05]): ``completed_years`` (已满周岁, the default) or ``interpolate`` (linear between
    whole ages, to 0.01 month). An age the table cannot serve is an error.
    """
    if age_months < 0:
        raise InvalidInputError("退休年龄不能为负", field="age_months")
    age = YearsMonths.of(age_months)
    rule_value = params.get("pension.payout_months_age_rule", on, region=region)
    rule = PayoutAgeRule(rule_value.value)
    table_value = params.get("pension.payout_months", on, region=region)
    table = {int(key): int(months) for key, months in table_value.value.items()}
    months = _table_months(table, age.years)
    # The annex of 国发〔2005〕38号 ends at 70: beyond it there is nothing to interpolate to.
    if rule is PayoutAgeRule.INTERPOLATE and age.months and age.years < max(table):
        following = _table_months(table, age.years + 1)
        months = round_half_up(months - (months - following) * Decimal(age.months) / 12, 2)
    trace = Trace()
    trace.record(
        "payout_months",
        "个人账户养老金计发月数",
        f"计发月数表（{rule.label}）",
        {"退休年龄": age.age_label},
        months,
        references=(
            table_value.citation("pension.payout_months"),
            rule_value.citation("pension.payout_months_age_rule"),
        ),
    )
    return PayoutMonths(months, age, rule, trace.explanation())


def _table_months(table: Mapping[int, int], years: int) -> Decimal:
    if years not in table:
        raise InvalidInputError(
            f"{years}岁不在计发月数表（{min(table)}—{max(table)}岁）范围内", field="age_months"
        )
    return Decimal(table[years])
