"""Batch mode: every check over the whole roll, in DuckDB over a snapshot.

DuckDB selects the candidates — the pensions a check could find something on (a necessary
condition of each check, written in SQL: a death record and payments from the stop month on,
a 司法 record, an identity match, no sign of life in the cycle, …) — and assembles each
candidate's case in chunks; the pure checks (``checks``) then decide and compute the amounts
with the rules engine, exactly as the continuous mode does for one person. Ten million rows
are joined in seconds; only the few thousand candidates reach Python.

A run is resumable: candidates are taken in pension-id order, chunk by chunk, and the caller's
``sink`` is handed each chunk's findings with the last pension id done; a run started again
with ``resume_after`` skips what was done.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from time import perf_counter
from typing import Any

import duckdb

from retirelink.errors import InvalidInputError
from retirelink.fundcheck.certification_batch import cycle_start_sql
from retirelink.fundcheck.checks import run_checks
from retirelink.fundcheck.context import CheckContext
from retirelink.fundcheck.identity import canonical_id
from retirelink.fundcheck.model import (
    CheckCode,
    EventKind,
    Finding,
    IdentityLink,
    LifeSignSource,
    PartnerEvent,
    PayStatus,
    PensionerCase,
    RollEntry,
    Scheme,
    SignOfLife,
)
from retirelink.fundcheck.snapshot import TABLES
from retirelink.fundcheck.sql_ids import id18
from retirelink.rules.calendar import YearMonth
from retirelink.rules.explanation import Trace, read_parameter
from retirelink.rules.payments import PaidPeriod

CHUNK = 20_000
Sink = Callable[[list[Finding], int], None]
# (pension_id, other pension_id, basis label, score, reasons)
Pair = tuple[int, int, str, float, tuple[str, ...]]
Matcher = Callable[[duckdb.DuckDBPyConnection], Iterable[Pair]]


@dataclass
class BatchSummary:
    persons: int = 0
    candidates: int = 0
    findings: int = 0
    by_check: dict[str, int] = field(default_factory=dict)
    amount_by_check: dict[str, Decimal] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    # (pension id, 中文 reason) of cases the rules could not weigh
    refused: list[tuple[int, str]] = field(default_factory=list)

    def add(self, findings: Sequence[Finding]) -> None:
        for finding in findings:
            code = str(finding.check)
            self.findings += 1
            self.by_check[code] = self.by_check.get(code, 0) + 1
            total = self.amount_by_check.get(code, Decimal("0"))
            self.amount_by_check[code] = total + finding.amount


def open_snapshot(source: Path, *, memory_limit: str = "4GB") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the snapshot tables: a ``.duckdb`` file, or a directory of
    ``<table>.parquet`` files (national scale) seen as views."""
    if source.is_dir():
        connection = duckdb.connect()
        for table in TABLES:
            path = source / f"{table}.parquet"
            if not path.exists():
                raise FileNotFoundError(f"快照缺少数据文件：{path.name}")
            escaped = str(path).replace("'", "''")
            connection.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{escaped}')")
    else:
        connection = duckdb.connect(str(source), read_only=True)
    connection.execute(f"SET memory_limit = '{memory_limit}'")
    connection.execute("SET preserve_insertion_order = false")
    return connection


def _offset(context: CheckContext, name: str) -> int:
    """0 or 1 month: when an event takes effect (次月 or 当月), read from the parameters."""
    convention = read_parameter(Trace(), context.params, name, context.today, None)
    return 1 if convention == "next_month" else 0


_DEATH = ", ".join(f"'{kind}'" for kind in EventKind if kind.is_death)
_CUSTODY = "'imprisonment', 'pending', 'non_custodial', 'acquitted'"


# The roll's match keys: only the few legacy 15-digit numbers need the upgrade expression;
# the others are compared as stored (a plain hash join over ten million rows).
_KEY_COLUMNS = "pension_id, status, paid_through, account_changed_on"
_ROLL_KEYS = f"""roll_keys AS (
    SELECT {_KEY_COLUMNS}, id_number AS id18 FROM pensioners WHERE length(id_number) <> 15
    UNION ALL
    SELECT {_KEY_COLUMNS}, {id18("id_number")} FROM pensioners WHERE length(id_number) = 15)"""

