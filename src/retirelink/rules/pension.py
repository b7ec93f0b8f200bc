"""Basic pension of urban employees (国发〔2005〕38号): the components and the start month.

pension = 基础养老金 + 个人账户养老金 + 过渡性养老金 (policy-spec §4.1). Money is ``Decimal``:
each component is computed as an exact rational and rounded half up as
``pension.rounding_order`` says — by default as the worked example [P01] rounds, each component
to the fen, then their sum. The 过渡性养老金 forms are in ``transitional``. Regional figures
(计发基数, 社平工资, 过渡系数, 视同缴费指数, conventions) come from ``params`` with the region's
fallback; nothing is read at call time and there is no clock. 平均缴费指数 Ī is computed in
``contribution_index`` and importable from here as before.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from retirelink.errors import InvalidInputError
from retirelink.rules.account import PayoutMonths, payout_months_for_age
from retirelink.rules.calendar import YearMonth
from retirelink.rules.contribution_index import ContributionIndex as ContributionIndex
from retirelink.rules.contribution_index import (
    average_contribution_index as average_contribution_index,
)
from retirelink.rules.explanation import Explanation, Trace
from retirelink.rules.money import ROUNDING_ORDERS, RoundedSum, to_fen
from retirelink.rules.parameters import DatedValue, ParameterSet, choose, series_value
from retirelink.rules.transitional import (
    TRANSITION_COEFFICIENT,
    TRANSITIONAL_FORMULA,
    TransitionalFacts,
    TransitionalFormula,
    transitional_formula,
)

GUOFA_2005_38 = "国发〔2005〕38号（改革基本养老金计发办法）"
ROUNDING_ORDER = "pension.rounding_order"


class StartMonthRule(StrEnum):
    """When payment starts (policy-spec §9 item 4: provincial)."""

    MONTH_AFTER_RETIREMENT = "month_after_retirement"
    RETIREMENT_MONTH = "retirement_month"

    @property
    def label(self) -> str:
        return "退休当月起发" if self is StartMonthRule.RETIREMENT_MONTH else "退休次月起发"


# --------------------------------------------------------------------------------------------
# 基本养老金 — 国发〔2005〕38号 (policy-spec §4.1 [P01])
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PensionFacts:
    """What the pension is computed from; ``deemed_evidence`` are the archive ids behind 视同."""

    birth_month: YearMonth
    retirement_month: YearMonth
    average_index: Decimal
    contribution_months: int
    deemed_months: int
    account_balance: Decimal
    deemed_evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PensionResult:
    """The monthly basic pension, its three components and its start month.

    The components are in fen, or to 4 places where ``pension.rounding_order`` rounds only
    the total (``sum_then_round``).
    """

    base_wage: Decimal
    indexed_wage: Decimal
    basic_pension: Decimal
    personal_account_pension: Decimal
    transitional_pension: Decimal
    total: Decimal
    payout_months: Decimal
    start_month: YearMonth
    explanation: Explanation


def calculate_pension(
    facts: PensionFacts, *, on: date, region: str, params: ParameterSet
) -> PensionResult:
    """Monthly basic pension at retirement (国发〔2005〕38号; policy-spec §4.1).

    - 基础养老金 = B × (1 + Ī) ÷ 2 × N × 1%, N in years to the month (incl. 视同) [C];
    - 个人账户养老金 = account balance ÷ 计发月数 for the age at retirement [C];
    - 过渡性养老金: the provincial form ``pension.transitional_formula`` selects
      (``transitional``; default B × Ī × N视同 ÷ 12 × 过渡系数, [S]).

    B is ``pension.base_wage`` for the retirement year. Each component is computed exactly and
    rounded as ``pension.rounding_order`` says ([U], provincial): ``components_then_sum`` — each
    half up to the fen, then summed, as [P01] — or ``sum_then_round`` — only the total.
    """
    _check_facts(facts)
    trace = Trace()
    base = _base_wage(facts, on, region, params, trace)
    indexed = trace.record(
        "indexed_wage",
        "指数化月平均缴费工资",
        "B × Ī",
        {"B": base, "Ī": facts.average_index},
        to_fen(base * facts.average_index),
        references=(GUOFA_2005_38, "policy-spec §4.1"),
    )
    payout = payout_months_for_age(
        facts.retirement_month - facts.birth_month, on=on, region=region, params=params
    )
    transitional = _Transitional.of(facts, base, on, region, params)
    rounding = params.get(ROUNDING_ORDER, on, region=region)
    order = choose(ROUNDING_ORDERS, rounding, ROUNDING_ORDER)
    rounded = order.apply(
        (
            Fraction(base) * (1 + Fraction(facts.average_index)) * facts.contribution_months / 2400,
            Fraction(facts.account_balance) / Fraction(payout.months),
            transitional.amount,
        )
    )
    basic, account, transitional_amount = rounded.parts
    _record_components(facts, base, payout, rounded, transitional, trace)
    total = trace.record(
        "total",
        "基本养老金（月）",
        f"基础养老金 + 个人账户养老金 + 过渡性养老金（{order.label}）",
        {"基础": basic, "个人账户": account, "过渡性": transitional_amount},
        rounded.total,
        references=(GUOFA_2005_38, rounding.citation(ROUNDING_ORDER)),
    )
    return PensionResult(
        base_wage=base,
        indexed_wage=indexed,
        basic_pension=basic,
        personal_account_pension=account,
        transitional_pension=transitional_amount,
        total=total,
        payout_months=payout.months,
        start_month=_start_month(facts.retirement_month, on, region, params, trace),
        explanation=trace.explanation(),
    )


def _check_facts(facts: PensionFacts) -> None:
    problems = (
        (facts.average_index < 0, "average_index", "平均缴费指数不能为负"),
        (facts.contribution_months < 0, "contribution_months", "缴费月数不能为负"),
        (facts.deemed_months < 0, "deemed_months", "视同缴费月数不能为负"),
        (
            facts.deemed_months > facts.contribution_months,
            "deemed_months",
            "视同缴费月数不能超过缴费月数",
        ),
        (facts.account_balance < 0, "account_balance", "个人账户储存额不能为负"),
        (facts.retirement_month < facts.birth_month, "retirement_month", "退休年月早于出生年月"),
    )
    for failed, field, message in problems:
        if failed:
            raise InvalidInputError(message, field=field)


def _base_wage(
    facts: PensionFacts, on: date, region: str, params: ParameterSet, trace: Trace
) -> Decimal:
    series = params.get("pension.base_wage", on, region=region)
    year = facts.retirement_month.year
    return trace.record(
        "base_wage",
        "计发基数",
        "退休当年适用的计发基数（上年度社平工资）",
        {"退休年份": year, "地区": region},
        series_value(series.value, year, name="pension.base_wage", field="retirement_month"),
        references=(GUOFA_2005_38, series.citation("pension.base_wage")),
    )


@dataclass(frozen=True, slots=True)
class _Transitional:
    """The province's 过渡性养老金 form, its parameters and its exact amount."""

    formula: TransitionalFormula
    chosen: DatedValue
    coefficient: DatedValue
    amount: Fraction

    @classmethod
    def of(
        cls, facts: PensionFacts, base: Decimal, on: date, region: str, params: ParameterSet
    ) -> "_Transitional":
        chosen = params.get(TRANSITIONAL_FORMULA, on, region=region)
        formula = transitional_formula(chosen)
        coefficient = params.get(TRANSITION_COEFFICIENT, on, region=region)
        inputs = TransitionalFacts(
            base, facts.average_index, facts.deemed_months, Decimal(coefficient.value)
        )
        return cls(formula, chosen, coefficient, formula.amount(inputs))


