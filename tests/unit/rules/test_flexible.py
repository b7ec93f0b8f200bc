"""Flexible retirement and the minimum contribution: scenarios, properties and bad input."""

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retirelink.errors import InvalidInputError
from retirelink.rules import flexible, retirement_age
from retirelink.rules.calendar import YearMonth
from retirelink.rules.flexible import (
    FlexibleRequest,
    contribution_shortfall,
    flexible_window,
    minimum_contribution,
    validate_flexible_request,
)
from retirelink.rules.flexible_notice import REFERENCE_DAYS
from retirelink.rules.parameters import NATIONAL, load_parameters
from retirelink.rules.retirement_age import RetirementCategory
from tests.unit.rules.cases import load_cases, params_with

PARAMS = load_parameters()
ON = date(2025, 6, 1)
CJK = re.compile(r"[\u4e00-\u9fff]")
FLEXIBLE = load_cases("flexible.yaml")
MINIMUM = load_cases("minimum_contribution.yaml")

births = st.integers(YearMonth(1940, 1).index, YearMonth(2005, 12).index).map(YearMonth.from_index)
categories = st.sampled_from(list(RetirementCategory))


def request_of(case: dict[str, Any]) -> FlexibleRequest:
    fields = case["request"]
    return FlexibleRequest(
        category=case["category"],
        birth=YearMonth.parse(case["birth"]),
        requested=YearMonth.parse(fields["requested"]),
        contribution_months=fields["contribution_months"],
        notice_date=fields.get("notice_date"),
        employer_agreed=fields.get("employer_agreed", False),
        agreement_date=fields.get("agreement_date"),
    )


@pytest.mark.parametrize("case", [c for c in FLEXIBLE if "request" not in c.values[0]])
def test_flexible_window_scenario(case: dict[str, Any]) -> None:
    window = flexible_window(case["category"], YearMonth.parse(case["birth"]), on=ON, params=PARAMS)

    expect = case["expect"]
    assert str(window.statutory.retirement_month) == expect["statutory_month"]
    assert window.earliest_age.age_label == expect["earliest_age"]
    assert str(window.earliest_month) == expect["earliest_month"]
    assert window.latest_age.age_label == expect["latest_age"]
    assert str(window.latest_month) == expect["latest_month"]


@pytest.mark.parametrize("case", [c for c in FLEXIBLE if "request" in c.values[0]])
def test_flexible_request_scenario(case: dict[str, Any]) -> None:
    params = params_with(case.get("params"), region=NATIONAL)

    decision = validate_flexible_request(request_of(case), on=ON, params=params)

    expect = case["expect"]
    assert decision.direction == expect["direction"]
    assert [refusal.problem.value for refusal in decision.refusals] == expect["problems"]
    assert decision.allowed is expect["allowed"]
    assert decision.minimum.year == expect["reference_year"]
    assert decision.minimum.required_months == expect["minimum_months"]
    for refusal in decision.refusals:
        assert CJK.search(refusal.message) and refusal.reference
        assert CJK.search(refusal.problem.label)
    if "deadline" in expect:
        steps = {step.key: step.result for step in decision.explanation.steps}
        assert expect["deadline"] in (steps.get("notice_deadline"), steps.get("agreement_deadline"))


@pytest.mark.parametrize("case", [c for c in MINIMUM if "year" in c.values[0]])
def test_minimum_contribution_scenario(case: dict[str, Any]) -> None:
    minimum = minimum_contribution(case["year"], on=case.get("decided_on", ON), params=PARAMS)

    expect = case["expect"]
    assert minimum.required_months == expect["months"]
    cited = minimum.explanation.step("minimum_contribution").references[0]
    assert expect.get("cites", "附件4") in cited


@pytest.mark.parametrize("case", [c for c in MINIMUM if "shortfall" in c.values[0]])
def test_contribution_shortfall_scenario(case: dict[str, Any]) -> None:
    facts, expect = case["shortfall"], case["expect"]
    balance = facts.get("account_balance")
    result = contribution_shortfall(
        minimum_contribution(facts["year"], on=ON, params=PARAMS),
        contribution_months=facts["contribution_months"],
        first_insured=YearMonth.parse(facts["first_insured"]),
        account_balance=Decimal(balance) if balance else None,
        on=ON,
        params=PARAMS,
    )

    assert result.shortfall_months == expect["shortfall_months"]
    assert result.met is (expect["shortfall_months"] == 0)
    available = {route.option.value: route.months for route in result.routes if route.available}
    assert available == expect["available"]
    assert [route.option.value for route in result.routes if not route.available] == expect[
        "unavailable"
    ]
    for route in result.routes:
        assert CJK.search(route.label) and CJK.search(route.condition) and route.reference
    if "terminate_amount" in expect:
        assert result.routes[-1].amount == Decimal(expect["terminate_amount"])


