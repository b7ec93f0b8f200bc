"""Working the parallel tasks (并联审批): the worker claims due tasks and decides each in its
own transaction; a department that is down leaves its task waiting with a growing delay
while the other tasks proceed; a task past its time limit is escalated; a person completes
or re-runs what the worker handed over.

A crash between tasks loses nothing: each task's state is committed with its decision, and
a task whose worker died mid-way is claimed again when its lease runs out.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import NamedTuple

from retirelink.clock import CHINA_TZ
from retirelink.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PartnerResponseError,
    RetireLinkError,
    UnavailableError,
)
from retirelink.ledger.model import LedgerAction
from retirelink.rules.parameters import ParameterSet
from retirelink.security.model import SYSTEM_ACTOR, Actor, Permission
from retirelink.security.permissions import require
from retirelink.workflow.applications import (
    TASK_PLAN,
    DecisionStatus,
    Task,
    TaskKind,
    TaskStatus,
    WaitingForTaskError,
)
from retirelink.workflow.ports import (
    Notification,
    PartnerChecks,
    TaskOutcome,
    WorkflowUnitOfWork,
)
from retirelink.workflow.task_handlers import HANDLERS, TaskContext

UnitOfWorkFactory = Callable[[], AbstractContextManager[WorkflowUnitOfWork]]

LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=15)
LONGEST_WAIT = timedelta(hours=1)
# A department that keeps failing is retried (at most hourly) until the task's time limit
# escalates it; a person may also re-run it at any time.


@dataclass(frozen=True)
class TaskSettings:
    params: ParameterSet
    region: str
    partners: PartnerChecks


@dataclass
class TaskRunSummary:
    decided: int = 0
    waiting: int = 0  # a department was down or answered garbage: retried later
    escalated: int = 0


def retry_delay(attempts: int) -> timedelta:
    """15 s, 30 s, 1 min … at most an hour."""
    delay: timedelta = FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 12)
    return min(delay, LONGEST_WAIT)


def run_due_tasks(
    uow_factory: UnitOfWorkFactory, settings: TaskSettings, *, limit: int = 50
) -> TaskRunSummary:
    """One round: escalate overdue tasks, claim due ones, decide each."""
    summary = TaskRunSummary()
    with uow_factory() as uow:
        summary.escalated = escalate_overdue(uow)
        claimed = uow.tasks.claim_due(now=uow.clock.now(), lease=LEASE, limit=limit)
        uow.commit()
    for task in claimed:
        with uow_factory() as uow:
            if decide_task(uow, task, settings):
                summary.decided += 1
            else:
                summary.waiting += 1
    return summary


def decide_task(uow: WorkflowUnitOfWork, task: Task, settings: TaskSettings) -> bool:
    """Decide one claimed task; False when it must wait for a department."""
    context = task_context(uow, task, settings)
    if TASK_PLAN[task.kind].partner:
        # End the reading transaction before asking a department: on SQLite a transaction
        # holds the database's write lock, and a slow or unreachable department (the
        # gateway retries) must not hold up every other writer meanwhile.
        uow.commit()
    try:
        outcome = HANDLERS[task.kind](context)
    except (UnavailableError, PartnerResponseError) as error:
        uow.rollback()
        _wait(uow, task, error)
        return False
    except RetireLinkError as error:
        # The rules refuse the facts (an impossible record), a record vanished: a person
        # must look; the task is not retried blindly.
        uow.rollback()
        outcome = TaskOutcome(TaskStatus.NEEDS_PERSON, f"无法自动办理：{error.message}")
    subject = Subject(context.application.reference, context.person.id_number)
    _finish(uow, task, outcome, actor=SYSTEM_ACTOR, subject=subject)
    return True


def task_context(uow: WorkflowUnitOfWork, task: Task, settings: TaskSettings) -> TaskContext:
    """What a task's handler reads: its application, the person, the insured record."""
    application = uow.applications.get(task.application_id)
    if application is None:
        raise NotFoundError("退休申请不存在")
    person = uow.persons.get(application.person_id)
    record = uow.insured.get(application.person_id)
    if person is None or record is None:
        raise NotFoundError("参保人或参保记录不存在")
    return TaskContext(
        uow=uow,
        actor=SYSTEM_ACTOR,
        application=application,
        person=person,
        record=record,
        params=settings.params,
        region=settings.region,
        partners=settings.partners,
        today=uow.clock.today(),
    )


def _wait(
    uow: WorkflowUnitOfWork, task: Task, error: UnavailableError | PartnerResponseError
) -> None:
    now = uow.clock.now()
    if isinstance(error, WaitingForTaskError):  # not a department's fault: say what it awaits
        summary = f"{error.message}（第{task.attempts}次检查）"
    else:
        summary = (
            f"{task.kind.department}暂时无法办理，稍后自动重试（第{task.attempts}次）："
            f"{error.message}"
        )
    uow.tasks.save(
        replace(
            task,
            status=TaskStatus.WAITING,
            next_attempt_at=now + retry_delay(task.attempts),
            summary=summary,
        )
    )
    uow.commit()


class Subject(NamedTuple):
    """Whose application a ledger entry is about: its 受理编号 and the person's ID number."""

    reference: str
    id_number: str


def _subject(uow: WorkflowUnitOfWork, task: Task) -> Subject:
    application = uow.applications.get(task.application_id)
    person = uow.persons.get(application.person_id) if application else None
    return Subject(
        application.reference if application else "", person.id_number if person else "?"
    )


