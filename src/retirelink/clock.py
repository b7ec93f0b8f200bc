"""The injected clock: the only place that asks the system for the time."""

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

# Legal dates (retirement month, stop month) follow Beijing time, whatever the server's zone.
CHINA_TZ = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    """Source of the current instant; tests use ``FixedClock``."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone(CHINA_TZ).date()


class FixedClock:
    """A clock that moves only when told to; for tests and reproducible demo loads."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def today(self) -> date:
        return self._at.astimezone(CHINA_TZ).date()

    def advance(self, delta: timedelta) -> None:
        self._at += delta
