"""The fund guard in SQL: findings kept by key, their history, runs, the snapshot export."""

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from retirelink.fundcheck.findings import (
    FindingEvent,
    FindingFilter,
    FindingStatus,
    FundRun,
    StoredFinding,
    initial_status,
)
from retirelink.fundcheck.model import (
    Band,
    CheckCode,
    Evidence,
    Finding,
    PayStatus,
    RollEntry,
    SignOfLife,
)
from retirelink.rules.payments import PaidPeriod
from retirelink.storage.fund_snapshot import EVENT_ITEMS, export_to_file, write_snapshot
from retirelink.storage.rows import (
    ContributionYearRow,
    FundFindingEventRow,
    FundFindingRow,
    FundRunRow,
    LifeSignRow,
    PartnerRecordRow,
    PensionPaymentRow,
    PensionRollRow,
    PersonRow,
)

RULE_ACTOR = "rule"  # who moved a finding when the automatic band decided


class SqlAlchemyFundRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # -- findings ---------------------------------------------------------------------------

    def save_findings(
        self, findings: Sequence[Finding], *, run_id: int, now: datetime, auto_suspend: bool
    ) -> tuple[list[StoredFinding], int]:
        if not findings:
            return [], 0
        keys = [finding.key for finding in findings]
        known = {
            row.key: row
            for row in self._session.scalars(
                select(FundFindingRow).where(FundFindingRow.key.in_(keys))
            )
        }
        new_rows: list[FundFindingRow] = []
        raised: list[FundFindingRow] = []
        for finding in findings:
            row = known.get(finding.key)
            if row is None:
                row = _new_row(finding, run_id, now, auto_suspend=auto_suspend)
                self._session.add(row)
                known[finding.key] = row
                new_rows.append(row)
            elif row.status == FindingStatus.WARNING.value:
                _refresh(row, finding, run_id, now)  # nobody is working it yet: latest figures
                # A second department's record can lift a warning into the automatic band.
                status = initial_status(
                    finding.band, suspend=finding.suspend, auto_suspend=auto_suspend
                )
                if status is FindingStatus.SUSPENDED:
                    row.status = status.value
                    raised.append(row)
            else:
                row.last_run_id = run_id
        self._session.flush()
        for row in new_rows:
            self._opened(row, None, now)
        for row in raised:
            self._opened(row, FindingStatus.WARNING, now)
        self._session.flush()
        return [_stored(row) for row in new_rows], len(findings) - len(new_rows)

    def _opened(self, row: FundFindingRow, before: FindingStatus | None, now: datetime) -> None:
        """The history entry of a finding the rule opened (or raised), and the suspension."""
        if row.status == FindingStatus.SUSPENDED.value:
            self._set_roll_status(row.pension_id, PayStatus.SUSPENDED)
        self._session.add(
            FundFindingEventRow(
                finding_id=row.id,
                at=now,
                actor=RULE_ACTOR,
                from_status=before.value if before else None,
                to_status=row.status,
                reason=_opening_reason(row),
            )
        )

    def findings(self, where: FindingFilter, *, limit: int, offset: int = 0) -> list[StoredFinding]:
        query = _filtered(select(FundFindingRow), where)
        query = query.order_by(FundFindingRow.amount.desc(), FundFindingRow.id)
        rows = self._session.scalars(query.limit(limit).offset(offset))
        return [_stored(row) for row in rows]

    def count_findings(self, where: FindingFilter) -> int:
        query = _filtered(select(func.count()).select_from(FundFindingRow), where)
        return self._session.scalar(query) or 0

    def finding(self, finding_id: int) -> StoredFinding | None:
        row = self._session.get(FundFindingRow, finding_id)
        return _stored(row) if row else None

    def history(self, finding_id: int) -> list[FindingEvent]:
        rows = self._session.scalars(
            select(FundFindingEventRow)
            .where(FundFindingEventRow.finding_id == finding_id)
            .order_by(FundFindingEventRow.id)
        )
        return [
            FindingEvent(
                at=row.at,
                actor=row.actor,
                from_status=FindingStatus(row.from_status) if row.from_status else None,
                to_status=FindingStatus(row.to_status),
                reason=row.reason,
            )
            for row in rows
        ]

    def move(
        self,
        finding_id: int,
        *,
        expected: FindingStatus,
        to: FindingStatus,
        actor: str,
        reason: str,
        now: datetime,
        recovery: dict[str, Any] | None = None,
        roll_status: PayStatus | None = None,
    ) -> bool:
        values: dict[str, Any] = {"status": to.value, "updated_at": now}
        if recovery is not None:
            values["recovery"] = json.dumps(recovery, ensure_ascii=False)
        result = self._session.execute(
            update(FundFindingRow)
            .where(FundFindingRow.id == finding_id, FundFindingRow.status == expected.value)
            .values(**values)
        )
        if getattr(result, "rowcount", 0) != 1:
            return False
        if roll_status is not None:
            pension_id = self._session.scalar(
                select(FundFindingRow.pension_id).where(FundFindingRow.id == finding_id)
            )
            if pension_id is not None:
                self._set_roll_status(pension_id, roll_status)
        self._session.add(
            FundFindingEventRow(
                finding_id=finding_id,
                at=now,
                actor=actor,
                from_status=expected.value,
                to_status=to.value,
                reason=reason,
            )
        )
        self._session.flush()
        return True

    def _set_roll_status(self, pension_id: int, status: PayStatus) -> None:
        """Suspend a paying pension, or resume a suspended one; a stopped one stays stopped."""
        current = PayStatus.PAYING if status is PayStatus.SUSPENDED else PayStatus.SUSPENDED
        self._session.execute(
            update(PensionRollRow)
            .where(PensionRollRow.id == pension_id, PensionRollRow.status == current.value)
            .values(status=status.value)
        )

    def add_repayment(
        self, finding_id: int, *, recovery: dict[str, Any], recovered: Decimal, now: datetime
    ) -> None:
        self._session.execute(
            update(FundFindingRow)
            .where(FundFindingRow.id == finding_id)
            .values(
                recovery=json.dumps(recovery, ensure_ascii=False),
                recovered=recovered,
                updated_at=now,
            )
        )

    def run_totals(self, run_id: int) -> dict[str, tuple[int, Decimal]]:
        rows = self._session.execute(
            select(
                FundFindingRow.check_code,
                func.count(),
                func.coalesce(func.sum(FundFindingRow.amount), 0),
            )
            .where(FundFindingRow.last_run_id == run_id)
            .group_by(FundFindingRow.check_code)
        )
        return {check: (count, Decimal(amount)) for check, count, amount in rows}

    def recovered_total(self) -> Decimal:
        total = self._session.scalar(select(func.coalesce(func.sum(FundFindingRow.recovered), 0)))
        return Decimal(total or 0)

    def totals(self) -> list[tuple[str, str, int, Any]]:
        rows = self._session.execute(
            select(
                FundFindingRow.check_code,
                FundFindingRow.status,
                func.count(),
                func.coalesce(func.sum(FundFindingRow.amount), 0),
            ).group_by(FundFindingRow.check_code, FundFindingRow.status)
        )
        return [(check, status, count, amount) for check, status, count, amount in rows]

    # -- runs ------------------------------------------------------------------------------

    def start_run(self, *, kind: str, actor: str, as_of: date, now: datetime) -> FundRun:
        row = FundRunRow(
            kind=kind,
            status="running",
            started_at=now,
            started_by=actor,
            as_of=as_of,
            checkpoint=0,
            persons=0,
            candidates=0,
            new_findings=0,
            seen_findings=0,
            summary="{}",
        )
        self._session.add(row)
        self._session.flush()
        return _run(row)

    def unfinished_run(self, kind: str) -> FundRun | None:
        row = self._session.scalar(
            select(FundRunRow)
            .where(FundRunRow.kind == kind, FundRunRow.status == "running")
            .order_by(FundRunRow.id.desc())
            .limit(1)
        )
        return _run(row) if row else None

    def update_run(self, run_id: int, **values: Any) -> None:
        self._session.execute(update(FundRunRow).where(FundRunRow.id == run_id).values(**values))

    def runs(self, *, limit: int) -> list[FundRun]:
        rows = self._session.scalars(
            select(FundRunRow)
            .where(FundRunRow.kind == "batch")
            .order_by(FundRunRow.id.desc())
            .limit(limit)
        )
        return [_run(row) for row in rows]

    def run(self, run_id: int) -> FundRun | None:
        row = self._session.get(FundRunRow, run_id)
        if row is not None:
            self._session.refresh(row)
        return _run(row) if row else None

    # -- the roll (loaded by the demo and by roll imports) --------------------------------

    def roll_size(self) -> int:
        return self._session.scalar(select(func.count()).select_from(PensionRollRow)) or 0

    def person_ids(self, id_numbers: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(id_numbers), 5_000):
            chunk = id_numbers[start : start + 5_000]
            rows = self._session.execute(
                select(PersonRow.id_number, PersonRow.id).where(PersonRow.id_number.in_(chunk))
            )
            found.update((id_number, person_id) for id_number, person_id in rows)
        return found

    def add_roll(
        self,
        entries: Sequence[RollEntry],
        payments: Sequence[tuple[int, PaidPeriod]],
        signs: Sequence[SignOfLife],
        person_ids: dict[str, int],
    ) -> None:
        """Bulk insert; ``entries`` keep their pension ids (the 待遇号 findings cite)."""
        if entries:
            self._session.execute(
                insert(PensionRollRow), [_roll_row(e, person_ids.get(e.id_number)) for e in entries]
            )
        if payments:
            self._session.execute(
                insert(PensionPaymentRow),
                [
                    {
                        "pension_id": pension_id,
                        "first_month": period.first.first_day(),
                        "last_month": period.last.first_day(),
                        "monthly_amount": period.monthly_amount,
                    }
                    for pension_id, period in payments
                ],
            )
        if signs:
            self._session.execute(
                insert(LifeSignRow),
                [
                    {
                        "id_number": sign.id_number,
                        "source": sign.source.value,
                        "seen_on": sign.seen_on,
                        "reference": sign.reference,
                    }
                    for sign in signs
                ],
            )

    # -- inputs ----------------------------------------------------------------------------

    def on_roll(self, id_number: str) -> bool:
        found = self._session.scalar(
            select(PensionRollRow.id).where(PensionRollRow.id_number == id_number).limit(1)
        )
        return found is not None

    def contribution_months(self, pension_id: int) -> int | None:
        person_id = self._session.scalar(
            select(PensionRollRow.person_id).where(PensionRollRow.id == pension_id)
        )
        if person_id is None:
            return None
        months = self._session.scalar(
            select(func.sum(ContributionYearRow.months)).where(
                ContributionYearRow.person_id == person_id
            )
        )
        return int(months) if months is not None else None

    def add_life_sign(self, sign: SignOfLife) -> None:
        self._session.add(
            LifeSignRow(
                id_number=sign.id_number,
                source=sign.source.value,
                seen_on=sign.seen_on,
                reference=sign.reference,
            )
        )
        self._session.flush()

    def payroll_month(self) -> date | None:
        return self._session.scalar(select(func.max(PensionRollRow.paid_through)))

    def new_partner_records(self, after: int, *, limit: int) -> list[tuple[int, str]]:
        rows = self._session.execute(
            select(PartnerRecordRow.id, PartnerRecordRow.id_number)
            .where(PartnerRecordRow.id > after, PartnerRecordRow.item_code.in_(EVENT_ITEMS))
            .order_by(PartnerRecordRow.id)
            .limit(limit)
        )
        return [(record_id, id_number) for record_id, id_number in rows]

    def snapshot(
        self, *, id_numbers: Sequence[str] | None = None, target: Path | None = None
    ) -> duckdb.DuckDBPyConnection:
        if target is not None:
            self._export(target)
            return duckdb.connect(str(target), read_only=True)
        connection = duckdb.connect()
        write_snapshot(self._session, connection, id_numbers=id_numbers)
        return connection

    def _export(self, target: Path) -> None:
        """The whole roll, read as of one moment though others write meanwhile: PostgreSQL
        in its own REPEATABLE READ transaction; SQLite in this unit of work's one read
        transaction (under WAL, a reader sees the database as of its first read)."""
        bind = self._session.get_bind()
        if bind.dialect.name != "postgresql":
            export_to_file(self._session, target)
            return
        repeatable = bind.execution_options(isolation_level="REPEATABLE READ")
        with Session(repeatable) as session, session.begin():
            export_to_file(session, target)


