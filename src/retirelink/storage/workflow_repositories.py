"""Pre-review checklists and the notification outbox in SQL."""

import json
from datetime import datetime

from sqlalchemy import func, select, union, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from retirelink.rules import YearMonth
from retirelink.storage.rows import (
    InsuranceRecordRow,
    NotificationRow,
    PrereviewChecklistRow,
    RetirementApplicationRow,
)
from retirelink.workflow.model import Checklist, ChecklistItem, ChecklistStatus, Route
from retirelink.workflow.ports import Notification, StoredChecklist


class SqlAlchemyChecklistRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, person_id: int) -> StoredChecklist | None:
        row = self._session.get(PrereviewChecklistRow, person_id)
        return _stored(row) if row else None

    def save(self, stored: StoredChecklist) -> None:
        checklist = stored.checklist
        row = self._session.get(PrereviewChecklistRow, checklist.person_id)
        if row is None:
            row = PrereviewChecklistRow(person_id=checklist.person_id)
            self._session.add(row)
        row.retirement_month = YearMonth.parse(checklist.retirement_month).first_day()
        row.route = checklist.route.value
        row.status = stored.status.value
        row.items = json.dumps([item.as_json() for item in checklist.items], ensure_ascii=False)
        row.summary = json.dumps(dict(checklist.summary), ensure_ascii=False)
        row.first_flagged_at = stored.first_flagged_at
        row.checked_at = stored.checked_at
        row.resolved_at = stored.resolved_at
        self._session.flush()

    def listing(
        self, *, status: ChecklistStatus | None, offset: int, limit: int
    ) -> tuple[list[StoredChecklist], int]:
        query = select(PrereviewChecklistRow)
        if status is not None:
            query = query.where(PrereviewChecklistRow.status == status.value)
        total = self._session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self._session.scalars(
            query.order_by(PrereviewChecklistRow.retirement_month, PrereviewChecklistRow.person_id)
            .offset(offset)
            .limit(limit)
        )
        return [_stored(row) for row in rows], total

    def person_ids_for_employer(self, employer_id: int) -> list[int]:
        """The employer's current workers who are in the pre-review or have applied."""
        workers = select(InsuranceRecordRow.person_id).where(
            InsuranceRecordRow.employer_id == employer_id
        )
        reviewed = select(PrereviewChecklistRow.person_id).where(
            PrereviewChecklistRow.person_id.in_(workers)
        )
        applied = select(RetirementApplicationRow.person_id).where(
            RetirementApplicationRow.person_id.in_(workers)
        )
        return sorted(set(self._session.scalars(union(reviewed, applied))))


def _stored(row: PrereviewChecklistRow) -> StoredChecklist:
    return StoredChecklist(
        checklist=Checklist(
            person_id=row.person_id,
            retirement_month=str(YearMonth.of(row.retirement_month)),
            route=Route(row.route),
            summary=json.loads(row.summary),
            items=tuple(ChecklistItem.from_json(item) for item in json.loads(row.items)),
        ),
        status=ChecklistStatus(row.status),
        first_flagged_at=row.first_flagged_at,
        checked_at=row.checked_at,
        resolved_at=row.resolved_at,
    )


class SqlAlchemyNotificationRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def enqueue(self, notification: Notification, *, at: datetime) -> bool:
        values = {
            "dedupe_key": notification.dedupe_key,
            "person_id": notification.person_id,
            "recipient_kind": notification.recipient_kind,
            "recipient": notification.recipient,
            "subject": notification.subject,
            "body": notification.body,
            "status": "pending",
            "attempts": 0,
            "created_at": at,
            "last_error": "",
        }
        postgres = self._session.get_bind().dialect.name == "postgresql"
        statement = (pg_insert if postgres else sqlite_insert)(NotificationRow).values(values)
        # RETURNING, not rowcount: psycopg reports no rowcount for ON CONFLICT DO NOTHING.
        returned = self._session.execute(
            statement.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(
                NotificationRow.id
            )
        ).first()
        return returned is not None

    def pending(self, *, limit: int) -> list[Notification]:
        query = (
            select(NotificationRow)
            .where(NotificationRow.status == "pending")
            .order_by(NotificationRow.id)
            .limit(limit)
        )
        # Two web hosts never send the same notice: on PostgreSQL the rows are locked and
        # skipped by the other; SQLite serialises writers anyway.
        if self._session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [_notification(row) for row in self._session.scalars(query)]

    def mark_sent(self, notification_id: int, *, at: datetime) -> None:
        self._session.execute(
            update(NotificationRow)
            .where(NotificationRow.id == notification_id)
            .values(status="sent", sent_at=at, attempts=NotificationRow.attempts + 1)
        )

    def mark_failed(self, notification_id: int, *, error: str, give_up: bool) -> None:
        self._session.execute(
            update(NotificationRow)
            .where(NotificationRow.id == notification_id)
            .values(
                status="failed" if give_up else "pending",
                attempts=NotificationRow.attempts + 1,
                last_error=error[:500],
            )
        )

    def for_person(self, person_id: int) -> list[Notification]:
        rows = self._session.scalars(
            select(NotificationRow)
            .where(NotificationRow.person_id == person_id)
            .order_by(NotificationRow.id)
        )
        return [_notification(row) for row in rows]


def _notification(row: NotificationRow) -> Notification:
    return Notification(
        dedupe_key=row.dedupe_key,
        person_id=row.person_id,
        recipient_kind=row.recipient_kind,
        recipient=row.recipient,
        subject=row.subject,
        body=row.body,
        id=row.id,
        status=row.status,
        attempts=row.attempts,
    )
