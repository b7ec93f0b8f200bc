"""Benchmark the whole table sync (库表同步): pull, map, validate, verify and apply 1M rows.

Usage: .venv/bin/python benchmarks/bench_table_sync.py [--rows 1000000] [--batch 10000]
       [--backend sqlite|postgresql|both]

Budget (issue 5): 1,000,000 changed rows <= 60 s. Setup (not timed): a 司法-style shared
table in a scratch partner database (``bench_table_sync_read.fill_partner_table``) and a
migrated scratch platform database on the same backend. Timed: ``exchange.sync.sync_feed``
over a ``SharedTableSource`` from the start (the backlog read and validated by a reader
process; ``--no-reader-process``: all in one process): batches of ``--batch`` rows read
by watermark, mapped from the partner's field names, validated (ID check digit, dates),
checked against what is held, applied with the cursor move in one transaction per batch,
each with its signed receipt and ledger entry, then reconciled by count. Prints one JSON
line per backend.
"""

import resource
import sys
from datetime import UTC, datetime

from _common import Stopwatch, database_version, emit, parser, scratch, selected_backends
from bench_table_sync_read import TABLE, fill_partner_table
from sqlalchemy import create_engine

from retirelink.archives.model import DepartmentKind
from retirelink.bootstrap import build
from retirelink.clock import FixedClock
from retirelink.exchange.layouts import layout_for
from retirelink.exchange.model import PartnerLink, Transport
from retirelink.exchange.registry import FeedSpec
from retirelink.exchange.sources.shared_table import SharedTableSource
from retirelink.exchange.sources.table_reader import table_prefetcher
from retirelink.exchange.sync import Feed, sync_feed
from retirelink.storage import migrate

ITEM = "justice.prisoners_in_custody"
NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
LINK = PartnerLink("SIFA", DepartmentKind.JUSTICE, "SIFA-130406", "http://127.0.0.1:9", b"s" * 32)


def measure(backend: str, rows: int, batch: int, pipeline: bool) -> dict[str, object]:
    with scratch(backend) as partner, scratch(backend) as platform:
        partner_engine = create_engine(partner.url)
        migrate.upgrade(platform.url)
        services = build(platform.settings(), clock=FixedClock(NOW))
        try:
            with Stopwatch() as setup:
                fill_partner_table(partner_engine, rows)
            source = SharedTableSource(
                partner_engine, TABLE, watermark_column="xh", name=f"{ITEM}@table"
            )
            spec = FeedSpec("SIFA", ITEM, "table", partner.url, TABLE, "xh")
            feed = Feed(
                source,
                services.catalogue.item(ITEM),
                layout_for(ITEM),
                LINK,
                Transport.TABLE_SYNC,
                prefetch=table_prefetcher(spec, source) if pipeline else None,
            )
            with Stopwatch() as sync:
                report = sync_feed(services.uow, feed, batch_size=batch)
            with services.uow() as uow:
                stored = uow.partner_records.count(ITEM)
        finally:
            services.close()
            partner_engine.dispose()
        return {
            "backend": backend,
            "reader_process": pipeline,
            "database": database_version(platform.url),
            "setup_seconds": round(setup.seconds, 1),
            "status": report.status.value,
            "message": report.message,
            "batches": report.batches,
            "rows": report.rows,
            "applied": report.applied,
            "stored": stored,
            "seconds": round(sync.seconds, 2),
            "rows_per_second": round(report.rows / sync.seconds),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }


def main(argv: list[str] | None = None) -> int:
    arguments = parser(__doc__)
    arguments.add_argument("--rows", type=int, default=1_000_000)
    arguments.add_argument("--batch", type=int, default=10_000)
    arguments.add_argument(
        "--no-reader-process", action="store_true", help="read and validate in this process"
    )
    args = arguments.parse_args(argv)
    for backend in selected_backends(args.backend):
        emit(measure(backend, args.rows, args.batch, not args.no_reader_process))
    return 0


if __name__ == "__main__":
    sys.exit(main())
