"""Certification (待遇资格认证): ``check_certification`` against 人社厅发〔2018〕54号 and
社会保险经办条例第二十六条 (policy-spec §5.4, [X10]).

The pensioner is born 1955-05-20; checked on 2025-10-15, so the payroll month is 2025-09 and
the last completed yearly cycle runs from the birthday month 2024-05 to 2025-04. Shipped
parameters: ``suspension.certification_cycle_months`` = 12 and
``suspension.stop_month_after_certification_cycle`` = next_month (suspend from 2025-05).
"""

from datetime import date
from decimal import Decimal

import pytest

from retirelink.fundcheck.checks_certification import check_certification
from retirelink.fundcheck.model import Band, CheckCode, LifeSignSource, PayStatus
from tests.unit.fundcheck.builders import (
    case,
    context,
    evidence_of,
    month_day,
    only,
    paid,
    roll,
    sign,
)


def certification(*signs, entry=None, periods=None, **kwargs):
    return check_certification(case(entry, periods, signs=signs), context(**kwargs))


def test_a_sign_of_life_inside_the_last_completed_cycle_certifies():
    """人社厅发〔2018〕54号 (认证寓于服务): a 医保 settlement in 2024-11 certifies the cycle
    2024-05..2025-04."""
    assert certification(sign(date(2024, 11, 3))) == []


def test_no_sign_in_the_cycle_nor_since_lists_the_pension_for_active_certification():
    """policy-spec §5.4 [X10] (rules/examples.py: suspended from 2025-05): no sign in
    2024-05..2025-04 nor since → listed for active certification (a person's queue, review
    band), not suspended yet (社会保险经办条例第二十六条); at risk: paid since the suspension
    month 2025-05, 5 × 3,000 = 15,000."""
    finding = only(certification())

    assert finding.check is CheckCode.CERTIFICATION
    assert (finding.amount, finding.months, finding.from_month) == (
        Decimal("15000.00"),
        5,
        "2025-05",
    )
    assert finding.suspend is False
    assert (finding.confidence, finding.band) == (0.7, Band.REVIEW)
    assert finding.key == "certification:101:2024-05"
    assert finding.explanation.step("cycle_end").result == "2025-04"
    assert finding.explanation.step("suspended_from").result == "2025-05"
    [none_seen] = evidence_of(finding, "sign_of_life")
    assert none_seen.startswith("2024年5月至2025年4月认证周期内及其后无任何生存迹象")


@pytest.mark.parametrize(
    "seen_on",
    [
        pytest.param(date(2025, 8, 12), id="x10-certified-2025-08-12"),
        pytest.param(date(2025, 10, 15), id="today"),
    ],
)
def test_a_sign_after_the_cycle_but_not_after_today_certifies_late(seen_on):
    """policy-spec §5.4 [X10]: certified after the cycle (2025-08-12) — the person is alive,
    and the suspended months are paid back, so there is nothing to list."""
    assert certification(sign(seen_on, LifeSignSource.SELF_SERVICE)) == []


def test_a_sign_dated_after_today_does_not_certify():
    """checks_certification.certify: signs count up to today only (a future date is an error
    of the source, not a sign of life)."""
    assert only(certification(sign(date(2025, 10, 16)))).from_month == "2025-05"


@pytest.mark.parametrize(
    ("seen_on", "certified"),
    [
        pytest.param(date(2024, 4, 30), False, id="month-before-the-birthday-month"),
        pytest.param(date(2024, 5, 1), True, id="first-day-of-the-birthday-month"),
        pytest.param(date(2025, 4, 30), True, id="last-day-of-the-cycle"),
    ],
)
def test_the_cycle_starts_in_the_birthday_month(seen_on, certified):
    """policy-spec §5.4 [S]: any certification between the birthday month and the month before
    the next birthday counts for the year: 2024-04-30 is in the previous cycle."""
    assert (certification(sign(seen_on)) == []) is certified


def test_the_rolls_last_certification_counts_as_a_sign():
    """社会保险经办条例第二十六条: an in-person or self-service certification recorded on the roll
    certifies like any shared sign."""
    assert certification(entry=roll(last_certified_on=date(2024, 6, 1))) == []
    assert certification(entry=roll(last_certified_on=date(2024, 4, 1))) != []


@pytest.mark.parametrize(
    ("first_month", "certified"),
    [
        pytest.param("2024-04", False, id="first-month-before-the-cycle"),
        pytest.param("2024-05", True, id="first-month-at-the-cycle-start"),
        pytest.param("2024-08", True, id="first-month-in-the-cycle"),
    ],
)
def test_a_new_retiree_whose_first_month_lies_in_the_cycle_is_certified_by_the_decision(
    first_month, certified
):
    """checks_certification.certify: the retirement decision (待遇核定) saw the person; a pension
    first paid in the cycle needs no other sign for it."""
    entry = roll(first_month=month_day(first_month))

    assert (certification(entry=entry) == []) is certified


def test_a_pension_not_being_paid_is_not_listed():
    """checks_certification: only pensions being paid are at risk."""
    entry = roll(status=PayStatus.SUSPENDED)

    assert certification(entry=entry, periods=[paid("2015-06", "2025-04")]) == []


def test_the_cycle_follows_the_payroll_month():
    """policy-spec §5.4 [S]: with the payroll month 2025-04, the birthday month 2025-05 is not
    reached yet; the last completed cycle is 2023-05..2024-04, suspension from 2024-05, at risk
    2024-05..2025-04 = 12 × 3,000 = 36,000."""
    finding = only(certification(periods=[paid("2015-06", "2025-04")], payroll="2025-04"))

    assert finding.key == "certification:101:2023-05"
    assert (finding.from_month, finding.months, finding.amount) == (
        "2024-05",
        12,
        Decimal("36000.00"),
    )


def test_the_amount_at_risk_is_what_was_paid_from_the_suspension_month():
    """policy-spec §5.4 [X10]: the months from the suspension month are at risk at the amount
    actually paid (an adjustment from 2025-07 included): 2 × 3,000 + 3 × 3,100 = 15,300."""
    periods = [paid("2015-06", "2025-06"), paid("2025-07", "2025-09", "3100.00")]

    finding = only(certification(periods=periods))

    assert (finding.amount, finding.months) == (Decimal("15300.00"), 5)