def _filtered(query: Any, where: FindingFilter) -> Any:
    if where.check is not None:
        query = query.where(FundFindingRow.check_code == where.check.value)
    if where.status is not None:
        query = query.where(FundFindingRow.status == where.status.value)
    if where.band is not None:
        query = query.where(FundFindingRow.band == where.band.value)
    if where.id_number:
        query = query.where(FundFindingRow.id_number == where.id_number)
    return query


def _columns(finding: Finding) -> dict[str, Any]:
    return {
        "confidence": finding.confidence,
        "band": finding.band.value,
        "summary": finding.summary,
        "amount": finding.amount,
        "months": finding.months,
        "from_month": finding.from_month,
        "suspend": finding.suspend,
        "owed_to_person": finding.owed_to_person,
        "related_pension_id": finding.related_pension_id,
        "evidence": json.dumps([item.to_dict() for item in finding.evidence], ensure_ascii=False),
        "explanation": json.dumps(
            [step.to_dict() for step in finding.explanation.steps], ensure_ascii=False, default=str
        ),
    }


def _new_row(finding: Finding, run_id: int, now: datetime, *, auto_suspend: bool) -> FundFindingRow:
    return FundFindingRow(
        key=finding.key,
        check_code=finding.check.value,
        pension_id=finding.pension_id,
        id_number=finding.id_number,
        name=finding.name,
        status=initial_status(
            finding.band, suspend=finding.suspend, auto_suspend=auto_suspend
        ).value,
        first_run_id=run_id,
        last_run_id=run_id,
        found_at=now,
        updated_at=now,
        recovered=Decimal("0"),
        **_columns(finding),
    )


