"""Sync cursors: a source's watermark travels as text (``ChangeBatch.next_after``, kept in
``sync_cursors.watermark``, at most 100 characters) in one of two forms.

- **Sequence** (the HTTP change feed, and shared tables in the default ``integer`` mode): the
  integer in decimal, ``"1234"``.
- **Timestamp** (shared tables with ``watermark_kind: timestamp``, 更新时间水位): the row's
  change timestamp as a UTC instant — RFC 3339, exactly six fractional digits, ``Z`` — then
  ``#``, then the row's tie-breaking key as text::

      2026-11-01T00:31:00.000000Z#1234

  The timestamp part has a fixed width (27 characters) and holds no ``#``, so the first
  ``#`` ends it even when a text key contains ``#``. An integer key is decimal
  (``-?[0-9]+``); a text key is every character after the ``#`` (possibly none). The same
  text is each record's ``position`` in a batch (``RL-BATCH-1``), so a partner can recompute
  it: its timestamp in UTC, ``#``, its key.

Pure module: no I/O.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from retirelink.clock import CHINA_TZ
from retirelink.errors import InvalidInputError
from retirelink.exchange.model import DEFAULT_SETTLE_SECONDS

_INTEGER = re.compile(r"-?[0-9]+")
_TIMESTAMP_CURSOR = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6})Z#(.*)", re.DOTALL
)
_EXAMPLE = "2026-11-01T00:31:00.000000Z#1234"

# The width of ``sync_cursors.watermark``: a position longer than this cannot be kept.
MAX_CURSOR_LENGTH = 100


def watermark_value(value: str) -> int:
    """A cursor as an integer; raises ``InvalidInputError`` (中文) when it is not one."""
    text = value.strip()
    if not (text.isascii() and _INTEGER.fullmatch(text)):
        raise InvalidInputError(f"同步游标“{value}”不是整数序号", field="after")
    return int(text)


def parse_watermark(value: str | None) -> int | None:
    """Our stored cursor as an integer; None means "from the start"."""
    return None if value is None else watermark_value(value)


TieKey = int | str


@dataclass(frozen=True)
class TimestampOrder:
    """A shared table read by change timestamp (更新时间水位) rather than by sequence.

    ``tiebreak`` is a unique column (usually the primary key) ordering rows that share a
    timestamp; ``settle`` is how old a change must be before it is read (稳定延迟); ``zone`` is
    the partner's declared time zone, which a timestamp without one is taken to be in.
    """

    tiebreak: str
    settle: timedelta = timedelta(seconds=DEFAULT_SETTLE_SECONDS)
    zone: ZoneInfo = CHINA_TZ


@dataclass(frozen=True)
class TimestampCursor:
    """A timestamp watermark: the UTC instant of the last row read and its tie-breaking key."""

    at: datetime
    key: TieKey

    def __str__(self) -> str:
        return format_timestamp_cursor(self.at, self.key)


def partner_instant(value: datetime, zone: ZoneInfo) -> datetime:
    """A partner's timestamp as a UTC instant: one without a zone is in the partner's ``zone``."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=zone)
    return aware.astimezone(UTC)


def format_timestamp_cursor(at: datetime, key: TieKey) -> str:
    """The cursor text of a row (see the module docstring); ``at`` must carry its zone."""
    if at.tzinfo is None:
        raise ValueError("a timestamp cursor needs an aware datetime")
    instant = at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    return f"{instant}Z#{key}"


def parse_timestamp_cursor(value: str, *, key_type: type[int] | type[str]) -> TimestampCursor:
    """Our stored cursor as a timestamp watermark; raises ``InvalidInputError`` (中文)."""
    found = _TIMESTAMP_CURSOR.fullmatch(value)
    at: datetime | None = None
    if found is not None:
        try:
            at = datetime.fromisoformat(found.group(1)).replace(tzinfo=UTC)
        except ValueError:  # a month 13, a 31 November
            at = None
    if found is None or at is None:
        raise InvalidInputError(
            f"同步游标“{value}”不是更新时间水位：应为“UTC时间#比对键”，如“{_EXAMPLE}”"
            "（更换水位方式后请先用 retirelink exchange restart-feed 重置该同步）",
            field="after",
        )
    key = found.group(2)
    if key_type is int:
        if not _INTEGER.fullmatch(key):
            raise InvalidInputError(f"同步游标“{value}”中的比对键“{key}”不是整数", field="after")
        return TimestampCursor(at, int(key))
    return TimestampCursor(at, key)
