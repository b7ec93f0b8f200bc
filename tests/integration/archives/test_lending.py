"""调阅: request, approval by someone else, a view window that expires, every view ledgered."""

from dataclasses import replace
from datetime import timedelta

import pytest

from retirelink.archives.holdings import (
    Blob,
    ColourMode,
    ImageFormat,
    LendingStatus,
    Page,
)
from retirelink.archives.lending import decide_lending, request_lending, revoke_lending, view_page
from retirelink.archives.material_classes import MaterialType
from retirelink.bootstrap import Services
from retirelink.clock import FixedClock
from retirelink.errors import ConflictError, InvalidInputError, PermissionDeniedError
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import Actor
from tests.integration.archives.conftest import CataloguedArchive
from tests.support.builders import actor_for


def _page(services: Services, catalogued: CataloguedArchive) -> int:
    material = catalogued.materials[MaterialType.RECRUITMENT_REGISTRATION]
    assert material.id is not None
    with services.uow() as uow:
        digest = "a" * 64
        uow.blobs.add_if_new(Blob(digest, "b" * 64, 10, "image/jpeg", uow.clock.now()))
        page = uow.pages.add(
            Page(
                None,
                material.id,
                1,
                digest,
                0,
                ImageFormat.JPEG,
                2480,
                3508,
                300,
                ColourMode.COLOUR,
                None,
                None,
                0.0,
            )
        )
        uow.commit()
    assert page.id is not None
    return page.id


def _approved(services: Services, catalogued: CataloguedArchive, auditor: Actor) -> int:
    assert catalogued.archive.id is not None
    with services.uow() as uow:
        request = request_lending(
            uow,
            actor=auditor,
            archive_id=catalogued.archive.id,
            purpose="核查退休人员出生日期",
            legal_basis="社会保险法第八十八条 基金监督",
            view_hours=2,
        )
    assert request.status is LendingStatus.PENDING and request.id is not None
    with services.uow() as uow:
        decided = decide_lending(
            uow, actor=actor_for(services, "archivist"), request_id=request.id, approve=True
        )
    assert decided.view_until == services.clock.now() + timedelta(hours=2)
    return request.id


def _auditor(services: Services) -> Actor:
    # The fund auditor reads no archives directly: only through an approved 调阅.
    return actor_for(services, "auditor")


def test_approved_request_allows_watermarked_views_until_it_expires(
    seeded: Services, catalogued: CataloguedArchive, clock: FixedClock
) -> None:
    auditor = _auditor(seeded)
    page_id = _page(seeded, catalogued)
    with seeded.uow() as uow, pytest.raises(PermissionDeniedError, match="调阅申请"):
        view_page(uow, actor=auditor, page_id=page_id, request_id=None)
    request_id = _approved(seeded, catalogued, auditor)
    with seeded.uow() as uow:
        page, watermark = view_page(uow, actor=auditor, page_id=page_id, request_id=request_id)
    assert page.id == page_id
    assert "王强" in watermark and "调阅" in watermark
    clock.advance(timedelta(hours=2))
    with seeded.uow() as uow, pytest.raises(PermissionDeniedError, match="已过期"):
        view_page(uow, actor=auditor, page_id=page_id, request_id=request_id)
    with seeded.uow() as uow:
        views = [
            e
            for e in uow.ledger.store.iter_entries()
            if e.action == LedgerAction.ARCHIVE_PAGE_VIEW.value
        ]
    assert len(views) == 1 and f"调阅申请{request_id}" in views[0].purpose


def test_requester_cannot_decide_and_rejection_needs_a_reason(
    seeded: Services, catalogued: CataloguedArchive
) -> None:
    archivist = actor_for(seeded, "archivist")
    reviewer = actor_for(seeded, "reviewer")
    assert catalogued.archive.id is not None
    with seeded.uow() as uow:
        request = request_lending(
            uow,
            actor=reviewer,
            archive_id=catalogued.archive.id,
            purpose="复核",
            legal_basis="退休审批复核",
        )
    assert request.id is not None
    with seeded.uow() as uow, pytest.raises(InvalidInputError, match="理由"):
        decide_lending(uow, actor=archivist, request_id=request.id, approve=False)
    with seeded.uow() as uow:
        rejected = decide_lending(
            uow, actor=archivist, request_id=request.id, approve=False, note="依据不足"
        )
    assert rejected.status is LendingStatus.REJECTED and rejected.view_until is None
    with seeded.uow() as uow, pytest.raises(ConflictError):
        decide_lending(uow, actor=archivist, request_id=request.id, approve=True)


def test_someone_elses_request_does_not_open_the_archive(
    seeded: Services, catalogued: CataloguedArchive
) -> None:
    auditor = _auditor(seeded)
    page_id = _page(seeded, catalogued)
    request_id = _approved(seeded, catalogued, auditor)
    leader_like = replace(auditor, username="someone", display_name="他人")
    with seeded.uow() as uow, pytest.raises(PermissionDeniedError):
        view_page(uow, actor=leader_like, page_id=page_id, request_id=request_id)


def test_revoked_request_stops_views(seeded: Services, catalogued: CataloguedArchive) -> None:
    auditor = _auditor(seeded)
    page_id = _page(seeded, catalogued)
    request_id = _approved(seeded, catalogued, auditor)
    with seeded.uow() as uow:
        revoke_lending(
            uow, actor=actor_for(seeded, "archivist"), request_id=request_id, note="用途已完成"
        )
    with seeded.uow() as uow, pytest.raises(PermissionDeniedError):
        view_page(uow, actor=auditor, page_id=page_id, request_id=request_id)


def test_exchange_reference_makes_requests_idempotent(
    seeded: Services, catalogued: CataloguedArchive
) -> None:
    auditor = _auditor(seeded)
    assert catalogued.archive.id is not None
    first = second = None
    for _ in range(2):
        with seeded.uow() as uow:
            made = request_lending(
                uow,
                actor=auditor,
                archive_id=catalogued.archive.id,
                purpose="跨部门调阅",
                legal_basis="共享目录 档案调阅",
                origin="exchange",
                external_reference="DANGAN-130406:REQ-1",
            )
        first, second = (made, second) if first is None else (first, made)
    assert first is not None and second is not None and first.id == second.id


def test_bad_view_hours_are_refused(seeded: Services, catalogued: CataloguedArchive) -> None:
    assert catalogued.archive.id is not None
    with seeded.uow() as uow, pytest.raises(InvalidInputError, match="调阅时限"):
        request_lending(
            uow,
            actor=_auditor(seeded),
            archive_id=catalogued.archive.id,
            purpose="x",
            legal_basis="y",
            view_hours=500,
        )
