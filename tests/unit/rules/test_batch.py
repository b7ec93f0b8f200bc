"""Batch path: equal to the scalar path to the fen for every person, [P01], and bad input."""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retirelink.errors import InvalidInputError
from retirelink.rules import batch_money
from retirelink.rules.account import ContributionPeriod
from retirelink.rules.batch import (
    CATEGORIES,
    STATUTORY,
    ContributionRows,
    PersonPension,
    Population,
    PopulationPensions,
    calculate_population,
    category_codes,
)
from retirelink.rules.batch_exact import Rational, half_up_sum
from retirelink.rules.calendar import YearMonth
from retirelink.rules.flexible import FlexibleRequest, RequestProblem, validate_flexible_request
from retirelink.rules.money import ROUNDING_ORDERS
from retirelink.rules.parameters import DatedValue, Parameter, ParameterSet, load_parameters
from retirelink.rules.pension import PensionFacts, average_contribution_index, calculate_pension
from retirelink.rules.retirement_age import minimum_contribution, statutory_retirement
from retirelink.rules.transitional import (
    TRANSITIONAL_FORMULAS,
    TransitionalFacts,
    TransitionalFormula,
)

SHIPPED = load_parameters()
REGION = "130000"
ON = date(2025, 6, 1)
SERIES_YEARS = range(1960, 2071)


def with_values(values: dict[str, object]) -> ParameterSet:
    """The shipped parameters with test-only values for REGION (marked illustrative)."""
    parameters = {(item.name, item.scope): item for item in SHIPPED}
    for name, value in values.items():
        unit = SHIPPED.parameter(name, region=REGION).unit
        dated = DatedValue(date(1900, 1, 1), value, "测试用例", "U", illustrative=True)
        parameters[(name, REGION)] = Parameter(name, REGION, f"{name}（测试）", unit, "", (dated,))
    return ParameterSet(parameters)


def yuan_series(start: int, step: int, offset: int = 0) -> dict[int, Decimal]:
    """A yearly series in yuan with fen: start + step × (year − 1960) + offset, in fen."""
    return {
        year: Decimal(start + step * (year - SERIES_YEARS[0]) + offset).scaleb(-2)
        for year in SERIES_YEARS
    }


def long_series_params(**choices: object) -> ParameterSet:
    """Series long enough for careers from 1971 and retirements up to 2056 (test-only)."""
    return with_values(
        {
            "pension.average_wage": yuan_series(31_337, 13_071),
            "pension.base_wage": yuan_series(33_301, 13_229, offset=7),
            "pension.transition_coefficient": Decimal("0.012"),
            **choices,
        }
    )


# --------------------------------------------------------------------------------------------
# Building columnar input, and the scalar path for one person
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Career:
    category: int
    birth: YearMonth
    periods: tuple[ContributionPeriod, ...]
    deemed_months: int
    balance_fen: int
    retirement_shift: int | None  # months from the statutory month; None: statutory


def population_of(
    careers: list[Career], *, monthly: bool, params: ParameterSet = SHIPPED
) -> Population:
    rows = [month_rows(career.periods) if monthly else career.periods for career in careers]
    flat = [period for person in rows for period in person]
    statutory = [statutory_month(career, params).index for career in careers]
    return Population(
        category=np.array([career.category for career in careers], dtype=np.int8),
        birth_month=np.array([career.birth.index for career in careers], dtype=np.int32),
        deemed_months=np.array([career.deemed_months for career in careers]),
        account_balance_fen=np.array([career.balance_fen for career in careers]),
        history=ContributionRows(
            offsets=np.cumsum([0, *map(len, rows)]),
            start=np.array([period.start.index for period in flat], dtype=np.int16),
            end=None if monthly else np.array([period.end.index for period in flat]),
            monthly_wage_fen=np.array(
                [int(period.monthly_wage * 100) for period in flat], dtype=np.int32
            ),
        ),
        retirement_month=np.array(
            [
                STATUTORY if career.retirement_shift is None else month + career.retirement_shift
                for career, month in zip(careers, statutory, strict=True)
            ]
        ),
    )


def month_rows(periods: tuple[ContributionPeriod, ...]) -> tuple[ContributionPeriod, ...]:
    return tuple(
        ContributionPeriod(month, month, period.monthly_wage)
        for period in periods
        for month in map(period.start.plus, range(period.end - period.start + 1))
    )


