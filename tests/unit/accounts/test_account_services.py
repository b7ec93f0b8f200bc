"""Account use cases over the fake unit of work: create, grant, log in with lockout, sessions."""

from dataclasses import replace
from datetime import timedelta

import pytest

from retirelink.accounts.model import LoginPolicy, SessionRecord, UserAccount
from retirelink.accounts.services import (
    BAD_CREDENTIALS,
    create_user,
    grant_role,
    log_in,
    log_out,
    resume_session,
    touch_session,
)
from retirelink.archives.model import Department, DepartmentKind
from retirelink.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from retirelink.security.model import SYSTEM_ACTOR, Role
from retirelink.security.passwords import hash_password, verify_password
from tests.fakes import SHEBAO, FakeUnitOfWork, make_actor
from tests.support.builders import TEST_PASSWORD

POLICY = LoginPolicy(
    max_failures=3,
    lockout=timedelta(minutes=15),
    session_max_age=timedelta(hours=8),
    session_idle=timedelta(minutes=30),
)
WRONG_PASSWORD = TEST_PASSWORD + "x"
SYS_ADMIN = make_actor(Role.SYS_ADMIN, username="sysadmin")
SEC_ADMIN = make_actor(Role.SEC_ADMIN, username="secadmin")


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password(TEST_PASSWORD)  # argon2id is slow: once per module


@pytest.fixture
def uow(password_hash: str) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.departments.add(
        Department(None, SHEBAO, "峰峰矿区社保中心", DepartmentKind.SOCIAL_SECURITY, "130406")
    )
    for username, role in [("clerk", Role.CLERK), ("sysadmin", Role.SYS_ADMIN)]:
        uow.users.add(
            UserAccount(None, username, "测试用户", SHEBAO, frozenset({role}), password_hash)
        )
    return uow


def writes(uow: FakeUnitOfWork) -> tuple[int, int, int]:
    """What a refused call must leave unchanged: users, ledger entries, commits."""
    return len(uow.users.rows), len(uow.ledger_store.entries), uow.commits


def user(uow: FakeUnitOfWork, username: str = "clerk") -> UserAccount:
    found = uow.users.get_by_username(username)
    assert found is not None
    return found


def new_user(uow: FakeUnitOfWork, **overrides: object) -> UserAccount:
    values: dict[str, object] = {
        "actor": SYS_ADMIN,
        "username": "wang.fang",
        "display_name": "王芳",
        "department_code": SHEBAO,
        "password": TEST_PASSWORD,
    } | overrides
    return create_user(uow, **values)  # type: ignore[arg-type]


def refused(
    uow: FakeUnitOfWork, error: type[Exception], field: str | None, **overrides: object
) -> None:
    before = writes(uow)
    with pytest.raises(error) as excinfo:
        new_user(uow, **overrides)
    assert getattr(excinfo.value, "field", None) == field
    assert writes(uow) == before


def fail_logins(uow: FakeUnitOfWork, times: int) -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationError):
            log_in(uow, username="clerk", password=WRONG_PASSWORD, policy=POLICY)


def log_in_clerk(uow: FakeUnitOfWork) -> str:
    return log_in(uow, username="clerk", password=TEST_PASSWORD, policy=POLICY)[1]


def open_session(uow: FakeUnitOfWork) -> str:
    """A session row as log_in leaves it, without paying for a password check."""
    now = uow.clock.now()
    uow.sessions.add(SessionRecord("sid-1", user(uow).id or 0, created_at=now, last_seen_at=now))
    return "sid-1"


# -- create_user -----------------------------------------------------------------------------


def test_the_system_administrator_creates_a_user_with_a_hashed_password(
    uow: FakeUnitOfWork,
) -> None:
    created = new_user(uow, display_name=" 王芳 ")
    assert user(uow, "wang.fang") == created
    assert (created.display_name, created.roles, created.failed_logins) == ("王芳", frozenset(), 0)
    assert verify_password(created.password_hash, TEST_PASSWORD)
    assert uow.ledger_store.actions() == ["user.create"]
    assert uow.commits == 1


def test_the_console_creates_a_user_with_roles(uow: FakeUnitOfWork) -> None:
    created = new_user(uow, actor=SYSTEM_ACTOR, roles=frozenset({Role.REVIEWER}))
    assert created.roles == {Role.REVIEWER}


def test_a_clerk_may_not_create_users(uow: FakeUnitOfWork) -> None:
    refused(uow, PermissionDeniedError, None, actor=make_actor(Role.CLERK))


def test_creating_a_user_with_roles_also_needs_the_role_grant_permission(
    uow: FakeUnitOfWork,
) -> None:
    refused(uow, PermissionDeniedError, None, roles=frozenset({Role.CLERK}))


def test_separation_of_duties_is_enforced_when_creating_a_user(uow: FakeUnitOfWork) -> None:
    roles = frozenset({Role.SYS_ADMIN, Role.AUDIT_ADMIN})
    refused(uow, ConflictError, "roles", actor=SYSTEM_ACTOR, roles=roles)


