"""A partner's change feed over its signed HTTP API: ``GET /api/changes`` (docs/exchange.md).

:class:`HttpDepartmentSource` is the ``DepartmentSource`` over that endpoint, built on a
:class:`PartnerHttpClient` (retries, breaker, signing). The answer is checked whole before
anything is used: the item is the one asked for, at most ``limit`` records, each an object
with an integer ``seq`` strictly increasing and strictly after the cursor, every other value
a string or ``null``; ``next_after`` is an integer cursor (or a string of digits) not behind
the last record; ``has_more`` is a boolean. A ``null`` value becomes a missing field, the
same as an empty cell in a file (``exchange/mapping.py`` treats both as "not given"). A
wrong shape counts as a malformed answer: retried once, held against the partner's breaker.
"""

from collections.abc import Mapping
from functools import partial
from typing import Any

from retirelink.errors import InvalidInputError, PartnerResponseError
from retirelink.exchange.digests import batch_digest
from retirelink.exchange.model import ChangeBatch, SourceRecord
from retirelink.exchange.sources.partner_client import PartnerHttpClient
from retirelink.exchange.sources.watermarks import parse_watermark, watermark_value

CHANGES_PATH = "/api/changes"
ANSWER_KEYS = ("item", "records", "next_after", "has_more")
SEQ = "seq"


def _as_cursor(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return watermark_value(value)
        except InvalidInputError:
            return None
    return None


def _record(raw: object, number: int, floor: int | None) -> SourceRecord:
    if not isinstance(raw, dict):
        raise PartnerResponseError(f"第 {number} 条记录不是 JSON 对象")
    seq = raw.get(SEQ)
    if isinstance(seq, bool) or not isinstance(seq, int):
        raise PartnerResponseError(f"第 {number} 条记录的 seq 缺失或不是整数")
    if floor is not None and seq <= floor:
        raise PartnerResponseError(
            f"第 {number} 条记录的 seq {seq} 未按顺序排列或不在游标 {floor} 之后"
        )
    fields: dict[str, str] = {}
    for name, value in raw.items():
        if name == SEQ or value is None:
            continue
        if not isinstance(value, str):
            raise PartnerResponseError(f"第 {number} 条记录的字段 {name} 应为字符串或 null")
        fields[name] = value
    return SourceRecord(fields=fields, position=str(seq))


def _records(raw: object, after: int | None, limit: int) -> tuple[SourceRecord, ...]:
    if not isinstance(raw, list):
        raise PartnerResponseError("records 应为数组")
    if len(raw) > limit:
        raise PartnerResponseError(f"返回 {len(raw)} 条记录，超过请求的上限 {limit} 条")
    records: list[SourceRecord] = []
    floor = after
    for number, item in enumerate(raw, start=1):
        record = _record(item, number, floor)
        floor = int(record.position)
        records.append(record)
    return tuple(records)


def _next_after(raw: object, after: int | None, last: int | None) -> int | None:
    if raw is None:
        if last is not None:
            raise PartnerResponseError("返回了记录但 next_after 为空")
        return after
    cursor = _as_cursor(raw)
    if cursor is None:
        raise PartnerResponseError(f"next_after 应为整数序号，实际为 {raw!r}")
    floor = max(x for x in (after, last, cursor) if x is not None)
    if cursor < floor:
        raise PartnerResponseError(f"next_after {cursor} 落后于已返回的序号 {floor}")
    return cursor


def parse_changes(
    data: Mapping[str, Any], *, source: str, item: str, after: str | None, limit: int
) -> ChangeBatch:
    """The batch in ``data``; raises ``PartnerResponseError`` (中文) on the first problem."""
    if data.get("item") != item:
        raise PartnerResponseError(f"返回的数据项“{data.get('item')}”与请求的“{item}”不符")
    start = parse_watermark(after)
    records = _records(data.get("records"), start, limit)
    last = int(records[-1].position) if records else None
    cursor = _next_after(data.get("next_after"), start, last)
    has_more = data.get("has_more")
    if not isinstance(has_more, bool):
        raise PartnerResponseError("has_more 应为布尔值")
    if has_more and not records and cursor == start:
        raise PartnerResponseError("has_more 为真，但既无记录返回、游标也未前进")
    return ChangeBatch(
        source=source,
        after=after,
        records=records,
        next_after=None if cursor is None else str(cursor),
        has_more=has_more,
        digest=batch_digest(records),
    )


class HttpDepartmentSource:
    """A partner's change feed for one catalogue item over ``GET /api/changes``."""

    def __init__(
        self,
        client: PartnerHttpClient,
        item: str,
        *,
        name: str,
        purpose: str,
        count_page_size: int = 1000,
    ) -> None:
        if count_page_size < 1:
            raise ValueError("count_page_size must be positive")
        self._client = client
        self._item = item
        self._name = name
        self._purpose = purpose
        self._count_page_size = count_page_size

    @property
    def name(self) -> str:
        return self._name

    def fetch_changes(self, after: str | None, *, limit: int) -> ChangeBatch:
        if limit < 1:
            raise ValueError("limit must be positive")
        start = parse_watermark(after)  # refuse a corrupt cursor before calling anyone
        params = {"item": self._item, "limit": str(limit)}
        if start is not None:
            params["after"] = str(start)
        parse = partial(parse_changes, source=self._name, item=self._item, after=after, limit=limit)
        return self._client.get_json(
            CHANGES_PATH,
            params,
            item=self._item,
            purpose=self._purpose,
            required=ANSWER_KEYS,
            parse=parse,
        )

    def count_between(self, after: str | None, upto: str) -> int:
        """Counted by paging through the feed: the contract offers no count endpoint.

        One request per ``count_page_size`` records, so this is for reconciling the modest
        ranges a sync has just pulled, not for counting a partner's whole history.
        """
        start, end = parse_watermark(after), watermark_value(upto)
        if start is not None and start >= end:
            return 0
        counted, cursor = 0, after
        while True:
            batch = self.fetch_changes(cursor, limit=self._count_page_size)
            within = [r for r in batch.records if int(r.position) <= end]
            counted += len(within)
            if len(within) < batch.count or not batch.has_more:
                return counted
            cursor = batch.next_after
