"""Anomaly rules (anchors.md §8; checks_anomalies) and ``run_checks`` over all checks.

Unless a test says otherwise: a paying 企业职工 pension of 3,000.00 a month since 2015-06,
paid through 2025-09, checked on 2025-10-15 with the default ``AnomalySettings`` (100 years,
a 12-month sign window, payee changes within 3 months, 3 pensioners to an account, retired
within 36 months).
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from retirelink.fundcheck.checks import CHECKS, run_checks
from retirelink.fundcheck.checks_anomalies import (
    check_account_after_death,
    check_birth_date_altered,
    check_over_100,
    check_payee_change,
    check_shared_account,
)
from retirelink.fundcheck.checks_death import check_death
from retirelink.fundcheck.model import Band, CheckCode, EventKind, PayStatus, Scheme
from tests.unit.fundcheck.builders import (
    case,
    context,
    event,
    evidence_of,
    link,
    month_day,
    only,
    paid,
    roll,
    sign,
)

DEATH = EventKind.DEATH_CANCELLATION
MARCH_15 = date(2025, 3, 15)
X05_PAID = [paid("2020-04", "2025-09", "4000.00")]  # policy-spec §5.2 [X05]


# -- over 100 --------------------------------------------------------------------------------


def test_a_centenarian_without_a_sign_for_a_year_is_sent_for_a_home_visit():
    """anchors.md §8 (Anhui: unreported deaths hide longest among the very old): 100 on
    2025-10-15, no sign since 2024-10 → the 12 months paid since, 36,000, for review."""
    entry = roll(birth_date=date(1925, 10, 15))

    finding = only(check_over_100(case(entry), context()))

    assert finding.check is CheckCode.OVER_100
    assert (finding.amount, finding.months, finding.from_month) == (
        Decimal("36000.00"),
        12,
        "2024-10",
    )
    assert (finding.confidence, finding.band, finding.suspend) == (0.7, Band.REVIEW, False)
    assert finding.key == "over_100:101"


def test_a_pensioner_one_day_short_of_100_is_not_listed():
    """checks_anomalies: completed years (已满): born 1925-10-16 is 99 on 2025-10-15."""
    assert check_over_100(case(roll(birth_date=date(1925, 10, 16))), context()) == []


@pytest.mark.parametrize(
    ("signs", "certified_on", "listed"),
    [
        pytest.param([date(2024, 10, 1)], None, False, id="sign-on-the-window-start"),
        pytest.param([date(2025, 9, 2)], None, False, id="recent-sign"),
        # A certification on the roll alone is no sign of life for the very old (self-service
        # on a relative's phone is what an impostor can produce): still listed.
        pytest.param([], date(2025, 1, 5), True, id="recent-certification-alone"),
        pytest.param([date(2024, 9, 30)], None, True, id="sign-just-before-the-window"),
        pytest.param([], date(2024, 9, 30), True, id="certified-just-before-the-window"),
    ],
)
def test_a_centenarian_is_listed_unless_a_shared_sign_of_life_falls_within_a_year(
    signs, certified_on, listed
):
    """checks_anomalies / 人社厅发〔2018〕54号: the living show their own signs in shared data; the
    window starts 2024-10-01 (12 months before the month of the check)."""
    entry = roll(birth_date=date(1920, 1, 1), last_certified_on=certified_on)

    findings = check_over_100(case(entry, signs=[sign(day) for day in signs]), context())

    assert bool(findings) is listed


# -- account changed after death -------------------------------------------------------------


def test_an_account_changed_after_death_is_suspected_fraud_in_the_automatic_band():
    """社会保险法第八十八条 (policy-spec §5.2 [C]): return the amount and a fine of 2–5×;
    with [X05] (death 2025-03-15, 4,000 a month to 2025-09) the amount is 24,000 and the fine
    48,000–120,000; the account changed 18 days after the death."""
    entry = roll(account_changed_on=date(2025, 4, 2))

    finding = only(
        check_account_after_death(case(entry, X05_PAID, events=[event(DEATH, MARCH_15)]), context())
    )

    assert finding.check is CheckCode.ACCOUNT_AFTER_DEATH
    assert (finding.amount, finding.months, finding.from_month) == (
        Decimal("24000.00"),
        6,
        "2025-04",
    )
    assert (finding.confidence, finding.band, finding.suspend) == (0.97, Band.AUTOMATIC, True)
    assert "可处48,000.00元至120,000.00元罚款" in finding.summary
    assert finding.explanation.step("fine_minimum").result == "48000.00"
    assert finding.explanation.step("fine_maximum").result == "120000.00"
    assert "2025-04-02变更收款账户（死亡后18天）" in evidence_of(finding, "roll")


def test_the_amount_after_an_account_change_equals_the_death_overpayment():
    """policy-spec §5.2: both checks recover the same months after death (死亡次月停发)."""
    entry = roll(account_changed_on=date(2025, 6, 1))
    deceased = case(entry, X05_PAID, events=[event(DEATH, MARCH_15)])

    fraud = only(check_account_after_death(deceased, context()))
    death = only(check_death(deceased, context()))

    assert (fraud.amount, fraud.months, fraud.from_month) == (
        death.amount,
        death.months,
        death.from_month,
    )


@pytest.mark.parametrize(
    "changed_on",
    [pytest.param(MARCH_15, id="on-the-death-day"), pytest.param(date(2025, 2, 1), id="before")],
)
def test_an_account_changed_on_or_before_the_death_day_is_not_flagged(changed_on):
    """checks_anomalies: only a change after the death shows someone else drawing the money."""
    entry = roll(account_changed_on=changed_on)

    assert check_account_after_death(case(entry, events=[event(DEATH, MARCH_15)]), context()) == []


@pytest.mark.parametrize(
    "events",
    [
        pytest.param([], id="no-death-record"),
        pytest.param([event(DEATH, date(2025, 11, 1))], id="death-after-today-refused"),
    ],
)
def test_an_account_change_without_a_plausible_death_is_not_flagged(events):
    """fundcheck.evidence: a death record that cannot be true is never used."""
    entry = roll(account_changed_on=date(2025, 4, 2))

    assert check_account_after_death(case(entry, events=events), context()) == []


# -- payee change ----------------------------------------------------------------------------


def test_a_recent_change_of_payee_to_another_name_is_sent_for_review():
    """anchors.md §8 (the Chongqing 双改 case): the account holder changed on 2025-08-05 to
    王五 → paid since 2025-08: 2 × 3,000 = 6,000, review band."""
    entry = roll(payee_name="王五", payee_changed_on=date(2025, 8, 5))

    finding = only(check_payee_change(case(entry), context()))

    assert finding.check is CheckCode.PAYEE_CHANGE
    assert (finding.amount, finding.months, finding.from_month) == (
        Decimal("6000.00"),
        2,
        "2025-08",
    )
    assert (finding.confidence, finding.band) == (0.6, Band.REVIEW)
    assert "收款人由本人变更为“王五”" in finding.summary


@pytest.mark.parametrize(
    ("payee", "changed_on", "flagged"),
    [
        pytest.param("张三", date(2025, 8, 5), False, id="same-name"),
        pytest.param("王五", date(2025, 6, 30), False, id="long-ago"),
        pytest.param("王五", date(2025, 7, 1), True, id="first-day-of-the-window"),
    ],
)
def test_only_a_recent_change_to_another_name_is_flagged(payee, changed_on, flagged):
    """AnomalySettings.payee_change_months = 3: the window starts 2025-07-01; a new account in
    the pensioner's own name is no sign of hijacking."""
    entry = roll(payee_name=payee, payee_changed_on=changed_on)

    findings = check_payee_change(case(entry), context())

    assert [(f.amount, f.months) for f in findings] == (
        [(Decimal("9000.00"), 3)] if flagged else []
    )