def statutory_month(career: Career, params: ParameterSet) -> YearMonth:
    category = CATEGORIES[career.category]
    return statutory_retirement(category, career.birth, on=ON, params=params).retirement_month


def scalar(
    career: Career, history: list[ContributionPeriod], params: ParameterSet
) -> PersonPension:
    """What the scalar path decides for one person (the reference of every batch result)."""
    statutory = statutory_month(career, params)
    retirement = statutory.plus(career.retirement_shift or 0)
    index = average_contribution_index(
        history, deemed_months=career.deemed_months, on=ON, region=REGION, params=params
    )
    facts = PensionFacts(
        birth_month=career.birth,
        retirement_month=retirement,
        average_index=index.value,
        contribution_months=index.total_months,
        deemed_months=career.deemed_months,
        account_balance=Decimal(career.balance_fen).scaleb(-2),
    )
    pension = calculate_pension(facts, on=ON, region=REGION, params=params)
    # Reference year of the minimum (人社部发〔2024〕94号 第七条, shipped choices): the actual
    # year for an early retirement, the statutory year otherwise.
    year = retirement.year if retirement < statutory else statutory.year
    minimum = minimum_contribution(year, on=ON, params=params).required_months
    within = career.retirement_shift is None or within_flexible_window(career, retirement, params)
    return PersonPension(
        statutory_retirement_month=statutory,
        retirement_month=retirement,
        start_month=pension.start_month,
        contribution_months=index.total_months,
        minimum_months=minimum,
        within_window=within,
        eligible=index.total_months >= minimum and within,
        average_index=index.value,
        payout_months=pension.payout_months,
        indexed_wage=pension.indexed_wage,
        basic_pension=pension.basic_pension,
        personal_account_pension=pension.personal_account_pension,
        transitional_pension=pension.transitional_pension,
        total=pension.total,
    )


WINDOW_PROBLEMS = {
    RequestProblem.FLEXIBLE_NOT_IN_FORCE,
    RequestProblem.BEFORE_EARLIEST,
    RequestProblem.AFTER_LATEST,
}


def within_flexible_window(career: Career, retirement: YearMonth, params: ParameterSet) -> bool:
    """Whether the scalar request check (办法第三条; 人社部发〔2024〕94号) finds the chosen month
    inside the person's flexible window — notice and agreement are not batch facts."""
    request = FlexibleRequest(CATEGORIES[career.category], career.birth, retirement, 0)
    decision = validate_flexible_request(request, on=ON, params=params)
    return not {refusal.problem for refusal in decision.refusals} & WINDOW_PROBLEMS


def assert_equal_to_scalar(
    result: PopulationPensions, population: Population, careers: list[Career], params: ParameterSet
) -> None:
    assert len(result) == len(careers)
    for person, career in enumerate(careers):
        expected = scalar(career, population.history.periods(person), params)
        assert result.person(person) == expected, f"person {person}: {career}"


# --------------------------------------------------------------------------------------------
# Property: batch == scalar for random careers, every component, to the fen
# --------------------------------------------------------------------------------------------

MONTHS_1955_TO_1990 = (YearMonth(1955, 1).index, YearMonth(1990, 12).index)


@st.composite
def careers(draw: Any) -> Career:
    birth = YearMonth.from_index(draw(st.integers(*MONTHS_1955_TO_1990)))
    month = birth.plus(draw(st.integers(16 * 12, 30 * 12)))
    periods = []
    for _ in range(draw(st.integers(1, 5))):
        start = month.plus(draw(st.integers(0, 30)))
        end = start.plus(draw(st.integers(0, 40)))
        wage = Decimal(draw(st.integers(0, 5_000_000))).scaleb(-2)
        periods.append(ContributionPeriod(start, end, wage))
        month = end.plus(1)
    shift = draw(st.one_of(st.none(), st.integers(-36, 36)))
    return Career(
        category=draw(st.integers(0, len(CATEGORIES) - 1)),
        birth=birth,
        periods=tuple(periods),
        deemed_months=draw(st.integers(0, 300)),
        balance_fen=draw(st.integers(0, 80_000_000)),
        retirement_shift=shift,
    )


def province_form(facts: TransitionalFacts) -> Fraction:
    """A test-only province form without a batch kernel (B × N视同 ÷ 12 × 过渡系数): the batch
    computes it through this function, person by person."""
    return Fraction(facts.base_wage) * facts.deemed_months * Fraction(facts.coefficient) / 12


