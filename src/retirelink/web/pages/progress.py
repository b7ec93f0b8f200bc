"""办理进度 for the applicant, without an account: the 受理编号 and the full ID number (both on
the receipt) open the application's progress — every task in plain Chinese, what is still
needed, the decision — and, once decided, the 职工退休审批表 to download. Both are POSTs so
the ID number never sits in a URL or an access log."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from retirelink.documents.approval_form import approval_form_pdf
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError, RetireLinkError
from retirelink.security.masking import mask_name
from retirelink.web.deps import ServicesDep, check_login_csrf, new_login_csrf
from retirelink.web.pages.applications import pdf_response
from retirelink.web.templating import render
from retirelink.workflow.application_services import ApplicationView
from retirelink.workflow.approval import applicant_approval_form, applicant_view

router = APIRouter(include_in_schema=False)

PROGRESS_CSRF_COOKIE = "rl_progress_csrf"
# Not found (reference and ID number do not match) 404; not decided yet 409; bad input 422.
_ERRORS = {NotFoundError: 404, ConflictError: 409, InvalidInputError: 422}


def _page(
    request: Request,
    *,
    view: ApplicationView | None,
    error: str | None,
    reference: str = "",
    id_number: str = "",
    status_code: int = 200,
) -> Response:
    token = new_login_csrf()
    response = render(
        request,
        "progress/index.html",
        {
            "view": view,
            "name": mask_name(view.person.name) if view else "",
            "error": error,
            "reference": reference,
            "id_number": id_number,
            "progress_csrf": token,
        },
        status_code=status_code,
    )
    response.set_cookie(
        PROGRESS_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/progress"
    )
    return response


def _refused(request: Request, error: RetireLinkError, reference: str) -> Response:
    status = next(code for kind, code in _ERRORS.items() if isinstance(error, kind))
    return _page(request, view=None, error=error.message, reference=reference, status_code=status)


@router.get("/progress")
def progress_form(request: Request) -> Response:
    return _page(request, view=None, error=None)


@router.post("/progress")
def progress_show(
    request: Request,
    services: ServicesDep,
    reference: Annotated[str, Form(max_length=40)] = "",
    id_number: Annotated[str, Form(max_length=18)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_login_csrf(request, csrf_token, PROGRESS_CSRF_COOKIE)
    try:
        with services.uow() as uow:
            view = applicant_view(uow, reference=reference, id_number=id_number)
    except tuple(_ERRORS) as error:
        return _refused(request, error, reference)
    return _page(request, view=view, error=None, reference=reference, id_number=id_number)


@router.post("/progress/form.pdf")
def progress_form_pdf(
    request: Request,
    services: ServicesDep,
    reference: Annotated[str, Form(max_length=40)] = "",
    id_number: Annotated[str, Form(max_length=18)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_login_csrf(request, csrf_token, PROGRESS_CSRF_COOKIE)
    try:
        with services.uow() as uow:
            form = applicant_approval_form(uow, reference=reference, id_number=id_number)
    except tuple(_ERRORS) as error:
        return _refused(request, error, reference)
    return pdf_response(approval_form_pdf(form), form.view.application.reference)