def test_the_system_role_cannot_be_given_to_a_new_user(uow: FakeUnitOfWork) -> None:
    refused(uow, InvalidInputError, "roles", actor=SYSTEM_ACTOR, roles=frozenset({Role.SYSTEM}))


@pytest.mark.parametrize("username", ["Wang", "wf", "1wang", "王芳", "wang fang", "w" * 33, ""])
def test_a_username_must_be_3_to_32_lower_case_characters_starting_with_a_letter(
    uow: FakeUnitOfWork, username: str
) -> None:
    refused(uow, InvalidInputError, "username", username=username)


def test_a_taken_username_is_a_conflict(uow: FakeUnitOfWork) -> None:
    refused(uow, ConflictError, "username", username="clerk")


def test_an_unknown_department_is_refused(uow: FakeUnitOfWork) -> None:
    refused(uow, InvalidInputError, "department_code", department_code="NOWHERE")


def test_a_blank_display_name_is_refused(uow: FakeUnitOfWork) -> None:
    refused(uow, InvalidInputError, "display_name", display_name="  ")


def test_a_weak_password_is_refused(uow: FakeUnitOfWork) -> None:
    refused(uow, InvalidInputError, "password", password="abcdefghijkl")


# -- grant_role ------------------------------------------------------------------------------


def test_the_security_administrator_grants_a_role_and_it_is_ledgered(
    uow: FakeUnitOfWork,
) -> None:
    updated = grant_role(uow, actor=SEC_ADMIN, username="clerk", role=Role.REVIEWER)
    assert updated.roles == {Role.CLERK, Role.REVIEWER}
    assert user(uow) == updated
    [entry] = uow.ledger_store.entries
    assert entry.action == "user.grant"
    assert "" != entry.before_digest != entry.after_digest != ""
    assert uow.commits == 1


def test_the_system_administrator_may_not_grant_roles(uow: FakeUnitOfWork) -> None:
    with pytest.raises(PermissionDeniedError):
        grant_role(uow, actor=SYS_ADMIN, username="clerk", role=Role.REVIEWER)
    assert user(uow).roles == {Role.CLERK}


def test_separation_of_duties_is_enforced_when_granting(uow: FakeUnitOfWork) -> None:
    before = writes(uow)
    with pytest.raises(ConflictError) as excinfo:
        grant_role(uow, actor=SEC_ADMIN, username="sysadmin", role=Role.AUDIT_ADMIN)
    assert excinfo.value.field == "roles"
    assert user(uow, "sysadmin").roles == {Role.SYS_ADMIN}
    assert writes(uow) == before


def test_the_system_role_cannot_be_granted(uow: FakeUnitOfWork) -> None:
    with pytest.raises(InvalidInputError) as excinfo:
        grant_role(uow, actor=SYSTEM_ACTOR, username="clerk", role=Role.SYSTEM)
    assert excinfo.value.field == "roles"
    assert user(uow).roles == {Role.CLERK}


def test_granting_to_an_unknown_user_is_not_found(uow: FakeUnitOfWork) -> None:
    with pytest.raises(NotFoundError):
        grant_role(uow, actor=SEC_ADMIN, username="nobody", role=Role.REVIEWER)


# -- log_in and lockout ----------------------------------------------------------------------


def test_a_successful_login_returns_the_actor_and_a_stored_session(uow: FakeUnitOfWork) -> None:
    actor, session_id = log_in(uow, username="clerk", password=TEST_PASSWORD, policy=POLICY)
    assert (actor.username, actor.roles) == ("clerk", frozenset({Role.CLERK}))
    session = uow.sessions.get(session_id)
    assert session is not None
    assert (session.user_id, session.created_at) == (actor.user_id, uow.clock.now())
    assert uow.ledger_store.actions() == ["auth.login"]
    assert uow.commits == 1


def test_a_wrong_password_is_counted_ledgered_and_committed(uow: FakeUnitOfWork) -> None:
    with pytest.raises(AuthenticationError) as excinfo:
        log_in(uow, username="clerk", password=WRONG_PASSWORD, policy=POLICY)
    assert excinfo.value.message == BAD_CREDENTIALS
    assert user(uow).failed_logins == 1
    assert uow.ledger_store.actions() == ["auth.login_failed"]
    assert uow.commits == 1
    assert uow.sessions.rows == {}


def test_the_third_failure_locks_the_account(uow: FakeUnitOfWork) -> None:
    fail_logins(uow, 3)
    assert uow.ledger_store.actions() == ["auth.login_failed"] * 2 + ["auth.locked"]
    assert user(uow).locked_until == uow.clock.now() + timedelta(minutes=15)


def test_a_login_after_lockout_is_refused_even_with_the_right_password(
    uow: FakeUnitOfWork,
) -> None:
    fail_logins(uow, 3)
    uow.clock.advance(timedelta(minutes=14, seconds=59))
    with pytest.raises(AuthenticationError) as excinfo:
        log_in_clerk(uow)
    assert "锁定" in excinfo.value.message
    assert uow.sessions.rows == {}
    assert uow.ledger_store.actions()[-1] == "auth.login_failed"
    assert uow.ledger_store.entries[-1].purpose == "账号锁定期间尝试登录"


