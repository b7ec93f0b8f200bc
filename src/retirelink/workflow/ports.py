"""What the retirement workflow needs from storage and from the outside world."""

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from retirelink.archives.insured import EmploymentSpan, InsuranceRecord
from retirelink.archives.ports import EmployerRepository, HoldingsUnitOfWork
from retirelink.rules import RetirementCategory, YearMonth
from retirelink.security.model import Actor
from retirelink.workflow.applications import Application, Decision, Task, TaskStatus
from retirelink.workflow.model import Checklist, ChecklistStatus
from retirelink.workflow.province_records import CrossProvinceRecords
from retirelink.workflow.recalculations import PensionRecalculation
from retirelink.workflow.supplements import SuppliedMaterial


@dataclass(frozen=True, slots=True)
class InsuredCandidate:
    """An insured (not retired, not deceased) person for the selection pass.

    ``archive_births``: the earliest and latest birth dates the person's archive states in
    reviewed facts, so the selection can allow for a determination other than the ID card's.
    """

    person_id: int
    id_card_birth: date
    category: RetirementCategory
    has_special_job: bool
    archive_births: tuple[date, date] | None


@dataclass(frozen=True, slots=True)
class InsuredDetail:
    contribution_months: int
    employments: tuple[EmploymentSpan, ...]
    # The current employer: (统一社会信用代码, name)
    employer: tuple[str, str] | None
    # (year, months paid) of each contribution year
    paid_by_year: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class StoredChecklist:
    checklist: Checklist
    status: ChecklistStatus
    first_flagged_at: datetime | None
    checked_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class Notification:
    """A message to the person (phone) or the employer (credit code)."""

    dedupe_key: str
    person_id: int
    recipient_kind: str
    recipient: str
    subject: str
    body: str
    id: int | None = None
    status: str = "pending"
    attempts: int = 0


class InsuredRepository(Protocol):
    def insured_born_between(self, first: date, last: date) -> list[InsuredCandidate]: ...

    def get(self, person_id: int) -> InsuranceRecord | None: ...

    def mark_retired(self, person_id: int, month: YearMonth) -> None: ...

    def details(self, person_ids: Sequence[int]) -> dict[int, InsuredDetail]: ...


class ChecklistRepository(Protocol):
    def get(self, person_id: int) -> StoredChecklist | None: ...

    def save(self, stored: StoredChecklist) -> None: ...

    def listing(
        self, *, status: ChecklistStatus | None, offset: int, limit: int
    ) -> tuple[list[StoredChecklist], int]: ...

    def person_ids_for_employer(self, employer_id: int) -> list[int]:
        """The employer's current workers who are in the pre-review or have applied."""
        ...


class NotificationRepository(Protocol):
    def enqueue(self, notification: Notification, *, at: datetime) -> bool:
        """Queue unless the same ``dedupe_key`` was queued before; True when queued."""
        ...

    def pending(self, *, limit: int) -> list[Notification]: ...

    def mark_sent(self, notification_id: int, *, at: datetime) -> None: ...

    def mark_failed(self, notification_id: int, *, error: str, give_up: bool) -> None: ...

    def for_person(self, person_id: int) -> list[Notification]: ...


class ApplicationRepository(Protocol):
    def add(self, application: Application, *, region: str) -> Application:
        """Store a new application and give it its 受理编号; raises ConflictError when the
        person already applied for that month (a concurrent duplicate)."""
        ...

    def get(self, application_id: int) -> Application | None: ...

    def by_reference(self, reference: str) -> Application | None: ...

    def for_person_month(self, person_id: int, month: YearMonth) -> Application | None: ...

    def for_person(self, person_id: int) -> list[Application]: ...

    def listing(self, *, offset: int, limit: int) -> tuple[list[Application], int]: ...


class TaskRepository(Protocol):
    def add_all(self, tasks: Sequence[Task]) -> None: ...

    def for_application(self, application_id: int) -> list[Task]: ...

    def for_applications(self, application_ids: Sequence[int]) -> dict[int, list[Task]]: ...

    def get(self, task_id: int) -> Task | None: ...

    def claim_due(self, *, now: datetime, lease: timedelta, limit: int) -> list[Task]:
        """Take waiting tasks that are due (and running ones whose lease ran out: a crashed
        worker), marking them running until ``now + lease``; SKIP LOCKED on PostgreSQL."""
        ...

    def save(self, task: Task) -> None:
        """Write status, attempts, times, summary, evidence and result; releases the lease."""
        ...

    def overdue(self, *, now: datetime, limit: int) -> list[Task]:
        """Unsettled tasks past their time limit, not yet escalated."""
        ...

    def queue(
        self, *, statuses: Sequence[TaskStatus], offset: int, limit: int
    ) -> tuple[list[Task], int]:
        """Tasks in the given statuses, the oldest time limit first (the clerk's queue)."""
        ...


