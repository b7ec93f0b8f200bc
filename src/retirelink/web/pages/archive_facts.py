"""信息审核 pages: the queue of facts read from archive pages, each beside the page image it
came from, with confirm / correct / reject; facts entered by hand; 涂改 flags."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from retirelink.archives.fact_kinds import FactKind
from retirelink.archives.facts import add_fact, flag_altered, review_fact, review_queue
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError
from retirelink.security.model import Actor
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork
from retirelink.web.deps import CurrentActor, UnitOfWorkDep
from retirelink.web.templating import render

router = APIRouter(include_in_schema=False)

_ERRORS = (ConflictError, InvalidInputError, NotFoundError)
_TEXT = 1000


@router.get("/archives/facts")
def facts_index(request: Request, actor: CurrentActor, uow: UnitOfWorkDep) -> Response:
    return _index(request, actor, uow, error=None)


def _index(
    request: Request,
    actor: Actor,
    uow: SqlAlchemyUnitOfWork,
    *,
    error: str | None,
    status_code: int = 200,
) -> Response:
    facts = review_queue(uow, actor=actor)
    materials = {
        fact.material_id: material
        for fact in facts
        if (material := uow.materials.get(fact.material_id)) is not None
    }
    return render(
        request,
        "archives/facts.html",
        {
            "tab": "facts",
            "facts": facts,
            "materials": materials,
            "kinds": [(kind.value, kind.label) for kind in FactKind],
            "error": error,
        },
        status_code=status_code,
    )


@router.post("/archives/facts/{fact_id}/review")
def facts_review(
    request: Request,
    fact_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    decision: Annotated[str, Form(max_length=10)] = "",
    start: Annotated[str, Form(max_length=40)] = "",
    end: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=_TEXT)] = "",
) -> Response:
    try:
        review_fact(
            uow, actor=actor, fact_id=fact_id, decision=decision, start=start, end=end, note=note
        )
    except _ERRORS as error:
        return _index(request, actor, uow, error=error.message, status_code=422)
    return RedirectResponse("/archives/facts", status_code=303)


@router.post("/archives/materials/{material_id}/facts")
def facts_add(
    request: Request,
    material_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    kind: Annotated[str, Form(max_length=32)] = "",
    start: Annotated[str, Form(max_length=40)] = "",
    end: Annotated[str, Form(max_length=40)] = "",
    detail: Annotated[str, Form(max_length=_TEXT)] = "",
    page_id: Annotated[int | None, Form()] = None,
    note: Annotated[str, Form(max_length=_TEXT)] = "",
) -> Response:
    try:
        fact_kind = FactKind(kind)
    except ValueError:
        return _index(request, actor, uow, error="请选择信息类型", status_code=422)
    try:
        add_fact(
            uow,
            actor=actor,
            material_id=material_id,
            kind=fact_kind,
            start=start,
            end=end,
            detail=detail,
            page_id=page_id,
            note=note,
        )
    except _ERRORS as error:
        return _index(request, actor, uow, error=error.message, status_code=422)
    return RedirectResponse("/archives/facts", status_code=303)


@router.post("/archives/materials/{material_id}/altered")
def material_altered(
    request: Request,
    material_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    note: Annotated[str, Form(max_length=_TEXT)] = "",
) -> Response:
    try:
        material = flag_altered(uow, actor=actor, material_id=material_id, note=note)
    except _ERRORS as error:
        return _index(request, actor, uow, error=error.message, status_code=422)
    return RedirectResponse(f"/archives/{material.archive_id}", status_code=303)