# -- shared account --------------------------------------------------------------------------


def sharer(pension_id, name):
    return roll(pension_id=pension_id, name=name, id_number=f"13040619500101{pension_id:04d}")


def test_three_pensioners_paid_into_one_account_are_sent_for_review():
    """anchors.md §8: several unrelated pensioners paid into one account (an agent collecting
    for the dead): AnomalySettings.shared_account_pensioners = 3."""
    sharers = [sharer(2, "李四"), sharer(3, "王五")]

    finding = only(check_shared_account(case(sharers=sharers), context()))

    assert finding.check is CheckCode.SHARED_ACCOUNT
    assert (finding.amount, finding.months, finding.from_month) == (Decimal("3000.00"), 1, None)
    assert (finding.confidence, finding.band) == (0.6, Band.REVIEW)
    assert "收款账户尾号1234同时收取3人的养老金" in finding.summary


@pytest.mark.parametrize(
    "sharers",
    [
        pytest.param([sharer(2, "李四")], id="two-pensioners"),
        pytest.param([roll(), sharer(2, "李四")], id="the-pensioner-listed-among-the-sharers"),
    ],
)
def test_two_pensioners_on_one_account_are_not_flagged(sharers):
    """checks_anomalies: a couple sharing an account is ordinary; the pensioner is never counted
    twice when listed among the sharers."""
    assert check_shared_account(case(sharers=sharers), context()) == []


