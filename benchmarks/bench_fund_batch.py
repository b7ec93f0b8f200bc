"""Benchmark: the fund guard's full batch over the national-scale bulk data set.

Usage: .venv/bin/python benchmarks/bench_fund_batch.py [--data DIR] [--pensioners 10000000]
       [--residents 2000000] [--deaths 1000000] [--imprisonments 100000]

Budgets (issue 7): every check over 10M pensioners (plus 2M resident-scheme ones, 1M death
records in three departments, 100k imprisonments) ≤ 120 s on this 2-core machine with peak
memory ≤ 6 GB; the death check alone ≤ 2× the hand-written DuckDB reference
(``fund_reference_death.sql``), both measured in this one run; recall 100 % on exact-ID
anomalies, ≥ 95 % on 15/18-digit and name-variant duplicates, false positives ≤ 1 per 10,000
pensioners.

The data set is written by ``retirelink.demo.fund_bulk`` into ``--data`` (kept and reused
when its files are there; generation is timed apart). Timed: the reference query; the
platform's death check alone (``run_batch`` with that check); the full run — identity
matching, every check, the cases' amounts by the rules engine, and the passive
certification of every paying pension written to Parquet. Peak memory is the process's
maximum RSS (DuckDB runs in process). Prints one JSON line.
"""

import argparse
import resource
import sys
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import duckdb
from _common import emit, parser

from retirelink.bootstrap import shipped_parameters
from retirelink.demo.fund_bulk import write_fund_bulk
from retirelink.fundcheck.batch import open_snapshot, run_batch
from retirelink.fundcheck.certification_batch import write_certifications
from retirelink.fundcheck.context import CheckContext
from retirelink.fundcheck.matching import identity_pairs
from retirelink.fundcheck.model import Band, CheckCode, Finding
from retirelink.rules.calendar import YearMonth

AS_OF = date(2026, 11, 30)
REFERENCE = Path(__file__).with_name("fund_reference_death.sql")
FILES = ("pensioners", "payments", "partner_events", "signs_of_life", "planted")

# What each planted anomaly should raise (the checks that may rightly fire on that pension).
EXPECTED: dict[str, set[CheckCode]] = {
    "paid_after_death": {CheckCode.DEATH},
    "account_changed_after_death": {CheckCode.ACCOUNT_AFTER_DEATH, CheckCode.DEATH},
    "paid_while_imprisoned": {CheckCode.CUSTODY},
    "not_resumed_after_release": {CheckCode.NOT_RESUMED},
    "duplicate_exact": {CheckCode.DUPLICATE},
    "duplicate_id15": {CheckCode.DUPLICATE},
    "duplicate_name_variant": {CheckCode.DUPLICATE},
    "duplicate_id_typo": {CheckCode.DUPLICATE},
    "duplicate_two_regions": {CheckCode.DUPLICATE},
    "duplicate_identity_change": {CheckCode.DUPLICATE},
    "certification_missing": {CheckCode.CERTIFICATION},
    "over_100_no_sign": {CheckCode.OVER_100, CheckCode.CERTIFICATION},
    "shared_account": {CheckCode.SHARED_ACCOUNT},
    "altered_birth_date": {CheckCode.BIRTH_DATE_ALTERED},
}
EXACT_ID = ("paid_after_death", "paid_while_imprisoned", "duplicate_exact", "duplicate_two_regions")
FUZZY = (
    "duplicate_id15",
    "duplicate_name_variant",
    "duplicate_identity_change",
    "duplicate_id_typo",
)


def ensure_data(args: argparse.Namespace, data: Path) -> float:
    if all((data / f"{name}.parquet").exists() for name in FILES):
        return 0.0
    started = time.perf_counter()
    write_fund_bulk(
        data,
        pensioners=args.pensioners,
        residents=args.residents,
        deaths=args.deaths,
        imprisonments=args.imprisonments,
        as_of=AS_OF,
    )
    return time.perf_counter() - started


def reference(connection: duckdb.DuckDBPyConnection) -> tuple[float, set[int]]:
    started = time.perf_counter()
    rows = connection.execute(REFERENCE.read_text(encoding="utf-8")).fetchall()
    return time.perf_counter() - started, {row[0] for row in rows}


