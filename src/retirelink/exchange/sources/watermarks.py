"""Sync cursors: a source's watermark travels as text (``ChangeBatch.next_after``) but is an
integer sequence number for both the HTTP change feed and the shared-table sync."""

import re

from retirelink.errors import InvalidInputError

_INTEGER = re.compile(r"-?[0-9]+")


def watermark_value(value: str) -> int:
    """A cursor as an integer; raises ``InvalidInputError`` (中文) when it is not one."""
    text = value.strip()
    if not (text.isascii() and _INTEGER.fullmatch(text)):
        raise InvalidInputError(f"同步游标“{value}”不是整数序号", field="after")
    return int(text)


def parse_watermark(value: str | None) -> int | None:
    """Our stored cursor as an integer; None means "from the start"."""
    return None if value is None else watermark_value(value)
