"""Lending and remote viewing (调阅): request → approval → a time-limited, watermarked view.

A request names its purpose and legal basis (《干部人事档案工作条例》 and 《企业职工档案管理
工作规定》 only allow 查阅 for a stated reason, approved by the archive's keeper). It is
decided by an archivist who is not the requester; once approved, the requester may view the
archive's page images until ``view_until`` — then the view expires on its own. Every page view
is ledgered with the request it was made under.

Requests from partner departments arrive through the exchange later, as ``origin='exchange'``
with the partner's reference: the same reference twice is the same request (idempotent).
"""

from dataclasses import replace
from datetime import timedelta

from retirelink.archives.holdings import Archive, LendingRequest, LendingStatus, Material, Page
from retirelink.archives.ports import HoldingsUnitOfWork
from retirelink.clock import CHINA_TZ
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import has_permission, require

MAX_VIEW_HOURS = 72
MAX_TEXT = 500


def request_lending(
    uow: HoldingsUnitOfWork,
    *,
    actor: Actor,
    archive_id: int,
    purpose: str,
    legal_basis: str,
    view_hours: int = 24,
    department: str | None = None,
    origin: str = "internal",
    external_reference: str | None = None,
) -> LendingRequest:
    """File a 调阅 request (committed). A repeated ``external_reference`` returns the first."""
    require(actor, Permission.ARCHIVE_LENDING_REQUEST)
    if external_reference:
        earlier = uow.lending.get_by_reference(external_reference)
        if earlier is not None:
            return earlier
    archive = _archive(uow, archive_id)
    if not 1 <= view_hours <= MAX_VIEW_HOURS:
        raise InvalidInputError(f"调阅时限应在1到{MAX_VIEW_HOURS}小时之间", field="view_hours")
    request = uow.lending.add(
        LendingRequest(
            id=None,
            archive_id=archive_id,
            requester=actor.username,
            requester_department=department or actor.department_code,
            purpose=_text(purpose, "purpose", "调阅目的"),
            legal_basis=_text(legal_basis, "legal_basis", "调阅依据"),
            origin=origin,
            status=LendingStatus.PENDING,
            requested_at=uow.clock.now(),
            view_hours=view_hours,
            external_reference=external_reference,
        )
    )
    _ledger(uow, actor, archive, LedgerAction.ARCHIVE_LENDING_REQUESTED, request, "申请调阅")
    uow.commit()
    return request


def decide_lending(
    uow: HoldingsUnitOfWork, *, actor: Actor, request_id: int, approve: bool, note: str = ""
) -> LendingRequest:
    """Approve (the view window starts now) or reject; never by the requester."""
    require(actor, Permission.ARCHIVE_LENDING_DECIDE)
    request = _request(uow, request_id)
    if request.status is not LendingStatus.PENDING:
        raise ConflictError(f"该申请当前为“{request.status.label}”，不能再审批")
    if request.requester == actor.username:
        raise PermissionDeniedError("不能审批本人提出的调阅申请")
    if not approve and not note.strip():
        raise InvalidInputError("不予批准时须说明理由", field="note")
    now = uow.clock.now()
    decided = replace(
        request,
        status=LendingStatus.APPROVED if approve else LendingStatus.REJECTED,
        decided_by=actor.username,
        decided_at=now,
        decision_note=note.strip()[:MAX_TEXT],
        view_until=now + timedelta(hours=request.view_hours) if approve else None,
    )
    uow.lending.update(decided)
    archive = _archive(uow, request.archive_id)
    _ledger(
        uow, actor, archive, LedgerAction.ARCHIVE_LENDING_DECIDED, decided, decided.status.label
    )
    uow.commit()
    return decided


def revoke_lending(
    uow: HoldingsUnitOfWork, *, actor: Actor, request_id: int, note: str
) -> LendingRequest:
    """End an approved view window early (a mistake, a complaint)."""
    require(actor, Permission.ARCHIVE_LENDING_DECIDE)
    request = _request(uow, request_id)
    if request.status is not LendingStatus.APPROVED:
        raise ConflictError("只有已批准的调阅可以撤销")
    revoked = replace(
        request, status=LendingStatus.REVOKED, decision_note=_text(note, "note", "撤销理由")
    )
    uow.lending.update(revoked)
    archive = _archive(uow, request.archive_id)
    _ledger(uow, actor, archive, LedgerAction.ARCHIVE_LENDING_DECIDED, revoked, "撤销调阅")
    uow.commit()
    return revoked