def platform(
    connection: duckdb.DuckDBPyConnection,
    context: CheckContext,
    codes: tuple[CheckCode, ...] | None,
) -> tuple[float, list[Finding], dict[str, float]]:
    found: list[Finding] = []
    started = time.perf_counter()
    summary = run_batch(
        connection,
        context,
        matcher=identity_pairs if codes is None else None,
        codes=codes,
        sink=lambda findings, _: found.extend(findings),
    )
    return time.perf_counter() - started, found, summary.seconds


def quality(
    connection: duckdb.DuckDBPyConnection, findings: list[Finding], pensioners: int
) -> dict[str, object]:
    planted: dict[int, set[str]] = defaultdict(set)
    key_rows = connection.execute(
        "SELECT anomaly, pension_id, other_pension_id FROM planted WHERE pension_id IS NOT NULL"
    ).fetchall()
    for anomaly, pid, other in key_rows:
        planted[pid].add(anomaly)
        if other is not None and anomaly.startswith("duplicate"):
            planted[other].add(anomaly)
    raised: dict[int, set[CheckCode]] = defaultdict(set)
    for finding in findings:
        if finding.band is not Band.DISMISSED:
            raised[finding.pension_id].add(finding.check)
    recall: dict[str, float] = {}
    for anomaly, checks in EXPECTED.items():
        # A duplicate's finding is raised on the pension to clear: either row of the pair.
        rows = [(pid, other) for a, pid, other in key_rows if a == anomaly]
        hit = sum(
            1
            for pid, other in rows
            if raised[pid] & checks
            or (anomaly.startswith("duplicate") and raised[other or 0] & checks)
        )
        recall[anomaly] = round(hit / len(rows), 4) if rows else 1.0
    false = Counter()
    for pid, checks in raised.items():
        allowed = set().union(*(EXPECTED.get(a, set()) for a in planted.get(pid, set())))
        for check in checks - allowed:
            false[str(check)] += 1
    return {
        "recall": recall,
        "recall_exact_id_min": min(recall[a] for a in EXACT_ID),
        "recall_fuzzy_min": min(recall[a] for a in FUZZY),
        "false_positives": dict(false),
        "false_per_10k": round(sum(false.values()) / pensioners * 10_000, 3),
    }


def main(argv: list[str] | None = None) -> int:
    args_parser = parser(__doc__)
    args_parser.add_argument("--data", type=Path, default=Path("/tmp/retirelink-fundbulk"))
    args_parser.add_argument("--pensioners", type=int, default=10_000_000)
    args_parser.add_argument("--residents", type=int, default=2_000_000)
    args_parser.add_argument("--deaths", type=int, default=1_000_000)
    args_parser.add_argument("--imprisonments", type=int, default=100_000)
    args = args_parser.parse_args(argv)
    generated = ensure_data(args, args.data)
    connection = open_snapshot(args.data)
    connection.execute(
        f"CREATE VIEW planted AS SELECT * FROM read_parquet('{args.data / 'planted.parquet'}')"
    )
    (payroll,) = connection.execute("SELECT max(paid_through) FROM pensioners").fetchone() or (
        None,
    )
    context = CheckContext(today=AS_OF, params=shipped_parameters(), payroll=YearMonth.of(payroll))
    ref_seconds, ref_ids = reference(connection)
    death_seconds, deaths, _ = platform(connection, context, (CheckCode.DEATH,))
    death_ids = {f.pension_id for f in deaths if f.amount > 0}
    full_seconds, findings, parts = platform(connection, context, None)
    started = time.perf_counter()
    certified = write_certifications(connection, context, args.data / "certifications.parquet")
    full_seconds += time.perf_counter() - started
    (rows,) = connection.execute("SELECT count(*) FROM pensioners").fetchone() or (0,)
    emit(
        {
            "roll_rows": rows,
            "generated_s": round(generated, 1),
            "reference_death_s": round(ref_seconds, 2),
            "platform_death_s": round(death_seconds, 2),
            "death_ratio": round(death_seconds / ref_seconds, 2),
            "death_same_pensions_as_reference": death_ids == ref_ids,
            "death_only_in_reference": len(ref_ids - death_ids),
            "death_only_in_platform": len(death_ids - ref_ids),
            "full_s": round(full_seconds, 1),
            "full_parts_s": {key: round(value, 1) for key, value in parts.items()},
            "findings": dict(Counter(str(f.check) for f in findings)),
            "certification": certified,
            "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2),
            **quality(connection, findings, args.pensioners),
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
