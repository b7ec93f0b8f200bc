"""Basic pension components of the batch path (``batch``), in integers, as the scalar rounds.

国发〔2005〕38号 (policy-spec §4.1): 指数化月平均缴费工资 = B × Ī, 基础养老金 =
B × (1 + Ī) × N ÷ 2400, 个人账户养老金 = 储存额 ÷ 计发月数, 过渡性养老金 in the provincial form.
Each component is an exact rational (integer numerator over a denominator, in fen) and is
rounded as ``pension.rounding_order`` says (``ROUNDINGS``, one per entry of
``money.ROUNDING_ORDERS``); 过渡性养老金 takes the form ``pension.transitional_formula`` names —
in integers where ``TRANSITIONAL_KERNELS`` has a kernel for it, otherwise through the form's own
function in ``transitional``, person by person. Either way the result equals
``calculate_pension``'s.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from math import gcd

import numpy as np

from retirelink.errors import InvalidInputError
from retirelink.rules.account import payout_months_for_age
from retirelink.rules.batch_exact import (
    Int64s,
    Rational,
    exact_product,
    half_up,
    half_up_sum,
    scaled,
)
from retirelink.rules.batch_kernels import tabulate
from retirelink.rules.money import UNROUNDED_PLACES
from retirelink.rules.parameters import ParameterSet, choose
from retirelink.rules.pension import ROUNDING_ORDER
from retirelink.rules.transitional import (
    TRANSITION_COEFFICIENT,
    TRANSITIONAL_FORMULA,
    TransitionalFacts,
    transitional_formula,
)


@dataclass(frozen=True, slots=True)
class Context:
    """The determination date, region and parameters of one batch call."""

    on: date
    region: str
    params: ParameterSet


@dataclass(frozen=True, slots=True)
class PensionArrays:
    """Per person: the facts the pension components are computed from (months as indexes)."""

    people: dict[str, Int64s]
    retirement: Int64s
    index: Int64s
    places: int
    months: Int64s


@dataclass(frozen=True, slots=True)
class PensionMoney:
    """Per person: 计发月数 × 100, B × Ī in fen, the components × 10^places and the total in fen."""

    payout_hundredths: Int64s
    indexed: Int64s
    parts: tuple[Int64s, Int64s, Int64s]  # 基础, 个人账户, 过渡性 × 10^places
    places: int
    total: Int64s


def pension_money(facts: PensionArrays, context: Context) -> PensionMoney:
    """The components as exact rationals in fen, rounded as ``calculate_pension`` rounds them
    (``pension.rounding_order``; B is the 计发基数 of the retirement year, N and N视同 in months):

    - 指数化月平均缴费工资 = B × Ī (always to the fen);  基础养老金 = B × (1 + Ī) × N ÷ 2400;
    - 个人账户养老金 = 储存额 ÷ 计发月数 (国发〔2005〕38号附件, by age at retirement);
    - 过渡性养老金: the form ``pension.transitional_formula`` names (``_transitional``).
    """
    on, region, params = context.on, context.region, context.params
    people, index, places = facts.people, facts.index, facts.places
    base, base_places = _base_wages(facts.retirement // 12, context)
    payout = tabulate(
        facts.retirement - people["birth_month"],
        lambda age: _hundredths(
            payout_months_for_age(age, on=on, region=region, params=params).months
        ),
    )
    rounding = choose(ROUNDINGS, params.get(ROUNDING_ORDER, on, region=region), ROUNDING_ORDER)
    scale = 10 ** (base_places + places)
    basic = (exact_product([base, index + 10**places, facts.months]), scale * 24)
    account = (exact_product([people["account_balance_fen"]], 100), payout)
    parts, component_places, total = rounding(
        (basic, account, _transitional(facts, base, base_places, context))
    )
    return PensionMoney(
        payout_hundredths=payout,
        indexed=half_up(exact_product([base, index], 100), scale),
        parts=parts,
        places=component_places,
        total=total,
    )


Parts = tuple[Rational, Rational, Rational]
Rounded = tuple[tuple[Int64s, Int64s, Int64s], int, Int64s]


def _components_then_sum(parts: Parts) -> Rounded:
    """Each component half up to the fen, then summed (``money.round_parts_then_sum``)."""
    basic, account, transitional = (half_up(*part) for part in parts)
    return (basic, account, transitional), 2, basic + account + transitional


def _sum_then_round(parts: Parts) -> Rounded:
    """The exact sum half up to the fen; components to 4 places (``money.round_sum_only``)."""
    factor = 10 ** (UNROUNDED_PLACES - 2)
    basic, account, transitional = (half_up(scaled(num, factor), den) for num, den in parts)
    return (basic, account, transitional), UNROUNDED_PLACES, half_up_sum(parts)


ROUNDINGS = {"components_then_sum": _components_then_sum, "sum_then_round": _sum_then_round}


def _transitional(
    facts: PensionArrays, base: Int64s, base_places: int, context: Context
) -> Rational:
    """过渡性养老金 in fen as numerator ÷ denominator, in the form ``pension.transitional_formula``
    names (``transitional``): vectorised where ``TRANSITIONAL_KERNELS`` has the form, otherwise
    the form's own function person by person — the scalar path, exact, but not vectorised."""
    on, region, params = context.on, context.region, context.params
    chosen = params.get(TRANSITIONAL_FORMULA, on, region=region)
    formula = transitional_formula(chosen)
    coefficient = Decimal(params.value(TRANSITION_COEFFICIENT, on, region=region))
    kernel = TRANSITIONAL_KERNELS.get(str(chosen.value))
    if kernel is not None:
        return kernel(facts, base, base_places, coefficient)
    amounts = [
        formula.amount(
            TransitionalFacts(
                Decimal(int(base[person])).scaleb(-base_places),
                Decimal(int(facts.index[person])).scaleb(-facts.places),
                int(facts.people["deemed_months"][person]),
                coefficient,
            )
        )
        * 100
        for person in range(len(base))
    ]
    return (
        np.array([amount.numerator for amount in amounts], dtype=object),
        np.array([amount.denominator for amount in amounts], dtype=object),
    )


