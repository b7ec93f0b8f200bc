"""司法's shared table (库表同步): the imprisonment feed as rows of a partner database table.

Many provincial systems share data by letting the requester read a table in a front-end
database (前置库) rather than by an API. ``sifa_prisoner_changes`` holds the 司法 partner
fields (text, ``NULL`` when absent), ``seq`` (unique, increasing: the watermark the platform
keeps in the default integer mode) and ``updated_at``, the change time (更新时间: the
watermark in the timestamp mode, with ``seq`` breaking ties). :func:`publish_sifa_table`
re-creates it from the feed (run it any number of times with the same time: the result is the
same table); :func:`append_sifa_rows` is the partner adding rows after the platform's first
sync. SQLite by default, any SQLAlchemy URL otherwise.

``updated_at`` is written in Beijing time, as a partner in China keeps it: on PostgreSQL the
column is ``timestamp with time zone`` (an instant); SQLite has no such type and keeps the
local wall time as text without an offset — which the platform reads in the partner's
declared zone (Asia/Shanghai by default), so both databases mean the same instant.
"""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    insert,
    select,
)

from retirelink.clock import CHINA_TZ
from retirelink.errors import InvalidInputError
from retirelink.partners.feeds import FeedRecord
from retirelink.partners.model import PRISONERS
from retirelink.partners.records import FIELDS

SIFA_TABLE = "sifa_prisoner_changes"
SIFA_FIELDS = FIELDS[PRISONERS]

_metadata = MetaData()
sifa_prisoner_changes = Table(
    SIFA_TABLE,
    _metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),  # unique: the watermark
    *(Column(name, String(64), nullable=True) for name in SIFA_FIELDS),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def default_sifa_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'partners' / 'sifa.db'}"


@contextmanager
def sifa_engine(url: str) -> Iterator[Engine]:
    """An engine for the partner database, disposed on exit; a SQLite file's folder is made."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _row(seq: int, fields: Mapping[str, str], updated_at: datetime) -> dict[str, object]:
    unknown = set(fields) - set(SIFA_FIELDS)
    if unknown:
        raise InvalidInputError(f"{SIFA_TABLE} 没有字段 {', '.join(sorted(unknown))}")
    if updated_at.tzinfo is None:
        raise ValueError("updated_at needs a zone")
    return {
        "seq": seq,
        **{name: fields.get(name) or None for name in SIFA_FIELDS},
        "updated_at": updated_at.astimezone(CHINA_TZ),
    }


def publish_sifa_table(
    engine: Engine, records: Sequence[FeedRecord], *, updated_at: datetime
) -> int:
    """Drop and re-create the table holding exactly ``records`` (keeping their seq)."""
    with engine.begin() as connection:
        sifa_prisoner_changes.drop(connection, checkfirst=True)
        sifa_prisoner_changes.create(connection)
        if records:
            connection.execute(
                insert(sifa_prisoner_changes),
                [_row(record.seq, record.fields, updated_at) for record in records],
            )
    return len(records)


def append_sifa_rows(
    engine: Engine, rows: Sequence[Mapping[str, str]], *, updated_at: datetime
) -> list[int]:
    """Add rows after the last one; returns the seq numbers given to them."""
    with engine.begin() as connection:
        last = connection.execute(select(func.max(sifa_prisoner_changes.c.seq))).scalar()
        start = (last or 0) + 1
        seqs = list(range(start, start + len(rows)))
        if rows:
            connection.execute(
                insert(sifa_prisoner_changes),
                [_row(seq, row, updated_at) for seq, row in zip(seqs, rows, strict=True)],
            )
    return seqs
