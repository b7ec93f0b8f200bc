"""退休申请 pages for the agency: take an application at the window (or record one made
online), follow every application's parallel tasks, work the queue of tasks handed to a
person (complete, refuse with a reason, or run again once a material arrived), determine
(核定) and review (复核), and print the 职工退休审批表."""

from collections.abc import Callable
from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from retirelink.documents.approval_form import approval_form_pdf
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from retirelink.rules import WorkCapacity, YearMonth
from retirelink.security.masking import mask_id_number, mask_name, may_see_unmasked
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import has_permission
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork
from retirelink.web.deps import CurrentActor, ServicesDep, UnitOfWorkDep
from retirelink.web.templating import render
from retirelink.workflow.application_services import (
    ApplicationRequest,
    application_view,
    list_applications,
    submit_application,
)
from retirelink.workflow.applications import ApplicationRoute, Appraisal, Channel, TaskStatus
from retirelink.workflow.approval import approval_form, determine, review
from retirelink.workflow.task_runner import complete_task, retry_task, task_queue

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
_TEXT = 2000
_PAGE_ERRORS = (ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError)


@router.get("/applications")
def applications_index(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    return _index(request, actor, uow, page=page, error=None, form={})


def _index(
    request: Request,
    actor: Actor,
    uow: SqlAlchemyUnitOfWork,
    *,
    page: int,
    error: str | None,
    form: dict[str, str],
    status_code: int = 200,
) -> Response:
    rows, total = list_applications(
        uow, actor=actor, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    return render(
        request,
        "applications/index.html",
        {
            "rows": rows,
            "names": _names(uow, actor, [a.person_id for a, _ in rows]),
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "routes": list(ApplicationRoute),
            "channels": list(Channel),
            "capacities": list(WorkCapacity),
            "error": error,
            "form": form,
        },
        status_code=status_code,
    )


def _names(uow: SqlAlchemyUnitOfWork, actor: Actor, person_ids: list[int]) -> dict[int, str]:
    unmasked = may_see_unmasked(actor)
    names = {}
    for person_id in set(person_ids):
        person = uow.persons.get(person_id)
        if person is not None:
            names[person_id] = person.name if unmasked else mask_name(person.name)
    return names


@router.post("/applications")
def applications_submit(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    id_number: Annotated[str, Form(max_length=40)] = "",
    route: Annotated[str, Form(max_length=20)] = "statutory",
    channel: Annotated[str, Form(max_length=16)] = "window",
    retirement_month: Annotated[str, Form(max_length=20)] = "",
    bank_name: Annotated[str, Form(max_length=60)] = "",
    bank_account: Annotated[str, Form(max_length=40)] = "",
    notice_date: Annotated[str, Form(max_length=20)] = "",
    employer_agrees: Annotated[str, Form(max_length=5)] = "",
    appraisal_capacity: Annotated[str, Form(max_length=16)] = "",
    appraisal_reference: Annotated[str, Form(max_length=40)] = "",
    appraisal_date: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    form = {
        "id_number": id_number,
        "route": route,
        "channel": channel,
        "retirement_month": retirement_month,
        "bank_name": bank_name,
        "bank_account": bank_account,
        "notice_date": notice_date,
        "appraisal_capacity": appraisal_capacity,
        "appraisal_reference": appraisal_reference,
        "appraisal_date": appraisal_date,
    }
    try:
        submitted = submit_application(
            uow,
            ApplicationRequest(
                id_number=id_number,
                route=_route(route),
                channel=_channel(channel),
                bank_name=bank_name,
                bank_account=bank_account,
                retirement_month=form_month(retirement_month),
                notice_date=form_day(notice_date),
                employer_agrees=employer_agrees == "on",
                appraisal=_appraisal(appraisal_capacity, appraisal_reference, appraisal_date),
            ),
            actor=actor,
            params=services.parameters,
            region=services.settings.region,
        )
    except _PAGE_ERRORS as error:
        return _index(request, actor, uow, page=1, error=error.message, form=form, status_code=422)
    services.workflow.wake()  # the tasks start now, not at the worker's next interval
    return RedirectResponse(f"/applications/{submitted.application.id}", status_code=303)


def _route(raw: str) -> ApplicationRoute:
    try:
        return ApplicationRoute(raw)
    except ValueError:
        raise InvalidInputError("退休类型无效", field="route") from None


def _channel(raw: str) -> Channel:
    try:
        return Channel(raw)
    except ValueError:
        raise InvalidInputError("申请渠道无效", field="channel") from None


def form_month(raw: str) -> YearMonth | None:
    return YearMonth.parse(raw.strip(), field="retirement_month") if raw.strip() else None


def form_day(raw: str, label: str = "告知日期", field: str = "notice_date") -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInputError(f"{label}格式应为YYYY-MM-DD", field=field) from None


def _appraisal(capacity: str, reference: str, day: str) -> Appraisal | None:
    """The 劳动能力鉴定 fields, when the clerk filled them (因病提前退休)."""
    if not capacity:
        return None
    try:
        conclusion = WorkCapacity(capacity)
    except ValueError:
        raise InvalidInputError("劳动能力鉴定结论无效", field="appraisal_capacity") from None
    appraised_on = form_day(day, "鉴定日期", "appraisal_date")
    if appraised_on is None:
        raise InvalidInputError("请填写鉴定日期", field="appraisal_date")
    return Appraisal(conclusion, reference.strip(), appraised_on)


@router.get("/applications/tasks")
def applications_tasks(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    tasks, total = task_queue(uow, actor=actor, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    applications = {t.application_id: uow.applications.get(t.application_id) for t in tasks}
    person_ids = [a.person_id for a in applications.values() if a is not None]
    return render(
        request,
        "applications/tasks.html",
        {
            "tasks": tasks,
            "applications": applications,
            "names": _names(uow, actor, person_ids),
            "now": uow.clock.now(),
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
        },
    )


@router.get("/applications/{application_id}")
def applications_detail(
    request: Request, application_id: int, actor: CurrentActor, uow: UnitOfWorkDep
) -> Response:
    return _detail(request, actor, uow, application_id, error=None)


def _detail(
    request: Request,
    actor: Actor,
    uow: SqlAlchemyUnitOfWork,
    application_id: int,
    *,
    error: str | None,
    status_code: int = 200,
) -> Response:
    view = application_view(uow, actor=actor, application_id=application_id)
    unmasked = may_see_unmasked(actor)
    person = view.person
    account = view.application.bank_account
    return render(
        request,
        "applications/detail.html",
        {
            "view": view,
            "name": person.name if unmasked else mask_name(person.name),
            "id_number": person.id_number if unmasked else mask_id_number(person.id_number),
            "bank_account": account if unmasked else f"{account[:4]}****{account[-4:]}",
            "now": uow.clock.now(),
            "handed_over": (TaskStatus.NEEDS_PERSON, TaskStatus.DISPUTED),
            "recalculations": uow.recalculations.for_application(view.application.id or 0),
            "may_determine": has_permission(actor, Permission.RETIREMENT_DETERMINE),
            "may_review": has_permission(actor, Permission.RETIREMENT_APPROVE),
            "error": error,
        },
        status_code=status_code,
    )


@router.post("/applications/{application_id}/tasks/{task_id}")
def applications_task_action(
    request: Request,
    application_id: int,
    task_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    action: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=_TEXT)] = "",
) -> Response:
    try:
        _task_action(uow, actor, application_id, task_id, action, note)
    except _PAGE_ERRORS as error:
        return _detail(request, actor, uow, application_id, error=error.message, status_code=422)
    if action == "retry":
        services.workflow.wake()
    return RedirectResponse(f"/applications/{application_id}", status_code=303)


def _task_action(
    uow: SqlAlchemyUnitOfWork,
    actor: Actor,
    application_id: int,
    task_id: int,
    action: str,
    note: str,
) -> None:
    task = uow.tasks.get(task_id)
    if task is None or task.application_id != application_id:
        raise NotFoundError("任务不存在")
    if action == "retry":
        retry_task(uow, actor=actor, task_id=task_id)
    elif action in ("done", "refuse"):
        status = TaskStatus.DONE if action == "done" else TaskStatus.REFUSED
        complete_task(uow, actor=actor, task_id=task_id, status=status, note=note)
    else:
        raise InvalidInputError("未知的办理操作", field="action")


@router.post("/applications/{application_id}/determine")
def applications_determine(
    request: Request,
    application_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    conclusion: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=_TEXT)] = "",
) -> Response:
    def act() -> None:
        grant = _conclusion(conclusion, {"grant": True, "refuse": False}, "请选择核定结论")
        determine(uow, actor=actor, application_id=application_id, grant=grant, note=note)

    return _decision_step(request, actor, uow, application_id, act)


@router.post("/applications/{application_id}/review")
def applications_review(
    request: Request,
    application_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    conclusion: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=_TEXT)] = "",
) -> Response:
    def act() -> None:
        approve = _conclusion(conclusion, {"approve": True, "return": False}, "请选择复核结论")
        review(uow, actor=actor, application_id=application_id, approve=approve, note=note)

    return _decision_step(request, actor, uow, application_id, act)


