"""Benchmark the read side of table sync: SharedTableSource pulling a partner's shared table.

Usage: .venv/bin/python benchmarks/bench_table_sync_read.py [--rows 1000000] [--batch 10000]
       [--backend sqlite|postgresql|both]

Fills a 司法-style shared table (sequence watermark, ID number, name, dates, sentence, prison)
in a scratch SQLite file and/or a scratch PostgreSQL database (not timed), then times pulling
it all through ``SharedTableSource.fetch_changes`` in batches, as a sync would: query, values
to text, SourceRecords and the SM3 batch digest. Prints one JSON line with rows/s per backend.
The whole table-sync budget (read + validate + apply <= 60 s for 1,000,000 rows) is measured
elsewhere; this figure is the read side's share of it.
"""

import random
import resource
import sys
from datetime import date, timedelta
from decimal import Decimal

from _common import Stopwatch, database_version, emit, parser, scratch, selected_backends
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Engine,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
)

from retirelink.exchange.sources.shared_table import SharedTableSource
from retirelink.rules.identifiers import id_check_character

TABLE = "jy_zfxx"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂𠮷"
_PRISONS = ("河北省冀东监狱", "河北省邯郸监狱", "河北省石家庄监狱", "河北省女子监狱")
_INSERT_CHUNK = 20_000


def partner_table() -> Table:
    return Table(
        TABLE,
        MetaData(),
        Column("xh", BigInteger, primary_key=True, autoincrement=False),
        Column("zjhm", String(18), nullable=False),
        Column("xm", String(50), nullable=False),
        Column("xb", String(1), nullable=False),
        Column("xfzl", String(20), nullable=False),
        Column("jyrq", Date, nullable=False),
        Column("xqnx", Numeric(4, 1)),
        Column("sfrq", Date),
        Column("zxjg", String(50), nullable=False),
    )


def _rows(start: int, stop: int, rng: random.Random) -> list[dict[str, object]]:
    rows = []
    for seq in range(start, stop):
        born = date(1950, 1, 1) + timedelta(days=seq // 1000 * 7)
        first17 = f"130406{born:%Y%m%d}{seq % 1000:03d}"
        detained = date(2015, 1, 1) + timedelta(days=rng.randrange(4000))
        rows.append(
            {
                "xh": seq,
                "zjhm": first17 + id_check_character(first17),
                "xm": rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.randint(1, 2))),
                "xb": "1" if seq % 2 else "2",
                "xfzl": "有期徒刑",
                "jyrq": detained,
                "xqnx": Decimal(rng.randrange(5, 150)) / 10,
                "sfrq": None if seq % 3 else detained + timedelta(days=rng.randrange(300, 3000)),
                "zxjg": rng.choice(_PRISONS),
            }
        )
    return rows


def fill_partner_table(engine: Engine, rows: int) -> None:
    table = partner_table()
    table.create(engine)
    rng = random.Random(1)
    for start in range(1, rows + 1, _INSERT_CHUNK):
        with engine.begin() as conn:
            conn.execute(table.insert(), _rows(start, min(start + _INSERT_CHUNK, rows + 1), rng))


def _read_all(engine: Engine, batch: int) -> tuple[int, int]:
    source = SharedTableSource(engine, TABLE, watermark_column="xh", name=f"{TABLE}@bench")
    rows = batches = 0
    cursor, has_more = None, True
    while has_more:
        pulled = source.fetch_changes(cursor, limit=batch)
        rows += pulled.count
        batches += 1
        cursor, has_more = pulled.next_after, pulled.has_more
    return rows, batches


def _measure(backend: str, rows: int, batch: int) -> dict[str, object]:
    with scratch(backend) as db:
        engine = create_engine(db.url)
        try:
            with Stopwatch() as setup:
                fill_partner_table(engine, rows)
            with Stopwatch() as read:
                read_rows, batches = _read_all(engine, batch)
        finally:
            engine.dispose()
        return {
            "database": database_version(db.url),
            "setup_seconds": round(setup.seconds, 1),
            "rows_read": read_rows,
            "batches": batches,
            "seconds": round(read.seconds, 2),
            "rows_per_second": round(read_rows / read.seconds),
        }


def main(argv: list[str] | None = None) -> int:
    arguments = parser(__doc__)
    arguments.add_argument("--rows", type=int, default=1_000_000)
    arguments.add_argument("--batch", type=int, default=10_000)
    args = arguments.parse_args(argv)
    result: dict[str, object] = {
        "benchmark": "table_sync_read",
        "rows": args.rows,
        "batch": args.batch,
    }
    for backend in selected_backends(args.backend):
        result[backend] = _measure(backend, args.rows, args.batch)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
