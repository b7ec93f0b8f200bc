"""Use cases of the retirement application (退休一件事): submit once with only what cannot be
fetched (the ID card and a bank account), fan out into parallel tasks at once, and read the
application with its derived state.

Every refusal happens before anything is written. A second submission for the same person
and month returns the first application.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime

from retirelink.archives.insured import InsuranceRecord, InsuranceStatus
from retirelink.archives.model import Person
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError
from retirelink.ledger.model import LedgerAction
from retirelink.rules import (
    FlexibleDirection,
    FlexibleRequest,
    RequestProblem,
    YearMonth,
    parse_id_number,
    statutory_retirement,
    validate_flexible_request,
)
from retirelink.rules.parameters import ParameterSet
from retirelink.security.model import Actor, Permission, PrincipalKind
from retirelink.security.permissions import has_permission, require
from retirelink.workflow.applications import (
    Application,
    ApplicationRoute,
    ApplicationState,
    Appraisal,
    Channel,
    Decision,
    Task,
    TaskStatus,
    application_state,
    check_bank_account,
    still_needed,
    tasks_for,
)
from retirelink.workflow.ports import WorkflowUnitOfWork
from retirelink.workflow.prereview import earliest_special_job_month
from retirelink.workflow.principals import NOT_YOURS, channel_of, check_acts_for, principal_of

# The earliest an application is taken: within the pre-review window before the month.
# Provinces' service guides (办事指南) say 1–3 months; six keeps the pre-review's notices
# and the application in one window ([U], provincial).
APPLY_AHEAD_MONTHS = 6


@dataclass(frozen=True, slots=True)
class ApplicationRequest:
    """What the applicant gives. ``retirement_month`` is needed for the flexible routes
    (the chosen month); for the others the platform computes it and a given one must match."""

    id_number: str
    route: ApplicationRoute
    channel: Channel
    bank_name: str
    bank_account: str
    retirement_month: YearMonth | None = None
    # 弹性: the written notice to the employer (early) or the agreement on the month (late).
    notice_date: date | None = None
    employer_agrees: bool = False
    # 因病提前退休: the 劳动能力鉴定委员会's conclusion
    appraisal: Appraisal | None = None


@dataclass(frozen=True, slots=True)
class Submitted:
    application: Application
    created: bool  # False: the same person and month had applied before (returned as is)


@dataclass(frozen=True, slots=True)
class ApplicationView:
    application: Application
    person: Person
    tasks: tuple[Task, ...]
    decision: Decision | None = None

    @property
    def state(self) -> ApplicationState:
        return application_state(self.tasks, self.decision)

    @property
    def still_needed(self) -> list[str]:
        return still_needed(self.tasks)

    @property
    def materials_asked(self) -> int:
        """Materials asked of the applicant (or their employer) beyond the application."""
        asked = (int(task.result.get("asked_of_applicant", 0)) for task in self.tasks)
        return self.application.materials_asked + sum(asked)

    @property
    def visits(self) -> int:
        return self.application.channel.visits

    @property
    def ready_at(self) -> datetime | None:
        """When the last task was done (the application became ready for determination)."""
        if any(task.status is not TaskStatus.DONE for task in self.tasks):
            return None
        return max(task.finished_at for task in self.tasks if task.finished_at is not None)


def submit_application(
    uow: WorkflowUnitOfWork,
    request: ApplicationRequest,
    *,
    actor: Actor,
    params: ParameterSet,
    region: str,
) -> Submitted:
    """Check everything, then store the application and all its tasks in one transaction.
    A clerk takes anyone's application at the window; an applicant account applies online
    only for its principal (the person, or the employer's own workers)."""
    online = not has_permission(actor, Permission.RETIREMENT_APPLY)
    if online:
        require(actor, Permission.RETIREMENT_APPLY_ONLINE)
        principal = principal_of(actor)
        own = principal.kind is PrincipalKind.PERSON
        request = replace(
            request,
            channel=channel_of(principal),
            id_number=principal.code if own else request.id_number,
        )
    today = uow.clock.today()
    id_number = parse_id_number(request.id_number, on=today).value
    bank_account = check_bank_account(request.bank_account)
    bank_name = request.bank_name.strip()
    if not bank_name:
        raise InvalidInputError("请填写开户银行", field="bank_name")
    person = uow.persons.get_by_id_number(id_number)
    if online:
        if person is None:
            raise NotFoundError(NOT_YOURS, field="id_number")
        check_acts_for(uow, actor, person, uow.insured.get(person.id or 0))
    if person is None or person.id is None:
        raise NotFoundError("本系统没有该公民身份号码的参保登记", field="id_number")
    record = _insured(uow, person.id)
    month = _retirement_month(request, person, record, today, params)
    earlier = uow.applications.for_person_month(person.id, month)
    if earlier is not None:
        return Submitted(earlier, created=False)
    _refuse_second_open(uow, person.id)
    application = uow.applications.add(
        Application(
            person_id=person.id,
            retirement_month=month,
            route=request.route,
            channel=request.channel,
            bank_name=bank_name,
            bank_account=bank_account,
            submitted_by=actor.username,
            submitted_at=uow.clock.now(),
            employer_agrees=request.employer_agrees,
            appraisal=request.appraisal if request.route is ApplicationRoute.ILLNESS else None,
        ),
        region=region,
    )
    assert application.id is not None
    uow.tasks.add_all(tasks_for(application.id, application.submitted_at, application.route))
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.APPLICATION_SUBMITTED,
        subject=uow.ledger.subject("person", person.id_number),
        purpose=f"受理退休申请{application.reference}：{month.label}{request.route.label}"
        f"（{request.channel.label}）",
        after={"application": application.reference, "month": str(month)},
    )
    uow.commit()
    return Submitted(application, created=True)


