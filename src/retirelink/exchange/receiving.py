"""The one path every inbound transfer takes: files, API messages and table-sync batches.

``receive`` takes the rows of a transfer as they are parsed (each with its issues) and either
applies all of them in the caller's transaction or rejects the whole transfer:

* rows are applied in chunks while they stream in, so a million-row file is never held in
  memory; the first issue stops applying, the rest of the rows are still read so the report
  lists every issue, and the transaction is rolled back before the rejection is recorded;
* each applied record is verified against what we hold (``verification.check_against_held``): a
  death notice for someone unknown is kept and flagged; a contradiction is kept, flagged, and
  opens a 数据异议 that the outbox delivers to the department the disputed data came from;
* the same transfer sent twice (same ``dedupe_key``) is recognised and not applied again;
* every outcome leaves a job row, a signed receipt (回执) and a ledger entry.
"""

import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Protocol

from retirelink.errors import InvalidInputError
from retirelink.exchange.file_import import MAX_LISTED_ISSUES, DuplicateFinder, duplicate_key
from retirelink.exchange.file_schema import PARTNER_EVENT_SCHEMA, ParsedValue, RowIssue, RowSchema
from retirelink.exchange.model import (
    CatalogueItem,
    Dispute,
    DisputeStatus,
    ExchangeJob,
    ImportOutcome,
    JobStatus,
    OutboxMessage,
    OutboxOperation,
    OutboxStatus,
    PartnerRecord,
    Purpose,
    RecordFlag,
    Transport,
)
from retirelink.exchange.ports import ExchangeUnitOfWork
from retirelink.exchange.receipts import Direction, Receipt, issue_receipt
from retirelink.exchange.verification import (
    DEATH_ITEMS,
    LIFE_SIGN_ITEMS,
    DisputeDraft,
    KnownPerson,
    PriorNotice,
    ProblemKind,
    check_against_held,
)
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import Actor

ParsedRow = dict[str, ParsedValue]
# One parsed row as a transport delivers it: its number, its values and its issues.
RowResult = tuple[int, ParsedRow, Sequence[RowIssue]]
# Work a transport adds to the transfer's own transaction (e.g. moving a sync cursor).
BeforeCommit = Callable[[ExchangeUnitOfWork, ImportOutcome], None]

CHUNK_ROWS = 5000
_PURPOSE_LENGTH = 200
# Items whose records are checked against each other (deaths and signs of life).
_VERIFIED_ITEMS = DEATH_ITEMS | LIFE_SIGN_ITEMS

_ACTIONS = {
    Transport.FILE: (
        LedgerAction.EXCHANGE_FILE_IMPORTED,
        LedgerAction.EXCHANGE_FILE_REJECTED,
        LedgerAction.EXCHANGE_FILE_DUPLICATE,
    ),
    Transport.API: (
        LedgerAction.EXCHANGE_MESSAGE_APPLIED,
        LedgerAction.EXCHANGE_MESSAGE_REJECTED,
        LedgerAction.EXCHANGE_MESSAGE_DUPLICATE,
    ),
    Transport.TABLE_SYNC: (
        LedgerAction.EXCHANGE_SYNC_APPLIED,
        LedgerAction.EXCHANGE_SYNC_REJECTED,
        LedgerAction.EXCHANGE_SYNC_DUPLICATE,
    ),
}


@dataclass(frozen=True)
class Transfer:
    """What arrived, from whom and how; ``receipt_key`` signs the receipt we hand back."""

    transport: Transport
    item: CatalogueItem
    reference: str
    dedupe_key: str
    payload_digest: str
    partner: str
    receipt_key: bytes = field(repr=False)


class TransferRows(Protocol):
    """A transfer's rows, with the format and encoding they turned out to have once read."""

    @property
    def format(self) -> str: ...

    @property
    def encoding(self) -> str: ...

    def __iter__(self) -> Iterator[RowResult]: ...


@dataclass(frozen=True)
class RowList:
    """Rows already in memory (an API message, a table-sync batch)."""

    rows: Sequence[RowResult]
    format: str
    encoding: str = "utf-8"

    def __iter__(self) -> Iterator[RowResult]:
        return iter(self.rows)


