"""平均缴费指数 Ī (policy-spec §4.1 [P03]) behind 国发〔2005〕38号's 指数化月平均缴费工资.

Each paid month's index is its contribution wage ÷ the regional average wage of its year; each
deemed (视同) month counts at the province's 视同缴费指数. Sums are exact rationals and Ī is
rounded once, half up, to ``pension.index_decimal_places``. ``pension`` re-exports it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from retirelink.errors import InvalidInputError
from retirelink.rules.account import ContributionPeriod, validate_history
from retirelink.rules.calendar import YearMonth, months_inclusive
from retirelink.rules.explanation import Explanation, Trace
from retirelink.rules.money import round_fraction_half_up
from retirelink.rules.parameters import DatedValue, ParameterSet, series_value


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
