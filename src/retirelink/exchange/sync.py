"""Pulling a partner feed — a shared table (库表同步) or a changes API — by watermark.

Each batch is one transfer through ``receiving.receive``: applied whole together with the
cursor move (one transaction, so an interruption resumes exactly after the last committed
batch), or rejected whole, which stops the feed at that batch until the partner fixes it.
A partner that is down or answers garbage leaves the cursor where it was. After a run the
feed is reconciled: the partner's count of records up to our watermark must equal what we
received; a difference (rows committed late behind the watermark, rows deleted) is a
mismatch, ledgered and shown, never silently ignored. (An idle run, which received nothing,
does not recount.)
"""

from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date

from retirelink.errors import PartnerResponseError, RetireLinkError, UnavailableError
from retirelink.exchange.file_schema import PARTNER_EVENT_SCHEMA
from retirelink.exchange.mapping import FieldMapping, FieldRule, MappedKind, day_of
from retirelink.exchange.model import (
    CatalogueItem,
    ChangeBatch,
    ImportOutcome,
    PartnerLink,
    SyncCursor,
    SyncStatus,
    Transport,
)
from retirelink.exchange.ports import DepartmentSource, ExchangeUnitOfWork
from retirelink.exchange.receiving import RowList, RowResult, Transfer, receive
from retirelink.ledger.model import LedgerAction
from retirelink.security.crypto import digest_hex
from retirelink.security.model import SYSTEM_ACTOR, Actor, Permission
from retirelink.security.permissions import require

DEFAULT_BATCH = 10_000
_DEDUPE_KEY_LENGTH = 255  # exchange_jobs.dedupe_key
_COLUMNS = {spec.name: index for index, spec in enumerate(PARTNER_EVENT_SCHEMA.fields)}
_FIELDS = tuple(spec.name for spec in PARTNER_EVENT_SCHEMA.fields)

UnitOfWorkFactory = Callable[[], AbstractContextManager[ExchangeUnitOfWork]]


@dataclass(frozen=True)
class Feed:
    """One partner feed: where it is read from, which item it carries, how it is laid out."""

    source: DepartmentSource
    item: CatalogueItem
    layout: FieldMapping
    link: PartnerLink
    transport: Transport
    prefetch: "Prefetcher | None" = None


@dataclass(frozen=True)
class PreparedBatch:
    """A fetched batch with its rows mapped and validated, ready to apply."""

    after: str | None
    next_after: str | None
    has_more: bool
    digest: str
    rows: tuple[RowResult, ...]

    @property
    def count(self) -> int:
        return len(self.rows)


# Reads and prepares batches elsewhere (a reader process): (after, limit, as of) -> batches.
Prefetcher = Callable[[str | None, int, date], Iterator[PreparedBatch]]


@dataclass(frozen=True)
class SyncReport:
    source: str
    status: SyncStatus
    batches: int
    rows: int
    applied: int
    watermark: str | None
    message: str = ""
    rejected: ImportOutcome | None = None


def sync_feed(
    uow_factory: UnitOfWorkFactory,
    feed: Feed,
    *,
    batch_size: int = DEFAULT_BATCH,
    max_batches: int | None = None,
) -> SyncReport:
    """Pull every change after the stored watermark, batch by batch; see the module docstring."""
    cursor, today = _cursor(uow_factory, feed)
    after, received = cursor.watermark, cursor.rows_received
    batches = rows = applied = 0
    prepared = _prepared_batches(feed, after, batch_size, today)
    try:
        while max_batches is None or batches < max_batches:
            try:
                batch = next(prepared, None)
            except RetireLinkError as error:  # down, garbage, a failed reader process
                return _stopped(uow_factory, feed, after, received, error.message, batches, rows)
            if batch is None or batch.count == 0:
                break
            outcome = _apply(uow_factory, feed, batch, received)
            batches += 1
            if not outcome.applied:
                message = f"第{batches}批（{batch.after or '起点'}之后{batch.count}条）被拒收"
                return _stopped(uow_factory, feed, after, received, message, batches, rows, outcome)
            after, received = batch.next_after, received + batch.count
            fresh = 0 if outcome.duplicate else outcome.job.rows_applied
            rows, applied = rows + batch.count, applied + fresh
            if not batch.has_more:
                break
    finally:
        prepared.close()  # stops a reader process running ahead
    return _reconcile(uow_factory, feed, after, received, batches, rows, applied)


def _prepared_batches(
    feed: Feed, after: str | None, limit: int, as_of: date
) -> Generator[PreparedBatch, None, None]:
    if feed.prefetch is not None:
        yield from feed.prefetch(after, limit, as_of)
    else:
        yield from prepare_batches(feed.source, feed.layout, after, limit, as_of)


def prepare_batches(
    source: DepartmentSource, layout: FieldMapping, after: str | None, limit: int, as_of: date
) -> Iterator[PreparedBatch]:
    """Fetch batch after batch from ``after`` and make each ready to apply (rows mapped from the
    partner's fields and validated). Runs in this process or in a reader process."""
    while True:
        batch = source.fetch_changes(after, limit=limit)
        yield PreparedBatch(
            after=batch.after,
            next_after=batch.next_after,
            has_more=batch.has_more,
            digest=batch.digest,
            rows=tuple(_rows(batch, layout, as_of)),
        )
        if batch.count == 0 or not batch.has_more:
            return
        after = batch.next_after


def _cursor(uow_factory: UnitOfWorkFactory, feed: Feed) -> tuple[SyncCursor, date]:
    """The feed's cursor (a fresh one the first time) and today's date, to check rows on."""
    with uow_factory() as uow:
        found = uow.sync_cursors.get(feed.source.name)
        fresh = SyncCursor(feed.source.name, None, 0, uow.clock.now(), SyncStatus.OK)
        return found or fresh, uow.clock.today()


