"""Retention periods of social-insurance business archives.

Source: 《社会保险业务档案管理规定（试行）》(人社部、国家档案局令第3号, 2009-09-01): periods are
永久 or 10/30/50/100 years, counted from 1 January of the year after formation.
"""

from datetime import date

import pytest

from retirelink.archives.retention import (
    BusinessStage,
    BusinessVolume,
    Insurance,
    Retention,
    VolumeStatus,
    retention_ends,
)


@pytest.mark.parametrize(
    ("formed", "retention", "ends"),
    [
        # Formed any day of 2010 → counted from 2011-01-01 → 10 years end 2020-12-31.
        (date(2010, 1, 1), Retention.YEARS_10, date(2020, 12, 31)),
        (date(2010, 12, 31), Retention.YEARS_10, date(2020, 12, 31)),
        (date(1995, 6, 30), Retention.YEARS_30, date(2025, 12, 31)),
        (date(1990, 3, 1), Retention.YEARS_100, date(2090, 12, 31)),
        (date(1990, 3, 1), Retention.PERMANENT, None),
    ],
)
def test_period_counts_from_the_first_of_january_after_formation(
    formed: date, retention: Retention, ends: date | None
) -> None:
    assert retention_ends(formed, retention) == ends


def _volume(formed: date, retention: Retention, status: VolumeStatus = VolumeStatus.KEPT):
    return BusinessVolume(
        None,
        "130406-2010-养老-0001",
        "月报",
        formed.year,
        Insurance.PENSION,
        BusinessStage.STATISTICS,
        retention,
        formed,
        "B-01",
        status,
    )


def test_due_the_day_after_the_last_day_and_not_before() -> None:
    volume = _volume(date(2010, 5, 20), Retention.YEARS_10)
    assert not volume.due_for_appraisal(date(2020, 12, 31))
    assert volume.due_for_appraisal(date(2021, 1, 1))


def test_permanent_and_appraised_volumes_are_never_due() -> None:
    assert not _volume(date(1950, 1, 1), Retention.PERMANENT).due_for_appraisal(date(2026, 1, 1))
    kept = _volume(date(1990, 1, 1), Retention.YEARS_10, VolumeStatus.APPRAISED_KEEP)
    assert not kept.due_for_appraisal(date(2026, 1, 1))
