"""Table sync by change timestamp (更新时间水位) on a real partner database: SQLite by default,
a scratch PostgreSQL database when RETIRELINK_DATABASE_URL points at one."""

import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    text,
)

from retirelink.clock import FixedClock
from retirelink.errors import InvalidInputError, PartnerResponseError
from retirelink.exchange.digests import batch_digest
from retirelink.exchange.sources import shared_table
from retirelink.exchange.sources.shared_table import SharedTableSource
from retirelink.exchange.sources.watermarks import TimestampOrder
from tests.support.databases import configured_url, is_postgres, scratch_postgres

pytestmark = pytest.mark.integration

SOURCE = "justice.prisoners_in_custody@table"
ON_POSTGRES = bool((url := configured_url()) and is_postgres(url))
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # 10:30 in Beijing
# Partner tables keep local time without a zone: 09:00 in Beijing is 01:00 UTC.
NINE = datetime(2026, 11, 23, 9, 0)  # noqa: DTZ001
NINE_UTC = "2026-11-23T01:00:00.000000Z"


def changes_table(name: str, *, aware: bool = False, key_type: Any = Integer) -> Table:
    """A partner's change table with a 更新时间 column ``gxsj`` and a primary key ``id``."""
    return Table(
        name,
        MetaData(),
        Column("id", key_type, primary_key=True, autoincrement=False),
        Column("zjhm", String(18)),
        Column("gxsj", DateTime(timezone=aware)),
    )


@pytest.fixture(scope="module")
def partner_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url and ON_POSTGRES:
        with scratch_postgres(url, prefix="rl_partner_ts") as scratch:
            yield scratch
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('partner') / 'partner.db'}"


@pytest.fixture
def engine(partner_url: str) -> Iterator[Engine]:
    created = create_engine(partner_url)
    yield created
    created.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def table(engine: Engine) -> Iterator[Table]:
    created = changes_table(f"zf_bg_{uuid.uuid4().hex[:8]}")
    created.create(engine)
    yield created
    created.drop(engine)


def insert(engine: Engine, table: Table, rows: Sequence[tuple[object, object]]) -> None:
    with engine.begin() as conn:
        conn.execute(
            table.insert(),
            [{"id": key, "zjhm": f"Z{key}"[:18], "gxsj": at} for key, at in rows],
        )


def source_for(
    engine: Engine,
    table: Table | str,
    clock: FixedClock,
    *,
    settle: float = 5,
    zone: str = "Asia/Shanghai",
    columns: list[str] | None = None,
) -> SharedTableSource:
    name = table if isinstance(table, str) else table.name
    return SharedTableSource(
        engine,
        name,
        watermark_column="gxsj",
        name=SOURCE,
        columns=columns,
        timestamp=TimestampOrder("id", timedelta(seconds=settle), ZoneInfo(zone)),
        clock=clock,
    )


def drain(source: SharedTableSource, after: str | None, limit: int) -> tuple[list[str], str]:
    positions: list[str] = []
    while True:
        batch = source.fetch_changes(after, limit=limit)
        positions += [record.position for record in batch.records]
        after = batch.next_after
        if not batch.has_more:
            assert after is not None, "nothing was read"
            return positions, after


def keys(positions: list[str]) -> list[int]:
    return [int(position.partition("#")[2]) for position in positions]


def test_rows_sharing_a_timestamp_are_split_across_batches_by_key_each_delivered_once(
    engine, table, clock
):
    later = NINE + timedelta(minutes=1)
    insert(engine, table, [(k, NINE) for k in (5, 2, 7, 1, 6, 3, 4)] + [(9, later), (8, later)])
    source = source_for(engine, table, clock)

    first = source.fetch_changes(None, limit=3)
    positions, cursor = drain(source, first.next_after, 3)

    assert [r.position for r in first.records] == [f"{NINE_UTC}#{k}" for k in (1, 2, 3)]
    assert first.has_more
    assert keys([r.position for r in first.records] + positions) == list(range(1, 10))
    assert cursor == "2026-11-23T01:01:00.000000Z#9"
    assert source.fetch_changes(cursor, limit=3).records == ()


def test_a_record_is_its_fields_with_the_key_and_its_position_the_utc_instant_and_key(
    engine, table, clock
):
    insert(engine, table, [(3, NINE + timedelta(microseconds=250))])

    batch = source_for(engine, table, clock).fetch_changes(None, limit=5)

    (record,) = batch.records
    # PostgreSQL keeps microseconds; SQLite's strftime keeps milliseconds.
    expected = "2026-11-23T01:00:00.000250Z#3" if ON_POSTGRES else f"{NINE_UTC}#3"
    assert record.position == expected
    assert record.fields == {"id": "3", "zjhm": "Z3"}  # 更新时间 is the position, not a field
    assert batch.digest == batch_digest(batch.records)
    assert (batch.after, batch.next_after, batch.has_more) == (None, record.position, False)