def _insured(uow: WorkflowUnitOfWork, person_id: int) -> InsuranceRecord:
    record = uow.insured.get(person_id)
    if record is None:
        raise NotFoundError("没有该人员的企业职工基本养老保险参保记录", field="id_number")
    if record.status is InsuranceStatus.RETIRED:
        month = record.retirement_month.label if record.retirement_month else ""
        raise ConflictError(f"该人员已于{month}办理退休，不能重复申请")
    if record.status is InsuranceStatus.DECEASED:
        raise ConflictError("该人员已死亡，不能申请退休")
    return record


def _retirement_month(
    request: ApplicationRequest,
    person: Person,
    record: InsuranceRecord,
    today: date,
    params: ParameterSet,
) -> YearMonth:
    """The month applied for, checked for the route; refused far ahead of time."""
    birth = YearMonth(person.birth_date.year, person.birth_date.month)
    route = request.route
    if route is ApplicationRoute.STATUTORY:
        month = statutory_retirement(record.category, birth, on=today, params=params)
        month_due = month.retirement_month
        _check_given(request.retirement_month, month_due, "法定退休年月")
    elif route is ApplicationRoute.SPECIAL_JOB:
        month_due = earliest_special_job_month(
            record.category, person.birth_date, on=today, params=params
        )
        if request.retirement_month is not None and request.retirement_month < month_due:
            raise InvalidInputError(
                f"特殊工种提前退休最早为{month_due.label}", field="retirement_month"
            )
        month_due = request.retirement_month or month_due
    elif route is ApplicationRoute.ILLNESS:
        month_due = _illness_month(request, today)
    else:
        month_due = _flexible_month(request, record, birth, today, params)
    _check_not_too_early(month_due, today)
    return month_due


# A 劳动能力鉴定 conclusion older than this is not relied on: provinces treat it as valid for
# a year ([U], provincial).
APPRAISAL_VALID_DAYS = 365


def _illness_month(request: ApplicationRequest, today: date) -> YearMonth:
    """因病提前退休: the 鉴定结论 must be given, dated, not in the future and recent; the month
    is the one asked for, else the next (the age and contributions are the archive task's)."""
    appraisal = request.appraisal
    if appraisal is None or not appraisal.reference.strip():
        raise InvalidInputError(
            "因病提前退休须填写劳动能力鉴定结论及鉴定结论书编号", field="appraisal"
        )
    if appraisal.appraised_on > today:
        raise InvalidInputError("鉴定日期不能晚于今天", field="appraisal_date")
    if (today - appraisal.appraised_on).days > APPRAISAL_VALID_DAYS:
        raise InvalidInputError("劳动能力鉴定结论已超过一年，请重新鉴定", field="appraisal_date")
    this_month = YearMonth(today.year, today.month)
    month = request.retirement_month or this_month.plus(1)
    if month < this_month:
        raise InvalidInputError("因病提前退休的退休年月不能早于本月", field="retirement_month")
    return month


def _check_given(given: YearMonth | None, due: YearMonth, what: str) -> None:
    if given is not None and given != due:
        raise InvalidInputError(
            f"按身份证出生日期，{what}为{due.label}，与填写的{given.label}不一致；"
            "如需提前或延迟退休请选择弹性退休",
            field="retirement_month",
        )


