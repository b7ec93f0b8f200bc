"""Session cookie attributes, set in one place."""

from fastapi import Response

from retirelink.bootstrap import Services
from retirelink.web.deps import SESSION_COOKIE


def set_session_cookie(response: Response, services: Services, session_id: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        services.sessions.encode(session_id),
        max_age=services.settings.session_max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=services.settings.secure_cookies,
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
