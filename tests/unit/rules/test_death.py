"""Death: stop month, overpayment, 丧葬补助金 and 抚恤金, offset and fraud fine (policy-spec §5.2).

Also holds the small helpers the suspension and duplicate runners share (reading money,
months and paid periods from the scenario files, and matching results against ``expect``).
"""

import dataclasses
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth
from retirelink.rules.death import (
    Deceased,
    calculate_death_overpayment,
    calculate_survivor_benefits,
    fraud_fine_range,
    months_text,
    settle_death,
)
from retirelink.rules.parameters import DatedValue, Parameter, ParameterSet, load_parameters
from retirelink.rules.payments import PaidPeriod
from tests.unit.rules.cases import load_cases

DIED_ON = date(2025, 3, 15)
TEST_REGION = "990000"  # a made-up province whose income the case supplies
INCOME = "survivors.urban_monthly_disposable_income"
DURATION = re.compile(r"^(?:(\d+)y)?(?:(\d+)m)?$")


# -- shared case helpers ---------------------------------------------------------------------


@cache
def shipped() -> ParameterSet:
    return load_parameters()


def with_parameter(
    name: str, value: Any, *, scope: str = "national", unit: str = "choice"
) -> ParameterSet:
    """The shipped parameters with one more (or replaced) value, effective since 2000."""
    parameters = {(item.name, item.scope): item for item in shipped()}
    original = parameters.get((name, "national"))
    choices = original.choices if original else ()
    dated = DatedValue(date(2000, 1, 1), value, "测试用参数", "U", illustrative=True)
    parameters[(name, scope)] = Parameter(name, scope, "测试参数", unit, "", (dated,), choices)
    return ParameterSet(parameters)


def ym(text: str | None) -> YearMonth | None:
    return None if text is None else YearMonth.parse(text)


def money(text: str | int | None) -> Decimal | None:
    return None if text is None else Decimal(str(text))


def paid_periods(rows: list[list[str]]) -> tuple[PaidPeriod, ...]:
    return tuple(PaidPeriod(YearMonth.parse(a), YearMonth.parse(b), Decimal(c)) for a, b, c in rows)


def months_of(duration: str) -> int:
    match = DURATION.match(duration)
    assert match and duration, duration
    return int(match.group(1) or 0) * 12 + int(match.group(2) or 0)


def plain(value: object) -> object:
    """Results as the scenario files write them (YearMonth and money as text)."""
    if isinstance(value, YearMonth):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Fraction):
        return months_text(value)
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    return value


def assert_matches(actual: object, expected: object, where: str = "result") -> None:
    """Every key of ``expected`` (nested dicts and lists too) equals the result's value."""
    if isinstance(expected, dict):
        for key, wanted in expected.items():
            if isinstance(actual, Mapping):
                found = actual[key]
            else:
                assert dataclasses.is_dataclass(actual), where
                found = getattr(actual, key)
            assert_matches(found, wanted, f"{where}.{key}")
    elif isinstance(expected, list) and expected and isinstance(expected[0], dict):
        assert isinstance(actual, tuple | list) and len(actual) == len(expected), where
        for number, (item, wanted) in enumerate(zip(actual, expected, strict=True)):
            assert_matches(item, wanted, f"{where}[{number}]")
    else:
        assert plain(actual) == expected, f"{where}: {plain(actual)!r} != {expected!r}"


# -- scenarios -------------------------------------------------------------------------------


def cases(rule: str) -> list[Any]:
    return [case for case in load_cases("death.yaml") if case.values[0]["rule"] == rule]


def params_with_income(income: str, year: int = DIED_ON.year - 1) -> ParameterSet:
    return with_parameter(INCOME, {year: Decimal(income)}, scope=TEST_REGION, unit="series")


