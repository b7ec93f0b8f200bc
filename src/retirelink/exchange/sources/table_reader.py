"""Reading a shared table in a second process while the main one applies what was read.

A table sync with a backlog (a first sync, a partner that was down for a week) reads,
converts, digests, maps and validates rows in a reader process (``prefetch``) and applies them
here: the two halves overlap on the machine's two cores. A feed with at most one batch waiting
— the usual poll — is read in process, since starting a reader costs about a second.
"""

from collections.abc import Iterator
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, create_engine

from retirelink.clock import Clock
from retirelink.exchange.layouts import layout_for
from retirelink.exchange.model import WatermarkKind
from retirelink.exchange.ports import DepartmentSource
from retirelink.exchange.prefetch import in_child_process
from retirelink.exchange.registry import FeedSpec
from retirelink.exchange.sources.shared_table import SharedTableSource
from retirelink.exchange.sources.watermarks import TimestampOrder
from retirelink.exchange.sync import Prefetcher, PreparedBatch, prepare_batches


def table_source(spec: FeedSpec, engine: Engine, clock: Clock | None) -> SharedTableSource:
    """The shared-table source a registry entry describes (``clock``: for a timestamp
    watermark's settle lag; an integer watermark does not need one)."""
    timestamp = None
    if spec.watermark_kind is WatermarkKind.TIMESTAMP:
        timestamp = TimestampOrder(
            tiebreak=spec.tiebreak,
            settle=timedelta(seconds=spec.settle_seconds),
            zone=ZoneInfo(spec.timezone),
        )
    return SharedTableSource(
        engine,
        spec.table,
        watermark_column=spec.watermark,
        name=spec.name,
        timestamp=timestamp,
        clock=clock,
    )


def table_batches(
    spec: FeedSpec, after: str | None, limit: int, as_of: date, clock: Clock | None = None
) -> Iterator[PreparedBatch]:
    """Prepared batches of a table feed from ``after`` (what the reader process runs)."""
    engine = create_engine(spec.database_url)
    try:
        source = table_source(spec, engine, clock)
        yield from prepare_batches(source, layout_for(spec.item), after, limit, as_of)
    finally:
        engine.dispose()


def table_prefetcher(
    spec: FeedSpec, source: DepartmentSource, clock: Clock | None = None
) -> Prefetcher:
    """Batches of ``spec``'s table: the first read here, the rest (if any) by a reader.

    A timestamp watermark needs ``clock`` (it travels to the reader process, which must
    hold back the same recent changes as this one)."""
    if spec.watermark_kind is WatermarkKind.TIMESTAMP and clock is None:
        raise ValueError("a timestamp watermark needs the clock")

    def prefetch(after: str | None, limit: int, as_of: date) -> Iterator[PreparedBatch]:
        layout = layout_for(spec.item)
        first = next(prepare_batches(source, layout, after, limit, as_of), None)
        if first is None:
            return
        yield first
        if first.has_more:
            yield from in_child_process(table_batches, spec, first.next_after, limit, as_of, clock)

    return prefetch
