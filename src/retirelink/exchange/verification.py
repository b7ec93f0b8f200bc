"""Automatic content checks on what a partner reports, against what we already hold.

A record that passes the file schema can still be wrong: a death before birth, a release before
the imprisonment, a death notice for someone we never heard of, or a second notice that
contradicts the first. Contradictions become a :class:`DisputeDraft` (数据异议) to be routed back
to the department that sent the record; the record itself is kept but not trusted.
"""

# zh-CN user messages use full-width comma, colon and parentheses on purpose.

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from retirelink.errors import InvalidInputError
from retirelink.exchange.model import PartnerRecord
from retirelink.rules.identifiers import parse_id_number

# Catalogue items whose event date is a date of death (a cremation implies one).
DEATH_ITEMS = frozenset(
    {
        "public_security.death_cancellation",
        "health.death_medical_certificate",
        "civil_affairs.cremation",
    }
)


class ProblemKind(StrEnum):
    INVALID_ID = "invalid_id"
    BEFORE_BIRTH = "before_birth"
    IN_FUTURE = "in_future"
    END_BEFORE_START = "end_before_start"
    UNKNOWN_PERSON = "unknown_person"
    CONTRADICTION = "contradiction"

    @property
    def label(self) -> str:
        return _PROBLEM_KIND_LABELS[self]


_PROBLEM_KIND_LABELS = {
    ProblemKind.INVALID_ID: "公民身份号码无效",
    ProblemKind.BEFORE_BIRTH: "事件日期早于出生日期",
    ProblemKind.IN_FUTURE: "事件日期晚于核验日期",
    ProblemKind.END_BEFORE_START: "结束日期早于开始日期",
    ProblemKind.UNKNOWN_PERSON: "查无此人",
    ProblemKind.CONTRADICTION: "与已有信息矛盾",
}


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    field: str | None
    message_zh: str


@dataclass(frozen=True)
class PriorNotice:
    """A notice or sign of life we hold: who reported what about whom, and when it happened."""

    department: str
    item_code: str
    id_number: str
    event_date: date
    received_at: datetime | None = None
    reference: str = ""

    @classmethod
    def from_record(cls, record: PartnerRecord) -> "PriorNotice":
        reference = "" if record.id is None else f"partner_record:{record.id}"
        return cls(
            record.department,
            record.item_code,
            record.id_number,
            record.event_date,
            record.received_at,
            reference,
        )


@dataclass(frozen=True)
class KnownPerson:
    """A person we hold; ``signs_of_life`` are later evidence that they were alive (认证, 结算)."""

    id_number: str
    name: str
    signs_of_life: tuple[PriorNotice, ...] = ()


@dataclass(frozen=True)
class DisputeDraft:
    """A 数据异议 to send back to ``source_department``, with the conflicting notices."""

    source_department: str
    item_code: str
    id_number: str
    reason_zh: str
    evidence: list[PriorNotice]


@dataclass(frozen=True)
class Verification:
    ok: bool
    problems: tuple[Problem, ...]
    dispute: DisputeDraft | None = None


def _date_problems(record: PartnerRecord, on: date) -> list[Problem]:
    problems: list[Problem] = []
    try:
        born = parse_id_number(record.id_number, on=on).birth_date
    except InvalidInputError as error:
        problems.append(Problem(ProblemKind.INVALID_ID, "id_number", error.message))
        born = None
    event = record.event_date
    if born is not None and event < born:
        message = f"事件日期{event.isoformat()}早于出生日期{born.isoformat()}"
        problems.append(Problem(ProblemKind.BEFORE_BIRTH, "event_date", message))
    if event > on:
        message = f"事件日期{event.isoformat()}晚于核验日期{on.isoformat()}"
        problems.append(Problem(ProblemKind.IN_FUTURE, "event_date", message))
    end = record.end_date
    if end is not None and end < event:
        message = f"结束日期{end.isoformat()}早于开始日期{event.isoformat()}"
        problems.append(Problem(ProblemKind.END_BEFORE_START, "end_date", message))
    return problems


def _contradiction(
    record: PartnerRecord, person: KnownPerson | None, previous: Sequence[PriorNotice]
) -> tuple[str, list[PriorNotice]] | None:
    current = PriorNotice.from_record(record)
    for prior in previous:
        same = prior.item_code == record.item_code and prior.id_number == record.id_number
        if same and prior.event_date != record.event_date:
            reason = (
                f"同一人的两次死亡通知日期不一致：先报{prior.event_date.isoformat()}，"
                f"后报{record.event_date.isoformat()}"
            )
            return reason, [prior, current]
    signs = person.signs_of_life if person is not None else ()
    later = [sign for sign in signs if sign.event_date > record.event_date]
    if later:
        latest = max(later, key=lambda sign: sign.event_date)
        reason = (
            f"死亡日期{record.event_date.isoformat()}之后仍有生存迹象"
            f"（{latest.department}，{latest.event_date.isoformat()}）"
        )
        return reason, [current, latest]
    return None


def verify_event(
    record: PartnerRecord,
    *,
    person: KnownPerson | None,
    previous: Sequence[PriorNotice],
    on: date,
    death_items: frozenset[str] = DEATH_ITEMS,
) -> Verification:
    """Check one partner record; ``ok`` is false when any problem was found.

    ``person`` is who we hold under the record's ID number (``None``: nobody). ``previous``
    are the notices already received about that person.
    """
    problems = _date_problems(record, on)
    dispute = None
    if record.item_code in death_items:
        if person is None:
            message = f"收到{record.name}（{record.id_number}）的死亡通知，但本系统无此人信息"
            problems.append(Problem(ProblemKind.UNKNOWN_PERSON, "id_number", message))
        found = _contradiction(record, person, previous)
        if found is not None:
            reason, evidence = found
            problems.append(Problem(ProblemKind.CONTRADICTION, "event_date", reason))
            dispute = DisputeDraft(
                record.department, record.item_code, record.id_number, reason, evidence
            )
    return Verification(not problems, tuple(problems), dispute)
