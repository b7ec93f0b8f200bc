"""Table sync from a partner's shared table on a real database: SQLite by default, PostgreSQL
(a scratch database on the same server) when RETIRELINK_DATABASE_URL points at one."""

import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    make_url,
    text,
)

from retirelink.errors import InvalidInputError, PartnerResponseError, UnavailableError
from retirelink.exchange.digests import batch_digest
from retirelink.exchange.sources.shared_table import SharedTableSource
from tests.support.databases import configured_url, is_postgres, scratch_postgres

pytestmark = pytest.mark.integration

SOURCE = "justice.prisoners_in_custody@table"
ON_POSTGRES = bool((url := configured_url()) and is_postgres(url))
# Nothing listens on port 9 of loopback: connections are refused at once.
DOWN_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:9/partner?connect_timeout=2"
# PostgreSQL returns a timestamp, which we write ISO with a space; SQLite has no timestamp
# type, so the text is passed on as stored — here as SQLAlchemy stored it, with microseconds.
FIRST_GXSJ = "2026-11-01 08:31:00" if ON_POSTGRES else "2026-11-01 08:31:00.000000"


def prisoners_table(name: str) -> Table:
    """司法's shared table as a typical provincial system lays it out (docs/exchange.md)."""
    return Table(
        name,
        MetaData(),
        Column("xh", Integer, primary_key=True, autoincrement=False),  # the watermark
        Column("zjhm", String(18), nullable=False),
        Column("xm", String(50), nullable=False),
        Column("jyrq", Date, nullable=False),
        Column("sfrq", Date),
        Column("xqnx", Numeric(4, 1)),
        Column("gxsj", DateTime),
    )


def prisoner(seq: int) -> dict[str, object]:
    return {
        "xh": seq,
        "zjhm": f"13040619600101{seq:03d}X",
        "xm": "王𠮷" if seq % 2 else "李秀英",
        "jyrq": date(2020, 1, 1) + timedelta(days=seq),
        "sfrq": None if seq % 3 else date(2026, 6, 30),
        "xqnx": Decimal("2.5") if seq % 2 else None,
        # Partner tables keep local time without a zone ("timestamp without time zone").
        "gxsj": datetime.fromisoformat("2026-11-01 08:30") + timedelta(minutes=seq),
    }


@pytest.fixture(scope="module")
def partner_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url and ON_POSTGRES:
        with scratch_postgres(url, prefix="rl_partner") as scratch:
            yield scratch
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('partner') / 'partner.db'}"


@pytest.fixture
def partner_engine(partner_url: str) -> Iterator[Engine]:
    engine = create_engine(partner_url)
    yield engine
    engine.dispose()


@pytest.fixture
def table(partner_engine: Engine) -> Iterator[Table]:
    created = prisoners_table(f"jy_zfxx_{uuid.uuid4().hex[:8]}")
    created.create(partner_engine)
    yield created
    created.drop(partner_engine)


def insert(engine: Engine, table: Table, seqs: range | list[int]) -> None:
    with engine.begin() as conn:
        conn.execute(table.insert(), [prisoner(seq) for seq in seqs])


def source_for(
    engine: Engine, table: Table, *, columns: list[str] | None = None
) -> SharedTableSource:
    return SharedTableSource(
        engine, table.name, watermark_column="xh", name=SOURCE, columns=columns
    )


def test_a_first_pull_reads_one_batch_in_watermark_order_with_values_as_text(partner_engine, table):
    insert(partner_engine, table, [3, 1, 2, 6, 5, 4])
    source = source_for(partner_engine, table)

    batch = source.fetch_changes(None, limit=4)

    assert [record.position for record in batch.records] == ["1", "2", "3", "4"]
    assert batch.records[0].fields == {
        "zjhm": "13040619600101001X",
        "xm": "王𠮷",
        "jyrq": "2020-01-02",
        "xqnx": "2.5",
        "gxsj": FIRST_GXSJ,
    }  # sfrq and NULL are missing fields; xh is the position, not a field
    assert batch.records[2].fields["sfrq"] == "2026-06-30"
    assert (batch.after, batch.next_after, batch.has_more) == (None, "4", True)
    assert batch.digest == batch_digest(batch.records)
    assert batch.source == SOURCE


def test_pulls_resume_from_a_stored_watermark_even_in_a_new_source(partner_engine, table):
    insert(partner_engine, table, range(1, 26))
    first = source_for(partner_engine, table).fetch_changes(None, limit=10)

    restarted = source_for(partner_engine, table)
    positions, cursor, has_more = [], first.next_after, True
    while has_more:
        batch = restarted.fetch_changes(cursor, limit=10)
        positions += [int(record.position) for record in batch.records]
        cursor, has_more = batch.next_after, batch.has_more

    assert positions == list(range(11, 26))
    assert cursor == "25"


