"""A department's change feed for one item: an append-only sequence numbered 1, 2, 3, …

The number (``seq``) is the watermark the platform keeps between pulls. Records are never
changed or removed, so "strictly after ``after``" is a slice; appending is how a test (or the
demo) makes the partner publish something new after the first sync.
"""

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from retirelink.errors import InvalidInputError

MAX_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class FeedRecord:
    seq: int
    fields: Mapping[str, str]

    def to_dict(self) -> dict[str, int | str]:
        return {"seq": self.seq, **self.fields}


@dataclass(frozen=True, slots=True)
class FeedPage:
    records: tuple[FeedRecord, ...]
    next_after: int  # the last seq returned, or ``after`` again when the page is empty
    has_more: bool


class Feed:
    """Thread-safe: the HTTP servers read it while a test appends to it."""

    def __init__(self, item: str, fields: Sequence[str], records: Iterable[Mapping[str, str]]):
        self.item = item
        self.fields = tuple(fields)
        self._records: list[FeedRecord] = []
        self._lock = threading.Lock()
        self.append(records)

    def __len__(self) -> int:
        return len(self._records)

    def records(self) -> tuple[FeedRecord, ...]:
        with self._lock:
            return tuple(self._records)

    def append(self, records: Iterable[Mapping[str, str]]) -> list[int]:
        """Add records at the end; returns their seq numbers. Fields must match exactly."""
        added = [self._checked(record) for record in records]
        with self._lock:
            start = len(self._records) + 1
            self._records.extend(
                FeedRecord(start + offset, fields) for offset, fields in enumerate(added)
            )
        return list(range(start, start + len(added)))

    def _checked(self, record: Mapping[str, str]) -> Mapping[str, str]:
        if set(record) != set(self.fields):
            raise InvalidInputError(
                f"{self.item} 的记录字段应为 {', '.join(self.fields)}，实为 {', '.join(record)}"
            )
        return MappingProxyType({name: str(record[name]) for name in self.fields})

    def page(self, after: int, limit: int) -> FeedPage:
        """At most ``limit`` records with ``seq > after``, in seq order."""
        if after < 0:
            raise InvalidInputError("游标 after 不能为负数", field="after")
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInputError(f"每页条数 limit 应在 1 到 {MAX_LIMIT} 之间", field="limit")
        with self._lock:
            chosen = tuple(self._records[after : after + limit])  # seq n sits at index n - 1
            has_more = after + len(chosen) < len(self._records)
        next_after = chosen[-1].seq if chosen else after
        return FeedPage(chosen, next_after, has_more)
