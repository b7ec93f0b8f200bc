"""Pension (国发〔2005〕38号): index, personal account, payout months and components."""

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retirelink.errors import InvalidInputError
from retirelink.rules.account import (
    RETIREMENT_YEAR_RULES,
    AccountCredit,
    ContributionPeriod,
    PayoutAgeRule,
    account_credits,
    accumulate_account,
    payout_months_for_age,
)
from retirelink.rules.calendar import YearMonth
from retirelink.rules.explanation import show
from retirelink.rules.money import ROUNDING_ORDERS
from retirelink.rules.parameters import NATIONAL
from retirelink.rules.pension import PensionFacts, average_contribution_index, calculate_pension
from retirelink.rules.transitional import (
    TRANSITIONAL_FORMULAS,
    TransitionalFacts,
    TransitionalFormula,
)

from .cases import REGION, SHIPPED, load_cases, params_with


def cases_for(filename: str, rule: str) -> list[object]:
    return [case for case in load_cases(filename) if case.values[0]["rule"] == rule]


def check(actual: Mapping[str, object], expect: Mapping[str, object]) -> None:
    """Compare as text so money keeps its fen (3520.00, not 3520)."""
    shown = {key: show(actual[key]) for key in expect}
    assert shown == {key: show(value) for key, value in expect.items()}


def run(call, expect: Mapping[str, Any]):
    """The result of ``call``, or None after checking the expected error's field and text."""
    if "error" not in expect:
        return call()
    with pytest.raises(InvalidInputError) as excinfo:
        call()
    assert excinfo.value.field == expect["error"]["field"]
    assert expect["error"]["message"] in excinfo.value.message
    return None


def period(raw) -> ContributionPeriod:
    return ContributionPeriod(
        YearMonth.parse(raw["start"]), YearMonth.parse(raw["end"]), Decimal(raw["monthly_wage"])
    )


# --------------------------------------------------------------------------------------------
# YAML scenarios: cases/pension.yaml
# --------------------------------------------------------------------------------------------


def pension_facts(raw) -> PensionFacts:
    return PensionFacts(
        birth_month=YearMonth.parse(raw["birth_month"]),
        retirement_month=YearMonth.parse(raw["retirement_month"]),
        average_index=Decimal(raw["average_index"]),
        contribution_months=raw["contribution_months"],
        deemed_months=raw["deemed_months"],
        account_balance=Decimal(raw["account_balance"]),
    )


@pytest.mark.parametrize("case", cases_for("pension.yaml", "pension"))
def test_pension_case(case):
    params = params_with(case.get("params"))
    facts = pension_facts(case["facts"])

    result = run(
        lambda: calculate_pension(facts, on=case["on"], region=REGION, params=params),
        case["expect"],
    )

    if result is not None:
        fields = {name: getattr(result, name) for name in result.__dataclass_fields__}
        check(fields, case["expect"])


def credits_of(ranges) -> list[AccountCredit]:
    credits = []
    for item in ranges:
        month, last = YearMonth.parse(item["from"]), YearMonth.parse(item["to"])
        while month <= last:
            credits.append(AccountCredit(month, Decimal(item["amount"])))
            month = month.plus(1)
    return credits


@pytest.mark.parametrize("case", cases_for("pension.yaml", "account"))
def test_account_case(case):
    params = params_with(case.get("params"), region=NATIONAL)
    expect = dict(case["expect"])
    credits = credits_of(case.get("credits", []))
    if "history" in case:
        derived = account_credits(
            [period(raw) for raw in case["history"]], on=case["on"], params=SHIPPED
        )
        credits = list(derived.credits)
        check({"credited": derived.total}, {"credited": expect.pop("credited")})

    result = run(
        lambda: accumulate_account(
            Decimal(case["opening_balance"]),
            balance_year=case["balance_year"],
            credits=credits,
            until=YearMonth.parse(case["until"]),
            on=case["on"],
            params=params,
        ),
        expect,
    )

    if result is not None:
        for row, expected in zip(result.years, expect.pop("years", []), strict=False):
            check({name: getattr(row, name) for name in expected}, expected)
        check({"balance": result.balance}, expect)


