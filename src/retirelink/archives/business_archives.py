"""Use cases on social-insurance business archives: file a volume, list what is due for
appraisal, record the appraisal (see retention.py for the law)."""

import re
from dataclasses import replace
from datetime import date

from retirelink.archives.ports import HoldingsUnitOfWork
from retirelink.archives.retention import (
    BusinessStage,
    BusinessVolume,
    Insurance,
    Retention,
    VolumeStatus,
)
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require

_REFERENCE = re.compile(r"[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff-]{0,63}")
MAX_LISTED = 500


def file_volume(
    uow: HoldingsUnitOfWork,
    *,
    actor: Actor,
    reference: str,
    title: str,
    insurance: Insurance,
    stage: BusinessStage,
    retention: Retention,
    formed_on: date,
    location: str = "",
) -> BusinessVolume:
    """File (归档) a business-archive volume under its 档号; committed."""
    require(actor, Permission.ARCHIVE_CATALOGUE)
    cleaned = reference.strip()
    if not _REFERENCE.fullmatch(cleaned):
        raise InvalidInputError("档号只能由汉字、数字、字母和“-”组成，最长64位", field="reference")
    if formed_on > uow.clock.today():
        raise InvalidInputError("形成日期不能晚于今天", field="formed_on")
    if not title.strip():
        raise InvalidInputError("题名不能为空", field="title")
    if uow.business_volumes.get_by_reference(cleaned) is not None:
        raise ConflictError(f"档号{cleaned}已存在", field="reference")
    volume = uow.business_volumes.add(
        BusinessVolume(
            id=None,
            reference=cleaned,
            title=title.strip()[:200],
            year=formed_on.year,
            insurance=insurance,
            stage=stage,
            retention=retention,
            formed_on=formed_on,
            location=location.strip()[:100],
        )
    )
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.ARCHIVE_VOLUME_FILED,
        subject=uow.ledger.subject("business_archive", cleaned),
        purpose=f"业务档案归档（保管期限{retention.label}）",
        after={"reference": cleaned, "retention": retention.value},
    )
    uow.commit()
    return volume


def due_for_appraisal(
    uow: HoldingsUnitOfWork, *, actor: Actor, on: date | None = None
) -> list[BusinessVolume]:
    """Volumes whose retention period has run (到期鉴定清单), oldest first."""
    require(actor, Permission.ARCHIVE_READ)
    return uow.business_volumes.due_for_appraisal(on or uow.clock.today(), limit=MAX_LISTED)


def appraise_volume(
    uow: HoldingsUnitOfWork,
    *,
    actor: Actor,
    volume_id: int,
    destroy: bool,
    note: str,
    extend_to: Retention | None = None,
) -> BusinessVolume:
    """Record an appraisal: destroy (销毁, with the approval named in ``note``) or keep —
    optionally under a longer period."""
    require(actor, Permission.ARCHIVE_CATALOGUE)
    volume = uow.business_volumes.get(volume_id)
    if volume is None:
        raise NotFoundError("业务档案不存在")
    if not volume.due_for_appraisal(uow.clock.today()):
        raise ConflictError("该卷保管期限未满或已鉴定，不能办理鉴定")
    if not note.strip():
        raise InvalidInputError("鉴定意见不能为空（销毁须写明批准文件）", field="note")
    if destroy and extend_to is not None:
        raise InvalidInputError("销毁与延长保管期限不能同时选择")
    if extend_to is not None and (extend_to.years or 10**6) <= (volume.retention.years or 0):
        raise InvalidInputError("延长后的保管期限应长于原期限", field="extend_to")
    appraised = replace(
        volume,
        status=VolumeStatus.DESTROYED if destroy else VolumeStatus.APPRAISED_KEEP,
        retention=extend_to or volume.retention,
        appraised_by=actor.username,
        appraised_at=uow.clock.now(),
        appraisal_note=note.strip()[:500],
    )
    uow.business_volumes.update(appraised)
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.ARCHIVE_VOLUME_APPRAISED,
        subject=uow.ledger.subject("business_archive", volume.reference),
        purpose=f"到期鉴定：{appraised.status.label}；{appraised.appraisal_note}",
        after={"status": appraised.status.value, "retention": appraised.retention.value},
    )
    uow.commit()
    return appraised
