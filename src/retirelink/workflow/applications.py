"""The retirement application (退休一件事) and its parallel tasks (并联审批): values and the
pure decisions about them — which tasks an application fans out into, each task's owner and
time limit, and the application's state, which is derived from its tasks and never stored.

No clock and no database here: services pass ``now`` in.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NamedTuple

from retirelink.errors import InvalidInputError, UnavailableError
from retirelink.rules import WorkCapacity, YearMonth


class ApplicationRoute(StrEnum):
    """Which kind of retirement is applied for."""

    STATUTORY = "statutory"
    SPECIAL_JOB = "special_job"
    FLEXIBLE_EARLY = "flexible_early"
    FLEXIBLE_LATE = "flexible_late"
    ILLNESS = "illness"

    @property
    def label(self) -> str:
        return {
            "statutory": "法定退休",
            "special_job": "特殊工种提前退休",
            "flexible_early": "弹性提前退休",
            "flexible_late": "弹性延迟退休",
            "illness": "因病提前退休",
        }[self.value]


class Channel(StrEnum):
    """Who submitted: the person online, the employer online, or a clerk at the window."""

    PERSON = "person"
    EMPLOYER = "employer"
    WINDOW = "window"

    @property
    def label(self) -> str:
        return {"person": "个人网上申请", "employer": "单位网上申报", "window": "窗口受理"}[
            self.value
        ]

    @property
    def visits(self) -> int:
        """Trips the applicant made to an office to submit: one at the window, none online."""
        return 1 if self is Channel.WINDOW else 0


class TaskKind(StrEnum):
    """The parallel tasks of one application, each owned by one department."""

    ARCHIVE_REVIEW = "archive_review"
    CONTRIBUTIONS = "contributions"
    PENSION = "pension"
    IDENTITY = "identity"
    ALIVE_AND_FREE = "alive_and_free"
    HOUSING_FUND = "housing_fund"
    MEDICAL_INSURANCE = "medical_insurance"
    CROSS_PROVINCE = "cross_province"
    PUBLIC_NOTICE = "public_notice"

    @property
    def label(self) -> str:
        return TASK_PLAN[self].label

    @property
    def department(self) -> str:
        return TASK_PLAN[self].department


@dataclass(frozen=True, slots=True)
class TaskPlan:
    label: str
    department: str  # who owns the task (中文)
    sla: timedelta  # 承诺时限: past it, the task is escalated
    # A partner answers live: when it is down the task waits and is retried.
    partner: bool = False


# Time limits: the tasks decided from shared data are promised within one working day; the
# partner departments' own business (提取, 参保转移) within their service guides' 5 days.
_DAY = timedelta(days=1)
TASK_PLAN: Mapping[TaskKind, TaskPlan] = MappingProxyType(
    {
        TaskKind.ARCHIVE_REVIEW: TaskPlan(
            "档案审核（出生日期、视同缴费、特殊工种）", "社保经办机构", 3 * _DAY
        ),
        TaskKind.CONTRIBUTIONS: TaskPlan("缴费记录核验", "社保经办机构", _DAY),
        TaskKind.PENSION: TaskPlan("退休条件与待遇测算", "社保经办机构", 3 * _DAY),
        TaskKind.IDENTITY: TaskPlan("户籍身份核验", "公安", _DAY, partner=True),
        TaskKind.ALIVE_AND_FREE: TaskPlan("生存与服刑状态核验", "公安、卫健、民政、司法", _DAY),
        TaskKind.HOUSING_FUND: TaskPlan(
            "住房公积金退休提取", "住建（公积金中心）", 5 * _DAY, partner=True
        ),
        TaskKind.MEDICAL_INSURANCE: TaskPlan(
            "医保退休人员参保转移", "医保", 5 * _DAY, partner=True
        ),
        # Other provinces' nodes answer a question, not a transfer: the agency's 3 days ([U]).
        TaskKind.CROSS_PROVINCE: TaskPlan(
            "跨省参保记录核查",
            "全国社会保险公共服务平台/外省经办机构",
            3 * _DAY,
            partner=True,
        ),
        # Special-job early retirement is posted at the workplace before approval; local rules
        # say 5 working days (policy-spec §2.1 [S05]), taken as 7 calendar days ([U]: holidays
        # are not counted out).
        TaskKind.PUBLIC_NOTICE: TaskPlan(
            "特殊工种提前退休公示（5个工作日）", "用人单位、社保经办机构", 10 * _DAY
        ),
    }
)
PUBLIC_NOTICE_PERIOD = timedelta(days=7)


class WaitingForTaskError(UnavailableError):
    """A task needs another task of the same application decided first: it waits and is
    retried like a task whose department is down, while the others proceed."""


class Appraisal(NamedTuple):
    """The 劳动能力鉴定委员会's conclusion an illness retirement rests on (劳社部发〔1999〕8号
    第二条第（三）项): the conclusion, the 鉴定结论书 number and its date."""

    capacity: WorkCapacity
    reference: str
    appraised_on: date


class TaskStatus(StrEnum):
    """A task waits (or is retried) until it is decided: done, refused, disputed, or handed
    to a person (``needs_person``) who completes it by hand."""

    WAITING = "waiting"
    RUNNING = "running"
    NEEDS_PERSON = "needs_person"
    DONE = "done"
    REFUSED = "refused"
    DISPUTED = "disputed"

    @property
    def label(self) -> str:
        return {
            "waiting": "等待办理",
            "running": "办理中",
            "needs_person": "待人工处理",
            "done": "已完成",
            "refused": "不符合条件",
            "disputed": "数据存在异议",
        }[self.value]

    @property
    def settled(self) -> bool:
        """Decided: no automatic work is left on it."""
        return self in (TaskStatus.DONE, TaskStatus.REFUSED)


class ApplicationState(StrEnum):
    """Derived from the tasks, and once determined from the decision."""

    IN_PROGRESS = "in_progress"
    NEEDS_ATTENTION = "needs_attention"
    READY = "ready"
    NOT_ELIGIBLE = "not_eligible"
    DETERMINED = "determined"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {
            "in_progress": "并联办理中",
            "needs_attention": "待人工处理",
            "ready": "待核定",
            "not_eligible": "不符合条件（待核定）",
            "determined": "已核定，待复核",
            "approved": "已批准退休",
            "rejected": "不予批准",
        }[self.value]

    @property
    def closed(self) -> bool:
        return self in (ApplicationState.APPROVED, ApplicationState.REJECTED)


class DecisionStatus(StrEnum):
    """核定 by a clerk, then 复核 by a different reviewer: approved, or returned to the clerk."""

    DETERMINED = "determined"
    APPROVED = "approved"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {"determined": "已核定", "approved": "已复核", "returned": "复核退回"}[self.value]


@dataclass(frozen=True, slots=True)
class Decision:
    """The determination (核定) and its review (复核). ``grant`` is the determination's
    conclusion: retire (True) or not (False). ``basis`` keeps what it rested on: the rules'
    explanation, each task's summary and evidence, at the moment of determination."""

    application_id: int
    status: DecisionStatus
    grant: bool
    determined_by: str
    determined_at: datetime
    determination_note: str
    basis: Mapping[str, Any]
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    review_note: str = ""