def _apply(
    uow_factory: UnitOfWorkFactory, feed: Feed, batch: PreparedBatch, received: int
) -> ImportOutcome:
    name = feed.source.name
    transfer = Transfer(
        transport=feed.transport,
        item=feed.item,
        reference=f"{name} {batch.after or '起点'}→{batch.next_after}"[:255],
        dedupe_key=_dedupe_key(name, batch),
        payload_digest=batch.digest,
        partner=feed.link.client_id,
        receipt_key=feed.link.receipt_key,
    )

    def move_cursor(uow: ExchangeUnitOfWork, outcome: ImportOutcome) -> None:
        if outcome.applied:
            cursor = SyncCursor(
                name, batch.next_after, received + batch.count, uow.clock.now(), SyncStatus.OK
            )
            uow.sync_cursors.save(cursor)

    with uow_factory() as uow:
        wire = "json" if feed.transport is Transport.API else "table"
        rows = RowList(batch.rows, format=wire)
        return receive(
            uow, actor=SYSTEM_ACTOR, transfer=transfer, rows=rows, before_commit=move_cursor
        )


def _dedupe_key(name: str, batch: PreparedBatch) -> str:
    """What recognises a batch received before: its span and the start of its digest. Long
    (timestamp) cursors are digested, so the batch digest is never cut off — a corrected batch
    over the same span must not be taken for the rejected one."""
    span = f"{batch.after or ''}:{batch.next_after or ''}"
    key = f"sync:{name}:{span}:{batch.digest[:16]}"
    if len(key) <= _DEDUPE_KEY_LENGTH:
        return key
    return f"sync:{name}:{digest_hex(span.encode('utf-8'))[:32]}:{batch.digest[:16]}"


def _row_number(position: str, index: int) -> int:
    """A record's number in a rejection report: its sequence number, or the integer key of a
    timestamp position (``2026-11-01T00:31:00.000000Z#1234`` → 1234), else its place in the
    batch."""
    if position.isascii() and position.isdigit():
        return int(position)
    key = position.partition("#")[2]
    return int(key) if key.isascii() and key.isdigit() else index


def _rows(batch: ChangeBatch, layout: FieldMapping, as_of: date) -> list[RowResult]:
    """Each record as the row schema's cells, taken from the partner's fields by the layout,
    then validated once by the schema (IDs, dates, order) like a file row."""
    picks = [layout.fields.get(name) for name in _FIELDS]
    rows: list[RowResult] = []
    for index, record in enumerate(batch.records, 1):
        number = _row_number(record.position, index)
        cells = [_cell(record.fields, rule) for rule in picks]
        parsed, issues = PARTNER_EVENT_SCHEMA.validate(number, cells, _COLUMNS, as_of)
        rows.append((number, parsed, issues))
    return rows


def _cell(fields: Mapping[str, str], rule: FieldRule | None) -> str | None:
    if rule is None:
        return None
    value = fields.get(rule.source)
    if value and rule.kind is MappedKind.DAY_OF_DATETIME:
        return day_of(value)
    return value


def _stopped(
    uow_factory: UnitOfWorkFactory,
    feed: Feed,
    after: str | None,
    received: int,
    message: str,
    batches: int,
    rows: int,
    rejected: ImportOutcome | None = None,
) -> SyncReport:
    with uow_factory() as uow:
        uow.sync_cursors.save(
            SyncCursor(
                feed.source.name, after, received, uow.clock.now(), SyncStatus.FAILED, message
            )
        )
        uow.commit()
    return SyncReport(
        feed.source.name, SyncStatus.FAILED, batches, rows, 0, after, message, rejected
    )


def _reconcile(
    uow_factory: UnitOfWorkFactory,
    feed: Feed,
    after: str | None,
    received: int,
    batches: int,
    rows: int,
    applied: int,
) -> SyncReport:
    message = ""
    # Counting what the partner holds costs a query (a table) or a walk through its pages (an
    # API), so it is done when this run received something, not on every idle poll.
    if after is not None and rows:
        try:
            held = feed.source.count_between(None, after)
        except (UnavailableError, PartnerResponseError) as error:
            return _stopped(uow_factory, feed, after, received, error.message, batches, rows)
        if held != received:
            message = (
                f"对账不符：对方截至水位{after}共有{held}条，我方已接收{received}条，"
                f"相差{held - received}条（可能有迟到或被删除的记录），请核对后重新同步"
            )
    status = SyncStatus.MISMATCH if message else SyncStatus.OK
    with uow_factory() as uow:
        name = feed.source.name
        uow.sync_cursors.save(SyncCursor(name, after, received, uow.clock.now(), status, message))
        if message:
            uow.ledger.record(
                actor=SYSTEM_ACTOR,
                action=LedgerAction.EXCHANGE_SYNC_MISMATCH,
                subject=uow.ledger.subject("sync_source", name),
                purpose=message[:200],
            )
        uow.commit()
    return SyncReport(name, status, batches, rows, applied, after, message)


def restart_feed(uow: ExchangeUnitOfWork, *, actor: Actor, source: str) -> None:
    """Forget a feed's watermark so the next run reads it from the start (after a mismatch);
    records already held are recognised and skipped, so nothing is applied twice."""
    require(actor, Permission.EXCHANGE_MANAGE)
    uow.sync_cursors.save(
        SyncCursor(source, None, 0, uow.clock.now(), SyncStatus.OK, "已重置，下次从头同步")
    )
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.EXCHANGE_SYNC_RESTART,
        subject=uow.ledger.subject("sync_source", source),
        purpose=f"重置同步水位：{source}",
    )
    uow.commit()
