"""Use cases of the retirement workflow: the pre-review run (预审), the checklists it keeps
until resolved, and delivery of the notices it queues."""

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from retirelink.archives.model import Person
from retirelink.clock import CHINA_TZ
from retirelink.errors import InvalidInputError, NotFoundError
from retirelink.ledger.model import LedgerAction
from retirelink.rules import YearMonth
from retirelink.rules.parameters import ParameterSet
from retirelink.security.model import SYSTEM_ACTOR, Actor, Permission
from retirelink.security.permissions import require
from retirelink.workflow.model import (
    Checklist,
    ChecklistItem,
    ChecklistStatus,
    Owner,
    PrereviewRunSummary,
)
from retirelink.workflow.person_facts import person_facts
from retirelink.workflow.ports import (
    InsuredCandidate,
    InsuredDetail,
    Notification,
    Notifier,
    NotifierError,
    StoredChecklist,
    UnitsOfWork,
    WorkflowUnitOfWork,
)
from retirelink.workflow.prereview import (
    build_checklist,
    earliest_special_job_month,
    statutory_month,
)

MAX_MONTHS = 24
# Nobody in view is younger than the lowest early-retirement age (45) or older than the
# highest statutory age (63 for men after the 2025 reform), give or take the window.
_YOUNGEST, _OLDEST = 44, 66
MAX_SEND_ATTEMPTS = 5
# Persons per batch: each batch's facts are read and its checklists built in a read-only
# unit of work, then its changed checklists are written in one short writing one. Each
# person's checklist is kept on its own, so a run interrupted half way is finished by the
# next (nothing is sent twice).
COMMIT_EVERY = 20


@dataclass(frozen=True, slots=True)
class _Scope:
    """What a run reviews against: the day, the window of months, the law and the region."""

    today: date
    window: tuple[YearMonth, YearMonth]
    params: ParameterSet
    region: str


@dataclass(frozen=True, slots=True)
class _Reviewed:
    """A person's checklist as built, beside the one stored when the batch was read."""

    checklist: Checklist
    detail: InsuredDetail | None
    stored: StoredChecklist | None


def run_prereview(
    uows: UnitsOfWork, *, actor: Actor, months: int, params: ParameterSet, region: str
) -> PrereviewRunSummary:
    """Pre-review everyone whose retirement month falls within ``months`` months from this
    month: build their checklists, keep them until resolved, queue notices to the person and
    the employer for new items. Idempotent: a second run on the same data changes nothing
    and sends nothing twice. Batches of ``COMMIT_EVERY`` persons are read in read-only units
    of work and only their changes written, one short writing unit of work per batch; the
    run itself is ledgered at the end."""
    require(actor, Permission.PREREVIEW)
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInputError(f"预审月数应在1到{MAX_MONTHS}之间", field="months")
    with uows(read_only=True) as reader:
        today = reader.clock.today()
        this_month = YearMonth(today.year, today.month)
        scope = _Scope(today, (this_month, this_month.plus(months)), params, region)
        summary = PrereviewRunSummary(as_of=today.isoformat(), months=months)
        candidates = reader.insured.insured_born_between(
            date(today.year - _OLDEST, 1, 1), date(today.year - _YOUNGEST, 12, 31)
        )
        summary.persons_scanned = len(candidates)
        due = [c for c in candidates if _may_be_due(c, scope.window, today, params)]
        details = reader.insured.details([c.person_id for c in due])
    codes: Counter[str] = Counter()
    for start in range(0, len(due), COMMIT_EVERY):
        # On SQLite a writing unit of work holds the one write lock from its first statement,
        # and every application's tasks wait for it: the reading and the rules run outside.
        reviewed = _review(uows, actor, due[start : start + COMMIT_EVERY], details, scope)
        codes.update(item.code.value for each in reviewed for item in each.checklist.items)
        changed = []
        for each in reviewed:
            if each.stored is not None and _unchanged(each.stored, each.checklist):
                summary.by_status[each.stored.status] += 1
            else:
                changed.append(each)
        # A batch with nothing new takes no write lock at all: on most days that is nearly
        # every batch, and the run writes little but its own ledger entry.
        if changed:
            _write(uows, actor, changed, summary)
    summary.items_by_code = dict(sorted(codes.items()))
    with uows() as uow:
        _record_run(uow, actor, summary)
        uow.commit()
    return summary


def run_scheduled_prereview(
    uows: UnitsOfWork, *, months: int, params: ParameterSet, region: str
) -> PrereviewRunSummary | None:
    """The daily run of the web server's workflow worker: once per (China) calendar day,
    as the system account; None when today's run has been done."""
    with uows(read_only=True) as reader:
        last = reader.ledger.store.recent(limit=1, action=LedgerAction.PREREVIEW_RUN)
        today = reader.clock.today()
    if last and last[0].recorded_at.astimezone(CHINA_TZ).date() >= today:
        return None
    return run_prereview(uows, actor=SYSTEM_ACTOR, months=months, params=params, region=region)


