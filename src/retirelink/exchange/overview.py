"""What the exchange pages show: partners and their health, disputes, receipts, the outbox,
and the shared records about one person. Reads that show personal data are ledgered."""

from dataclasses import dataclass
from datetime import datetime

from retirelink.errors import ConflictError, InvalidInputError, NotFoundError
from retirelink.exchange.model import (
    Dispute,
    DisputeStatus,
    OutboxMessage,
    PartnerHealth,
    PartnerLink,
    PartnerRecord,
    StoredReceipt,
    SyncCursor,
)
from retirelink.exchange.ports import ExchangeUnitOfWork
from retirelink.exchange.registry import Registry
from retirelink.exchange.status_checks import CONSULTED_ITEMS
from retirelink.exchange.verification import LIFE_SIGN_ITEMS
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require

LIST_LIMIT = 200
_RESOLUTION_LENGTH = 500


@dataclass(frozen=True)
class PartnerStatus:
    """One registered partner system as the partners page shows it."""

    link: PartnerLink
    health: PartnerHealth | None
    feeds: tuple[SyncCursor, ...]
    pending_requests: int


def partner_statuses(
    uow: ExchangeUnitOfWork, *, actor: Actor, registry: Registry
) -> list[PartnerStatus]:
    """Every registered partner with the last known health of calls to it and its feeds."""
    require(actor, Permission.EXCHANGE_IMPORT)
    health = {entry.department: entry for entry in uow.partner_health.all()}
    cursors = uow.sync_cursors.all()
    pending = [m for m in uow.outbox.recent(limit=LIST_LIMIT) if m.status.value == "pending"]
    return [
        PartnerStatus(
            link=link,
            health=health.get(link.health_key),
            feeds=tuple(c for c in cursors if c.source.startswith(_kind_prefix(link))),
            pending_requests=sum(1 for m in pending if m.department == link.kind.value),
        )
        for link in registry.links
    ]


def _kind_prefix(link: PartnerLink) -> str:
    return f"{link.kind.value}."


def list_disputes(
    uow: ExchangeUnitOfWork, *, actor: Actor, status: DisputeStatus | None = None
) -> list[Dispute]:
    """Disputes, newest first; they name persons, so the read is ledgered."""
    require(actor, Permission.EXCHANGE_IMPORT)
    disputes = uow.disputes.recent(limit=LIST_LIMIT, status=status)
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.EXCHANGE_RECORDS_READ,
        subject=uow.ledger.subject("disputes", status.value if status else "all"),
        purpose=f"查看数据异议列表（{len(disputes)}条）",
    )
    uow.commit()
    return disputes


def get_dispute(uow: ExchangeUnitOfWork, *, actor: Actor, dispute_id: int) -> Dispute:
    """One dispute with its evidence; it names a person, so the read is ledgered."""
    require(actor, Permission.EXCHANGE_IMPORT)
    dispute = uow.disputes.get(dispute_id)
    if dispute is None:
        raise NotFoundError("没有找到该数据异议", field="dispute_id")
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.EXCHANGE_RECORDS_READ,
        subject=uow.ledger.subject("person", dispute.id_number),
        purpose=f"查看数据异议#{dispute_id}（{dispute.item_code}）",
    )
    uow.commit()
    return dispute


def resolve_dispute(
    uow: ExchangeUnitOfWork, *, actor: Actor, dispute_id: int, resolution: str
) -> Dispute:
    """Record how the source department answered a dispute and close it."""
    require(actor, Permission.EXCHANGE_MANAGE)
    text = " ".join(resolution.split())
    if not text:
        raise InvalidInputError("请填写处理结果（来源部门的核实答复）", field="resolution")
    if len(text) > _RESOLUTION_LENGTH:
        raise InvalidInputError(f"处理结果不得超过{_RESOLUTION_LENGTH}字", field="resolution")
    dispute = uow.disputes.get(dispute_id)
    if dispute is None:
        raise NotFoundError("没有找到该数据异议", field="dispute_id")
    if dispute.status is DisputeStatus.RESOLVED:
        raise ConflictError("该数据异议已处理", field="dispute_id")
    now = uow.clock.now()
    uow.disputes.set_status(dispute_id, DisputeStatus.RESOLVED, at=now, resolution=text)
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.EXCHANGE_DISPUTE_RESOLVED,
        subject=uow.ledger.subject("person", dispute.id_number),
        purpose=f"数据异议#{dispute_id}：{text}"[:200],
    )
    uow.commit()
    resolved = uow.disputes.get(dispute_id)
    assert resolved is not None
    return resolved


def recent_receipts(uow: ExchangeUnitOfWork, *, actor: Actor) -> list[StoredReceipt]:
    """Receipts issued and received, newest first, with reconciliation problems if any."""
    require(actor, Permission.EXCHANGE_IMPORT)
    return uow.receipts.recent(limit=LIST_LIMIT)


def recent_requests(uow: ExchangeUnitOfWork, *, actor: Actor) -> list[OutboxMessage]:
    """Requests to partners (the outbox), newest first."""
    require(actor, Permission.EXCHANGE_IMPORT)
    return uow.outbox.recent(limit=LIST_LIMIT)


def shared_records_about(
    uow: ExchangeUnitOfWork, *, actor: Actor, id_number: str, since: datetime | None = None
) -> list[PartnerRecord]:
    """What partner departments reported about one person (deaths, custody, settlements),
    for the person page; the read is ledgered."""
    require(actor, Permission.PERSON_READ)
    records = uow.partner_records.for_persons([id_number], CONSULTED_ITEMS | LIFE_SIGN_ITEMS)
    if since is not None:
        records = [record for record in records if record.received_at >= since]
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.EXCHANGE_RECORDS_READ,
        subject=uow.ledger.subject("person", id_number),
        purpose=f"查看部门共享记录（{len(records)}条）",
    )
    uow.commit()
    return records
