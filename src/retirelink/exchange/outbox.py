"""Delivering what we owe partners: disputes, identity checks and workflow requests.

A request is written to the outbox in the transaction that decided it (so it is never lost
and never sent for a decision that rolled back), then delivered here, one message per
transaction: on success it is marked delivered with the partner's answer (and a partner's
receipt is checked against what we sent); on failure — partner down, timeout, circuit open,
an unreadable answer — it stays pending with its next attempt pushed back exponentially,
until ``MAX_ATTEMPTS`` make it a failure a person must look at. Every outcome is ledgered.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import timedelta

from retirelink.errors import (
    InvalidInputError,
    NotFoundError,
    PartnerResponseError,
    UnavailableError,
)
from retirelink.exchange.model import (
    DisputeStatus,
    OutboxMessage,
    OutboxOperation,
    OutboxStatus,
    PartnerLink,
)
from retirelink.exchange.ports import Delivery, ExchangeUnitOfWork, PartnerGateway
from retirelink.exchange.receipts import receipt_from_dict, verify_receipt
from retirelink.exchange.registry import Registry
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import SYSTEM_ACTOR, Actor, Permission
from retirelink.security.permissions import require

MAX_ATTEMPTS = 12
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
BATCH = 50

UnitOfWorkFactory = Callable[[], AbstractContextManager[ExchangeUnitOfWork]]


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    def __add__(self, other: "DeliveryReport") -> "DeliveryReport":
        return DeliveryReport(
            self.delivered + other.delivered,
            self.retrying + other.retrying,
            self.failed + other.failed,
        )


def retry_delay(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 30 s, 1 min, 2 min … at most an hour.

    >>> [int(retry_delay(n).total_seconds()) for n in (1, 2, 3, 8, 12)]
    [30, 60, 120, 3600, 3600]
    """
    delay: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, LONGEST_WAIT)


def deliver_due(
    uow_factory: UnitOfWorkFactory,
    gateway: PartnerGateway,
    registry: Registry,
    *,
    limit: int = BATCH,
) -> DeliveryReport:
    """Try every message whose next attempt is due (at most ``limit``)."""
    with uow_factory() as uow:
        due = [message.id for message in uow.outbox.due(now=uow.clock.now(), limit=limit)]
    report = DeliveryReport()
    for message_id in due:
        assert message_id is not None
        report += _deliver_one(uow_factory, gateway, registry, message_id)
    return report


def _deliver_one(
    uow_factory: UnitOfWorkFactory, gateway: PartnerGateway, registry: Registry, message_id: int
) -> DeliveryReport:
    with uow_factory() as uow:
        message = uow.outbox.get(message_id)
        if message is None or message.status is not OutboxStatus.PENDING:
            return DeliveryReport()  # another worker got there first
        try:
            link = registry.by_kind(message.department)
            delivery = gateway.send(
                link,
                operation=message.operation,
                item=message.item_code,
                purpose=message.purpose,
                body=message.body,
                idempotent=True,  # the idempotency key travels in the body
            )
            _delivered(uow, message, link, delivery)
            report = DeliveryReport(delivered=1)
        except (UnavailableError, PartnerResponseError, NotFoundError) as error:
            report = _not_delivered(uow, message, error.message)
        _record_health(uow, gateway)
        uow.commit()
        return report


def _delivered(
    uow: ExchangeUnitOfWork, message: OutboxMessage, link: PartnerLink, delivery: Delivery
) -> None:
    now = uow.clock.now()
    problems = _receipt_problems(uow, message, link, delivery)
    uow.outbox.save(
        replace(
            message,
            status=OutboxStatus.DELIVERED,
            attempts=message.attempts + 1,
            delivered_at=now,
            last_error=problems,
            response=delivery.response,
        )
    )
    if message.operation is OutboxOperation.DISPUTE:
        dispute_id = int(message.idempotency_key.removeprefix("dispute:"))
        uow.disputes.set_status(dispute_id, DisputeStatus.SENT, at=now)
    _ledger(uow, message, LedgerAction.EXCHANGE_REQUEST_DELIVERED, problems or "已送达")


def _receipt_problems(
    uow: ExchangeUnitOfWork, message: OutboxMessage, link: PartnerLink, delivery: Delivery
) -> str:
    """Check and keep a receipt the partner returned; '' when it agrees with what we sent."""
    raw = delivery.response.get("receipt")
    if raw is None:
        return ""
    try:
        receipt = receipt_from_dict(raw) if isinstance(raw, dict) else None
    except InvalidInputError as error:
        return f"对方回执无法解析：{error.message}"
    if receipt is None:
        return "对方回执格式错误"
    problems = []
    if link.key is None:  # registered with SM2 only: its receipts are HMAC-SM3 all the same
        problems.append("对方回执签名无法核验：该部门未登记共享密钥")
    elif not verify_receipt(receipt, link.key):
        problems.append("对方回执签名无效")
    if receipt.payload_digest != delivery.sent_digest:
        problems.append("对方回执的载荷摘要与我方发送内容不一致")
    text = "；".join(problems)
    uow.receipts.add(receipt, outbox_id=message.id, problems=text)
    return text


def _not_delivered(uow: ExchangeUnitOfWork, message: OutboxMessage, error: str) -> DeliveryReport:
    now = uow.clock.now()
    attempts = message.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        failed = replace(message, status=OutboxStatus.FAILED, attempts=attempts, last_error=error)
        uow.outbox.save(failed)
        _ledger(uow, message, LedgerAction.EXCHANGE_REQUEST_FAILED, f"{attempts}次未送达：{error}")
        return DeliveryReport(failed=1)
    waiting = replace(
        message, attempts=attempts, next_attempt_at=now + retry_delay(attempts), last_error=error
    )
    uow.outbox.save(waiting)
    return DeliveryReport(retrying=1)


def _ledger(
    uow: ExchangeUnitOfWork, message: OutboxMessage, action: LedgerAction, note: str
) -> None:
    uow.ledger.record(
        actor=SYSTEM_ACTOR,
        action=action,
        subject=uow.ledger.subject("outbox", message.idempotency_key),
        purpose=f"{message.operation.label}→{message.department}（{message.item_code}）：{note}"[
            :200
        ],
    )


def _record_health(uow: ExchangeUnitOfWork, gateway: PartnerGateway) -> None:
    for health in gateway.health():
        uow.partner_health.save(health)


def retry_message(uow: ExchangeUnitOfWork, *, actor: Actor, message_id: int) -> OutboxMessage:
    """Put a failed or waiting message back at the head of the queue (a clerk's decision)."""
    require(actor, Permission.EXCHANGE_MANAGE)
    message = uow.outbox.get(message_id)
    if message is None:
        raise NotFoundError("没有找到该待发消息", field="message_id")
    if message.status is OutboxStatus.DELIVERED:
        raise InvalidInputError("该消息已送达，无需重发", field="message_id")
    again = replace(message, status=OutboxStatus.PENDING, next_attempt_at=uow.clock.now())
    uow.outbox.save(again)
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.EXCHANGE_REQUEST_RETRY,
        subject=uow.ledger.subject("outbox", message.idempotency_key),
        purpose=f"人工重发{message.operation.label}→{message.department}",
    )
    uow.commit()
    return again
