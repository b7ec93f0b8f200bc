"""Fund guard use cases: the continuous and batch runs, and working the findings.

- Continuous (``run_continuous_round``): partner records received since the cursor — a death
  pushed by 公安, a 司法 custody — trigger every check for those persons at once; the findings
  and the cursor are committed together, so a crash repeats the round and never loses or
  doubles a finding.
- Batch (``run_full_batch``): the roll is exported to a DuckDB snapshot in one read
  transaction, checked chunk by chunk; each chunk's findings and the run's checkpoint commit
  together, so an interrupted run resumes where it stopped, on the same snapshot.
- Findings are kept by key: running again finds the same finding, never a second one.
"""

import fcntl
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from retirelink.errors import ConflictError, InvalidInputError, NotFoundError
from retirelink.fundcheck.batch import BatchSummary, Matcher, open_snapshot, run_batch
from retirelink.fundcheck.certification_batch import write_certifications
from retirelink.fundcheck.context import AnomalySettings, CheckContext
from retirelink.fundcheck.findings import (
    TRANSITIONS,
    FindingAction,
    FindingEvent,
    FindingFilter,
    FindingStatus,
    FundRun,
    StoredFinding,
)
from retirelink.fundcheck.model import Finding, PayStatus, Thresholds
from retirelink.fundcheck.ports import FundUnitOfWork, FundUnitsOfWork
from retirelink.ledger.model import LedgerAction
from retirelink.rules.calendar import YearMonth
from retirelink.rules.death import fraud_fine_range
from retirelink.rules.money import to_fen
from retirelink.rules.parameters import ParameterSet
from retirelink.security.model import SYSTEM_ACTOR, Actor, Permission
from retirelink.security.permissions import require

PURPOSE = "基金安全核查（社会保险法第八十八条；社会保险经办条例第二十六条）"
CONTINUOUS = "continuous"
BATCH = "batch"
CONTINUOUS_ROUND = 500


@dataclass(frozen=True, slots=True)
class GuardSettings:
    params: ParameterSet
    thresholds: Thresholds = field(default_factory=Thresholds)
    anomalies: AnomalySettings = field(default_factory=AnomalySettings)
    matcher: Matcher | None = None
    # The automatic band suspends a pension still being paid at once (findings.initial_status).
    auto_suspend: bool = True

    def context(self, uow: FundUnitOfWork, today: date) -> CheckContext:
        payroll = uow.fund.payroll_month()
        return CheckContext(
            today=today,
            params=self.params,
            thresholds=self.thresholds,
            anomalies=self.anomalies,
            payroll=YearMonth.of(payroll) if payroll else None,
        )


def _record_new(uow: FundUnitOfWork, actor: Actor, found: Sequence[StoredFinding]) -> None:
    for finding in found:
        uow.ledger.record(
            actor=actor,
            action=LedgerAction.FUND_FINDING_RAISED,
            subject=uow.ledger.subject("person", finding.id_number),
            purpose=PURPOSE,
            after={
                "finding": finding.id,
                "check": finding.check.value,
                "band": finding.band.value,
                "amount": str(finding.amount),
            },
        )


def check_persons(
    uow: FundUnitOfWork,
    settings: GuardSettings,
    *,
    id_numbers: Sequence[str],
    run_id: int,
    actor: Actor = SYSTEM_ACTOR,
) -> tuple[list[StoredFinding], int]:
    """Every check for these persons, now, in this unit of work (the caller commits)."""
    require(actor, Permission.FUND_CHECK)
    context = settings.context(uow, uow.clock.today())
    connection = uow.fund.snapshot(id_numbers=id_numbers)
    found: list[Finding] = []
    try:
        run_batch(connection, context, matcher=settings.matcher, sink=lambda f, _: found.extend(f))
    finally:
        connection.close()
    new, seen = uow.fund.save_findings(
        found, run_id=run_id, now=uow.clock.now(), auto_suspend=settings.auto_suspend
    )
    _record_new(uow, actor, new)
    return new, seen


