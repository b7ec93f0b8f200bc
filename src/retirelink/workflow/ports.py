"""What the retirement workflow needs from storage and from the outside world."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from retirelink.archives.insured import EmploymentSpan
from retirelink.archives.ports import HoldingsUnitOfWork
from retirelink.rules import RetirementCategory
from retirelink.workflow.model import Checklist, ChecklistStatus


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

    def details(self, person_ids: Sequence[int]) -> dict[int, InsuredDetail]: ...


class ChecklistRepository(Protocol):
    def get(self, person_id: int) -> StoredChecklist | None: ...

    def save(self, stored: StoredChecklist) -> None: ...

    def listing(
        self, *, status: ChecklistStatus | None, offset: int, limit: int
    ) -> tuple[list[StoredChecklist], int]: ...


class NotificationRepository(Protocol):
    def enqueue(self, notification: Notification, *, at: datetime) -> bool:
        """Queue unless the same ``dedupe_key`` was queued before; True when queued."""
        ...

    def pending(self, *, limit: int) -> list[Notification]: ...

    def mark_sent(self, notification_id: int, *, at: datetime) -> None: ...

    def mark_failed(self, notification_id: int, *, error: str, give_up: bool) -> None: ...

    def for_person(self, person_id: int) -> list[Notification]: ...


class Notifier(Protocol):
    """Delivers a message (SMS gateway, e-mail, or a file the operator reads)."""

    def send(self, notification: Notification) -> None:
        """Raise NotifierError when the message could not be delivered."""
        ...


class NotifierError(Exception):
    """A message could not be delivered this time."""


class WorkflowUnitOfWork(HoldingsUnitOfWork, Protocol):
    @property
    def insured(self) -> InsuredRepository: ...
    @property
    def checklists(self) -> ChecklistRepository: ...
    @property
    def notifications(self) -> NotificationRepository: ...
