"""The ledger's chain catches edits, deletions and reordering made directly in the database."""

import pytest
from sqlalchemy import text

from retirelink.ledger.model import LedgerAction
from retirelink.ledger.services import verify_ledger
from retirelink.security.model import SYSTEM_ACTOR

pytestmark = pytest.mark.integration


def write_entries(services, count=10):
    with services.uow() as uow:
        for index in range(count):
            uow.ledger.record(
                actor=SYSTEM_ACTOR,
                action=LedgerAction.PERSON_READ,
                subject=uow.ledger.subject("person", f"13040619650312{index:04d}"),
                purpose=f"测试读取{index}",
            )
        uow.commit()


def verify(services):
    with services.uow() as uow:
        return verify_ledger(uow.ledger.store)


def tamper(services, sql, **params):
    with services.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_an_untouched_ledger_verifies(services):
    write_entries(services)
    report = verify(services)
    assert report.ok
    assert report.entries_checked == 10


def test_an_edited_purpose_is_caught_at_that_entry(services):
    write_entries(services)
    tamper(services, "UPDATE ledger_entries SET purpose = '无' WHERE seq = 4")

    report = verify(services)

    assert report.broken is not None
    assert report.broken.seq == 4
    assert "篡改" in report.broken.reason


def test_a_deleted_entry_is_caught_where_the_gap_is(services):
    write_entries(services)
    tamper(services, "DELETE FROM ledger_entries WHERE seq = 6")

    report = verify(services)

    assert report.broken is not None
    assert report.broken.seq == 6


def test_swapped_entries_are_caught_at_the_first_swapped_position(services):
    write_entries(services)
    tamper(services, "UPDATE ledger_entries SET seq = -3 WHERE seq = 3")
    tamper(services, "UPDATE ledger_entries SET seq = 3 WHERE seq = 7")
    tamper(services, "UPDATE ledger_entries SET seq = 7 WHERE seq = -3")

    report = verify(services)

    assert report.broken is not None
    assert report.broken.seq == 3


def test_a_deleted_tail_is_caught_by_the_stored_head(services):
    write_entries(services)
    tamper(services, "DELETE FROM ledger_entries WHERE seq >= 9")

    report = verify(services)

    assert report.broken is not None
    assert report.broken.seq == 9


def test_a_rolled_back_use_case_leaves_no_ledger_entry(services):
    with services.uow() as uow:
        uow.ledger.record(
            actor=SYSTEM_ACTOR,
            action=LedgerAction.PERSON_READ,
            subject=uow.ledger.subject("person", "x"),
            purpose="未提交",
        )
        # no commit: leaving the block rolls back

    report = verify(services)
    assert report.ok
    assert report.entries_checked == 0


def test_a_long_read_only_verification_does_not_block_a_writer(services):
    write_entries(services, count=3)

    with services.uow(read_only=True) as reader:
        entries = reader.ledger.store.iter_entries()
        first = next(entries)  # the read transaction is open and holds its snapshot
        write_entries(services, count=1)  # must not wait for the reader to finish
        rest = list(entries)

    assert first.seq == 1
    assert [e.seq for e in rest] in ([2, 3], [2, 3, 4])  # snapshot isolation may differ
    assert verify(services).entries_checked == 4
