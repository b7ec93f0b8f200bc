"""Double review at reception (双链审核): a window check (窗口初审) by a clerk other than the
person who ingested the scans, then a warehousing check (入库复审) by yet another person,
before a batch's pages enter the repository. Either check may return the batch with reasons.

A batch with unreadable files or pages that failed quality checks cannot pass: it goes back
for rescanning. Page-count mismatches are warnings the checker sees and may accept.
"""

from dataclasses import replace

from retirelink.archives.holdings import BatchStatus, IngestBatch, MaterialStatus
from retirelink.archives.ports import HoldingsUnitOfWork
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require

MAX_REASON = 500


def window_check(
    uow: HoldingsUnitOfWork, *, actor: Actor, batch_id: int, passed: bool, reason: str = ""
) -> IngestBatch:
    """窗口初审: pass the batch on to the warehousing check, or return it with a reason."""
    require(actor, Permission.ARCHIVE_WINDOW_CHECK)
    batch = _batch(uow, batch_id, expected=BatchStatus.RECEIVED, step="窗口初审")
    if batch.created_by == actor.username:
        raise PermissionDeniedError("窗口初审须由接收扫描件以外的人员办理")
    now = uow.clock.now()
    if not passed:
        return _return(uow, actor, batch, reason, step="窗口初审")
    _require_clean(batch)
    checked = replace(
        batch,
        status=BatchStatus.WINDOW_CHECKED,
        window_checked_by=actor.username,
        window_checked_at=now,
    )
    uow.ingest_batches.update(checked)
    _ledger(uow, actor, checked, LedgerAction.ARCHIVE_WINDOW_CHECKED, "窗口初审通过")
    uow.commit()
    return checked


def warehouse_check(
    uow: HoldingsUnitOfWork, *, actor: Actor, batch_id: int, passed: bool, reason: str = ""
) -> IngestBatch:
    """入库复审: by someone other than the window checker; accepted materials enter the
    repository."""
    require(actor, Permission.ARCHIVE_WAREHOUSE_CHECK)
    batch = _batch(uow, batch_id, expected=BatchStatus.WINDOW_CHECKED, step="入库复审")
    if batch.window_checked_by == actor.username:
        raise PermissionDeniedError("入库复审须由窗口初审以外的人员办理（双人审核）")
    if not passed:
        return _return(uow, actor, batch, reason, step="入库复审")
    _require_clean(batch)
    now = uow.clock.now()
    warehoused = replace(
        batch, status=BatchStatus.WAREHOUSED, warehoused_by=actor.username, warehoused_at=now
    )
    uow.ingest_batches.update(warehoused)
    for material_id in sorted({page.material_id for page in uow.pages.for_batch(batch_id)}):
        material = uow.materials.get(material_id)
        if material is not None and material.status is not MaterialStatus.IN_REPOSITORY:
            uow.materials.update(replace(material, status=MaterialStatus.IN_REPOSITORY))
    _ledger(uow, actor, warehoused, LedgerAction.ARCHIVE_WAREHOUSED, "入库复审通过")
    uow.commit()
    return warehoused


def _batch(
    uow: HoldingsUnitOfWork, batch_id: int, *, expected: BatchStatus, step: str
) -> IngestBatch:
    batch = uow.ingest_batches.get(batch_id)
    if batch is None:
        raise NotFoundError("扫描批次不存在")
    if batch.status is not expected:
        raise ConflictError(f"该批次当前为“{batch.status.label}”，不能办理{step}")
    return batch


def _require_clean(batch: IngestBatch) -> None:
    if batch.files_failed or batch.pages_with_errors:
        raise ConflictError(
            f"该批次有{batch.files_failed}个文件失败、{batch.pages_with_errors}页质量检查不合格，"
            "不能通过，请退回重扫"
        )


def _return(
    uow: HoldingsUnitOfWork, actor: Actor, batch: IngestBatch, reason: str, *, step: str
) -> IngestBatch:
    cleaned = reason.strip()
    if not cleaned:
        raise InvalidInputError("退回时须填写退回原因", field="reason")
    if len(cleaned) > MAX_REASON:
        raise InvalidInputError(f"退回原因不能超过{MAX_REASON}个字", field="reason")
    returned = replace(batch, status=BatchStatus.RETURNED, return_reason=f"{step}退回：{cleaned}")
    uow.ingest_batches.update(returned)
    _ledger(uow, actor, returned, LedgerAction.ARCHIVE_BATCH_RETURNED, returned.return_reason)
    uow.commit()
    return returned


def _ledger(
    uow: HoldingsUnitOfWork, actor: Actor, batch: IngestBatch, action: LedgerAction, note: str
) -> None:
    archive = uow.archives.get(batch.archive_id)
    number = archive.archive_number if archive else str(batch.archive_id)
    uow.ledger.record(
        actor=actor,
        action=action,
        subject=uow.ledger.subject("archive", number),
        purpose=f"批次{batch.id}：{note}",
        after={"batch": batch.id, "status": batch.status.value},
    )
