"""The injected clock: aware instants, Beijing dates."""

from datetime import UTC, date, datetime, timedelta

import pytest

from retirelink.clock import CHINA_TZ, FixedClock, SystemClock


def test_a_fixed_clock_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        FixedClock(datetime(2026, 11, 23, 10, 30))  # noqa: DTZ001 - the naive value under test


def test_a_fixed_clock_returns_the_instant_it_was_given() -> None:
    at = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
    assert FixedClock(at).now() == at


@pytest.mark.parametrize(
    ("utc_time", "beijing_date"),
    [
        (datetime(2026, 11, 23, 17, 30, tzinfo=UTC), date(2026, 11, 24)),
        (datetime(2026, 11, 23, 15, 59, 59, tzinfo=UTC), date(2026, 11, 23)),
        (datetime(2026, 11, 23, 16, 0, tzinfo=UTC), date(2026, 11, 24)),
        (datetime(2026, 12, 31, 16, 0, tzinfo=UTC), date(2027, 1, 1)),
    ],
)
def test_today_is_the_date_in_beijing(utc_time: datetime, beijing_date: date) -> None:
    assert FixedClock(utc_time).today() == beijing_date


def test_today_does_not_depend_on_the_zone_the_instant_was_given_in() -> None:
    instant = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)
    assert FixedClock(instant.astimezone(CHINA_TZ)).today() == FixedClock(instant).today()


def test_advance_moves_now_and_today() -> None:
    clock = FixedClock(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    clock.advance(timedelta(hours=1, minutes=30))
    assert clock.now() == datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
    assert clock.today() == date(2026, 11, 24)


def test_the_system_clock_gives_aware_utc_instants() -> None:
    assert SystemClock().now().utcoffset() == timedelta(0)
