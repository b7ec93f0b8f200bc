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

from retirelink.archives.model import DepartmentKind
from retirelink.errors import InvalidInputError
from retirelink.exchange.model import PartnerRecord
from retirelink.rules.identifiers import parse_id_number

# Items whose event date is the date of death itself.
DEATH_DATE_ITEMS = frozenset(
    {"public_security.death_cancellation", "health.death_medical_certificate"}
)
# Items whose event date is a cremation: on or after the death.
CREMATION_ITEMS = frozenset({"civil_affairs.cremation"})
# Every item that says a person has died.
DEATH_ITEMS = DEATH_DATE_ITEMS | CREMATION_ITEMS
# Items whose event shows the person was alive that day (a medical settlement).
LIFE_SIGN_ITEMS = frozenset({"medical_insurance.enrolment_and_settlement"})


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


def _department_name(kind: str) -> str:
    """The 中文 name a dispute reason uses for a department: clerks and the partner read it.

    >>> _department_name("health"), _department_name("unknown")
    ('卫健', 'unknown')
    """
    try:
        return DepartmentKind(kind).label
    except ValueError:
        return kind


def _death_conflict(record: PartnerRecord, prior: PriorNotice) -> str | None:
    """Why a death record and an earlier death record cannot both be right, if they cannot."""
    if prior.id_number != record.id_number or prior.event_date == record.event_date:
        return None
    new, old = record.event_date.isoformat(), prior.event_date.isoformat()
    if prior.item_code == record.item_code:
        return f"同一人的两次死亡通知日期不一致：先报{old}，后报{new}"
    record_is_cremation = record.item_code in CREMATION_ITEMS
    if record_is_cremation == (prior.item_code in CREMATION_ITEMS):
        return (
            "两个部门报送的死亡日期不一致："
            f"{_department_name(prior.department)}报{old}，{_department_name(record.department)}报{new}"
        )
    cremation, death = (record, prior) if record_is_cremation else (prior, record)
    if cremation.event_date < death.event_date:
        return (
            f"火化日期{cremation.event_date.isoformat()}早于死亡日期"
            f"{death.event_date.isoformat()}（{_department_name(death.department)}）"
        )
    return None


def _death_contradiction(
    record: PartnerRecord, person: KnownPerson | None, previous: Sequence[PriorNotice]
) -> tuple[str, list[PriorNotice]] | None:
    current = PriorNotice.from_record(record)
    for prior in previous:
        if prior.item_code not in DEATH_ITEMS:
            continue
        reason = _death_conflict(record, prior)
        if reason is not None:
            return reason, [prior, current]
    signs = person.signs_of_life if person is not None else ()
    later = [sign for sign in signs if sign.event_date > record.event_date]
    if later:
        latest = max(later, key=lambda sign: sign.event_date)
        reason = (
            f"死亡日期{record.event_date.isoformat()}之后仍有生存迹象"
            f"（{_department_name(latest.department)}，{latest.event_date.isoformat()}）"
        )
        return reason, [current, latest]
    return None


def _life_sign_contradiction(
    record: PartnerRecord, previous: Sequence[PriorNotice]
) -> tuple[PriorNotice, str, list[PriorNotice]] | None:
    """A sign of life after a reported death: the death notice is what is disputed."""
    deaths = [
        prior
        for prior in previous
        if prior.item_code in DEATH_DATE_ITEMS and prior.event_date < record.event_date
    ]
    if not deaths:
        return None
    death = min(deaths, key=lambda prior: prior.event_date)
    reason = (
        f"死亡日期{death.event_date.isoformat()}之后仍有生存迹象"
        f"（{_department_name(record.department)}，{record.event_date.isoformat()}）"
    )
    return death, reason, [death, PriorNotice.from_record(record)]


def verify_event(
    record: PartnerRecord,
    *,
    person: KnownPerson | None,
    previous: Sequence[PriorNotice],
    on: date,
) -> Verification:
    """Check one partner record; ``ok`` is false when any problem was found.

    ``person`` is who we hold under the record's ID number (``None``: nobody). ``previous``
    are the notices already received about that person, from any department.
    """
    problems = _date_problems(record, on)
    held = check_against_held(record, person=person, previous=previous)
    return Verification(not problems and held.ok, (*problems, *held.problems), held.dispute)


def check_against_held(
    record: PartnerRecord, *, person: KnownPerson | None, previous: Sequence[PriorNotice]
) -> Verification:
    """The content checks alone, for a record whose ID and dates were already validated (the
    transfer pipeline's row schema checks them): unknown person, contradictions."""
    problems: list[Problem] = []
    dispute = None
    if record.item_code in DEATH_ITEMS:
        if person is None:
            message = f"收到{record.name}（{record.id_number}）的死亡通知，但本系统无此人信息"
            problems.append(Problem(ProblemKind.UNKNOWN_PERSON, "id_number", message))
        found = _death_contradiction(record, person, previous)
        if found is not None:
            reason, evidence = found
            problems.append(Problem(ProblemKind.CONTRADICTION, "event_date", reason))
            dispute = DisputeDraft(
                record.department, record.item_code, record.id_number, reason, evidence
            )
    elif record.item_code in LIFE_SIGN_ITEMS:
        contradicted = _life_sign_contradiction(record, previous)
        if contradicted is not None:
            death, reason, evidence = contradicted
            problems.append(Problem(ProblemKind.CONTRADICTION, "event_date", reason))
            dispute = DisputeDraft(
                death.department, death.item_code, record.id_number, reason, evidence
            )
    return Verification(not problems, tuple(problems), dispute)