@dataclass(frozen=True, slots=True)
class Task:
    """One task of an application. ``evidence`` names what decided it (``partner:公安:…``,
    ``material:12``, ``rule:…``); ``result`` holds figures and the rules' explanation."""

    application_id: int
    kind: TaskKind
    status: TaskStatus
    due_at: datetime
    id: int | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    summary: str = ""
    evidence: tuple[str, ...] = ()
    result: Mapping[str, Any] = field(default_factory=dict)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    escalated_at: datetime | None = None
    finished_by: str | None = None

    @property
    def department(self) -> str:
        return self.kind.department

    def overdue(self, now: datetime) -> bool:
        return not self.status.settled and now > self.due_at


@dataclass(frozen=True, slots=True)
class Application:
    """A retirement application: who, which month, which route; what the applicant gave
    (the bank account to be paid into) and how they came (channel)."""

    person_id: int
    retirement_month: YearMonth
    route: ApplicationRoute
    channel: Channel
    bank_name: str
    bank_account: str
    submitted_by: str
    submitted_at: datetime
    reference: str = ""
    id: int | None = None
    employer_agrees: bool = False  # 弹性延迟: the employer's agreement (办法第三条)
    appraisal: Appraisal | None = None  # 因病提前退休: the 劳动能力鉴定 conclusion
    # Materials the applicant was asked for beyond the application itself (target ≤ 2).
    materials_asked: int = 0

    @property
    def materials_given(self) -> tuple[str, ...]:
        """What the applicant handed in: nothing the government already holds."""
        return ("身份证（核验）", "本人银行账户")


