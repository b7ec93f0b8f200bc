from fastapi import APIRouter

from retirelink.ledger.services import verify_and_record
from retirelink.web.deps import CurrentActor, ServicesDep, UnitOfWorkDep
from retirelink.web.schemas import LedgerVerifyPublic

router = APIRouter(prefix="/api/v1/ledger", tags=["审计留痕"])


@router.post("/verify", summary="重新计算哈希链，指出第一处被篡改的条目")
def api_verify_ledger(
    actor: CurrentActor, uow: UnitOfWorkDep, services: ServicesDep
) -> LedgerVerifyPublic:
    with services.uow(read_only=True) as reader:
        report = verify_and_record(reader, uow, actor=actor)
    return LedgerVerifyPublic(
        ok=report.ok,
        entries_checked=report.entries_checked,
        head_seq=report.head_seq,
        broken_seq=report.broken_seq,
        reason=report.broken.reason if report.broken else None,
    )
