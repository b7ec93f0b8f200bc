"""Retirement applications and their parallel tasks in SQL. The task rows are their own work
queue: a worker claims due rows (SKIP LOCKED on PostgreSQL, so several workers never take
the same task) with a lease, and a crashed worker's tasks are claimed again once it ends."""

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from retirelink.errors import ConflictError
from retirelink.rules import WorkCapacity, YearMonth
from retirelink.storage.rows import (
    ApplicationDecisionRow,
    ApplicationTaskRow,
    RetirementApplicationRow,
)
from retirelink.workflow.applications import (
    Application,
    ApplicationRoute,
    Appraisal,
    Channel,
    Decision,
    DecisionStatus,
    Task,
    TaskKind,
    TaskStatus,
    reference_for,
)


class SqlAlchemyApplicationRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, application: Application, *, region: str) -> Application:
        appraisal = application.appraisal
        row = RetirementApplicationRow(
            reference=f"pending-{uuid.uuid4().hex}",
            person_id=application.person_id,
            retirement_month=application.retirement_month.first_day(),
            route=application.route.value,
            channel=application.channel.value,
            bank_name=application.bank_name,
            bank_account=application.bank_account,
            employer_agrees=application.employer_agrees,
            appraisal_capacity=appraisal.capacity.value if appraisal else None,
            appraisal_reference=appraisal.reference if appraisal else None,
            appraisal_date=appraisal.appraised_on if appraisal else None,
            materials_asked=application.materials_asked,
            submitted_by=application.submitted_by,
            submitted_at=application.submitted_at,
        )
        try:
            with self._session.begin_nested():
                self._session.add(row)
                self._session.flush()
        except IntegrityError:
            raise ConflictError("该参保人本月份的退休申请已提交，请勿重复提交") from None
        row.reference = reference_for(region, application.submitted_at.date(), row.id)
        self._session.flush()
        return _application(row)

    def get(self, application_id: int) -> Application | None:
        row = self._session.get(RetirementApplicationRow, application_id)
        return _application(row) if row else None

    def by_reference(self, reference: str) -> Application | None:
        row = self._session.scalar(
            select(RetirementApplicationRow).where(RetirementApplicationRow.reference == reference)
        )
        return _application(row) if row else None

    def for_person_month(self, person_id: int, month: YearMonth) -> Application | None:
        row = self._session.scalar(
            select(RetirementApplicationRow).where(
                RetirementApplicationRow.person_id == person_id,
                RetirementApplicationRow.retirement_month == month.first_day(),
            )
        )
        return _application(row) if row else None

    def for_person(self, person_id: int) -> list[Application]:
        rows = self._session.scalars(
            select(RetirementApplicationRow)
            .where(RetirementApplicationRow.person_id == person_id)
            .order_by(RetirementApplicationRow.id)
        )
        return [_application(row) for row in rows]

    def listing(self, *, offset: int, limit: int) -> tuple[list[Application], int]:
        total = self._session.scalar(select(func.count(RetirementApplicationRow.id))) or 0
        rows = self._session.scalars(
            select(RetirementApplicationRow)
            .order_by(RetirementApplicationRow.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [_application(row) for row in rows], total


class SqlAlchemyTaskRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add_all(self, tasks: Sequence[Task]) -> None:
        self._session.add_all([_task_row(task) for task in tasks])
        self._session.flush()

    def for_application(self, application_id: int) -> list[Task]:
        return self.for_applications([application_id]).get(application_id, [])

    def for_applications(self, application_ids: Sequence[int]) -> dict[int, list[Task]]:
        found: dict[int, list[Task]] = {}
        if not application_ids:
            return found
        rows = self._session.scalars(
            select(ApplicationTaskRow)
            .where(ApplicationTaskRow.application_id.in_(list(application_ids)))
            .order_by(ApplicationTaskRow.id)
        )
        for row in rows:
            found.setdefault(row.application_id, []).append(_task(row))
        return found

    def get(self, task_id: int) -> Task | None:
        row = self._session.get(ApplicationTaskRow, task_id)
        return _task(row) if row else None

    def claim_due(self, *, now: datetime, lease: timedelta, limit: int) -> list[Task]:
        task = ApplicationTaskRow
        due = (
            select(task.id)
            .where(
                ((task.status == TaskStatus.WAITING.value) & (task.next_attempt_at <= now))
                | ((task.status == TaskStatus.RUNNING.value) & (task.locked_until < now))
            )
            .order_by(task.next_attempt_at, task.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = self._session.scalars(
            update(task)
            .where(task.id.in_(due.scalar_subquery()))
            .values(
                status=TaskStatus.RUNNING.value,
                locked_until=now + lease,
                attempts=task.attempts + 1,
                started_at=func.coalesce(task.started_at, now),
            )
            .returning(task.id)
        ).all()
        self._session.expire_all()
        return [_task(row) for row in self._rows(sorted(ids))]

    def _rows(self, ids: list[int]) -> Sequence[ApplicationTaskRow]:
        if not ids:
            return []
        return self._session.scalars(
            select(ApplicationTaskRow)
            .where(ApplicationTaskRow.id.in_(ids))
            .order_by(ApplicationTaskRow.id)
        ).all()

    def save(self, task: Task) -> None:
        row = self._session.get(ApplicationTaskRow, task.id)
        if row is None:
            raise LookupError(f"task {task.id} vanished")
        _fill(row, task)
        row.locked_until = None
        self._session.flush()

    def overdue(self, *, now: datetime, limit: int) -> list[Task]:
        unsettled = [status.value for status in TaskStatus if not status.settled]
        rows = self._session.scalars(
            select(ApplicationTaskRow)
            .where(
                ApplicationTaskRow.status.in_(unsettled),
                ApplicationTaskRow.due_at < now,
                ApplicationTaskRow.escalated_at.is_(None),
            )
            .order_by(ApplicationTaskRow.due_at, ApplicationTaskRow.id)
            .limit(limit)
        )
        return [_task(row) for row in rows]

    def queue(
        self, *, statuses: Sequence[TaskStatus], offset: int, limit: int
    ) -> tuple[list[Task], int]:
        wanted = ApplicationTaskRow.status.in_([status.value for status in statuses])
        total = self._session.scalar(select(func.count(ApplicationTaskRow.id)).where(wanted)) or 0
        rows = self._session.scalars(
            select(ApplicationTaskRow)
            .where(wanted)
            .order_by(ApplicationTaskRow.due_at, ApplicationTaskRow.id)
            .offset(offset)
            .limit(limit)
        )
        return [_task(row) for row in rows], total


class SqlAlchemyDecisionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, application_id: int) -> Decision | None:
        row = self._session.get(ApplicationDecisionRow, application_id)
        return _decision(row) if row else None

    def for_applications(self, application_ids: Sequence[int]) -> dict[int, Decision]:
        if not application_ids:
            return {}
        rows = self._session.scalars(
            select(ApplicationDecisionRow).where(
                ApplicationDecisionRow.application_id.in_(list(application_ids))
            )
        )
        return {row.application_id: _decision(row) for row in rows}

    def save(self, decision: Decision) -> None:
        row = self._session.get(ApplicationDecisionRow, decision.application_id)
        if row is None:
            row = ApplicationDecisionRow(application_id=decision.application_id)
            self._session.add(row)
        row.status = decision.status.value
        row.grant = decision.grant
        row.determined_by = decision.determined_by
        row.determined_at = decision.determined_at
        row.determination_note = decision.determination_note
        row.basis = json.dumps(dict(decision.basis), ensure_ascii=False, default=str)
        row.reviewed_by = decision.reviewed_by
        row.reviewed_at = decision.reviewed_at
        row.review_note = decision.review_note
        self._session.flush()


def _decision(row: ApplicationDecisionRow) -> Decision:
    return Decision(
        application_id=row.application_id,
        status=DecisionStatus(row.status),
        grant=row.grant,
        determined_by=row.determined_by,
        determined_at=row.determined_at,
        determination_note=row.determination_note,
        basis=json.loads(row.basis),
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        review_note=row.review_note,
    )


def _application(row: RetirementApplicationRow) -> Application:
    return Application(
        id=row.id,
        reference=row.reference,
        person_id=row.person_id,
        retirement_month=YearMonth.of(row.retirement_month),
        route=ApplicationRoute(row.route),
        channel=Channel(row.channel),
        bank_name=row.bank_name,
        bank_account=row.bank_account,
        employer_agrees=row.employer_agrees,
        appraisal=_appraisal(row),
        materials_asked=row.materials_asked,
        submitted_by=row.submitted_by,
        submitted_at=row.submitted_at,
    )


def _appraisal(row: RetirementApplicationRow) -> Appraisal | None:
    if row.appraisal_capacity is None or row.appraisal_date is None:
        return None
    return Appraisal(
        WorkCapacity(row.appraisal_capacity), row.appraisal_reference or "", row.appraisal_date
    )


def _task_row(task: Task) -> ApplicationTaskRow:
    row = ApplicationTaskRow(application_id=task.application_id, kind=task.kind.value)
    _fill(row, task)
    return row


def _fill(row: ApplicationTaskRow, task: Task) -> None:
    row.status = task.status.value
    row.due_at = task.due_at
    row.attempts = task.attempts
    row.next_attempt_at = task.next_attempt_at
    row.summary = task.summary
    row.evidence = json.dumps(list(task.evidence), ensure_ascii=False)
    row.result = json.dumps(dict(task.result), ensure_ascii=False, default=str)
    row.started_at = task.started_at
    row.finished_at = task.finished_at
    row.escalated_at = task.escalated_at
    row.finished_by = task.finished_by


def _task(row: ApplicationTaskRow) -> Task:
    return Task(
        id=row.id,
        application_id=row.application_id,
        kind=TaskKind(row.kind),
        status=TaskStatus(row.status),
        due_at=row.due_at,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        summary=row.summary,
        evidence=tuple(json.loads(row.evidence)),
        result=json.loads(row.result),
        started_at=row.started_at,
        finished_at=row.finished_at,
        escalated_at=row.escalated_at,
        finished_by=row.finished_by,
    )
