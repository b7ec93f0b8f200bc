"""Pulling a partner feed by watermark on the real database: batches applied with their cursor,
resumed after an interruption, stopped at a rejected batch, reconciled by counts."""

import json
from datetime import date

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, text

from retirelink.archives.model import DepartmentKind
from retirelink.errors import PartnerResponseError, UnavailableError
from retirelink.exchange.catalogue import load_catalogue
from retirelink.exchange.layouts import layout_for
from retirelink.exchange.model import (
    ChangeBatch,
    JobStatus,
    PartnerLink,
    SourceRecord,
    SyncStatus,
    Transport,
)
from retirelink.exchange.receipts import verify_receipt
from retirelink.exchange.registry import FeedSpec
from retirelink.exchange.sources.shared_table import SharedTableSource
from retirelink.exchange.sources.table_reader import table_prefetcher
from retirelink.exchange.sync import Feed, restart_feed, sync_feed
from retirelink.ledger.model import LedgerAction
from retirelink.rules.identifiers import parse_id_number
from retirelink.security.crypto import digest_hex
from retirelink.security.model import SYSTEM_ACTOR
from tests.e2e.helpers import ledger_actions
from tests.support.builders import make_id_number
from tests.support.partner_files import wrong_check_digit

pytestmark = pytest.mark.integration

CATALOGUE = load_catalogue()
PRISON = "justice.prisoners_in_custody"
CERTIFICATE = "health.death_medical_certificate"
LINK = PartnerLink("SIFA", DepartmentKind.JUSTICE, "SIFA-130406", "http://127.0.0.1:9", b"k" * 32)


class FakeSource:
    """A partner feed held in memory; ``fail_at`` makes the n-th fetch raise."""

    def __init__(self, records, *, name="justice.prisoners_in_custody@table"):
        self.records = list(records)
        self.name = name
        self.fetches = 0
        self.fail_at: dict[int, Exception] = {}
        self.extra_count = 0

    def fetch_changes(self, after, *, limit):
        self.fetches += 1
        if self.fetches in self.fail_at:
            raise self.fail_at[self.fetches]
        start = int(after or 0)
        newer = [(seq, fields) for seq, fields in self.records if seq > start][:limit]
        records = tuple(SourceRecord(dict(fields), str(seq)) for seq, fields in newer)
        more = any(seq > newer[-1][0] for seq, _ in self.records) if newer else False
        payload = json.dumps([[r.position, r.fields] for r in records], sort_keys=True)
        return ChangeBatch(
            source=self.name,
            after=after,
            records=records,
            next_after=records[-1].position if records else after,
            has_more=more,
            digest=digest_hex(payload.encode()),
        )

    def count_between(self, after, upto):
        low = int(after or 0)
        held = sum(1 for seq, _ in self.records if low < seq <= int(upto))
        return held + self.extra_count


def prisoner(seq, *, id_number=None, released=""):
    return (
        seq,
        {
            "zjhm": id_number or make_id_number("19600101", sequence=f"{seq:03d}"),
            "xm": "张三",
            "xb": "1",
            "xfzl": "有期徒刑",
            "jyrq": "20200105",
            "sfrq": released,
            "zxjg": "河北省某监狱",
        },
    )


def feed_of(source, item=PRISON):
    return Feed(
        source=source,
        item=CATALOGUE.item(item),
        layout=layout_for(item),
        link=LINK,
        transport=Transport.TABLE_SYNC,
    )


def stored(services):
    with services.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM partner_records")).scalar_one()


def test_a_feed_is_pulled_in_batches_and_the_cursor_kept(seeded):
    source = FakeSource([prisoner(n) for n in range(1, 8)])

    report = sync_feed(seeded.uow, feed_of(source), batch_size=3)

    assert (report.status, report.batches, report.rows, report.applied) == (SyncStatus.OK, 3, 7, 7)
    assert report.watermark == "7"
    assert stored(seeded) == 7
    with seeded.uow() as uow:
        cursor = uow.sync_cursors.get(source.name)
        jobs = uow.exchange_jobs.recent(limit=10, transport=Transport.TABLE_SYNC)
        receipt = uow.receipts.for_job(jobs[0].id)
    assert (cursor.watermark, cursor.rows_received) == ("7", 7)
    assert len(jobs) == 3
    assert receipt is not None and verify_receipt(receipt, LINK.receipt_key)


def test_a_second_run_takes_only_what_was_added_since(seeded):
    source = FakeSource([prisoner(n) for n in range(1, 4)])
    sync_feed(seeded.uow, feed_of(source))
    source.records.append(prisoner(4, released="20240105"))

    report = sync_feed(seeded.uow, feed_of(source))

    assert (report.rows, report.applied, report.watermark) == (1, 1, "4")
    assert stored(seeded) == 4


def test_a_partner_going_down_mid_sync_leaves_the_cursor_at_the_last_batch_and_resumes(seeded):
    source = FakeSource([prisoner(n) for n in range(1, 10)])
    source.fail_at[3] = UnavailableError("司法系统连接超时")

    interrupted = sync_feed(seeded.uow, feed_of(source), batch_size=3)

    assert interrupted.status is SyncStatus.FAILED
    assert interrupted.message == "司法系统连接超时"
    assert interrupted.watermark == "6"
    assert stored(seeded) == 6
    resumed = sync_feed(seeded.uow, feed_of(source), batch_size=3)
    assert (resumed.status, resumed.rows) == (SyncStatus.OK, 3)
    assert stored(seeded) == 9