# What each check reads besides the roll and the payments (``assemble_cases`` fetches only
# these: a death check over ten million rows need not read the signs of life).
NEEDS: dict[CheckCode, frozenset[str]] = {
    CheckCode.DEATH: frozenset({"events"}),
    CheckCode.CUSTODY: frozenset({"events"}),
    CheckCode.NOT_RESUMED: frozenset({"events"}),
    CheckCode.ACCOUNT_AFTER_DEATH: frozenset({"events"}),
    CheckCode.CERTIFICATION: frozenset({"signs"}),
    CheckCode.OVER_100: frozenset({"signs"}),
    CheckCode.SHARED_ACCOUNT: frozenset({"sharers"}),
    CheckCode.DUPLICATE: frozenset(),
    CheckCode.PAYEE_CHANGE: frozenset(),
    CheckCode.BIRTH_DATE_ALTERED: frozenset(),
}
EVERYTHING = frozenset({"events", "signs", "sharers"})


def _candidate_queries(context: CheckContext) -> dict[CheckCode, str]:
    """One SQL per check: the pension ids that check could find something on."""
    today, payroll = context.today, context.payroll_month.first_day()
    settings = context.anomalies
    death = _offset(context, "survivors.stop_month_after_death")
    detention = _offset(context, "suspension.stop_month_after_detention")
    window = YearMonth.of(today).plus(-settings.sign_window_months).first_day()
    recent_payee = YearMonth.of(today).plus(-settings.payee_change_months).first_day()
    recent_retired = YearMonth.of(today).plus(-settings.recent_retirement_months).first_day()
    centenarian = date(today.year - settings.oldest_without_sign, today.month, 1)
    return {
        CheckCode.DEATH: f"""
            WITH {_ROLL_KEYS}
            SELECT DISTINCT p.pension_id FROM roll_keys p
            JOIN partner_events e ON e.id_number = p.id18 AND e.kind IN ({_DEATH})
            WHERE p.status = 'paying'
               OR p.paid_through >= date_trunc('month', e.event_date) + INTERVAL ({death}) MONTH""",
        CheckCode.CUSTODY: f"""
            WITH {_ROLL_KEYS}
            SELECT DISTINCT p.pension_id FROM roll_keys p
            JOIN partner_events e ON e.id_number = p.id18 AND e.kind IN ({_CUSTODY})
            WHERE e.event_date < DATE '{payroll}' + INTERVAL 1 MONTH AND (
                p.paid_through >= date_trunc('month', e.event_date) + INTERVAL ({detention}) MONTH
                OR (e.end_date IS NOT NULL AND p.status <> 'paying')
                OR (p.status = 'paying' AND e.end_date IS NULL))""",
        CheckCode.CERTIFICATION: f"""
            WITH cycles AS (
                SELECT pension_id, {id18("id_number")} AS id18, first_month, last_certified_on,
                    {cycle_start_sql(context)} AS cycle_start
                FROM pensioners WHERE status = 'paying')
            SELECT c.pension_id FROM cycles c
            WHERE c.first_month < c.cycle_start
              AND (c.last_certified_on IS NULL OR c.last_certified_on < c.cycle_start)
              AND NOT EXISTS (SELECT 1 FROM signs_of_life s
                              WHERE s.id_number = c.id18 AND s.seen_on >= c.cycle_start)""",
        CheckCode.OVER_100: f"""
            SELECT p.pension_id FROM pensioners p
            WHERE p.status = 'paying' AND p.birth_date < DATE '{centenarian}' + INTERVAL 1 MONTH
              AND NOT EXISTS (SELECT 1 FROM signs_of_life s
                              WHERE s.id_number = {id18("p.id_number")}
                                AND s.seen_on >= DATE '{window}')""",
        CheckCode.ACCOUNT_AFTER_DEATH: f"""
            WITH {_ROLL_KEYS}
            SELECT DISTINCT p.pension_id FROM roll_keys p
            JOIN partner_events e ON e.id_number = p.id18 AND e.kind IN ({_DEATH})
            WHERE p.account_changed_on > e.event_date""",
        CheckCode.PAYEE_CHANGE: f"""
            SELECT pension_id FROM pensioners
            WHERE status = 'paying' AND payee_changed_on >= DATE '{recent_payee}'
              AND payee_name <> name""",
        CheckCode.SHARED_ACCOUNT: f"""
            SELECT p.pension_id FROM pensioners p JOIN (
                SELECT bank_account FROM pensioners
                WHERE status = 'paying' AND bank_account IS NOT NULL AND bank_account <> ''
                GROUP BY bank_account
                HAVING count(DISTINCT id_number) >= {settings.shared_account_pensioners}
            ) shared USING (bank_account) WHERE p.status = 'paying'""",
        CheckCode.BIRTH_DATE_ALTERED: f"""
            SELECT pension_id FROM pensioners
            WHERE archive_birth_date > birth_date AND first_month >= DATE '{recent_retired}'""",
    }


