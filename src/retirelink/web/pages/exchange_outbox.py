"""数据共享: receipts (回执) issued and received, and the requests waiting for partners
(待发请求) with a manual re-send for those that are stuck."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from retirelink.bootstrap import Services
from retirelink.errors import InvalidInputError
from retirelink.exchange.outbox import retry_message
from retirelink.exchange.overview import recent_receipts, recent_requests
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import has_permission
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork
from retirelink.web.deps import CurrentActor, ServicesDep, UnitOfWorkDep
from retirelink.web.pages.exchange_shared import item_names
from retirelink.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/exchange/receipts")
def exchange_receipts(
    request: Request, actor: CurrentActor, uow: UnitOfWorkDep, services: ServicesDep
) -> Response:
    receipts = recent_receipts(uow, actor=actor)
    return render(
        request,
        "exchange/receipts.html",
        {
            "tab": "receipts",
            "receipts": receipts,
            "problem_count": sum(1 for stored in receipts if stored.problems),
            "item_names": item_names(services.catalogue),
        },
    )


@router.get("/exchange/requests")
def exchange_requests(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    retried: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    notice = f"请求 #{retried} 已重新排队，将在下一轮投递时发送。" if retried else None
    return _requests_page(request, actor, uow, services, notice=notice)


@router.post("/exchange/requests/{message_id}/retry")
def exchange_request_retry(
    request: Request,
    message_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
) -> Response:
    try:
        retry_message(uow, actor=actor, message_id=message_id)
    except InvalidInputError as error:
        uow.rollback()
        return _requests_page(request, actor, uow, services, error=error.message, status=422)
    return RedirectResponse(f"/exchange/requests?retried={message_id}", status_code=303)


def _requests_page(
    request: Request,
    actor: Actor,
    uow: SqlAlchemyUnitOfWork,
    services: Services,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    messages = recent_requests(uow, actor=actor)
    return render(
        request,
        "exchange/requests.html",
        {
            "tab": "requests",
            "messages": messages,
            "item_names": item_names(services.catalogue),
            "can_retry": has_permission(actor, Permission.EXCHANGE_MANAGE),
            "notice": notice,
            "error": error,
        },
        status_code=status,
    )
