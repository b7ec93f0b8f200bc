"""Duplicate receipt and duplicate contributions (城乡养老保险制度衔接暂行办法 第七条、第八条)."""

from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth
from retirelink.rules.duplicates import (
    EMPLOYEE,
    ResidentContribution,
    ResidentPension,
    calculate_overlap_refund,
    evaluate_duplicate_receipt,
)
from retirelink.rules.payments import PaidPeriod
from tests.unit.rules.cases import load_cases
from tests.unit.rules.test_death import assert_matches, money, paid_periods, shipped, with_parameter

ON = date(2025, 7, 1)


def cases(rule: str) -> list[Any]:
    return [case for case in load_cases("duplicates.yaml") if case.values[0]["rule"] == rule]


def resident_of(row: dict[str, Any]) -> ResidentPension:
    return ResidentPension(
        place=row["place"],
        first_paid=YearMonth.parse(row["first_paid"]),
        basic_pension_paid=paid_periods(row["basic_pension_paid"]),
        account_balance=Decimal(row["account_balance"]),
        government_subsidy=Decimal(row["government_subsidy"]),
        returned_by_person=money(row.get("returned_by_person", "0.00")) or Decimal(0),
    )


@pytest.mark.parametrize("case", cases("receipt"))
def test_duplicate_receipt(case):
    start = case.get("employee_pension_start")

    result = evaluate_duplicate_receipt(
        employee_pension_start=YearMonth.parse(start) if start else None,
        residents=[resident_of(row) for row in case["residents"]],
        on=ON,
        params=shipped(),
    )

    assert_matches(result, case["expect"])


@pytest.mark.parametrize("case", cases("overlap"))
def test_overlap_refund(case):
    result = calculate_overlap_refund(
        employee_months=[
            (YearMonth.parse(first), YearMonth.parse(last))
            for first, last in case["employee_months"]
        ],
        resident_years=[
            ResidentContribution(row["year"], Decimal(row["personal"]), Decimal(row["collective"]))
            for row in case["resident_years"]
        ],
        on=ON,
        params=shipped(),
    )

    assert_matches(result, case["expect"])


# -- explanations and parameters -------------------------------------------------------------

RESIDENT = ResidentPension(
    place="130406",
    first_paid=YearMonth(2020, 6),
    basic_pension_paid=(PaidPeriod(YearMonth(2020, 6), YearMonth(2024, 6), Decimal("150.00")),),
    account_balance=Decimal("2000.00"),
    government_subsidy=Decimal("1200.00"),
)


def test_the_explanation_cites_article_8_and_the_deduction_order():
    result = evaluate_duplicate_receipt(
        employee_pension_start=YearMonth(2023, 1), residents=[RESIDENT], on=ON, params=shipped()
    )

    assert result.kept == EMPLOYEE
    refundable = result.explanation.step("refundable")
    assert refundable.result == "800.00"
    assert "第八条" in refundable.references[0]
    order = result.explanation.step("参数:duplicates.offset_order")
    assert order.result == "resident_account_first"


def test_deducting_from_the_kept_pension_first_leaves_the_account_balance_to_refund():
    params = with_parameter("duplicates.offset_order", "kept_pension_first")

    result = evaluate_duplicate_receipt(
        employee_pension_start=YearMonth(2023, 1), residents=[RESIDENT], on=ON, params=params
    )

    (cleared,) = result.cleared
    assert (cleared.basic_pension_to_return, cleared.deducted_from_kept_pension) == (
        Decimal("2700.00"),
        Decimal("2700.00"),
    )
    assert cleared.account_refund == Decimal("800.00")


def test_the_whole_year_basis_refunds_a_year_with_any_overlapping_month():
    params = with_parameter("duplicates.overlap_refund_basis", "whole_year")

    result = calculate_overlap_refund(
        employee_months=[(YearMonth(2023, 12), YearMonth(2023, 12))],
        resident_years=[ResidentContribution(2023, Decimal("500.00"), Decimal("50.00"))],
        on=ON,
        params=params,
    )

    assert (result.overlapping_months, result.total) == (1, Decimal("550.00"))


def test_one_resident_pension_alone_is_kept_and_nothing_is_cleared():
    result = evaluate_duplicate_receipt(
        employee_pension_start=None, residents=[RESIDENT], on=ON, params=shipped()
    )

    assert (result.kept, result.cleared, result.total_to_return) == ("130406", (), Decimal(0))


# -- bad input -------------------------------------------------------------------------------


