"""基金安全 pages: the findings of the cross-checks (summary cards, filters, a paginated table),
a batch run started from the page with the recent runs, one finding with the evidence of
both sides, the rules' explanation, its history and the decisions open from its status
(each with a reason; 立案追回 with the survivor offset, fraud and instalments), and the
report as XLSX or PDF."""

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from retirelink.bootstrap import Services
from retirelink.documents.fund_report import (
    EVIDENCE_LABELS,
    PARTNER_KINDS,
    XLSX_MEDIA_TYPE,
    build_report,
    fund_report_pdf,
    fund_report_xlsx,
    mask_text,
    overview,
    report_filename,
)
from retirelink.errors import ConflictError, InvalidInputError
from retirelink.fundcheck.findings import (
    TRANSITIONS,
    FindingAction,
    FindingFilter,
    FindingStatus,
    StoredFinding,
)
from retirelink.fundcheck.model import Band, CheckCode
from retirelink.fundcheck.services import (
    RecoveryTerms,
    decide_finding,
    list_findings,
    open_finding,
    recent_runs,
)
from retirelink.fundcheck.settlement import survivor_offset
from retirelink.rules.death import fraud_fine_range
from retirelink.rules.identifiers import normalise_id_number
from retirelink.security.masking import mask_id_number, mask_name, may_see_unmasked
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import has_permission
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork
from retirelink.web.deps import CurrentActor, ServicesDep, UnitOfWorkDep
from retirelink.web.templating import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
RUNS_SHOWN = 10
_TEXT = 500
_DECISION_ERRORS = (ConflictError, InvalidInputError)
_ACTOR_LABELS = {"rule": "规则（自动）", "system": "系统"}
E = TypeVar("E", CheckCode, FindingStatus, Band)


# -- the list -----------------------------------------------------------------------------


