"""Incarceration (劳社厅函〔2001〕44号) and certification (人社厅发〔2018〕54号) suspensions."""

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth, months_inclusive
from retirelink.rules.certification import evaluate_certification
from retirelink.rules.incarceration import CustodyFacts, CustodyKind, evaluate_incarceration
from retirelink.rules.payments import PaidPeriod
from tests.unit.rules.cases import load_cases
from tests.unit.rules.test_death import (
    assert_matches,
    money,
    paid_periods,
    shipped,
    with_parameter,
)

AMOUNT = Decimal("3000.00")


def cases(rule: str) -> list[Any]:
    return [case for case in load_cases("suspension.yaml") if case.values[0]["rule"] == rule]


@pytest.mark.parametrize("case", cases("incarceration"))
def test_incarceration(case):
    facts = CustodyFacts(
        kind=CustodyKind(case["kind"]),
        started_on=case["started_on"],
        ended_on=case.get("ended_on"),
        died_on=case.get("died_on"),
        personal_contribution_balance=money(case.get("personal_contribution_balance")),
    )

    result = evaluate_incarceration(
        facts,
        monthly_amount=Decimal(case["monthly_amount"]),
        paid=paid_periods(case["paid"]),
        as_of=YearMonth.parse(case["as_of"]),
        params=shipped(),
    )

    assert_matches(result, case["expect"])


@pytest.mark.parametrize("case", cases("certification"))
def test_certification(case):
    result = evaluate_certification(
        cycle_start=YearMonth.parse(case["cycle_start"]),
        certified_on=case.get("certified_on"),
        died_on=case.get("died_on"),
        monthly_amount=Decimal(case["monthly_amount"]),
        paid=paid_periods(case["paid"]),
        as_of=YearMonth.parse(case["as_of"]),
        params=shipped(),
    )

    assert_matches(result, case["expect"])


# -- explanations and parameters -------------------------------------------------------------

RELEASED = CustodyFacts(CustodyKind.IMPRISONED, date(2022, 5, 10), date(2024, 5, 20))
DECEMBER_2024 = YearMonth(2024, 12)


def incarcerate(facts=RELEASED, *, paid=(), as_of=DECEMBER_2024, params=None):
    return evaluate_incarceration(
        facts, monthly_amount=AMOUNT, paid=paid, as_of=as_of, params=params or shipped()
    )


def test_the_explanation_cites_44_and_the_month_conventions_with_their_confidence():
    explanation = incarcerate().explanation

    stop = explanation.step("stop_month")
    assert stop.result == "2022-06"
    assert "劳社厅函〔2001〕44号" in stop.references[0]
    convention = explanation.step("参数:suspension.stop_month_after_detention")
    assert (convention.result, convention.inputs["可信度"]) == ("next_month", "S")
    assert explanation.step("resume_amount").result == "3000.00"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("suspension.stop_month_after_detention", ("2022-05", "2024-06")),
        ("suspension.resume_month_after_release", ("2022-06", "2024-05")),
    ],
)
def test_the_stop_and_resume_months_follow_their_parameters(name, expected):
    result = incarcerate(params=with_parameter(name, "same_month"))

    assert (str(result.stop_month), str(result.resume_month)) == expected


def test_a_longer_certification_cycle_moves_the_suspension_month():
    params = with_parameter("suspension.certification_cycle_months", 24, unit="months")

    result = evaluate_certification(
        cycle_start=YearMonth(2024, 5),
        certified_on=None,
        died_on=None,
        monthly_amount=AMOUNT,
        paid=(),
        as_of=YearMonth(2026, 8),
        params=params,
    )

    assert result.suspended_from == YearMonth(2026, 5)


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        (CustodyFacts(CustodyKind.IMPRISONED, date(2022, 5, 10), date(2022, 5, 9)), "ended_on"),
        (
            CustodyFacts(CustodyKind.IMPRISONED, date(2022, 5, 10), died_on=date(2022, 1, 1)),
            "died_on",
        ),
        (
            CustodyFacts(
                CustodyKind.IMPRISONED, date(2022, 5, 10), date(2023, 1, 1), date(2022, 9, 1)
            ),
            "ended_on",
        ),
        (CustodyFacts(CustodyKind.ACQUITTED, date(2022, 5, 10)), "ended_on"),
        (CustodyFacts(CustodyKind.PENDING, date(2025, 5, 10)), "as_of"),
        (
            CustodyFacts(
                CustodyKind.IMPRISONED, date(2022, 5, 10), personal_contribution_balance=Decimal(-1)
            ),
            "personal_contribution_balance",
        ),
    ],
    ids=[
        "release before detention",
        "death before detention",
        "release after death",
        "acquittal without release",
        "evaluated before detention",
        "negative account balance",
    ],
)
def test_impossible_custody_facts_are_refused_naming_the_field(facts, field):
    with pytest.raises(InvalidInputError) as excinfo:
        incarcerate(facts)

    assert excinfo.value.field == field
    assert re.search(r"[\u4e00-\u9fff]", excinfo.value.message)


