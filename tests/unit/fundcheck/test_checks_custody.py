"""Paid while imprisoned and not resumed after release: ``check_custody`` against
劳社厅函〔2001〕44号 (policy-spec §5.1).

Month conventions are the shipped parameters (rules/params/national/suspension):
``stop_month_after_detention`` = next_month (停发 from the month after detention) and
``resume_month_after_release`` = next_month (恢复 from the month after release). Unless a test
says otherwise: a paying pension of 3,000.00 a month since 2015-06, checked on 2025-10-15, so
the payroll month (``CheckContext.payroll_month``) is 2025-09.
"""

from datetime import date
from decimal import Decimal

from retirelink.fundcheck.checks import run_checks
from retirelink.fundcheck.checks_custody import check_custody
from retirelink.fundcheck.model import Band, CheckCode, EventKind, PayStatus
from tests.unit.fundcheck.builders import case, context, event, evidence_of, only, paid, roll

PRISON = EventKind.IMPRISONMENT
PENDING = EventKind.PENDING
ACQUITTED = EventKind.ACQUITTED
PROBATION = EventKind.NON_CUSTODIAL
SUSPENDED = roll(status=PayStatus.SUSPENDED)


def custody(*events, entry=None, periods=None, **kwargs):
    return check_custody(case(entry, periods, events=events), context(**kwargs))


# -- in custody and still paid ----------------------------------------------------------------


def test_an_imprisoned_pensioner_still_paid_is_overpaid_from_the_month_after_detention():
    """policy-spec §5.1 (44号: stop during the sentence; 次月 convention): detained 2025-03-10,
    paid through the payroll month 2025-09 → 2025-04..2025-09, 6 × 3,000 = 18,000 overpaid,
    and the payment is still running, so suspend."""
    record = event(PRISON, date(2025, 3, 10), record_id=501)

    finding = only(custody(record))

    assert finding.check is CheckCode.CUSTODY
    assert (finding.amount, finding.months, finding.from_month) == (
        Decimal("18000.00"),
        6,
        "2025-04",
    )
    assert finding.suspend is True
    assert (finding.confidence, finding.band) == (0.95, Band.AUTOMATIC)
    assert finding.key == "custody:101:501"
    assert finding.owed_to_person is False
    assert finding.explanation.step("stop_month").result == "2025-04"


def test_the_payroll_month_bounds_the_overpayment():
    """CheckContext.payroll: what was due is compared with what was paid up to the last payroll
    month only — payroll 2025-07 → 2025-04..2025-07, 4 months, 12,000."""
    finding = only(custody(event(PRISON, date(2025, 3, 10)), payroll="2025-07"))

    assert (finding.amount, finding.months) == (Decimal("12000.00"), 4)


def test_a_running_pending_case_still_paid_is_suspended_and_recovered():
    """policy-spec §5.1: 在押未定罪 suspends the pension (from the month after detention) until
    the case is decided: 2024-04..2025-09 = 18 × 3,000 = 54,000."""
    finding = only(custody(event(PENDING, date(2024, 3, 10))))

    assert (finding.amount, finding.months, finding.from_month, finding.suspend) == (
        Decimal("54000.00"),
        18,
        "2024-04",
        True,
    )


def test_detention_in_the_payroll_month_warns_to_suspend_with_nothing_overpaid_yet():
    """policy-spec §5.1 次月停发: detained 2025-09-20, the September payment was due; the stop
    month 2025-10 is not paid yet → a suspension warning of 0."""
    finding = only(custody(event(PRISON, date(2025, 9, 20))))

    assert (finding.amount, finding.months, finding.from_month) == (Decimal("0.00"), 0, "2025-10")
    assert finding.suspend is True
    assert "须在下次发放前暂停" in finding.summary


def test_detention_after_the_payroll_month_gives_nothing():
    """checks_custody: detained 2025-10-05, after the last payroll (2025-09): nothing was paid
    or is owed yet."""
    assert custody(event(PRISON, date(2025, 10, 5))) == []