def _review(
    uows: UnitsOfWork,
    actor: Actor,
    batch: list[InsuredCandidate],
    details: dict[int, InsuredDetail],
    scope: _Scope,
) -> list[_Reviewed]:
    """Read a batch's facts and build its checklists in a read-only unit of work (nothing
    on this path writes or ledgers); persons whose month is outside the window are dropped."""
    reviewed = []
    with uows(read_only=True) as reader:
        for candidate in batch:
            detail = details.get(candidate.person_id)
            facts = person_facts(reader, actor, candidate, detail)
            checklist = build_checklist(
                facts, on=scope.today, window=scope.window, params=scope.params, region=scope.region
            )
            if checklist is not None:
                stored = reader.checklists.get(candidate.person_id)
                reviewed.append(_Reviewed(checklist, detail, stored))
    return reviewed


def _write(
    uows: UnitsOfWork, actor: Actor, changed: list[_Reviewed], summary: PrereviewRunSummary
) -> None:
    """Save a batch's changed checklists, their ledger entries and notices in one short
    writing unit of work. ``_keep`` compares with the stored checklist again, under the
    write: another run may have saved the same one since the batch was read."""
    with uows() as uow:
        for each in changed:
            status, queued = _keep(uow, actor, each.checklist, each.detail)
            summary.by_status[status] += 1
            summary.notifications += queued
        uow.commit()


def _record_run(uow: WorkflowUnitOfWork, actor: Actor, summary: PrereviewRunSummary) -> None:
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.PREREVIEW_RUN,
        subject=uow.ledger.subject("prereview", summary.as_of),
        purpose=f"退休预审：{summary.months}个月内到龄{summary.persons_due}人",
        after={
            "months": summary.months,
            "scanned": summary.persons_scanned,
            "due": summary.persons_due,
            "open": summary.open,
            "ready": summary.ready,
            "resolved": summary.resolved,
            "notifications": summary.notifications,
        },
    )


def _may_be_due(
    candidate: InsuredCandidate,
    window: tuple[YearMonth, YearMonth],
    today: date,
    params: ParameterSet,
) -> bool:
    """A superset of who is due: for each route (statutory; special-job age for those with
    special-job spans), the months reached from the earliest and the latest birth date the
    archive or the ID card states overlap the window. Both months grow with the birth date."""
    births = sorted({candidate.id_card_birth, *(candidate.archive_births or ())})
    routes = [statutory_month]
    if candidate.has_special_job:
        routes.append(earliest_special_job_month)
    return any(
        route(candidate.category, births[0], on=today, params=params) <= window[1]
        and route(candidate.category, births[-1], on=today, params=params) >= window[0]
        for route in routes
    )


def _keep(
    uow: WorkflowUnitOfWork, actor: Actor, checklist: Checklist, detail: InsuredDetail | None
) -> tuple[ChecklistStatus, int]:
    """Store the checklist when it changed (ledgered for the person), and queue notices for
    the items new to it."""
    stored = uow.checklists.get(checklist.person_id)
    if stored is not None and _unchanged(stored, checklist):
        return stored.status, 0
    state = _next_state(stored, checklist, uow.clock.now())
    known = {item.key for item in stored.checklist.items} if stored else set()
    new_items = [item for item in checklist.notified_items if item.key not in known]
    uow.checklists.save(state)
    person = uow.persons.get(checklist.person_id)
    if person is None:
        raise NotFoundError("参保人不存在")
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.PREREVIEW_CHECKLIST,
        subject=uow.ledger.subject("person", person.id_number),
        purpose=f"退休预审：{checklist.retirement_month} {state.status.label}",
        after={
            "status": state.status.value,
            "items": [item.code.value for item in checklist.items],
        },
    )
    queued = _queue_notices(uow, person, checklist, new_items, detail) if new_items else 0
    return state.status, queued


def _unchanged(stored: StoredChecklist, checklist: Checklist) -> bool:
    """The stored checklist already says this, in the status it would get (which does not
    depend on the time): nothing to write and nothing to ledger."""
    return (
        stored.checklist == checklist
        and stored.status is _next_state(stored, checklist, stored.checked_at).status
    )


def _next_state(
    stored: StoredChecklist | None, checklist: Checklist, now: datetime
) -> StoredChecklist:
    """Open while there are items; resolved once the items there were are all cleared;
    ready when the person never had any. ``checked_at`` is the time of the last change."""
    first_flagged = stored.first_flagged_at if stored else None
    resolved_at = stored.resolved_at if stored else None
    if checklist.items:
        status, resolved_at = ChecklistStatus.OPEN, None
        first_flagged = first_flagged or now
    elif first_flagged is not None:
        status = ChecklistStatus.RESOLVED
        resolved_at = resolved_at or now
    else:
        status = ChecklistStatus.READY
    return StoredChecklist(checklist, status, first_flagged, now, resolved_at)