def _refresh(row: FundFindingRow, finding: Finding, run_id: int, now: datetime) -> None:
    for name, value in _columns(finding).items():
        setattr(row, name, value)
    row.last_run_id = run_id
    row.updated_at = now


def _opening_reason(row: FundFindingRow) -> str:
    band = Band(row.band)
    reason = f"规则{CheckCode(row.check_code).label}，置信度{row.confidence:.2f}，{band.label}"
    if row.status == FindingStatus.SUSPENDED.value:
        reason += "：规则自动暂停发放（暂停而非终止，核实有误的补发）"
    return reason


def _stored(row: FundFindingRow) -> StoredFinding:
    evidence = tuple(
        Evidence(
            item["kind"],
            item["text"],
            item.get("reference") or "",
            date.fromisoformat(item["on"]) if item.get("on") else None,
        )
        for item in json.loads(row.evidence)
    )
    return StoredFinding(
        id=row.id,
        key=row.key,
        check=CheckCode(row.check_code),
        pension_id=row.pension_id,
        id_number=row.id_number,
        name=row.name,
        confidence=row.confidence,
        band=Band(row.band),
        status=FindingStatus(row.status),
        summary=row.summary,
        amount=row.amount,
        months=row.months,
        from_month=row.from_month,
        suspend=row.suspend,
        owed_to_person=row.owed_to_person,
        related_pension_id=row.related_pension_id,
        evidence=evidence,
        explanation=tuple(json.loads(row.explanation)),
        found_at=row.found_at,
        updated_at=row.updated_at,
        recovery=json.loads(row.recovery) if row.recovery else None,
        recovered=row.recovered,
    )