def select_candidates(
    connection: duckdb.DuckDBPyConnection,
    context: CheckContext,
    pairs: Sequence[Pair],
    codes: Iterable[CheckCode],
) -> dict[int, set[CheckCode]]:
    """Pension id → the checks to run on it."""
    wanted = set(codes)
    chosen: dict[int, set[CheckCode]] = defaultdict(set)
    for code, sql in _candidate_queries(context).items():
        if code not in wanted:
            continue
        for (pension_id,) in connection.execute(sql).fetchall():
            chosen[pension_id].add(code)
    if CheckCode.DUPLICATE in wanted:
        for first, second, *_ in pairs:
            chosen[first].add(CheckCode.DUPLICATE)
            chosen[second].add(CheckCode.DUPLICATE)
    return chosen


def run_batch(
    connection: duckdb.DuckDBPyConnection,
    context: CheckContext,
    *,
    matcher: Matcher | None = None,
    codes: Iterable[CheckCode] | None = None,
    sink: Sink | None = None,
    resume_after: int = 0,
    chunk: int = CHUNK,
) -> BatchSummary:
    """Run the checks over the snapshot; findings go to ``sink`` chunk by chunk."""
    summary = BatchSummary()
    wanted = tuple(codes) if codes is not None else tuple(CheckCode)
    started = perf_counter()
    (summary.persons,) = connection.execute("SELECT count(*) FROM pensioners").fetchone() or (0,)
    pairs: list[Pair] = []
    if matcher is not None and CheckCode.DUPLICATE in wanted:
        pairs = list(matcher(connection))
    summary.seconds["identity"] = perf_counter() - started
    chosen = select_candidates(connection, context, pairs, wanted)
    summary.candidates = len(chosen)
    summary.seconds["candidates"] = perf_counter() - started
    links = _links_by_pension(pairs)
    needs = frozenset().union(*(NEEDS[code] for code in wanted))
    ordered = sorted(pension_id for pension_id in chosen if pension_id > resume_after)
    for start in range(0, len(ordered), chunk):
        ids = ordered[start : start + chunk]
        findings = []
        for case in assemble_cases(connection, ids, links, needs=needs):
            findings.extend(_checked(case, context, sorted(chosen[case.roll.pension_id]), summary))
        summary.add(findings)
        if sink is not None:
            sink(findings, ids[-1])
    summary.seconds["total"] = perf_counter() - started
    return summary


def _checked(
    case: PensionerCase, context: CheckContext, codes: list[CheckCode], summary: BatchSummary
) -> list[Finding]:
    """The case's findings; a case the rules refuse (a record they cannot weigh) is set
    aside with the reason for a person, and the run goes on."""
    try:
        return run_checks(case, context, codes)
    except InvalidInputError as error:
        summary.refused.append((case.roll.pension_id, error.message))
        return []


def _links_by_pension(
    pairs: Sequence[Pair],
) -> dict[int, list[tuple[int, str, float, tuple[str, ...]]]]:
    links: dict[int, list[tuple[int, str, float, tuple[str, ...]]]] = defaultdict(list)
    for first, second, basis, score, reasons in pairs:
        links[first].append((second, basis, score, reasons))
        links[second].append((first, basis, score, reasons))
    return links


_ROLL_COLUMNS = ", ".join(name for name, _ in TABLES["pensioners"])


def assemble_cases(
    connection: duckdb.DuckDBPyConnection,
    pension_ids: Sequence[int],
    links: dict[int, list[tuple[int, str, float, tuple[str, ...]]]],
    *,
    needs: frozenset[str] = EVERYTHING,
) -> Iterator[PensionerCase]:
    """The cases of ``pension_ids``: roll rows, payments, links, and what ``needs`` names of
    the partner events, the signs of life and the other payees of the same accounts."""
    linked = {other for pid in pension_ids for other, *_ in links.get(pid, ())}
    wanted = sorted(set(pension_ids) | linked)
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE wanted AS SELECT unnest(?::BIGINT[]) AS pension_id", [wanted]
    )
    rolls = {
        row[0]: _roll(row)
        for row in connection.execute(
            f"SELECT {_ROLL_COLUMNS} FROM pensioners JOIN wanted USING (pension_id)"
        ).fetchall()
    }
    paid = _payments(connection)
    events = _events(connection) if "events" in needs else {}
    signs = _signs(connection) if "signs" in needs else {}
    sharers: dict[str, tuple[RollEntry, ...]] = {}
    if "sharers" in needs:
        sharers = _sharers(connection, [rolls[pid] for pid in pension_ids if pid in rolls])
    for pid in pension_ids:
        roll = rolls.get(pid)
        if roll is None:
            continue
        case_links = tuple(
            IdentityLink(rolls[other], paid.get(other, ()), basis, score, reasons)
            for other, basis, score, reasons in links.get(pid, ())
            if other in rolls
        )
        yield PensionerCase(
            roll=roll,
            paid=paid.get(pid, ()),
            events=events.get(_match_key(roll.id_number), ()),
            signs=signs.get(_match_key(roll.id_number), ()),
            links=case_links,
            account_sharers=sharers.get(roll.bank_account, ()),
        )


