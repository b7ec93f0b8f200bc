"""A pre-review run on the real database: who is in view, the checklists it keeps, the
notices it queues once, their delivery through the file notifier, and bad input."""

import json
import sqlite3
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, make_url, text

from retirelink.archives.cataloguing import MaterialEntry, catalogue_material, open_archive
from retirelink.archives.fact_kinds import FactKind
from retirelink.archives.facts import add_fact
from retirelink.archives.holdings import DatePrecision, FuzzyDate
from retirelink.archives.insured import (
    InsuranceStatus,
)
from retirelink.archives.material_classes import ArchiveKind, MaterialType
from retirelink.errors import InvalidInputError, PermissionDeniedError
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import SYSTEM_ACTOR, Actor, Role
from retirelink.workflow.model import ChecklistStatus, ItemCode
from retirelink.workflow.notifiers import FileNotifier
from retirelink.workflow.ports import Notification, NotifierError
from retirelink.workflow.services import (
    MAX_SEND_ATTEMPTS,
    deliver_notifications,
    run_prereview,
    run_scheduled_prereview,
)
from tests.support.databases import is_postgres
from tests.support.insured import CREDIT_CODE, PHONE, insured_person, register_test_employer

pytestmark = pytest.mark.integration

# The test clock is 2026-11-23: a six-month run looks at 2026-11 … 2027-05. A man born in
# August 1966 retires at 60 years 5 months (附件1): January 2027.
CLERK = Actor(2, "clerk", "窗口", "SHEBAO", frozenset({Role.CLERK}))


@pytest.fixture
def district(seeded):
    register_test_employer(seeded)
    due = insured_person(seeded, birth="19660815", name="王建国", months=170)
    no_archive = insured_person(seeded, birth="19660920", name="李明", months=300)
    insured_person(seeded, birth="19800101", name="赵强", months=200)  # 2040: out of view
    insured_person(
        seeded, birth="19661001", name="孙亮", months=300, status=InsuranceStatus.RETIRED
    )
    with seeded.uow() as uow:
        archive = open_archive(
            uow,
            actor=SYSTEM_ACTOR,
            id_number=due.id_number,
            archive_number="FF-TEST-0001",
            kind=ArchiveKind.ENTERPRISE_WORKER,
            custodian="峰峰矿区档案馆",
            location="A-1-1",
        )
        catalogue_material(
            uow,
            actor=SYSTEM_ACTOR,
            archive_id=archive.id or 0,
            entry=MaterialEntry(
                "9-2",
                MaterialType.RECRUITMENT_REGISTRATION,
                "招工登记表",
                FuzzyDate(date(1984, 3, 1), DatePrecision.DAY),
                1,
            ),
        )
        uow.commit()
    return {"due": due, "no_archive": no_archive}


def _run(services, months=6, actor=SYSTEM_ACTOR):
    return run_prereview(
        services.uow, actor=actor, months=months, params=services.parameters, region="130406"
    )


def _notifications(services) -> list[Notification]:
    with services.uow() as uow:
        return [n for p in range(1, 10) for n in uow.notifications.for_person(p)]


def test_a_run_finds_who_is_due_and_keeps_their_checklists(seeded, district):
    summary = _run(seeded)

    assert summary.persons_due == 2 and summary.open == 2
    with seeded.uow() as uow:
        due = uow.checklists.get(district["due"].id)
        other = uow.checklists.get(district["no_archive"].id)
        assert uow.checklists.listing(status=None, offset=0, limit=10)[1] == 2
    assert due.status is ChecklistStatus.OPEN and due.checklist.retirement_month == "2027-01"
    found = {item.code for item in due.checklist.items}
    assert {ItemCode.MISSING_MATERIAL, ItemCode.CONTRIBUTION_SHORT} <= found
    assert any("转正定级表" in item.text for item in due.checklist.items)
    assert [item.code for item in other.checklist.items] == [ItemCode.NO_ARCHIVE]


def test_notices_go_to_the_person_and_the_employer_once(seeded, district):
    first = _run(seeded)
    notices = _notifications(seeded)

    assert first.notifications == 2
    assert {(n.recipient_kind, n.recipient) for n in notices} == {
        ("person", PHONE),
        ("employer", CREDIT_CODE),
    }
    employer_notice = next(n for n in notices if n.recipient_kind == "employer")
    assert "转正定级表" in employer_notice.body and "峰峰集团大淮煤矿" in employer_notice.subject
    person_notice = next(n for n in notices if n.recipient_kind == "person")
    assert "差10个月" in person_notice.body and "转正定级表" not in person_notice.body

    with seeded.uow() as uow:
        entries_before = uow.ledger.store.recent(limit=1000)
    second = _run(seeded)
    with seeded.uow() as uow:
        entries_after = uow.ledger.store.recent(limit=1000)
    assert second.notifications == 0 and len(_notifications(seeded)) == 2
    # Nothing changed: only the run itself is ledgered.
    new = entries_after[: len(entries_after) - len(entries_before)]
    assert [entry.action for entry in new] == [LedgerAction.PREREVIEW_RUN.value]