def deceased_of(case: dict[str, Any], died_on: date) -> Deceased:
    pension_start = ym(case.get("pension_start"))
    if "received" in case:  # paid through the death month (死亡次月停发)
        pension_start = YearMonth.of(died_on).plus(1 - months_of(case["received"]))
    return Deceased(
        born_on=case.get("born_on", date(1955, 1, 1)),
        died_on=died_on,
        contribution_months=months_of(case["contribution"]),
        pension_start=pension_start,
    )


@pytest.mark.parametrize("case", cases("months"))
def test_survivor_pension_months(case):
    params = params_with_income("1000")

    result = calculate_survivor_benefits(
        deceased_of(case, DIED_ON), params=params, region=TEST_REGION
    )

    assert_matches(result, case["expect"])


@pytest.mark.parametrize("case", cases("benefits"))
def test_survivor_benefits(case):
    died_on = case.get("died_on", DIED_ON)
    params = params_with_income(case["income"], died_on.year - 1)

    result = calculate_survivor_benefits(
        deceased_of(case, died_on), params=params, region=TEST_REGION
    )

    assert_matches(result, case["expect"])


@pytest.mark.parametrize("case", cases("settlement"))
def test_death_settlement(case):
    died_on = case.get("died_on", DIED_ON)
    params = params_with_income(case["income"], died_on.year - 1)
    deceased = deceased_of(case, died_on)

    result = settle_death(
        deceased, paid=paid_periods(case["paid"]), params=params, region=TEST_REGION
    )

    assert_matches(result, case["expect"])


@pytest.mark.parametrize("case", cases("overpayment"))
def test_overpayment_after_death(case):
    result = calculate_death_overpayment(
        died_on=case["died_on"], paid=paid_periods(case["paid"]), params=shipped()
    )

    assert_matches(result, case["expect"])


@pytest.mark.parametrize("case", cases("fine"))
def test_fraud_fine_range(case):
    result = fraud_fine_range(money(case["amount"]) or Decimal(0), on=DIED_ON, params=shipped())

    assert_matches(result, case["expect"])


# -- explanations, parameters and regions ----------------------------------------------------


def test_the_x06_explanation_names_formula_inputs_parameters_and_references():
    deceased = Deceased(date(1960, 1, 1), DIED_ON, 345, YearMonth(2021, 10))

    explanation = calculate_survivor_benefits(
        deceased, params=params_with_income("2818.5"), region=TEST_REGION
    ).explanation

    months = explanation.step("pension_months")
    assert months.result == "19.25"
    assert months.inputs["领取养老金年限"] == "3年6个月"
    assert "人社部发〔2021〕18号" in months.references[0]
    assert explanation.step("参数:survivors.survivor_pension_months_retiree_minimum").result == "9"
    assert explanation.step("survivor_pension").result == "54256.13"


def test_hebei_uses_its_illustrative_prior_year_income_and_says_so():
    deceased = Deceased(date(1950, 1, 1), DIED_ON, 120)

    result = calculate_survivor_benefits(deceased, params=shipped(), region="130406")

    assert (result.income_year, result.monthly_income) == (2024, Decimal("3750.00"))
    assert result.funeral_grant == Decimal("7500.00")
    step = result.explanation.step(f"参数:{INCOME}")
    assert step.inputs["适用范围"] == "130000"
    assert step.inputs["示例值（待替换）"] == "true"


def test_a_missing_income_year_is_an_error_naming_the_parameter():
    deceased = Deceased(date(1950, 1, 1), date(2035, 1, 10), 120)

    with pytest.raises(InvalidInputError, match="2034年") as excinfo:
        calculate_survivor_benefits(deceased, params=shipped(), region="130406")

    assert excinfo.value.field == INCOME


def test_a_death_before_the_2021_measures_took_effect_is_not_computed_with_them():
    deceased = Deceased(date(1950, 1, 1), date(2021, 8, 31), 120)

    with pytest.raises(InvalidInputError, match="尚未生效"):
        calculate_survivor_benefits(
            deceased, params=params_with_income("1000", 2020), region=TEST_REGION
        )


