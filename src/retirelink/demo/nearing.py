"""Archives for the demo persons nearing retirement, catalogued and read by a reviewer the way
an archive office prepares them ahead of retirement (no page images: the materials and the
facts read from them, through the real services, every step ledgered).

Without them the demo's pre-review finds only "人事档案未数字化" (the rendered demo archives
belong to the district's first persons, most of them far from retirement). Every fourth
archive lacks its 转正定级表, so the pre-review's notices and the employer's part show too.
"""

from collections.abc import Iterable
from datetime import date

from retirelink.accounts.services import create_user
from retirelink.archives.cataloguing import MaterialEntry, catalogue_material, open_archive
from retirelink.archives.fact_kinds import FactKind
from retirelink.archives.facts import add_fact
from retirelink.archives.holdings import DatePrecision, FuzzyDate
from retirelink.archives.insured import InsuranceStatus
from retirelink.archives.material_classes import ArchiveKind, MaterialType
from retirelink.bootstrap import Services
from retirelink.demo.insured import insurance_record
from retirelink.demo.model import DemoPerson
from retirelink.rules import YearMonth
from retirelink.security.model import SYSTEM_ACTOR, Actor, Principal, PrincipalKind, Role
from retirelink.workflow.prereview import earliest_special_job_month, statutory_month

NEARING_MONTHS = 6
MISSING_GRADING_EVERY = 4
CUSTODIAN = "峰峰矿区社会保险事业管理中心档案室"


def catalogue_nearing(services: Services, persons: Iterable[DemoPerson]) -> int:
    """Open and catalogue the archive of each insured person whose statutory month falls in
    the next ``NEARING_MONTHS`` months and who has none yet; the number opened."""
    reviewer = _reviewer(services)
    if reviewer is None:
        return 0
    today = services.clock.today()
    window = (YearMonth.of(today), YearMonth.of(today).plus(NEARING_MONTHS))
    opened = 0
    for person in persons:
        if person.careers and _nearing(services, person, window, today):
            opened += _catalogue(services, reviewer, person, opened)
    return opened


def _reviewer(services: Services) -> Actor | None:
    with services.uow() as uow:
        account = uow.users.get_by_username("reviewer")
    return account.actor() if account is not None else None


def _nearing(
    services: Services, person: DemoPerson, window: tuple[YearMonth, YearMonth], today: date
) -> bool:
    """Statutory month, or for special-job workers the special-job age, within the window."""
    record = insurance_record(person, 0, {})
    if record.status is not InsuranceStatus.INSURED:
        return False
    params, born = services.parameters, person.birth_date
    months = [statutory_month(record.category, born, on=today, params=params)]
    if any(span.special_job for span in record.employments):
        months.append(earliest_special_job_month(record.category, born, on=today, params=params))
    return any(window[0] <= month <= window[1] for month in months)


def _catalogue(services: Services, reviewer: Actor, person: DemoPerson, serial: int) -> int:
    start = person.careers[0].start
    with services.uow() as uow:
        stored = uow.persons.get_by_id_number(person.id_number)
        if stored is None or stored.id is None or uow.archives.get_by_person(stored.id):
            return 0
        archive = open_archive(
            uow,
            actor=SYSTEM_ACTOR,
            id_number=person.id_number,
            archive_number=f"FF-YS-{serial + 1:05d}",
            kind=ArchiveKind.ENTERPRISE_WORKER,
            custodian=CUSTODIAN,
            location=f"Y-{serial // 40 + 1:02d}-{serial % 40 // 8 + 1}",
        )
        forms = [(MaterialType.RECRUITMENT_REGISTRATION, "招工登记表", start)]
        if serial % MISSING_GRADING_EVERY != MISSING_GRADING_EVERY - 1:
            graded = date(start.year + 1, start.month, 1)
            forms.append((MaterialType.REGULARISATION_GRADING, "转正定级表", graded))
        underground = [career for career in person.careers if career.underground]
        if underground:
            # The original record of special-job work (劳社部发〔1999〕8号).
            approval = (MaterialType.SPECIAL_JOB_APPROVAL, "特殊工种审批表", underground[0].start)
            forms.append(approval)
        materials = [
            catalogue_material(
                uow,
                actor=SYSTEM_ACTOR,
                archive_id=archive.id or 0,
                entry=MaterialEntry("9-2", kind, title, FuzzyDate(day, DatePrecision.MONTH), 1),
            )
            for kind, title, day in forms
        ]
        uow.commit()
    born = person.birth_date
    for kind, text in (
        (FactKind.BIRTH_DATE, f"{born.year}年{born.month}月{born.day}日"),
        (FactKind.WORK_START, f"{start.year}年{start.month}月"),
    ):
        with services.uow() as uow:
            add_fact(uow, actor=reviewer, material_id=materials[0].id or 0, kind=kind, start=text)
    return 1


# The demo's online applicants: a worker whose archive lacks its 转正定级表 (the fourth
# archive opened above) and the 经办员 of that worker's employer.
APPLICANT_ARCHIVE = f"FF-YS-{MISSING_GRADING_EVERY:05d}"
PERSON_ACCOUNT, EMPLOYER_ACCOUNT = "geren", "danwei"


def applicant_accounts(services: Services, password: str) -> tuple[str, ...]:
    """Create the two applicant accounts (unless they exist); the usernames created."""
    with services.uow() as uow:
        archive = uow.archives.get_by_number(APPLICANT_ARCHIVE)
        person = uow.persons.get(archive.person_id) if archive else None
        record = uow.insured.get(person.id or 0) if person else None
        employer = uow.employers.get(record.employer_id) if record and record.employer_id else None
    if person is None or employer is None:
        return ()
    principals = (
        (PERSON_ACCOUNT, person.name, Principal(PrincipalKind.PERSON, person.id_number)),
        (EMPLOYER_ACCOUNT, "单位经办员", Principal(PrincipalKind.EMPLOYER, employer.credit_code)),
    )
    created = []
    for username, display_name, principal in principals:
        with services.uow() as uow:
            if uow.users.get_by_username(username) is not None:
                continue
            create_user(
                uow,
                actor=SYSTEM_ACTOR,
                username=username,
                display_name=display_name,
                department_code="SHEBAO",
                password=password,
                roles=frozenset({Role.APPLICANT}),
                represents=principal,
            )
        created.append(username)
    return tuple(created)