PROVINCE_FORMS = {
    "test_base_deemed_years": TransitionalFormula("按计发基数（测试）", "B × N × c", province_form)
}

parameter_choices = st.fixed_dictionaries(
    {
        "pension.payout_months_age_rule": st.sampled_from(["completed_years", "interpolate"]),
        "pension.start_month_rule": st.sampled_from(["month_after_retirement", "retirement_month"]),
        "pension.deemed_contribution_index": st.sampled_from([Decimal("1.0"), Decimal("0.6")]),
        "pension.transition_coefficient": st.sampled_from(
            [Decimal("0.012"), Decimal("0.014"), Decimal("0.0133")]
        ),
        "pension.index_decimal_places": st.sampled_from([4, 2]),
        "pension.rounding_order": st.sampled_from(["components_then_sum", "sum_then_round"]),
        "pension.transitional_formula": st.sampled_from(
            ["indexed_wage_deemed_years", "test_base_deemed_years"]
        ),
    }
)


@settings(max_examples=200, deadline=None)
@given(st.lists(careers(), min_size=1, max_size=6), parameter_choices, st.booleans())
def test_the_batch_equals_the_scalar_path_for_every_person(people, choices, monthly):
    params = long_series_params(**choices)
    population = population_of(people, monthly=monthly, params=params)

    with patch.dict(TRANSITIONAL_FORMULAS, PROVINCE_FORMS):
        result = calculate_population(population, on=ON, region=REGION, params=params)

        sum_only = choices["pension.rounding_order"] == "sum_then_round"
        assert result.component_places == (4 if sum_only else 2)
        assert_equal_to_scalar(result, population, people, params)


# --------------------------------------------------------------------------------------------
# Worked example [P01] through the batch (policy-spec §4.1)
# --------------------------------------------------------------------------------------------

P01_OVERRIDES = (
    "pension.base_wage",
    "pension.average_wage",
    "pension.deemed_contribution_index",
    "pension.transition_coefficient",
    "pension.payout_months_age_rule",
    "pension.start_month_rule",
)
P01_PARAMS = with_values(
    {
        "pension.base_wage": {year: Decimal(8000) for year in range(2000, 2031)},
        "pension.average_wage": {year: Decimal(5000) for year in range(1990, 2026)},
        "pension.deemed_contribution_index": Decimal("1.2"),
        "pension.transition_coefficient": Decimal("0.012"),
        "pension.payout_months_age_rule": "completed_years",
        "pension.start_month_rule": "month_after_retirement",
    }
)
# Ī = 1.2 (every paid month at 6000 against 5000, 视同 at 1.2), N = 480 with 118 视同, born
# 1965-05 and retiring 2025-05 at exactly 60 (flexible early: the statutory month is 2025-07).
P01 = Career(
    category=0,
    birth=YearMonth(1965, 5),
    periods=(ContributionPeriod(YearMonth(1995, 3), YearMonth(2025, 4), Decimal(6000)),),
    deemed_months=118,
    balance_fen=15_000_000,
    retirement_shift=-2,
)


@pytest.mark.parametrize("monthly", [False, True], ids=["periods", "months"])
def test_the_worked_example_p01_pays_5731_94_through_the_batch(monthly):
    population = population_of([P01], monthly=monthly, params=P01_PARAMS)

    result = calculate_population(population, on=ON, region=REGION, params=P01_PARAMS)

    person = result.person(0)
    assert person.statutory_retirement_month == YearMonth(2025, 7)
    assert person.retirement_month == YearMonth(2025, 5)
    assert (person.contribution_months, person.minimum_months, person.eligible) == (480, 180, True)
    assert person.average_index == Decimal("1.2000")
    assert person.payout_months == Decimal(139)
    assert person.indexed_wage == Decimal("9600.00")
    assert person.basic_pension == Decimal("3520.00")
    assert person.personal_account_pension == Decimal("1079.14")
    assert person.transitional_pension == Decimal("1132.80")
    assert person.total == Decimal("5731.94")
    assert person.start_month == YearMonth(2025, 6)
    assert result.total_fen.tolist() == [573194]
    assert_equal_to_scalar(result, population, [P01], P01_PARAMS)


