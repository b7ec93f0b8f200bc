"""双链审核: window check by one person, warehousing check by another; failed batches return."""

import pytest

from retirelink.accounts.model import UserAccount
from retirelink.archives.holdings import (
    BatchStatus,
    Blob,
    ColourMode,
    ImageFormat,
    IngestBatch,
    MaterialStatus,
    Page,
)
from retirelink.archives.material_classes import MaterialType
from retirelink.archives.reception import warehouse_check, window_check
from retirelink.bootstrap import Services
from retirelink.errors import ConflictError, InvalidInputError, PermissionDeniedError
from retirelink.security.model import Actor, Role
from tests.integration.archives.conftest import CataloguedArchive
from tests.support.builders import SHEBAO, actor_for


def _batch(services: Services, catalogued: CataloguedArchive, *, failed: int = 0) -> int:
    """A received batch with one page of the 招工登记表 (as ingest leaves it)."""
    material = catalogued.materials[MaterialType.RECRUITMENT_REGISTRATION]
    assert catalogued.archive.id is not None and material.id is not None
    with services.uow() as uow:
        batch = uow.ingest_batches.add(
            IngestBatch(
                None,
                catalogued.archive.id,
                BatchStatus.RECEIVED,
                "archivist",
                uow.clock.now(),
                files_total=1,
                pages_total=1,
                files_failed=failed,
            )
        )
        uow.blobs.add_if_new(Blob("c" * 64, "d" * 64, 10, "image/jpeg", uow.clock.now()))
        uow.pages.add(
            Page(
                None,
                material.id,
                1,
                "c" * 64,
                0,
                ImageFormat.JPEG,
                2480,
                3508,
                300,
                ColourMode.COLOUR,
                None,
                None,
                0.0,
                batch_id=batch.id,
            )
        )
        uow.commit()
    assert batch.id is not None
    return batch.id


def _window_and_warehouse_person(services: Services) -> Actor:
    with services.uow() as uow:
        account = uow.users.add(
            UserAccount(None, "both", "双岗", SHEBAO, frozenset({Role.CLERK, Role.REVIEWER}), "x")
        )
        uow.commit()
    return account.actor()


def test_two_different_people_take_a_batch_into_the_repository(
    seeded: Services, catalogued: CataloguedArchive
) -> None:
    batch_id = _batch(seeded, catalogued)
    with seeded.uow() as uow:
        checked = window_check(
            uow, actor=actor_for(seeded, "clerk"), batch_id=batch_id, passed=True
        )
    assert checked.status is BatchStatus.WINDOW_CHECKED and checked.window_checked_by == "clerk"
    with seeded.uow() as uow:
        done = warehouse_check(
            uow, actor=actor_for(seeded, "reviewer"), batch_id=batch_id, passed=True
        )
    assert done.status is BatchStatus.WAREHOUSED
    material = catalogued.materials[MaterialType.RECRUITMENT_REGISTRATION]
    with seeded.uow() as uow:
        stored = uow.materials.get(material.id or 0)
    assert stored is not None and stored.status is MaterialStatus.IN_REPOSITORY


def test_the_window_checker_cannot_also_warehouse(
    seeded: Services, catalogued: CataloguedArchive
) -> None:
    both = _window_and_warehouse_person(seeded)
    batch_id = _batch(seeded, catalogued)
    with seeded.uow() as uow:
        window_check(uow, actor=both, batch_id=batch_id, passed=True)
    with seeded.uow() as uow, pytest.raises(PermissionDeniedError, match="双人审核"):
        warehouse_check(uow, actor=both, batch_id=batch_id, passed=True)
    with seeded.uow() as uow:
        batch = uow.ingest_batches.get(batch_id)
    assert batch is not None and batch.status is BatchStatus.WINDOW_CHECKED


def test_a_batch_with_failures_cannot_pass_only_return_with_a_reason(
    seeded: Services, catalogued: CataloguedArchive
) -> None:
    batch_id = _batch(seeded, catalogued, failed=1)
    clerk = actor_for(seeded, "clerk")
    with seeded.uow() as uow, pytest.raises(ConflictError, match="退回重扫"):
        window_check(uow, actor=clerk, batch_id=batch_id, passed=True)
    with seeded.uow() as uow, pytest.raises(InvalidInputError, match="退回原因"):
        window_check(uow, actor=clerk, batch_id=batch_id, passed=False, reason="  ")
    with seeded.uow() as uow:
        returned = window_check(
            uow, actor=clerk, batch_id=batch_id, passed=False, reason="第2页分辨率不足"
        )
    assert returned.status is BatchStatus.RETURNED
    assert returned.return_reason == "窗口初审退回：第2页分辨率不足"
    with seeded.uow() as uow, pytest.raises(ConflictError, match="已退回"):
        window_check(uow, actor=clerk, batch_id=batch_id, passed=True)


def test_checks_follow_the_order_and_the_roles(
    seeded: Services, catalogued: CataloguedArchive
) -> None:
    batch_id = _batch(seeded, catalogued)
    with seeded.uow() as uow, pytest.raises(ConflictError, match="待窗口初审"):
        warehouse_check(uow, actor=actor_for(seeded, "reviewer"), batch_id=batch_id, passed=True)
    with seeded.uow() as uow, pytest.raises(PermissionDeniedError):
        window_check(uow, actor=actor_for(seeded, "auditor"), batch_id=batch_id, passed=True)


def test_whoever_ingested_the_batch_cannot_window_check_it(
    seeded: Services, catalogued: CataloguedArchive
) -> None:
    batch_id = _batch(seeded, catalogued)  # created by "archivist"
    with seeded.uow() as uow, pytest.raises(PermissionDeniedError, match="接收扫描件以外"):
        window_check(uow, actor=actor_for(seeded, "archivist"), batch_id=batch_id, passed=True)