def test_an_imprisoned_pensioner_already_stopped_gives_nothing():
    """policy-spec §5.1: the agency stopped the pension from 2025-04 as 44号 requires."""
    entry = roll(status=PayStatus.SUSPENDED, paid_through=date(2025, 3, 1))

    assert (
        custody(event(PRISON, date(2025, 3, 10)), entry=entry, periods=[paid("2015-06", "2025-03")])
        == []
    )


def test_a_record_released_before_it_began_is_refused():
    """fundcheck.evidence: a release date before the detention cannot be true: never used."""
    assert custody(event(PRISON, date(2025, 3, 10), end=date(2025, 1, 1))) == []


# -- released --------------------------------------------------------------------------------


def test_a_release_not_followed_by_resumption_is_owed_at_the_pre_sentence_amount():
    """policy-spec §5.1 (44号: resume 按服刑前的标准; 次月 convention): detained 2023-05-10,
    released 2024-05-20, still suspended → owed from 2024-06 to the payroll 2025-09:
    16 × 3,000 (the amount paid just before detention, not the roll's 3,200) = 48,000."""
    entry = roll(status=PayStatus.SUSPENDED, monthly_amount=Decimal("3200.00"))
    periods = [paid("2015-06", "2022-12", "2800.00"), paid("2023-01", "2023-05", "3000.00")]
    record = event(PRISON, date(2023, 5, 10), end=date(2024, 5, 20), record_id=502)

    finding = only(custody(record, entry=entry, periods=periods))

    assert finding.check is CheckCode.NOT_RESUMED
    assert finding.owed_to_person is True
    assert (finding.amount, finding.months, finding.from_month) == (
        Decimal("48000.00"),
        16,
        "2024-06",
    )
    assert finding.suspend is False
    assert finding.key == "not_resumed:101:502"
    assert finding.explanation.step("resume_amount").result == "3000.00"


def test_a_release_followed_by_resumption_at_the_pre_sentence_amount_gives_nothing():
    """policy-spec §5.1 [X01] (rules/examples.py): stopped 2022-06..2024-05, resumed 2024-06
    at 3,000 → nothing overpaid, nothing owed."""
    periods = [paid("2015-06", "2022-05"), paid("2024-06", "2025-09")]

    assert custody(event(PRISON, date(2022, 5, 10), end=date(2024, 5, 20)), periods=periods) == []


def test_an_adjustment_made_after_release_is_not_an_overpayment():
    """policy-spec §5.1 (44号): after release the pension resumes at the pre-sentence amount
    and takes part in later adjustments: the 2025 adjustment (3,000 → 3,060 from 2025-01)
    came after the 2024-05 release and is due."""
    periods = [
        paid("2015-06", "2023-05"),
        paid("2024-06", "2024-12"),
        paid("2025-01", "2025-09", "3060.00"),
    ]

    assert custody(event(PRISON, date(2023, 5, 10), end=date(2024, 5, 20)), periods=periods) == []


def test_a_sentence_ending_after_the_payroll_month_is_still_running():
    """policy-spec §5.1: detained 2024-03-10, sentence ends 2025-12-01 (after the payroll
    2025-09): the pension must still be stopped now."""
    finding = only(custody(event(PRISON, date(2024, 3, 10), end=date(2025, 12, 1))))

    assert (finding.amount, finding.months) == (Decimal("54000.00"), 18)
    assert finding.suspend is True


# -- pending, acquitted ----------------------------------------------------------------------


def test_an_acquittal_not_followed_by_resumption_pays_back_every_suspended_month():
    """policy-spec §5.1 (44号: 在押未定罪 suspends; 宣告无罪 → the suspended months are paid
    back): detained 2024-03-10, acquitted 2024-09-20, never paid again → 2024-04..2025-09,
    18 × 3,000 = 54,000 owed to the person."""
    finding = only(
        custody(
            event(ACQUITTED, date(2024, 3, 10), end=date(2024, 9, 20)),
            entry=SUSPENDED,
            periods=[paid("2015-06", "2024-03")],
        )
    )

    assert finding.check is CheckCode.NOT_RESUMED
    assert finding.owed_to_person is True
    assert (finding.amount, finding.months) == (Decimal("54000.00"), 18)
    assert evidence_of(finding, "partner_record")


