"""预发: an unpublished 计发基数 or 社平工资 takes the latest published value."""

from datetime import date
from decimal import Decimal

import pytest

from retirelink.errors import InvalidInputError
from retirelink.rules.account import ContributionPeriod
from retirelink.rules.calendar import YearMonth
from retirelink.rules.pension import PensionFacts, average_contribution_index, calculate_pension
from retirelink.rules.provisional import ProvisionalFigure, provisional_parameters

from .cases import SHIPPED, params_with

COUNTY = "130406"
PUBLISHED = Decimal(7333)  # the shipped (illustrative) 2025 计发基数 and 社平工资 of 河北省
NOTE = "暂按2025年公布值预发，公布后重新核定"


def retiring_in(year: int) -> PensionFacts:
    return PensionFacts(
        birth_month=YearMonth(year - 60, 5),
        retirement_month=YearMonth(year, 5),
        average_index=Decimal("1.2"),
        contribution_months=480,
        deemed_months=118,
        account_balance=Decimal(150000),
    )


def on_retirement(year: int) -> date:
    return date(year, 6, 1)


def provisional(through_year: int, on: date | None = None):
    return provisional_parameters(
        SHIPPED, region=COUNTY, on=on or on_retirement(through_year), through_year=through_year
    )


def test_a_2027_retirement_fails_on_the_shipped_parameters():
    with pytest.raises(InvalidInputError, match="没有2027年的取值") as excinfo:
        calculate_pension(retiring_in(2027), on=on_retirement(2027), region=COUNTY, params=SHIPPED)

    assert excinfo.value.field == "retirement_month"


def test_a_2027_retirement_is_paid_provisionally_on_the_2025_base():
    params, _ = provisional(2027)

    result = calculate_pension(
        retiring_in(2027), on=on_retirement(2027), region=COUNTY, params=params
    )

    assert result.base_wage == PUBLISHED
    # 7333 × (1 + 1.2) ÷ 2 × 480 ÷ 12 × 1% = 3226.52
    assert result.basic_pension == Decimal("3226.52")
    step = result.explanation.step("base_wage")
    assert step.result == "7333"
    citation = step.references[1]
    assert f"2026—2027年{NOTE}" in citation
    assert "各省计发基数公布前预发、公布后重新核定的通行做法" in citation
    assert "可信度U" in citation and "［待核实U］" in citation and "［示例值］" in citation


def test_a_provisional_2027_pension_equals_the_2025_pension_of_the_same_facts():
    params, _ = provisional(2027)

    provisional_result = calculate_pension(
        retiring_in(2027), on=on_retirement(2027), region=COUNTY, params=params
    )
    published = calculate_pension(
        retiring_in(2025), on=on_retirement(2025), region=COUNTY, params=SHIPPED
    )

    assert provisional_result.total == published.total
    assert provisional_result.transitional_pension == published.transitional_pension


def test_nothing_missing_returns_the_same_parameters_and_the_same_pension():
    params, figures = provisional(2025)

    assert params is SHIPPED
    assert figures == ()
    with_provisional = calculate_pension(
        retiring_in(2025), on=on_retirement(2025), region=COUNTY, params=params
    )
    without = calculate_pension(
        retiring_in(2025), on=on_retirement(2025), region=COUNTY, params=SHIPPED
    )
    assert with_provisional == without
    assert with_provisional.base_wage == PUBLISHED


def test_the_figures_list_exactly_the_missing_years_of_each_series():
    _, figures = provisional(2027)

    assert figures == (
        ProvisionalFigure("pension.base_wage", 2026, 2025, PUBLISHED),
        ProvisionalFigure("pension.base_wage", 2027, 2025, PUBLISHED),
        ProvisionalFigure("pension.average_wage", 2026, 2025, PUBLISHED),
        ProvisionalFigure("pension.average_wage", 2027, 2025, PUBLISHED),
        ProvisionalFigure("account.interest_rate", 2026, 2025, Decimal("0.0150")),
        ProvisionalFigure("account.interest_rate", 2027, 2025, Decimal("0.0150")),
    )
    assert figures[1].label == "2027年计发基数尚未公布，暂按2025年公布值7333元预发"
    assert figures[2].label == "2026年社平工资尚未公布，暂按2025年公布值7333元预发"
    assert figures[5].label == "2027年记账利率尚未公布，暂按2025年公布值1.5%预发"


def test_the_extended_series_replace_the_province_values_under_their_own_scope():
    params, _ = provisional(2026)

    assert len(params) == len(SHIPPED)
    for name in ("pension.base_wage", "pension.average_wage"):
        parameter = params.parameter(name, region=COUNTY)
        dated = parameter.at(on_retirement(2026))
        assert parameter.scope == "130000"
        assert max(dated.value) == 2026
        assert dated.value[2026] == dated.value[2025] == PUBLISHED
        assert dated.value[2024] == SHIPPED.value(name, on_retirement(2026), region=COUNTY)[2024]
        assert dated.confidence == "U"
        assert dated.note == f"2026年{NOTE}"


def test_the_index_over_2026_months_uses_the_2025_average_wage():
    history = [ContributionPeriod(YearMonth(2025, 7), YearMonth(2026, 6), Decimal(14666))]
    params, _ = provisional(2026)

    with pytest.raises(InvalidInputError, match="没有2026年的取值"):
        average_contribution_index(history, on=on_retirement(2026), region=COUNTY, params=SHIPPED)
    result = average_contribution_index(
        history, on=on_retirement(2026), region=COUNTY, params=params
    )

    # 14666 ÷ 7333 = 2 in every month of both years
    assert result.value == Decimal("2.0000")
    step = result.explanation.step("index_0_2026")
    assert step.inputs == {"月缴费工资": "14666", "社平工资": "7333", "月数": "6"}
    assert f"2026年{NOTE}" in step.references[0]


def test_the_original_parameters_are_not_changed():
    provisional(2027)

    with pytest.raises(InvalidInputError, match="没有2027年的取值"):
        calculate_pension(retiring_in(2027), on=on_retirement(2027), region=COUNTY, params=SHIPPED)
    for name in ("pension.base_wage", "pension.average_wage"):
        dated = SHIPPED.get(name, on_retirement(2027), region=COUNTY)
        assert max(dated.value) == 2025
        assert dated.note == ""


def test_a_series_with_no_published_year_is_an_error_in_chinese():
    params = params_with({"pension.base_wage": {}})

    with pytest.raises(InvalidInputError) as excinfo:
        provisional_parameters(params, region=COUNTY, on=on_retirement(2027), through_year=2027)

    assert excinfo.value.field == "pension.base_wage"
    assert excinfo.value.message == (
        "参数pension.base_wage没有任何已公布年份的取值，无法按最近公布值预发"
    )
