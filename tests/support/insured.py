"""Insured persons for workflow tests: an employer and men at work there since 1984 with a
chosen number of months paid from 1996 (the 邯郸 personal-account start)."""

from decimal import Decimal

from retirelink.archives.insured import (
    ContributionYear,
    EmploymentSpan,
    InsuranceRecord,
    InsuranceStatus,
)
from retirelink.archives.model import Person
from retirelink.archives.services import add_person, register_employer
from retirelink.bootstrap import Services
from retirelink.rules import RetirementCategory, YearMonth
from retirelink.rules.identifiers import credit_code_check_character
from retirelink.security.model import SYSTEM_ACTOR
from tests.support.builders import make_id_number, make_person

CREDIT_CODE = "91130406MA0000001" + credit_code_check_character("91130406MA0000001")
EMPLOYER_NAME = "峰峰集团大淮煤矿"
PHONE = "13900001111"


def register_test_employer(services: Services) -> None:
    with services.uow() as uow:
        register_employer(
            uow,
            actor=SYSTEM_ACTOR,
            credit_code=CREDIT_CODE,
            name=EMPLOYER_NAME,
            kind="coal_mine",
            region_code="130406",
        )


def contribution_years(total_months: int, employer_id: int) -> tuple[ContributionYear, ...]:
    years, left, year = [], total_months, 1996
    while left > 0:
        years.append(ContributionYear(year, min(12, left), Decimal("3000.00"), employer_id))
        left -= 12
        year += 1
    return tuple(years)


def insured_person(
    services: Services,
    *,
    birth: str,
    name: str,
    months: int,
    status: InsuranceStatus = InsuranceStatus.INSURED,
) -> Person:
    """A man (born ``birth``, YYYYMMDD) at the test employer since 1984-03."""
    with services.uow() as uow:
        person = add_person(
            uow,
            make_person(id_number=make_id_number(birth, sequence="131"), name=name, phone=PHONE),
            actor=SYSTEM_ACTOR,
            purpose="测试",
        )
        employer = uow.employers.get_by_credit_code(CREDIT_CODE)
        assert employer is not None and employer.id is not None and person.id is not None
        uow.insured.put(
            InsuranceRecord(
                person_id=person.id,
                category=RetirementCategory.MALE,
                status=status,
                employer_id=employer.id,
                retirement_month=None,
                employments=(EmploymentSpan(employer.id, YearMonth(1984, 3), None, "采煤工"),),
                contributions=contribution_years(months, employer.id),
            )
        )
        uow.commit()
    return person
