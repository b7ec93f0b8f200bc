"""Maker-checker on a retirement application: a clerk determines (核定) from the finished
tasks, a different reviewer approves it (复核) or returns it. The determination keeps what it
rested on (each task's result and evidence, the rules' explanation), so the printed
职工退休审批表 and any later audit show the same basis the people saw.

Approval of a retirement moves the insured record to retired from the retirement month and
tells the applicant that the approval form can be downloaded.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from retirelink.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import Actor, Permission, Role
from retirelink.security.permissions import require
from retirelink.workflow.application_services import ApplicationView, application_view
from retirelink.workflow.applications import (
    Application,
    ApplicationState,
    Decision,
    DecisionStatus,
    Task,
    TaskStatus,
    application_state,
)
from retirelink.workflow.ports import Notification, WorkflowUnitOfWork


def determine(
    uow: WorkflowUnitOfWork, *, actor: Actor, application_id: int, grant: bool, note: str
) -> Decision:
    """核定: grant the retirement when every task is done; refuse it (with the reason) when a
    task found the person not eligible, or on the clerk's own finding."""
    require(actor, Permission.RETIREMENT_DETERMINE)
    application, tasks = _application(uow, application_id)
    earlier = uow.decisions.get(application_id)
    if earlier is not None and earlier.status is not DecisionStatus.RETURNED:
        raise ConflictError(f"该申请已{earlier.status.label}，不能重复核定")
    state = application_state(tasks)
    note = note.strip()
    if grant and state is not ApplicationState.READY:
        open_tasks = "、".join(t.kind.label for t in tasks if t.status is not TaskStatus.DONE)
        raise ConflictError(f"尚有任务未办结或不符合条件（{open_tasks}），不能核定批准")
    if not grant and not note:
        raise InvalidInputError("不予批准须写明理由", field="note")
    decision = Decision(
        application_id=application_id,
        status=DecisionStatus.DETERMINED,
        grant=grant,
        determined_by=actor.username,
        determined_at=uow.clock.now(),
        determination_note=note,
        basis=_basis(tasks),
    )
    uow.decisions.save(decision)
    _ledger(uow, actor, application, LedgerAction.APPLICATION_DETERMINED, decision)
    uow.commit()
    return decision


def review(
    uow: WorkflowUnitOfWork, *, actor: Actor, application_id: int, approve: bool, note: str
) -> Decision:
    """复核 by someone other than the clerk who determined: approve, or return with reasons."""
    require(actor, Permission.RETIREMENT_APPROVE)
    application, _ = _application(uow, application_id)
    decision = uow.decisions.get(application_id)
    if decision is None or decision.status is not DecisionStatus.DETERMINED:
        raise ConflictError("该申请尚未核定或已复核，不能复核")
    if decision.determined_by == actor.username:
        raise PermissionDeniedError("复核人不能与核定人为同一人（经办与复核分离）")
    note = note.strip()
    if not approve and not note:
        raise InvalidInputError("退回须写明理由", field="note")
    reviewed = replace(
        decision,
        status=DecisionStatus.APPROVED if approve else DecisionStatus.RETURNED,
        reviewed_by=actor.username,
        reviewed_at=uow.clock.now(),
        review_note=note,
    )
    uow.decisions.save(reviewed)
    if approve and decision.grant:
        uow.insured.mark_retired(application.person_id, application.retirement_month)
    if approve:
        _tell_applicant(uow, application, reviewed)
    _ledger(uow, actor, application, LedgerAction.APPLICATION_REVIEWED, reviewed)
    uow.commit()
    return reviewed


def _application(uow: WorkflowUnitOfWork, application_id: int) -> tuple[Application, list[Task]]:
    application = uow.applications.get(application_id)
    if application is None:
        raise NotFoundError("退休申请不存在")
    return application, uow.tasks.for_application(application_id)


def _basis(tasks: list[Task]) -> dict[str, Any]:
    return {
        "tasks": [
            {
                "kind": task.kind.value,
                "label": task.kind.label,
                "department": task.department,
                "status": task.status.value,
                "summary": task.summary,
                "evidence": list(task.evidence),
                "result": dict(task.result),
                "finished_at": task.finished_at.isoformat() if task.finished_at else None,
                "finished_by": task.finished_by,
            }
            for task in tasks
        ]
    }