@pytest.mark.parametrize("case", cases_for("pension.yaml", "index"))
def test_average_contribution_index_case(case):
    params = params_with(case.get("params"))
    history = [period(raw) for raw in case["history"]]

    result = run(
        lambda: average_contribution_index(
            history,
            deemed_months=case.get("deemed_months", 0),
            on=case["on"],
            region=REGION,
            params=params,
        ),
        case["expect"],
    )

    if result is not None:
        check({name: getattr(result, name) for name in case["expect"]}, case["expect"])


# --------------------------------------------------------------------------------------------
# YAML scenarios: cases/payout_months.yaml
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", load_cases("payout_months.yaml"))
def test_payout_months_case(case):
    rule = case.get("rule", PayoutAgeRule.COMPLETED_YEARS.value)
    params = params_with({"pension.payout_months_age_rule": rule})
    age = case["age"]["years"] * 12 + case["age"]["months"]

    result = run(
        lambda: payout_months_for_age(age, on=date(2025, 1, 1), region=REGION, params=params),
        case["expect"],
    )

    if result is not None:
        check({"months": result.months}, case["expect"])


# --------------------------------------------------------------------------------------------
# Explanations: formula, parameter references, archive evidence
# --------------------------------------------------------------------------------------------

P01_PARAMS = params_with(
    {"pension.base_wage": {2025: 8000}, "pension.transition_coefficient": 0.012}
)
P01 = PensionFacts(
    birth_month=YearMonth(1965, 5),
    retirement_month=YearMonth(2025, 5),
    average_index=Decimal("1.2"),
    contribution_months=480,
    deemed_months=118,
    account_balance=Decimal(150000),
    deemed_evidence=("A-0901", "A-0905"),
)


def p01(**changes) -> PensionFacts:
    fields = {name: getattr(P01, name) for name in P01.__dataclass_fields__}
    return PensionFacts(**{**fields, **changes})


def test_the_p01_explanation_names_formula_inputs_and_references():
    result = calculate_pension(P01, on=date(2025, 6, 1), region=REGION, params=P01_PARAMS)

    basic = result.explanation.step("basic_pension")
    assert basic.formula == "B × (1 + Ī) ÷ 2 × N ÷ 12 × 1%"
    assert basic.inputs == {"B": "8000", "Ī": "1.2", "N（月）": "480"}
    assert basic.result == "3520.00"
    assert "国发〔2005〕38号" in basic.references[0]
    payout = result.explanation.step("payout_months")
    assert any("附件" in reference and "可信度S" in reference for reference in payout.references)
    keys = [step.key for step in result.explanation.steps]
    assert keys == [
        "base_wage",
        "indexed_wage",
        "basic_pension",
        "payout_months",
        "personal_account_pension",
        "transitional_pension",
        "total",
        "start_month",
    ]


def test_the_transitional_pension_cites_the_archive_evidence_of_the_deemed_years():
    result = calculate_pension(P01, on=date(2025, 6, 1), region=REGION, params=P01_PARAMS)

    step = result.explanation.step("transitional_pension")
    assert step.evidence == ("A-0901", "A-0905")
    assert any("pension.transition_coefficient" in reference for reference in step.references)


def test_the_total_names_and_cites_the_rounding_order():
    params = params_with(
        {"pension.base_wage": {2025: 8000}, "pension.rounding_order": "sum_then_round"}
    )
    default = calculate_pension(P01, on=date(2025, 6, 1), region=REGION, params=P01_PARAMS)
    total_only = calculate_pension(P01, on=date(2025, 6, 1), region=REGION, params=params)

    for result, label in ((default, "各项先舍入到分"), (total_only, "各项不舍入，合计舍入到分")):
        step = result.explanation.step("total")
        assert step.formula.endswith(f"（{label}）")
        assert any("pension.rounding_order" in reference for reference in step.references)
    assert "可信度U" in default.explanation.step("total").references[1]


