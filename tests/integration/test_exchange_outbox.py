"""The outbox on the real database: requests survive a partner being down, are retried with
backoff, delivered once, and a partner's receipt is checked against what we sent."""

from dataclasses import replace
from datetime import timedelta

import pytest

from retirelink.archives.model import DepartmentKind
from retirelink.exchange.catalogue import load_catalogue
from retirelink.exchange.model import (
    DisputeStatus,
    OutboxStatus,
    PartnerLink,
)
from retirelink.exchange.outbox import MAX_ATTEMPTS, deliver_due, retry_message
from retirelink.exchange.registry import Registry
from retirelink.exchange.services import import_partner_file
from retirelink.ledger.model import LedgerAction
from retirelink.security.sm2 import generate_keypair
from tests.e2e.helpers import ledger_actions
from tests.support.builders import actor_for, make_person
from tests.support.fake_gateway import FakeGateway
from tests.support.partner_files import WANG, death_csv

pytestmark = pytest.mark.integration

CATALOGUE = load_catalogue()
GONGAN_KEY = b"gongan-shared-key-0123456789abcd"
WEIJIAN_KEY = b"weijian-shared-key-0123456789abc"
REGISTRY = Registry(
    "SHEBAO-130406",
    (
        PartnerLink(
            "GONGAN", DepartmentKind.PUBLIC_SECURITY, "GONGAN-1", "http://gongan", GONGAN_KEY
        ),
        PartnerLink("WEIJIAN", DepartmentKind.HEALTH, "WEIJIAN-1", "http://weijian", WEIJIAN_KEY),
    ),
)


def open_a_dispute(services):
    """公安 reported a death on 10-01; 卫健 certifies 09-28: a dispute to 卫健 is queued."""
    with services.uow() as uow:
        uow.persons.add(make_person(id_number=WANG, name="王建国"))
        uow.commit()
    clerk = actor_for(services, "clerk")
    for item, header, day in (
        ("public_security.death_cancellation", "死亡日期", "2026-10-01"),
        ("health.death_medical_certificate", "死亡日期", "2026-09-28"),
    ):
        data = death_csv([(WANG, "王建国", day)]).replace(
            "死亡日期".encode("gbk"), header.encode("gbk")
        )
        with services.uow() as uow:
            import_partner_file(
                uow,
                actor=clerk,
                data=data,
                filename=f"{item}.csv",
                item_code=item,
                catalogue=CATALOGUE,
                receipt_key=b"r" * 32,
            )


def outbox(services):
    with services.uow() as uow:
        return uow.outbox.recent(limit=10)


def test_a_dispute_is_delivered_once_and_the_partners_receipt_kept(seeded, clock):
    open_a_dispute(seeded)
    gateway = FakeGateway(clock)

    report = deliver_due(seeded.uow, gateway, REGISTRY)
    again = deliver_due(seeded.uow, gateway, REGISTRY)

    assert (report.delivered, again.delivered) == (1, 0)
    (department, _, body) = gateway.sent[0]
    assert department == "WEIJIAN"
    assert body["dispute_id"].startswith("dispute:")
    (message,) = outbox(seeded)
    assert message.status is OutboxStatus.DELIVERED
    assert message.last_error == ""
    with seeded.uow() as uow:
        (dispute,) = uow.disputes.recent(limit=5)
        receipts = uow.receipts.recent(limit=10)
        (health,) = uow.partner_health.all()
    assert dispute.status is DisputeStatus.SENT
    assert ("R-1", "") in [(stored.receipt.receipt_id, stored.problems) for stored in receipts]
    assert health.reachable
    assert ledger_actions(seeded, LedgerAction.EXCHANGE_REQUEST_DELIVERED)


def test_a_partner_that_is_down_leaves_the_request_queued_with_backoff(seeded, clock):
    open_a_dispute(seeded)
    gateway = FakeGateway(clock, down=True)

    first = deliver_due(seeded.uow, gateway, REGISTRY)
    too_soon = deliver_due(seeded.uow, gateway, REGISTRY)

    assert (first.retrying, too_soon.retrying) == (1, 0)
    (message,) = outbox(seeded)
    assert message.status is OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at == clock.now() + timedelta(seconds=30)
    assert "无法连接" in message.last_error
    with seeded.uow() as uow:
        (health,) = uow.partner_health.all()
    assert not health.reachable
    # The partner comes back; the request completes.
    gateway.down = False
    clock.advance(timedelta(seconds=31))
    assert deliver_due(seeded.uow, gateway, REGISTRY).delivered == 1
    assert outbox(seeded)[0].status is OutboxStatus.DELIVERED


def test_after_the_last_attempt_the_request_fails_for_a_person_to_retry(seeded, clock):
    open_a_dispute(seeded)
    gateway = FakeGateway(clock, down=True)
    for _ in range(MAX_ATTEMPTS):
        deliver_due(seeded.uow, gateway, REGISTRY)
        clock.advance(timedelta(hours=2))

    (message,) = outbox(seeded)
    assert message.status is OutboxStatus.FAILED
    assert message.attempts == MAX_ATTEMPTS
    assert ledger_actions(seeded, LedgerAction.EXCHANGE_REQUEST_FAILED)

    with seeded.uow() as uow:
        retry_message(uow, actor=actor_for(seeded, "clerk"), message_id=message.id)
    gateway.down = False
    assert deliver_due(seeded.uow, gateway, REGISTRY).delivered == 1


def test_a_receipt_that_does_not_check_is_recorded_as_a_problem(seeded, clock):
    open_a_dispute(seeded)
    gateway = FakeGateway(clock, sign_with=b"not-the-shared-key-0123456789abc")

    deliver_due(seeded.uow, gateway, REGISTRY)

    (message,) = outbox(seeded)
    assert message.status is OutboxStatus.DELIVERED
    assert message.last_error == "对方回执签名无效"


def test_a_receipt_from_a_department_registered_with_sm2_only_is_kept_but_flagged(seeded, clock):
    open_a_dispute(seeded)
    weijian = replace(REGISTRY.links[1], key=None, sm2_public_keys=(generate_keypair().public_key,))
    sm2_only = replace(REGISTRY, links=(REGISTRY.links[0], weijian))

    report = deliver_due(seeded.uow, FakeGateway(clock, sign_with=WEIJIAN_KEY), sm2_only)

    (message,) = outbox(seeded)
    assert report.delivered == 1
    assert message.status is OutboxStatus.DELIVERED
    assert message.last_error == "对方回执签名无法核验：该部门未登记共享密钥"


def test_a_department_missing_from_the_registry_keeps_the_request_waiting(seeded, clock):
    open_a_dispute(seeded)
    only_gongan = Registry(REGISTRY.our_client_id, REGISTRY.links[:1])

    report = deliver_due(seeded.uow, FakeGateway(clock), only_gongan)

    assert report.retrying == 1
    assert "未登记卫健" in outbox(seeded)[0].last_error
