"""Account use cases: create, grant, log in with lockout, sessions, log out."""

import re
from dataclasses import dataclass, replace

from retirelink.accounts.model import LoginPolicy, SessionRecord, UserAccount
from retirelink.accounts.ports import AccountsUnitOfWork
from retirelink.errors import AuthenticationError, ConflictError, InvalidInputError, NotFoundError
from retirelink.ledger.model import LedgerAction
from retirelink.rules import parse_id_number
from retirelink.security.model import (
    GRANTABLE_ROLES,
    Actor,
    Permission,
    Principal,
    PrincipalKind,
    Role,
)
from retirelink.security.passwords import (
    check_password_strength,
    dummy_verify,
    hash_password,
    verify_password,
)
from retirelink.security.permissions import check_separation_of_duties, require
from retirelink.security.sessions import new_session_id

_USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")
BAD_CREDENTIALS = "用户名或密码错误"
LOCKED = "连续登录失败次数过多，账号已临时锁定，请稍后再试"


def create_user(
    uow: AccountsUnitOfWork,
    *,
    actor: Actor,
    username: str,
    display_name: str,
    department_code: str,
    password: str,
    roles: frozenset[Role] = frozenset(),
    represents: Principal | None = None,
) -> UserAccount:
    """``represents``: for an applicant account, the insured person or the employer it acts
    for (required then, refused otherwise)."""
    require(actor, Permission.USER_MANAGE)
    if roles:
        require(actor, Permission.ROLE_GRANT)
    _check_grantable(roles)
    check_separation_of_duties(roles)
    represents = _check_principal(uow, roles, represents)
    if not _USERNAME.match(username):
        raise InvalidInputError(
            "用户名须以小写字母开头，3到32位小写字母、数字或._-", field="username"
        )
    if uow.users.get_by_username(username) is not None:
        raise ConflictError("用户名已存在", field="username")
    if uow.departments.get_by_code(department_code) is None:
        raise InvalidInputError(f"部门“{department_code}”不存在", field="department_code")
    if not 1 <= len(display_name.strip()) <= 30:
        raise InvalidInputError("姓名应为1到30个字符", field="display_name")
    check_password_strength(password)
    user = uow.users.add(
        UserAccount(
            id=None,
            username=username,
            display_name=display_name.strip(),
            department_code=department_code,
            roles=roles,
            password_hash=hash_password(password),
            represents=represents,
        )
    )
    after: dict[str, object] = {
        "username": username,
        "department": department_code,
        "roles": sorted(roles),
    }
    if represents is not None:
        after["represents"] = represents.kind.value
        after["represents_key"] = uow.ledger.subject(represents.kind.value, represents.code)
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.USER_CREATE,
        subject=uow.ledger.subject("user", username),
        purpose="账号管理",
        after=after,
    )
    uow.commit()
    return user


def grant_role(uow: AccountsUnitOfWork, *, actor: Actor, username: str, role: Role) -> UserAccount:
    require(actor, Permission.ROLE_GRANT)
    _check_grantable({role})
    user = uow.users.get_by_username(username)
    if user is None:
        raise NotFoundError(f"用户“{username}”不存在")
    roles = user.roles | {role}
    check_separation_of_duties(roles)
    if Role.APPLICANT in roles and roles != {Role.APPLICANT}:
        raise InvalidInputError(_APPLICANT_ONLY, field="roles")
    if role is Role.APPLICANT and user.represents is None:
        raise InvalidInputError(
            "申请人账号须在开户时绑定参保人或用人单位，请新开申请人账号", field="roles"
        )
    updated = replace(user, roles=roles)
    uow.users.update(updated)
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.ROLE_GRANT,
        subject=uow.ledger.subject("user", username),
        purpose="角色授权",
        before={"roles": sorted(user.roles)},
        after={"roles": sorted(roles)},
    )
    uow.commit()
    return updated


def log_in(
    uow: AccountsUnitOfWork, *, username: str, password: str, policy: LoginPolicy
) -> tuple[Actor, str]:
    """Check the password, apply the lockout policy, and open a session.

    Failures are committed (counter, ledger) before the error is raised, so repeated
    guessing is counted even though the login itself fails.
    """
    now = uow.clock.now()
    user = uow.users.get_by_username(username)
    if user is None or not user.active:
        dummy_verify(password)
        raise AuthenticationError(BAD_CREDENTIALS)
    if user.is_locked(now):
        # The clerk must learn why the right password fails; the attempt is still audited and
        # takes as long as a real check.
        dummy_verify(password)
        _record_locked_attempt(uow, user)
        raise AuthenticationError(LOCKED)
    if not verify_password(user.password_hash, password):
        _record_failure(uow, user, policy)
        raise AuthenticationError(BAD_CREDENTIALS)
    uow.users.update(user.after_success())
    session_id = new_session_id()
    uow.sessions.add(SessionRecord(session_id, user.id or 0, created_at=now, last_seen_at=now))
    actor = user.actor()
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.LOGIN_SUCCEEDED,
        subject=uow.ledger.subject("user", user.username),
        purpose="登录",
    )
    uow.commit()
    return actor, session_id


