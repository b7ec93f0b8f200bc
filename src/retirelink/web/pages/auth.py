from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from retirelink.accounts.services import log_in, log_out
from retirelink.errors import AuthenticationError
from retirelink.web.cookies import clear_session_cookie, set_session_cookie
from retirelink.web.deps import (
    LOGIN_CSRF_COOKIE,
    CurrentActor,
    ServicesDep,
    check_login_csrf,
    new_login_csrf,
)
from retirelink.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only local paths: an absolute URL here would make the login page an open redirect.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _login_page(request: Request, *, error: str | None, username: str, status: int) -> Response:
    token = new_login_csrf()
    response = render(
        request,
        "auth/login.html",
        {
            "error": error,
            "username": username,
            "login_csrf": token,
            "next": _safe_next(request.query_params.get("next")),
        },
        status_code=status,
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login")
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request, error=None, username="", status=200)


@router.post("/login")
def login_submit(
    request: Request,
    services: ServicesDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=300)] = "/",
) -> Response:
    check_login_csrf(request, csrf_token)
    try:
        with services.uow() as uow:
            _, session_id = log_in(
                uow, username=username.strip(), password=password, policy=services.login_policy
            )
    except AuthenticationError as error:
        return _login_page(request, error=error.message, username=username, status=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, services, session_id)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, _actor: CurrentActor, services: ServicesDep) -> Response:
    with services.uow() as uow:
        log_out(uow, session_id=request.state.session_id)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response