def run_continuous_round(
    units: FundUnitsOfWork, settings: GuardSettings, *, limit: int = CONTINUOUS_ROUND
) -> int:
    """Check the persons of the partner records received since the cursor; returns how many
    records were read (a full round means more are waiting)."""
    with units() as uow:
        today = uow.clock.today()
        run = uow.fund.unfinished_run(CONTINUOUS) or uow.fund.start_run(
            kind=CONTINUOUS, actor=SYSTEM_ACTOR.username, as_of=today, now=uow.clock.now()
        )
        records = uow.fund.new_partner_records(run.checkpoint, limit=limit)
        if not records:
            uow.commit()
            return 0
        id_numbers = sorted({id_number for _, id_number in records})
        new, seen = check_persons(uow, settings, id_numbers=id_numbers, run_id=run.id)
        uow.fund.update_run(
            run.id,
            checkpoint=records[-1][0],
            persons=run.persons + len(id_numbers),
            new_findings=run.new_findings + len(new),
            seen_findings=run.seen_findings + seen,
        )
        uow.commit()
        return len(records)


def run_full_batch(
    units: FundUnitsOfWork,
    settings: GuardSettings,
    *,
    work_dir: Path,
    actor: Actor = SYSTEM_ACTOR,
    chunk: int = 5_000,
) -> FundRun:
    """A batch run of every check over the whole roll, resuming an interrupted one. One run
    at a time: a second start (the button pressed twice, the CLI beside the page) is refused
    while the first holds the run lock, instead of racing it over the same findings."""
    require(actor, Permission.FUND_CHECK)
    work_dir.mkdir(parents=True, exist_ok=True)
    with _run_lock(work_dir / "fund-batch.lock"):
        return _run_batch(units, settings, work_dir=work_dir, actor=actor, chunk=chunk)


@contextmanager
def _run_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ConflictError("已有批量核查正在运行，请稍后查看结果") from None
        yield  # closing the file releases the lock


def _run_batch(
    units: FundUnitsOfWork,
    settings: GuardSettings,
    *,
    work_dir: Path,
    actor: Actor,
    chunk: int,
) -> FundRun:
    run, path = _start_or_resume(units, actor, work_dir)
    connection = open_snapshot(path)
    try:
        with units(read_only=True) as uow:
            context = settings.context(uow, date.fromisoformat(run.as_of))

        def save(findings: list[Finding], last: int) -> None:
            with units() as uow:
                new, seen = uow.fund.save_findings(
                    findings, run_id=run.id, now=uow.clock.now(), auto_suspend=settings.auto_suspend
                )
                _record_new(uow, actor, new)
                current = uow.fund.run(run.id)
                assert current is not None
                uow.fund.update_run(
                    run.id,
                    checkpoint=last,
                    new_findings=current.new_findings + len(new),
                    seen_findings=current.seen_findings + seen,
                )
                uow.commit()

        summary = run_batch(
            connection,
            context,
            matcher=settings.matcher,
            sink=save,
            resume_after=run.checkpoint,
            chunk=chunk,
        )
        evidence = path.with_name(f"{path.stem}-certifications.parquet")
        certified = write_certifications(connection, context, evidence)
    finally:
        connection.close()
    return _finish(units, actor, run.id, summary, path, certified)


def _start_or_resume(units: FundUnitsOfWork, actor: Actor, work_dir: Path) -> tuple[FundRun, Path]:
    with units() as uow:
        run = uow.fund.unfinished_run(BATCH)
        if (
            run is not None
            and run.summary.get("snapshot")
            and Path(run.summary["snapshot"]).exists()
        ):
            return run, Path(run.summary["snapshot"])
        if run is not None:  # interrupted before its snapshot was complete: start afresh
            uow.fund.update_run(run.id, status="failed", finished_at=uow.clock.now())
        run = uow.fund.start_run(
            kind=BATCH, actor=actor.username, as_of=uow.clock.today(), now=uow.clock.now()
        )
        uow.commit()
    path = work_dir / f"fund-run-{run.id}.duckdb"
    path.unlink(missing_ok=True)
    with units(read_only=True) as uow:
        uow.fund.snapshot(target=path).close()
    with units() as uow:
        uow.fund.update_run(run.id, summary=json.dumps({"snapshot": str(path)}))
        uow.commit()
    return run, path