def _record_components(
    facts: PensionFacts,
    base: Decimal,
    payout: PayoutMonths,
    rounded: RoundedSum,
    transitional: _Transitional,
    trace: Trace,
) -> None:
    """The three component steps, each showing its amount as ``pension.rounding_order`` does."""
    basic, account, transitional_amount = rounded.parts
    trace.record(
        "basic_pension",
        "基础养老金",
        "B × (1 + Ī) ÷ 2 × N ÷ 12 × 1%",
        {"B": base, "Ī": facts.average_index, "N（月）": facts.contribution_months},
        basic,
        references=(GUOFA_2005_38,),
    )
    trace.extend(payout.explanation)
    trace.record(
        "personal_account_pension",
        "个人账户养老金",
        "个人账户储存额 ÷ 计发月数",
        {"储存额": facts.account_balance, "计发月数": payout.months},
        account,
        references=(GUOFA_2005_38,),
    )
    trace.record(
        "transitional_pension",
        "过渡性养老金",
        f"{transitional.formula.formula}（{transitional.formula.label}）",
        {
            "B": base,
            "Ī": facts.average_index,
            "N视同（月）": facts.deemed_months,
            "过渡系数": transitional.coefficient.value,
        },
        transitional_amount,
        references=(
            GUOFA_2005_38,
            transitional.coefficient.citation(TRANSITION_COEFFICIENT),
            transitional.chosen.citation(TRANSITIONAL_FORMULA),
        ),
        evidence=facts.deemed_evidence,
    )


def _start_month(
    retirement: YearMonth, on: date, region: str, params: ParameterSet, trace: Trace
) -> YearMonth:
    rule_value = params.get("pension.start_month_rule", on, region=region)
    rule = StartMonthRule(rule_value.value)
    start = retirement if rule is StartMonthRule.RETIREMENT_MONTH else retirement.plus(1)
    return trace.record(
        "start_month",
        "养老金起发年月",
        rule.label,
        {"退休年月": retirement.label},
        start,
        references=(rule_value.citation("pension.start_month_rule"),),
    )