def test_the_right_password_works_again_once_the_lockout_has_passed(
    uow: FakeUnitOfWork,
) -> None:
    fail_logins(uow, 3)
    uow.clock.advance(timedelta(minutes=15, seconds=1))
    assert uow.sessions.get(log_in_clerk(uow)) is not None
    assert (user(uow).failed_logins, user(uow).locked_until) == (0, None)


def test_a_successful_login_resets_the_failure_count(uow: FakeUnitOfWork) -> None:
    fail_logins(uow, 2)
    log_in_clerk(uow)
    fail_logins(uow, 2)
    assert user(uow).locked_until is None


def test_an_unknown_username_gets_the_same_message_as_a_wrong_password(
    uow: FakeUnitOfWork,
) -> None:
    with pytest.raises(AuthenticationError) as excinfo:
        log_in(uow, username="nobody", password=TEST_PASSWORD, policy=POLICY)
    assert excinfo.value.message == BAD_CREDENTIALS


def test_a_deactivated_user_cannot_log_in(uow: FakeUnitOfWork) -> None:
    uow.users.update(replace(user(uow), active=False))
    with pytest.raises(AuthenticationError) as excinfo:
        log_in_clerk(uow)
    assert excinfo.value.message == BAD_CREDENTIALS


# -- sessions --------------------------------------------------------------------------------


def test_a_live_session_resumes_as_its_user(uow: FakeUnitOfWork) -> None:
    session_id = open_session(uow)
    uow.clock.advance(timedelta(minutes=29))
    resumed = resume_session(uow, session_id=session_id, policy=POLICY)
    assert resumed.actor.username == "clerk"
    assert resumed.touch_due
    assert uow.commits == 0  # resuming writes nothing

    touch_session(uow, session_id=session_id)
    assert uow.sessions.rows[session_id].last_seen_at == uow.clock.now()


def test_a_session_seen_within_the_minute_needs_no_touch(uow: FakeUnitOfWork) -> None:
    session_id = open_session(uow)
    uow.clock.advance(timedelta(seconds=59))
    assert not resume_session(uow, session_id=session_id, policy=POLICY).touch_due


def test_touching_keeps_an_active_session_alive_past_the_idle_limit(uow: FakeUnitOfWork) -> None:
    session_id = open_session(uow)
    uow.clock.advance(timedelta(minutes=20))
    touch_session(uow, session_id=session_id)
    uow.clock.advance(timedelta(minutes=20))
    assert resume_session(uow, session_id=session_id, policy=POLICY).actor.username == "clerk"


def test_a_session_idle_for_more_than_30_minutes_is_refused(uow: FakeUnitOfWork) -> None:
    session_id = open_session(uow)
    uow.clock.advance(timedelta(minutes=30, seconds=1))
    with pytest.raises(AuthenticationError):
        resume_session(uow, session_id=session_id, policy=POLICY)


def test_a_session_older_than_8_hours_is_refused_even_if_active(uow: FakeUnitOfWork) -> None:
    session_id = open_session(uow)
    for _ in range(24):  # a request every 20 minutes for 8 hours, as the web layer makes them
        uow.clock.advance(timedelta(minutes=20))
        if resume_session(uow, session_id=session_id, policy=POLICY).touch_due:
            touch_session(uow, session_id=session_id)
    uow.clock.advance(timedelta(minutes=1))
    with pytest.raises(AuthenticationError):
        resume_session(uow, session_id=session_id, policy=POLICY)


def test_an_unknown_session_is_refused(uow: FakeUnitOfWork) -> None:
    with pytest.raises(AuthenticationError):
        resume_session(uow, session_id="made-up", policy=POLICY)


def test_the_session_of_a_deactivated_user_is_refused(uow: FakeUnitOfWork) -> None:
    session_id = open_session(uow)
    uow.users.update(replace(user(uow), active=False))
    with pytest.raises(AuthenticationError):
        resume_session(uow, session_id=session_id, policy=POLICY)


def test_logging_out_is_ledgered_and_revokes_the_session(uow: FakeUnitOfWork) -> None:
    session_id = log_in_clerk(uow)
    log_out(uow, session_id=session_id)
    assert uow.ledger_store.actions() == ["auth.login", "auth.logout"]
    assert uow.sessions.rows[session_id].revoked_at == uow.clock.now()
    with pytest.raises(AuthenticationError):
        resume_session(uow, session_id=session_id, policy=POLICY)


def test_logging_out_twice_is_ledgered_once(uow: FakeUnitOfWork) -> None:
    session_id = open_session(uow)
    log_out(uow, session_id=session_id)
    log_out(uow, session_id=session_id)
    assert uow.ledger_store.actions() == ["auth.logout"]