def _flexible_month(
    request: ApplicationRequest,
    record: InsuranceRecord,
    birth: YearMonth,
    today: date,
    params: ParameterSet,
) -> YearMonth:
    """弹性退休 (人社部发〔2024〕94号): the chosen month within the window, the notice or the
    employer's agreement in time. The minimum contribution is the contributions task's: the
    deemed years are not known before the archive is reviewed."""
    if request.retirement_month is None:
        raise InvalidInputError("弹性退休须填写选择的退休年月", field="retirement_month")
    decision = validate_flexible_request(
        FlexibleRequest(
            category=record.category,
            birth=birth,
            requested=request.retirement_month,
            contribution_months=record.contribution_months,
            notice_date=request.notice_date or today,
            employer_agreed=request.employer_agrees,
            agreement_date=request.notice_date or today,
        ),
        on=today,
        params=params,
    )
    wanted = _FLEXIBLE_DIRECTIONS[request.route]
    if decision.direction is not wanted:
        raise InvalidInputError(
            f"所选{request.retirement_month.label}不是{request.route.label}（法定退休年月为"
            f"{decision.window.statutory.retirement_month.label}）",
            field="retirement_month",
        )
    refusals = [
        refusal
        for refusal in decision.refusals
        if refusal.problem is not RequestProblem.EARLY_BELOW_MINIMUM
    ]
    if refusals:
        raise InvalidInputError(
            "；".join(refusal.message for refusal in refusals), field="retirement_month"
        )
    return request.retirement_month


_FLEXIBLE_DIRECTIONS = {
    ApplicationRoute.FLEXIBLE_EARLY: FlexibleDirection.EARLY,
    ApplicationRoute.FLEXIBLE_LATE: FlexibleDirection.LATE,
}


def _check_not_too_early(month: YearMonth, today: date) -> None:
    this_month = YearMonth(today.year, today.month)
    if month > this_month.plus(APPLY_AHEAD_MONTHS):
        raise InvalidInputError(
            f"退休年月为{month.label}，申请过早：最早可在退休年月前{APPLY_AHEAD_MONTHS}个月内申请",
            field="retirement_month",
        )


def _refuse_second_open(uow: WorkflowUnitOfWork, person_id: int) -> None:
    """One retirement at a time: another month's application still in progress is refused
    (the person withdraws it first)."""
    for other in uow.applications.for_person(person_id):
        assert other.id is not None
        tasks = uow.tasks.for_application(other.id)
        state = application_state(tasks, uow.decisions.get(other.id))
        if state is not ApplicationState.REJECTED:
            raise ConflictError(
                f"该人员已有退休申请{other.reference}（{other.retirement_month.label}，"
                f"{state.label}），不能同时申请另一个月份"
            )


# --- reading ----------------------------------------------------------------------------------


def application_view(
    uow: WorkflowUnitOfWork, *, actor: Actor, application_id: int, purpose: str = "查看退休申请"
) -> ApplicationView:
    """The application with its tasks (ledgered: it shows the person's data)."""
    require(actor, Permission.RETIREMENT_TASKS)
    application = uow.applications.get(application_id)
    if application is None or application.id is None:
        raise NotFoundError("退休申请不存在")
    person = uow.persons.get(application.person_id)
    if person is None:
        raise NotFoundError("参保人不存在")
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.APPLICATION_READ,
        subject=uow.ledger.subject("person", person.id_number),
        purpose=f"{purpose}：{application.reference}",
    )
    uow.commit()
    return ApplicationView(
        application,
        person,
        tuple(uow.tasks.for_application(application.id)),
        uow.decisions.get(application.id),
    )


def list_applications(
    uow: WorkflowUnitOfWork, *, actor: Actor, offset: int = 0, limit: int = 50
) -> tuple[list[tuple[Application, ApplicationState]], int]:
    require(actor, Permission.RETIREMENT_TASKS)
    applications, total = uow.applications.listing(offset=offset, limit=limit)
    ids = [a.id for a in applications if a.id is not None]
    tasks, decisions = uow.tasks.for_applications(ids), uow.decisions.for_applications(ids)
    return [
        (
            application,
            application_state(
                tasks.get(application.id or 0, []), decisions.get(application.id or 0)
            ),
        )
        for application in applications
    ], total


def with_month(request: ApplicationRequest, month: str | None) -> ApplicationRequest:
    """The request with a typed month (YYYY-MM) parsed, or left to the platform."""
    if not month:
        return request
    return replace(request, retirement_month=YearMonth.parse(month, field="retirement_month"))