def find_earlier(uow: ExchangeUnitOfWork, transfer: Transfer) -> ImportOutcome | None:
    """The outcome of the same transfer received before, if it was (nothing is written)."""
    earlier = uow.exchange_jobs.get_by_dedupe_key(transfer.dedupe_key)
    if earlier is None or earlier.id is None:
        return None
    return ImportOutcome(earlier, duplicate=True, receipt=uow.receipts.for_job(earlier.id))


def recognise_duplicate(
    uow: ExchangeUnitOfWork,
    actor: Actor,
    transfer: Transfer,
    earlier: ImportOutcome,
    before_commit: BeforeCommit | None = None,
) -> ImportOutcome:
    """Ledger that a transfer was sent again and answer with the first outcome."""
    _ledger(uow, actor, _ACTIONS[transfer.transport][2], earlier.job, transfer.item)
    if before_commit is not None:
        before_commit(uow, earlier)
    uow.commit()
    return earlier


def receive(
    uow: ExchangeUnitOfWork,
    *,
    actor: Actor,
    transfer: Transfer,
    rows: TransferRows,
    schema: RowSchema = PARTNER_EVENT_SCHEMA,
    before_commit: BeforeCommit | None = None,
    known_new: bool = False,
) -> ImportOutcome:
    """Apply a transfer whole or reject it whole; commits once. See the module docstring.

    ``before_commit`` runs inside the transaction just before it commits, with the outcome
    (a table sync moves its cursor there, so records and cursor commit together).
    ``known_new``: the caller has just looked for an earlier copy (``find_earlier``) itself.
    """
    earlier = None if known_new else find_earlier(uow, transfer)
    if earlier is not None:
        return recognise_duplicate(uow, actor, transfer, earlier, before_commit)
    now = uow.clock.now()
    job = uow.exchange_jobs.add(_job(transfer, actor, now))
    assert job.id is not None
    applier = _Applier(uow, transfer.item, job.id, now)
    report = _read_rows(rows, applier, schema)
    if report.issues_total:
        uow.rollback()
        rejected = uow.exchange_jobs.add(_rejected(transfer, actor, now, report, rows))
        return _finish(uow, actor, transfer, rejected, 0, before_commit)
    applier.flush()
    applied = replace(
        job,
        format=rows.format,
        encoding=rows.encoding,
        rows_total=report.rows_total,
        rows_applied=applier.applied,
        rows_flagged=applier.flagged,
    )
    uow.exchange_jobs.finish(applied)
    return _finish(uow, actor, transfer, applied, report.rows_total, before_commit)


@dataclass
class _Report:
    rows_total: int = 0
    issues_total: int = 0
    issues: list[RowIssue] = field(default_factory=list)

    def add(self, issue: RowIssue) -> None:
        self.issues_total += 1
        if len(self.issues) < MAX_LISTED_ISSUES:
            self.issues.append(issue)


def _read_rows(rows: Iterable[RowResult], applier: "_Applier", schema: RowSchema) -> _Report:
    report = _Report()
    finder = DuplicateFinder()
    try:
        for row_number, parsed, issues in rows:
            report.rows_total += 1
            for issue in issues:
                report.add(issue)
            if issues:
                continue
            finder.add(row_number, duplicate_key(schema, parsed))
            if not report.issues_total:
                applier.add(parsed)
    except InvalidInputError as error:
        report.add(RowIssue(None, error.field, error.message))
    labels = "和".join(schema.label(name) for name in schema.duplicate_key)
    for row_number, first in finder.duplicates():
        report.add(RowIssue(row_number, None, f"与第{first}行重复（{labels}相同）"))
    if report.rows_total == 0 and not report.issues_total:
        report.add(RowIssue(None, None, "没有数据行"))
    report.issues.sort(key=lambda issue: -1 if issue.row_number is None else issue.row_number)
    return report


