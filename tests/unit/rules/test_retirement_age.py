"""Statutory retirement age under the 2025 reform: scenarios, properties and bad input."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth
from retirelink.rules.parameters import load_parameters
from retirelink.rules.retirement_age import (
    RetirementCategory,
    parse_category,
    reform_schedule,
    statutory_retirement,
)
from tests.unit.rules.cases import load_cases

PARAMS = load_parameters()
ON = date(2025, 6, 1)
CASES = load_cases("retirement_age.yaml")

births = st.integers(YearMonth(1940, 1).index, YearMonth(2005, 12).index).map(YearMonth.from_index)
categories = st.sampled_from(list(RetirementCategory))


def on_of(case: dict[str, Any]) -> date:
    return case.get("on", ON)


@pytest.mark.parametrize("case", [c for c in CASES if "expect" in c.values[0]])
def test_statutory_retirement_scenario(case: dict[str, Any]) -> None:
    birth = YearMonth.parse(case["birth"])
    result = statutory_retirement(case["category"], birth, on=on_of(case), params=PARAMS)

    expect = case["expect"]
    assert result.delay_months == expect["delay_months"]
    assert result.statutory_age.age_label == expect["statutory_age"]
    assert str(result.retirement_month) == expect["retirement_month"]


@pytest.mark.parametrize("case", [c for c in CASES if "nobody_retires_in" in c.values[0]])
def test_calendar_month_skipped_by_the_schedule(case: dict[str, Any]) -> None:
    month = YearMonth.parse(case["nobody_retires_in"])
    candidates = [month.plus(-offset) for offset in range(49 * 12, 64 * 12)]

    retiring = [
        birth
        for birth in candidates
        if statutory_retirement(case["category"], birth, on=ON, params=PARAMS).retirement_month
        == month
    ]

    assert retiring == []


@given(category=categories, birth=births)
def test_retirement_month_never_decreases_as_birth_month_increases(category, birth):
    earlier = statutory_retirement(category, birth, on=ON, params=PARAMS).retirement_month
    later = statutory_retirement(category, birth.plus(1), on=ON, params=PARAMS).retirement_month

    assert later >= earlier
    # At most one delay month is added per birth month, so at most one calendar month is skipped.
    assert later - earlier in (1, 2)


@given(category=categories, birth=births)
def test_statutory_age_lies_between_the_original_age_and_the_capped_age(category, birth):
    result = statutory_retirement(category, birth, on=ON, params=PARAMS)
    schedule = reform_schedule(category, on=ON, params=PARAMS)

    assert 0 <= result.delay_months <= schedule.max_delay_months
    assert result.statutory_age.total_months == schedule.original_age_months + result.delay_months
    assert result.retirement_month == birth.plus(result.statutory_age.total_months)


def test_every_category_has_a_chinese_label_and_parses_from_its_code() -> None:
    assert RetirementCategory.MALE.label == "男职工"
    assert RetirementCategory.FEMALE55.label == "原法定退休年龄为五十五周岁的女职工"
    assert RetirementCategory.FEMALE50.label == "原法定退休年龄为五十周岁的女职工"
    assert parse_category("female50") is RetirementCategory.FEMALE50


def test_an_unknown_category_is_refused_not_guessed() -> None:
    with pytest.raises(InvalidInputError, match="未知的退休人员类别") as excinfo:
        statutory_retirement("female", YearMonth(1970, 1), on=ON, params=PARAMS)

    assert excinfo.value.field == "category"


def test_a_birth_month_after_the_determination_date_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="晚于计算日期") as excinfo:
        statutory_retirement("male", YearMonth(2025, 7), on=ON, params=PARAMS)

    assert excinfo.value.field == "birth"


def test_a_birth_in_the_month_of_the_determination_date_is_accepted() -> None:
    result = statutory_retirement("male", YearMonth(2025, 6), on=ON, params=PARAMS)

    assert str(result.retirement_month) == "2088-06"


def test_a_determination_before_the_reform_is_in_force_names_the_parameter() -> None:
    with pytest.raises(InvalidInputError, match="尚未生效") as excinfo:
        statutory_retirement("male", YearMonth(1965, 1), on=date(2024, 12, 31), params=PARAMS)

    assert excinfo.value.field == "retirement_age.schedule"


def test_the_explanation_names_formula_inputs_parameter_values_and_references() -> None:
    result = statutory_retirement("male", YearMonth(1965, 12), on=ON, params=PARAMS)

    delay = result.explanation.step("delay_months")
    assert delay.inputs["k"] == "11"
    assert (delay.inputs["step"], delay.inputs["cap"]) == ("4", "36")
    assert delay.result == "3"
    assert "办法》第一条" in delay.references[0]
    assert result.explanation.step("statutory_age").result == "60岁3个月"
    assert result.explanation.step("retirement_month").result == "2026-03"


def test_the_schedule_comes_from_the_parameter_table_not_from_code(tmp_path: Path) -> None:
    # A hypothetical amendment: men from 1965-01, one month per 3 birth months, cap 24.
    path = tmp_path / "national" / "retirement_age" / "schedule.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(
        """
label: 调整表（测试）
unit: table
values:
  2025-01-01:
    value:
      male: {original_age_years: 60, first_affected_birth: "1965-01", step_birth_months: 3,
             max_delay_months: 24}
    reference: 测试用修订（示例）
    confidence: U
    illustrative: true
""",
        encoding="utf-8",
    )
    params = load_parameters(tmp_path)

    result = statutory_retirement("male", YearMonth(1965, 4), on=ON, params=params)

    assert result.delay_months == 2
    assert "［待核实U］［示例值］" in result.explanation.step("delay_months").references[0]
    with pytest.raises(InvalidInputError, match="female50"):
        statutory_retirement("female50", YearMonth(1980, 1), on=ON, params=params)
