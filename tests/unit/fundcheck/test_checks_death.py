"""Paid after death (死亡后继续领取): ``check_death`` against policy-spec §5.2.

Unless a test says otherwise: a paying 企业职工 pension of 3,000.00 a month paid through
2025-09, checked on 2025-10-15, shipped parameters (``survivors.stop_month_after_death`` =
next_month: 死亡次月停发).
"""

from datetime import date
from decimal import Decimal

import pytest

from retirelink.fundcheck.checks_death import check_death
from retirelink.fundcheck.model import Band, CheckCode, EventKind, PayStatus, Thresholds
from tests.unit.fundcheck.builders import case, context, event, evidence_of, only, paid, roll

DEATH = EventKind.DEATH_CANCELLATION  # 公安户籍死亡注销
CERTIFICATE = EventKind.DEATH_CERTIFICATE  # 卫健死亡医学证明
CREMATION = EventKind.CREMATION  # 民政火化
MARCH_15 = date(2025, 3, 15)


def died(*events, entry=None, periods=None, **kwargs):
    return check_death(case(entry, periods, events=events), context(**kwargs))


def test_the_x05_worked_example_is_six_months_and_24000_overpaid():
    """policy-spec §5.2 [X05]: death 2025-03-15, paid through 2025-09 at 4,000 → 6 months,
    24,000 overpaid; payment stops from 2025-04 (死亡次月停发)."""
    finding = only(died(event(DEATH, MARCH_15), periods=[paid("2020-04", "2025-09", "4000.00")]))

    assert finding.check is CheckCode.DEATH
    assert (finding.amount, finding.months, finding.from_month) == (
        Decimal("24000.00"),
        6,
        "2025-04",
    )
    assert finding.suspend is True  # still 'paying'
    assert (finding.confidence, finding.band) == (0.92, Band.AUTOMATIC)  # 公安 alone
    assert finding.key == "death:101"
    assert finding.explanation.step("death_stop_month").result == "2025-04"
    assert finding.explanation.step("overpaid").result == "24000.00"
    assert "共24,000.00元" in finding.summary
    assert evidence_of(finding, "payment") == [
        "2025年4月起仍发放：2025年4月至2025年9月每月4000.00元（企业职工基本养老保险，130406）"
    ]


@pytest.mark.parametrize(
    ("died_on", "months", "amount", "from_month"),
    [
        pytest.param(date(2025, 3, 1), 6, "18000.00", "2025-04", id="first-day-of-march"),
        pytest.param(date(2025, 3, 31), 6, "18000.00", "2025-04", id="last-day-of-march"),
        pytest.param(date(2025, 4, 1), 5, "15000.00", "2025-05", id="first-day-of-april"),
    ],
)
def test_the_whole_death_month_is_due_and_payment_stops_the_month_after(
    died_on, months, amount, from_month
):
    """policy-spec §5.2 [S] 死亡次月停发: the day in the month does not matter; 2025-03-01 and
    2025-03-31 both stop from 2025-04, a death on 2025-04-01 from 2025-05."""
    finding = only(died(event(DEATH, died_on)))

    assert (finding.months, finding.amount, finding.from_month) == (
        months,
        Decimal(amount),
        from_month,
    )


@pytest.mark.parametrize("status", [PayStatus.STOPPED, PayStatus.SUSPENDED])
def test_a_pension_paid_through_exactly_the_death_month_and_no_longer_paying_has_no_finding(
    status,
):
    """policy-spec §5.2: the death month itself is due (死亡次月停发); nothing was overpaid and
    the pension is no longer paid, so there is nothing to act on."""
    entry = roll(status=status, paid_through=date(2025, 3, 1))

    assert died(event(DEATH, MARCH_15), entry=entry, periods=[paid("2015-06", "2025-03")]) == []


def test_a_pension_still_paying_with_nothing_overpaid_yet_is_a_suspension_warning_of_zero():
    """policy-spec §5.2: paid through the death month only, but still 'paying' → suspend before
    the next payroll (暂停发放预警), amount 0."""
    finding = only(died(event(DEATH, MARCH_15), periods=[paid("2015-06", "2025-03")]))

    assert (finding.amount, finding.months, finding.from_month) == (Decimal("0.00"), 0, "2025-04")
    assert finding.suspend is True
    assert "须在下次发放前暂停" in finding.summary


def test_a_stopped_pension_paid_after_death_is_still_recovered_but_not_suspended_again():
    """policy-spec §5.2: overpayments after death are returned whatever the status; a stopped
    pension needs no suspension."""
    entry = roll(status=PayStatus.STOPPED, paid_through=date(2025, 6, 1))

    finding = only(died(event(DEATH, MARCH_15), entry=entry, periods=[paid("2015-06", "2025-06")]))

    assert (finding.amount, finding.months, finding.suspend) == (Decimal("9000.00"), 3, False)


@pytest.mark.parametrize(
    ("kinds", "confidence", "band"),
    [
        pytest.param([CERTIFICATE], 0.85, Band.REVIEW, id="health-alone"),
        pytest.param([CREMATION], 0.8, Band.REVIEW, id="civil-affairs-alone"),
        pytest.param([DEATH], 0.92, Band.AUTOMATIC, id="public-security-alone"),
        pytest.param([EventKind.DECLARED_DEAD], 0.95, Band.AUTOMATIC, id="court-alone"),
        pytest.param([CERTIFICATE, CREMATION], 0.99, Band.AUTOMATIC, id="two-agreeing"),
        pytest.param([CERTIFICATE, CREMATION, DEATH], 0.99, Band.AUTOMATIC, id="three-agreeing"),
    ],
)
def test_agreeing_departments_raise_the_confidence_and_the_band(kinds, confidence, band):
    """policy-spec §5.2, anchors.md §8: any one of 公安/卫健/民政 is a signal; records of
    several departments that agree (dates within 31 days) raise the confidence. The
    certificate and the cremation follow the death by days."""
    days = [MARCH_15, date(2025, 3, 16), date(2025, 3, 18)]
    records = [event(kind, day) for kind, day in zip(kinds, days, strict=False)]

    finding = only(died(*records))

    assert (finding.confidence, finding.band) == (confidence, band)
    assert (finding.amount, finding.from_month) == (Decimal("18000.00"), "2025-04")


