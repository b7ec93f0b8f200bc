"""Batch path: eligibility and basic pension of a whole population from columnar input.

For fund checks (基金测算) and benefit adjustments: one call takes NumPy arrays for a whole
population and gives, per person, the statutory retirement month (办法第一条, 附件1–3), whether
a chosen retirement month lies in the flexible window (办法第三条; 人社部发〔2024〕94号, in force
2025-01-01), the minimum contribution of the reference year and whether the person is eligible
— minimum met and month within the window (办法第二条, 附件4; 人社部发〔2024〕94号 for flexible
retirement) — and the pension components of 国发〔2005〕38号 (``batch_money``): exactly what the
scalar path (``retirement_age``, ``flexible``, ``pension``) gives for that person.

Explanations are not produced here: the scalar path remains the one that explains (and is
ledgered for) a single decision. Parameters are read once per call, for ``on`` and ``region``.

How the result stays equal to the scalar one, to the fen:

- Rules over small discrete domains — statutory retirement month and flexible window by
  category and birth month, minimum contribution by year, 计发月数 by age in months — are
  tabulated by calling the scalar functions once per distinct value present, so each rule keeps
  a single implementation.
- Money is integer. Each component is the exact rational of the scalar formula (an integer
  numerator over a denominator) and is rounded as ``pension.rounding_order`` says, exactly as
  the scalar rounds its exact rationals: each component half up to the fen and then summed
  (``components_then_sum``, [P01]), or the exact sum half up to the fen with the components to
  4 places (``sum_then_round``). 过渡性养老金 takes the form ``pension.transitional_formula``
  names: in integers where ``batch_money.TRANSITIONAL_KERNELS`` has a kernel for it, otherwise
  through the form's own function in ``transitional``, person by person (not vectorised).
- 平均缴费指数 (Σ wage ÷ 社平工资) is summed in float64 (``batch_kernels``, error < 1e-13); a
  person whose value lies within 1e-9 (relative) of a rounding half-point is recomputed by
  ``average_contribution_index``.

Input: months are ``YearMonth.index`` values; money is integer fen; the history is flat
(``ContributionRows``, rows of a person in chronological order without overlap); narrow
dtypes (int16 months, int32 wages) are welcome. Contribution months N = paid months + 视同.

The scalar equivalent of a person: ``history.periods(i)`` as the history and ``deemed_months``
for ``average_contribution_index``; the result's Ī, contribution months (paid + deemed) and
``account_balance_fen`` in ``PensionFacts``; ``retirement_month`` (or the statutory one). A
chosen month (not ``STATUTORY``) is within the window when ``validate_flexible_request`` gives
none of ``flexible_not_in_force``, ``before_earliest``, ``after_latest`` for it; ``eligible`` is
the minimum met and the month within the window. A person given ``STATUTORY`` is always within.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from retirelink.errors import InvalidInputError
from retirelink.rules.batch_kernels import (
    STATUTORY,
    Bools,
    ContributionRows,
    Int64s,
    Integers,
    InverseWages,
    check_people,
    index_sums,
    refuse,
    round_half_up_index,
    tabulate,
)
from retirelink.rules.batch_money import Context, PensionArrays, pension_money
from retirelink.rules.calendar import YearMonth
from retirelink.rules.flexible import flexible_in_force, flexible_window
from retirelink.rules.parameters import ParameterSet
from retirelink.rules.pension import average_contribution_index
from retirelink.rules.retirement_age import (
    RetirementCategory,
    minimum_contribution,
    statutory_retirement,
)

__all__ = [
    "CATEGORIES",
    "STATUTORY",
    "ContributionRows",
    "PersonPension",
    "Population",
    "PopulationPensions",
    "calculate_population",
    "category_codes",
]

CATEGORIES = (RetirementCategory.MALE, RetirementCategory.FEMALE55, RetirementCategory.FEMALE50)
_REFERENCE_YEAR = (
    "eligibility.early_retirement_reference_year",
    "eligibility.late_retirement_reference_year",
)


def category_codes(categories: Iterable[RetirementCategory | str]) -> Int64s:
    """Codes (positions in ``CATEGORIES``) for categories, refusing unknown ones.

    >>> category_codes(["male", "female50"]).tolist()
    [0, 2]
    """
    codes = {category.value: code for code, category in enumerate(CATEGORIES)}
    try:
        return np.array([codes[RetirementCategory(item).value] for item in categories], np.int64)
    except ValueError:
        raise InvalidInputError("未知的退休人员类别", field="category") from None


@dataclass(frozen=True, slots=True)
class Population:
    """One array per fact, one element per person; months are ``YearMonth.index`` values.

    ``retirement_month`` None (or ``STATUTORY`` for a person) means the statutory month.
    """

    category: Integers
    birth_month: Integers
    deemed_months: Integers
    account_balance_fen: Integers
    history: ContributionRows
    retirement_month: Integers | None = None


@dataclass(frozen=True, slots=True)
class PersonPension:
    """One person's batch result as the scalar path writes it (``YearMonth``, ``Decimal``)."""

    statutory_retirement_month: YearMonth
    retirement_month: YearMonth
    start_month: YearMonth
    contribution_months: int
    minimum_months: int
    within_window: bool
    eligible: bool
    average_index: Decimal
    payout_months: Decimal
    indexed_wage: Decimal
    basic_pension: Decimal
    personal_account_pension: Decimal
    transitional_pension: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class PopulationPensions:
    """Per-person arrays; ``*_fen`` in fen, the three components × 10^component_places (2, or
    4 where ``pension.rounding_order`` is ``sum_then_round``), Ī × 10^index_places, 计发月数
    × 100.

    ``within_window``: the retirement month is the statutory one or a flexible month open to
    the person; ``eligible``: the minimum is met and ``within_window`` holds.
    """

    index_places: int
    component_places: int
    statutory_retirement_month: Int64s
    retirement_month: Int64s
    start_month: Int64s
    contribution_months: Int64s
    minimum_months: Int64s
    within_window: Bools
    eligible: Bools
    average_index: Int64s
    payout_months_hundredths: Int64s
    indexed_wage_fen: Int64s
    basic_pension: Int64s
    personal_account_pension: Int64s
    transitional_pension: Int64s
    total_fen: Int64s
    scalar_recomputed: int

    def __len__(self) -> int:
        return len(self.total_fen)

    def person(self, index: int) -> PersonPension:
        def money(values: Int64s, places: int = 2) -> Decimal:
            return Decimal(int(values[index])).scaleb(-places)

        def month(values: Int64s) -> YearMonth:
            return YearMonth.from_index(int(values[index]))

        return PersonPension(
            statutory_retirement_month=month(self.statutory_retirement_month),
            retirement_month=month(self.retirement_month),
            start_month=month(self.start_month),
            contribution_months=int(self.contribution_months[index]),
            minimum_months=int(self.minimum_months[index]),
            within_window=bool(self.within_window[index]),
            eligible=bool(self.eligible[index]),
            average_index=money(self.average_index, self.index_places),
            payout_months=money(self.payout_months_hundredths),
            indexed_wage=money(self.indexed_wage_fen),
            basic_pension=money(self.basic_pension, self.component_places),
            personal_account_pension=money(self.personal_account_pension, self.component_places),
            transitional_pension=money(self.transitional_pension, self.component_places),
            total=money(self.total_fen),
        )