def replaced(**changes: Any) -> ResidentPension:
    values = {name: getattr(RESIDENT, name) for name in RESIDENT.__dataclass_fields__}
    return ResidentPension(**(values | changes))


@pytest.mark.parametrize(
    ("employee_start", "residents", "field"),
    [
        (None, [], "residents"),
        (
            YearMonth(2023, 1),
            [replaced(account_balance=Decimal(-1))],
            "residents[0].account_balance",
        ),
        (
            YearMonth(2023, 1),
            [replaced(government_subsidy=Decimal(3000))],
            "residents[0].government_subsidy",
        ),
        (YearMonth(2023, 1), [replaced(returned_by_person=Decimal(99999))], "returned_by_person"),
        (None, [RESIDENT, replaced(place="130404")], "residents"),
        (
            YearMonth(2023, 1),
            [
                replaced(
                    basic_pension_paid=(
                        PaidPeriod(YearMonth(2024, 6), YearMonth(2024, 1), Decimal(1)),
                    )
                )
            ],
            "130406.basic_pension[0].last",
        ),
    ],
    ids=[
        "nothing to settle",
        "negative balance",
        "subsidy above balance",
        "returned more than drawn",
        "two first places in one month",
        "reversed paid period",
    ],
)
def test_bad_receipt_input_is_refused_naming_the_field(employee_start, residents, field):
    with pytest.raises(InvalidInputError) as excinfo:
        evaluate_duplicate_receipt(
            employee_pension_start=employee_start, residents=residents, on=ON, params=shipped()
        )

    assert excinfo.value.field == field


@pytest.mark.parametrize(
    ("employee_months", "years", "field"),
    [
        ([(YearMonth(2020, 5), YearMonth(2020, 1))], [], "employee_months[0].last"),
        (
            [(YearMonth(2020, 1), YearMonth(2020, 6)), (YearMonth(2020, 6), YearMonth(2020, 9))],
            [],
            "employee_months[1]",
        ),
        ([], [ResidentContribution(2020, Decimal(-5))], "resident_years[0].personal"),
        (
            [],
            [ResidentContribution(2020, Decimal(5)), ResidentContribution(2020, Decimal(5))],
            "resident_years[1].year",
        ),
    ],
    ids=["reversed period", "overlapping periods", "negative contribution", "year twice"],
)
def test_bad_overlap_input_is_refused_naming_the_field(employee_months, years, field):
    with pytest.raises(InvalidInputError) as excinfo:
        calculate_overlap_refund(
            employee_months=employee_months, resident_years=years, on=ON, params=shipped()
        )

    assert excinfo.value.field == field


# -- properties ------------------------------------------------------------------------------

amount = st.decimals(min_value=0, max_value=50000, places=2)


@given(
    monthly=st.decimals(min_value=0, max_value=500, places=2),
    months=st.integers(min_value=1, max_value=120),
    employee_offset=st.integers(min_value=0, max_value=130),
    balance=amount,
    subsidy_share=st.fractions(min_value=0, max_value=1),
    returned_share=st.fractions(min_value=0, max_value=1),
)
def test_what_is_returned_refunded_and_deducted_always_balances(
    monthly, months, employee_offset, balance, subsidy_share, returned_share
):
    first = YearMonth(2015, 1)
    duplicate = max(0, months - employee_offset)
    subsidy = (balance * subsidy_share.numerator / subsidy_share.denominator).quantize(
        Decimal("0.01")
    )
    drawn = monthly * duplicate
    returned = (drawn * returned_share.numerator / returned_share.denominator).quantize(
        Decimal("0.01"), rounding=ROUND_DOWN
    )
    resident = ResidentPension(
        "130406",
        first,
        (PaidPeriod(first, first.plus(months - 1), monthly),),
        balance,
        min(subsidy, balance),
        returned,
    )

    result = evaluate_duplicate_receipt(
        employee_pension_start=first.plus(employee_offset),
        residents=[resident],
        on=ON,
        params=shipped(),
    )

    (cleared,) = result.cleared
    assert cleared.duplicate_months == duplicate
    assert cleared.basic_pension_to_return + returned == drawn
    assert (
        cleared.deducted_from_account + cleared.deducted_from_kept_pension
        == cleared.basic_pension_to_return
    )
    assert (
        cleared.account_refund + cleared.deducted_from_account + cleared.subsidy_not_refunded
        == balance
    )
    assert min(cleared.account_refund, cleared.deducted_from_kept_pension) >= 0