def test_the_transitional_step_names_and_cites_its_form():
    result = calculate_pension(P01, on=date(2025, 6, 1), region=REGION, params=P01_PARAMS)

    step = result.explanation.step("transitional_pension")
    assert step.formula == "B × Ī × N视同 × 过渡系数 ÷ 12（按指数化月平均缴费工资）"
    assert any("pension.transitional_formula" in reference for reference in step.references)


def province_form(facts: TransitionalFacts) -> Fraction:
    """A test-only province form (B × N视同 ÷ 12 × 过渡系数, without Ī): how a province adds one."""
    return Fraction(facts.base_wage) * facts.deemed_months * Fraction(facts.coefficient) / 12


PROVINCE_FORM = TransitionalFormula(
    "按计发基数（测试）", "B × N视同 × 过渡系数 ÷ 12", province_form
)


def test_a_province_adds_its_transitional_form_to_the_table_and_names_it_in_its_parameter():
    params = params_with(
        {
            "pension.base_wage": {2025: 8000},
            "pension.transition_coefficient": 0.012,
            "pension.transitional_formula": "test_base_deemed_years",
        }
    )

    with patch.dict(TRANSITIONAL_FORMULAS, {"test_base_deemed_years": PROVINCE_FORM}):
        result = calculate_pension(P01, on=date(2025, 6, 1), region=REGION, params=params)

    # 8000 × 118 ÷ 12 × 1.2% = 944.00; with P01's other components 3520.00 + 1079.14.
    assert result.transitional_pension == Decimal("944.00")
    assert result.total == Decimal("5543.14")
    assert "按计发基数（测试）" in result.explanation.step("transitional_pension").formula


@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("pension.rounding_order", ROUNDING_ORDERS),
        ("pension.transitional_formula", TRANSITIONAL_FORMULAS),
        ("account.retirement_year_interest", RETIREMENT_YEAR_RULES),
    ],
)
def test_every_shipped_choice_has_its_rule_and_every_rule_its_choice(name, table):
    parameter = SHIPPED.parameter(name)

    assert parameter.scope == NATIONAL
    assert set(parameter.choices) == set(table)
    assert all(dated.confidence == "U" for dated in parameter.values)


def test_illustrative_parameters_are_flagged_in_the_explanation():
    result = calculate_pension(
        p01(retirement_month=YearMonth(2024, 5), birth_month=YearMonth(1964, 5)),
        on=date(2025, 6, 1),
        region="130406",
        params=SHIPPED,
    )

    base = result.explanation.step("base_wage")
    assert "示例值" in base.references[1]
    assert (
        result.base_wage
        == SHIPPED.value("pension.base_wage", date(2025, 6, 1), region=REGION)[2024]
    )


def test_the_index_explanation_shows_each_year_against_its_average_wage():
    params = params_with({"pension.average_wage": {2020: 5000, 2021: 6000}})
    history = [ContributionPeriod(YearMonth(2020, 11), YearMonth(2021, 3), Decimal(6000))]

    result = average_contribution_index(history, on=date(2025, 1, 1), region=REGION, params=params)

    step = result.explanation.step("index_0_2020")
    assert step.inputs == {"月缴费工资": "6000", "社平工资": "5000", "月数": "2"}
    assert show(Decimal(step.result)) == "2.4"
    assert result.explanation.step("index_0_2021").inputs["月数"] == "3"


