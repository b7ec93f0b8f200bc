"""Exchange API for signed-in users: the verification services and the transfer list."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from retirelink.exchange.identity_checks import check_identity
from retirelink.exchange.model import Transport
from retirelink.exchange.services import recent_jobs
from retirelink.exchange.status_checks import check_alive_and_free
from retirelink.security.masking import mask_id_number, may_see_unmasked
from retirelink.web.api.partner import status_check_json
from retirelink.web.deps import CurrentActor, ServicesDep, UnitOfWorkDep
from retirelink.web.schemas import IdentityCheckRequest, StatusCheckRequest

router = APIRouter(prefix="/api/v1/exchange", tags=["数据共享"])


@router.post(
    "/verifications/alive-and-free",
    summary="生存与服刑状态核验（依据公安、卫健、民政、司法共享数据，附依据，留痕）",
)
def api_alive_and_free(
    body: StatusCheckRequest, actor: CurrentActor, uow: UnitOfWorkDep
) -> dict[str, Any]:
    check = check_alive_and_free(
        uow, actor=actor, id_number=body.id_number, on=body.on, purpose=body.purpose
    )
    shown = check.id_number if may_see_unmasked(actor) else mask_id_number(check.id_number)
    return status_check_json(check, id_number=shown)


@router.post(
    "/verifications/identity",
    summary="户籍身份核验（实时询问公安：是否登记、姓名是否一致、户籍状态，附公安记录，留痕）",
)
def api_identity(
    body: IdentityCheckRequest, actor: CurrentActor, uow: UnitOfWorkDep, services: ServicesDep
) -> dict[str, Any]:
    check = check_identity(
        uow,
        actor=actor,
        gateway=services.gateway,
        registry=services.partners.current(),
        id_number=body.id_number,
        name=body.name,
        purpose=body.purpose,
    )
    record = check.record
    return {
        "id_number": check.id_number
        if may_see_unmasked(actor)
        else mask_id_number(check.id_number),
        "found": check.found,
        "name_matches": check.name_matches,
        "status": record.status if record else None,
        "status_label": record.status_label if record else None,
        "status_date": record.status_date.isoformat() if record and record.status_date else None,
        "differences": list(check.differences),
        "summary": check.summary_zh,
    }


@router.get("/jobs", summary="最近的数据交换作业（文件、接口、库表同步）及其计数")
def api_jobs(
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    transport: Annotated[Transport | None, Query(description="传输方式")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    jobs = recent_jobs(uow, actor=actor, limit=limit, transport=transport)
    return [
        {
            "id": job.id,
            "transport": job.transport.value,
            "department": job.department,
            "item_code": job.item_code,
            "reference": job.reference,
            "status": job.status.value,
            "status_label": job.status.label,
            "rows_total": job.rows_total,
            "rows_applied": job.rows_applied,
            "rows_flagged": job.rows_flagged,
            "issue_count": job.issue_count,
            "payload_digest": job.payload_digest,
            "received_at": job.received_at.isoformat(),
        }
        for job in jobs
    ]