def calculate_population(
    population: Population, *, on: date, region: str, params: ParameterSet
) -> PopulationPensions:
    """Eligibility and pension of every person, equal to the scalar path's to the fen."""
    context = Context(on, region, params)
    people = _people(population, on)
    statutory = tabulate(
        people["birth_month"] * 4 + people["category"],
        lambda key: (
            statutory_retirement(
                CATEGORIES[key % 4], YearMonth.from_index(key // 4), on=on, params=params
            ).retirement_month.index
        ),
    )
    retirement = np.where(
        people["retirement_month"] == STATUTORY, statutory, people["retirement_month"]
    )
    refuse(retirement < people["birth_month"], "retirement_month", "退休年月早于出生年月")
    within = _within_window(people, retirement, context)
    index, places, paid, recomputed = _average_index(people, population.history, context)
    months = paid + people["deemed_months"]
    minimum = _minimum_months(statutory, retirement, context)
    money = pension_money(PensionArrays(people, retirement, index, places, months), context)
    start_rule = params.value("pension.start_month_rule", on, region=region)
    return PopulationPensions(
        index_places=places,
        component_places=money.places,
        statutory_retirement_month=statutory,
        retirement_month=retirement,
        start_month=retirement + (0 if start_rule == "retirement_month" else 1),
        contribution_months=months,
        minimum_months=minimum,
        within_window=within,
        eligible=(months >= minimum) & within,
        average_index=index,
        payout_months_hundredths=money.payout_hundredths,
        indexed_wage_fen=money.indexed,
        basic_pension=money.parts[0],
        personal_account_pension=money.parts[1],
        transitional_pension=money.parts[2],
        total_fen=money.total,
        scalar_recomputed=recomputed,
    )


def _people(population: Population, on: date) -> dict[str, Int64s]:
    chosen = population.retirement_month
    count = len(np.asarray(population.category))
    arrays = {
        "category": population.category,
        "birth_month": population.birth_month,
        "deemed_months": population.deemed_months,
        "account_balance_fen": population.account_balance_fen,
        "retirement_month": np.full(count, STATUTORY) if chosen is None else chosen,
    }
    latest_birth = YearMonth.of(on).index
    return check_people(
        arrays, population.history, categories=len(CATEGORIES), latest_birth=latest_birth
    )


# --------------------------------------------------------------------------------------------
# 平均缴费指数 (policy-spec §4.1 [P03]) and the minimum contribution (办法第二条, 附件4)
# --------------------------------------------------------------------------------------------


def _average_index(
    people: dict[str, Int64s], history: ContributionRows, context: Context
) -> tuple[Int64s, int, Int64s, int]:
    """Ī × 10^places, the places, the paid months, and how many went through the scalar."""
    on, region, params = context.on, context.region, context.params
    wages = params.value("pension.average_wage", on, region=region)
    deemed_index = params.value("pension.deemed_contribution_index", on, region=region)
    places = int(params.value("pension.index_decimal_places", on, region=region))
    paid_sums, paid = index_sums(history, _inverse_wages(wages))
    deemed = people["deemed_months"]
    months = paid + deemed
    refuse(months == 0, "history", "没有缴费月份，无法计算平均缴费指数")
    deemed_sums = deemed * float(deemed_index)
    index, unsure = round_half_up_index(paid_sums, deemed_sums.astype(np.float64), months, places)
    for person in np.flatnonzero(unsure).tolist():
        exact = average_contribution_index(
            history.periods(person),
            deemed_months=int(deemed[person]),
            on=on,
            region=region,
            params=params,
        )
        index[person] = int(exact.value.scaleb(places))
    return index, places, paid, int(unsure.sum())


def _inverse_wages(series: dict[int, Decimal]) -> InverseWages:
    """1 ÷ 社平工资 (in fen) per month of the series' years; NaN for a year without a value."""
    first, last = min(series), max(series)
    yearly = np.full(last - first + 1, np.nan)
    for year, wage in series.items():
        if wage > 0:
            yearly[year - first] = 1.0 / float(wage * 100)
    return InverseWages(first * 12, np.repeat(yearly, 12))


def _within_window(people: dict[str, Int64s], retirement: Int64s, context: Context) -> Bools:
    """Whether each retirement month may be chosen: 办法第三条 (flexible window from
    ``flexible_window``, tabulated per category and birth month) and 人社部发〔2024〕94号 (no
    flexible month at all for a statutory month before it took effect: ``flexible_in_force``).
    A person given ``STATUTORY`` retires in the statutory month and is always within."""
    on, params = context.on, context.params
    within = np.ones(len(retirement), dtype=np.bool_)
    chosen = np.flatnonzero(people["retirement_month"] != STATUTORY)
    if not len(chosen):
        return within
    bounds: dict[int, tuple[int, int]] = {}

    def bound(key: int, side: int) -> int:
        if key not in bounds:
            category, birth = CATEGORIES[key % 4], YearMonth.from_index(key // 4)
            window = flexible_window(category, birth, on=on, params=params)
            statutory = window.statutory.retirement_month.index
            bounds[key] = (
                (window.earliest_month.index, window.latest_month.index)
                if flexible_in_force(window, on=on, params=params)
                else (statutory, statutory)
            )
        return bounds[key][side]

    keys = (people["birth_month"] * 4 + people["category"])[chosen]
    earliest = tabulate(keys, lambda key: bound(key, 0))
    latest = tabulate(keys, lambda key: bound(key, 1))
    month = retirement[chosen]
    within[chosen] = (earliest <= month) & (month <= latest)
    return within


def _minimum_months(statutory: Int64s, retirement: Int64s, context: Context) -> Int64s:
    """Minimum months for the reference year: the statutory year; for flexible retirement the
    year 人社部发〔2024〕94号 第七条 ([S], parameters) names — early: the actual year."""
    on, params = context.on, context.params
    early_rule, late_rule = (params.value(name, on) for name in _REFERENCE_YEAR)
    year, actual = statutory // 12, retirement // 12
    year = np.where((retirement < statutory) & (early_rule == "retirement_year"), actual, year)
    year = np.where((retirement > statutory) & (late_rule == "retirement_year"), actual, year)
    return tabulate(
        year, lambda key: minimum_contribution(key, on=on, params=params).required_months
    )
