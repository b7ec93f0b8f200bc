"""SQLAlchemy repositories of the exchange: transfers, partner records, receipts, disputes,
the outbox, request nonces, sync cursors and partner health. They never commit."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from retirelink.exchange.file_schema import RowIssue
from retirelink.exchange.model import (
    BreakerState,
    Dispute,
    DisputeStatus,
    ExchangeJob,
    JobStatus,
    OutboxMessage,
    OutboxOperation,
    OutboxStatus,
    PartnerHealth,
    PartnerRecord,
    RecordFlag,
    StoredReceipt,
    SyncCursor,
    SyncStatus,
    Transport,
)
from retirelink.exchange.receipts import Direction, Receipt
from retirelink.storage.base import chunk_size, one_of
from retirelink.storage.rows import (
    DataDisputeRow,
    ExchangeJobRow,
    ExchangeNonceRow,
    ExchangeReceiptRow,
    OutboxMessageRow,
    PartnerHealthRow,
    PartnerRecordRow,
    SyncCursorRow,
)

_PARTNER_RECORDS = cast(Table, PartnerRecordRow.__table__)
_EXCHANGE_JOBS = cast(Table, ExchangeJobRow.__table__)
_RECEIPTS = cast(Table, ExchangeReceiptRow.__table__)
_NONCES = cast(Table, ExchangeNonceRow.__table__)
# Statements built once: the signed API and table sync run them for every transfer, and
# building a statement costs more than running it on these small rows.
_INSERT_JOB = insert(_EXCHANGE_JOBS).returning(_EXCHANGE_JOBS.c.id)
_INSERT_RECEIPT = insert(_RECEIPTS)
_JOB_BY_KEY = select(ExchangeJobRow).where(ExchangeJobRow.dedupe_key == bindparam("key"))
_RECORDS_OF_PERSONS = {
    array: select(PartnerRecordRow)
    .where(
        one_of(PartnerRecordRow.id_number, "ids", array=array),
        PartnerRecordRow.item_code.in_(bindparam("items", expanding=True)),
    )
    .order_by(PartnerRecordRow.event_date, PartnerRecordRow.id)
    for array in (False, True)
}
_KEYS_OF_PERSONS = {
    array: select(PartnerRecordRow.id_number, PartnerRecordRow.event_date).where(
        PartnerRecordRow.item_code == bindparam("item"),
        one_of(PartnerRecordRow.id_number, "ids", array=array),
    )
    for array in (False, True)
}


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


class SqlAlchemyExchangeJobRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, job: ExchangeJob) -> ExchangeJob:
        # A Core INSERT … RETURNING: one statement, no ORM unit-of-work flush (this runs for
        # every API message and sync batch).
        values = {
            "transport": job.transport.value,
            "department": job.department,
            "item_code": job.item_code,
            "reference": job.reference,
            "dedupe_key": job.dedupe_key,
            "payload_digest": job.payload_digest,
            "format": job.format,
            "encoding": job.encoding,
            "rows_total": job.rows_total,
            "rows_applied": job.rows_applied,
            "rows_flagged": job.rows_flagged,
            "issue_count": job.issue_count,
            "status": job.status.value,
            "issues_json": _issues_json(job.issues),
            "received_at": job.received_at,
            "actor": job.actor,
        }
        new_id = self._session.execute(_INSERT_JOB, values).scalar_one()
        return replace(job, id=new_id)

    def finish(self, job: ExchangeJob) -> None:
        self._session.execute(
            update(ExchangeJobRow)
            .where(ExchangeJobRow.id == job.id)
            .values(
                format=job.format,
                encoding=job.encoding,
                rows_total=job.rows_total,
                rows_applied=job.rows_applied,
                rows_flagged=job.rows_flagged,
            )
        )

    def get_by_dedupe_key(self, dedupe_key: str) -> ExchangeJob | None:
        row = self._session.scalar(_JOB_BY_KEY, {"key": dedupe_key})
        return _job(row) if row else None

    def get(self, job_id: int) -> ExchangeJob | None:
        row = self._session.get(ExchangeJobRow, job_id)
        return _job(row) if row else None

    def recent(
        self,
        *,
        limit: int,
        transport: Transport | None = None,
        status: JobStatus | None = None,
    ) -> list[ExchangeJob]:
        query = select(ExchangeJobRow)
        if transport is not None:
            query = query.where(ExchangeJobRow.transport == transport.value)
        if status is not None:
            query = query.where(ExchangeJobRow.status == status.value)
        rows = self._session.scalars(
            query.order_by(ExchangeJobRow.received_at.desc(), ExchangeJobRow.id.desc()).limit(limit)
        )
        return [_job(row) for row in rows]


class SqlAlchemyPartnerRecordRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def existing_keys(self, item_code: str, id_numbers: Iterable[str]) -> set[tuple[str, date]]:
        found: set[tuple[str, date]] = set()
        statement = _KEYS_OF_PERSONS[self._postgres]
        for chunk in _chunks(id_numbers, self._session):
            rows = self._session.execute(statement, {"item": item_code, "ids": chunk})
            found.update((row.id_number, row.event_date) for row in rows)
        return found

    @property
    def _postgres(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    def for_persons(
        self, id_numbers: Iterable[str], item_codes: Iterable[str]
    ) -> list[PartnerRecord]:
        items = sorted(set(item_codes))
        found: list[PartnerRecord] = []
        statement = _RECORDS_OF_PERSONS[self._postgres]
        for chunk in _chunks(id_numbers, self._session):
            rows = self._session.scalars(statement, {"ids": chunk, "items": items})
            found.extend(_record(row) for row in rows)
        return found

    def add_all(self, records: Sequence[PartnerRecord]) -> None:
        if not records:
            return
        rows = [
            (
                r.item_code,
                r.department,
                r.id_number,
                r.name,
                r.event_date,
                r.end_date,
                r.record_type,
                r.job_id,
                r.received_at,
                r.flag.value if r.flag else None,
            )
            for r in records
        ]
        connection = self._session.connection()
        if connection.dialect.name == "postgresql":
            _copy_rows(connection.connection.driver_connection, rows)
            return
        _sqlite_insert_rows(connection, rows)

    def count(self, item_code: str | None = None) -> int:
        query = select(func.count()).select_from(PartnerRecordRow)
        if item_code is not None:
            query = query.where(PartnerRecordRow.item_code == item_code)
        return self._session.scalar(query) or 0


class SqlAlchemyReceiptRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        receipt: Receipt,
        *,
        job_id: int | None = None,
        outbox_id: int | None = None,
        problems: str = "",
    ) -> None:
        self._session.execute(
            _INSERT_RECEIPT,
            {
                "receipt_id": receipt.receipt_id,
                "job_id": job_id,
                "outbox_id": outbox_id,
                "direction": receipt.direction.value,
                "partner": receipt.partner,
                "item_code": receipt.item,
                "payload_digest": receipt.payload_digest,
                "record_count": receipt.record_count,
                "accepted": receipt.accepted,
                "rejected": receipt.rejected,
                "received_at": receipt.received_at,
                "signature": receipt.our_signature,
                "problems": problems,
            },
        )

    def for_job(self, job_id: int) -> Receipt | None:
        row = self._session.scalar(
            select(ExchangeReceiptRow)
            .where(ExchangeReceiptRow.job_id == job_id)
            .order_by(ExchangeReceiptRow.id)
            .limit(1)
        )
        return _receipt(row) if row else None

    def recent(self, *, limit: int) -> list[StoredReceipt]:
        # A partner's receipt names us as its partner; the other side is the department the
        # answered request went to.
        rows = self._session.execute(
            select(ExchangeReceiptRow, OutboxMessageRow.department)
            .outerjoin(OutboxMessageRow, OutboxMessageRow.id == ExchangeReceiptRow.outbox_id)
            .order_by(ExchangeReceiptRow.received_at.desc(), ExchangeReceiptRow.id.desc())
            .limit(limit)
        )
        return [
            StoredReceipt(
                receipt=_receipt(row),
                problems=row.problems,
                job_id=row.job_id,
                outbox_id=row.outbox_id,
                counterpart=department or row.partner,
            )
            for row, department in rows
        ]


class SqlAlchemyDisputeRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, dispute: Dispute) -> Dispute:
        row = DataDisputeRow(
            source_department=dispute.source_department,
            item_code=dispute.item_code,
            id_number=dispute.id_number,
            reason=dispute.reason,
            evidence_json=json.dumps(list(dispute.evidence), ensure_ascii=False),
            status=dispute.status.value,
            job_id=dispute.job_id,
            opened_at=dispute.opened_at,
            updated_at=dispute.updated_at,
            resolution=dispute.resolution,
        )
        self._session.add(row)
        self._session.flush()
        return _dispute(row)

    def get(self, dispute_id: int) -> Dispute | None:
        row = self._session.get(DataDisputeRow, dispute_id)
        return _dispute(row) if row else None

    def set_status(
        self, dispute_id: int, status: DisputeStatus, *, at: datetime, resolution: str = ""
    ) -> None:
        values: dict[str, Any] = {"status": status.value, "updated_at": at}
        if resolution:
            values["resolution"] = resolution
        self._session.execute(
            update(DataDisputeRow).where(DataDisputeRow.id == dispute_id).values(**values)
        )

    def recent(self, *, limit: int, status: DisputeStatus | None = None) -> list[Dispute]:
        query = select(DataDisputeRow)
        if status is not None:
            query = query.where(DataDisputeRow.status == status.value)
        rows = self._session.scalars(
            query.order_by(DataDisputeRow.opened_at.desc(), DataDisputeRow.id.desc()).limit(limit)
        )
        return [_dispute(row) for row in rows]

    def count_open(self) -> int:
        query = select(func.count()).where(DataDisputeRow.status != DisputeStatus.RESOLVED.value)
        return self._session.scalar(query) or 0


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


_RECORD_COLUMNS = (
    "item_code",
    "department",
    "id_number",
    "name",
    "event_date",
    "end_date",
    "record_type",
    "job_id",
    "received_at",
    "flag",
)


def _sqlite_insert_rows(connection: Connection, rows: Sequence[tuple[object, ...]]) -> None:
    """An executemany with values already in SQLite's storage form: dates as ISO text (what
    SQLAlchemy's Date stores) and times through the column type's own bind processor, once
    per distinct value. Skips SQLAlchemy's per-row parameter processing on bulk imports."""
    stamp = _PARTNER_RECORDS.c.received_at.type.bind_processor(connection.dialect)
    assert stamp is not None
    stamps: dict[object, object] = {}
    prepared = []
    for row in rows:
        event, end, received = row[4], row[5], row[8]
        if received not in stamps:
            stamps[received] = stamp(received)
        prepared.append(
            (
                *row[:4],
                _iso(event),
                _iso(end),
                *row[6:8],
                stamps[received],
                row[9],
            )
        )
    placeholders = ", ".join("?" * len(_RECORD_COLUMNS))
    connection.exec_driver_sql(
        f"INSERT INTO partner_records ({', '.join(_RECORD_COLUMNS)}) VALUES ({placeholders})",
        prepared,
    )


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _copy_rows(driver_connection: Any, rows: Sequence[tuple[object, ...]]) -> None:
    """Bulk rows into partner_records with PostgreSQL's COPY, inside the open transaction:
    an executemany of thousands of rows costs a server round trip per row."""
    columns = ", ".join(_RECORD_COLUMNS)
    statement = f"COPY partner_records ({columns}) FROM STDIN"
    with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _chunks(values: Iterable[str], session: Session) -> Iterable[list[str]]:
    wanted = sorted(set(values))
    size = chunk_size(session.get_bind().dialect.name)
    for start in range(0, len(wanted), size):
        yield wanted[start : start + size]


