"""Pre-review of one person (workflow.prereview): the month in view, and the missing or
inconsistent items, each tied to the rule that makes it one. Statutory months come from
《国务院关于渐进式延迟法定退休年龄的办法》附件1; the minimum contribution from 附件4 (15 years
until 2029); special-job months from the required-months parameter (井下 108 months)."""

from dataclasses import replace
from datetime import date

import pytest

from retirelink.archives.insured import EmploymentSpan
from retirelink.archives.material_classes import MaterialType
from retirelink.rules import (
    BirthDateRecord,
    RetirementCategory,
    ServiceInterval,
    ServiceKind,
    SpecialJobType,
    StatedBirthDate,
    YearMonth,
    birth_date_for_retirement,
    load_parameters,
)
from retirelink.workflow.model import ItemCode, Owner, Route
from retirelink.workflow.prereview import (
    ArchiveFindings,
    PrereviewFacts,
    build_checklist,
    review_person,
)

ON = date(2026, 12, 3)
REGION = "130406"  # 邯郸 (130400) account start 1996-01
PARAMS = load_parameters()
# 附件1: a man born in May 1966 retires at 60 years 5 months, in October 2026.
BORN_1966_05 = date(1966, 5, 10)
FULL_CAREER = 360  # 30 years paid


def window(first: str, last: str) -> tuple[YearMonth, YearMonth]:
    return YearMonth.parse(first), YearMonth.parse(last)


def archive(
    *,
    types: set[MaterialType] | None = None,
    birth_records: tuple[BirthDateRecord, ...] = (),
    id_birth: date = BORN_1966_05,
    service: tuple[ServiceInterval, ...] = (),
    special_evidence: tuple[str, ...] = (),
    pending: int = 0,
) -> ArchiveFindings:
    return ArchiveFindings(
        material_types=frozenset(
            types
            if types is not None
            else {MaterialType.RECRUITMENT_REGISTRATION, MaterialType.REGULARISATION_GRADING}
        ),
        birth=birth_date_for_retirement(list(birth_records), id_card_birth=id_birth),
        service=service,
        contradictions=(),
        pending_facts=pending,
        special_job_evidence=special_evidence,
    )


def recruitment_form(stated: StatedBirthDate) -> BirthDateRecord:
    return BirthDateRecord("7", "招工登记表", date(1984, 3, 1), stated, "9-2")


def facts(
    *,
    birth: date = BORN_1966_05,
    category: RetirementCategory = RetirementCategory.MALE,
    months: int = FULL_CAREER,
    spans: tuple[EmploymentSpan, ...] = (),
    findings: ArchiveFindings | None = None,
) -> PrereviewFacts:
    return PrereviewFacts(1, birth, category, months, spans, findings)


def check(person: PrereviewFacts, first: str = "2026-10", last: str = "2027-04"):
    return build_checklist(person, on=ON, window=window(first, last), params=PARAMS, region=REGION)


def codes(checklist) -> list[ItemCode]:
    return [item.code for item in checklist.items]


def test_the_statutory_month_decides_whether_a_person_is_in_view():
    person = facts(
        findings=archive(birth_records=(recruitment_form(StatedBirthDate(1966, 5, 10)),))
    )
    assert check(person, "2026-10", "2027-04").retirement_month == "2026-10"
    assert check(person, "2026-04", "2026-10").retirement_month == "2026-10"  # last month in
    assert check(person, "2026-11", "2027-05") is None  # a month late: out of view


def test_a_complete_file_has_no_items():
    person = facts(
        findings=archive(birth_records=(recruitment_form(StatedBirthDate(1966, 5, 10)),))
    )
    checklist = check(person)
    assert checklist.ready and checklist.route is Route.STATUTORY
    assert checklist.summary["退休年月"].startswith("2026年10月")


def test_no_digitised_archive_goes_to_the_archive_office_not_the_person():
    checklist = check(facts())
    assert codes(checklist) == [ItemCode.NO_ARCHIVE]
    assert checklist.items[0].owner is Owner.ARCHIVES and not checklist.notified_items