def _finish(
    units: FundUnitsOfWork,
    actor: Actor,
    run_id: int,
    summary: BatchSummary,
    path: Path,
    certified: dict[str, int],
) -> FundRun:
    figures: dict[str, Any] = {
        "snapshot": str(path),
        # 无感认证 of the year by source; ``uncertified``: listed for active certification.
        "certification": certified,
        "seconds": {key: round(value, 3) for key, value in summary.seconds.items()},
        # Cases the rules could not weigh, for a person (the first hundred are listed).
        "refused": len(summary.refused),
        "refused_cases": [{"pension_id": pid, "reason": why} for pid, why in summary.refused[:100]],
    }
    with units() as uow:
        # What the whole run found, the part before an interruption included.
        totals = uow.fund.run_totals(run_id)
        figures["by_check"] = {code: count for code, (count, _) in totals.items()}
        figures["amount_by_check"] = {code: str(amount) for code, (_, amount) in totals.items()}
        uow.fund.update_run(
            run_id,
            status="done",
            finished_at=uow.clock.now(),
            persons=summary.persons,
            candidates=summary.candidates,
            summary=json.dumps(figures, ensure_ascii=False),
        )
        uow.ledger.record(
            actor=actor,
            action=LedgerAction.FUND_RUN,
            subject=uow.ledger.subject("fund_run", str(run_id)),
            purpose=PURPOSE,
            after={"persons": summary.persons, "candidates": summary.candidates, **figures},
        )
        uow.commit()
        done = uow.fund.run(run_id)
    assert done is not None
    return done


def list_findings(
    uow: FundUnitOfWork, *, actor: Actor, where: FindingFilter, limit: int = 100, offset: int = 0
) -> tuple[list[StoredFinding], int]:
    """A page of findings; the list shows names and ID numbers, so the read is ledgered (the
    filter pseudonymised, with how many were shown)."""
    require(actor, Permission.FUND_CHECK)
    found = uow.fund.findings(where, limit=limit, offset=offset)
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.FUND_FINDING_READ,
        subject=uow.ledger.subject("fund_findings", where.id_number or ""),
        purpose=f"{PURPOSE}：预警列表",
        after={
            "check": where.check.value if where.check else None,
            "status": where.status.value if where.status else None,
            "band": where.band.value if where.band else None,
            "shown": len(found),
        },
    )
    uow.commit()
    return found, uow.fund.count_findings(where)


def open_finding(
    uow: FundUnitOfWork, *, actor: Actor, finding_id: int
) -> tuple[StoredFinding, list[FindingEvent]]:
    """One finding with its evidence and history; the read is ledgered (the ID is personal)."""
    require(actor, Permission.FUND_CHECK)
    finding = uow.fund.finding(finding_id)
    if finding is None:
        raise NotFoundError("未找到该预警")
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.FUND_FINDING_READ,
        subject=uow.ledger.subject("person", finding.id_number),
        purpose=PURPOSE,
        after={"finding": finding.id},
    )
    uow.commit()
    return finding, uow.fund.history(finding_id)


@dataclass(frozen=True, slots=True)
class RecoveryTerms:
    """What a 追回 case is opened with: survivor benefits offset, fraud, instalments."""

    survivor_offset: Decimal = Decimal("0")
    fraud: bool = False
    instalments: int = 1


def recovery_plan(
    finding: StoredFinding, terms: RecoveryTerms, *, on: date, params: ParameterSet
) -> dict[str, Any]:
    """Amount to recover after the survivor-benefit offset, the fine range when fraud is
    established (社会保险法第八十八条: 2–5×), and equal monthly instalments."""
    if terms.survivor_offset < 0 or terms.survivor_offset > finding.amount:
        raise InvalidInputError("遗属待遇抵扣金额应在0与多发金额之间", field="survivor_offset")
    if not 1 <= terms.instalments <= 60:
        raise InvalidInputError("分期数应为1至60期", field="instalments")
    remaining = to_fen(finding.amount - terms.survivor_offset)
    plan: dict[str, Any] = {
        "amount": str(finding.amount),
        "survivor_offset": str(to_fen(terms.survivor_offset)),
        "to_recover": str(remaining),
        "instalments": _instalments(remaining, terms.instalments),
        "recovered": "0.00",
    }
    if terms.fraud:
        fine = fraud_fine_range(finding.amount, on=on, params=params)
        plan["fine"] = {"minimum": str(fine.minimum), "maximum": str(fine.maximum)}
    return plan


def _instalments(total: Decimal, count: int) -> list[str]:
    each = to_fen(total / count)
    parts = [each] * (count - 1)
    parts.append(total - each * (count - 1))  # the last takes the rounding
    return [str(part) for part in parts]