def _match_key(id_number: str) -> str:
    """The number partner records use for this roll row (``sql_ids.id18`` in Python)."""
    return canonical_id(id_number) or id_number.upper()


def _roll(row: tuple[Any, ...]) -> RollEntry:
    (pid, id_number, name, birth, sex, scheme, region, first, monthly, basic, status, through,
     account, payee, account_changed, payee_changed, prev_id, prev_name, certified,
     archive_birth) = row  # fmt: skip
    return RollEntry(
        pension_id=pid,
        id_number=id_number,
        name=name,
        birth_date=birth,
        sex=sex,
        scheme=Scheme(scheme),
        region=region,
        first_month=first,
        monthly_amount=monthly,
        status=PayStatus(status),
        paid_through=through,
        bank_account=account or "",
        payee_name=payee or "",
        basic_amount=basic,
        account_changed_on=account_changed,
        payee_changed_on=payee_changed,
        previous_id_number=prev_id,
        previous_name=prev_name,
        last_certified_on=certified,
        archive_birth_date=archive_birth,
    )


def _payments(connection: duckdb.DuckDBPyConnection) -> dict[int, tuple[PaidPeriod, ...]]:
    grouped: dict[int, list[PaidPeriod]] = defaultdict(list)
    rows = connection.execute(
        "SELECT pension_id, first_month, last_month, monthly_amount FROM payments "
        "JOIN wanted USING (pension_id) ORDER BY pension_id, first_month"
    ).fetchall()
    for pid, first, last, amount in rows:
        grouped[pid].append(PaidPeriod(YearMonth.of(first), YearMonth.of(last), amount))
    return {pid: tuple(periods) for pid, periods in grouped.items()}


def _events(connection: duckdb.DuckDBPyConnection) -> dict[str, tuple[PartnerEvent, ...]]:
    grouped: dict[str, list[PartnerEvent]] = defaultdict(list)
    rows = connection.execute(
        "SELECT DISTINCT e.record_id, e.department, e.kind, e.id_number, e.name, e.event_date, "
        "e.end_date, e.received_on FROM partner_events e "
        f"JOIN (SELECT DISTINCT {id18('p.id_number')} AS id18 FROM pensioners p "
        "JOIN wanted USING (pension_id)) w ON e.id_number = w.id18 ORDER BY e.record_id"
    ).fetchall()
    for record_id, department, kind, id_number, name, day, end, received in rows:
        if kind not in EventKind.__members__.values():
            continue  # a kind this platform does not read (a partner's own code)
        grouped[id_number].append(
            PartnerEvent(
                record_id, department, EventKind(kind), id_number, name, day, end, received
            )
        )
    return {key: tuple(value) for key, value in grouped.items()}


def _signs(connection: duckdb.DuckDBPyConnection) -> dict[str, tuple[SignOfLife, ...]]:
    grouped: dict[str, list[SignOfLife]] = defaultdict(list)
    rows = connection.execute(
        "SELECT s.id_number, s.source, s.seen_on, s.reference FROM signs_of_life s "
        f"JOIN (SELECT DISTINCT {id18('p.id_number')} AS id18 FROM pensioners p "
        "JOIN wanted USING (pension_id)) w ON s.id_number = w.id18 ORDER BY s.seen_on"
    ).fetchall()
    for id_number, source, seen_on, reference in rows:
        grouped[id_number].append(
            SignOfLife(id_number, LifeSignSource(source), seen_on, reference or "")
        )
    return {key: tuple(value) for key, value in grouped.items()}


def _sharers(
    connection: duckdb.DuckDBPyConnection, rolls: Sequence[RollEntry]
) -> dict[str, tuple[RollEntry, ...]]:
    accounts = sorted({roll.bank_account for roll in rolls if roll.bank_account})
    if not accounts:
        return {}
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE wanted_accounts AS "
        "SELECT unnest(?::VARCHAR[]) AS bank_account",
        [accounts],
    )
    rows = connection.execute(
        f"SELECT {_ROLL_COLUMNS} FROM pensioners JOIN wanted_accounts USING (bank_account) "
        "WHERE status = 'paying'"
    ).fetchall()
    grouped: dict[str, list[RollEntry]] = defaultdict(list)
    for row in rows:
        roll = _roll(row)
        grouped[roll.bank_account].append(roll)
    return {key: tuple(value) for key, value in grouped.items() if len(value) > 1}