def test_an_earlier_archive_birth_date_moves_the_retirement_month_and_is_reported():
    # 劳社部发〔1999〕8号: the earliest archive record wins over the ID card. The ID card says
    # 1966-09 (retirement 2027-03 by 附件1); the 招工登记表 of 1984 says 1966-05 → 2026-10.
    findings = archive(
        birth_records=(recruitment_form(StatedBirthDate(1966, 5, None)),),
        id_birth=date(1966, 9, 1),
    )
    checklist = check(facts(birth=date(1966, 9, 1), findings=findings), "2026-10", "2026-12")
    assert checklist.retirement_month == "2026-10"
    assert codes(checklist) == [ItemCode.BIRTH_DATE_DIFFERS]
    assert checklist.items[0].evidence == ("material:7",)


def test_an_altered_earliest_record_asks_the_person_for_a_hukou_proof():
    altered = BirthDateRecord(
        "7", "招工登记表", date(1984, 3, 1), StatedBirthDate(1966, 5, 10), "9-2", altered=True
    )
    checklist = check(facts(findings=archive(birth_records=(altered,))))
    assert ItemCode.BIRTH_DATE_REVIEW in codes(checklist)
    item = next(i for i in checklist.items if i.code is ItemCode.BIRTH_DATE_REVIEW)
    assert item.owner is Owner.APPLICANT and "劳办函〔1993〕67号" in item.text


def test_work_before_the_account_start_needs_the_forms_that_prove_it():
    # 国发〔1997〕26号: service before the personal account counts only with archive evidence.
    spans = (EmploymentSpan(3, YearMonth(1984, 3), None, "采煤工"),)
    record = recruitment_form(StatedBirthDate(1966, 5, 10))
    no_grading = archive(types={MaterialType.RECRUITMENT_REGISTRATION}, birth_records=(record,))
    checklist = check(facts(spans=spans, findings=no_grading))
    missing = [i for i in checklist.items if i.code is ItemCode.MISSING_MATERIAL]
    assert len(missing) == 1 and "转正定级表" in missing[0].text
    assert missing[0].owner is Owner.EMPLOYER


def test_a_gap_in_continuous_service_is_listed_with_its_months():
    spans = (EmploymentSpan(3, YearMonth(1984, 3), None, "采煤工"),)
    service = (
        ServiceInterval(
            YearMonth(1984, 3), YearMonth(1988, 12), ServiceKind.EMPLOYMENT, ("material:7",)
        ),
        ServiceInterval(
            YearMonth(1990, 1), YearMonth(1995, 12), ServiceKind.EMPLOYMENT, ("material:8",)
        ),
    )
    record = recruitment_form(StatedBirthDate(1966, 5, 10))
    checklist = check(
        facts(spans=spans, findings=archive(birth_records=(record,), service=service))
    )
    gaps = [i for i in checklist.items if i.code is ItemCode.SERVICE_GAP]
    assert len(gaps) == 1 and "1989年1月至1989年12月" in gaps[0].text and "12个月" in gaps[0].text


@pytest.mark.parametrize(
    ("paid", "short"),
    [(179, 1), (180, 0)],  # 附件4: 15 years (180 months) for a 2026 retirement
)
def test_contribution_months_against_the_minimum_at_the_boundary(paid, short):
    record = recruitment_form(StatedBirthDate(1966, 5, 10))
    checklist = check(facts(months=paid, findings=archive(birth_records=(record,))))
    found = [i for i in checklist.items if i.code is ItemCode.CONTRIBUTION_SHORT]
    if short:
        assert len(found) == 1 and f"差{short}个月" in found[0].text
        assert found[0].owner is Owner.APPLICANT
    else:
        assert not found


def test_no_contribution_record_is_for_the_agency_to_trace():
    checklist = check(facts(months=0, findings=archive()))
    assert ItemCode.NO_CONTRIBUTIONS in codes(checklist)


