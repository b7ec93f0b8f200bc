"""数据异议: contradictions found in shared data, the evidence side by side, and the form
that records how the source department answered."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from retirelink.bootstrap import Services
from retirelink.errors import InvalidInputError
from retirelink.exchange.catalogue import Catalogue
from retirelink.exchange.model import Dispute, DisputeStatus
from retirelink.exchange.overview import get_dispute, list_disputes, resolve_dispute
from retirelink.security.masking import mask_id_number, may_see_unmasked
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import has_permission
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork
from retirelink.web.deps import CurrentActor, ServicesDep, UnitOfWorkDep
from retirelink.web.pages.exchange_shared import choice, choices, item_names
from retirelink.web.templating import beijing_time, department_label, render

router = APIRouter(include_in_schema=False)

# Longer than the use case allows, so an over-long text reaches it and gets its 中文 message
# instead of a bare form-validation error.
_RESOLUTION_FORM_LIMIT = 2000
# The rows of the evidence table: (key in the evidence dict, 中文 heading).
EVIDENCE_ROWS = (
    ("department", "报送部门"),
    ("item", "数据项"),
    ("event_date", "事件日期"),
    ("received_at", "接收时间"),
    ("reference", "记录标识"),
)
# The contested fact; departments, items and references differ by the nature of a dispute.
_CONTESTED = frozenset({"event_date"})


@router.get("/exchange/disputes")
def exchange_disputes(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    status: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    wanted = choice(DisputeStatus, status, field="status", what="异议状态")
    disputes = list_disputes(uow, actor=actor, status=wanted)
    return render(
        request,
        "exchange/disputes.html",
        {
            "tab": "disputes",
            "disputes": disputes,
            "id_numbers": _shown_ids(disputes, actor),
            "item_names": item_names(services.catalogue),
            "statuses": choices(DisputeStatus),
            "status": status,
        },
    )


@router.get("/exchange/disputes/{dispute_id}")
def exchange_dispute(
    request: Request,
    dispute_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    resolved: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    dispute = get_dispute(uow, actor=actor, dispute_id=dispute_id)
    notice = "已记录处理结果，该数据异议已办结。" if resolved else None
    return _detail(request, actor, dispute, services.catalogue, notice=notice)


@router.post("/exchange/disputes/{dispute_id}/resolve")
def exchange_dispute_resolve(
    request: Request,
    dispute_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    resolution: Annotated[str, Form(max_length=_RESOLUTION_FORM_LIMIT)] = "",
) -> Response:
    try:
        resolve_dispute(uow, actor=actor, dispute_id=dispute_id, resolution=resolution)
    except InvalidInputError as error:
        return _rejected_form(request, actor, uow, services, dispute_id, resolution, error)
    return RedirectResponse(f"/exchange/disputes/{dispute_id}?resolved=1", status_code=303)


def _rejected_form(
    request: Request,
    actor: Actor,
    uow: SqlAlchemyUnitOfWork,
    services: Services,
    dispute_id: int,
    resolution: str,
    error: InvalidInputError,
) -> Response:
    """The page again with the 中文 message and what was typed. The dispute is unchanged;
    showing it again is a read like any other, so it is ledgered as one."""
    uow.rollback()
    dispute = get_dispute(uow, actor=actor, dispute_id=dispute_id)
    return _detail(
        request,
        actor,
        dispute,
        services.catalogue,
        error=error.message,
        resolution=resolution,
        status=422,
    )


def _detail(
    request: Request,
    actor: Actor,
    dispute: Dispute,
    catalogue: Catalogue,
    *,
    notice: str | None = None,
    error: str | None = None,
    resolution: str = "",
    status: int = 200,
) -> Response:
    names = item_names(catalogue)
    return render(
        request,
        "exchange/dispute.html",
        {
            "tab": "disputes",
            "dispute": dispute,
            "id_number": _shown_id(dispute.id_number, actor),
            "item_name": names.get(dispute.item_code, dispute.item_code),
            "evidence": evidence_table(dispute, names),
            "can_resolve": has_permission(actor, Permission.EXCHANGE_MANAGE),
            "notice": notice,
            "error": error,
            "resolution": resolution,
        },
        status_code=status,
    )


def evidence_table(dispute: Dispute, names: dict[str, str]) -> list[tuple[str, list[str], bool]]:
    """One row per attribute, one column per notice, so the contradiction reads across a row;
    the flag marks the contested fact (the event dates) where the notices differ on it."""
    rows = []
    for key, heading in EVIDENCE_ROWS:
        values = [_evidence_value(key, entry.get(key, ""), names) for entry in dispute.evidence]
        rows.append((heading, values, key in _CONTESTED and len(set(values)) > 1))
    return rows


def _evidence_value(key: str, raw: str, names: dict[str, str]) -> str:
    if not raw:
        return "—"
    if key == "department":
        return department_label(raw)
    if key == "item":
        return names.get(raw, raw)
    if key == "received_at":
        return _beijing(raw)
    return raw


def _beijing(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return beijing_time(moment) if moment.tzinfo is not None else text


def _shown_id(id_number: str, actor: Actor) -> str:
    return id_number if may_see_unmasked(actor) else mask_id_number(id_number)


def _shown_ids(disputes: list[Dispute], actor: Actor) -> dict[int, str]:
    return {d.id: _shown_id(d.id_number, actor) for d in disputes if d.id is not None}
