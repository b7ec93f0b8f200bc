"""Table sync by change timestamp (更新时间水位) end to end on the real databases: the partner's
table on a scratch database of the suite's backend, the platform's on the suite's database.
Ties split across batches, resuming, the settle lag, reconciliation catching a late row, a bad
cursor, and the reader process."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, String, Table, create_engine

from retirelink.archives.model import DepartmentKind
from retirelink.errors import UnavailableError
from retirelink.exchange.catalogue import load_catalogue
from retirelink.exchange.layouts import layout_for
from retirelink.exchange.model import (
    PartnerLink,
    SyncCursor,
    SyncStatus,
    Transport,
    WatermarkKind,
)
from retirelink.exchange.registry import FeedSpec
from retirelink.exchange.sources.shared_table import SharedTableSource
from retirelink.exchange.sources.table_reader import table_prefetcher
from retirelink.exchange.sources.watermarks import TimestampOrder
from retirelink.exchange.sync import Feed, restart_feed, sync_feed
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import SYSTEM_ACTOR
from tests.conftest import TEST_NOW
from tests.e2e.helpers import ledger_actions
from tests.support.builders import make_id_number
from tests.support.databases import configured_url, is_postgres, scratch_postgres
from tests.support.partner_files import wrong_check_digit

pytestmark = pytest.mark.integration

CATALOGUE = load_catalogue()
PRISON = "justice.prisoners_in_custody"
NAME = f"{PRISON}@table"
LINK = PartnerLink("SIFA", DepartmentKind.JUSTICE, "SIFA-130406", "http://127.0.0.1:9", b"k" * 32)
SHANGHAI = ZoneInfo("Asia/Shanghai")
# The partner keeps Beijing time without a zone; the test clock stands at 10:30 in Beijing.
LOCAL_NOW = TEST_NOW.astimezone(SHANGHAI).replace(tzinfo=None)
EARLIER = LOCAL_NOW - timedelta(hours=1)


def utc_text(local: datetime) -> str:
    instant = local.replace(tzinfo=SHANGHAI).astimezone(UTC).replace(tzinfo=None)
    return instant.isoformat(timespec="microseconds") + "Z"


@pytest.fixture
def partner_url(tmp_path) -> Iterator[str]:
    url = configured_url()
    if url and is_postgres(url):
        with scratch_postgres(url, prefix="rl_partner_sync") as scratch:
            yield scratch
    else:
        yield f"sqlite:///{tmp_path / 'partner.db'}"


@pytest.fixture
def partner(partner_url) -> Iterator[tuple[Engine, Table]]:
    engine = create_engine(partner_url)
    table = Table(
        "jy_bgjl",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("zjhm", String(18)),
        Column("xm", String(20)),
        Column("xb", String(1)),
        Column("xfzl", String(20)),
        Column("jyrq", String(8)),
        Column("sfrq", String(8)),
        Column("zxjg", String(40)),
        Column("gxsj", DateTime),  # 更新时间: local time, no zone
    )
    table.create(engine)
    yield engine, table
    engine.dispose()


def write(partner, rows: list[tuple[int, datetime]]) -> None:
    engine, table = partner
    with engine.begin() as conn:
        conn.execute(
            table.insert(),
            [
                {
                    "id": key,
                    "zjhm": make_id_number("19600101", sequence=f"{key:03d}"),
                    "xm": "张三",
                    "xb": "1",
                    "xfzl": "有期徒刑",
                    "jyrq": "20200105",
                    "sfrq": None,
                    "zxjg": "河北省某监狱",
                    "gxsj": at,
                }
                for key, at in rows
            ],
        )


def timestamp_source(partner, clock, *, settle: float = 5) -> SharedTableSource:
    engine, table = partner
    return SharedTableSource(
        engine,
        table.name,
        watermark_column="gxsj",
        name=NAME,
        timestamp=TimestampOrder("id", timedelta(seconds=settle), SHANGHAI),
        clock=clock,
    )


class Interrupted:
    """A source whose n-th fetch fails (the partner going down mid-sync)."""

    def __init__(self, source: SharedTableSource, fail_at: int) -> None:
        self.source, self.fail_at, self.fetches = source, fail_at, 0
        self.name = source.name

    def fetch_changes(self, after, *, limit):
        self.fetches += 1
        if self.fetches == self.fail_at:
            raise UnavailableError("司法前置库连接中断")
        return self.source.fetch_changes(after, limit=limit)

    def count_between(self, after, upto):
        return self.source.count_between(after, upto)


def feed_of(source, prefetch=None) -> Feed:
    return Feed(
        source, CATALOGUE.item(PRISON), layout_for(PRISON), LINK, Transport.TABLE_SYNC, prefetch
    )


def stored(services) -> int:
    with services.uow() as uow:
        return uow.partner_records.count(PRISON)


def cursor_of(services) -> SyncCursor:
    with services.uow() as uow:
        found = uow.sync_cursors.get(NAME)
    assert found is not None
    return found


def test_rows_sharing_a_timestamp_across_batches_are_applied_once_and_reconcile(
    seeded, partner, clock
):
    write(partner, [(k, EARLIER) for k in (4, 1, 7, 3, 6, 2, 5)])
    write(partner, [(k, EARLIER + timedelta(minutes=1)) for k in (8, 9, 10)])

    report = sync_feed(seeded.uow, feed_of(timestamp_source(partner, clock)), batch_size=3)

    assert (report.status, report.batches, report.rows, report.applied) == (
        SyncStatus.OK,
        4,
        10,
        10,
    )
    assert report.message == ""  # the partner's count up to the watermark matched
    last = f"{utc_text(EARLIER + timedelta(minutes=1))}#10"
    assert report.watermark == last
    assert (cursor_of(seeded).watermark, cursor_of(seeded).rows_received) == (last, 10)
    assert stored(seeded) == 10
    with seeded.uow() as uow:
        jobs = uow.exchange_jobs.recent(limit=10, transport=Transport.TABLE_SYNC)
    assert sorted(job.rows_applied for job in jobs) == [1, 3, 3, 3]
    again = sync_feed(seeded.uow, feed_of(timestamp_source(partner, clock)), batch_size=3)
    assert (again.status, again.rows, again.watermark) == (SyncStatus.OK, 0, last)


def test_an_interrupted_sync_resumes_after_the_last_committed_batch(seeded, partner, clock):
    write(partner, [(k, EARLIER + timedelta(seconds=k // 4)) for k in range(1, 11)])
    broken = Interrupted(timestamp_source(partner, clock), fail_at=3)

    interrupted = sync_feed(seeded.uow, feed_of(broken), batch_size=3)

    assert interrupted.status is SyncStatus.FAILED
    assert interrupted.message == "司法前置库连接中断"
    assert interrupted.watermark == f"{utc_text(EARLIER + timedelta(seconds=1))}#6"
    assert stored(seeded) == 6
    resumed = sync_feed(seeded.uow, feed_of(timestamp_source(partner, clock)), batch_size=3)
    assert (resumed.status, resumed.rows, resumed.applied) == (SyncStatus.OK, 4, 4)
    assert stored(seeded) == 10
    assert cursor_of(seeded).rows_received == 10


def test_the_settle_lag_holds_back_a_just_written_row_and_a_later_pull_delivers_it(
    seeded, partner, clock
):
    write(partner, [(1, EARLIER), (2, LOCAL_NOW - timedelta(seconds=2))])

    first = sync_feed(seeded.uow, feed_of(timestamp_source(partner, clock, settle=5)))
    clock.advance(timedelta(seconds=4))
    later = sync_feed(seeded.uow, feed_of(timestamp_source(partner, clock, settle=5)))

    assert (first.status, first.rows, first.watermark) == (
        SyncStatus.OK,
        1,
        f"{utc_text(EARLIER)}#1",
    )
    assert (later.status, later.rows) == (SyncStatus.OK, 1)
    assert later.watermark == f"{utc_text(LOCAL_NOW - timedelta(seconds=2))}#2"
    assert stored(seeded) == 2


def test_a_transaction_committing_within_the_settle_lag_behind_a_later_row_is_not_missed(
    seeded, partner, clock
):
    # T1 took its timestamp first but commits after T2; we pull in between.
    write(partner, [(1, EARLIER)])
    t1_time, t2_time = LOCAL_NOW - timedelta(seconds=3), LOCAL_NOW - timedelta(seconds=1)
    write(partner, [(3, t2_time)])  # T2 commits
    between = sync_feed(seeded.uow, feed_of(timestamp_source(partner, clock, settle=5)))
    write(partner, [(2, t1_time)])  # T1 commits, 2 s after its timestamp
    clock.advance(timedelta(seconds=10))

    after = sync_feed(seeded.uow, feed_of(timestamp_source(partner, clock, settle=5)))

    assert (between.rows, after.rows) == (1, 2)
    assert after.status is SyncStatus.OK
    assert stored(seeded) == 3


def test_a_row_committed_behind_the_watermark_after_the_lag_is_a_ledgered_mismatch(
    seeded, partner, clock
):
    write(partner, [(k, EARLIER) for k in (2, 3, 4)])
    sync_feed(seeded.uow, feed_of(timestamp_source(partner, clock)))
    # A transaction open longer than the lag: its row carries an old time (and here a key
    # below the last one read), so it lands behind our watermark. A new row follows.
    write(partner, [(1, EARLIER), (5, EARLIER + timedelta(minutes=5))])

    report = sync_feed(seeded.uow, feed_of(timestamp_source(partner, clock)))

    assert (report.status, report.rows) == (SyncStatus.MISMATCH, 1)
    assert "共有5条，我方已接收4条，相差1条" in report.message
    assert ledger_actions(seeded, LedgerAction.EXCHANGE_SYNC_MISMATCH)
    assert cursor_of(seeded).last_status is SyncStatus.MISMATCH
    assert stored(seeded) == 4
    with seeded.uow() as uow:
        restart_feed(uow, actor=SYSTEM_ACTOR, source=NAME)
    again = sync_feed(seeded.uow, feed_of(timestamp_source(partner, clock)))
    assert (again.status, again.rows, again.applied) == (SyncStatus.OK, 5, 1)
    assert stored(seeded) == 5


def test_a_bad_stored_cursor_stops_the_feed_in_chinese_and_changes_nothing(seeded, partner, clock):
    write(partner, [(1, EARLIER)])
    # Left from the time the feed was read by an integer sequence.
    with seeded.uow() as uow:
        uow.sync_cursors.save(SyncCursor(NAME, "1234", 1234, clock.now(), SyncStatus.OK))
        uow.commit()

    report = sync_feed(seeded.uow, feed_of(timestamp_source(partner, clock)))

    assert report.status is SyncStatus.FAILED
    assert "同步游标“1234”不是更新时间水位" in report.message
    assert "restart-feed" in report.message
    cursor = cursor_of(seeded)
    assert (cursor.watermark, cursor.rows_received) == ("1234", 1234)
    assert cursor.last_error == report.message
    assert stored(seeded) == 0
    with seeded.uow() as uow:
        assert uow.exchange_jobs.recent(limit=5, transport=Transport.TABLE_SYNC) == []


def test_a_timestamp_backlog_read_by_a_reader_process_holds_back_the_same_rows(
    seeded, partner, clock, partner_url
):
    write(partner, [(k, EARLIER + timedelta(seconds=k // 7)) for k in range(1, 26)])
    write(partner, [(26, LOCAL_NOW - timedelta(seconds=1))])  # within the lag: not yet
    spec = FeedSpec(
        "SIFA",
        PRISON,
        "table",
        partner_url,
        partner[1].name,
        "gxsj",
        watermark_kind=WatermarkKind.TIMESTAMP,
        tiebreak="id",
    )
    source = timestamp_source(partner, clock)

    report = sync_feed(
        seeded.uow, feed_of(source, table_prefetcher(spec, source, clock)), batch_size=10
    )

    # Batch 1 was read here, batches 2 and 3 by the reader process, with the same clock.
    assert (report.status, report.batches, report.rows) == (SyncStatus.OK, 3, 25)
    assert report.watermark == f"{utc_text(EARLIER + timedelta(seconds=3))}#25"
    assert stored(seeded) == 25


def test_a_timestamp_feed_without_the_clock_cannot_have_a_reader_process(partner, clock):
    spec = FeedSpec(
        "SIFA", PRISON, "table", "sqlite://", "t", "gxsj", WatermarkKind.TIMESTAMP, "id"
    )

    with pytest.raises(ValueError, match="clock"):
        table_prefetcher(spec, timestamp_source(partner, clock))


def test_the_composition_root_builds_a_timestamp_source_from_a_registry_entry(
    seeded, partner, clock, partner_url
):
    write(partner, [(1, EARLIER), (2, LOCAL_NOW)])
    spec = FeedSpec(
        "SIFA",
        PRISON,
        "table",
        partner_url,
        partner[1].name,
        "gxsj",
        watermark_kind=WatermarkKind.TIMESTAMP,
        tiebreak="id",
        settle_seconds=5,
    )

    source = seeded.feed_sources(spec, LINK)
    batch = source.fetch_changes(None, limit=10)

    # The services' clock decides what has settled: the row written "now" waits.
    assert [record.position for record in batch.records] == [f"{utc_text(EARLIER)}#1"]
    clock.advance(timedelta(seconds=5))
    assert source.fetch_changes(batch.next_after, limit=10).count == 1


def test_a_rejected_batch_numbers_rows_by_their_key_and_stops_the_feed_until_fixed(
    seeded, partner, clock
):
    write(partner, [(k, EARLIER) for k in (10, 20, 30, 40)])
    engine, table = partner
    good = make_id_number("19600101", sequence="040")
    with engine.begin() as conn:
        conn.execute(table.update().where(table.c.id == 40).values(zjhm=wrong_check_digit(good)))

    stopped = sync_feed(seeded.uow, feed_of(timestamp_source(partner, clock)), batch_size=3)

    assert stopped.status is SyncStatus.FAILED
    assert stopped.watermark == f"{utc_text(EARLIER)}#30"
    assert stopped.rejected is not None
    assert [issue.row_number for issue in stopped.rejected.issues] == [40]
    with engine.begin() as conn:
        conn.execute(table.update().where(table.c.id == 40).values(zjhm=good))
    fixed = sync_feed(seeded.uow, feed_of(timestamp_source(partner, clock)), batch_size=3)
    assert (fixed.status, fixed.rows) == (SyncStatus.OK, 1)
    assert stored(seeded) == 4


def test_a_corrected_batch_between_long_cursors_is_not_taken_for_the_rejected_one(
    seeded, partner_url, clock
):
    # Text keys of 72 characters make cursors of 100; with a long feed name the batch's
    # identity would no longer fit 255 characters with its digest.
    engine = create_engine(partner_url)
    table = Table(
        "jy_bgjl_txt",
        MetaData(),
        Column("bh", String(80), primary_key=True),
        Column("zjhm", String(18)),
        Column("xm", String(20)),
        Column("jyrq", String(8)),
        Column("gxsj", DateTime),
    )
    table.create(engine)
    ids = {n: make_id_number("19600101", sequence=f"{n:03d}") for n in range(1, 7)}
    with engine.begin() as conn:
        conn.execute(
            table.insert(),
            [
                {
                    "bh": f"ZF{n:0>70}",
                    "zjhm": wrong_check_digit(ids[n]) if n == 5 else ids[n],
                    "xm": "李四",
                    "jyrq": "20200105",
                    "gxsj": EARLIER + timedelta(minutes=n // 4),
                }
                for n in ids
            ],
        )
    source = SharedTableSource(
        engine,
        table.name,
        watermark_column="gxsj",
        name="justice.prisoners_in_custody@table:qianzhiku-provincial",
        timestamp=TimestampOrder("bh", timedelta(seconds=5), SHANGHAI),
        clock=clock,
    )

    stopped = sync_feed(seeded.uow, feed_of(source), batch_size=3)
    with engine.begin() as conn:
        conn.execute(table.update().where(table.c.bh == f"ZF{5:0>70}").values(zjhm=ids[5]))
    fixed = sync_feed(seeded.uow, feed_of(source), batch_size=3)
    engine.dispose()

    assert stopped.status is SyncStatus.FAILED
    assert stopped.rejected is not None
    assert [issue.row_number for issue in stopped.rejected.issues] == [2]  # place in batch
    assert (fixed.status, fixed.rows, fixed.applied) == (SyncStatus.OK, 3, 3)
    assert stored(seeded) == 6
    with seeded.uow() as uow:
        jobs = uow.exchange_jobs.recent(limit=10, transport=Transport.TABLE_SYNC)
    assert all(len(job.dedupe_key) <= 255 for job in jobs)
