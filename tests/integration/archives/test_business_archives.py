"""Business archives: filing, the due-for-appraisal list (SQL agrees with the rule), appraisal."""

from datetime import date

import pytest

from retirelink.archives.business_archives import appraise_volume, due_for_appraisal, file_volume
from retirelink.archives.retention import BusinessStage, Insurance, Retention, VolumeStatus
from retirelink.bootstrap import Services
from retirelink.errors import ConflictError, InvalidInputError
from tests.support.builders import actor_for


def _file(services: Services, reference: str, formed: date, retention: Retention) -> int:
    with services.uow() as uow:
        volume = file_volume(
            uow,
            actor=actor_for(services, "archivist"),
            reference=reference,
            title="养老保险待遇核定材料",
            insurance=Insurance.PENSION,
            stage=BusinessStage.BENEFIT_APPROVAL,
            retention=retention,
            formed_on=formed,
        )
    assert volume.id is not None
    return volume.id


def test_due_list_holds_exactly_the_volumes_whose_period_has_run(seeded: Services) -> None:
    # Test clock: 2026-11-23. 10 years from a 2015 formation end 2025-12-31 → due;
    # from 2016 they end 2026-12-31 → not yet.
    due_id = _file(seeded, "130406-2015-养老-10Y-0001", date(2015, 12, 31), Retention.YEARS_10)
    _file(seeded, "130406-2016-养老-10Y-0001", date(2016, 1, 1), Retention.YEARS_10)
    old_30 = _file(seeded, "130406-1990-养老-30Y-0001", date(1990, 6, 1), Retention.YEARS_30)
    _file(seeded, "130406-1996-养老-30Y-0001", date(1996, 6, 1), Retention.YEARS_30)
    _file(seeded, "130406-1950-养老-永久-0001", date(1950, 1, 1), Retention.PERMANENT)
    archivist = actor_for(seeded, "archivist")
    with seeded.uow() as uow:
        due = due_for_appraisal(uow, actor=archivist)
    assert [volume.id for volume in due] == [old_30, due_id]
    assert all(volume.due_for_appraisal(seeded.clock.today()) for volume in due)


def test_appraisal_keeps_or_destroys_and_leaves_the_due_list(seeded: Services) -> None:
    volume_id = _file(seeded, "130406-2000-养老-10Y-0002", date(2000, 3, 1), Retention.YEARS_10)
    archivist = actor_for(seeded, "archivist")
    with seeded.uow() as uow, pytest.raises(InvalidInputError, match="鉴定意见"):
        appraise_volume(uow, actor=archivist, volume_id=volume_id, destroy=True, note=" ")
    with seeded.uow() as uow:
        kept = appraise_volume(
            uow,
            actor=archivist,
            volume_id=volume_id,
            destroy=False,
            note="仍有追溯价值，延长保管",
            extend_to=Retention.YEARS_30,
        )
    assert kept.status is VolumeStatus.APPRAISED_KEEP and kept.retention is Retention.YEARS_30
    with seeded.uow() as uow:
        assert due_for_appraisal(uow, actor=archivist) == []
        with pytest.raises(ConflictError):
            appraise_volume(uow, actor=archivist, volume_id=volume_id, destroy=True, note="x")


def test_duplicate_reference_and_future_dates_are_refused(seeded: Services) -> None:
    _file(seeded, "130406-2020-养老-30Y-0001", date(2020, 1, 1), Retention.YEARS_30)
    with pytest.raises(ConflictError, match="已存在"):
        _file(seeded, "130406-2020-养老-30Y-0001", date(2020, 1, 1), Retention.YEARS_30)
    with pytest.raises(InvalidInputError, match="晚于今天"):
        _file(seeded, "130406-2030-养老-30Y-0001", date(2030, 1, 1), Retention.YEARS_30)
