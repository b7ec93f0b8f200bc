"""A demo person's insured record: retirement category from the post, careers as employment
spans, contribution years."""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from retirelink.archives.insured import (
    ContributionYear,
    EmploymentSpan,
    InsuranceRecord,
    InsuranceStatus,
)
from retirelink.demo.model import DemoPerson
from retirelink.rules import RetirementCategory, Sex, SpecialJobType, YearMonth

# Posts that were 干部 / 管理技术岗 before 2025: a woman on one of them had the statutory age
# of 55, on a 工人岗 50 (policy-spec §1.2). The demo decides by the last post held.
CADRE_POSTS = frozenset(
    [
        "教师",
        "医生",
        "护士",
        "会计",
        "出纳",
        "技术员",
        "科员",
        "办事员",
        "副科长",
        "科长",
        "化验员",
        "统计员",
        "调度员",
        "安全员",
        "质检员",
    ]
)


def retirement_category(person: DemoPerson) -> RetirementCategory:
    if person.sex is Sex.MALE:
        return RetirementCategory.MALE
    last_post = person.careers[-1].post if person.careers else ""
    return RetirementCategory.FEMALE55 if last_post in CADRE_POSTS else RetirementCategory.FEMALE50


def insurance_record(
    person: DemoPerson, person_id: int, employer_ids: Mapping[str, int]
) -> InsuranceRecord:
    """The record the agency would hold for ``person`` (stored as ``person_id``)."""
    spans = tuple(
        EmploymentSpan(
            employer_id=employer_ids.get(span.employer_credit_code),
            start=YearMonth.of(span.start),
            end=YearMonth.of(span.end) if span.end else None,
            post=span.post,
            special_job=SpecialJobType.UNDERGROUND if span.underground else None,
        )
        for span in person.careers
    )
    years = tuple(
        ContributionYear(
            year=year.year,
            months=year.months,
            base_wage=year.base_wage,
            employer_id=employer_ids.get(year.employer_credit_code),
        )
        for year in person.contributions
        if year.months
    )
    last_employer = person.careers[-1].employer_credit_code if person.careers else None
    return InsuranceRecord(
        person_id=person_id,
        category=retirement_category(person),
        status=InsuranceStatus(person.status.value),
        employer_id=employer_ids.get(last_employer) if last_employer else None,
        retirement_month=YearMonth.of(person.retirement_month) if person.retirement_month else None,
        employments=spans,
        contributions=years,
        account_balance=_account_balance(years, BALANCE_YEAR),
        account_balance_year=BALANCE_YEAR,
    )


# The demo's personal accounts are balanced at the end of the last year with published
# figures. Illustrative: 8% of each year's base, without the interest a real account earned.
BALANCE_YEAR = 2025
_CREDIT_RATE = Decimal("0.08")


def _account_balance(years: tuple[ContributionYear, ...], through: int) -> Decimal:
    total = sum(
        (year.base_wage * year.months * _CREDIT_RATE for year in years if year.year <= through),
        Decimal(0),
    )
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
