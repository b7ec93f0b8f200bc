"""SQLAlchemy repositories of the exchange's inbound transfers: exchange jobs (one per file,
API message or table-sync batch) and the partner records they bring in, with the bulk insert
path of the import (SQLite executemany in storage form, PostgreSQL COPY). They never commit."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from retirelink.exchange.file_schema import RowIssue
from retirelink.exchange.model import (
    ExchangeJob,
    JobStatus,
    PartnerRecord,
    RecordFlag,
    Transport,
)
from retirelink.storage.base import chunk_size, one_of
from retirelink.storage.rows import ExchangeJobRow, PartnerRecordRow

_PARTNER_RECORDS = cast(Table, PartnerRecordRow.__table__)
_EXCHANGE_JOBS = cast(Table, ExchangeJobRow.__table__)
# Statements built once: the signed API and table sync run them for every transfer, and
# building a statement costs more than running it on these small rows.
_INSERT_JOB = insert(_EXCHANGE_JOBS).returning(_EXCHANGE_JOBS.c.id)
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
