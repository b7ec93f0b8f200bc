"""Use cases on core records. Each validates, records to the ledger and commits once."""

from retirelink.archives.model import (
    Department,
    DepartmentKind,
    Employer,
    EmployerKind,
    Person,
    PersonPage,
)
from retirelink.archives.ports import ArchivesUnitOfWork
from retirelink.archives.validation import classify_query, clean_person_name, clean_phone
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError
from retirelink.ledger.model import LedgerAction
from retirelink.rules.ethnicity import validate_ethnicity_code
from retirelink.rules.identifiers import parse_credit_code, parse_id_number
from retirelink.rules.regions import validate_region_code
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require

MAX_PAGE_SIZE = 100


def build_person(
    uow: ArchivesUnitOfWork,
    *,
    id_number: str,
    name: str,
    ethnicity: str = "01",
    hukou_region: str | None = None,
    phone: str | None = None,
) -> Person:
    """Validate raw input into a Person; birth date and sex come from the ID (GB 11643)."""
    parsed = parse_id_number(id_number, on=uow.clock.today())
    return Person(
        id=None,
        id_number=parsed.value,
        name=clean_person_name(name),
        sex=parsed.sex,
        birth_date=parsed.birth_date,
        ethnicity=validate_ethnicity_code(ethnicity),
        hukou_region=validate_region_code(hukou_region or parsed.region_code),
        phone=clean_phone(phone),
    )


def add_person(uow: ArchivesUnitOfWork, person: Person, *, actor: Actor, purpose: str) -> Person:
    """Store a validated person and ledger it, without committing (for batch loads)."""
    require(actor, Permission.PERSON_WRITE)
    if uow.persons.get_by_id_number(person.id_number) is not None:
        raise ConflictError("该公民身份号码已登记，不能重复登记", field="id_number")
    stored = uow.persons.add(person)
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.PERSON_CREATE,
        subject=uow.ledger.subject("person", stored.id_number),
        purpose=purpose,
        after=stored.audit_state(),
    )
    return stored


def register_person(
    uow: ArchivesUnitOfWork,
    *,
    actor: Actor,
    id_number: str,
    name: str,
    ethnicity: str = "01",
    hukou_region: str | None = None,
    phone: str | None = None,
    purpose: str = "参保登记",
) -> Person:
    require(actor, Permission.PERSON_WRITE)
    person = build_person(
        uow,
        id_number=id_number,
        name=name,
        ethnicity=ethnicity,
        hukou_region=hukou_region,
        phone=phone,
    )
    stored = add_person(uow, person, actor=actor, purpose=purpose)
    uow.commit()
    return stored


def view_person(uow: ArchivesUnitOfWork, *, actor: Actor, person_id: int, purpose: str) -> Person:
    """Read one person's personal data; the read itself is ledgered."""
    require(actor, Permission.PERSON_READ)
    if not purpose.strip():
        raise InvalidInputError("查看个人信息须说明查询目的或依据", field="purpose")
    person = uow.persons.get(person_id)
    if person is None:
        raise NotFoundError("未找到该参保人")
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.PERSON_READ,
        subject=uow.ledger.subject("person", person.id_number),
        purpose=purpose,
    )
    uow.commit()
    return person


def search_persons(
    uow: ArchivesUnitOfWork,
    *,
    actor: Actor,
    query: str,
    page: int = 1,
    page_size: int = 20,
    purpose: str = "参保人查询",
) -> PersonPage:
    """Search by name prefix or ID-number prefix; the search is ledgered (query pseudonymised)."""
    require(actor, Permission.PERSON_READ)
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInputError(f"页码须≥1，每页条数须在1到{MAX_PAGE_SIZE}之间", field="page")
    name_prefix, id_prefix = classify_query(query)
    items, total = uow.persons.search(
        name_prefix=name_prefix,
        id_prefix=id_prefix,
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.PERSON_SEARCH,
        subject=uow.ledger.subject("query", name_prefix or id_prefix or ""),
        purpose=f"{purpose}（命中{total}人）",
    )
    uow.commit()
    return PersonPage(items=items, total=total, page=page, page_size=page_size)


def register_employer(
    uow: ArchivesUnitOfWork,
    *,
    actor: Actor,
    credit_code: str,
    name: str,
    kind: str,
    region_code: str,
    commit: bool = True,
) -> Employer:
    require(actor, Permission.EMPLOYER_WRITE)
    code = parse_credit_code(credit_code)
    if uow.employers.get_by_credit_code(code) is not None:
        raise ConflictError("该统一社会信用代码已登记", field="credit_code")
    employer = uow.employers.add(
        Employer(
            id=None,
            credit_code=code,
            name=_clean_org_name(name),
            kind=_employer_kind(kind),
            region_code=validate_region_code(region_code),
        )
    )
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.EMPLOYER_CREATE,
        subject=uow.ledger.subject("employer", code),
        purpose="单位参保登记",
        after={"credit_code": code, "name": employer.name, "kind": employer.kind.value},
    )
    if commit:
        uow.commit()
    return employer


def ensure_department(
    uow: ArchivesUnitOfWork, *, actor: Actor, code: str, name: str, kind: str, region_code: str
) -> Department:
    """Register a partner department unless a department with ``code`` exists."""
    existing = uow.departments.get_by_code(code)
    if existing is not None:
        return existing
    require(actor, Permission.USER_MANAGE)
    department = uow.departments.add(
        Department(
            id=None,
            code=code,
            name=_clean_org_name(name),
            kind=DepartmentKind(kind),
            region_code=validate_region_code(region_code),
        )
    )
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.DEPARTMENT_CREATE,
        subject=uow.ledger.subject("department", code),
        purpose="协同部门登记",
        after={"code": code, "name": department.name, "kind": department.kind.value},
    )
    uow.commit()
    return department


def _employer_kind(raw: str) -> EmployerKind:
    try:
        return EmployerKind(raw)
    except ValueError:
        raise InvalidInputError(f"单位类型“{raw}”无效", field="kind") from None


def _clean_org_name(raw: str) -> str:
    name = raw.strip()
    if not 2 <= len(name) <= 100:
        raise InvalidInputError("单位名称应为2到100个字符", field="name")
    return name
