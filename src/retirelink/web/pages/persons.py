from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from retirelink.archives.facts import archive_evidence
from retirelink.archives.services import register_person, search_persons, view_person
from retirelink.errors import InvalidInputError
from retirelink.exchange.overview import shared_records_about
from retirelink.rules.deemed import calculate_deemed_contribution
from retirelink.rules.ethnicity import ETHNICITIES
from retirelink.security.masking import may_see_unmasked
from retirelink.security.model import Permission
from retirelink.security.permissions import has_permission, require
from retirelink.web.deps import CurrentActor, ServicesDep, UnitOfWorkDep
from retirelink.web.presenters import page_public, person_public
from retirelink.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/persons")
def persons_search(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    context: dict[str, object] = {"q": q, "result": None, "error": None}
    if q.strip():
        try:
            found = search_persons(uow, actor=actor, query=q, page=page)
            context["result"] = page_public(found, actor)
        except InvalidInputError as error:
            context["error"] = error.message
    context["can_register"] = has_permission(actor, Permission.PERSON_WRITE)
    template = (
        "persons/_results.html" if request.headers.get("HX-Request") else "persons/search.html"
    )
    status = 422 if context["error"] else 200
    return render(request, template, context, status_code=status)


@router.get("/persons/new")
def person_new_form(request: Request, actor: CurrentActor) -> Response:
    require(actor, Permission.PERSON_WRITE)
    return _new_form(request, values={}, error=None, field=None, status=200)


def _new_form(
    request: Request, *, values: dict[str, str], error: str | None, field: str | None, status: int
) -> Response:
    return render(
        request,
        "persons/new.html",
        {"values": values, "error": error, "error_field": field, "ethnicities": ETHNICITIES},
        status_code=status,
    )


@router.post("/persons")
def person_create(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    id_number: Annotated[str, Form(max_length=40)] = "",
    name: Annotated[str, Form(max_length=60)] = "",
    ethnicity: Annotated[str, Form(max_length=4)] = "01",
    phone: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    values = {"id_number": id_number, "name": name, "ethnicity": ethnicity, "phone": phone}
    try:
        person = register_person(
            uow,
            actor=actor,
            id_number=id_number,
            name=name,
            ethnicity=ethnicity,
            phone=phone or None,
        )
    except InvalidInputError as error:
        return _new_form(request, values=values, error=error.message, field=error.field, status=422)
    return RedirectResponse(f"/persons/{person.id}", status_code=303)


@router.get("/persons/{person_id}")
def person_detail(
    request: Request,
    person_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
) -> Response:
    person = view_person(uow, actor=actor, person_id=person_id, purpose="参保人详情查看")
    shared = shared_records_about(uow, actor=actor, id_number=person.id_number)
    archive = uow.archives.get_by_person(person_id)
    evidence = None
    deemed = None
    if archive is not None and has_permission(actor, Permission.ARCHIVE_READ):
        evidence = archive_evidence(uow, actor=actor, person_id=person_id)
        if evidence.service:
            deemed = calculate_deemed_contribution(
                evidence.service,
                on=uow.clock.today(),
                region=person.hukou_region,
                params=services.parameters,
            )
    return render(
        request,
        "persons/detail.html",
        {
            "person": person_public(person, actor),
            "ethnicity": ETHNICITIES.get(person.ethnicity, person.ethnicity),
            "unmasked": may_see_unmasked(actor),
            "shared": shared,
            "item_names": {item.code: item.name for item in services.catalogue},
            "archive": archive,
            "evidence": evidence,
            "deemed": deemed,
        },
    )
