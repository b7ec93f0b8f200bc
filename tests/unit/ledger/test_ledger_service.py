"""Recording to the ledger, verifying it, and the audited audit-trail use cases."""

from dataclasses import replace
from datetime import timedelta

import pytest

from retirelink.errors import PermissionDeniedError
from retirelink.ledger.chain import state_digest
from retirelink.ledger.model import GENESIS_HASH, LedgerAction, LedgerHead
from retirelink.ledger.services import read_ledger, verify_and_record, verify_ledger
from retirelink.security.model import Actor, Role
from tests.fakes import FakeUnitOfWork, make_actor

ID_NUMBER = "13040619650312123X"
CLERK = make_actor(Role.CLERK, user_id=7, username="clerk")
AUDIT_ADMIN = make_actor(Role.AUDIT_ADMIN, user_id=9, username="auditadmin")


def record_reads(
    uow: FakeUnitOfWork, count: int, *, actor: Actor = CLERK, commit: bool = True
) -> None:
    for n in range(count):
        uow.ledger.record(
            actor=actor,
            action=LedgerAction.PERSON_READ,
            subject=uow.ledger.subject("person", ID_NUMBER),
            purpose=f"待遇核定{n}",
        )
        uow.clock.advance(timedelta(seconds=1))
    if commit:
        uow.commit()


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def test_record_numbers_entries_from_one_and_chains_each_to_the_previous(
    uow: FakeUnitOfWork,
) -> None:
    record_reads(uow, 3, commit=False)
    entries = uow.ledger_store.entries
    assert [e.seq for e in entries] == [1, 2, 3]
    assert [e.prev_hash for e in entries] == [
        GENESIS_HASH,
        entries[0].entry_hash,
        entries[1].entry_hash,
    ]
    assert uow.ledger_store.head() is None  # the head is written once, at commit
    uow.commit()
    assert uow.ledger_store.head() == LedgerHead(3, entries[2].entry_hash)


def test_the_next_transaction_chains_on_the_committed_head(uow: FakeUnitOfWork) -> None:
    record_reads(uow, 2)
    record_reads(uow, 1)

    _, second, third = uow.ledger_store.entries
    assert (third.seq, third.prev_hash) == (3, second.entry_hash)
    assert uow.ledger_store.head() == LedgerHead(3, third.entry_hash)


def test_record_copies_the_actor_the_time_and_the_algorithm(uow: FakeUnitOfWork) -> None:
    entry = uow.ledger.record(
        actor=CLERK,
        action=LedgerAction.PERSON_READ,
        subject=uow.ledger.subject("person", ID_NUMBER),
        purpose="待遇核定",
    )
    assert (entry.actor_id, entry.actor_name, entry.actor_roles) == (7, "clerk", "clerk")
    assert (entry.department, entry.action, entry.purpose) == ("SHEBAO", "person.read", "待遇核定")
    assert entry.recorded_at == uow.clock.now()
    assert entry.hash_alg == "sm3"


def test_subject_keys_are_pseudonymous_and_stable(uow: FakeUnitOfWork) -> None:
    subject = uow.ledger.subject("person", ID_NUMBER)
    assert subject.type == "person"
    assert ID_NUMBER not in subject.key
    assert subject == uow.ledger.subject("person", ID_NUMBER)
    assert subject.key == FakeUnitOfWork().ledger.subject("person", ID_NUMBER).key
    assert subject.key != uow.ledger.subject("person", "130406196503121231").key


def test_before_and_after_digests_are_empty_without_state(uow: FakeUnitOfWork) -> None:
    record_reads(uow, 1)
    entry = uow.ledger_store.entries[0]
    assert (entry.before_digest, entry.after_digest) == ("", "")


def test_before_and_after_digests_differ_when_the_state_differs(uow: FakeUnitOfWork) -> None:
    entry = uow.ledger.record(
        actor=CLERK,
        action=LedgerAction.ROLE_GRANT,
        subject=uow.ledger.subject("user", "clerk"),
        purpose="角色授权",
        before={"roles": ["clerk"]},
        after={"roles": ["clerk", "reviewer"]},
    )
    assert entry.before_digest == state_digest({"roles": ["clerk"]}, "sm3")
    assert len(entry.after_digest) == 64
    assert entry.before_digest != entry.after_digest