def _run(row: FundRunRow) -> FundRun:
    return FundRun(
        id=row.id,
        kind=row.kind,
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        started_by=row.started_by,
        as_of=row.as_of.isoformat(),
        checkpoint=row.checkpoint,
        persons=row.persons,
        candidates=row.candidates,
        new_findings=row.new_findings,
        seen_findings=row.seen_findings,
        summary=json.loads(row.summary or "{}"),
    )


def _roll_row(entry: RollEntry, person_id: int | None) -> dict[str, Any]:
    return {
        "id": entry.pension_id,
        "person_id": person_id,
        "id_number": entry.id_number,
        "name": entry.name,
        "birth_date": entry.birth_date,
        "sex": entry.sex,
        "scheme": entry.scheme.value,
        "region": entry.region,
        "first_month": entry.first_month,
        "monthly_amount": entry.monthly_amount,
        "basic_amount": entry.basic_amount,
        "status": entry.status.value,
        "paid_through": entry.paid_through,
        "bank_account": entry.bank_account,
        "payee_name": entry.payee_name,
        "account_changed_on": entry.account_changed_on,
        "payee_changed_on": entry.payee_changed_on,
        "previous_id_number": entry.previous_id_number,
        "previous_name": entry.previous_name,
        "last_certified_on": entry.last_certified_on,
        "archive_birth_date": entry.archive_birth_date,
    }
