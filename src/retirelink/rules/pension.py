"""Basic pension of urban employees (国发〔2005〕38号): the average index and the components.

pension = 基础养老金 + 个人账户养老金 + 过渡性养老金 (policy-spec §4.1). Money is ``Decimal``,
rounded half up to the fen (分) where the worked example [P01] rounds: each component, then
their sum. Regional figures (计发基数, 社平工资, 过渡系数, 视同缴费指数, conventions) come from
``params`` with the region's fallback; nothing is read at call time and there is no clock.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from retirelink.errors import InvalidInputError
from retirelink.rules.account import ContributionPeriod, payout_months_for_age, validate_history
from retirelink.rules.calendar import YearMonth, months_inclusive
from retirelink.rules.explanation import Explanation, Trace
from retirelink.rules.money import round_fraction_half_up, to_fen
from retirelink.rules.parameters import DatedValue, ParameterSet, series_value

GUOFA_2005_38 = "国发〔2005〕38号（改革基本养老金计发办法）"


class StartMonthRule(StrEnum):
    """When payment starts (policy-spec §9 item 4: provincial)."""

    MONTH_AFTER_RETIREMENT = "month_after_retirement"
    RETIREMENT_MONTH = "retirement_month"

    @property
    def label(self) -> str:
        return "退休当月起发" if self is StartMonthRule.RETIREMENT_MONTH else "退休次月起发"


# --------------------------------------------------------------------------------------------
# 平均缴费指数 — policy-spec §4.1 [P03]
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContributionIndex:
    """平均缴费指数 Ī over paid and deemed months, with its explanation."""

    value: Decimal
    paid_months: int
    deemed_months: int
    explanation: Explanation

    @property
    def total_months(self) -> int:
        return self.paid_months + self.deemed_months


def average_contribution_index(
    history: Sequence[ContributionPeriod],
    *,
    deemed_months: int = 0,
    on: date,
    region: str,
    params: ParameterSet,
) -> ContributionIndex:
    """平均缴费指数 Ī behind 国发〔2005〕38号's 指数化月平均缴费工资 (policy-spec §4.1 [P03], [S]).

    Each paid month's index is its contribution wage ÷ the regional average wage for that year
    (``pension.average_wage``); each deemed month counts at ``pension.deemed_contribution_index``.
    Ī is their mean over all months, rounded half up to ``pension.index_decimal_places``.
    """
    validate_history(history)
    if deemed_months < 0:
        raise InvalidInputError("视同缴费月数不能为负", field="deemed_months")
    trace = Trace()
    wages = params.get("pension.average_wage", on, region=region)
    # Sums are exact rationals and Ī is rounded once: rounding each month's quotient to 28
    # digits first could move an Ī that sits exactly on a half (policy-spec §4.1 [P03]).
    paid_sum = sum(
        (
            _period_index_sum(position, period, wages, trace)
            for position, period in enumerate(history)
        ),
        Fraction(0),
    )
    deemed_sum = _deemed_index_sum(deemed_months, on, region, params, trace)
    paid_months = sum(months_inclusive(period.start, period.end) for period in history)
    total = paid_months + deemed_months
    if total == 0:
        raise InvalidInputError("没有缴费月份，无法计算平均缴费指数", field="history")
    places = params.get("pension.index_decimal_places", on, region=region)
    value = trace.record(
        "average_index",
        "平均缴费指数",
        "Ī = （Σ 实际缴费各月指数 + Σ 视同缴费各月指数）÷ 缴费月数（含视同）",
        {
            "Σ实缴": _shown(paid_sum),
            "Σ视同": _shown(deemed_sum),
            "月数": total,
            "保留位数": places.value,
        },
        round_fraction_half_up((paid_sum + deemed_sum) / total, places.value),
        references=("policy-spec §4.1 [P03]", places.citation("pension.index_decimal_places")),
    )
    return ContributionIndex(value, paid_months, deemed_months, trace.explanation())


def _shown(value: Fraction) -> Decimal:
    """A rational as a decimal for the trace (display only; computation stays exact)."""
    return Decimal(value.numerator) / Decimal(value.denominator)


def _period_index_sum(
    position: int, period: ContributionPeriod, wages: DatedValue, trace: Trace
) -> Fraction:
    total = Fraction(0)
    for year in range(period.start.year, period.end.year + 1):
        months = months_inclusive(
            max(period.start, YearMonth(year, 1)), min(period.end, YearMonth(year, 12))
        )
        side = "start" if year == period.start.year else "end"
        average = series_value(
            wages.value, year, name="pension.average_wage", field=f"history[{position}].{side}"
        )
        year_sum = Fraction(period.monthly_wage) / Fraction(average) * months
        trace.record(
            f"index_{position}_{year}",
            f"{year}年缴费指数",
            "月缴费工资 ÷ 当年社平工资 × 月数",
            {"月缴费工资": period.monthly_wage, "社平工资": average, "月数": months},
            _shown(year_sum),
            references=(wages.citation("pension.average_wage"),),
        )
        total += year_sum
    return total


def _deemed_index_sum(
    deemed_months: int, on: date, region: str, params: ParameterSet, trace: Trace
) -> Fraction:
    deemed = params.get("pension.deemed_contribution_index", on, region=region)
    return Fraction(
        trace.record(
            "deemed_index",
            "视同缴费月份的指数",
            "视同缴费月数 × 视同缴费指数",
            {"视同缴费月数": deemed_months, "视同缴费指数": deemed.value},
            Decimal(deemed.value) * deemed_months,
            references=(deemed.citation("pension.deemed_contribution_index"),),
        )
    )


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
    """The monthly basic pension, its three components and its start month."""

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
    - 过渡性养老金 = B × Ī × N视同 ÷ 12 × 过渡系数 (provincial form, [S]).

    B is ``pension.base_wage`` for the retirement year. Each component is rounded half up to
    the fen, then summed (rounding order: [U], provincial).
    """
    _check_facts(facts)
    trace = Trace()
    base = _base_wage(facts, on, region, params, trace)
    indexed, basic = _basic(facts, base, trace)
    account = _account(facts, on, region, params, trace)
    transitional = _transitional(facts, base, on, region, params, trace)
    total = trace.record(
        "total",
        "基本养老金（月）",
        "基础养老金 + 个人账户养老金 + 过渡性养老金（各项先舍入到分）",
        {"基础": basic, "个人账户": account.amount, "过渡性": transitional},
        basic + account.amount + transitional,
        references=(GUOFA_2005_38, "policy-spec §4.1（舍入顺序可信度U）"),
    )
    return PensionResult(
        base_wage=base,
        indexed_wage=indexed,
        basic_pension=basic,
        personal_account_pension=account.amount,
        transitional_pension=transitional,
        total=total,
        payout_months=account.payout_months,
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


def _basic(facts: PensionFacts, base: Decimal, trace: Trace) -> tuple[Decimal, Decimal]:
    index = facts.average_index
    indexed = trace.record(
        "indexed_wage",
        "指数化月平均缴费工资",
        "B × Ī",
        {"B": base, "Ī": index},
        to_fen(base * index),
        references=(GUOFA_2005_38, "policy-spec §4.1"),
    )
    basic = trace.record(
        "basic_pension",
        "基础养老金",
        "B × (1 + Ī) ÷ 2 × N ÷ 12 × 1%",
        {"B": base, "Ī": index, "N（月）": facts.contribution_months},
        to_fen(base * (1 + index) * facts.contribution_months / 2400),
        references=(GUOFA_2005_38,),
    )
    return indexed, basic


@dataclass(frozen=True, slots=True)
class _AccountPension:
    amount: Decimal
    payout_months: Decimal


def _account(
    facts: PensionFacts, on: date, region: str, params: ParameterSet, trace: Trace
) -> _AccountPension:
    age_months = facts.retirement_month - facts.birth_month
    payout = payout_months_for_age(age_months, on=on, region=region, params=params)
    trace.extend(payout.explanation)
    amount = trace.record(
        "personal_account_pension",
        "个人账户养老金",
        "个人账户储存额 ÷ 计发月数",
        {"储存额": facts.account_balance, "计发月数": payout.months},
        to_fen(facts.account_balance / payout.months),
        references=(GUOFA_2005_38,),
    )
    return _AccountPension(amount, payout.months)


def _transitional(
    facts: PensionFacts, base: Decimal, on: date, region: str, params: ParameterSet, trace: Trace
) -> Decimal:
    coefficient = params.get("pension.transition_coefficient", on, region=region)
    return trace.record(
        "transitional_pension",
        "过渡性养老金",
        "B × Ī × N视同 × 过渡系数 ÷ 12",
        {
            "B": base,
            "Ī": facts.average_index,
            "N视同（月）": facts.deemed_months,
            "过渡系数": coefficient.value,
        },
        # Multiply first, divide once: the product is exact, so a result that is exactly on
        # a half fen stays on it and rounds up, as [P01] rounds.
        to_fen(base * facts.average_index * facts.deemed_months * coefficient.value / 12),
        references=(GUOFA_2005_38, coefficient.citation("pension.transition_coefficient")),
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