def test_equal_states_give_equal_digests(uow: FakeUnitOfWork) -> None:
    state = {"name": "张伟", "phone": None}
    entry = uow.ledger.record(
        actor=CLERK,
        action=LedgerAction.PERSON_CREATE,
        subject=uow.ledger.subject("person", ID_NUMBER),
        purpose="参保登记",
        before=dict(state),
        after=dict(reversed(state.items())),
    )
    assert entry.before_digest == entry.after_digest != ""


def test_a_sha256_ledger_seals_with_sha256() -> None:
    uow = FakeUnitOfWork(algorithm="sha256")
    record_reads(uow, 2)
    assert {e.hash_alg for e in uow.ledger_store.entries} == {"sha256"}
    assert verify_ledger(uow.ledger_store).ok


def test_verify_ledger_reports_an_intact_store(uow: FakeUnitOfWork) -> None:
    record_reads(uow, 5)
    report = verify_ledger(uow.ledger_store)
    assert (report.ok, report.entries_checked, report.head_seq, report.broken_seq) == (
        True,
        5,
        5,
        None,
    )


def test_verify_ledger_on_an_empty_store_is_ok(uow: FakeUnitOfWork) -> None:
    report = verify_ledger(uow.ledger_store)
    assert (report.ok, report.entries_checked, report.head_seq) == (True, 0, 0)


def test_verify_ledger_finds_an_edited_entry_in_the_store(uow: FakeUnitOfWork) -> None:
    record_reads(uow, 5)
    entries = uow.ledger_store.entries
    entries[2] = replace(entries[2], purpose="无正当理由")
    report = verify_ledger(uow.ledger_store)
    assert (report.ok, report.broken_seq, report.entries_checked) == (False, 3, 2)


def test_verify_ledger_finds_a_deleted_tail_through_the_stored_head(uow: FakeUnitOfWork) -> None:
    record_reads(uow, 5)
    del uow.ledger_store.entries[-2:]
    report = verify_ledger(uow.ledger_store)
    assert (report.ok, report.broken_seq, report.head_seq) == (False, 4, 5)


def test_a_clerk_may_not_verify_the_ledger_and_nothing_is_recorded(uow: FakeUnitOfWork) -> None:
    with pytest.raises(PermissionDeniedError):
        verify_and_record(uow, uow, actor=CLERK)
    assert (uow.ledger_store.entries, uow.commits) == ([], 0)


def test_verifying_the_ledger_is_itself_recorded_and_committed(uow: FakeUnitOfWork) -> None:
    record_reads(uow, 3)
    report = verify_and_record(uow, uow, actor=AUDIT_ADMIN)
    assert (report.ok, report.entries_checked) == (True, 3)
    last = uow.ledger_store.entries[-1]
    assert (last.seq, last.action, last.actor_name) == (4, "ledger.verify", "auditadmin")
    assert "完整" in last.purpose
    assert uow.commits == 2  # the setup reads, then the verification record


def test_a_failed_verification_is_recorded_with_the_broken_position(uow: FakeUnitOfWork) -> None:
    record_reads(uow, 3)
    entries = uow.ledger_store.entries
    entries[1] = replace(entries[1], actor_name="someone-else")
    report = verify_and_record(uow, uow, actor=AUDIT_ADMIN)
    assert report.broken_seq == 2
    assert "第2条" in uow.ledger_store.entries[-1].purpose


@pytest.mark.parametrize("role", [Role.CLERK, Role.SYS_ADMIN, Role.SYSTEM])
def test_reading_the_ledger_requires_the_ledger_read_permission(
    uow: FakeUnitOfWork, role: Role
) -> None:
    with pytest.raises(PermissionDeniedError):
        read_ledger(uow, actor=make_actor(role))
    assert (uow.ledger_store.entries, uow.commits) == ([], 0)


def test_reading_the_ledger_returns_newest_first_and_is_recorded(uow: FakeUnitOfWork) -> None:
    record_reads(uow, 3)
    entries = read_ledger(uow, actor=AUDIT_ADMIN)
    assert [e.seq for e in entries] == [3, 2, 1]
    assert uow.ledger_store.actions()[-1] == "ledger.read"
    assert uow.commits == 2  # the setup reads, then the audit read record


def test_reading_the_ledger_can_filter_by_action(uow: FakeUnitOfWork) -> None:
    record_reads(uow, 2)
    verify_and_record(uow, uow, actor=AUDIT_ADMIN)
    entries = read_ledger(uow, actor=AUDIT_ADMIN, action="ledger.verify")
    assert [e.action for e in entries] == ["ledger.verify"]
