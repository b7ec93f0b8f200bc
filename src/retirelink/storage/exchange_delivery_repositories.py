"""SQLAlchemy repositories of delivery and transport state: the outbox of messages to partner
departments, the signed API's request nonces, the table-sync cursors and each partner's
health (circuit breaker, reachability). They never commit."""

import json
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from retirelink.exchange.model import (
    BreakerState,
    OutboxMessage,
    OutboxOperation,
    OutboxStatus,
    PartnerHealth,
    SyncCursor,
    SyncStatus,
)
from retirelink.storage.rows import (
    ExchangeNonceRow,
    OutboxMessageRow,
    PartnerHealthRow,
    SyncCursorRow,
)

_NONCES = cast(Table, ExchangeNonceRow.__table__)


def _nonce_upsert(dialect_insert: Any) -> Any:
    """INSERT … ON CONFLICT that takes over only an expired nonce (see seen_or_remember)."""
    statement = dialect_insert(_NONCES)
    # RETURNING, not rowcount: psycopg reports no row count for this statement.
    return statement.on_conflict_do_update(
        index_elements=[_NONCES.c.client_id, _NONCES.c.nonce],
        set_={"expires_at": statement.excluded.expires_at},
        where=_NONCES.c.expires_at < bindparam("now"),
    ).returning(_NONCES.c.nonce)


_NONCE_UPSERT = {
    "postgresql": _nonce_upsert(postgresql.insert),
    "sqlite": _nonce_upsert(sqlite.insert),
}


class SqlAlchemyOutboxRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add_if_new(self, message: OutboxMessage) -> OutboxMessage:
        existing = self._by_key(message.idempotency_key)
        if existing is not None:
            return _outbox(existing)
        row = OutboxMessageRow(
            department=message.department,
            operation=message.operation.value,
            item_code=message.item_code,
            purpose=message.purpose,
            body_json=json.dumps(message.body, ensure_ascii=False, sort_keys=True),
            idempotency_key=message.idempotency_key,
            status=message.status.value,
            attempts=message.attempts,
            next_attempt_at=message.next_attempt_at,
            created_at=message.created_at,
            last_error=message.last_error,
            delivered_at=message.delivered_at,
            response_json=None,
        )
        self._session.add(row)
        self._session.flush()
        return _outbox(row)

    def get(self, message_id: int) -> OutboxMessage | None:
        row = self._session.get(OutboxMessageRow, message_id)
        return _outbox(row) if row else None

    def due(self, *, now: datetime, limit: int) -> list[OutboxMessage]:
        query = (
            select(OutboxMessageRow)
            .where(
                OutboxMessageRow.status == OutboxStatus.PENDING.value,
                OutboxMessageRow.next_attempt_at <= now,
            )
            .order_by(OutboxMessageRow.next_attempt_at, OutboxMessageRow.id)
            .limit(limit)
        )
        # Two workers never deliver the same message: on PostgreSQL the rows are locked and
        # skipped by the other worker; SQLite serialises writers (BEGIN IMMEDIATE) anyway.
        if self._session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [_outbox(row) for row in self._session.scalars(query)]

    def save(self, message: OutboxMessage) -> None:
        self._session.execute(
            update(OutboxMessageRow)
            .where(OutboxMessageRow.id == message.id)
            .values(
                status=message.status.value,
                attempts=message.attempts,
                next_attempt_at=message.next_attempt_at,
                last_error=message.last_error,
                delivered_at=message.delivered_at,
                response_json=(
                    json.dumps(message.response, ensure_ascii=False)
                    if message.response is not None
                    else None
                ),
            )
        )

    def recent(self, *, limit: int) -> list[OutboxMessage]:
        rows = self._session.scalars(
            select(OutboxMessageRow)
            .order_by(OutboxMessageRow.created_at.desc(), OutboxMessageRow.id.desc())
            .limit(limit)
        )
        return [_outbox(row) for row in rows]

    def count_pending(self) -> int:
        query = select(func.count()).where(OutboxMessageRow.status == OutboxStatus.PENDING.value)
        return self._session.scalar(query) or 0

    def _by_key(self, key: str) -> OutboxMessageRow | None:
        return self._session.scalar(
            select(OutboxMessageRow).where(OutboxMessageRow.idempotency_key == key)
        )