def test_the_worked_example_p01_rounding_only_the_total_through_the_batch():
    params = with_values(
        {
            **{name: P01_PARAMS.value(name, ON, region=REGION) for name in P01_OVERRIDES},
            "pension.rounding_order": "sum_then_round",
        }
    )
    # 481 months (119 视同) and 150001.00: 3527.3333 + 1079.1439 + 1142.4000 = 5748.8772 →
    # 5748.88, where rounding each component first gives 3527.33 + 1079.14 + 1142.40 = 5748.87.
    fractions = replace(P01, balance_fen=15_000_100, deemed_months=119)
    population = population_of([P01, fractions], monthly=False, params=params)

    result = calculate_population(population, on=ON, region=REGION, params=params)

    assert result.component_places == 4
    person = result.person(0)
    assert (person.basic_pension, person.personal_account_pension) == (
        Decimal("3520.0000"),
        Decimal("1079.1367"),
    )
    assert (person.transitional_pension, person.total) == (Decimal("1132.8000"), Decimal("5731.94"))
    assert result.person(1).contribution_months == 481
    assert result.total_fen.tolist()[1] == 574888
    assert_equal_to_scalar(result, population, [P01, fractions], params)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("pension.rounding_order", "round_down_each"),
        ("pension.transitional_formula", "base_deemed_years"),
    ],
)
def test_a_choice_without_a_rule_is_refused_by_the_batch_as_by_the_scalar_path(name, value):
    params = with_values(
        {**{key: P01_PARAMS.value(key, ON, region=REGION) for key in P01_OVERRIDES}, name: value}
    )
    population = population_of([P01], monthly=False, params=params)

    with pytest.raises(InvalidInputError) as excinfo:
        calculate_population(population, on=ON, region=REGION, params=params)

    assert excinfo.value.field == name
    assert f"“{value}”没有对应的计算规则" in excinfo.value.message


def test_the_batch_has_a_rounding_for_every_order_and_kernels_only_for_known_forms():
    assert set(batch_money.ROUNDINGS) == set(ROUNDING_ORDERS)
    assert set(batch_money.TRANSITIONAL_KERNELS) <= set(TRANSITIONAL_FORMULAS)