def tasks_for(application_id: int, submitted_at: datetime, route: ApplicationRoute) -> list[Task]:
    """The fan-out: every task at once, each with its own time limit; the special-job route
    adds the 公示, which is decided when its period ends."""
    kinds: list[TaskKind] = [kind for kind in TASK_PLAN if kind is not TaskKind.PUBLIC_NOTICE]
    if route is ApplicationRoute.SPECIAL_JOB:
        kinds.append(TaskKind.PUBLIC_NOTICE)
    return [
        Task(
            application_id=application_id,
            kind=kind,
            status=TaskStatus.WAITING,
            due_at=submitted_at + TASK_PLAN[kind].sla,
            next_attempt_at=submitted_at
            + (PUBLIC_NOTICE_PERIOD if kind is TaskKind.PUBLIC_NOTICE else timedelta(0)),
        )
        for kind in kinds
    ]


def application_state(tasks: Sequence[Task], decision: Decision | None = None) -> ApplicationState:
    """Once determined, the decision says; before (or when the reviewer returned it): a
    refused task makes the application not eligible; a disputed one or one waiting for a
    person needs attention; all done is ready for determination (核定)."""
    if decision is not None and decision.status is not DecisionStatus.RETURNED:
        if decision.status is DecisionStatus.DETERMINED:
            return ApplicationState.DETERMINED
        return ApplicationState.APPROVED if decision.grant else ApplicationState.REJECTED
    statuses = {task.status for task in tasks}
    if TaskStatus.REFUSED in statuses:
        return ApplicationState.NOT_ELIGIBLE
    if statuses & {TaskStatus.DISPUTED, TaskStatus.NEEDS_PERSON}:
        return ApplicationState.NEEDS_ATTENTION
    if tasks and statuses == {TaskStatus.DONE}:
        return ApplicationState.READY
    return ApplicationState.IN_PROGRESS


def still_needed(tasks: Iterable[Task]) -> list[str]:
    """What is still outstanding, in plain Chinese, for the applicant's view."""
    return [
        f"{task.kind.label}：{task.summary or task.status.label}"
        for task in tasks
        if task.status is not TaskStatus.DONE
    ]


# --- input checks ------------------------------------------------------------------------------

BANK_ACCOUNT_DIGITS = range(16, 20)


def check_bank_account(account: str) -> str:
    """A 银联 card number: 16–19 digits passing the Luhn check (ISO/IEC 7812), spaces allowed."""
    digits = account.replace(" ", "").strip()
    if not digits.isdigit() or not digits.isascii():
        raise InvalidInputError("银行卡号只能由数字组成", field="bank_account")
    if len(digits) not in BANK_ACCOUNT_DIGITS:
        raise InvalidInputError("银行卡号应为16至19位数字", field="bank_account")
    if not _luhn_ok(digits):
        raise InvalidInputError("银行卡号校验位错误，请核对卡号", field="bank_account")
    return digits


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def reference_for(region: str, on: date, serial: int) -> str:
    """受理编号, e.g. TX130406-20261204-000012."""
    return f"TX{region}-{on:%Y%m%d}-{serial:06d}"
