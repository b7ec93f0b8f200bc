"""Builders: records with sensible defaults, overridable by keyword."""

from datetime import date
from functools import cache

from retirelink.accounts.model import UserAccount
from retirelink.archives.model import Department, DepartmentKind, Person
from retirelink.bootstrap import Services
from retirelink.rules.identifiers import id_check_character, parse_id_number
from retirelink.security.model import Actor, Role
from retirelink.security.passwords import hash_password

TEST_PASSWORD = "Test@2026pass"
SHEBAO = "SHEBAO"

ROLE_USERS = {
    "clerk": (Role.CLERK, "张敏"),
    "reviewer": (Role.REVIEWER, "李静"),
    "auditor": (Role.FUND_AUDITOR, "王强"),
    "archivist": (Role.ARCHIVIST, "赵红"),
    "sysadmin": (Role.SYS_ADMIN, "系统管理员"),
    "secadmin": (Role.SEC_ADMIN, "安全管理员"),
    "auditadmin": (Role.AUDIT_ADMIN, "审计管理员"),
}


@cache
def _password_hash() -> str:
    # argon2id is deliberately slow; hash once per test session.
    return hash_password(TEST_PASSWORD)


def make_id_number(birth: str = "19650312", region: str = "130406", sequence: str = "123") -> str:
    first17 = region + birth + sequence
    return first17 + id_check_character(first17)


def make_person(**overrides: object) -> Person:
    id_number = str(overrides.pop("id_number", make_id_number()))
    parsed = parse_id_number(id_number, on=date(2100, 1, 1))
    values: dict[str, object] = {
        "id": None,
        "id_number": parsed.value,
        "name": "张伟",
        "sex": parsed.sex,
        "birth_date": parsed.birth_date,
        "ethnicity": "01",
        "hukou_region": parsed.region_code,
        "phone": None,
    }
    values.update(overrides)
    return Person(**values)  # type: ignore[arg-type]


def seed_departments_and_users(services: Services) -> None:
    with services.uow() as uow:
        uow.departments.add(
            Department(
                None,
                SHEBAO,
                "峰峰矿区社会保险事业管理中心",
                DepartmentKind.SOCIAL_SECURITY,
                "130406",
            )
        )
        for username, (role, display_name) in ROLE_USERS.items():
            uow.users.add(
                UserAccount(
                    id=None,
                    username=username,
                    display_name=display_name,
                    department_code=SHEBAO,
                    roles=frozenset({role}),
                    password_hash=_password_hash(),
                )
            )
        uow.commit()


def actor_for(services: Services, username: str) -> Actor:
    with services.uow() as uow:
        user = uow.users.get_by_username(username)
        assert user is not None
        return user.actor()