def _conclusion(raw: str, choices: dict[str, bool], message: str) -> bool:
    if raw not in choices:
        raise InvalidInputError(message, field="conclusion")
    return choices[raw]


def _decision_step(
    request: Request,
    actor: Actor,
    uow: SqlAlchemyUnitOfWork,
    application_id: int,
    act: Callable[[], None],
) -> Response:
    """Run a 核定 or 复核 step: back to the application, or the page with the 中文 error."""
    try:
        act()
    except _PAGE_ERRORS as error:
        return _detail(request, actor, uow, application_id, error=error.message, status_code=422)
    return RedirectResponse(f"/applications/{application_id}", status_code=303)


@router.get("/applications/{application_id}/form.pdf")
def applications_form(application_id: int, actor: CurrentActor, uow: UnitOfWorkDep) -> Response:
    form = approval_form(uow, actor=actor, application_id=application_id)
    return pdf_response(approval_form_pdf(form), form.view.application.reference)


def pdf_response(data: bytes, reference: str) -> Response:
    # RFC 6266 / 5987: the 中文 file name for browsers, an ASCII one for the rest.
    name = quote(f"职工退休审批表-{reference}.pdf")
    disposition = f"attachment; filename=\"{reference}.pdf\"; filename*=UTF-8''{name}"
    return Response(
        data, media_type="application/pdf", headers={"Content-Disposition": disposition}
    )
