"""网上办理: the applicant's own pages, signed in with an applicant account — the person, or an
employer's 经办员 for the employer's workers. What the pre-review asks of them, handing in a
missing material, applying for retirement with only a bank account, following every task,
and downloading the 审批表 once decided."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from retirelink.archives.material_classes import MaterialType
from retirelink.documents.approval_form import approval_form_pdf
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from retirelink.security.masking import mask_id_number, mask_name
from retirelink.security.model import Actor, PrincipalKind
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork
from retirelink.web.deps import CurrentActor, ServicesDep, UnitOfWorkDep
from retirelink.web.pages.applications import form_day, form_month, pdf_response
from retirelink.web.templating import render
from retirelink.workflow.application_services import ApplicationRequest, submit_application
from retirelink.workflow.applications import ApplicationRoute, Channel
from retirelink.workflow.online import online_application, online_approval_form, online_cases
from retirelink.workflow.principals import principal_of
from retirelink.workflow.supplement_services import SupplementUpload, submit_supplement
from retirelink.workflow.supplements import SUPPLIABLE_TYPES

router = APIRouter(include_in_schema=False)

_ERRORS = (ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError)
# A scan of a form or two: a few pages at 300 dpi.
MAX_SUPPLEMENT_BYTES = 50 * 2**20
# Online, the routes the applicant chooses; illness retirement needs the appraisal committee's
# conclusion, taken at the window.
ONLINE_ROUTES = (
    ApplicationRoute.STATUTORY,
    ApplicationRoute.SPECIAL_JOB,
    ApplicationRoute.FLEXIBLE_EARLY,
    ApplicationRoute.FLEXIBLE_LATE,
)


@router.get("/my")
def online_index(request: Request, actor: CurrentActor, uow: UnitOfWorkDep) -> Response:
    return _index(request, actor, uow, error=None, notice=None)


def _index(
    request: Request,
    actor: Actor,
    uow: SqlAlchemyUnitOfWork,
    *,
    error: str | None,
    notice: str | None,
    status_code: int = 200,
) -> Response:
    cases = online_cases(uow, actor=actor)
    principal = principal_of(actor)
    return render(
        request,
        "online/index.html",
        {
            "cases": cases,
            "for_employer": principal.kind is PrincipalKind.EMPLOYER,
            "names": {c.person.id: mask_name(c.person.name) for c in cases},
            "numbers": {c.person.id: mask_id_number(c.person.id_number) for c in cases},
            "routes": ONLINE_ROUTES,
            "types": SUPPLIABLE_TYPES,
            "error": error,
            "notice": notice,
        },
        status_code=status_code,
    )


@router.post("/my/apply")
def online_apply(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    person: Annotated[int, Form(ge=0)] = 0,
    route: Annotated[str, Form(max_length=20)] = "statutory",
    retirement_month: Annotated[str, Form(max_length=20)] = "",
    bank_name: Annotated[str, Form(max_length=60)] = "",
    bank_account: Annotated[str, Form(max_length=40)] = "",
    notice_date: Annotated[str, Form(max_length=20)] = "",
    employer_agrees: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    try:
        submitted = submit_application(
            uow,
            ApplicationRequest(
                id_number=_id_number(uow, person),
                route=_route(route),
                channel=Channel.PERSON,  # the service takes the channel from the account
                bank_name=bank_name,
                bank_account=bank_account,
                retirement_month=form_month(retirement_month),
                notice_date=form_day(notice_date),
                employer_agrees=employer_agrees == "on",
            ),
            actor=actor,
            params=services.parameters,
            region=services.settings.region,
        )
    except _ERRORS as error:
        uow.rollback()
        return _index(request, actor, uow, error=error.message, notice=None, status_code=422)
    services.workflow.wake()
    return RedirectResponse(f"/my/applications/{submitted.application.id}", status_code=303)


@router.post("/my/supplements")
def online_supplement(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    file: Annotated[UploadFile, File()],
    person: Annotated[int, Form(ge=0)] = 0,
    material_type: Annotated[str, Form(max_length=32)] = "",
    formation_date: Annotated[str, Form(max_length=20)] = "",
    title: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    # A plain def: reading and checking a scan runs in the thread pool, not on the event loop.
    data = file.file.read(MAX_SUPPLEMENT_BYTES + 1)
    try:
        if len(data) > MAX_SUPPLEMENT_BYTES:
            raise InvalidInputError("扫描件超过50 MB，请分页上传", field="file")
        upload = SupplementUpload(
            id_number=_id_number(uow, person),
            material_type=_material_type(material_type),
            formation_date=_required_day(formation_date),
            file_name=file.filename or "scan",
            data=data,
            title=title,
        )
        supplied = submit_supplement(uow, upload, actor=actor, store=services.blobs)
    except _ERRORS as error:
        uow.rollback()
        return _index(request, actor, uow, error=error.message, notice=None, status_code=422)
    notice = (
        f"已提交“{supplied.supplied.title}”，共{supplied.supplied.pages}页，等待档案部门接收"
        if supplied.created
        else f"该文件已于此前提交（{supplied.supplied.status.label}），无需重复提交"
    )
    return _index(request, actor, uow, error=None, notice=notice)


@router.get("/my/applications/{application_id}")
def online_application_page(
    request: Request, application_id: int, actor: CurrentActor, uow: UnitOfWorkDep
) -> Response:
    view = online_application(uow, actor=actor, application_id=application_id)
    return render(
        request,
        "online/application.html",
        {"view": view, "name": mask_name(view.person.name)},
    )


@router.get("/my/applications/{application_id}/form.pdf")
def online_form_pdf(application_id: int, actor: CurrentActor, uow: UnitOfWorkDep) -> Response:
    form = online_approval_form(uow, actor=actor, application_id=application_id)
    return pdf_response(approval_form_pdf(form), form.view.application.reference)


def _id_number(uow: SqlAlchemyUnitOfWork, person_id: int) -> str:
    """The worker a form is about, by record id (the page never carries ID numbers); whether
    the account may act for them is the services' to check. A person's own forms name
    nobody: the services take the account's own number."""
    person = uow.persons.get(person_id) if person_id else None
    return person.id_number if person is not None else ""


def _route(raw: str) -> ApplicationRoute:
    try:
        route = ApplicationRoute(raw)
    except ValueError:
        route = None
    if route not in ONLINE_ROUTES:
        raise InvalidInputError("请选择退休类型（因病提前退休请到窗口办理）", field="route")
    return route


def _material_type(raw: str) -> MaterialType:
    try:
        return MaterialType(raw)
    except ValueError:
        raise InvalidInputError("请选择材料类型", field="material_type") from None


def _required_day(raw: str) -> date:
    day = form_day(raw, "材料形成日期", "formation_date")
    if day is None:
        raise InvalidInputError("请填写材料形成日期", field="formation_date")
    return day