def test_a_cleared_item_leaves_the_checklist_without_a_new_notice(seeded, district):
    _run(seeded)
    with seeded.uow() as uow:
        archive = uow.archives.get_by_person(district["due"].id)
        catalogue_material(
            uow,
            actor=SYSTEM_ACTOR,
            archive_id=archive.id or 0,
            entry=MaterialEntry(
                "9-2",
                MaterialType.REGULARISATION_GRADING,
                "转正定级表",
                FuzzyDate(date(1985, 3, 1), DatePrecision.MONTH),
                1,
            ),
        )
        uow.commit()
    summary = _run(seeded)

    with seeded.uow() as uow:
        items = uow.checklists.get(district["due"].id).checklist.items
    assert not any("转正定级表" in item.text for item in items)
    assert summary.notifications == 0


def test_delivery_writes_the_notices_and_ledgers_each(seeded, district, tmp_path):
    _run(seeded)
    notifier = FileNotifier(tmp_path / "out", clock=seeded.clock)
    with seeded.uow() as uow:
        sent, failed = deliver_notifications(uow, notifier, actor=SYSTEM_ACTOR)

    assert (sent, failed) == (2, 0)
    lines = [
        json.loads(line) for line in next((tmp_path / "out").iterdir()).read_text().splitlines()
    ]
    assert {line["recipient"] for line in lines} == {PHONE, CREDIT_CODE}
    assert {n.status for n in _notifications(seeded)} == {"sent"}
    with seeded.uow() as uow:
        assert len(uow.ledger.store.recent(limit=100, action=LedgerAction.NOTIFICATION_SENT)) == 2


class DownGateway:
    def send(self, notification: Notification) -> None:
        raise NotifierError("短信网关无响应")


def test_a_failing_notifier_retries_then_gives_up(seeded, district):
    _run(seeded)
    for attempt in range(1, MAX_SEND_ATTEMPTS + 1):
        with seeded.uow() as uow:
            assert deliver_notifications(uow, DownGateway(), actor=SYSTEM_ACTOR) == (0, 2)
        expected = "failed" if attempt == MAX_SEND_ATTEMPTS else "pending"
        assert {(n.status, n.attempts) for n in _notifications(seeded)} == {(expected, attempt)}
    with seeded.uow() as uow:
        assert deliver_notifications(uow, DownGateway(), actor=SYSTEM_ACTOR) == (0, 0)


@pytest.mark.parametrize("months", [0, 25])
def test_a_window_out_of_range_is_refused_and_writes_nothing(seeded, district, months):
    with pytest.raises(InvalidInputError, match="预审月数"):
        _run(seeded, months=months)
    with seeded.uow() as uow:
        assert uow.checklists.listing(status=None, offset=0, limit=10)[1] == 0


def test_an_archivist_may_not_run_pre_review(seeded, district):
    archivist = Actor(3, "archivist", "档案员", "DANGAN", frozenset({Role.ARCHIVIST}))
    with pytest.raises(PermissionDeniedError):
        _run(seeded, actor=archivist)
    assert _run(seeded, actor=CLERK).persons_due == 2


def test_when_every_item_is_cleared_the_checklist_is_resolved(seeded, district):
    _run(seeded)
    reviewer = Actor(4, "reviewer", "复核", "SHEBAO", frozenset({Role.REVIEWER}))
    with seeded.uow() as uow:
        archive = uow.archives.get_by_person(district["due"].id)
        grading = catalogue_material(
            uow,
            actor=SYSTEM_ACTOR,
            archive_id=archive.id or 0,
            entry=MaterialEntry(
                "9-2",
                MaterialType.REGULARISATION_GRADING,
                "转正定级表",
                FuzzyDate(date(1985, 3, 1), DatePrecision.MONTH),
                1,
            ),
        )
        uow.commit()
        recruitment = next(
            m for m in uow.materials.for_archive(archive.id or 0) if m.id != grading.id
        )
    # A reviewer reads the 招工登记表: born 1966-08-15, at work since 1984-03. That proves
    # 142 deemed months before the 1996-01 account start: 170 + 142 ≥ 180 (附件4).
    for kind, start in ((FactKind.BIRTH_DATE, "1966年8月15日"), (FactKind.WORK_START, "1984年3月")):
        with seeded.uow() as uow:
            add_fact(uow, actor=reviewer, material_id=recruitment.id or 0, kind=kind, start=start)

    summary = _run(seeded)

    with seeded.uow() as uow:
        stored = uow.checklists.get(district["due"].id)
    assert stored.checklist.items == ()
    assert stored.status is ChecklistStatus.RESOLVED and stored.resolved_at is not None
    assert stored.first_flagged_at is not None and summary.resolved == 1
    assert stored.checklist.summary["视同缴费"] == "11年10个月"