def test_the_stop_month_convention_is_a_parameter():
    params = with_parameter("survivors.stop_month_after_death", "same_month")
    paid = (PaidPeriod(YearMonth(2025, 1), YearMonth(2025, 3), Decimal("3000")),)

    result = calculate_death_overpayment(died_on=DIED_ON, paid=paid, params=params)

    assert (result.stop_month, result.overpaid) == (YearMonth(2025, 3), Decimal("3000.00"))


# -- bad input -------------------------------------------------------------------------------

PAID = PaidPeriod(YearMonth(2024, 1), YearMonth(2024, 12), Decimal("3000"))


@pytest.mark.parametrize(
    ("deceased", "field"),
    [
        (Deceased(date(1960, 5, 1), date(1960, 4, 30), 0), "died_on"),
        (Deceased(date(1960, 5, 1), DIED_ON, 300, YearMonth(2025, 4)), "died_on"),
        (Deceased(date(1960, 5, 1), DIED_ON, -1), "contribution_months"),
    ],
    ids=["death before birth", "death before retirement", "negative contribution"],
)
def test_impossible_facts_are_refused_naming_the_field(deceased, field):
    with pytest.raises(InvalidInputError) as excinfo:
        settle_death(deceased, paid=(PAID,), params=params_with_income("1000"), region=TEST_REGION)

    assert excinfo.value.field == field
    assert re.search(r"[\u4e00-\u9fff]", excinfo.value.message)


@pytest.mark.parametrize(
    ("paid", "field"),
    [
        ((PaidPeriod(YearMonth(2024, 5), YearMonth(2024, 4), Decimal(1)),), "paid[0].last"),
        (
            (PaidPeriod(YearMonth(2024, 5), YearMonth(2024, 6), Decimal(-1)),),
            "paid[0].monthly_amount",
        ),
        ((PAID, PaidPeriod(YearMonth(2024, 12), YearMonth(2025, 2), Decimal(1))), "paid[1]"),
    ],
    ids=["reversed period", "negative amount", "overlapping periods"],
)
def test_bad_paid_periods_are_refused_naming_the_field(paid, field):
    with pytest.raises(InvalidInputError) as excinfo:
        calculate_death_overpayment(died_on=DIED_ON, paid=paid, params=shipped())

    assert excinfo.value.field == field


def test_a_negative_fraud_amount_is_refused():
    with pytest.raises(InvalidInputError) as excinfo:
        fraud_fine_range(Decimal("-1"), on=DIED_ON, params=shipped())

    assert excinfo.value.field == "amount"


# -- properties ------------------------------------------------------------------------------

contribution = st.integers(min_value=0, max_value=50 * 12)


@given(months=contribution)
def test_in_service_survivor_pension_months_stay_within_3_and_24(months):
    deceased = Deceased(date(1970, 1, 1), DIED_ON, months)

    result = calculate_survivor_benefits(
        deceased, params=params_with_income("1000"), region=TEST_REGION
    )

    assert 3 <= result.pension_months <= 24


@given(months=contribution, received=st.integers(min_value=1, max_value=40 * 12))
def test_pensioner_survivor_pension_months_stay_within_9_and_24(months, received):
    start = YearMonth.of(DIED_ON).plus(1 - received)
    deceased = Deceased(date(1940, 1, 1), DIED_ON, months, start)

    result = calculate_survivor_benefits(
        deceased, params=params_with_income("1000"), region=TEST_REGION
    )

    assert 9 <= result.pension_months <= 24


@given(
    died=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    first=st.integers(min_value=0, max_value=200),
    length=st.integers(min_value=1, max_value=200),
    amount=st.decimals(min_value=0, max_value=20000, places=2),
)
def test_overpayment_is_never_negative_nor_more_than_was_paid(died, first, length, amount):
    start = YearMonth(2015, 1).plus(first)
    paid = (PaidPeriod(start, start.plus(length - 1), amount),)

    result = calculate_death_overpayment(died_on=died, paid=paid, params=shipped())

    assert Decimal(0) <= result.overpaid <= amount * length
    assert result.overpaid == amount * result.overpaid_months
