"""Insured persons for workflow tests: an employer and men at work there since 1984 with a
chosen number of months paid from 1996 (the 邯郸 personal-account start)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from retirelink.accounts.services import create_user
from retirelink.archives.cataloguing import MaterialEntry, catalogue_material, open_archive
from retirelink.archives.fact_kinds import FactKind
from retirelink.archives.facts import add_fact
from retirelink.archives.holdings import DatePrecision, FuzzyDate
from retirelink.archives.insured import (
    ContributionYear,
    EmploymentSpan,
    InsuranceRecord,
    InsuranceStatus,
)
from retirelink.archives.material_classes import ArchiveKind, MaterialType
from retirelink.archives.model import Person
from retirelink.archives.services import add_person, register_employer
from retirelink.bootstrap import Services
from retirelink.rules import RetirementCategory, SpecialJobType, YearMonth
from retirelink.rules.identifiers import credit_code_check_character
from retirelink.security.model import SYSTEM_ACTOR, Actor, Principal, PrincipalKind, Role
from tests.support.builders import make_id_number, make_person

CREDIT_CODE = "91130406MA0000001" + credit_code_check_character("91130406MA0000001")
EMPLOYER_NAME = "峰峰集团大淮煤矿"
PHONE = "13900001111"
ACCOUNT_BALANCE = Decimal("30000.00")
EMPLOYED_FROM = YearMonth(1984, 3)
MINER_FROM = YearMonth(1988, 3)  # at 16: never before the legal working age


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
    post: str = "采煤工",
    special_job: SpecialJobType | None = None,
    employed_from: YearMonth = EMPLOYED_FROM,
) -> Person:
    """A man (born ``birth``, YYYYMMDD) at the test employer since ``employed_from`` (1984-03),
    with a personal account of 30,000 元 at the end of 2025."""
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
                employments=(EmploymentSpan(employer.id, employed_from, None, post, special_job),),
                contributions=contribution_years(months, employer.id),
                account_balance=ACCOUNT_BALANCE,
                account_balance_year=2025,
            )
        )
        uow.commit()
    return person


def digitised_archive(
    services: Services,
    person: Person,
    *,
    born: str,
    work_start: str = "1984年3月",
    grading: bool = True,
) -> int:
    """An archive with a 招工登记表 (and a 转正定级表 unless ``grading`` is False) and the
    reviewed birth date and work start read from the first: the id of the 招工登记表."""
    reviewer = Actor(4, "reviewer", "复核", "SHEBAO", frozenset({Role.REVIEWER}))
    entries = [(MaterialType.RECRUITMENT_REGISTRATION, "招工登记表", date(1984, 3, 1))]
    if grading:
        entries.append((MaterialType.REGULARISATION_GRADING, "转正定级表", date(1985, 3, 1)))
    with services.uow() as uow:
        archive = open_archive(
            uow,
            actor=SYSTEM_ACTOR,
            id_number=person.id_number,
            archive_number=f"FF-TEST-{person.id:04d}",
            kind=ArchiveKind.ENTERPRISE_WORKER,
            custodian="峰峰矿区档案馆",
            location="A-1-1",
        )
        materials = [
            catalogue_material(
                uow,
                actor=SYSTEM_ACTOR,
                archive_id=archive.id or 0,
                entry=MaterialEntry("9-2", kind, title, FuzzyDate(day, DatePrecision.DAY), 1),
            )
            for kind, title, day in entries
        ]
        uow.commit()
    recruitment = materials[0].id or 0
    for kind, start in ((FactKind.BIRTH_DATE, born), (FactKind.WORK_START, work_start)):
        with services.uow() as uow:
            add_fact(uow, actor=reviewer, material_id=recruitment, kind=kind, start=start)
    return recruitment


def add_grading_form(services: Services, person: Person) -> None:
    """The employer hands in the missing 转正定级表 (scanned into the archive)."""
    with services.uow() as uow:
        archive = uow.archives.get_by_person(person.id or 0)
        assert archive is not None
        catalogue_material(
            uow,
            actor=SYSTEM_ACTOR,
            archive_id=archive.id or 0,
            entry=MaterialEntry(
                "9-2",
                MaterialType.REGULARISATION_GRADING,
                "转正定级表",
                FuzzyDate(date(1985, 3, 1), DatePrecision.DAY),
                1,
            ),
        )
        uow.commit()


def miner(
    services: Services,
    *,
    name: str,
    underground_until: YearMonth,
    employed_from: YearMonth = MINER_FROM,
) -> Person:
    """A man born 1971-08-15 (55 in August 2026), 井下 from ``employed_from`` until
    ``underground_until`` (exclusive), then at the surface; 300 months paid; his archive
    digitised with the 招工登记表's birth date and work start."""
    register_test_employer(services)
    person = insured_person(
        services,
        birth="19710815",
        name=name,
        months=300,
        special_job=SpecialJobType.UNDERGROUND,
        employed_from=employed_from,
    )
    with services.uow() as uow:
        record = uow.insured.get(person.id or 0)
        assert record is not None
        span = record.employments[0]
        spans = (
            replace(span, end=underground_until),
            replace(span, start=underground_until, special_job=None),
        )
        uow.insured.put(replace(record, employments=spans))
        uow.commit()
    work_start = f"{employed_from.year}年{employed_from.month}月"
    digitised_archive(services, person, born="1971年8月15日", work_start=work_start)
    return person


def applicant_accounts(services: Services, person: Person, password: str) -> None:
    """``geren`` for the person and ``danwei`` for the 经办员 of the person's employer."""
    with services.uow() as uow:
        record = uow.insured.get(person.id or 0)
        assert record is not None and record.employer_id is not None
        employer = uow.employers.get(record.employer_id)
        assert employer is not None
    for username, principal in (
        ("danwei", Principal(PrincipalKind.EMPLOYER, employer.credit_code)),
        ("geren", Principal(PrincipalKind.PERSON, person.id_number)),
    ):
        with services.uow() as uow:
            create_user(
                uow,
                actor=SYSTEM_ACTOR,
                username=username,
                display_name="申请人",
                department_code="SHEBAO",
                password=password,
                roles=frozenset({Role.APPLICANT}),
                represents=principal,
            )
