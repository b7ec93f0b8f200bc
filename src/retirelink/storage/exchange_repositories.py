"""SQLAlchemy repositories for partner files and the records they carry. They never commit."""

import json
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from retirelink.exchange.file_schema import RowIssue
from retirelink.exchange.model import ExchangeFile, FileStatus, PartnerRecord
from retirelink.storage.rows import ExchangeFileRow, PartnerRecordRow

# Bound parameters per IN (...) list, well below SQLite's and PostgreSQL's limits.
_CHUNK = 500


class SqlAlchemyExchangeFileRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, file: ExchangeFile) -> ExchangeFile:
        row = ExchangeFileRow(
            digest_sha256=file.digest_sha256,
            filename=file.filename,
            item_code=file.item_code,
            department=file.department,
            format=file.format,
            encoding=file.encoding,
            rows_total=file.rows_total,
            rows_applied=file.rows_applied,
            issue_count=file.issue_count,
            status=file.status.value,
            issues_json=_issues_json(file.issues),
            received_at=file.received_at,
            actor=file.actor,
        )
        self._session.add(row)
        self._session.flush()
        return _exchange_file(row)

    def get_by_digest(self, digest_sha256: str) -> ExchangeFile | None:
        row = self._session.scalar(
            select(ExchangeFileRow).where(ExchangeFileRow.digest_sha256 == digest_sha256)
        )
        return _exchange_file(row) if row else None

    def get(self, file_id: int) -> ExchangeFile | None:
        row = self._session.get(ExchangeFileRow, file_id)
        return _exchange_file(row) if row else None

    def recent(self, *, limit: int) -> list[ExchangeFile]:
        rows = self._session.scalars(
            select(ExchangeFileRow)
            .order_by(ExchangeFileRow.received_at.desc(), ExchangeFileRow.id.desc())
            .limit(limit)
        )
        return [_exchange_file(row) for row in rows]


class SqlAlchemyPartnerRecordRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def existing_keys(self, item_code: str, id_numbers: Iterable[str]) -> set[tuple[str, date]]:
        wanted = sorted(set(id_numbers))
        found: set[tuple[str, date]] = set()
        for start in range(0, len(wanted), _CHUNK):
            rows = self._session.execute(
                select(PartnerRecordRow.id_number, PartnerRecordRow.event_date).where(
                    PartnerRecordRow.item_code == item_code,
                    PartnerRecordRow.id_number.in_(wanted[start : start + _CHUNK]),
                )
            )
            found.update((row.id_number, row.event_date) for row in rows)
        return found

    def add_all(self, records: Sequence[PartnerRecord]) -> None:
        if not records:
            return
        self._session.execute(
            insert(PartnerRecordRow),
            [
                {
                    "item_code": r.item_code,
                    "department": r.department,
                    "id_number": r.id_number,
                    "name": r.name,
                    "event_date": r.event_date,
                    "end_date": r.end_date,
                    "record_type": r.record_type,
                    "file_id": r.file_id,
                    "received_at": r.received_at,
                }
                for r in records
            ],
        )

    def count(self, item_code: str | None = None) -> int:
        query = select(func.count()).select_from(PartnerRecordRow)
        if item_code is not None:
            query = query.where(PartnerRecordRow.item_code == item_code)
        return self._session.scalar(query) or 0


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


def _exchange_file(row: ExchangeFileRow) -> ExchangeFile:
    return ExchangeFile(
        id=row.id,
        digest_sha256=row.digest_sha256,
        filename=row.filename,
        item_code=row.item_code,
        department=row.department,
        format=row.format,
        encoding=row.encoding,
        rows_total=row.rows_total,
        rows_applied=row.rows_applied,
        issue_count=row.issue_count,
        status=FileStatus(row.status),
        issues=_issues(row.issues_json),
        received_at=row.received_at,
        actor=row.actor,
    )