class _Applier:
    """Buffers valid rows and applies them a chunk at a time inside the caller's transaction.

    Nothing here rejects a transfer: IDs and dates were checked by the row schema, and what
    does not fit what we hold is flagged (and disputed), not refused.
    """

    def __init__(self, uow: ExchangeUnitOfWork, item: CatalogueItem, job_id: int, now: datetime):
        self._uow = uow
        self._item = item
        self._job_id = job_id
        self._now = now
        self._pending: list[PartnerRecord] = []
        self.applied = 0
        self.flagged = 0

    def add(self, parsed: ParsedRow) -> None:
        self._pending.append(_record(parsed, self._item, self._job_id, self._now))
        if len(self._pending) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        ids = {record.id_number for record in pending}
        if self._item.code in _VERIFIED_ITEMS:
            checked = self._verify(pending, ids)
        else:
            held = self._uow.partner_records.existing_keys(self._item.code, ids)
            checked = [record for record in pending if record.key not in held]
        self._uow.partner_records.add_all(checked)
        self.applied += len(checked)
        self.flagged += sum(1 for record in checked if record.flag is not None)

    def _verify(self, pending: list[PartnerRecord], ids: set[str]) -> list[PartnerRecord]:
        """Skip records already held; flag what does not fit what we hold; open a dispute for
        each contradiction. (One query brings both the held keys and the earlier notices.)"""
        known = self._uow.persons.names_by_id_numbers(ids)
        stored = self._uow.partner_records.for_persons(ids, _VERIFIED_ITEMS)
        held = {record.key for record in stored if record.item_code == self._item.code}
        priors = _priors_by_person(stored)
        checked: list[PartnerRecord] = []
        for record in pending:
            if record.key not in held:
                checked.append(self._checked(record, known, priors))
        return checked

    def _checked(
        self, record: PartnerRecord, known: dict[str, str], priors: dict[str, list[PriorNotice]]
    ) -> PartnerRecord:
        previous = priors.get(record.id_number)
        if previous is None:
            # Nothing else is known about the person (the usual case): no contradiction is
            # possible, only an unknown person to flag. Later rows of this transfer about the
            # same person must still see this one.
            priors[record.id_number] = [PriorNotice.from_record(record)]
            if record.id_number in known or self._item.code not in DEATH_ITEMS:
                return record
            return _with_flag(record, RecordFlag.UNKNOWN_PERSON)
        person = _known(record.id_number, known, previous)
        result = check_against_held(record, person=person, previous=previous)
        kinds = {problem.kind for problem in result.problems}
        if ProblemKind.CONTRADICTION in kinds:
            record = _with_flag(record, RecordFlag.DISPUTED)
        elif ProblemKind.UNKNOWN_PERSON in kinds:
            record = _with_flag(record, RecordFlag.UNKNOWN_PERSON)
        previous.append(PriorNotice.from_record(record))
        if result.dispute is not None:
            open_dispute(self._uow, result.dispute, job_id=self._job_id, now=self._now)
        return record


def _priors_by_person(records: Iterable[PartnerRecord]) -> dict[str, list[PriorNotice]]:
    priors: dict[str, list[PriorNotice]] = {}
    for record in records:
        priors.setdefault(record.id_number, []).append(PriorNotice.from_record(record))
    return priors


def _known(
    id_number: str, known: dict[str, str], previous: Sequence[PriorNotice]
) -> KnownPerson | None:
    if id_number not in known:
        return None
    signs = tuple(notice for notice in previous if notice.item_code in LIFE_SIGN_ITEMS)
    return KnownPerson(id_number, known[id_number], signs_of_life=signs)


def _with_flag(record: PartnerRecord, flag: RecordFlag) -> PartnerRecord:
    # The constructor, not dataclasses.replace: this runs once per flagged row of a transfer.
    return PartnerRecord(
        record.id,
        record.item_code,
        record.department,
        record.id_number,
        record.name,
        record.event_date,
        record.end_date,
        record.record_type,
        record.job_id,
        record.received_at,
        flag,
    )