def _record_failure(uow: AccountsUnitOfWork, user: UserAccount, policy: LoginPolicy) -> None:
    updated = user.after_failure(uow.clock.now(), policy)
    uow.users.update(updated)
    locked = updated.locked_until is not None
    uow.ledger.record(
        actor=user.actor(),
        action=LedgerAction.ACCOUNT_LOCKED if locked else LedgerAction.LOGIN_FAILED,
        subject=uow.ledger.subject("user", user.username),
        purpose="登录",
    )
    uow.commit()


def _record_locked_attempt(uow: AccountsUnitOfWork, user: UserAccount) -> None:
    uow.ledger.record(
        actor=user.actor(),
        action=LedgerAction.LOGIN_FAILED,
        subject=uow.ledger.subject("user", user.username),
        purpose="账号锁定期间尝试登录",
    )
    uow.commit()


# Refreshing last_seen on every request would turn each page view into a write; a minute's
# precision is plenty for a 30-minute idle timeout.
_TOUCH_AFTER_SECONDS = 60


@dataclass(frozen=True)
class ResumedSession:
    actor: Actor
    touch_due: bool  # last_seen is old enough to be worth a write (see touch_session)


def resume_session(
    uow: AccountsUnitOfWork, *, session_id: str, policy: LoginPolicy
) -> ResumedSession:
    """Check a session is live and its user active; reads only, so it can run in a read
    transaction that never waits for writers."""
    now = uow.clock.now()
    session = uow.sessions.get(session_id)
    if session is None or not session.is_live(now, policy):
        raise AuthenticationError("登录已过期，请重新登录")
    user = uow.users.get(session.user_id)
    if user is None or not user.active:
        raise AuthenticationError("账号已停用")
    stale = (now - session.last_seen_at).total_seconds() > _TOUCH_AFTER_SECONDS
    return ResumedSession(user.actor(), touch_due=stale)


def touch_session(uow: AccountsUnitOfWork, *, session_id: str) -> None:
    """Move the idle clock of a session forward to now."""
    session = uow.sessions.get(session_id)
    if session is not None and session.revoked_at is None:
        uow.sessions.update(replace(session, last_seen_at=uow.clock.now()))
        uow.commit()


def log_out(uow: AccountsUnitOfWork, *, session_id: str) -> None:
    session = uow.sessions.get(session_id)
    if session is None or session.revoked_at is not None:
        return
    uow.sessions.update(replace(session, revoked_at=uow.clock.now()))
    user = uow.users.get(session.user_id)
    if user is not None:
        uow.ledger.record(
            actor=user.actor(),
            action=LedgerAction.LOGOUT,
            subject=uow.ledger.subject("user", user.username),
            purpose="退出登录",
        )
    uow.commit()


_APPLICANT_ONLY = "申请人账号（参保人/单位经办员）不能兼有工作人员角色，请分别开户"


def _check_principal(
    uow: AccountsUnitOfWork, roles: frozenset[Role], represents: Principal | None
) -> Principal | None:
    """An applicant account acts for exactly one insured person or one employer, both
    registered here; a staff account acts for nobody but its department."""
    if Role.APPLICANT not in roles:
        if represents is not None:
            raise InvalidInputError("只有申请人账号可以绑定参保人或单位", field="represents")
        return None
    if roles != {Role.APPLICANT}:
        raise InvalidInputError(_APPLICANT_ONLY, field="roles")
    if represents is None:
        raise InvalidInputError(
            "申请人账号须绑定参保人（公民身份号码）或用人单位（统一社会信用代码）",
            field="represents",
        )
    if represents.kind is PrincipalKind.PERSON:
        id_number = parse_id_number(represents.code, on=uow.clock.today()).value
        if uow.persons.get_by_id_number(id_number) is None:
            raise NotFoundError("本系统没有该公民身份号码的参保登记", field="represents")
        return Principal(PrincipalKind.PERSON, id_number)
    code = represents.code.strip().upper()
    if uow.employers.get_by_credit_code(code) is None:
        raise NotFoundError("本系统没有该统一社会信用代码的参保单位", field="represents")
    return Principal(PrincipalKind.EMPLOYER, code)


def _check_grantable(roles: frozenset[Role] | set[Role]) -> None:
    if not roles <= GRANTABLE_ROLES:
        raise InvalidInputError("该角色不能授予用户账号", field="roles")


def list_users(uow: AccountsUnitOfWork, *, actor: Actor) -> list[UserAccount]:
    require(actor, Permission.USER_MANAGE)
    return uow.users.list_all()
