"""补充材料 for the archive: the queue of materials persons and employers handed in online,
each scan to look at, received into the archive (归档) or returned with a reason."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from retirelink.errors import ConflictError, InvalidInputError
from retirelink.security.masking import mask_id_number, mask_name, may_see_unmasked
from retirelink.security.model import Actor
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork
from retirelink.web.deps import CurrentActor, ServicesDep, UnitOfWorkDep
from retirelink.web.templating import render
from retirelink.workflow.supplement_services import (
    accept_supplement,
    pending_supplements,
    return_supplement,
    supplement_file,
)

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
# Shown on the queue page; an unknown material is the ordinary 404 page.
_ERRORS = (ConflictError, InvalidInputError)


@router.get("/supplements")
def supplements_index(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    return _index(request, actor, uow, page=page, error=None)


def _index(
    request: Request,
    actor: Actor,
    uow: SqlAlchemyUnitOfWork,
    *,
    page: int,
    error: str | None,
    status_code: int = 200,
) -> Response:
    rows, total = pending_supplements(
        uow, actor=actor, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    unmasked = may_see_unmasked(actor)
    return render(
        request,
        "online/supplements.html",
        {
            "rows": [
                (
                    item,
                    person.name if unmasked else mask_name(person.name),
                    person.id_number if unmasked else mask_id_number(person.id_number),
                )
                for item, person in rows
            ],
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/supplements/{supplement_id}/file")
def supplements_file(
    supplement_id: int, actor: CurrentActor, uow: UnitOfWorkDep, services: ServicesDep
) -> Response:
    supplied, data, media_type = supplement_file(
        uow, actor=actor, store=services.blobs, supplement_id=supplement_id
    )
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'inline; filename="supplement-{supplied.id}"'},
    )


@router.post("/supplements/{supplement_id}/accept")
def supplements_accept(
    request: Request,
    supplement_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
) -> Response:
    try:
        accept_supplement(
            uow,
            actor=actor,
            store=services.blobs,
            supplement_id=supplement_id,
            params=services.parameters,
            region=services.settings.region,
            months=services.settings.prereview_months,
        )
    except _ERRORS as error:
        uow.rollback()
        return _index(request, actor, uow, page=1, error=error.message, status_code=409)
    services.workflow.wake()  # an archive task may have been set to run again
    return RedirectResponse("/supplements", status_code=303)


@router.post("/supplements/{supplement_id}/return")
def supplements_return(
    request: Request,
    supplement_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        return_supplement(uow, actor=actor, supplement_id=supplement_id, reason=reason)
    except _ERRORS as error:
        uow.rollback()
        return _index(request, actor, uow, page=1, error=error.message, status_code=422)
    return RedirectResponse("/supplements", status_code=303)