def _issues_json(issues: Iterable[RowIssue]) -> str:
    return json.dumps(
        [
            {"row": i.row_number, "field": i.field, "message": i.message_zh, "value": i.value}
            for i in issues
        ],
        ensure_ascii=False,
    )


def _issues(raw: str) -> tuple[RowIssue, ...]:
    return tuple(
        RowIssue(entry["row"], entry["field"], entry["message"], entry.get("value", ""))
        for entry in json.loads(raw)
    )


def _job(row: ExchangeJobRow) -> ExchangeJob:
    return ExchangeJob(
        id=row.id,
        transport=Transport(row.transport),
        department=row.department,
        item_code=row.item_code,
        reference=row.reference,
        dedupe_key=row.dedupe_key,
        payload_digest=row.payload_digest,
        format=row.format,
        encoding=row.encoding,
        rows_total=row.rows_total,
        rows_applied=row.rows_applied,
        rows_flagged=row.rows_flagged,
        issue_count=row.issue_count,
        status=JobStatus(row.status),
        issues=_issues(row.issues_json),
        received_at=row.received_at,
        actor=row.actor,
    )


def _record(row: PartnerRecordRow) -> PartnerRecord:
    return PartnerRecord(
        id=row.id,
        item_code=row.item_code,
        department=row.department,
        id_number=row.id_number,
        name=row.name,
        event_date=row.event_date,
        end_date=row.end_date,
        record_type=row.record_type,
        job_id=row.job_id,
        received_at=row.received_at,
        flag=RecordFlag(row.flag) if row.flag else None,
    )


def _receipt(row: ExchangeReceiptRow) -> Receipt:
    return Receipt(
        receipt_id=row.receipt_id,
        direction=Direction(row.direction),
        partner=row.partner,
        item=row.item_code,
        payload_digest=row.payload_digest,
        record_count=row.record_count,
        accepted=row.accepted,
        rejected=row.rejected,
        received_at=row.received_at,
        our_signature=row.signature,
    )


def _dispute(row: DataDisputeRow) -> Dispute:
    return Dispute(
        id=row.id,
        source_department=row.source_department,
        item_code=row.item_code,
        id_number=row.id_number,
        reason=row.reason,
        evidence=tuple(json.loads(row.evidence_json)),
        status=DisputeStatus(row.status),
        job_id=row.job_id,
        opened_at=row.opened_at,
        updated_at=row.updated_at,
        resolution=row.resolution,
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