# -- birth date altered ----------------------------------------------------------------------


def test_a_man_retired_on_an_earlier_roll_birth_date_repays_the_months_before_his_statutory_month():
    """审计署 (anchors.md §8: 篡改档案) and 《国务院关于渐进式延迟法定退休年龄的办法》第一条
    (policy-spec §1.3): the archive gives 1966-07 → 60 years + 5 months → statutory month
    2026-12; 弹性提前退休 (办法第三条, policy-spec §1.5) could start no earlier than the original
    age 60 → 2026-07; paid since 2024-04 on the roll's 1964-03 → 2024-04..2025-09 are all
    before it, 18 × 3,000 = 54,000."""
    entry = roll(
        birth_date=date(1964, 3, 10),
        first_month=month_day("2024-04"),
        archive_birth_date=date(1966, 7, 10),
    )

    finding = only(check_birth_date_altered(case(entry), context()))

    assert finding.check is CheckCode.BIRTH_DATE_ALTERED
    assert (finding.amount, finding.months, finding.from_month) == (
        Decimal("54000.00"),
        18,
        "2024-04",
    )
    assert (finding.confidence, finding.band) == (0.8, Band.REVIEW)
    assert finding.explanation.step("retirement_month").result == "2026-12"
    assert "按档案日期最早2026年7月方可退休" in finding.summary


def test_a_woman_is_held_to_the_earliest_statutory_age_and_repays_only_the_months_before_it():
    """办法第一条, 附件3 (policy-spec §1.4 female50): archive 1975-06 → 50 years + 3 months →
    statutory 2025-09, after flexible retirement began (2025-01), so the earliest lawful month is
    the flexible one: never below the original age 50 (办法第三条, policy-spec §1.5) → 2025-06;
    paid since 2022-11 → 2022-11..2025-05 are early: 31 × 3,000 = 93,000."""
    entry = roll(
        sex="2",
        birth_date=date(1972, 10, 5),
        first_month=month_day("2022-11"),
        archive_birth_date=date(1975, 6, 1),
    )

    finding = only(check_birth_date_altered(case(entry), context()))

    assert (finding.amount, finding.months) == (Decimal("93000.00"), 31)
    assert finding.explanation.step("retirement_month").result == "2025-09"


@pytest.mark.parametrize(
    ("archive", "first_month", "flagged"),
    [
        pytest.param(date(1964, 3, 10), "2024-04", False, id="archive-equal"),
        pytest.param(date(1963, 1, 1), "2024-04", False, id="archive-earlier"),
        pytest.param(date(1966, 7, 10), "2022-09", False, id="retired-37-months-ago"),
        pytest.param(date(1966, 7, 10), "2022-10", True, id="retired-36-months-ago"),
        pytest.param(date(1964, 3, 20), "2024-04", False, id="later-day-same-month"),
    ],
)
def test_only_a_later_archive_date_of_a_recent_retiree_that_changes_the_month_is_flagged(
    archive, first_month, flagged
):
    """checks_anomalies: the archive must be later than the roll, the retirement recent
    (AnomalySettings.recent_retirement_months = 36, from 2022-10), and the statutory month it
    gives later than the first month paid."""
    entry = roll(
        birth_date=date(1964, 3, 10),
        first_month=month_day(first_month),
        archive_birth_date=archive,
    )

    assert bool(check_birth_date_altered(case(entry), context())) is flagged