def test_a_negative_monthly_amount_is_refused():
    with pytest.raises(InvalidInputError) as excinfo:
        evaluate_incarceration(
            RELEASED,
            monthly_amount=Decimal("-1"),
            paid=(),
            as_of=YearMonth(2024, 12),
            params=shipped(),
        )

    assert excinfo.value.field == "monthly_amount"


def test_overlapping_paid_periods_are_refused():
    paid = (
        PaidPeriod(YearMonth(2022, 1), YearMonth(2022, 6), AMOUNT),
        PaidPeriod(YearMonth(2022, 6), YearMonth(2022, 8), AMOUNT),
    )

    with pytest.raises(InvalidInputError) as excinfo:
        incarcerate(paid=paid)

    assert excinfo.value.field == "paid[1]"


@pytest.mark.parametrize(
    ("certified_on", "died_on", "as_of", "field"),
    [
        (date(2024, 4, 30), None, YearMonth(2025, 8), "certified_on"),
        (date(2025, 9, 1), None, YearMonth(2025, 8), "certified_on"),
        (date(2025, 6, 1), date(2025, 5, 31), YearMonth(2025, 8), "certified_on"),
        (None, None, YearMonth(2024, 4), "as_of"),
    ],
    ids=[
        "certified before the cycle",
        "certified after as_of",
        "certified after death",
        "evaluated before the cycle",
    ],
)
def test_impossible_certification_facts_are_refused(certified_on, died_on, as_of, field):
    with pytest.raises(InvalidInputError) as excinfo:
        evaluate_certification(
            cycle_start=YearMonth(2024, 5),
            certified_on=certified_on,
            died_on=died_on,
            monthly_amount=AMOUNT,
            paid=(),
            as_of=as_of,
            params=shipped(),
        )

    assert excinfo.value.field == field


# -- properties: back-pay + paid == what should have been paid -------------------------------

start_day = st.dates(min_value=date(2005, 1, 1), max_value=date(2024, 12, 31))
paid_flags = st.lists(st.booleans(), min_size=1, max_size=120)


def paid_where(first: YearMonth, flags: list[bool]) -> tuple[PaidPeriod, ...]:
    return tuple(
        PaidPeriod(first.plus(i), first.plus(i), AMOUNT) for i, flag in enumerate(flags) if flag
    )


def paid_total(paid: tuple[PaidPeriod, ...], first: YearMonth, last: YearMonth) -> Decimal:
    return sum((p.monthly_amount for p in paid if first <= p.first <= last), Decimal(0))


@given(
    detained=start_day,
    custody_days=st.integers(min_value=0, max_value=1500),
    flags=paid_flags,
    extra=st.integers(min_value=0, max_value=36),
)
def test_after_an_acquittal_back_pay_and_payments_add_up_to_what_was_due(
    detained, custody_days, flags, extra
):
    released = date.fromordinal(detained.toordinal() + custody_days)
    facts = CustodyFacts(CustodyKind.ACQUITTED, detained, released)
    stop = YearMonth.of(detained).plus(1)
    as_of = max(YearMonth.of(released), stop).plus(extra)
    paid = paid_where(stop, flags)

    result = incarcerate(facts, paid=paid, as_of=as_of)

    due = AMOUNT * months_inclusive(stop, as_of)
    assert result.overpaid == 0
    assert result.back_pay + paid_total(paid, stop, as_of) == due


@given(
    detained=start_day,
    custody_days=st.integers(min_value=0, max_value=1500),
    flags=paid_flags,
    extra=st.integers(min_value=0, max_value=36),
)
def test_after_a_sentence_payments_minus_overpaid_plus_back_pay_equal_what_was_due(
    detained, custody_days, flags, extra
):
    released = date.fromordinal(detained.toordinal() + custody_days)
    facts = CustodyFacts(CustodyKind.IMPRISONED, detained, released)
    stop, resume = YearMonth.of(detained).plus(1), YearMonth.of(released).plus(1)
    as_of = resume.plus(extra)
    paid = paid_where(stop, flags)

    result = incarcerate(facts, paid=paid, as_of=as_of)

    due = AMOUNT * months_inclusive(resume, as_of)
    assert result.back_pay >= 0 and result.overpaid >= 0
    assert paid_total(paid, stop, as_of) - result.overpaid + result.back_pay == due
    assert result.stopped_months == months_inclusive(stop, resume.plus(-1))


@given(
    flags=st.lists(st.booleans(), min_size=0, max_size=24),
    late=st.integers(min_value=0, max_value=23),
)
def test_after_a_late_certification_back_pay_and_payments_add_up_to_what_was_due(flags, late):
    suspended = YearMonth(2025, 5)
    as_of = suspended.plus(23)
    certified = suspended.plus(late).first_day()
    paid = paid_where(suspended, flags)

    result = evaluate_certification(
        cycle_start=YearMonth(2024, 5),
        certified_on=certified,
        died_on=None,
        monthly_amount=AMOUNT,
        paid=paid,
        as_of=as_of,
        params=shipped(),
    )

    assert result.suspended_from == suspended
    assert result.back_pay + paid_total(paid, suspended, as_of) == AMOUNT * 24
