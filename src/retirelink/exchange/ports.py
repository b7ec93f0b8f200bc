"""What the exchange use cases need from storage and from the outside world."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from retirelink.clock import Clock
from retirelink.exchange.model import (
    ChangeBatch,
    Dispute,
    DisputeStatus,
    ExchangeJob,
    JobStatus,
    OutboxMessage,
    OutboxOperation,
    PartnerHealth,
    PartnerLink,
    PartnerRecord,
    StoredReceipt,
    SyncCursor,
    Transport,
)
from retirelink.exchange.receipts import Receipt
from retirelink.ledger.services import Ledger


class ExchangeJobRepository(Protocol):
    def add(self, job: ExchangeJob) -> ExchangeJob:
        """Store a transfer and return it with its id."""
        ...

    def finish(self, job: ExchangeJob) -> None:
        """Write the counts, format and encoding of an applied transfer once it is read."""
        ...

    def get_by_dedupe_key(self, dedupe_key: str) -> ExchangeJob | None: ...

    def get(self, job_id: int) -> ExchangeJob | None: ...

    def recent(
        self,
        *,
        limit: int,
        transport: Transport | None = None,
        status: JobStatus | None = None,
    ) -> list[ExchangeJob]:
        """The latest transfers (of one transport and status when given), newest first."""
        ...


class PartnerRecordRepository(Protocol):
    def existing_keys(self, item_code: str, id_numbers: Iterable[str]) -> set[tuple[str, date]]:
        """``(id_number, event_date)`` of stored records of ``item_code`` for these IDs."""
        ...

    def for_persons(
        self, id_numbers: Iterable[str], item_codes: Iterable[str]
    ) -> list[PartnerRecord]:
        """Stored records of the given items about any of these persons."""
        ...

    def add_all(self, records: Sequence[PartnerRecord]) -> None: ...

    def count(self, item_code: str | None = None) -> int: ...


class PersonLookup(Protocol):
    def names_by_id_numbers(self, id_numbers: Iterable[str]) -> dict[str, str]:
        """Name of every person we hold among these ID numbers."""
        ...


class ReceiptRepository(Protocol):
    def add(
        self,
        receipt: Receipt,
        *,
        job_id: int | None = None,
        outbox_id: int | None = None,
        problems: str = "",
    ) -> None: ...

    def for_job(self, job_id: int) -> Receipt | None: ...

    def recent(self, *, limit: int) -> list[StoredReceipt]:
        """The latest receipts with what they answer and their reconciliation problems,
        newest first."""
        ...


class DisputeRepository(Protocol):
    def add(self, dispute: Dispute) -> Dispute: ...

    def get(self, dispute_id: int) -> Dispute | None: ...

    def set_status(
        self, dispute_id: int, status: DisputeStatus, *, at: datetime, resolution: str = ""
    ) -> None: ...

    def recent(self, *, limit: int, status: DisputeStatus | None = None) -> list[Dispute]: ...

    def count_open(self) -> int: ...


class OutboxRepository(Protocol):
    def add_if_new(self, message: OutboxMessage) -> OutboxMessage:
        """Store the message, or return the one already stored under its idempotency key."""
        ...

    def get(self, message_id: int) -> OutboxMessage | None: ...

    def due(self, *, now: datetime, limit: int) -> list[OutboxMessage]:
        """Pending messages whose next attempt is due, oldest first, locked for this worker."""
        ...

    def save(self, message: OutboxMessage) -> None:
        """Write back the delivery state (status, attempts, times, error, response)."""
        ...

    def recent(self, *, limit: int) -> list[OutboxMessage]: ...

    def count_pending(self) -> int: ...


class SyncCursorRepository(Protocol):
    def get(self, source: str) -> SyncCursor | None: ...

    def save(self, cursor: SyncCursor) -> None: ...

    def all(self) -> list[SyncCursor]: ...


class PartnerHealthRepository(Protocol):
    def save(self, health: PartnerHealth) -> None: ...

    def all(self) -> list[PartnerHealth]: ...


class NonceRepository(Protocol):
    def seen_or_remember(
        self, client_id: str, nonce: str, expires_at: datetime, *, now: datetime
    ) -> bool: ...

    def forget_expired(self, *, now: datetime) -> int: ...


class ExchangeUnitOfWork(Protocol):
    @property
    def exchange_jobs(self) -> ExchangeJobRepository: ...
    @property
    def partner_records(self) -> PartnerRecordRepository: ...
    @property
    def receipts(self) -> ReceiptRepository: ...
    @property
    def disputes(self) -> DisputeRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def persons(self) -> PersonLookup: ...
    @property
    def sync_cursors(self) -> SyncCursorRepository: ...
    @property
    def partner_health(self) -> PartnerHealthRepository: ...
    @property
    def nonces(self) -> NonceRepository: ...
    @property
    def ledger(self) -> Ledger: ...
    @property
    def clock(self) -> Clock: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class DepartmentSource(Protocol):
    """One partner feed (an HTTP API or a shared table), pulled incrementally by watermark.

    Implementations live in ``exchange/sources/``, one module per transport.
    """

    @property
    def name(self) -> str:
        """Stable name, e.g. ``justice.prisoners_in_custody@table``; keys the sync cursor."""
        ...

    def fetch_changes(self, after: str | None, *, limit: int) -> ChangeBatch:
        """At most ``limit`` records strictly after the watermark ``after`` (None: from the start).

        Raises ``UnavailableError`` when the partner cannot be reached or times out, and
        ``PartnerResponseError`` when it answers something we cannot read.
        """
        ...

    def count_between(self, after: str | None, upto: str) -> int:
        """How many records the source holds with ``after < position <= upto`` (reconciliation)."""
        ...


@dataclass(frozen=True)
class Delivery:
    """A partner's answer to one of our requests: its JSON and the SM3 of the bytes we sent."""

    response: dict[str, Any]
    sent_digest: str
    latency_ms: int


class PartnerGateway(Protocol):
    """Sends our requests to partner systems (``exchange/sources/http_api.py`` over HTTP)."""

    def send(
        self,
        link: PartnerLink,
        *,
        operation: OutboxOperation,
        item: str,
        purpose: str,
        body: dict[str, Any],
        idempotent: bool,
    ) -> Delivery:
        """Raises ``UnavailableError`` (down, timeout, circuit open) or
        ``PartnerResponseError`` (an answer we cannot read)."""
        ...

    def health(self) -> list[PartnerHealth]:
        """The current state of calls to each partner this gateway has called."""
        ...
