"""业务档案 pages: file a social-insurance business-archive volume, the list of volumes due for
appraisal (到期鉴定), and the appraisal form."""

from datetime import date
from typing import Annotated, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from retirelink.archives.business_archives import appraise_volume, due_for_appraisal, file_volume
from retirelink.archives.retention import BusinessStage, Insurance, Retention
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import has_permission
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork
from retirelink.web.deps import CurrentActor, UnitOfWorkDep
from retirelink.web.templating import render

router = APIRouter(include_in_schema=False)

_ERRORS = (ConflictError, InvalidInputError, NotFoundError)
E = TypeVar("E", Insurance, BusinessStage, Retention)


@router.get("/archives/business")
def business_index(request: Request, actor: CurrentActor, uow: UnitOfWorkDep) -> Response:
    return _index(request, actor, uow, error=None)


def _index(
    request: Request,
    actor: Actor,
    uow: SqlAlchemyUnitOfWork,
    *,
    error: str | None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "archives/business.html",
        {
            "tab": "business",
            "due": due_for_appraisal(uow, actor=actor),
            "today": uow.clock.today(),
            "may_file": has_permission(actor, Permission.ARCHIVE_CATALOGUE),
            "insurances": [(item.value, item.label) for item in Insurance],
            "stages": [(item.value, item.label) for item in BusinessStage],
            "retentions": [(item.value, item.label) for item in Retention],
            "error": error,
        },
        status_code=status_code,
    )


def _enum(kind: type[E], value: str, label: str) -> E:
    try:
        return kind(value)
    except ValueError:
        raise InvalidInputError(f"请选择{label}") from None


@router.post("/archives/business")
def business_file(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    reference: Annotated[str, Form(max_length=200)] = "",
    title: Annotated[str, Form(max_length=1000)] = "",
    insurance: Annotated[str, Form(max_length=32)] = "",
    stage: Annotated[str, Form(max_length=32)] = "",
    retention: Annotated[str, Form(max_length=16)] = "",
    formed_on: Annotated[str, Form(max_length=10)] = "",
    location: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        file_volume(
            uow,
            actor=actor,
            reference=reference,
            title=title,
            insurance=_enum(Insurance, insurance, "险种"),
            stage=_enum(BusinessStage, stage, "业务环节"),
            retention=_enum(Retention, retention, "保管期限"),
            formed_on=_day(formed_on),
            location=location,
        )
    except _ERRORS as error:
        return _index(request, actor, uow, error=error.message, status_code=422)
    return RedirectResponse("/archives/business", status_code=303)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError("形成日期应为 年-月-日", field="formed_on") from None


@router.post("/archives/business/{volume_id}/appraise")
def business_appraise(
    request: Request,
    volume_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    decision: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=1000)] = "",
    extend_to: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    try:
        appraise_volume(
            uow,
            actor=actor,
            volume_id=volume_id,
            destroy=decision == "destroy",
            note=note,
            extend_to=_enum(Retention, extend_to, "保管期限") if extend_to else None,
        )
    except _ERRORS as error:
        return _index(request, actor, uow, error=error.message, status_code=422)
    return RedirectResponse("/archives/business", status_code=303)