def test_a_sum_of_rationals_too_large_for_int64_is_rounded_in_python_integers():
    big = 10**18  # the denominators' product leaves no room in int64
    terms: list[Rational] = [
        (np.array([big // 2 - 1, big // 2 - 1, 1]), big),
        (np.array([1, 0, 3]), np.array([big, big, 8])),
    ]

    # Exactly one half → 1; one 10^18th below it → 0; 10^-18 + 3/8 → 0.
    assert half_up_sum(terms).tolist() == [1, 0, 0]


def test_a_short_career_is_not_eligible_but_still_priced_like_the_scalar_path():
    periods = (replace(P01.periods[0], start=YearMonth(2014, 1)),)
    short = replace(P01, periods=periods, deemed_months=0, retirement_shift=None)
    population = population_of([short, P01], monthly=False, params=P01_PARAMS)

    result = calculate_population(population, on=ON, region=REGION, params=P01_PARAMS)

    assert result.eligible.tolist() == [False, True]
    assert result.contribution_months.tolist() == [136, 480]
    assert result.minimum_months.tolist() == [180, 180]
    assert_equal_to_scalar(result, population, [short, P01], P01_PARAMS)


def test_a_retirement_month_outside_the_flexible_window_is_not_eligible():
    # Born 1970-01: statutory 2031-05 (61岁4个月), window 2030-01 (60) to 2034-05. Retiring in
    # 2025-01 is five years before the original age: 480 months are not enough to be eligible.
    too_early = Career(
        category=0,
        birth=YearMonth(1970, 1),
        periods=(ContributionPeriod(YearMonth(1990, 1), YearMonth(2024, 12), Decimal(6000)),),
        deemed_months=0,
        balance_fen=15_000_000,
        retirement_shift=YearMonth(2025, 1) - YearMonth(2031, 5),
    )
    # P01's statutory month is 2025-07 and its latest flexible month 2028-07.
    too_late = replace(P01, retirement_shift=37)
    latest = replace(P01, retirement_shift=36)
    population = population_of([too_early, too_late, latest, P01], monthly=False, params=P01_PARAMS)

    result = calculate_population(population, on=ON, region=REGION, params=P01_PARAMS)

    assert result.eligible.tolist() == [False, False, True, True]
    assert result.within_window.tolist() == [False, False, True, True]
    assert result.retirement_month[0] == YearMonth(2025, 1).index
    assert result.minimum_months[0] == 180
    assert result.contribution_months[0] >= 180
    assert_equal_to_scalar(result, population, [too_early, too_late, latest, P01], P01_PARAMS)


def test_no_flexible_month_is_open_to_a_person_due_to_retire_before_2025():
    # Born 1964-06, statutory 2024-06: 人社部发〔2024〕94号 took effect in 2025-01, so delaying
    # to 2025-09 is not open to him although it is within 36 months; his statutory month is.
    before = Career(
        category=0,
        birth=YearMonth(1964, 6),
        periods=(ContributionPeriod(YearMonth(1990, 1), YearMonth(2024, 5), Decimal(6000)),),
        deemed_months=0,
        balance_fen=15_000_000,
        retirement_shift=15,
    )
    at_statutory = replace(before, retirement_shift=0)
    population = population_of([before, at_statutory], monthly=False, params=P01_PARAMS)

    result = calculate_population(population, on=ON, region=REGION, params=P01_PARAMS)

    assert result.statutory_retirement_month.tolist() == [YearMonth(2024, 6).index] * 2
    assert result.eligible.tolist() == [False, True]
    assert result.within_window.tolist() == [False, True]
    assert_equal_to_scalar(result, population, [before, at_statutory], P01_PARAMS)


# --------------------------------------------------------------------------------------------
# Cases on a rounding half-point: the batch follows the scalar path (recomputing through it)
# --------------------------------------------------------------------------------------------

HALF_POINT_PARAMS = with_values(
    {
        "pension.average_wage": {year: Decimal(3000) for year in range(1990, 2031)},
        "pension.base_wage": {2025: Decimal(7333)},
        "pension.deemed_contribution_index": Decimal("2.0"),
        "pension.transition_coefficient": Decimal("0.018"),
    }
)


@pytest.mark.parametrize("monthly", [False, True], ids=["one period", "months"])
def test_an_index_exactly_on_a_half_point_is_rounded_as_the_scalar_path_rounds_it(monthly):
    # 174 months at 1000 ÷ 3000 and 146 at 0: Ī = 58 ÷ 320 = 0.18125 exactly → 0.1813. The
    # batch's float sum cannot tell so close to a half, so it recomputes such a person through
    # the scalar function (exact rationals) and follows it however the history is split.
    start = YearMonth(1995, 1)
    career = Career(
        category=0,
        birth=YearMonth(1965, 1),
        periods=(
            ContributionPeriod(start, start.plus(173), Decimal(1000)),
            ContributionPeriod(start.plus(174), start.plus(319), Decimal(0)),
        ),
        deemed_months=0,
        balance_fen=0,
        retirement_shift=None,
    )
    population = population_of([career], monthly=monthly, params=HALF_POINT_PARAMS)

    result = calculate_population(population, on=ON, region=REGION, params=HALF_POINT_PARAMS)

    assert result.scalar_recomputed >= 1
    assert_equal_to_scalar(result, population, [career], HALF_POINT_PARAMS)


def test_a_transitional_pension_on_a_half_fen_rounds_up_as_the_scalar_path_does():
    # 7333 × 2.0 × 125 × 1.8% ÷ 12 = 2749.875 exactly → 2749.88. Both paths compute the exact
    # rational (the scalar in fractions, the batch in integers), so nobody is recomputed.
    career = Career(
        category=0,
        birth=YearMonth(1965, 1),
        periods=(ContributionPeriod(YearMonth(2000, 1), YearMonth(2000, 12), Decimal(6000)),),
        deemed_months=125,
        balance_fen=0,
        retirement_shift=None,
    )
    population = population_of([career], monthly=False, params=HALF_POINT_PARAMS)

    result = calculate_population(population, on=ON, region=REGION, params=HALF_POINT_PARAMS)

    assert result.person(0).average_index == Decimal("2.0000")
    assert result.person(0).transitional_pension == Decimal("2749.88")
    assert result.scalar_recomputed == 0
    assert_equal_to_scalar(result, population, [career], HALF_POINT_PARAMS)


# --------------------------------------------------------------------------------------------
# Bad input: an InvalidInputError naming the field (and the person)
# --------------------------------------------------------------------------------------------


def p01_population(**changes: Any) -> Population:
    return replace(population_of([P01, P01], monthly=False, params=P01_PARAMS), **changes)


def history_with(**changes: Any) -> ContributionRows:
    return replace(p01_population().history, **changes)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"deemed_months": np.array([118])}, "deemed_months", "应为2个"),
        ({"category": np.array([0, 1, 2])}, "birth_month", "应为3个"),
        ({"account_balance_fen": np.array([1.5, 2.5])}, "account_balance_fen", "整数数组"),
        ({"deemed_months": np.array([118, -1])}, "deemed_months", "第2人：视同缴费月数不能为负"),
        ({"account_balance_fen": np.array([-1, 0])}, "account_balance_fen", "第1人"),
        ({"category": np.array([0, 3])}, "category", "未知的退休人员类别"),
        ({"birth_month": np.array([0, 0])}, "birth_month", "超出可计算范围"),
        ({"retirement_month": np.array([STATUTORY, 1000])}, "retirement_month", "超出可计算范围"),
        ({"history": "offsets"}, "history.offsets", "应为3个"),
        ({"history": "start"}, "history.start", "一维整数数组"),
        ({"history": "wage"}, "history.monthly_wage_fen", "第2人第1段：缴费工资不能为负"),
        ({"history": "end"}, "history.end", "结束年月早于开始年月"),
        ({"history": "overlap"}, "history.start", "第1人第2段：缴费期间未按时间顺序排列或相互重叠"),
        ({"history": "early"}, "history.start", "早于社平工资序列"),
        (
            {"history": "empty", "deemed_months": np.array([0, 118])},
            "history",
            "第1人：没有缴费月份",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(changes, field, message):
    population = p01_population(**{**changes, **bad_history(changes.get("history"))})

    with pytest.raises(InvalidInputError) as excinfo:
        calculate_population(population, on=ON, region=REGION, params=P01_PARAMS)

    assert excinfo.value.field == field
    assert message in excinfo.value.message


def bad_history(kind: str | None) -> dict[str, ContributionRows]:
    history = p01_population().history
    start, end = np.asarray(history.start), np.asarray(history.end)
    p01_start, p01_end = P01.periods[0].start.index, P01.periods[0].end.index
    two_rows = {
        "offsets": np.array([0, 2, 2]),
        "start": np.array([p01_start, p01_start + 12]),
        "end": np.array([p01_start + 20, p01_end]),
        "monthly_wage_fen": np.array([600_000, 600_000]),
    }
    variants = {
        "offsets": {"offsets": np.array([0, 2])},
        "start": {"start": start.astype(np.float64)},
        "wage": {"monthly_wage_fen": np.array([600_000, -1])},
        "end": {"end": np.array([end[0], start[1] - 1])},
        "overlap": two_rows,
        "early": {"start": np.array([YearMonth(1989, 12).index, start[1]])},
        "empty": {
            "offsets": np.array([0, 0, 1]),
            "start": np.array([p01_start]),
            "end": np.array([p01_end]),
            "monthly_wage_fen": np.array([600_000]),
        },
    }
    if kind is None:
        return {}
    return {"history": replace(history, **variants[kind])}


def test_an_age_outside_the_payout_table_is_refused_naming_the_person():
    population = p01_population(retirement_month=np.array([STATUTORY, YearMonth(2004, 5).index]))

    with pytest.raises(InvalidInputError) as excinfo:
        calculate_population(population, on=ON, region=REGION, params=P01_PARAMS)

    assert excinfo.value.field == "age_months"
    assert excinfo.value.message.startswith("第2人：39岁不在计发月数表")


def test_a_retirement_year_without_a_base_wage_is_refused():
    population = p01_population(retirement_month=np.array([STATUTORY, YearMonth(2031, 5).index]))

    with pytest.raises(InvalidInputError) as excinfo:
        calculate_population(population, on=ON, region=REGION, params=P01_PARAMS)

    assert excinfo.value.field == "retirement_month"
    assert excinfo.value.message.startswith("第2人：参数pension.base_wage没有2031年的取值")


def test_category_codes_are_positions_in_categories():
    assert category_codes(["male", "female55", "female50"]).tolist() == [0, 1, 2]
    with pytest.raises(InvalidInputError) as excinfo:
        category_codes(["worker"])
    assert excinfo.value.field == "category"


def test_an_empty_population_gives_empty_results():
    history = ContributionRows(np.array([0]), np.array([], np.int32), np.array([], np.int32))
    empty = np.array([], np.int64)
    population = Population(empty, empty, empty, empty, history)

    result = calculate_population(population, on=ON, region=REGION, params=P01_PARAMS)

    assert len(result) == 0