def test_the_account_explanation_shows_each_year_with_the_rate_reference():
    result = accumulate_account(
        Decimal(100000),
        balance_year=2023,
        credits=[AccountCredit(YearMonth(2024, 1), Decimal(800))],
        until=YearMonth(2025, 12),
        on=date(2026, 1, 1),
        params=SHIPPED,
    )

    assert [row.year for row in result.years] == [2024, 2025]
    step = result.explanation.step("account_2025")
    assert "劳办发〔1997〕116号" in step.references[0]
    assert "2025年1.50%证据较弱" in step.references[1]


@pytest.mark.parametrize(
    ("rule", "formula_end"),
    [
        ("pro_rata_to_retirement_month", "（退休当年计息至退休当月）"),
        ("none", "（退休当年不计息）"),
    ],
)
def test_the_retirement_year_step_names_and_cites_its_interest_rule(rule, formula_end):
    params = params_with({"account.retirement_year_interest": rule}, region=NATIONAL)

    result = accumulate_account(
        Decimal(100000),
        balance_year=2022,
        credits=[AccountCredit(YearMonth(2024, 1), Decimal(800))],
        until=YearMonth(2024, 6),
        on=date(2025, 1, 1),
        params=params,
    )

    full_year, retirement_year = result.explanation.steps
    assert not full_year.formula.endswith("）")
    assert retirement_year.formula.endswith(formula_end)
    assert "account.retirement_year_interest" in retirement_year.references[-1]


def test_the_credit_step_cites_the_8_percent_rule():
    history = [ContributionPeriod(YearMonth(2024, 1), YearMonth(2024, 3), Decimal("5432.10"))]

    result = account_credits(history, on=date(2025, 1, 1), params=SHIPPED)

    assert [credit.amount for credit in result.credits] == [Decimal("434.57")] * 3
    assert "国发〔2005〕38号" in result.explanation.step("credit_0").references[0]


# --------------------------------------------------------------------------------------------
# Shipped parameters
# --------------------------------------------------------------------------------------------


def test_the_shipped_interest_rates_are_those_of_the_policy_spec():
    rates = SHIPPED.value("account.interest_rate", date(2026, 1, 1))

    expected = "0.0831 0.0712 0.0829 0.0761 0.0604 0.0669 0.0612 0.0397 0.0262 0.0150"
    assert rates == dict(zip(range(2016, 2026), map(Decimal, expected.split()), strict=True))


@pytest.mark.parametrize(
    "name",
    [
        "pension.average_wage",
        "pension.base_wage",
        "pension.transition_coefficient",
        "pension.deemed_contribution_index",
        "pension.account_start_month",
        "pension.payout_months_age_rule",
        "pension.start_month_rule",
    ],
)
def test_every_hebei_placeholder_is_marked_illustrative_and_unconfirmed(name):
    dated = SHIPPED.get(name, date(2025, 1, 1), region="130406")

    assert dated.illustrative and dated.confidence == "U"
    assert "示例值" in dated.reference


def test_the_national_default_maps_months_of_age_to_completed_years():
    assert SHIPPED.value("pension.payout_months_age_rule", date(2025, 1, 1)) == "completed_years"


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=500_000).map(lambda value: Decimal(value) / 100)
credit_months = st.integers(min_value=2016 * 12, max_value=2025 * 12 + 11).map(YearMonth.from_index)
credit_lists = st.lists(st.builds(AccountCredit, credit_months, cents), max_size=12)


def balance(credits: list[AccountCredit]) -> Decimal:
    return accumulate_account(
        Decimal(10000),
        balance_year=2015,
        credits=credits,
        until=YearMonth(2025, 12),
        on=date(2026, 1, 1),
        params=SHIPPED,
    ).balance


@given(credit_lists, st.builds(AccountCredit, credit_months, cents))
def test_the_account_balance_never_falls_when_a_credit_is_added(credits, extra):
    assert balance([*credits, extra]) >= balance(credits)