@given(category=categories, birth=births)
def test_earliest_flexible_age_is_never_below_the_original_age_nor_after_the_statutory_age(
    category, birth
):
    window = flexible_window(category, birth, on=ON, params=PARAMS)

    assert window.statutory.original_age.total_months <= window.earliest_age.total_months
    assert window.earliest_age.total_months <= window.statutory.statutory_age.total_months
    assert window.statutory.statutory_age.total_months - window.earliest_age.total_months <= 36


@given(category=categories, birth=births)
def test_latest_flexible_retirement_is_exactly_36_months_after_the_statutory_one(category, birth):
    window = flexible_window(category, birth, on=ON, params=PARAMS)

    assert window.latest_age.total_months - window.statutory.statutory_age.total_months == 36
    assert window.latest_month - window.statutory.retirement_month == 36


@given(year=st.integers(1998, 2100))
def test_the_minimum_never_falls_and_stays_between_15_and_20_years(year):
    this = minimum_contribution(year, on=ON, params=PARAMS).required_months
    following = minimum_contribution(year + 1, on=ON, params=PARAMS).required_months

    assert 180 <= this <= following <= 240


@given(on=st.dates(date(1998, 1, 1), date(2024, 12, 31)), year=st.integers(1950, 2029))
def test_a_decision_dated_1998_to_2024_requires_15_years_of_every_retirement_year(on, year):
    assert minimum_contribution(year, on=on, params=PARAMS).required_months == 180


def test_the_minimum_functions_are_also_reachable_from_the_flexible_module() -> None:
    assert flexible.minimum_contribution is retirement_age.minimum_contribution
    assert flexible.contribution_shortfall is retirement_age.contribution_shortfall


def test_a_negative_contribution_count_is_refused_naming_the_field() -> None:
    request = FlexibleRequest("male", YearMonth(1969, 9), YearMonth(2030, 12), -1)

    with pytest.raises(InvalidInputError, match="月数不能为负") as excinfo:
        validate_flexible_request(request, on=ON, params=PARAMS)

    assert excinfo.value.field == "contribution_months"


def test_a_negative_account_balance_is_refused() -> None:
    minimum = minimum_contribution(2030, on=ON, params=PARAMS)

    with pytest.raises(InvalidInputError) as excinfo:
        contribution_shortfall(
            minimum,
            contribution_months=10,
            first_insured=YearMonth(2015, 1),
            account_balance=Decimal("-1"),
            on=ON,
            params=PARAMS,
        )

    assert excinfo.value.field == "account_balance"


def test_an_unknown_category_in_a_request_is_refused() -> None:
    request = FlexibleRequest("cadre", YearMonth(1969, 9), YearMonth(2030, 12), 200)

    with pytest.raises(InvalidInputError) as excinfo:
        validate_flexible_request(request, on=ON, params=PARAMS)

    assert excinfo.value.field == "category"


def test_a_decision_explains_the_window_the_reference_year_and_the_refusals() -> None:
    request = FlexibleRequest(
        "male", YearMonth(1969, 9), YearMonth(2029, 10), 175, date(2029, 7, 1)
    )

    decision = validate_flexible_request(request, on=ON, params=PARAMS)

    steps = decision.explanation
    assert steps.step("flexible_earliest_age").inputs["early_max"] == "36"
    assert steps.step("reference_year").result == "2029"
    assert "第七条" in steps.step("reference_year").references[0]
    assert steps.step("minimum_contribution").result == "15年"
    assert "未达到2029年最低缴费年限15年" in steps.step("flexible_request").result


@pytest.mark.parametrize(
    ("requested", "key", "request_fields"),
    [
        ("2029-10", "notice_deadline", {"notice_date": date(2029, 7, 1)}),
        ("2032-06", "agreement_deadline", {"employer_agreed": True}),
    ],
)
def test_a_notice_deadline_is_a_step_citing_its_months_and_reference_day(
    requested, key, request_fields
) -> None:
    request = FlexibleRequest(
        "male", YearMonth(1969, 9), YearMonth.parse(requested), 200, **request_fields
    )

    decision = validate_flexible_request(request, on=ON, params=PARAMS)

    step = decision.explanation.step(key)
    assert step.inputs["起算日"] == "1日"
    assert "的1日前推" in step.formula
    assert "retirement_age.notice_reference_day" in step.references[1]
    assert "可信度U" in step.references[1]


def test_every_shipped_notice_reference_day_has_its_rule() -> None:
    parameter = PARAMS.parameter("retirement_age.notice_reference_day")

    assert set(parameter.choices) == set(REFERENCE_DAYS)
