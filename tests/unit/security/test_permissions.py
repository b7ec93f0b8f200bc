"""Role → permission table, `require`, and 三员分立 (separation of administrator duties)."""

import re
from itertools import combinations

import pytest

from retirelink.errors import ConflictError, PermissionDeniedError
from retirelink.security.masking import may_see_unmasked
from retirelink.security.model import SEPARATED_ADMIN_ROLES, Permission, Role
from retirelink.security.permissions import (
    ROLE_PERMISSIONS,
    check_separation_of_duties,
    has_permission,
    require,
)
from tests.fakes import make_actor

CJK = re.compile(r"[\u4e00-\u9fff]")
ADMIN_COMBINATIONS = [
    *combinations(sorted(SEPARATED_ADMIN_ROLES), 2),
    tuple(sorted(SEPARATED_ADMIN_ROLES)),
]


def test_every_role_has_an_entry_in_the_permission_table() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_the_system_administrator_reads_neither_persons_nor_the_ledger() -> None:
    sys_admin = make_actor(Role.SYS_ADMIN)
    for permission in (Permission.PERSON_READ, Permission.PERSON_READ_UNMASKED):
        assert not has_permission(sys_admin, permission)
    assert not has_permission(sys_admin, Permission.LEDGER_READ)


def test_the_audit_administrator_reads_the_ledger_but_not_persons() -> None:
    audit_admin = make_actor(Role.AUDIT_ADMIN)
    assert has_permission(audit_admin, Permission.LEDGER_READ)
    assert not has_permission(audit_admin, Permission.PERSON_READ)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.FUND_AUDITOR])
def test_reviewers_and_fund_auditors_see_personal_data_unmasked(role: Role) -> None:
    assert may_see_unmasked(make_actor(role))


@pytest.mark.parametrize("role", [Role.CLERK, Role.ARCHIVIST, Role.SYSTEM])
def test_clerks_archivists_and_the_console_see_personal_data_masked(role: Role) -> None:
    assert not may_see_unmasked(make_actor(role))


def test_permissions_of_several_roles_add_up() -> None:
    actor = make_actor(Role.CLERK, Role.REVIEWER)
    assert has_permission(actor, Permission.PERSON_WRITE)
    assert has_permission(actor, Permission.PERSON_READ_UNMASKED)


def test_require_passes_silently_when_a_role_grants_the_permission() -> None:
    require(make_actor(Role.CLERK), Permission.PERSON_WRITE)


def test_require_refuses_with_a_chinese_message_naming_the_permission() -> None:
    with pytest.raises(PermissionDeniedError) as excinfo:
        require(make_actor(Role.REVIEWER), Permission.PERSON_WRITE)
    assert CJK.search(excinfo.value.message)
    assert Permission.PERSON_WRITE.label in excinfo.value.message


def test_an_actor_without_roles_is_refused_everything() -> None:
    nobody = make_actor()
    assert not any(has_permission(nobody, p) for p in Permission)


@pytest.mark.parametrize("roles", ADMIN_COMBINATIONS, ids="+".join)
def test_no_account_may_hold_two_of_the_three_administrator_roles(
    roles: tuple[Role, ...],
) -> None:
    with pytest.raises(ConflictError) as excinfo:
        check_separation_of_duties(roles)
    assert excinfo.value.field == "roles"
    assert "三员分立" in excinfo.value.message


@pytest.mark.parametrize("admin_role", sorted(SEPARATED_ADMIN_ROLES))
def test_one_administrator_role_plus_clerk_is_allowed(admin_role: Role) -> None:
    check_separation_of_duties([admin_role, Role.CLERK])


def test_rule_computations_are_open_to_the_business_roles_only() -> None:
    computing = {
        role for role in Role if has_permission(make_actor(role), Permission.RULES_COMPUTE)
    }

    assert computing == {
        Role.CLERK,
        Role.REVIEWER,
        Role.ARCHIVIST,
        Role.FUND_AUDITOR,
        Role.LEADER,
    }