@pytest.mark.parametrize(
    ("underground", "route"), [(107, Route.STATUTORY), (108, Route.SPECIAL_JOB)]
)
def test_special_job_months_at_the_boundary(underground, route):
    # 国发〔1978〕104号第一条第（二）项: 井下 work of 9 years (108 months, required-months
    # parameter) lets a man retire at 55. Born 1971-12: 55 in 2026-12.
    start = YearMonth(2000, 1)
    spans = (
        EmploymentSpan(3, start, start.plus(underground), "采煤工", SpecialJobType.UNDERGROUND),
        EmploymentSpan(3, start.plus(underground), None, "机电维修工"),
    )
    born = date(1971, 12, 5)
    record = recruitment_form(StatedBirthDate(1971, 12, 5))
    findings = archive(birth_records=(record,), id_birth=born, special_evidence=("material:9",))
    checklist = check(facts(birth=born, spans=spans, findings=findings), "2026-12", "2027-06")
    if route is Route.SPECIAL_JOB:
        assert checklist.route is Route.SPECIAL_JOB and checklist.retirement_month == "2026-12"
        assert ItemCode.SPECIAL_JOB_SHORT not in codes(checklist)
    else:
        assert checklist is None  # statutory month (2033) far out of view
        statutory = check(facts(birth=born, spans=spans, findings=findings), "2033-01", "2034-12")
        short = [i for i in statutory.items if i.code is ItemCode.SPECIAL_JOB_SHORT]
        assert len(short) == 1 and "差1个月" in short[0].text


def test_special_job_months_without_an_original_record_are_flagged_for_the_employer():
    spans = (EmploymentSpan(3, YearMonth(1990, 1), None, "采煤工", SpecialJobType.UNDERGROUND),)
    record = recruitment_form(StatedBirthDate(1966, 5, 10))
    checklist = check(facts(spans=spans, findings=archive(birth_records=(record,))))
    found = [i for i in checklist.items if i.code is ItemCode.SPECIAL_JOB_EVIDENCE]
    assert len(found) == 1 and found[0].owner is Owner.EMPLOYER


def test_pending_facts_are_the_reviewers_work():
    record = recruitment_form(StatedBirthDate(1966, 5, 10))
    checklist = check(facts(findings=archive(birth_records=(record,), pending=3)))
    item = next(i for i in checklist.items if i.code is ItemCode.FACTS_PENDING)
    assert item.owner is Owner.AGENCY and "3条" in item.text


def test_the_flexible_window_is_shown_beside_the_statutory_month():
    # 办法第三条: early by up to 3 years but never below the original age (60 for men):
    # born 1966-05 → 2026-05 at the earliest; late by up to 3 years → 63y5m, 2029-10.
    person = facts(
        findings=archive(birth_records=(recruitment_form(StatedBirthDate(1966, 5, 10)),))
    )
    assert check(person).summary["弹性退休可选"] == "2026年5月至2029年10月"


def test_months_paid_before_the_account_start_are_not_deemed_twice():
    """The archive proves service from 1984-03 (142 months before the 1996-01 account start,
    国发〔1997〕26号); where contributions were collected from 1992, the 48 months paid in
    1992–1995 are actual contributions and leave 94 deemed months."""
    service = (
        ServiceInterval(
            YearMonth(1984, 3), YearMonth(1995, 12), ServiceKind.EMPLOYMENT, ("material:7",)
        ),
    )
    findings = archive(
        birth_records=(recruitment_form(StatedBirthDate(1966, 5, 10)),), service=service
    )
    paid = tuple((year, 12) for year in range(1992, 2007))  # 180 months, 48 before 1996
    person = replace(facts(months=180, findings=findings), paid_by_year=paid)

    review = review_person(person, on=ON, params=PARAMS, region=REGION)

    assert review.deemed is not None and review.deemed.months == 142
    assert review.paid_before_account == 48 and review.deemed_counted == 94
    assert review.paid_and_deemed == 180 + 94
    assert check(person).summary["视同缴费"] == "7年10个月"
