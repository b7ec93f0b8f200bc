from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from retirelink.storage.base import Base, UtcDateTime


class ExchangeJobRow(Base):
    """One inbound transfer (file, API message, table-sync batch), applied or rejected."""

    __tablename__ = "exchange_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 'file', 'api' or 'table_sync'
    transport: Mapped[str] = mapped_column(String(16))
    department: Mapped[str] = mapped_column(String(32))
    item_code: Mapped[str] = mapped_column(String(64))
    # File name, message id or sync source and range, as users know the transfer.
    reference: Mapped[str] = mapped_column(String(255))
    # 'file:<sha256>', 'api:<client>:<message id>', 'sync:<source>:<from>-<to>'
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    payload_digest: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(8))
    encoding: Mapped[str] = mapped_column(String(32))
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_applied: Mapped[int] = mapped_column(Integer)
    rows_flagged: Mapped[int] = mapped_column(Integer)
    issue_count: Mapped[int] = mapped_column(Integer)
    # 'applied' or 'rejected'
    status: Mapped[str] = mapped_column(String(16))
    # JSON list of {row, field, message, value}, at most MAX_STORED_ISSUES entries.
    issues_json: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64))


class PartnerRecordRow(Base):
    """One event a partner reported; the same (item, person, date) is stored once."""

    __tablename__ = "partner_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_code: Mapped[str] = mapped_column(String(64))
    department: Mapped[str] = mapped_column(String(32))
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(50))
    event_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    record_type: Mapped[str | None] = mapped_column(Text)
    # Not indexed: nothing looks records up by job, and every index costs bulk imports.
    job_id: Mapped[int] = mapped_column(ForeignKey("exchange_jobs.id"))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # NULL, 'unknown_person' or 'disputed'
    flag: Mapped[str | None] = mapped_column(String(16))

    # Led by the ID number: every lookup is "these persons (and these items)"; PostgreSQL,
    # with no statistics yet during a bulk import, would otherwise scan a whole item.
    __table_args__ = (
        UniqueConstraint(
            "id_number",
            "item_code",
            "event_date",
            name="uq_partner_records_id_number_item_code_event_date",
        ),
    )


class ExchangeReceiptRow(Base):
    """A receipt (回执) we issued for an inbound transfer or received for an outbound one."""

    __tablename__ = "exchange_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[str] = mapped_column(String(64), unique=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_jobs.id"), index=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"), index=True)
    # 'inbound' (we issued it) or 'outbound' (the partner issued it)
    direction: Mapped[str] = mapped_column(String(16))
    partner: Mapped[str] = mapped_column(String(64))
    item_code: Mapped[str] = mapped_column(String(64))
    payload_digest: Mapped[str] = mapped_column(String(64))
    record_count: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    signature: Mapped[str] = mapped_column(String(64))
    # Reconciliation of a partner's receipt against what we sent: '' when it agrees.
    problems: Mapped[str] = mapped_column(Text)


class DataDisputeRow(Base):
    """A 数据异议 routed back to the department whose data contradicts what we hold."""

    __tablename__ = "data_disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_department: Mapped[str] = mapped_column(String(32))
    item_code: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    reason: Mapped[str] = mapped_column(Text)
    evidence_json: Mapped[str] = mapped_column(Text)
    # 'open', 'sent' or 'resolved'
    status: Mapped[str] = mapped_column(String(16), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_jobs.id"))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    resolution: Mapped[str] = mapped_column(Text)


class OutboxMessageRow(Base):
    """A request to a partner waiting for delivery (or delivered, with the answer kept)."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    department: Mapped[str] = mapped_column(String(32))
    operation: Mapped[str] = mapped_column(String(32))
    item_code: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(32))
    body_json: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    # 'pending', 'delivered' or 'failed'
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_error: Mapped[str] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    response_json: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)


class ExchangeNonceRow(Base):
    """Nonces of signed partner requests, kept until their timestamp window has passed, so a
    replay is refused by every web worker, not only the one that saw the first request."""

    __tablename__ = "exchange_nonces"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class SyncCursorRow(Base):
    """Where the last committed pull from a partner feed stopped (its watermark)."""

    __tablename__ = "sync_cursors"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    watermark: Mapped[str | None] = mapped_column(String(100))
    rows_received: Mapped[int] = mapped_column(Integer)
    last_run_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # 'ok', 'failed' or 'mismatch'
    last_status: Mapped[str] = mapped_column(String(16))
    last_error: Mapped[str] = mapped_column(Text)


class PartnerHealthRow(Base):
    """The last known state of calls to a partner system (for the partners page)."""

    __tablename__ = "partner_health"

    department: Mapped[str] = mapped_column(String(32), primary_key=True)
    # 'closed' (healthy), 'open' (calls suspended) or 'half_open' (trying again)
    breaker_state: Mapped[str] = mapped_column(String(16))
    consecutive_failures: Mapped[int] = mapped_column(Integer)
    reachable: Mapped[bool] = mapped_column(Boolean)
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_failure_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str] = mapped_column(Text)
    last_latency_ms: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
