"""Importing a partner department's file on the real database: all or nothing, once."""

import pytest
from sqlalchemy import text

from retirelink.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from retirelink.exchange.catalogue import load_catalogue
from retirelink.exchange.model import JobStatus
from retirelink.exchange.services import import_partner_file, recent_files
from retirelink.ledger.model import LedgerAction
from tests.support.builders import actor_for
from tests.support.partner_files import BAD_FILE, DEATH_ITEM, GOOD_FILE, NEXT_FILE

pytestmark = pytest.mark.integration

CATALOGUE = load_catalogue()
RECEIPT_KEY = b"receipt-key-for-the-tests-0123456"


def run_import(services, data, *, username="clerk", item=DEATH_ITEM, filename="death.csv"):
    actor = actor_for(services, username)
    with services.uow() as uow:
        return import_partner_file(
            uow,
            actor=actor,
            data=data,
            filename=filename,
            item_code=item,
            catalogue=CATALOGUE,
            receipt_key=RECEIPT_KEY,
        )


def partner_record_count(services):
    with services.uow() as uow:
        return uow.partner_records.count(DEATH_ITEM)


def ledger_actions(services):
    with services.engine.connect() as conn:
        return [row[0] for row in conn.execute(text("SELECT action FROM ledger_entries"))]


def test_a_file_with_bad_rows_is_rejected_whole_with_every_bad_row_reported(seeded):
    outcome = run_import(seeded, BAD_FILE)

    assert not outcome.applied
    assert outcome.job.status is JobStatus.REJECTED
    assert {(issue.row_number, issue.field) for issue in outcome.issues} == {
        (3, "id_number"),
        (4, "event_date"),
    }
    assert outcome.job.rows_applied == 0
    assert partner_record_count(seeded) == 0
    assert LedgerAction.EXCHANGE_FILE_REJECTED in ledger_actions(seeded)


def test_the_report_of_a_rejected_file_can_be_shown_later(seeded):
    run_import(seeded, BAD_FILE)

    with seeded.uow() as uow:
        (stored,) = recent_files(uow, actor=actor_for(seeded, "clerk"))

    assert stored.status is JobStatus.REJECTED
    assert stored.issue_count == 2
    assert [issue.row_number for issue in stored.issues] == [3, 4]
    assert all(issue.message_zh for issue in stored.issues)


def test_the_fixed_file_is_applied_with_its_rows_counted_and_ledgered(seeded):
    run_import(seeded, BAD_FILE)

    outcome = run_import(seeded, GOOD_FILE, filename="death-fixed.csv")

    assert outcome.applied
    assert not outcome.duplicate
    assert (outcome.job.rows_total, outcome.job.rows_applied) == (3, 3)
    assert outcome.job.encoding.lower() in {"gbk", "gb18030"}
    assert partner_record_count(seeded) == 3
    assert LedgerAction.EXCHANGE_FILE_IMPORTED in ledger_actions(seeded)


def test_the_same_file_sent_again_is_recognised_and_not_applied_twice(seeded):
    first = run_import(seeded, GOOD_FILE)

    again = run_import(seeded, GOOD_FILE, filename="death-copy.csv")

    assert again.duplicate
    assert again.job.id == first.job.id
    assert partner_record_count(seeded) == 3
    assert LedgerAction.EXCHANGE_FILE_DUPLICATE in ledger_actions(seeded)
    with seeded.uow() as uow:
        assert len(recent_files(uow, actor=actor_for(seeded, "clerk"))) == 1


def test_a_different_file_repeating_a_stored_record_skips_it(seeded):
    run_import(seeded, GOOD_FILE)

    outcome = run_import(seeded, NEXT_FILE, filename="death-2.csv")

    assert outcome.applied
    assert (outcome.job.rows_total, outcome.job.rows_applied) == (2, 1)
    assert outcome.job.rows_skipped == 1
    assert partner_record_count(seeded) == 4


def test_a_reviewer_may_not_import(seeded):
    with pytest.raises(PermissionDeniedError):
        run_import(seeded, GOOD_FILE, username="reviewer")

    assert partner_record_count(seeded) == 0


def test_an_unknown_item_is_not_found(seeded):
    with pytest.raises(NotFoundError):
        run_import(seeded, GOOD_FILE, item="public_security.no_such_item")


def test_an_item_without_an_event_date_is_refused(seeded):
    with pytest.raises(InvalidInputError):
        run_import(seeded, GOOD_FILE, item="public_security.household_registration")

    assert partner_record_count(seeded) == 0