def test_on_sqlite_times_compare_to_the_millisecond_and_positions_carry_it(engine, clock):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL keeps microseconds")
    table = changes_table(f"zf_ms_{uuid.uuid4().hex[:8]}")
    table.create(engine)
    insert(engine, table, [(2, NINE + timedelta(microseconds=250)), (1, NINE)])

    positions, _ = drain(source_for(engine, table, clock), None, 1)

    # The same millisecond: ordered by the key, one batch boundary between them.
    assert positions == [f"{NINE_UTC}#1", f"{NINE_UTC}#2"]


def test_an_interrupted_pull_resumes_from_the_cursor_in_a_new_source(engine, table, clock):
    insert(engine, table, [(k, NINE + timedelta(seconds=k // 4)) for k in range(1, 21)])
    first = source_for(engine, table, clock).fetch_changes(None, limit=6)

    positions, _ = drain(source_for(engine, table, clock), first.next_after, 6)

    assert first.next_after == "2026-11-23T01:00:01.000000Z#6"
    assert keys(positions) == list(range(7, 21))


def test_the_settle_lag_holds_a_just_written_row_back_until_a_later_pull(engine, table, clock):
    just_now = NOW.astimezone(SHANGHAI).replace(tzinfo=None) - timedelta(seconds=2)
    insert(engine, table, [(1, NINE), (2, just_now)])
    source = source_for(engine, table, clock, settle=5)

    early = source.fetch_changes(None, limit=10)
    again = source.fetch_changes(early.next_after, limit=10)
    clock.advance(timedelta(seconds=3))
    settled = source.fetch_changes(early.next_after, limit=10)

    assert keys([r.position for r in early.records]) == [1]
    assert early.has_more is False  # what is held back is not "more": it is not there yet
    assert (again.records, again.next_after) == ((), early.next_after)
    assert keys([r.position for r in settled.records]) == [2]
    assert settled.next_after == "2026-11-23T02:29:58.000000Z#2"


def test_without_a_settle_lag_a_row_is_read_as_soon_as_it_is_committed(engine, table, clock):
    just_now = NOW.astimezone(SHANGHAI).replace(tzinfo=None)
    insert(engine, table, [(1, just_now), (2, just_now + timedelta(seconds=1))])

    batch = source_for(engine, table, clock, settle=0).fetch_changes(None, limit=10)

    assert keys([r.position for r in batch.records]) == [1]  # the future is never read


def test_a_timestamp_without_a_zone_is_in_the_declared_zone(engine, table, clock):
    insert(engine, table, [(1, NINE - timedelta(days=1)), (2, NINE)])

    beijing = source_for(engine, table, clock).fetch_changes(None, limit=1)
    utc = source_for(engine, table, clock, zone="UTC").fetch_changes(None, limit=5)
    urumqi = source_for(engine, table, clock, zone="Asia/Urumqi").fetch_changes(None, limit=1)

    assert beijing.next_after == "2026-11-22T01:00:00.000000Z#1"
    assert urumqi.next_after == "2026-11-22T03:00:00.000000Z#1"
    # Read as UTC, today's 09:00 is still hours ahead of the clock (10:30 in Beijing).
    assert [r.position for r in utc.records] == ["2026-11-22T09:00:00.000000Z#1"]
    # The cursor is an instant: compared in the same zone, it finds the same row behind it.
    utc_cursor = "2026-11-22T09:00:00.000000Z#1"
    assert source_for(engine, table, clock, zone="UTC").count_between(None, utc_cursor) == 1
    assert source_for(engine, table, clock).count_between(None, f"{NINE_UTC}#1") == 1
    assert source_for(engine, table, clock).count_between(None, f"{NINE_UTC}#2") == 2


def test_an_aware_timestamp_column_is_read_as_the_instants_it_holds(engine, clock):
    if engine.dialect.name == "sqlite":
        aware = changes_table(f"zf_tz_{uuid.uuid4().hex[:8]}")
        aware.create(engine)
        # SQLite has no zones: a partner writing offsets leaves them in the text.
        with engine.begin() as conn:
            conn.execute(
                text(
                    f"INSERT INTO {aware.name} (id, zjhm, gxsj) VALUES "
                    "(1, 'a', '2026-11-23T01:00:00Z'), (2, 'b', '2026-11-23 10:00:00+09:00'),"
                    "(3, 'c', '2026-11-23T00:59:59.5+00:00')"
                )
            )
    else:
        aware = changes_table(f"zf_tz_{uuid.uuid4().hex[:8]}", aware=True)
        aware.create(engine)
        tokyo = ZoneInfo("Asia/Tokyo")
        insert(
            engine,
            aware,
            [
                (1, datetime(2026, 11, 23, 1, 0, tzinfo=UTC)),
                (2, datetime(2026, 11, 23, 10, 0, tzinfo=tokyo)),
                (3, datetime(2026, 11, 23, 0, 59, 59, 500_000, tzinfo=UTC)),
            ],
        )

    # The declared zone does not matter for values that carry their own.
    batch = source_for(engine, aware, clock, zone="UTC").fetch_changes(None, limit=10)

    assert [r.position for r in batch.records] == [
        "2026-11-23T00:59:59.500000Z#3",
        f"{NINE_UTC}#1",
        f"{NINE_UTC}#2",
    ]


def test_on_sqlite_text_with_and_without_offsets_orders_as_instants(engine, clock):
    if engine.dialect.name != "sqlite":
        pytest.skip("only SQLite keeps timestamps as free text")
    name = f"zf_mix_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, gxsj TEXT)"))
        conn.execute(
            text(
                f"INSERT INTO {name} VALUES (1, '2026-11-23 09:00:00'), "
                "(2, '2026-11-23T00:30:00Z'), (3, '2026-11-23T08:45'), "
                "(4, '2026-11-23 08:59:59.999+08:00'), (5, '2026-11-22'), (6, 'not a time'),"
                "(7, NULL)"
            )
        )
    source = source_for(engine, name, clock)

    batch = source.fetch_changes(None, limit=10)

    assert [r.position for r in batch.records] == [
        "2026-11-21T16:00:00.000000Z#5",  # a bare date: midnight in Beijing
        "2026-11-23T00:30:00.000000Z#2",
        "2026-11-23T00:45:00.000000Z#3",
        "2026-11-23T00:59:59.999000Z#4",
        f"{NINE_UTC}#1",
    ]  # text SQLite cannot read as a time, and NULL, are never delivered
    assert source.count_between(None, f"{NINE_UTC}#1") == 5


def test_rows_without_a_timestamp_or_a_key_are_never_delivered_nor_counted(engine, clock):
    table = Table(
        f"zf_null_{uuid.uuid4().hex[:8]}",
        MetaData(),
        Column("rowid_", Integer, primary_key=True),
        Column("id", Integer, nullable=True),
        Column("zjhm", String(18)),
        Column("gxsj", DateTime),
    )
    table.create(engine)
    with engine.begin() as conn:
        conn.execute(
            table.insert(),
            [
                {"rowid_": 1, "id": 1, "gxsj": NINE},
                {"rowid_": 2, "id": 2, "gxsj": None},
                {"rowid_": 3, "id": None, "gxsj": NINE + timedelta(hours=1)},
                {"rowid_": 4, "id": 4, "gxsj": NINE + timedelta(minutes=1)},
            ],
        )
    source = source_for(engine, table, clock, columns=["zjhm"])

    batch = source.fetch_changes(None, limit=10)

    assert keys([r.position for r in batch.records]) == [1, 4]
    assert source.count_between(None, f"{NINE_UTC[:11]}23:59:59.000000Z#9") == 2


def test_count_between_counts_the_half_open_range_of_positions(engine, table, clock):
    insert(engine, table, [(k, NINE + timedelta(seconds=k // 3)) for k in range(1, 13)])
    source = source_for(engine, table, clock)
    at = "2026-11-23T01:00:0{}.000000Z#{}".format

    assert source.count_between(None, at(1, 5)) == 5
    assert source.count_between(at(1, 3), at(1, 5)) == 2
    assert source.count_between(at(1, 5), at(2, 6)) == 1
    assert source.count_between(at(0, 99), at(1, 3)) == 1  # key 99 sorts after keys 1-2
    assert source.count_between(None, at(4, 12)) == 12


def test_the_or_form_for_databases_without_row_values_reads_the_same(
    engine, table, clock, monkeypatch
):
    insert(engine, table, [(k, NINE + timedelta(seconds=k // 4)) for k in range(1, 16)])
    expected, _ = drain(source_for(engine, table, clock), None, 4)
    monkeypatch.setattr(shared_table, "_ROW_VALUES", frozenset())

    positions, cursor = drain(source_for(engine, table, clock), None, 4)

    assert positions == expected
    assert keys(positions) == list(range(1, 16))
    assert source_for(engine, table, clock).count_between(positions[3], cursor) == 11


def test_text_keys_order_rows_sharing_a_timestamp_and_may_hold_a_hash(engine, clock):
    table = changes_table(f"zf_txt_{uuid.uuid4().hex[:8]}", key_type=String(40))
    table.create(engine)
    ids = ["B#2", "A#10", "B#1", "C"]
    insert(engine, table, [(key, NINE) for key in ids])
    source = source_for(engine, table, clock)

    first = source.fetch_changes(None, limit=2)
    rest = source.fetch_changes(first.next_after, limit=5)

    delivered = [r.position.partition("#")[2] for r in (*first.records, *rest.records)]
    assert sorted(delivered) == sorted(ids)
    assert len(set(delivered)) == 4
    assert first.next_after == f"{NINE_UTC}#{delivered[1]}"


def test_a_key_too_long_for_the_cursor_column_is_a_partner_response_error(engine, clock):
    table = changes_table(f"zf_long_{uuid.uuid4().hex[:8]}", key_type=String(200))
    table.create(engine)
    insert(engine, table, [("k" * 73, NINE)])

    with pytest.raises(PartnerResponseError, match="值过长"):
        source_for(engine, table, clock).fetch_changes(None, limit=5)


@pytest.mark.parametrize(
    "cursor", ["17", "2026-11-23 01:00:00#1", "2026-11-23T01:00:00.000000Z#abc"]
)
def test_a_bad_cursor_is_refused_in_chinese_and_nothing_is_read(engine, table, clock, cursor):
    insert(engine, table, [(1, NINE)])
    source = source_for(engine, table, clock)

    with pytest.raises(InvalidInputError, match=r"不是更新时间水位|不是整数") as raised:
        source.fetch_changes(cursor, limit=5)
    with pytest.raises(InvalidInputError):
        source.count_between(None, cursor)

    assert raised.value.field == "after"


def test_a_malformed_cursor_is_refused_before_the_partner_database_is_touched(tmp_path, clock):
    engine = create_engine(f"sqlite:///{tmp_path / 'gone' / 'partner.db'}")  # cannot open
    try:
        with pytest.raises(InvalidInputError, match="不是更新时间水位"):
            source_for(engine, "zf_bg", clock).fetch_changes("17", limit=5)
    finally:
        engine.dispose()


def test_a_key_column_that_is_neither_integer_nor_text_is_refused(engine, clock):
    table = changes_table(f"zf_num_{uuid.uuid4().hex[:8]}", key_type=Numeric(10, 2))
    table.create(engine)

    with pytest.raises(PartnerResponseError, match="比对列 id 应为整数或文本列"):
        source_for(engine, table, clock).fetch_changes(None, limit=5)


def test_missing_timestamp_or_key_columns_are_named(engine, table, clock):
    source = SharedTableSource(
        engine,
        table.name,
        watermark_column="gxsj_x",
        name=SOURCE,
        timestamp=TimestampOrder("xh"),
        clock=clock,
    )

    with pytest.raises(PartnerResponseError, match="没有列 gxsj_x、xh"):
        source.fetch_changes(None, limit=5)


def test_on_postgresql_a_text_timestamp_column_is_refused(engine, clock):
    if engine.dialect.name == "sqlite":
        pytest.skip("on SQLite every timestamp is text")
    name = f"zf_str_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, gxsj TEXT)"))

    with pytest.raises(PartnerResponseError, match="更新时间列 gxsj 不是时间类型"):
        source_for(engine, name, clock).fetch_changes(None, limit=5)


def test_on_sqlite_a_zone_with_daylight_saving_is_refused(engine, table, clock):
    source = source_for(engine, table, clock, zone="Europe/Berlin")
    insert(engine, table, [(1, NINE - timedelta(days=1))])

    if engine.dialect.name != "sqlite":  # 09:00 in Berlin in November is 08:00 UTC
        assert source.fetch_changes(None, limit=5).next_after == "2026-11-22T08:00:00.000000Z#1"
        return
    with pytest.raises(InvalidInputError, match="固定时差"):
        source.fetch_changes(None, limit=5)


def test_a_timestamp_source_needs_the_clock(engine, table):
    with pytest.raises(ValueError, match="clock"):
        SharedTableSource(
            engine, table.name, watermark_column="gxsj", name=SOURCE, timestamp=TimestampOrder("id")
        )