def view_page(
    uow: HoldingsUnitOfWork, *, actor: Actor, page_id: int, request_id: int | None
) -> tuple[Page, str]:
    """Authorise one page view and ledger it (committed); returns the page and the watermark
    text (viewer and time) the image must carry.

    Archive staff (who may read archives) view directly; anyone else needs an approved,
    unexpired 调阅 request of their own for the page's archive.
    """
    page = uow.pages.get(page_id)
    material = uow.materials.get(page.material_id) if page else None
    if page is None or material is None:
        raise NotFoundError("页面不存在")
    archive = _archive(uow, material.archive_id)
    now = uow.clock.now()
    basis = "档案管理查阅"
    if request_id is not None or not has_permission(actor, Permission.ARCHIVE_READ):
        request = _request(uow, request_id) if request_id is not None else None
        if request is None or request.requester != actor.username:
            raise PermissionDeniedError("查看档案页面须有本人已批准的调阅申请")
        if request.archive_id != archive.id:
            raise PermissionDeniedError("该调阅申请不包括这份档案")
        if not request.viewable_at(now):
            raise PermissionDeniedError("调阅申请未批准或已过期")
        basis = f"调阅申请{request.id}：{request.purpose}"
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.ARCHIVE_PAGE_VIEW,
        subject=uow.ledger.subject("archive", archive.archive_number),
        purpose=basis,
        after={"page": page_id, "material": material.id, "page_number": page.page_number},
    )
    uow.commit()
    local = now.astimezone(CHINA_TZ)
    return page, f"{actor.display_name}（{actor.username}）{local:%Y-%m-%d %H:%M} 调阅"


def _archive(uow: HoldingsUnitOfWork, archive_id: int) -> Archive:
    archive = uow.archives.get(archive_id)
    if archive is None:
        raise NotFoundError("档案不存在")
    return archive


def _request(uow: HoldingsUnitOfWork, request_id: int) -> LendingRequest:
    request = uow.lending.get(request_id)
    if request is None:
        raise NotFoundError("调阅申请不存在")
    return request


def _text(value: str, field: str, label: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInputError(f"{label}不能为空", field=field)
    if len(cleaned) > MAX_TEXT:
        raise InvalidInputError(f"{label}不能超过{MAX_TEXT}个字", field=field)
    return cleaned


def _ledger(
    uow: HoldingsUnitOfWork,
    actor: Actor,
    archive: Archive,
    action: LedgerAction,
    request: LendingRequest,
    note: str,
) -> None:
    uow.ledger.record(
        actor=actor,
        action=action,
        subject=uow.ledger.subject("archive", archive.archive_number),
        purpose=f"调阅申请{request.id}：{note}；目的：{request.purpose}；依据：{request.legal_basis}",
        after={"request": request.id, "status": request.status.value},
    )


def lending_catalogue(
    uow: HoldingsUnitOfWork, *, actor: Actor, request_id: int
) -> tuple[LendingRequest, Archive, list[tuple[Material, list[Page]]]]:
    """What an approved, unexpired request of the actor's own opens: the archive's materials
    and pages (the images themselves go through ``view_page``, one ledger entry each)."""
    request = _request(uow, request_id)
    if request.requester != actor.username:
        raise PermissionDeniedError("只能查看本人的调阅申请")
    if not request.viewable_at(uow.clock.now()):
        raise PermissionDeniedError("调阅申请未批准或已过期")
    archive = _archive(uow, request.archive_id)
    assert archive.id is not None
    materials = [
        (material, uow.pages.for_material(material.id or 0))
        for material in uow.materials.for_archive(archive.id)
    ]
    return request, archive, materials


def lending_lists(
    uow: HoldingsUnitOfWork, *, actor: Actor
) -> tuple[list[LendingRequest], list[LendingRequest]]:
    """The actor's own requests, and (for those who decide) the requests waiting for them."""
    mine = uow.lending.recent(requester=actor.username, status=None, limit=100)
    waiting: list[LendingRequest] = []
    if has_permission(actor, Permission.ARCHIVE_LENDING_DECIDE):
        waiting = uow.lending.recent(requester=None, status=LendingStatus.PENDING.value, limit=100)
    return mine, waiting


def find_archive_for_request(uow: HoldingsUnitOfWork, archive_number: str) -> Archive:
    archive = uow.archives.get_by_number(archive_number.strip())
    if archive is None:
        raise NotFoundError(f"档案号{archive_number.strip()}不存在", field="archive_number")
    return archive