def test_garbage_from_the_partner_changes_nothing(seeded):
    source = FakeSource([prisoner(n) for n in range(1, 4)])
    source.fail_at[1] = PartnerResponseError("司法系统返回的内容不是有效的 JSON")

    report = sync_feed(seeded.uow, feed_of(source))

    assert report.status is SyncStatus.FAILED
    assert stored(seeded) == 0
    with seeded.uow() as uow:
        cursor = uow.sync_cursors.get(source.name)
    assert (cursor.watermark, cursor.last_status) == (None, SyncStatus.FAILED)
    assert "JSON" in cursor.last_error


def test_a_rejected_batch_stops_the_feed_there_until_the_partner_fixes_it(seeded):
    bad_id = wrong_check_digit(make_id_number("19600101", sequence="005"))
    records = [prisoner(n) for n in range(1, 4)]
    source = FakeSource([*records, prisoner(4, id_number=bad_id), prisoner(5)])

    stopped = sync_feed(seeded.uow, feed_of(source), batch_size=3)

    assert stopped.status is SyncStatus.FAILED
    assert stopped.watermark == "3"
    assert stopped.rejected is not None
    assert stopped.rejected.job.status is JobStatus.REJECTED
    assert [issue.row_number for issue in stopped.rejected.issues] == [4]
    assert stored(seeded) == 3
    # The partner corrects the record; the next run applies the rest.
    source.records[3] = prisoner(4)
    fixed = sync_feed(seeded.uow, feed_of(source), batch_size=3)
    assert fixed.status is SyncStatus.OK
    assert stored(seeded) == 5


def test_rows_the_partner_holds_behind_our_watermark_are_a_ledgered_mismatch(seeded):
    source = FakeSource([prisoner(n) for n in range(1, 4)])
    source.extra_count = 2  # two rows committed late, with positions we already passed

    report = sync_feed(seeded.uow, feed_of(source))

    assert report.status is SyncStatus.MISMATCH
    assert "对方截至水位3共有5条，我方已接收3条" in report.message
    assert ledger_actions(seeded, LedgerAction.EXCHANGE_SYNC_MISMATCH)
    with seeded.uow() as uow:
        restart_feed(uow, actor=SYSTEM_ACTOR, source=source.name)
    source.extra_count = 0
    again = sync_feed(seeded.uow, feed_of(source))
    assert again.status is SyncStatus.OK
    assert (again.rows, again.applied) == (3, 0)  # re-read, recognised as held
    assert stored(seeded) == 3


def test_a_health_feed_is_mapped_from_the_partners_field_names(seeded):
    old_id = "130406600101007"  # a 15-digit number, upgraded to 18 on the way in
    record = {"sfzh": old_id, "xm": "李四", "xb": "男", "swsj": "2026-11-02 14:20"}
    source = FakeSource([(1, record)], name="health.death_medical_certificate@api")

    report = sync_feed(seeded.uow, feed_of(source, CERTIFICATE))

    assert report.status is SyncStatus.OK
    with seeded.engine.connect() as conn:
        row = conn.execute(text("SELECT id_number, event_date FROM partner_records")).one()
    assert row.id_number == parse_id_number(old_id, on=date(2026, 11, 23)).value
    assert row.id_number.startswith("13040619600101007")
    assert str(row.event_date) == "2026-11-02"


def test_a_table_backlog_is_read_by_a_reader_process_with_the_same_outcome(seeded, tmp_path):
    url = f"sqlite:///{tmp_path / 'partner.db'}"
    engine = create_engine(url)
    table = Table(
        "prisoners",
        MetaData(),
        Column("seq", Integer, primary_key=True),
        Column("zjhm", String(18)),
        Column("xm", String(20)),
        Column("jyrq", String(10)),
        Column("sfrq", String(10)),
        Column("xfzl", String(20)),
    )
    table.create(engine)
    rows = [dict(prisoner(n)[1], seq=n) for n in range(1, 26)]
    rows[20]["zjhm"] = wrong_check_digit(rows[20]["zjhm"])  # row 21: rejected in the reader
    with engine.begin() as conn:
        conn.execute(table.insert(), [{c.name: r[c.name] for c in table.c} for r in rows])
    spec = FeedSpec("SIFA", PRISON, "table", url, "prisoners", "seq")
    source = SharedTableSource(engine, "prisoners", watermark_column="seq", name=spec.name)
    feed = Feed(
        source,
        CATALOGUE.item(PRISON),
        layout_for(PRISON),
        LINK,
        Transport.TABLE_SYNC,
        prefetch=table_prefetcher(spec, source),
    )

    report = sync_feed(seeded.uow, feed, batch_size=10)

    engine.dispose()
    # Batch 1 was read here, batch 2 by the reader process; batch 3 holds the bad row.
    assert report.status is SyncStatus.FAILED
    assert (report.batches, report.rows, report.watermark) == (3, 20, "20")
    assert report.rejected is not None
    assert [issue.row_number for issue in report.rejected.issues] == [21]
    assert stored(seeded) == 20