class SqlAlchemyNonceStore:
    """The signing module's NonceStore over the ``exchange_nonces`` table, inside the
    request's transaction: a nonce counts as used once that transaction commits, and two
    concurrent requests with one nonce cannot both pass (primary key)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def seen_or_remember(
        self, client_id: str, nonce: str, expires_at: datetime, *, now: datetime
    ) -> bool:
        # One INSERT … ON CONFLICT: the primary key decides, even between two workers racing
        # with the same nonce. A stored nonce that has expired is taken over (updated); one
        # still valid is left alone, and no row changes: that is a replay.
        statement = _NONCE_UPSERT[self._session.get_bind().dialect.name]
        result = self._session.execute(
            statement,
            {"client_id": client_id, "nonce": nonce, "expires_at": expires_at, "now": now},
        )
        return result.first() is None

    def forget_expired(self, *, now: datetime) -> int:
        result = self._session.execute(
            delete(ExchangeNonceRow).where(ExchangeNonceRow.expires_at < now)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class SqlAlchemySyncCursorRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, source: str) -> SyncCursor | None:
        row = self._session.get(SyncCursorRow, source)
        return _cursor(row) if row else None

    def save(self, cursor: SyncCursor) -> None:
        row = self._session.get(SyncCursorRow, cursor.source) or SyncCursorRow(source=cursor.source)
        row.watermark = cursor.watermark
        row.rows_received = cursor.rows_received
        row.last_run_at = cursor.last_run_at
        row.last_status = cursor.last_status.value
        row.last_error = cursor.last_error
        self._session.add(row)
        self._session.flush()

    def all(self) -> list[SyncCursor]:
        rows = self._session.scalars(select(SyncCursorRow).order_by(SyncCursorRow.source))
        return [_cursor(row) for row in rows]


class SqlAlchemyPartnerHealthRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def save(self, health: PartnerHealth) -> None:
        row = self._session.get(PartnerHealthRow, health.department) or PartnerHealthRow(
            department=health.department
        )
        row.breaker_state = health.breaker_state.value
        row.consecutive_failures = health.consecutive_failures
        row.reachable = health.reachable
        row.last_success_at = health.last_success_at
        row.last_failure_at = health.last_failure_at
        row.last_error = health.last_error
        row.last_latency_ms = health.last_latency_ms
        row.updated_at = health.updated_at
        self._session.add(row)
        self._session.flush()

    def all(self) -> list[PartnerHealth]:
        rows = self._session.scalars(select(PartnerHealthRow).order_by(PartnerHealthRow.department))
        return [
            PartnerHealth(
                department=row.department,
                breaker_state=BreakerState(row.breaker_state),
                consecutive_failures=row.consecutive_failures,
                reachable=row.reachable,
                last_success_at=row.last_success_at,
                last_failure_at=row.last_failure_at,
                last_error=row.last_error,
                last_latency_ms=row.last_latency_ms,
                updated_at=row.updated_at,
            )
            for row in rows
        ]


def _cursor(row: SyncCursorRow) -> SyncCursor:
    return SyncCursor(
        source=row.source,
        watermark=row.watermark,
        rows_received=row.rows_received,
        last_run_at=row.last_run_at,
        last_status=SyncStatus(row.last_status),
        last_error=row.last_error,
    )


def _outbox(row: OutboxMessageRow) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        department=row.department,
        operation=OutboxOperation(row.operation),
        item_code=row.item_code,
        purpose=row.purpose,
        body=json.loads(row.body_json),
        idempotency_key=row.idempotency_key,
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
        response=json.loads(row.response_json) if row.response_json else None,
    )