def _finish(
    uow: WorkflowUnitOfWork,
    task: Task,
    outcome: TaskOutcome,
    *,
    actor: Actor,
    subject: Subject | None = None,
) -> Task:
    now = uow.clock.now()
    settled = outcome.status.settled
    decided = replace(
        task,
        status=outcome.status,
        summary=outcome.summary,
        evidence=outcome.evidence,
        result=outcome.result,
        next_attempt_at=None,
        finished_at=now if settled else None,
        finished_by=actor.username if settled else None,
    )
    uow.tasks.save(decided)
    _ledger_task(uow, actor, decided, LedgerAction.TASK_DECIDED, subject)
    uow.commit()
    return decided


def _ledger_task(
    uow: WorkflowUnitOfWork,
    actor: Actor,
    task: Task,
    action: LedgerAction,
    subject: Subject | None = None,
) -> None:
    """One entry per change of a task; ``subject`` when the caller has it at hand (the
    worker does), else read."""
    about = subject or _subject(uow, task)
    uow.ledger.record(
        actor=actor,
        action=action,
        subject=uow.ledger.subject("person", about.id_number),
        purpose=f"{about.reference} {task.kind.label}：{task.status.label}；{task.summary}"[:200],
        after={"task": task.id, "status": task.status.value, "evidence": list(task.evidence)},
    )


def escalate_overdue(uow: WorkflowUnitOfWork, *, limit: int = 100) -> int:
    """Mark tasks past their time limit (督办): shown first in the queues, ledgered, and a
    督办 notice queued to the owning department."""
    now = uow.clock.now()
    overdue = uow.tasks.overdue(now=now, limit=limit)
    for task in overdue:
        escalated = replace(task, escalated_at=now)
        uow.tasks.save(escalated)
        _ledger_task(uow, SYSTEM_ACTOR, escalated, LedgerAction.TASK_ESCALATED)
        _notify_owner(uow, escalated)
    return len(overdue)


def _notify_owner(uow: WorkflowUnitOfWork, task: Task) -> None:
    """The 督办 notice goes to the department that owns the task (its liaison's inbox; the
    file notifier by default). It names the application, not the person."""
    application = uow.applications.get(task.application_id)
    if application is None:
        return
    uow.notifications.enqueue(
        Notification(
            dedupe_key=f"escalation:{task.id}",
            person_id=application.person_id,
            recipient_kind="department",
            recipient=task.department,
            subject=f"督办：退休申请{application.reference}的“{task.kind.label}”已超过办理时限",
            body=(
                f"该任务时限为{task.due_at.astimezone(CHINA_TZ):%Y-%m-%d %H:%M}，"
                f"当前状态“{task.status.label}”。"
                "请尽快办理；办理情况将纳入部门考核。"
            ),
        ),
        at=uow.clock.now(),
    )


# --- a person's hand ------------------------------------------------------------------------------

_HANDED_OVER = (TaskStatus.NEEDS_PERSON, TaskStatus.DISPUTED)


def complete_task(
    uow: WorkflowUnitOfWork,
    *,
    actor: Actor,
    task_id: int,
    status: TaskStatus,
    note: str,
) -> Task:
    """A person decides a task the worker handed over (done or refused, with the reason)."""
    require(actor, Permission.RETIREMENT_TASKS)
    if status not in (TaskStatus.DONE, TaskStatus.REFUSED):
        raise InvalidInputError("人工办理只能办结或认定不符合条件", field="status")
    note = note.strip()
    if not note:
        raise InvalidInputError("请填写办理意见", field="note")
    # An objection to a 公示 is recorded while the notice is still up.
    task = _handed_over(uow, task_id, waiting_allowed=_is_notice)
    evidence = (*task.evidence, f"user:{actor.username}")
    outcome = TaskOutcome(status, f"人工办理：{note}", evidence, dict(task.result))
    return _finish(uow, task, outcome, actor=actor)


def retry_task(uow: WorkflowUnitOfWork, *, actor: Actor, task_id: int) -> Task:
    """Run a handed-over task again (e.g. the missing material has been scanned in)."""
    require(actor, Permission.RETIREMENT_TASKS)
    task = _handed_over(uow, task_id, waiting_allowed=lambda _: True)
    waiting = replace(
        task,
        status=TaskStatus.WAITING,
        next_attempt_at=uow.clock.now(),
        summary="已重新提交办理",
    )
    uow.tasks.save(waiting)
    _ledger_task(uow, actor, waiting, LedgerAction.TASK_RETRIED)
    uow.commit()
    return waiting


def _is_notice(task: Task) -> bool:
    return task.kind is TaskKind.PUBLIC_NOTICE


def _handed_over(
    uow: WorkflowUnitOfWork, task_id: int, *, waiting_allowed: Callable[[Task], bool]
) -> Task:
    """The task, if a person may act on it: handed over (or waiting, where allowed) and its
    application not determined."""
    task = uow.tasks.get(task_id)
    if task is None:
        raise NotFoundError("任务不存在")
    decision = uow.decisions.get(task.application_id)
    if decision is not None and decision.status is not DecisionStatus.RETURNED:
        raise ConflictError("该申请已核定，任务不能再变更")
    waiting = task.status is TaskStatus.WAITING and waiting_allowed(task)
    if task.status not in _HANDED_OVER and not waiting:
        raise ConflictError(f"该任务当前为“{task.status.label}”，不能人工办理")
    return task


def task_queue(
    uow: WorkflowUnitOfWork, *, actor: Actor, offset: int = 0, limit: int = 50
) -> tuple[list[Task], int]:
    """The clerks' queue: tasks handed to a person, and partner tasks still retrying, the
    earliest time limit first (overdue ones lead)."""
    require(actor, Permission.RETIREMENT_TASKS)
    statuses = (*_HANDED_OVER, TaskStatus.WAITING)
    return uow.tasks.queue(statuses=statuses, offset=offset, limit=limit)