def _queue_notices(
    uow: WorkflowUnitOfWork,
    person: Person,
    checklist: Checklist,
    new_items: list[ChecklistItem],
    detail: InsuredDetail | None,
) -> int:
    """One notice per recipient listing the items new to them: the person by SMS (to the
    phone on record), the employer (by credit code) for what the employer must supply."""
    now, queued = uow.clock.now(), 0
    recipients = [(Owner.APPLICANT, "person", person.phone)]
    if detail is not None and detail.employer is not None:
        recipients.append((Owner.EMPLOYER, "employer", detail.employer[0]))
    for owner, kind, address in recipients:
        items = [item for item in new_items if item.owner is owner]
        if not items or not address:
            continue
        digest = hashlib.sha256("|".join(item.key for item in items).encode()).hexdigest()[:16]
        notice = Notification(
            dedupe_key=f"prereview:{person.id}:{kind}:{digest}",
            person_id=person.id or 0,
            recipient_kind=kind,
            recipient=address,
            subject=_notice_subject(person, checklist, kind, detail),
            body=_notice_body(items),
        )
        queued += uow.notifications.enqueue(notice, at=now)
    return queued


def _notice_subject(
    person: Person, checklist: Checklist, kind: str, detail: InsuredDetail | None
) -> str:
    month = YearMonth.parse(checklist.retirement_month).label
    if kind == "employer" and detail is not None and detail.employer is not None:
        return f"{detail.employer[1]}：职工{person.name}将于{month}到龄退休，请补充材料"
    return f"{person.name}您好：您将于{month}到达退休年龄，退休预审发现以下事项"


def _notice_body(items: list[ChecklistItem]) -> str:
    lines = [f"{n}. {item.code.label}：{item.text}" for n, item in enumerate(items, 1)]
    lines.append("材料可在网上办理平台上传，无需到窗口；如有疑问请联系社保经办机构。")
    return "\n".join(lines)


# --- reading ----------------------------------------------------------------------------------


def checklist_of(uow: WorkflowUnitOfWork, *, actor: Actor, person_id: int) -> StoredChecklist:
    """One person's pre-review (ledgered read)."""
    require(actor, Permission.PREREVIEW)
    person = uow.persons.get(person_id)
    stored = uow.checklists.get(person_id)
    if person is None or stored is None:
        raise NotFoundError("该参保人没有预审结果")
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.PREREVIEW_READ,
        subject=uow.ledger.subject("person", person.id_number),
        purpose="查看退休预审结果",
    )
    uow.commit()
    return stored


def list_checklists(
    uow: WorkflowUnitOfWork,
    *,
    actor: Actor,
    status: ChecklistStatus | None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[StoredChecklist], int]:
    require(actor, Permission.PREREVIEW)
    return uow.checklists.listing(status=status, offset=offset, limit=limit)


# --- delivery ---------------------------------------------------------------------------------


def deliver_notifications(
    uow: WorkflowUnitOfWork, notifier: Notifier, *, actor: Actor, limit: int = 100
) -> tuple[int, int]:
    """Send pending notices through ``notifier``; (sent, failed this pass). A failure is
    retried on the next pass, up to MAX_SEND_ATTEMPTS, then left as failed for a person."""
    sent = failed = 0
    for notice in uow.notifications.pending(limit=limit):
        assert notice.id is not None
        try:
            notifier.send(notice)
        except NotifierError as error:
            give_up = notice.attempts + 1 >= MAX_SEND_ATTEMPTS
            uow.notifications.mark_failed(notice.id, error=str(error), give_up=give_up)
            failed += 1
            continue
        uow.notifications.mark_sent(notice.id, at=uow.clock.now())
        person = uow.persons.get(notice.person_id)
        uow.ledger.record(
            actor=actor,
            action=LedgerAction.NOTIFICATION_SENT,
            subject=uow.ledger.subject("person", person.id_number if person else "?"),
            purpose=f"预审通知：{notice.subject}",
            after={"recipient_kind": notice.recipient_kind, "notification": notice.id},
        )
        sent += 1
    uow.commit()
    return sent, failed


def notices_of(uow: WorkflowUnitOfWork, *, actor: Actor, person_id: int) -> list[Notification]:
    require(actor, Permission.PREREVIEW)
    return uow.notifications.for_person(person_id)


def refresh_checklist(
    uow: WorkflowUnitOfWork,
    *,
    actor: Actor,
    person_id: int,
    months: int,
    params: ParameterSet,
    region: str,
) -> StoredChecklist | None:
    """Pre-review one person again at once (a missing material has just been received),
    as the daily run would; the checklist as it now stands, None when not due in view."""
    require(actor, Permission.PREREVIEW)
    person = uow.persons.get(person_id)
    if person is None:
        raise NotFoundError("参保人不存在")
    today = uow.clock.today()
    this_month = YearMonth(today.year, today.month)
    born = uow.insured.insured_born_between(person.birth_date, person.birth_date)
    candidate = next((c for c in born if c.person_id == person_id), None)
    if candidate is None:
        return None
    detail = uow.insured.details([person_id]).get(person_id)
    facts = person_facts(uow, actor, candidate, detail)
    window = (this_month, this_month.plus(months))
    checklist = build_checklist(facts, on=today, window=window, params=params, region=region)
    if checklist is not None:
        _keep(uow, actor, checklist, detail)
    uow.commit()
    return uow.checklists.get(person_id)