def test_rows_added_after_a_drained_pull_are_picked_up_next_time(partner_engine, table):
    insert(partner_engine, table, range(1, 6))
    source = source_for(partner_engine, table)
    drained = source.fetch_changes(None, limit=10)
    assert (drained.count, drained.has_more) == (5, False)

    nothing = source.fetch_changes(drained.next_after, limit=10)
    insert(partner_engine, table, [6, 9, 12])  # a sequence may have gaps
    later = source.fetch_changes(drained.next_after, limit=10)

    assert (nothing.records, nothing.next_after, nothing.has_more) == ((), "5", False)
    assert [record.position for record in later.records] == ["6", "9", "12"]
    assert later.next_after == "12"


def test_count_between_counts_rows_in_the_half_open_range(partner_engine, table):
    insert(partner_engine, table, [*range(1, 21), 40])
    source = source_for(partner_engine, table)

    assert source.count_between("5", "20") == 15
    assert source.count_between(None, "10") == 10
    assert source.count_between("20", "39") == 0
    assert source.count_between("20", "40") == 1


def test_only_the_chosen_columns_are_read(partner_engine, table):
    insert(partner_engine, table, [1])
    source = source_for(partner_engine, table, columns=["zjhm", "jyrq"])

    (record,) = source.fetch_changes(None, limit=5).records

    assert record.fields == {"zjhm": "13040619600101001X", "jyrq": "2020-01-02"}


def test_a_column_the_table_lacks_is_a_partner_response_error(partner_engine, table):
    source = source_for(partner_engine, table, columns=["zjhm", "swrq"])

    with pytest.raises(PartnerResponseError, match="没有列 swrq"):
        source.fetch_changes(None, limit=5)


def test_a_missing_table_is_a_partner_response_error(partner_engine):
    source = SharedTableSource(partner_engine, "no_such_view", watermark_column="xh", name=SOURCE)

    with pytest.raises(PartnerResponseError, match="没有共享表 no_such_view"):
        source.fetch_changes(None, limit=5)


def test_on_sqlite_a_date_column_passes_on_whatever_text_the_partner_stored(partner_engine):
    if partner_engine.dialect.name != "sqlite":
        pytest.skip("only SQLite lets a DATE column hold free text")
    with partner_engine.begin() as conn:
        conn.execute(text("CREATE TABLE zf_text (xh INTEGER PRIMARY KEY, jyrq DATE, xqnx NUMERIC)"))
        conn.execute(text("INSERT INTO zf_text VALUES (1, '2020/01/02', 2.5), (2, '20200103', 3)"))
    source = SharedTableSource(partner_engine, "zf_text", watermark_column="xh", name=SOURCE)

    records = source.fetch_changes(None, limit=5).records

    assert [record.fields for record in records] == [
        {"jyrq": "2020/01/02", "xqnx": "2.5"},
        {"jyrq": "20200103", "xqnx": "3"},
    ]


def test_a_cursor_that_is_not_a_number_is_refused_before_reading(partner_engine, table):
    with pytest.raises(InvalidInputError, match="不是整数序号"):
        source_for(partner_engine, table).fetch_changes("2026-11-01", limit=5)


def test_a_partner_database_that_cannot_be_reached_is_unavailable(tmp_path):
    url = DOWN_POSTGRES if ON_POSTGRES else f"sqlite:///{tmp_path / 'gone' / 'partner.db'}"
    engine = create_engine(url)
    try:
        source = SharedTableSource(engine, "jy_zfxx", watermark_column="xh", name=SOURCE)
        with pytest.raises(UnavailableError, match="无法连接合作部门数据库"):
            source.fetch_changes(None, limit=5)
    finally:
        engine.dispose()


@pytest.fixture
def doomed_partner(tmp_path: Path) -> Iterator[tuple[Engine, Callable[[], None]]]:
    """A partner database of its own, and a function that takes it down."""
    if url and ON_POSTGRES:
        with scratch_postgres(url, prefix="rl_partner_down") as scratch:
            engine = create_engine(scratch)
            yield engine, lambda: _drop_database(scratch)
            engine.dispose()
        return
    directory = tmp_path / "partner"
    directory.mkdir()
    engine = create_engine(f"sqlite:///{directory / 'partner.db'}")

    def take_down() -> None:
        shutil.rmtree(directory)
        engine.dispose()  # pooled connections would keep the deleted file alive

    yield engine, take_down
    engine.dispose()


def _drop_database(scratch: str) -> None:
    target = make_url(scratch)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{target.database}" WITH (FORCE)'))
    admin.dispose()


def test_a_partner_database_going_down_mid_sync_is_unavailable(doomed_partner):
    engine, take_down = doomed_partner
    table = prisoners_table("jy_zfxx")
    table.create(engine)
    insert(engine, table, range(1, 21))
    source = source_for(engine, table)
    first = source.fetch_changes(None, limit=10)

    take_down()

    with pytest.raises(UnavailableError, match=SOURCE):
        source.fetch_changes(first.next_after, limit=10)
