"""档案调阅 pages: file a request, decide requests, and view an approved archive's pages."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from retirelink.archives.lending import (
    decide_lending,
    find_archive_for_request,
    lending_catalogue,
    lending_lists,
    request_lending,
    revoke_lending,
)
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import has_permission
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork
from retirelink.web.deps import CurrentActor, UnitOfWorkDep
from retirelink.web.templating import render

router = APIRouter(include_in_schema=False)

_TEXT_LIMIT = 2000
_PAGE_ERRORS = (ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError)


@router.get("/archives/lending")
def lending_index(request: Request, actor: CurrentActor, uow: UnitOfWorkDep) -> Response:
    return _index(request, actor, uow, error=None)


def _index(
    request: Request,
    actor: Actor,
    uow: SqlAlchemyUnitOfWork,
    *,
    error: str | None,
    status_code: int = 200,
) -> Response:
    mine, waiting = lending_lists(uow, actor=actor)
    numbers = {
        item.archive_id: archive.archive_number
        for item in [*mine, *waiting]
        if (archive := uow.archives.get(item.archive_id)) is not None
    }
    return render(
        request,
        "archives/lending.html",
        {
            "tab": "lending",
            "mine": mine,
            "waiting": waiting,
            "numbers": numbers,
            "may_request": has_permission(actor, Permission.ARCHIVE_LENDING_REQUEST),
            "now": uow.clock.now(),
            "error": error,
        },
        status_code=status_code,
    )


@router.post("/archives/lending")
def lending_request(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    archive_number: Annotated[str, Form(max_length=100)] = "",
    purpose: Annotated[str, Form(max_length=_TEXT_LIMIT)] = "",
    legal_basis: Annotated[str, Form(max_length=_TEXT_LIMIT)] = "",
    view_hours: Annotated[int, Form(ge=0, le=10_000)] = 24,
) -> Response:
    try:
        archive = find_archive_for_request(uow, archive_number)
        assert archive.id is not None
        request_lending(
            uow,
            actor=actor,
            archive_id=archive.id,
            purpose=purpose,
            legal_basis=legal_basis,
            view_hours=view_hours,
        )
    except _PAGE_ERRORS as error:
        return _index(request, actor, uow, error=error.message, status_code=422)
    return RedirectResponse("/archives/lending", status_code=303)


@router.post("/archives/lending/{request_id}/decide")
def lending_decide(
    request: Request,
    request_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    decision: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=_TEXT_LIMIT)] = "",
) -> Response:
    try:
        decide_lending(
            uow, actor=actor, request_id=request_id, approve=decision == "approve", note=note
        )
    except _PAGE_ERRORS as error:
        return _index(request, actor, uow, error=error.message, status_code=422)
    return RedirectResponse("/archives/lending", status_code=303)


@router.post("/archives/lending/{request_id}/revoke")
def lending_revoke(
    request: Request,
    request_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    note: Annotated[str, Form(max_length=_TEXT_LIMIT)] = "",
) -> Response:
    try:
        revoke_lending(uow, actor=actor, request_id=request_id, note=note)
    except _PAGE_ERRORS as error:
        return _index(request, actor, uow, error=error.message, status_code=422)
    return RedirectResponse("/archives/lending", status_code=303)


@router.get("/archives/lending/{request_id}")
def lending_view(
    request: Request, request_id: int, actor: CurrentActor, uow: UnitOfWorkDep
) -> Response:
    lending, archive, materials = lending_catalogue(uow, actor=actor, request_id=request_id)
    return render(
        request,
        "archives/lending_view.html",
        {"tab": "lending", "lending": lending, "archive": archive, "materials": materials},
    )
