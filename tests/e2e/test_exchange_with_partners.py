"""The exchange worker against the partner simulators (real HTTP servers on loopback, a real
shared table, real GB18030 files): three transports in one pass, a partner going down and
coming back, a dispute delivered and its receipt checked."""

from datetime import UTC, date, datetime, timedelta

import pytest

from retirelink.demo.loader import load_demo
from retirelink.errors import PartnerResponseError, UnavailableError
from retirelink.exchange.identity_checks import check_identity
from retirelink.exchange.model import OutboxStatus, SyncStatus
from retirelink.exchange.services import import_partner_file
from retirelink.partners.inbox import write_inbox
from retirelink.partners.model import DEATH_CANCELLATION, PRISONERS, SETTLEMENTS, Mode
from retirelink.partners.registry import write_registry
from retirelink.partners.server import SimulatorConfig, running_partners
from retirelink.partners.shared_table import (
    append_sifa_rows,
    default_sifa_url,
    publish_sifa_table,
    sifa_engine,
)
from retirelink.security.model import SYSTEM_ACTOR
from tests.support.builders import make_id_number
from tests.support.partner_files import death_csv

pytestmark = pytest.mark.e2e

SEED, PERSONS = 7, 300
CERTIFICATE = "health.death_medical_certificate"


@pytest.fixture
def partners(services, settings, clock):
    load_demo(services, seed=SEED, persons=PERSONS)
    # The departments check our request timestamps against the same (test) clock we sign with.
    config = SimulatorConfig.for_tests(
        persons=PERSONS, seed=SEED, as_of=date(2026, 11, 23), clock=clock
    )
    with running_partners(config) as sims:
        sifa_url = default_sifa_url(settings.data_dir)
        with sifa_engine(sifa_url) as engine:
            prisoners = sims.datasets().feed(PRISONERS).records()
            publish_sifa_table(engine, prisoners, updated_at=datetime(2026, 11, 22, tzinfo=UTC))
        write_inbox(settings.data_dir, sims.datasets())
        write_registry(settings.partners_file, sims.registry().with_demo_feeds(sifa_url))
        yield sims


def records(services, item=None):
    with services.uow() as uow:
        return uow.partner_records.count(item)


def by_source(summary):
    return {report.source: report for report in summary.feeds}


def test_one_pass_takes_all_three_transports_in(services, partners):
    datasets = partners.datasets()

    summary = services.exchange.run_once()

    assert summary.errors == []
    assert {result.status_zh for result in summary.inbox} == {"已入库"}
    assert len(summary.inbox) == 2
    feeds = by_source(summary)
    assert {
        (r.source, r.status, r.message) for r in feeds.values() if r.status is not SyncStatus.OK
    } == set()
    assert feeds[f"{PRISONERS}@table"].rows == len(datasets.feed(PRISONERS).records())
    assert feeds[f"{DEATH_CANCELLATION}@api"].rows == len(
        datasets.feed(DEATH_CANCELLATION).records()
    )
    assert feeds[f"{SETTLEMENTS}@api"].rows == len(datasets.feed(SETTLEMENTS).records())
    assert records(services, PRISONERS) == len(datasets.feed(PRISONERS).records())
    # A second pass finds nothing new and changes nothing.
    again = services.exchange.run_once()
    assert {report.rows for report in again.feeds} == {0}
    assert records(services) == sum(report.applied for report in summary.feeds) + sum(
        result.outcome.job.rows_applied for result in summary.inbox if result.outcome
    )


def test_a_partner_that_is_down_is_caught_up_when_it_returns(services, partners):
    services.exchange.run_once()
    feed = partners.datasets().feed(DEATH_CANCELLATION)
    template = dict(feed.records()[0].fields)
    template["swrq"] = "20261120"
    feed.append([template])
    partners.set_mode("GONGAN", Mode.DOWN)

    down = by_source(services.exchange.run_once())[f"{DEATH_CANCELLATION}@api"]

    assert down.status is SyncStatus.FAILED
    assert "公安" in down.message
    with services.uow() as uow:
        cursor = uow.sync_cursors.get(f"{DEATH_CANCELLATION}@api")
    assert cursor.last_status is SyncStatus.FAILED
    assert cursor.watermark == str(len(feed.records()) - 1)  # nothing lost, nothing skipped
    partners.set_mode("GONGAN", Mode.NORMAL)
    back = by_source(services.exchange.run_once())[f"{DEATH_CANCELLATION}@api"]
    assert back.status is SyncStatus.OK
    assert back.rows == 1


