"""The applicant's own channel (网上办理): a person, or an employer's 经办员, signed in with an
applicant account sees what the pre-review asks of them, their applications with every task,
the materials they handed in, and downloads the 审批表 — only for whom the account acts.
Applying online goes through ``application_services.submit_application``; handing in a
material through ``supplement_services``."""

from dataclasses import dataclass

from retirelink.archives.model import Person
from retirelink.errors import NotFoundError
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import Actor, Permission, PrincipalKind
from retirelink.security.permissions import require
from retirelink.workflow.application_services import ApplicationView
from retirelink.workflow.approval import ApprovalForm, issue_form
from retirelink.workflow.model import ChecklistItem
from retirelink.workflow.ports import StoredChecklist, WorkflowUnitOfWork
from retirelink.workflow.principals import check_acts_for, principal_of, represented_employer
from retirelink.workflow.supplements import SuppliedMaterial


@dataclass(frozen=True, slots=True)
class OnlineCase:
    """One person as the applicant account sees them."""

    person: Person
    checklist: StoredChecklist | None
    applications: tuple[ApplicationView, ...]
    supplied: tuple[SuppliedMaterial, ...]

    @property
    def to_supply(self) -> tuple[ChecklistItem, ...]:
        """What the pre-review asks the person or the employer to do."""
        if self.checklist is None:
            return ()
        return tuple(item for item in self.checklist.checklist.items if item.owner.notified)

    @property
    def open_application(self) -> ApplicationView | None:
        return next((view for view in self.applications if not view.state.closed), None)


def online_cases(uow: WorkflowUnitOfWork, *, actor: Actor) -> list[OnlineCase]:
    """The person's own case, or every worker of the employer who is in the pre-review or has
    applied (ledgered per person shown)."""
    require(actor, Permission.RETIREMENT_APPLY_ONLINE)
    principal = principal_of(actor)
    if principal.kind is PrincipalKind.PERSON:
        person = uow.persons.get_by_id_number(principal.code)
        persons = [person] if person is not None else []
    else:
        employer = represented_employer(uow, principal)
        ids = uow.checklists.person_ids_for_employer(employer.id or 0)
        persons = [p for p in (uow.persons.get(pid) for pid in ids) if p is not None]
    cases = [_case(uow, person) for person in persons]
    for case in cases:
        _ledger_read(uow, actor, case.person, "网上办理：查看预审与办理进度")
    uow.commit()
    return cases


def online_application(
    uow: WorkflowUnitOfWork, *, actor: Actor, application_id: int
) -> ApplicationView:
    """One application of the person the account acts for (ledgered)."""
    require(actor, Permission.RETIREMENT_APPLY_ONLINE)
    view = _view(uow, actor, application_id)
    _ledger_read(uow, actor, view.person, f"网上查询办理进度：{view.application.reference}")
    uow.commit()
    return view


def online_approval_form(
    uow: WorkflowUnitOfWork, *, actor: Actor, application_id: int
) -> ApprovalForm:
    require(actor, Permission.RETIREMENT_APPLY_ONLINE)
    return issue_form(uow, actor, _view(uow, actor, application_id))


def _view(uow: WorkflowUnitOfWork, actor: Actor, application_id: int) -> ApplicationView:
    application = uow.applications.get(application_id)
    person = uow.persons.get(application.person_id) if application else None
    if application is None or application.id is None or person is None:
        raise NotFoundError("退休申请不存在")
    check_acts_for(uow, actor, person, uow.insured.get(person.id or 0))
    return ApplicationView(
        application,
        person,
        tuple(uow.tasks.for_application(application.id)),
        uow.decisions.get(application.id),
    )


def _case(uow: WorkflowUnitOfWork, person: Person) -> OnlineCase:
    person_id = person.id or 0
    applications = uow.applications.for_person(person_id)
    ids = [a.id for a in applications if a.id is not None]
    tasks, decisions = uow.tasks.for_applications(ids), uow.decisions.for_applications(ids)
    views = tuple(
        ApplicationView(a, person, tuple(tasks.get(a.id or 0, [])), decisions.get(a.id or 0))
        for a in reversed(applications)
    )
    return OnlineCase(
        person=person,
        checklist=uow.checklists.get(person_id),
        applications=views,
        supplied=tuple(uow.supplements.for_persons([person_id])),
    )


def _ledger_read(uow: WorkflowUnitOfWork, actor: Actor, person: Person, purpose: str) -> None:
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.APPLICATION_READ,
        subject=uow.ledger.subject("person", person.id_number),
        purpose=purpose,
    )