def _ledger(
    uow: WorkflowUnitOfWork,
    actor: Actor,
    application: Application,
    action: LedgerAction,
    decision: Decision,
) -> None:
    person = uow.persons.get(application.person_id)
    conclusion = "批准退休" if decision.grant else "不予批准"
    uow.ledger.record(
        actor=actor,
        action=action,
        subject=uow.ledger.subject("person", person.id_number if person else "?"),
        purpose=f"{application.reference}：{conclusion}，{decision.status.label}"[:200],
        after={
            "application": application.reference,
            "status": decision.status.value,
            "grant": decision.grant,
        },
    )


def _tell_applicant(uow: WorkflowUnitOfWork, application: Application, decision: Decision) -> None:
    person = uow.persons.get(application.person_id)
    if person is None or person.id is None or not person.phone:
        return
    if decision.grant:
        body = (
            f"您的退休申请{application.reference}已批准，自{application.retirement_month.label}"
            "起退休。可凭受理编号和身份证号在网上查询并下载《职工退休审批表》。"
        )
    else:
        body = (
            f"您的退休申请{application.reference}经审核不予批准，理由："
            f"{decision.determination_note}。可凭受理编号查询详情。"
        )
    uow.notifications.enqueue(
        Notification(
            dedupe_key=f"decision:{application.reference}",
            person_id=person.id,
            recipient_kind="person",
            recipient=person.phone,
            subject=f"{person.name}您好：退休申请审批结果",
            body=body,
        ),
        at=uow.clock.now(),
    )


# --- the printed form and the applicant's own view ---------------------------------------------


@dataclass(frozen=True, slots=True)
class ApprovalForm:
    """What the 职工退休审批表 prints: the application as decided, and the employer."""

    view: ApplicationView
    employer_name: str
    issued_at: datetime


# The applicant proves who they are with the 受理编号 and their full ID number (as on the
# receipt the window hands out); they hold no account here.
APPLICANT_ACTOR = Actor(
    user_id=0,
    username="applicant",
    display_name="申请人本人",
    department_code="",
    roles=frozenset({Role.APPLICANT}),
)


def approval_form(uow: WorkflowUnitOfWork, *, actor: Actor, application_id: int) -> ApprovalForm:
    """The form of a decided application, for the agency to print (ledgered)."""
    require(actor, Permission.RETIREMENT_TASKS)
    view = application_view(uow, actor=actor, application_id=application_id, purpose="打印审批表")
    return issue_form(uow, actor, view)


def applicant_view(uow: WorkflowUnitOfWork, *, reference: str, id_number: str) -> ApplicationView:
    """The applicant's own application, found by 受理编号 and ID number (ledgered)."""
    application = uow.applications.by_reference(reference.strip().upper())
    person = uow.persons.get(application.person_id) if application else None
    asked = id_number.strip().upper()
    if application is None or application.id is None or person is None or person.id_number != asked:
        raise NotFoundError("受理编号与公民身份号码不匹配，请核对后再查")
    uow.ledger.record(
        actor=APPLICANT_ACTOR,
        action=LedgerAction.APPLICATION_READ,
        subject=uow.ledger.subject("person", person.id_number),
        purpose=f"本人查询办理进度：{application.reference}",
    )
    uow.commit()
    return ApplicationView(
        application,
        person,
        tuple(uow.tasks.for_application(application.id)),
        uow.decisions.get(application.id),
    )


def applicant_approval_form(
    uow: WorkflowUnitOfWork, *, reference: str, id_number: str
) -> ApprovalForm:
    return issue_form(
        uow, APPLICANT_ACTOR, applicant_view(uow, reference=reference, id_number=id_number)
    )


def issue_form(uow: WorkflowUnitOfWork, actor: Actor, view: ApplicationView) -> ApprovalForm:
    """The form of a decided application for whoever may have it (ledgered)."""
    if not view.state.closed:
        raise ConflictError("审批完成后才能出具职工退休审批表")
    details = uow.insured.details([view.person.id or 0]).get(view.person.id or 0)
    employer = details.employer[1] if details and details.employer else "（无在职单位）"
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.APPROVAL_FORM_ISSUED,
        subject=uow.ledger.subject("person", view.person.id_number),
        purpose=f"出具职工退休审批表：{view.application.reference}",
    )
    uow.commit()
    return ApprovalForm(view, employer, uow.clock.now())