class DecisionRepository(Protocol):
    def get(self, application_id: int) -> Decision | None: ...

    def for_applications(self, application_ids: Sequence[int]) -> dict[int, Decision]: ...

    def save(self, decision: Decision) -> None: ...


@dataclass(frozen=True, slots=True)
class TaskOutcome:
    """What deciding a task found: ``status`` is what the task becomes (done, refused,
    disputed, needs_person), ``summary`` says why in 中文, ``evidence`` names the records used
    (``partner:公安:…``, ``material:12``), ``result`` holds figures and explanations."""

    status: TaskStatus
    summary: str
    evidence: tuple[str, ...] = ()
    result: dict[str, Any] = field(default_factory=dict)


class PartnerChecks(Protocol):
    """The partner departments, as the workflow needs them (wired to the exchange by the
    composition root). A department that is down raises UnavailableError: the task waits
    and is retried while the others proceed."""

    def identity(
        self, uow: "WorkflowUnitOfWork", *, actor: Actor, id_number: str, name: str
    ) -> TaskOutcome: ...

    def alive_and_free(
        self, uow: "WorkflowUnitOfWork", *, actor: Actor, id_number: str, on: date
    ) -> TaskOutcome: ...

    def housing_fund(
        self,
        uow: "WorkflowUnitOfWork",
        *,
        actor: Actor,
        request_id: str,
        id_number: str,
        name: str,
        retirement_date: date,
    ) -> TaskOutcome: ...

    def medical_transfer(
        self,
        uow: "WorkflowUnitOfWork",
        *,
        actor: Actor,
        request_id: str,
        id_number: str,
        retirement_date: date,
    ) -> TaskOutcome: ...

    def cross_province(
        self,
        uow: "WorkflowUnitOfWork",
        *,
        actor: Actor,
        request_id: str,
        id_number: str,
        own_province: str,
    ) -> CrossProvinceRecords:
        """Ask the national register where the person is insured, then each other
        province's node listed (``own_province`` is not asked) for the history there."""
        ...


class Notifier(Protocol):
    """Delivers a message (SMS gateway, e-mail, or a file the operator reads)."""

    def send(self, notification: Notification) -> None:
        """Raise NotifierError when the message could not be delivered."""
        ...


class NotifierError(Exception):
    """A message could not be delivered this time."""


class SupplementRepository(Protocol):
    def add(self, supplied: SuppliedMaterial) -> SuppliedMaterial: ...

    def get(self, supplement_id: int) -> SuppliedMaterial | None: ...

    def by_file(self, person_id: int, sha256: str) -> SuppliedMaterial | None:
        """The same file handed in before for the same person and not returned, if any."""
        ...

    def for_persons(self, person_ids: Sequence[int]) -> list[SuppliedMaterial]: ...

    def pending(self, *, offset: int, limit: int) -> tuple[list[SuppliedMaterial], int]:
        """Waiting for the archive, the oldest first."""
        ...

    def decide(self, supplied: SuppliedMaterial) -> None:
        """Record the decision if the material is still waiting; ConflictError otherwise."""
        ...


class RecalculationRepository(Protocol):
    def add(self, recalculation: PensionRecalculation) -> PensionRecalculation: ...

    def for_application(self, application_id: int) -> list[PensionRecalculation]: ...

    def provisional_pensions(self, *, limit: int) -> list[int]:
        """Approved pensions computed on provisional figures with no final recalculation."""
        ...


class WorkflowUnitOfWork(HoldingsUnitOfWork, Protocol):
    @property
    def employers(self) -> EmployerRepository: ...
    @property
    def insured(self) -> InsuredRepository: ...
    @property
    def checklists(self) -> ChecklistRepository: ...
    @property
    def notifications(self) -> NotificationRepository: ...
    @property
    def applications(self) -> ApplicationRepository: ...
    @property
    def tasks(self) -> TaskRepository: ...
    @property
    def decisions(self) -> DecisionRepository: ...
    @property
    def supplements(self) -> SupplementRepository: ...
    @property
    def recalculations(self) -> RecalculationRepository: ...


class UnitsOfWork(Protocol):
    """Opens units of work (the composition root's ``Services.uow``): ``read_only=True`` for
    reading that writes nothing, not even the ledger — on SQLite it never takes the write
    lock and, under WAL, neither blocks nor waits for a writer; the default may write."""

    def __call__(
        self, *, read_only: bool = False
    ) -> AbstractContextManager[WorkflowUnitOfWork]: ...
