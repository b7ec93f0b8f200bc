"""Duplicate receipt (重复领取): ``check_duplicates`` against policy-spec §5.3
(《城乡养老保险制度衔接暂行办法》第八条; 人社厅发〔2021〕77号).

The identity matching has already linked the rows (``IdentityLink``); the check decides which
pension is kept and what the other returns. Checked on 2025-10-15 with shipped parameters.
"""

from datetime import date
from decimal import Decimal

import pytest

from retirelink.fundcheck.checks_duplicates import check_duplicates
from retirelink.fundcheck.model import Band, CheckCode, PayStatus, Scheme
from tests.unit.fundcheck.builders import (
    case,
    context,
    evidence_of,
    link,
    month_day,
    only,
    paid,
    roll,
)

EMPLOYEE = roll(pension_id=101, first_month=month_day("2023-01"))  # 企业职工 since 2023-01


def resident(pension_id=202, *, first="2020-06", region="130406", basic="150.00", **overrides):
    """A 城乡居民 pension of 230.00 a month: 基础养老金 150.00 + 个人账户养老金 80.00."""
    values = {
        "pension_id": pension_id,
        "scheme": Scheme.RESIDENT,
        "region": region,
        "first_month": month_day(first),
        "monthly_amount": Decimal("230.00"),
        "basic_amount": Decimal(basic),
    }
    return roll(**(values | overrides))


def duplicates(entry, periods, *links, **kwargs):
    return check_duplicates(case(entry, periods, links=links), context(**kwargs))


# -- employee and resident -------------------------------------------------------------------


def test_the_employee_pension_is_kept_and_its_case_raises_nothing():
    """人社厅发〔2021〕77号: keep the 职工 pension; the finding belongs to the resident row."""
    linked = link(resident(), [paid("2020-06", "2024-06", "230.00")])

    assert duplicates(EMPLOYEE, [paid("2023-01", "2025-09")], linked) == []


def test_the_resident_pension_returns_its_basic_pension_drawn_since_the_employee_one_began():
    """第八条 (policy-spec §5.3 [X09]): the resident pension is ended and its 基础养老金 drawn
    since the employee pension began (2023-01..2024-06, 18 × 150) = 2,700 is returned; the
    personal-account part (80 a month) is the person's own and is not."""
    entry = resident()

    finding = only(duplicates(entry, [paid("2020-06", "2024-06", "230.00")], link(EMPLOYEE)))

    assert finding.check is CheckCode.DUPLICATE
    assert (finding.amount, finding.months, finding.from_month) == (
        Decimal("2700.00"),
        18,
        "2023-01",
    )
    assert (finding.pension_id, finding.related_pension_id) == (202, 101)
    assert finding.key == "duplicate:202:101"
    assert finding.suspend is True  # the resident row is still 'paying'
    assert finding.owed_to_person is False
    assert finding.explanation.step("duplicate_basic").result == "2700.00"
    [kept] = evidence_of(finding, "roll")
    assert "保留：企业职工基本养老保险" in kept and "待遇号101" in kept


def test_the_x09_example_returns_the_basic_pension_actually_drawn_each_month():
    """第八条 (policy-spec §5.3 [X09]; rules/examples.py 'duplicates'): employee pension from
    2023-01; resident basic pension 150 through 2023-12 and 160 from 2024-01 (paid 230, then
    240, with a fixed account pension of 80) → 12 × 150 + 6 × 160 = 2,760 over 18 months."""
    entry = resident(monthly_amount=Decimal("240.00"), basic="160.00")
    periods = [paid("2020-06", "2023-12", "230.00"), paid("2024-01", "2024-06", "240.00")]

    finding = only(duplicates(entry, periods, link(EMPLOYEE)))

    assert (finding.amount, finding.months) == (Decimal("2760.00"), 18)


def test_a_resident_pension_begun_after_the_employee_one_returns_every_basic_month():
    """第八条: employee pension since 2020-01, resident pension taken up in 2022-01 and paid to
    2023-06 → all 18 resident months are duplicates: 18 × 150 = 2,700 from 2022-01."""
    kept = roll(pension_id=101, first_month=month_day("2020-01"))
    entry = resident(first="2022-01", status=PayStatus.STOPPED, paid_through=month_day("2023-06"))

    finding = only(duplicates(entry, [paid("2022-01", "2023-06", "230.00")], link(kept)))

    assert (finding.amount, finding.months, finding.from_month) == (
        Decimal("2700.00"),
        18,
        "2022-01",
    )
    assert finding.suspend is False  # already stopped