def test_two_departments_more_than_31_days_apart_are_a_dispute_sent_to_a_person():
    """policy-spec §5.2 / checks_death: departments disagreeing on the date is a dispute
    (数据异议); the earliest plausible date is used for the warning, every date is cited, and
    a person decides (review band)."""
    finding = only(died(event(CERTIFICATE, date(2025, 5, 20)), event(DEATH, MARCH_15)))

    assert (finding.confidence, finding.band) == (0.75, Band.REVIEW)
    assert (finding.from_month, finding.months, finding.amount) == (
        "2025-04",
        6,
        Decimal("18000.00"),
    )
    [dispute] = evidence_of(finding, "dispute")
    assert "2025-03-15" in dispute and "2025-05-20" in dispute
    assert "按最早的合理日期2025-03-15预警" in dispute
    assert len(evidence_of(finding, "partner_record")) == 2


@pytest.mark.parametrize(
    ("second", "disputed"),
    [
        pytest.param(date(2025, 4, 15), False, id="31-days-agree"),
        pytest.param(date(2025, 4, 16), True, id="32-days-dispute"),
    ],
)
def test_dates_up_to_31_days_apart_agree(second, disputed):
    """checks_death.AGREEING_DAYS = 31: a cremation or certificate a month after the death
    still agrees; one day more is a dispute."""
    finding = only(died(event(DEATH, MARCH_15), event(CREMATION, second)))

    assert bool(evidence_of(finding, "dispute")) is disputed
    assert finding.confidence == (0.75 if disputed else 0.99)
    assert finding.from_month == "2025-04"


@pytest.mark.parametrize(
    "second",
    [pytest.param(MARCH_15, id="same-day"), pytest.param(date(2025, 3, 20), id="days-apart")],
)
def test_a_person_reported_dead_twice_by_public_security_has_one_finding(second):
    """policy-spec §5.2: two 公安 records of one death are one death — one finding, keyed by the
    pension (not the record), with one department's confidence."""
    first = event(DEATH, MARCH_15, record_id=1)

    finding = only(died(first, event(DEATH, second, record_id=2)))
    again = only(died(event(DEATH, MARCH_15, record_id=3)))

    assert finding.key == again.key == "death:101"
    assert (finding.confidence, finding.amount) == (0.92, Decimal("18000.00"))


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        pytest.param(
            date(1950, 1, 1), "事件日期1950-01-01早于出生日期1955-05-20", id="before-birth"
        ),
        pytest.param(date(2025, 11, 1), "事件日期2025-11-01晚于核查日2025-10-15", id="future"),
    ],
)
def test_an_impossible_death_date_is_refused_and_alone_gives_no_finding(day, reason):
    """fundcheck.evidence: a record that cannot be true of the holder (death before birth,
    after today) is never used; alone it raises nothing."""
    assert died(event(DEATH, day)) == []

    finding = only(died(event(DEATH, day, record_id=77), event(CERTIFICATE, MARCH_15)))
    [refused] = [item for item in finding.evidence if item.kind == "rejected"]
    assert refused.reference == "77"
    assert reason in refused.text and "不予采用" in refused.text


def test_the_date_comes_from_the_plausible_records_only():
    """fundcheck.evidence: the refused 公安 record (before birth) gives neither the date nor
    the confidence; 卫健's record alone does (0.85, review)."""
    finding = only(died(event(DEATH, date(1950, 1, 1)), event(CERTIFICATE, MARCH_15)))

    assert (finding.from_month, finding.amount) == ("2025-04", Decimal("18000.00"))
    assert (finding.confidence, finding.band) == (0.85, Band.REVIEW)
    assert evidence_of(finding, "dispute") == []


def test_a_court_declared_death_date_wins_over_an_earlier_reported_date():
    """policy-spec §5.2 [C] (人社部发〔2021〕18号): for a person declared dead the court's date
    is the date of death — 2025-03-15, not 公安's earlier 2025-01-10 — so payment stops from
    2025-04 and 2025-04..2025-09 is overpaid, not 2025-02..2025-09."""
    finding = only(died(event(DEATH, date(2025, 1, 10)), event(EventKind.DECLARED_DEAD, MARCH_15)))

    assert (finding.from_month, finding.months, finding.amount) == (
        "2025-04",
        6,
        Decimal("18000.00"),
    )
    assert finding.summary.startswith("2025-03-15死亡")


def test_the_dispute_note_does_not_call_the_court_date_the_earliest_date():
    """policy-spec §5.2: the court's date is used because it is the court's (人社部发〔2021〕18号),
    not because it is the earliest; the evidence must not state otherwise."""
    finding = only(died(event(DEATH, date(2025, 1, 10)), event(EventKind.DECLARED_DEAD, MARCH_15)))

    [dispute] = evidence_of(finding, "dispute")
    assert "最早的合理日期2025-03-15" not in dispute


def test_the_configured_thresholds_decide_the_band():
    """anchors.md §7.3: the bands are configuration (RETIRELINK_FUND_*): with automatic at 0.95
    a 公安 record alone (0.92) goes to a person."""
    finding = only(died(event(DEATH, MARCH_15), thresholds=Thresholds(automatic=0.95)))

    assert (finding.confidence, finding.band) == (0.92, Band.REVIEW)