def test_an_archive_birth_date_after_today_does_not_hide_a_death():
    """fundcheck.evidence: a record that cannot be true is refused and cited, never allowed to
    drop the case; the 公安 death record still gives its finding (policy-spec §5.2)."""
    entry = roll(first_month=month_day("2024-04"), archive_birth_date=date(2026, 1, 1))

    findings = run_checks(case(entry, events=[event(DEATH, MARCH_15)]), context())

    assert [(f.check, f.amount) for f in findings if f.check is CheckCode.DEATH] == [
        (CheckCode.DEATH, Decimal("18000.00"))
    ]


# -- run_checks --------------------------------------------------------------------------------


def test_all_checks_on_a_clean_case_find_nothing():
    """checks.run_checks: a living, certified pensioner paid once, into his own account, with
    no partner record finds nothing (every registered check runs)."""
    clean = case(signs=[sign(date(2025, 1, 5))])

    assert set(CHECKS) == set(CheckCode) - {CheckCode.NOT_RESUMED}
    assert run_checks(clean, context()) == []


def troubled_case():
    """A case that trips most checks: dead per 公安, account and payee changed afterwards,
    never certified, a shared account, a custody record and a resident duplicate."""
    entry = roll(
        account_changed_on=date(2025, 8, 1),
        payee_name="王五",
        payee_changed_on=date(2025, 8, 1),
        scheme=Scheme.RESIDENT,
        basic_amount=Decimal("150.00"),
    )
    return case(
        entry,
        events=[
            event(DEATH, MARCH_15, record_id=1),
            event(EventKind.IMPRISONMENT, date(2024, 3, 10), record_id=2),
        ],
        links=[link(roll(pension_id=7, first_month=month_day("2020-01")))],
        sharers=[roll(pension_id=2, name="李四"), roll(pension_id=3, name="王五")],
    )


def test_every_finding_key_is_the_same_on_a_second_run():
    """fundcheck.model.Finding.key: the same facts found again are the same findings, so a
    re-run never duplicates them; within a run the keys are distinct."""
    first = run_checks(troubled_case(), context())
    second = run_checks(troubled_case(), context())

    keys = [finding.key for finding in first]
    assert keys == [finding.key for finding in second]
    assert len(set(keys)) == len(keys)
    assert {finding.check for finding in first} == {
        CheckCode.DEATH,
        CheckCode.CUSTODY,
        CheckCode.DUPLICATE,
        CheckCode.CERTIFICATION,
        CheckCode.ACCOUNT_AFTER_DEATH,
        CheckCode.PAYEE_CHANGE,
        CheckCode.SHARED_ACCOUNT,
    }
    assert [f.amount for f in first] == [f.amount for f in second]


def test_run_checks_runs_only_the_named_checks():
    """checks.run_checks: the batch passes the checks a case is a candidate for."""
    findings = run_checks(troubled_case(), context(), [CheckCode.DEATH, CheckCode.OVER_100])

    assert [finding.key for finding in findings] == ["death:101"]


def test_a_stopped_pension_keeps_only_the_recoveries():
    """checks_anomalies / checks_certification: the review-only patterns concern pensions being
    paid; what was overpaid after death is still recovered."""
    troubled = troubled_case()
    stopped = replace(troubled, roll=replace(troubled.roll, status=PayStatus.STOPPED))

    checks = {finding.check for finding in run_checks(stopped, context())}

    assert CheckCode.DEATH in checks
    assert checks.isdisjoint(
        {CheckCode.CERTIFICATION, CheckCode.PAYEE_CHANGE, CheckCode.SHARED_ACCOUNT}
    )