def test_an_acquittal_back_pay_concerns_the_months_from_the_suspension():
    """policy-spec §5.1 (宣告无罪 → 补发暂停期间待遇); Finding.from_month = the first month the
    amount concerns."""
    finding = only(
        custody(
            event(ACQUITTED, date(2024, 3, 10), end=date(2024, 9, 20)),
            entry=SUSPENDED,
            periods=[paid("2015-06", "2024-03")],
        )
    )

    assert finding.from_month == "2024-04"


def test_a_pending_record_followed_by_an_acquittal_neither_recovers_nor_suspends():
    """policy-spec §5.1 (44号): once acquitted, the suspension ends and the months are paid
    back; the pension resumed from 2024-10 is due and must not be suspended."""
    findings = custody(
        event(PENDING, date(2024, 3, 10)),
        event(ACQUITTED, date(2024, 3, 10), end=date(2024, 9, 20)),
        periods=[paid("2015-06", "2024-03"), paid("2024-10", "2025-09")],
    )

    assert [f for f in findings if f.amount > 0 and not f.owed_to_person] == []
    assert not any(f.suspend for f in findings)


def test_an_acquittal_whose_suspended_months_were_never_paid_back_is_owed():
    """policy-spec §5.1 (44号: 宣告无罪的，补发暂停期间待遇): suspended 2024-04..2024-09,
    resumed 2024-10 → 6 × 3,000 = 18,000 still owed."""
    findings = custody(
        event(ACQUITTED, date(2024, 3, 10), end=date(2024, 9, 20)),
        periods=[paid("2015-06", "2024-03"), paid("2024-10", "2025-09")],
    )

    owed = [f for f in findings if f.owed_to_person]
    assert [(f.amount, f.months) for f in owed] == [(Decimal("18000.00"), 6)]


def test_a_pending_case_that_becomes_a_sentence_recovers_each_month_once():
    """policy-spec §5.1: detained 2024-03-10 (在押未定罪), then sentenced with the sentence
    counted from the detention: 2024-04..2025-09 were overpaid once, 54,000."""
    findings = custody(event(PENDING, date(2024, 3, 10)), event(PRISON, date(2024, 3, 10)))

    assert sum(f.amount for f in findings) == Decimal("54000.00")


def test_an_acquittal_record_without_a_release_date_does_not_hide_a_death():
    """fundcheck.evidence: a record that cannot be weighed is refused and cited, never allowed
    to drop the case; the 公安 death record still gives its finding (policy-spec §5.2)."""
    findings = run_checks(
        case(
            events=[
                event(ACQUITTED, date(2024, 3, 10)),
                event(EventKind.DEATH_CANCELLATION, date(2025, 3, 15)),
            ]
        ),
        context(),
    )

    assert [(f.check, f.amount) for f in findings if f.check is CheckCode.DEATH] == [
        (CheckCode.DEATH, Decimal("18000.00"))
    ]


# -- non-custodial -----------------------------------------------------------------------------


def test_a_non_custodial_sentence_keeps_the_pension_without_overpayment():
    """policy-spec §5.1 (44号): 管制、缓刑、监外执行 keep the pension: nothing to stop."""
    assert custody(event(PROBATION, date(2024, 3, 1), end=date(2025, 12, 31))) == []


def test_an_adjustment_paid_during_a_non_custodial_sentence_is_overpaid():
    """policy-spec §5.1 (44号): no adjustments during 缓刑: the 2025-01 rise 3,000 → 3,100 paid
    2025-01..2025-09 (probation to 2025-12-31) → 9 × 100 = 900 overpaid; nothing to suspend."""
    periods = [paid("2015-06", "2024-12"), paid("2025-01", "2025-09", "3100.00")]

    finding = only(
        custody(event(PROBATION, date(2024, 3, 1), end=date(2025, 12, 31)), periods=periods)
    )

    assert finding.check is CheckCode.CUSTODY
    assert (finding.amount, finding.months, finding.suspend) == (Decimal("900.00"), 9, False)
    assert finding.explanation.step("adjustments_excluded").result == "2024-03至2025-09"