def decide_finding(
    uow: FundUnitOfWork,
    *,
    actor: Actor,
    finding_id: int,
    action: FindingAction,
    reason: str,
    params: ParameterSet,
    terms: RecoveryTerms | None = None,
    expected: FindingStatus | None = None,
) -> StoredFinding:
    """Move a finding along its lifecycle; a reason is always required and kept.
    ``expected``: the status the person saw — a stale form does not act on what another
    person has decided meanwhile (the move itself is conditional on the status read)."""
    require(actor, Permission.FUND_DECIDE)
    reason = reason.strip()
    if not reason:
        raise InvalidInputError("请填写处理理由", field="reason")
    finding = uow.fund.finding(finding_id)
    if finding is None:
        raise NotFoundError("未找到该预警")
    if expected is not None and finding.status is not expected:
        message = f"该预警已被他人处理，当前状态为“{finding.status.label}”，请核对后再办理"
        raise ConflictError(message)
    target, allowed = TRANSITIONS[action]
    if finding.status not in allowed:
        raise ConflictError(f"预警当前为“{finding.status.label}”，不能{action.label}")
    recovery = None
    if action is FindingAction.RECOVER:
        recovery = recovery_plan(
            finding, terms or RecoveryTerms(), on=uow.clock.today(), params=params
        )
    moved = uow.fund.move(
        finding_id,
        expected=finding.status,
        to=target,
        actor=actor.username,
        reason=reason,
        now=uow.clock.now(),
        recovery=recovery,
        roll_status=_roll_status(finding, target),
    )
    if not moved:
        raise ConflictError("该预警已被他人处理，请刷新后查看")
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.FUND_FINDING_DECIDED,
        subject=uow.ledger.subject("person", finding.id_number),
        purpose=PURPOSE,
        before={"status": finding.status.value},
        after={
            "status": target.value,
            "reason": reason,
            **({"recovery": recovery} if recovery else {}),
        },
    )
    uow.commit()
    updated = uow.fund.finding(finding_id)
    assert updated is not None
    return updated


def record_repayment(
    uow: FundUnitOfWork,
    *,
    actor: Actor,
    finding_id: int,
    amount: Decimal,
    on: date,
    reference: str,
) -> StoredFinding:
    """A repayment on a 追回 case (cash, a bank return, a deduction from survivor benefits or
    from a kept pension); the case closes when nothing is left to recover."""
    require(actor, Permission.FUND_DECIDE)
    finding = uow.fund.finding(finding_id)
    if finding is None:
        raise NotFoundError("未找到该预警")
    if finding.status is not FindingStatus.RECOVERY or finding.recovery is None:
        raise ConflictError(f"预警当前为“{finding.status.label}”，尚未立案追回")
    reference = reference.strip()
    if not reference:
        raise InvalidInputError("请填写缴款凭证或扣款单号", field="reference")
    if on > uow.clock.today():
        raise InvalidInputError("还款日期不能晚于今天", field="on")
    plan = dict(finding.recovery)
    left = Decimal(plan["to_recover"]) - finding.recovered
    if amount <= 0 or to_fen(amount) != amount or amount > left:
        raise InvalidInputError(f"还款金额应在0.01元与待追回的{left}元之间", field="amount")
    recovered = finding.recovered + amount
    entry = {"on": on.isoformat(), "amount": str(amount), "reference": reference}
    plan["repayments"] = [*plan.get("repayments", []), entry]
    plan["recovered"] = str(recovered)
    now = uow.clock.now()
    uow.fund.add_repayment(finding_id, recovery=plan, recovered=recovered, now=now)
    if recovered == Decimal(plan["to_recover"]):
        uow.fund.move(
            finding_id,
            expected=FindingStatus.RECOVERY,
            to=FindingStatus.CLOSED,
            actor=actor.username,
            reason=f"{on}还款{amount}元（{reference}），已全部追回",
            now=now,
        )
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.FUND_FINDING_DECIDED,
        subject=uow.ledger.subject("person", finding.id_number),
        purpose=f"{PURPOSE}：追回还款",
        after={"finding": finding_id, **entry, "recovered": str(recovered)},
    )
    uow.commit()
    updated = uow.fund.finding(finding_id)
    assert updated is not None
    return updated


def _roll_status(finding: StoredFinding, target: FindingStatus) -> PayStatus | None:
    """Suspending a finding suspends its pension; dismissing a suspended one resumes it
    (the months withheld are then paid back by the payroll)."""
    if target is FindingStatus.SUSPENDED:
        return PayStatus.SUSPENDED
    if target is FindingStatus.DISMISSED and finding.status is FindingStatus.SUSPENDED:
        return PayStatus.PAYING
    return None


def recent_runs(uow: FundUnitOfWork, *, actor: Actor, limit: int = 20) -> list[FundRun]:
    require(actor, Permission.FUND_CHECK)
    return uow.fund.runs(limit=limit)
