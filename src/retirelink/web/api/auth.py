from fastapi import APIRouter, Request, Response

from retirelink.accounts.services import log_in, log_out
from retirelink.web.cookies import clear_session_cookie, set_session_cookie
from retirelink.web.deps import CurrentActor, ServicesDep
from retirelink.web.schemas import LoginPublic, LoginRequest

router = APIRouter(prefix="/api/v1/auth", tags=["登录"])


@router.post("/login", summary="登录（返回 CSRF 令牌，会话保存在 Cookie 中）")
def api_login(body: LoginRequest, response: Response, services: ServicesDep) -> LoginPublic:
    with services.uow() as uow:
        actor, session_id = log_in(
            uow, username=body.username, password=body.password, policy=services.login_policy
        )
    set_session_cookie(response, services, session_id)
    return LoginPublic(
        username=actor.username,
        display_name=actor.display_name,
        roles=sorted(actor.roles),
        csrf_token=services.sessions.csrf_token(session_id),
    )


@router.post("/logout", status_code=204, summary="退出登录")
def api_logout(
    request: Request, response: Response, _actor: CurrentActor, services: ServicesDep
) -> None:
    with services.uow() as uow:
        log_out(uow, session_id=request.state.session_id)
    clear_session_cookie(response)