def test_the_scheduled_run_happens_once_a_china_calendar_day(seeded, district):
    def scheduled():
        return run_scheduled_prereview(
            seeded.uow, months=6, params=seeded.parameters, region="130406"
        )

    assert scheduled().persons_due == 2
    assert scheduled() is None
    # 2026-11-23 02:30 UTC is 10:30 in 北京; 14 hours later it is the next day there.
    seeded.clock.advance(timedelta(hours=14))
    assert scheduled() is not None


def test_an_earlier_archive_birth_date_brings_a_person_into_view(seeded, district):
    # ID card: December 1966 → statutory month 2027-06 (附件1: 60 years 6 months), outside
    # the run's 2026-11 … 2027-05. The 1984 招工登记表 says August 1966 → 2027-01: in view
    # (劳社部发〔1999〕8号: the earliest archive record decides).
    late = insured_person(seeded, birth="19661215", name="周平", months=300)
    assert _run(seeded).persons_due == 2
    reviewer = Actor(4, "reviewer", "复核", "SHEBAO", frozenset({Role.REVIEWER}))
    with seeded.uow() as uow:
        archive = open_archive(
            uow,
            actor=SYSTEM_ACTOR,
            id_number=late.id_number,
            archive_number="FF-TEST-0002",
            kind=ArchiveKind.ENTERPRISE_WORKER,
            custodian="峰峰矿区档案馆",
            location="A-1-2",
        )
        form = catalogue_material(
            uow,
            actor=SYSTEM_ACTOR,
            archive_id=archive.id or 0,
            entry=MaterialEntry(
                "9-2",
                MaterialType.RECRUITMENT_REGISTRATION,
                "招工登记表",
                FuzzyDate(date(1984, 3, 1), DatePrecision.DAY),
                1,
            ),
        )
        uow.commit()
    with seeded.uow() as uow:
        add_fact(
            uow,
            actor=reviewer,
            material_id=form.id or 0,
            kind=FactKind.BIRTH_DATE,
            start="1966年8月",
        )

    assert _run(seeded).persons_due == 3
    with seeded.uow() as uow:
        stored = uow.checklists.get(late.id or 0)
    assert stored.checklist.retirement_month == "2027-01"
    assert ItemCode.BIRTH_DATE_DIFFERS in {item.code for item in stored.checklist.items}


def test_an_interrupted_run_keeps_what_it_reviewed_and_the_next_finishes(
    seeded, district, monkeypatch
):
    """Written a batch of COMMIT_EVERY persons at a time: a run that fails while reading the
    second batch keeps the checklists the first batch wrote; the next run does the rest."""
    from retirelink.workflow import prereview
    from retirelink.workflow import services as workflow_services

    real = prereview.build_checklist
    calls = []

    def failing_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the worker died")
        return real(*args, **kwargs)

    monkeypatch.setattr(workflow_services, "COMMIT_EVERY", 1)
    monkeypatch.setattr(workflow_services, "build_checklist", failing_second)
    with pytest.raises(RuntimeError):
        _run(seeded)
    with seeded.uow() as uow:
        assert uow.checklists.listing(status=None, offset=0, limit=10)[1] == 1

    monkeypatch.setattr(workflow_services, "build_checklist", real)
    summary = _run(seeded)

    assert summary.persons_due == 2
    with seeded.uow() as uow:
        assert uow.checklists.listing(status=None, offset=0, limit=10)[1] == 2


def _write_without_waiting(url: str) -> None:
    """From another connection, take what every writer needs — SQLite's one write lock,
    PostgreSQL's lock on the ledger chain's head — and let it go; raises at once, without
    waiting, when a transaction holds it."""
    if is_postgres(url):
        engine = create_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(text("SELECT seq FROM ledger_head FOR UPDATE NOWAIT"))
        finally:
            engine.dispose()
        return
    other = sqlite3.connect(make_url(url).database or "", timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_checklists_are_built_while_other_writers_go_on(seeded, district, monkeypatch):
    """The facts are read and the checklists built in read-only units of work: while a
    batch is computed, another connection takes the write lock at once. Were the reading
    back in the writing transaction, that would fail here rather than wait — on SQLite from
    the run's first statement (BEGIN IMMEDIATE), on PostgreSQL once the batch had ledgered a
    checklist (both due persons are in one batch, and both checklists are new)."""
    from retirelink.workflow import prereview
    from retirelink.workflow import services as workflow_services

    real = prereview.build_checklist
    built = []

    def build_while_another_writes(*args, **kwargs):
        _write_without_waiting(seeded.settings.database_url)
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(workflow_services, "build_checklist", build_while_another_writes)
    summary = _run(seeded)

    assert len(built) == 2 and summary.open == 2 and summary.notifications == 2