# -- two resident pensions -------------------------------------------------------------------


def test_of_two_resident_pensions_the_first_place_of_receipt_is_kept():
    """人社厅发〔2021〕77号 (policy-spec §5.3 [X09]; tests/unit/rules/cases/duplicates.yaml):
    130406 since 2019-01 is kept; 130404, taken up 2021-07 and paid to 2022-12, returns its
    basic pension: 18 × 143 = 2,574."""
    first = resident(301, first="2019-01", basic="143.00", monthly_amount=Decimal("143.00"))
    later = resident(
        302, first="2021-07", region="130404", basic="143.00", monthly_amount=Decimal("143.00")
    )

    finding = only(duplicates(later, [paid("2021-07", "2022-12", "143.00")], link(first)))
    kept_case = duplicates(first, [paid("2019-01", "2025-09", "143.00")], link(later))

    assert (finding.amount, finding.months, finding.from_month) == (
        Decimal("2574.00"),
        18,
        "2021-07",
    )
    assert (finding.pension_id, finding.related_pension_id) == (302, 301)
    assert kept_case == []


def test_two_resident_pensions_begun_in_the_same_month_return_only_the_basic_pension():
    """第八条 (policy-spec §5.3): a cleared resident pension returns its 基础养老金; its
    个人账户 is refunded to the person (less subsidies), whichever place is kept."""
    one = resident(301, first="2021-07", region="130404")
    other = resident(302, first="2021-07")

    finding = only(duplicates(other, [paid("2021-07", "2022-12", "230.00")], link(one)))

    assert (finding.amount, finding.months) == (Decimal("2700.00"), 18)


# -- two pensions of one scheme --------------------------------------------------------------


def test_of_two_employee_pensions_the_later_is_cleared_and_all_its_months_recovered():
    """人社厅发〔2021〕77号, 国办发〔2009〕66号 (one place of receipt; rules/duplicates.py
    evaluate_same_scheme_duplicate [S]): 110000 since 2015-01 is kept; 310000 since 2018-03,
    paid 3,500 to 2025-09 → all 91 months recovered, 318,500."""
    first = roll(pension_id=401, region="110000", first_month=month_day("2015-01"))
    later = roll(
        pension_id=402,
        region="310000",
        first_month=month_day("2018-03"),
        monthly_amount=Decimal("3500.00"),
    )
    later_paid = [paid("2018-03", "2025-09", "3500.00")]

    finding = only(duplicates(later, later_paid, link(first, [paid("2015-01", "2025-09")])))
    kept_case = duplicates(first, [paid("2015-01", "2025-09")], link(later, later_paid))

    assert (finding.amount, finding.months, finding.from_month) == (
        Decimal("318500.00"),
        91,
        "2018-03",
    )
    assert finding.key == "duplicate:402:401"
    assert finding.explanation.step("same_scheme_overpaid").result == "318500.00"
    assert kept_case == []


# -- the match's score -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "band"),
    [
        pytest.param(0.97, Band.AUTOMATIC, id="same-id"),
        pytest.param(0.85, Band.REVIEW, id="mistyped-id"),
        pytest.param(0.4, Band.DISMISSED, id="weak"),
    ],
)
def test_the_match_score_is_the_confidence_and_sets_the_band(score, band):
    """checks_duplicates: a doubtful match (a mistyped ID) goes to a person; with the default
    thresholds (0.9 / 0.5) a 0.85 match is in the review band. The amount does not change."""
    entry = resident()

    finding = only(
        duplicates(entry, [paid("2020-06", "2024-06", "230.00")], link(EMPLOYEE, score=score))
    )

    assert (finding.confidence, finding.band) == (score, band)
    assert finding.amount == Decimal("2700.00")


def test_the_finding_cites_the_match_and_the_payments_since_the_kept_pension():
    """anchors.md §7.3: every finding rests on evidence: the match's reasons, the kept pension
    and the payments."""
    finding = only(duplicates(resident(), [paid("2020-06", "2024-06", "230.00")], link(EMPLOYEE)))

    assert evidence_of(finding, "match") == ["同一公民身份号码：身份证号相同；姓名相同"]
    assert evidence_of(finding, "payment") == [
        "2023年1月起仍发放：2023年1月至2024年6月每月230.00元（城乡居民基本养老保险，130406）"
    ]
    assert finding.evidence[1].on == date(2023, 1, 1)
