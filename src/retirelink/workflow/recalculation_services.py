"""重新核定 (see workflow.recalculations): once the province has published a figure a granted
pension was paid on provisionally, compute the pension again with the same rules on the
facts as they now stand (the pension task's own handler),
record the new monthly amount and the difference owed for the months already paid, ledger it
and tell the pensioner. Nothing is recorded while the same figures are still unpublished, so
running it every day changes nothing until they are."""

import logging
from decimal import Decimal

from retirelink.errors import ConflictError, NotFoundError, RetireLinkError
from retirelink.ledger.model import LedgerAction
from retirelink.rules import YearMonth
from retirelink.security.model import SYSTEM_ACTOR, Actor, Permission
from retirelink.security.permissions import require
from retirelink.workflow.applications import DecisionStatus, Task, TaskKind, TaskStatus
from retirelink.workflow.ports import Notification, WorkflowUnitOfWork
from retirelink.workflow.recalculations import PensionRecalculation
from retirelink.workflow.task_handlers import pension
from retirelink.workflow.task_runner import TaskSettings, UnitOfWorkFactory, task_context

log = logging.getLogger(__name__)


def recalculate_pension(
    uow: WorkflowUnitOfWork, *, actor: Actor, application_id: int, settings: TaskSettings
) -> PensionRecalculation | None:
    """The recalculation, or None when no figure it was paid on has been published since."""
    require(actor, Permission.RETIREMENT_TASKS)
    task = _granted_pension_task(uow, application_id)
    earlier = uow.recalculations.for_application(application_id)
    if earlier:
        previous_notes, previous = earlier[-1].still_provisional, earlier[-1].monthly
    else:
        previous_notes = tuple(task.result.get("provisional", ()))
        previous = Decimal(task.result["pension"]["total"])
    if not previous_notes:
        return None
    outcome = pension(task_context(uow, task, settings))
    if outcome.status is not TaskStatus.DONE:
        raise ConflictError(f"无法重新核定：{outcome.summary}")
    notes = tuple(outcome.result["provisional"])
    if set(notes) == set(previous_notes):
        return None
    start = YearMonth.parse(outcome.result["pension"]["start_month"])
    this_month = YearMonth.of(uow.clock.today())
    recalculation = uow.recalculations.add(
        PensionRecalculation(
            application_id=application_id,
            recalculated_at=uow.clock.now(),
            recalculated_by=actor.username,
            previous_monthly=previous,
            monthly=Decimal(outcome.result["pension"]["total"]),
            # Paid at the previous amount from the first month up to last month.
            months_paid=max(0, this_month - start),
            start_month=start,
            still_provisional=notes,
            pension=outcome.result["pension"],
        )
    )
    _ledger_and_notify(uow, actor, application_id, recalculation)
    uow.commit()
    return recalculation


def run_recalculations(
    uow_factory: UnitOfWorkFactory, settings: TaskSettings, *, limit: int = 500
) -> int:
    """The daily pass over pensions still provisional; each in its own transaction. The
    number recalculated."""
    with uow_factory() as uow:
        due = uow.recalculations.provisional_pensions(limit=limit)
    done = 0
    for application_id in due:
        with uow_factory() as uow:
            try:
                recalculated = recalculate_pension(
                    uow, actor=SYSTEM_ACTOR, application_id=application_id, settings=settings
                )
            except RetireLinkError as error:
                # One pension the rules cannot compute today (its facts changed, a record is
                # gone) must not hold up the others: it is left for a clerk and tried again.
                uow.rollback()
                log.warning("重新核定失败（申请%s）：%s", application_id, error.message)
                continue
            done += recalculated is not None
    return done


def _granted_pension_task(uow: WorkflowUnitOfWork, application_id: int) -> Task:
    decision = uow.decisions.get(application_id)
    if decision is None or decision.status is not DecisionStatus.APPROVED or not decision.grant:
        raise ConflictError("只有已批准退休的申请才能重新核定待遇")
    task = next(
        (t for t in uow.tasks.for_application(application_id) if t.kind is TaskKind.PENSION),
        None,
    )
    if task is None or "pension" not in task.result:
        raise NotFoundError("该申请没有待遇测算结果")
    return task


def _ledger_and_notify(
    uow: WorkflowUnitOfWork, actor: Actor, application_id: int, recalculation: PensionRecalculation
) -> None:
    application = uow.applications.get(application_id)
    person = uow.persons.get(application.person_id) if application else None
    if application is None or person is None:
        raise NotFoundError("退休申请不存在")
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.PENSION_RECALCULATED,
        subject=uow.ledger.subject("person", person.id_number),
        purpose=f"重新核定基本养老金：{application.reference}",
        before={"monthly": str(recalculation.previous_monthly)},
        after={
            "monthly": str(recalculation.monthly),
            "months_paid": recalculation.months_paid,
            "difference": str(recalculation.difference),
            "still_provisional": list(recalculation.still_provisional),
        },
    )
    if not person.phone:
        return
    uow.notifications.enqueue(
        Notification(
            dedupe_key=f"recalculation:{recalculation.id}",
            person_id=person.id or 0,
            recipient_kind="person",
            recipient=person.phone,
            subject=f"{person.name}您好：基本养老金已重新核定",
            body=(
                f"您的基本养老金由每月{recalculation.previous_monthly}元重新核定为每月"
                f"{recalculation.monthly}元，已发放的{recalculation.months_paid}个月"
                f"{recalculation.settlement_label}。"
            ),
        ),
        at=uow.clock.now(),
    )
