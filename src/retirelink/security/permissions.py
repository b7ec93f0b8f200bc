"""Role → permission table, checked inside services (not only in routes)."""

from collections.abc import Iterable

from retirelink.errors import ConflictError, PermissionDeniedError
from retirelink.security.model import SEPARATED_ADMIN_ROLES, Actor, Permission, Role

P = Permission

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # The person or the employer's 经办员, online: only for themselves (checked in the
    # services against the account's principal).
    Role.APPLICANT: frozenset({P.RETIREMENT_APPLY_ONLINE, P.SUPPLEMENT_SUBMIT}),
    # Rule computations (测算) read no stored personal data: every business role may run them.
    Role.CLERK: frozenset(
        {
            P.PERSON_READ,
            P.PERSON_WRITE,
            P.EMPLOYER_WRITE,
            P.RULES_COMPUTE,
            P.EXCHANGE_IMPORT,
            P.EXCHANGE_VERIFY,
            P.EXCHANGE_MANAGE,
            # 窗口初审: the clerk at the reception window checks a batch first.
            P.ARCHIVE_READ,
            P.ARCHIVE_WINDOW_CHECK,
            P.ARCHIVE_LENDING_REQUEST,
            # 预审: the window clerks run it and follow up the missing materials.
            P.PREREVIEW,
            # 受理 and the agency's own parallel tasks (档案审核、缴费核验、待遇测算).
            P.RETIREMENT_APPLY,
            P.RETIREMENT_TASKS,
            # 核定: the clerk determines; a reviewer approves (复核), never the same person.
            P.RETIREMENT_DETERMINE,
        }
    ),
    Role.REVIEWER: frozenset(
        {
            P.PERSON_READ,
            P.PERSON_READ_UNMASKED,
            P.RULES_COMPUTE,
            P.EXCHANGE_VERIFY,
            # 入库复审 and fact review: a second person after the clerk or the archivist.
            P.ARCHIVE_READ,
            P.ARCHIVE_WAREHOUSE_CHECK,
            P.ARCHIVE_FACT_REVIEW,
            P.ARCHIVE_LENDING_REQUEST,
            P.PREREVIEW,
            P.RETIREMENT_TASKS,
            P.RETIREMENT_APPROVE,
        }
    ),
    Role.ARCHIVIST: frozenset(
        {
            P.PERSON_READ,
            P.RULES_COMPUTE,
            P.ARCHIVE_READ,
            P.ARCHIVE_CATALOGUE,
            P.ARCHIVE_INGEST,
            P.ARCHIVE_WINDOW_CHECK,
            P.ARCHIVE_FIXITY,
            P.ARCHIVE_FACT_REVIEW,
            P.ARCHIVE_LENDING_DECIDE,
            # A material the person or the employer handed in online enters the archive here.
            P.SUPPLEMENT_ACCEPT,
        }
    ),
    Role.FUND_AUDITOR: frozenset(
        {
            P.PERSON_READ,
            P.PERSON_READ_UNMASKED,
            P.RULES_COMPUTE,
            P.EXCHANGE_VERIFY,
            # Reads archives only through an approved 调阅, every page view ledgered.
            P.ARCHIVE_LENDING_REQUEST,
            P.FUND_CHECK,
            P.FUND_DECIDE,
        }
    ),
    # The partner-department liaison (a person or the department's system) delivers that
    # department's data and may ask the verification services the catalogue opens to it.
    Role.DEPT_OFFICER: frozenset({P.EXCHANGE_IMPORT, P.EXCHANGE_VERIFY, P.ARCHIVE_LENDING_REQUEST}),
    Role.LEADER: frozenset({P.RULES_COMPUTE}),
    # The system administrator runs the platform but reads no personal data and no audit trail.
    Role.SYS_ADMIN: frozenset({P.USER_MANAGE, P.DEMO_LOAD}),
    Role.SEC_ADMIN: frozenset({P.ROLE_GRANT}),
    # The audit administrator reads the ledger, which holds pseudonymous subject keys only.
    Role.AUDIT_ADMIN: frozenset({P.LEDGER_READ, P.LEDGER_VERIFY}),
    # Whoever runs the CLI on the server already holds the database; the console may set up
    # accounts, load data and verify the ledger, but still reads no personal data unmasked.
    Role.SYSTEM: frozenset(
        {
            P.USER_MANAGE,
            P.ROLE_GRANT,
            P.DEMO_LOAD,
            P.PERSON_WRITE,
            P.EMPLOYER_WRITE,
            P.LEDGER_VERIFY,
            P.EXCHANGE_IMPORT,
            P.EXCHANGE_VERIFY,
            P.EXCHANGE_MANAGE,
            P.ARCHIVE_CATALOGUE,
            P.ARCHIVE_INGEST,
            P.ARCHIVE_FIXITY,
            # The scheduled 预审 reads archive facts of those nearing retirement.
            P.ARCHIVE_READ,
            P.PREREVIEW,
            # The workflow worker decides the tasks shared data can decide.
            P.RETIREMENT_APPLY,
            P.RETIREMENT_TASKS,
            # The continuous and batch cross-checks raise findings; only people decide them.
            P.FUND_CHECK,
        }
    ),
}


def permissions_of(roles: Iterable[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def has_permission(actor: Actor, permission: Permission) -> bool:
    return permission in permissions_of(actor.roles)


def require(actor: Actor, permission: Permission) -> None:
    """Raise PermissionDeniedError unless one of the actor's roles grants ``permission``."""
    if not has_permission(actor, permission):
        raise PermissionDeniedError(f"当前角色无权执行此操作：{permission.label}")


def check_separation_of_duties(roles: Iterable[Role]) -> None:
    """三员分立: no account may hold two of sys_admin / sec_admin / audit_admin."""
    held = SEPARATED_ADMIN_ROLES.intersection(roles)
    if len(held) > 1:
        names = "、".join(sorted(role.label for role in held))
        raise ConflictError(f"三员分立：同一账号不得同时担任{names}", field="roles")
