"""扫描批次 pages: the review queues, a batch's quality report, and the two reception checks
(窗口初审 by the clerk, 入库复审 by a different reviewer)."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from retirelink.archives.browsing import batch_report, review_queue
from retirelink.archives.holdings import BatchStatus
from retirelink.archives.reception import warehouse_check, window_check
from retirelink.errors import ConflictError, InvalidInputError, PermissionDeniedError
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import has_permission
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork
from retirelink.web.deps import CurrentActor, UnitOfWorkDep
from retirelink.web.templating import render

router = APIRouter(include_in_schema=False)

# Longer than the use case allows, so an over-long reason gets its 中文 message.
_REASON_FORM_LIMIT = 2000


@router.get("/archives/batches")
def batches_index(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    status: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    wanted = _status(status)
    batches = review_queue(uow, actor=actor, status=wanted.value if wanted else None)
    archives = {b.archive_id: uow.archives.get(b.archive_id) for b in batches}
    return render(
        request,
        "archives/batches.html",
        {
            "tab": "batches",
            "batches": batches,
            "archives": archives,
            "statuses": [(s.value, s.label) for s in BatchStatus],
            "status": status,
        },
    )


def _status(text: str) -> BatchStatus | None:
    if not text:
        return None
    try:
        return BatchStatus(text)
    except ValueError:
        raise InvalidInputError(f"未知的批次状态“{text}”", field="status") from None


@router.get("/archives/batches/{batch_id}")
def batch_page(
    request: Request, batch_id: int, actor: CurrentActor, uow: UnitOfWorkDep
) -> Response:
    return _batch_page(request, actor, uow, batch_id, error=None)


def _batch_page(
    request: Request,
    actor: Actor,
    uow: SqlAlchemyUnitOfWork,
    batch_id: int,
    *,
    error: str | None,
    status_code: int = 200,
) -> Response:
    report = batch_report(uow, actor=actor, batch_id=batch_id)
    batch = report.batch
    can_window = (
        batch.status is BatchStatus.RECEIVED
        and has_permission(actor, Permission.ARCHIVE_WINDOW_CHECK)
        and batch.created_by != actor.username
    )
    can_warehouse = (
        batch.status is BatchStatus.WINDOW_CHECKED
        and has_permission(actor, Permission.ARCHIVE_WAREHOUSE_CHECK)
        and batch.window_checked_by != actor.username
    )
    return render(
        request,
        "archives/batch.html",
        {
            "tab": "batches",
            "report": report,
            "can_window": can_window,
            "can_warehouse": can_warehouse,
            "blocked": bool(batch.files_failed or batch.pages_with_errors),
            "error": error,
        },
        status_code=status_code,
    )


@router.post("/archives/batches/{batch_id}/window")
def batch_window_check(
    request: Request,
    batch_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    decision: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=_REASON_FORM_LIMIT)] = "",
) -> Response:
    try:
        window_check(uow, actor=actor, batch_id=batch_id, passed=decision == "pass", reason=reason)
    except (ConflictError, InvalidInputError, PermissionDeniedError) as error:
        return _batch_page(request, actor, uow, batch_id, error=error.message, status_code=422)
    return RedirectResponse(f"/archives/batches/{batch_id}", status_code=303)


@router.post("/archives/batches/{batch_id}/warehouse")
def batch_warehouse_check(
    request: Request,
    batch_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    decision: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=_REASON_FORM_LIMIT)] = "",
) -> Response:
    try:
        warehouse_check(
            uow, actor=actor, batch_id=batch_id, passed=decision == "pass", reason=reason
        )
    except (ConflictError, InvalidInputError, PermissionDeniedError) as error:
        return _batch_page(request, actor, uow, batch_id, error=error.message, status_code=422)
    return RedirectResponse(f"/archives/batches/{batch_id}", status_code=303)