def open_dispute(
    uow: ExchangeUnitOfWork, draft: DisputeDraft, *, job_id: int | None, now: datetime
) -> Dispute:
    """Store a 数据异议 and queue it for delivery to the department whose data it questions."""
    evidence = tuple(_evidence(notice) for notice in draft.evidence)
    dispute = uow.disputes.add(
        Dispute(
            id=None,
            source_department=draft.source_department,
            item_code=draft.item_code,
            id_number=draft.id_number,
            reason=draft.reason_zh,
            evidence=evidence,
            status=DisputeStatus.OPEN,
            job_id=job_id,
            opened_at=now,
            updated_at=now,
        )
    )
    key = f"dispute:{dispute.id}"
    uow.outbox.add_if_new(
        OutboxMessage(
            id=None,
            department=draft.source_department,
            operation=OutboxOperation.DISPUTE,
            item_code=draft.item_code,
            purpose=Purpose.BENEFIT_SUSPENSION.value,
            body={
                "dispute_id": key,
                "item": draft.item_code,
                "id_number": draft.id_number,
                "reason": draft.reason_zh,
                "evidence": list(evidence),
            },
            idempotency_key=key,
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    return dispute


def _evidence(notice: PriorNotice) -> dict[str, str]:
    return {
        "department": notice.department,
        "item": notice.item_code,
        "event_date": notice.event_date.isoformat(),
        "received_at": notice.received_at.isoformat() if notice.received_at else "",
        "reference": notice.reference,
    }


def _record(row: ParsedRow, item: CatalogueItem, job_id: int, now: datetime) -> PartnerRecord:
    event_date, end_date, record_type = (
        row["event_date"],
        row.get("end_date"),
        row.get("record_type"),
    )
    assert isinstance(event_date, date)
    return PartnerRecord(
        id=None,
        item_code=item.code,
        department=item.department.value,
        id_number=str(row["id_number"]),
        name=str(row["name"]),
        event_date=event_date,
        end_date=end_date if isinstance(end_date, date) else None,
        record_type=str(record_type) if record_type else None,
        job_id=job_id,
        received_at=now,
    )


def _job(transfer: Transfer, actor: Actor, now: datetime) -> ExchangeJob:
    return ExchangeJob(
        id=None,
        transport=transfer.transport,
        department=transfer.item.department.value,
        item_code=transfer.item.code,
        reference=transfer.reference,
        dedupe_key=transfer.dedupe_key,
        payload_digest=transfer.payload_digest,
        format="",
        encoding="",
        rows_total=0,
        rows_applied=0,
        rows_flagged=0,
        issue_count=0,
        status=JobStatus.APPLIED,
        issues=(),
        received_at=now,
        actor=actor.username,
    )


def _rejected(
    transfer: Transfer, actor: Actor, now: datetime, report: _Report, rows: TransferRows
) -> ExchangeJob:
    return replace(
        _job(transfer, actor, now),
        format=rows.format,
        encoding=rows.encoding,
        rows_total=report.rows_total,
        issue_count=report.issues_total,
        status=JobStatus.REJECTED,
        issues=tuple(report.issues),
    )


def _finish(
    uow: ExchangeUnitOfWork,
    actor: Actor,
    transfer: Transfer,
    job: ExchangeJob,
    accepted: int,
    before_commit: BeforeCommit | None,
) -> ImportOutcome:
    assert job.id is not None
    receipt = issue_receipt(
        receipt_id=secrets.token_hex(16),
        direction=Direction.INBOUND,
        partner=transfer.partner,
        item=transfer.item.code,
        payload_digest=transfer.payload_digest,
        record_count=job.rows_total,
        accepted=accepted,
        rejected=job.rows_total - accepted,
        received_at=job.received_at,
        key=transfer.receipt_key,
    )
    uow.receipts.add(receipt, job_id=job.id)
    applied, rejected, _ = _ACTIONS[transfer.transport]
    action = applied if job.status is JobStatus.APPLIED else rejected
    _ledger(uow, actor, action, job, transfer.item, receipt)
    outcome = ImportOutcome(job, receipt=receipt)
    if before_commit is not None:
        before_commit(uow, outcome)
    uow.commit()
    return outcome


def _ledger(
    uow: ExchangeUnitOfWork,
    actor: Actor,
    action: LedgerAction,
    job: ExchangeJob,
    item: CatalogueItem,
    receipt: Receipt | None = None,
) -> None:
    purpose = f"{item.code}；依据：{' '.join(item.legal_basis.split())}"
    if len(purpose) > _PURPOSE_LENGTH:
        purpose = purpose[: _PURPOSE_LENGTH - 1] + "…"
    uow.ledger.record(
        actor=actor,
        action=action,
        subject=uow.ledger.subject("exchange_job", job.dedupe_key),
        purpose=purpose,
        after={
            "transport": job.transport.value,
            "reference": job.reference,
            "item_code": job.item_code,
            "status": job.status.value,
            "rows_total": job.rows_total,
            "rows_applied": job.rows_applied,
            "rows_flagged": job.rows_flagged,
            "issue_count": job.issue_count,
            "payload_digest": job.payload_digest,
            "receipt_id": receipt.receipt_id if receipt else "",
        },
    )