@given(credit_lists, st.integers(0, 11), cents)
def test_the_account_balance_never_falls_when_a_credit_grows(credits, position, more):
    if not credits:
        return
    index = position % len(credits)
    grown = list(credits)
    grown[index] = AccountCredit(credits[index].month, credits[index].amount + more)

    assert balance(grown) >= balance(credits)


def payout(age_months: int, rule: PayoutAgeRule) -> Decimal:
    params = params_with({"pension.payout_months_age_rule": rule.value})
    return payout_months_for_age(
        age_months, on=date(2025, 1, 1), region=REGION, params=params
    ).months


@given(st.integers(min_value=40, max_value=69), st.sampled_from(PayoutAgeRule))
def test_payout_months_strictly_decrease_with_each_year_of_age(years, rule):
    assert payout((years + 1) * 12, rule) < payout(years * 12, rule)


@given(st.integers(min_value=40 * 12, max_value=70 * 12 - 1))
def test_interpolated_payout_months_strictly_decrease_with_each_month_of_age(age_months):
    assert payout(age_months + 1, PayoutAgeRule.INTERPOLATE) < payout(
        age_months, PayoutAgeRule.INTERPOLATE
    )


@given(st.integers(min_value=40 * 12, max_value=70 * 12 - 1))
def test_completed_year_payout_months_never_rise_with_a_month_of_age(age_months):
    rule = PayoutAgeRule.COMPLETED_YEARS
    assert payout(age_months + 1, rule) <= payout(age_months, rule)


indexes = st.integers(min_value=0, max_value=30_000).map(lambda value: Decimal(value) / 10_000)
contribution_months = st.integers(min_value=0, max_value=300)


def basic(index: Decimal, months: int) -> Decimal:
    facts = p01(average_index=index, contribution_months=months, deemed_months=0)
    return calculate_pension(
        facts, on=date(2025, 6, 1), region=REGION, params=P01_PARAMS
    ).basic_pension


@given(indexes, contribution_months, contribution_months)
def test_the_basic_pension_is_linear_in_contribution_months_to_the_fen(index, first, second):
    together = basic(index, first + second)

    assert abs(together - basic(index, first) - basic(index, second)) <= Decimal("0.01")
    assert basic(index, 0) == Decimal("0.00")


@given(indexes, st.integers(min_value=1, max_value=50))
def test_the_basic_pension_for_whole_years_is_one_percent_of_the_base_per_year(index, years):
    base = Decimal(8000) * (1 + index) / 2

    expected = (base * years / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert basic(index, years * 12) == expected


def test_an_index_exactly_on_a_half_rounds_up_however_the_history_is_split():
    # Ī = 29/160 = 0.18125 exactly (wage 181.25 against an average of 1000): half up → 0.1813,
    # whether the 174 months come as one period or as 174 one-month periods.
    params = params_with(
        {
            "pension.average_wage": dict.fromkeys(range(2000, 2016), 1000),
            "pension.index_decimal_places": 4,
        }
    )
    start = YearMonth(2000, 1)
    whole = [ContributionPeriod(start, start.plus(173), Decimal("181.25"))]
    months = [
        ContributionPeriod(start.plus(n), start.plus(n), Decimal("181.25")) for n in range(174)
    ]

    results = [
        average_contribution_index(history, on=date(2025, 6, 1), region=REGION, params=params).value
        for history in (whole, months)
    ]

    assert results == [Decimal("0.1813"), Decimal("0.1813")]


def test_a_transitional_pension_exactly_on_a_half_fen_rounds_up():
    # 7333 × 2 × 125 × 1.8% ÷ 12 = 2749.875 exactly → 2749.88 (dividing by 12 first gave .87).
    params = params_with(
        {"pension.base_wage": {2025: 7333}, "pension.transition_coefficient": 0.018}
    )
    facts = p01(average_index=Decimal(2), deemed_months=125)

    result = calculate_pension(facts, on=date(2025, 6, 1), region=REGION, params=params)

    assert result.transitional_pension == Decimal("2749.88")