def _indexed_wage_deemed_years(
    facts: PensionArrays, base: Int64s, base_places: int, coefficient: Decimal
) -> Rational:
    """B × Ī × N视同 × 过渡系数 ÷ 12 in fen (``transitional.indexed_wage_deemed_years``)."""
    coefficient_places = _places(coefficient)
    numerator, denominator = _reduced(
        100 * int(coefficient.scaleb(coefficient_places)),
        10 ** (base_places + facts.places + coefficient_places) * 12,
    )
    deemed = facts.people["deemed_months"]
    return exact_product([base, facts.index, deemed], numerator), denominator


TRANSITIONAL_KERNELS = {"indexed_wage_deemed_years": _indexed_wage_deemed_years}


def _base_wages(years: Int64s, context: Context) -> tuple[Int64s, int]:
    """计发基数 of each retirement year × 10^places (``pension.base_wage``), and the places."""
    name = "pension.base_wage"
    series = context.params.value(name, context.on, region=context.region)
    places = max(_places(Decimal(value)) for value in series.values())

    def scaled_base(year: int) -> int:
        if year not in series:
            raise InvalidInputError(
                f"参数{name}没有{year}年的取值（现有{min(series)}—{max(series)}年）",
                field="retirement_month",
            )
        return int(Decimal(series[year]).scaleb(places))

    return tabulate(years, scaled_base), places


def _places(value: Decimal) -> int:
    """Digits after the decimal point.

    >>> _places(Decimal("0.012")), _places(Decimal("8000")), _places(Decimal("8E+3"))
    (3, 0, 0)
    """
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _hundredths(months: Decimal) -> int:
    hundredths = months.scaleb(2)
    if hundredths != hundredths.to_integral_value():
        raise InvalidInputError(f"计发月数{months}超过两位小数", field="pension.payout_months")
    return int(hundredths)


def _reduced(numerator: int, denominator: int) -> tuple[int, int]:
    divisor = gcd(numerator, denominator)
    return numerator // divisor, denominator // divisor
