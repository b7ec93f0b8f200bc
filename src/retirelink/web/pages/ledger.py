from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from retirelink.ledger.model import LedgerAction
from retirelink.ledger.services import read_ledger, verify_and_record
from retirelink.web.deps import CurrentActor, ServicesDep, UnitOfWorkDep
from retirelink.web.templating import render

router = APIRouter(include_in_schema=False)

_ACTION_LABELS = {action.value: action.label for action in LedgerAction}


@router.get("/ledger")
def ledger_page(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    action: Annotated[str, Query(max_length=64)] = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    entries = read_ledger(uow, actor=actor, action=action or None, page=page)
    return render(
        request,
        "ledger/index.html",
        {
            "entries": entries,
            "action": action,
            "page": page,
            "labels": _ACTION_LABELS,
            "report": None,
        },
    )


@router.post("/ledger/verify")
def ledger_verify(
    request: Request, actor: CurrentActor, uow: UnitOfWorkDep, services: ServicesDep
) -> Response:
    with services.uow(read_only=True) as reader:
        report = verify_and_record(reader, uow, actor=actor)
    return render(request, "ledger/_verify.html", {"report": report})
