"""Request dependencies: services, unit of work, the current actor and CSRF checks."""

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from retirelink.accounts.services import resume_session, touch_session
from retirelink.bootstrap import Services
from retirelink.errors import AuthenticationError, PermissionDeniedError
from retirelink.security.crypto import constant_time_equal
from retirelink.security.model import Actor
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork

SESSION_COOKIE = "rl_session"
LOGIN_CSRF_COOKIE = "rl_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_uow(services: ServicesDep) -> Iterator[SqlAlchemyUnitOfWork]:
    with services.uow() as uow:
        yield uow


UnitOfWorkDep = Annotated[SqlAlchemyUnitOfWork, Depends(get_uow)]


def session_actor(request: Request, services: ServicesDep) -> tuple[Actor, str]:
    """Resolve the session cookie to its actor. A plain ``def``: FastAPI runs it in the
    thread pool, so a database wait never blocks the event loop."""
    token = request.cookies.get(SESSION_COOKIE)
    session_id = services.sessions.decode(token) if token else None
    if session_id is None:
        raise AuthenticationError("请先登录")
    with services.uow(read_only=True) as uow:
        resumed = resume_session(uow, session_id=session_id, policy=services.login_policy)
    if resumed.touch_due:
        with services.uow() as uow:
            touch_session(uow, session_id=session_id)
    return resumed.actor, session_id


async def current_actor(
    request: Request,
    services: ServicesDep,
    resolved: Annotated[tuple[Actor, str], Depends(session_actor)],
) -> Actor:
    """The logged-in actor; unsafe methods must also carry the session's CSRF token."""
    actor, session_id = resolved
    if request.method in UNSAFE_METHODS:
        await _check_csrf(request, services, session_id)
    request.state.actor = actor
    request.state.session_id = session_id
    request.state.csrf_token = services.sessions.csrf_token(session_id)
    return actor


async def _check_csrf(request: Request, services: Services, session_id: str) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and _is_form(request):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not services.sessions.check_csrf(session_id, sent):
        raise PermissionDeniedError("请求校验失败（CSRF），请刷新页面后重试")


def _is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


CurrentActor = Annotated[Actor, Depends(current_actor)]


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def check_login_csrf(request: Request, sent: str | None, cookie: str = LOGIN_CSRF_COOKIE) -> None:
    """Double-submit check for forms without a session (login, the applicant's progress)."""
    expected = request.cookies.get(cookie)
    if not expected or not sent or not constant_time_equal(expected, sent):
        raise PermissionDeniedError("请求校验失败（CSRF），请刷新页面后重试")