def test_a_contradicting_death_date_is_disputed_with_the_department_and_receipted(
    services, partners, settings
):
    services.exchange.run_once()
    death = partners.datasets().feed(DEATH_CANCELLATION).records()[0].fields
    id_number, name = death["gmsfhm"], death["xm"]
    # 卫健 certifies another day than 公安's: a dispute to 卫健 is queued by the import.
    data = death_csv([(id_number, name, "2026-01-02")])
    with services.uow() as uow:
        outcome = import_partner_file(
            uow,
            actor=SYSTEM_ACTOR,
            data=data,
            filename="卫健补报.csv",
            item_code=CERTIFICATE,
            catalogue=services.catalogue,
            receipt_key=services.receipt_key,
        )
    assert outcome.applied and outcome.job.rows_flagged == 1

    summary = services.exchange.run_once()

    assert summary.delivery.delivered == 1
    (received,) = partners.received("WEIJIAN", "dispute")
    with services.uow() as uow:
        (message,) = uow.outbox.recent(limit=5)
        (dispute,) = uow.disputes.recent(limit=5)
    assert message.status is OutboxStatus.DELIVERED
    assert message.last_error == ""  # the partner's receipt checked out
    assert dispute.status.value == "sent"
    assert received.payload["dispute_id"] == f"dispute:{dispute.id}"
    assert received.payload["id_number"] == id_number
    assert received.client_id == "SHEBAO-130406"


def ask_gongan(services, id_number, name):
    with services.uow() as uow:
        return check_identity(
            uow,
            actor=SYSTEM_ACTOR,
            gateway=services.gateway,
            registry=services.partners.current(),
            id_number=id_number,
            name=name,
            purpose="退休审核",
        )


def test_identity_is_checked_live_against_gongans_household_register(services, partners):
    household = next(iter(partners.datasets().households.values()))

    same = ask_gongan(services, household.id_number, household.name)
    other_name = ask_gongan(services, household.id_number, household.name + "明")
    unknown = ask_gongan(services, make_id_number("19700101", region="130402"), "李四")

    assert (same.found, same.name_matches) == (True, True)
    assert same.record is not None and same.record.birth_date == household.birth_date
    assert same.summary_zh.startswith("姓名一致；户籍状态：")
    assert (other_name.found, other_name.name_matches) == (True, False)
    assert (unknown.found, unknown.summary_zh) == (False, "户籍中查无此公民身份号码")
    (asked, *_) = partners.received("GONGAN", "hukou_verify")
    assert asked.client_id == "SHEBAO-130406"


def test_identity_check_with_gongan_down_is_a_clear_unavailable_error(services, partners):
    household = next(iter(partners.datasets().households.values()))
    partners.set_mode("GONGAN", Mode.DOWN)

    with pytest.raises(UnavailableError) as raised:
        ask_gongan(services, household.id_number, household.name)

    assert "公安" in raised.value.message


def test_identity_check_with_garbage_from_gongan_is_a_partner_response_error(services, partners):
    household = next(iter(partners.datasets().households.values()))
    partners.set_mode("GONGAN", Mode.GARBAGE)

    with pytest.raises(PartnerResponseError):
        ask_gongan(services, household.id_number, household.name)


def test_the_shared_table_can_be_read_by_its_change_time_with_the_settle_lag(
    services, partners, settings, clock
):
    sifa_url = default_sifa_url(settings.data_dir)
    registry = partners.registry().with_demo_feeds(sifa_url, sifa_watermark="timestamp")
    write_registry(settings.partners_file, registry)
    prisoners = partners.datasets().feed(PRISONERS).records()

    first = by_source(services.exchange.run_once())[f"{PRISONERS}@table"]
    release = {**prisoners[0].fields, "sfrq": "20261120"}
    with sifa_engine(sifa_url) as engine:
        (seq,) = append_sifa_rows(engine, [release], updated_at=clock.now())
    held = by_source(services.exchange.run_once())[f"{PRISONERS}@table"]
    clock.advance(timedelta(seconds=10))
    settled = by_source(services.exchange.run_once())[f"{PRISONERS}@table"]

    # Every row was published at one time: the seq tie-break orders them all.
    assert (first.status, first.rows) == (SyncStatus.OK, len(prisoners))
    assert first.watermark == f"2026-11-22T00:00:00.000000Z#{len(prisoners)}"
    assert (held.status, held.rows, held.watermark) == (SyncStatus.OK, 0, first.watermark)
    assert (settled.status, settled.rows) == (SyncStatus.OK, 1)
    assert settled.watermark == f"2026-11-23T02:30:00.000000Z#{seq}"
    assert settled.message == ""  # reconciled: the partner's count matches what we took