@router.get("/fund")
def fund_index(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    check: Annotated[str, Query(max_length=32)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    band: Annotated[str, Query(max_length=16)] = "",
    id_number: Annotated[str, Query(max_length=40)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    run: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    where = finding_filter(services, check=check, status=status, band=band, id_number=id_number)
    found, total = list_findings(
        uow, actor=actor, where=where, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    runs = recent_runs(uow, actor=actor, limit=RUNS_SHOWN)
    unmasked = may_see_unmasked(actor)
    query = {"check": check, "status": status, "band": band, "id_number": id_number}
    return render(
        request,
        "fund/index.html",
        {
            "rows": [_row(finding, unmasked) for finding in found],
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "query": query,
            "query_string": urlencode(query),
            "figures": overview(uow, actor=actor),
            "runs": runs,
            "just_run": next((item for item in runs if item.id == run), None),
            "actor_label": _actor_label,
            "checks": [(item.value, item.label) for item in CheckCode],
            "check_labels": {item.value: item.label for item in CheckCode},
            "statuses": [(item.value, item.label) for item in FindingStatus],
            "bands": [(item.value, item.label) for item in Band],
        },
    )


def finding_filter(
    services: Services, *, check: str, status: str, band: str, id_number: str
) -> FindingFilter:
    """The list's filters from the query; an unknown value is a 中文 error."""
    number = id_number.strip()
    return FindingFilter(
        check=_choice(CheckCode, check, "核查规则不存在", "check"),
        status=_choice(FindingStatus, status, "预警状态不存在", "status"),
        band=_choice(Band, band, "分档只能是自动预警、人工核查或自动排除", "band"),
        id_number=normalise_id_number(number, on=services.clock.today()) if number else None,
    )


def _choice(kind: type[E], raw: str, message: str, field: str) -> E | None:
    if raw in ("", "all"):
        return None
    try:
        return kind(raw)
    except ValueError:
        raise InvalidInputError(message, field=field) from None


def _row(finding: StoredFinding, unmasked: bool) -> dict[str, Any]:
    return {
        "finding": finding,
        "name": finding.name if unmasked else mask_name(finding.name),
        "id_number": finding.id_number if unmasked else mask_id_number(finding.id_number),
        "summary": finding.summary if unmasked else mask_text(finding.summary),
    }


@router.post("/fund/runs")
def fund_run(actor: CurrentActor, services: ServicesDep) -> Response:
    """A batch run over the whole roll, now; the list then shows its result."""
    run = services.run_fund_batch(actor)
    return RedirectResponse(f"/fund?run={run.id}", status_code=303)


# -- one finding --------------------------------------------------------------------------


@router.get("/fund/findings/{finding_id}")
def fund_finding(
    request: Request,
    finding_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
) -> Response:
    return _detail(request, actor, uow, services, finding_id, error=None, form={})


def _detail(
    request: Request,
    actor: Actor,
    uow: SqlAlchemyUnitOfWork,
    services: Services,
    finding_id: int,
    *,
    error: str | None,
    form: dict[str, str],
    status_code: int = 200,
) -> Response:
    finding, history = open_finding(uow, actor=actor, finding_id=finding_id)
    unmasked = may_see_unmasked(actor)
    text = (lambda value: value) if unmasked else mask_text
    return render(
        request,
        "fund/detail.html",
        {
            **_row(finding, unmasked),
            "partner_evidence": [e for e in finding.evidence if e.kind in PARTNER_KINDS],
            "roll_evidence": [e for e in finding.evidence if e.kind not in PARTNER_KINDS],
            "text": text,
            "evidence_labels": EVIDENCE_LABELS,
            "steps": finding.explanation,
            "history": history,
            "actor_label": _actor_label,
            "actions": _open_actions(actor, finding),
            "fine": _fine(services, finding),
            "survivors": survivor_offset(uow, services.guard, finding)
            if FindingAction.RECOVER in _open_actions(actor, finding)
            else None,
            "recovery": finding.recovery,
            "error": error,
            "form": form,
        },
        status_code=status_code,
    )


def _actor_label(username: str) -> str:
    return _ACTOR_LABELS.get(username, username)


def _open_actions(actor: Actor, finding: StoredFinding) -> list[FindingAction]:
    if not has_permission(actor, Permission.FUND_DECIDE):
        return []
    return [action for action, (_, allowed) in TRANSITIONS.items() if finding.status in allowed]


def _fine(services: Services, finding: StoredFinding) -> Any:
    """The 2–5× fine range a fraud finding would carry (社会保险法第八十八条)."""
    if finding.owed_to_person or finding.amount <= 0:
        return None
    return fraud_fine_range(finding.amount, on=services.clock.today(), params=services.parameters)


@router.post("/fund/findings/{finding_id}/decide")
def fund_decide(
    request: Request,
    finding_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    action: Annotated[str, Form(max_length=16)] = "",
    expected: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=_TEXT)] = "",
    survivor_offset: Annotated[str, Form(max_length=20)] = "",
    fraud: Annotated[str, Form(max_length=8)] = "",
    instalments: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    form = {
        "action": action,
        "reason": reason,
        "survivor_offset": survivor_offset,
        "fraud": fraud,
        "instalments": instalments,
    }
    try:
        chosen = _action(action)
        decide_finding(
            uow,
            actor=actor,
            finding_id=finding_id,
            action=chosen,
            reason=reason,
            params=services.parameters,
            terms=_terms(survivor_offset, fraud, instalments)
            if chosen is FindingAction.RECOVER
            else None,
            expected=_expected(expected),
        )
    except _DECISION_ERRORS as error:
        uow.rollback()
        status_code = 409 if isinstance(error, ConflictError) else 422
        return _detail(
            request,
            actor,
            uow,
            services,
            finding_id,
            error=error.message,
            form=form,
            status_code=status_code,
        )
    return RedirectResponse(f"/fund/findings/{finding_id}", status_code=303)


def _action(raw: str) -> FindingAction:
    try:
        return FindingAction(raw)
    except ValueError:
        raise InvalidInputError("未知的处理操作", field="action") from None


def _expected(raw: str) -> FindingStatus | None:
    """The status the page showed when the form was drawn (None: not given)."""
    try:
        return FindingStatus(raw) if raw else None
    except ValueError:
        raise InvalidInputError("页面状态无效，请刷新后再办理", field="expected") from None


def _terms(survivor_offset: str, fraud: str, instalments: str) -> RecoveryTerms:
    try:
        offset = Decimal(survivor_offset.strip() or "0")
    except InvalidOperation:
        raise InvalidInputError(
            "遗属待遇抵扣金额应为金额，如 1200.00", field="survivor_offset"
        ) from None
    if not offset.is_finite():
        raise InvalidInputError("遗属待遇抵扣金额应为金额，如 1200.00", field="survivor_offset")
    count = instalments.strip() or "1"
    if not count.isdigit():
        raise InvalidInputError("分期数应为1至60期", field="instalments")
    return RecoveryTerms(survivor_offset=offset, fraud=bool(fraud), instalments=int(count))


# -- reports ------------------------------------------------------------------------------


# The report's two formats: the renderer and the media type.
_EXPORTS = {
    "xlsx": (fund_report_xlsx, XLSX_MEDIA_TYPE),
    "pdf": (fund_report_pdf, "application/pdf"),
}


@router.get("/fund/report.{export_format}")
def fund_report_file(
    export_format: Literal["xlsx", "pdf"],
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    check: Annotated[str, Query(max_length=32)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    band: Annotated[str, Query(max_length=16)] = "",
    id_number: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    where = finding_filter(services, check=check, status=status, band=band, id_number=id_number)
    report = build_report(uow, actor=actor, where=where, export_format=export_format)
    render_file, media_type = _EXPORTS[export_format]
    return _download(render_file(report), media_type, report_filename(report, export_format))


def _download(data: bytes, media_type: str, filename: str) -> Response:
    # RFC 6266 / 5987: the 中文 file name for browsers, an ASCII one for the rest.
    ascii_name = "fund-report." + filename.rsplit(".", 1)[1]
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})
