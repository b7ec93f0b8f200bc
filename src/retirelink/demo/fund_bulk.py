"""Fund-guard (基金安全) bulk data: the batch snapshot at national scale, with an answer key.

Writes ``pensioners``, ``payments``, ``partner_events`` and ``signs_of_life`` as Parquet files
with exactly the columns of :mod:`retirelink.fundcheck.snapshot`, and ``planted.parquet``
(anomaly, pension_id, id_number, other_pension_id, note) listing every planted anomaly, so a
benchmark can measure a batch check's speed, precision and recall. Rows are computed with
NumPy in chunks (a row's values depend only on the seed and its number, see
:mod:`~retirelink.demo.fund_bulk_draws`) and written by DuckDB: one part file per chunk,
merged at the end. Ten million pensioners never sit in memory at once.

The roll: pension_id 1..P are employee-scheme rows (about 3 % 'institution'), P+1..P+R
resident-scheme rows; the duplicates below are among them. Payments: one period from the
first month, or two split at the January adjustment (the earlier amount about 2 % lower);
a pensioner released from prison and resumed has a gap. Every pensioner alive and paying has
a sign of life in the last 12 months or a certification in the last 12 months.

Planted anomalies per 10,000,000 employee pensioners (``fund_bulk_roles.PER_10M``; scaled
linearly, at least one of each; the variants go by rank, so they exist from 20 rows up):

=============================  ======  ====================================================
paid_after_death               10,300  death record in 1-3 departments, paid through as_of;
                                       every 20th: 公安 and 卫健 dates differ (3-60 days),
                                       every 20th: two 公安 records, different dates. The
                                       300 below are also listed under this code.
account_changed_after_death       300  as above, bank account changed after the death
paid_while_imprisoned           2,000  imprisonment (running or released), paid throughout
not_resumed_after_release         500  released over 2 months ago, still suspended
duplicate_exact                10,000  resident row with an employee pensioner's ID number
duplicate_id15                  3,000  resident row with the 15-digit form of it
duplicate_name_variant          2,000  resident row, same ID, 繁体 name or a homophone
duplicate_id_typo               1,000  resident row, same name/birth/sex, a sequence digit
                                       mistyped (invalid check character)
duplicate_two_regions           1,000  second employee row, same ID, another region
duplicate_identity_change       1,000  双改: new ID and/or name, previous_* hold the old ones
certification_missing           3,000  paying, no sign of life, certified >13 months ago or never
over_100_no_sign                  200  over 100, no sign of life in 12 months (certified)
shared_account                  1,200  300 groups of 3-5 unrelated pensioners, one account
altered_birth_date                500  retired in the last 3 years, archive birth date later
bad_partner_record                400  pension_id NULL: bad check character, death before
                                       birth, death after as_of, 15-character garbage
=============================  ======  ====================================================

For duplicates, ``pension_id`` is the second row and ``other_pension_id`` the first; for
shared accounts, the account holder's pension_id (NULL on the holder's own row). Normal
deceased, imprisoned (suspended, or released and resumed), pending, acquitted and
non-custodial pensioners and suspended-for-certification pensioners are there too, handled
correctly, and are not in the answer key. Death records left over go to people not on the
roll, as do most justice records.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from shutil import rmtree
from time import perf_counter

import duckdb
import numpy as np

from retirelink.demo.fund_bulk_answers import planted, planted_frame
from retirelink.demo.fund_bulk_draws import NO_DAY, Draw, day_number, month_number
from retirelink.demo.fund_bulk_frames import (
    SOURCE_PREFIXES,
    SOURCES,
    Frame,
    PlantedRow,
    garbage,
    outsider_custody,
    outsider_deaths,
    payment_frame,
    pensioner_frame,
    roll_events,
    sign_frame,
)
from retirelink.demo.fund_bulk_people import (
    CHECK_CHARACTERS,
    GIVEN,
    REGIONS,
    SURNAMES,
    Pool,
    build_pools,
)
from retirelink.demo.fund_bulk_plan import KINDS, SCHEMES, STATUSES, Plan
from retirelink.demo.fund_bulk_roles import Counts, Layout, Role, count_roles, death_records
from retirelink.demo.fund_bulk_rows import chunk_rows
from retirelink.errors import InvalidInputError
from retirelink.fundcheck.snapshot import TABLES as SNAPSHOT_TABLES

CHUNK_SIZE = 1_000_000
PLANTED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("anomaly", "VARCHAR"),
    ("pension_id", "BIGINT"),
    ("id_number", "VARCHAR"),
    ("other_pension_id", "BIGINT"),
    ("note", "VARCHAR"),
)
TABLES = (*SNAPSHOT_TABLES, "planted")

_DEPARTMENTS = ("public_security", "health", "civil_affairs", "justice")
_NO_DAY_SQL = str(NO_DAY)

_SETTLED_ROLES = (
    Role.PAID_AFTER_DEATH,
    Role.ACCOUNT_AFTER_DEATH,
    Role.PAID_WHILE_IMPRISONED,
    Role.NOT_RESUMED,
    Role.CERT_MISSING,
    Role.CERT_SUSPENDED,
    Role.JAILED,
    Role.RELEASED,
    Role.PENDING,
    Role.ACQUITTED,
    Role.NON_CUSTODIAL,
)


@dataclass(frozen=True, slots=True)
class FundBulkSummary:
    rows: Mapping[str, int]  # table -> rows written
    planted: Mapping[str, int]  # anomaly -> rows in planted.parquet
    paths: Mapping[str, Path]
    seconds: float


# ------------------------------------------------------------------------------------------
# Writing: one Parquet part per chunk, merged per table at the end
# ------------------------------------------------------------------------------------------


def _sql_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(f"'{value}'" for value in values) + "]"


_MACROS = (
    f"CREATE TEMP MACRO day_(x) AS DATE '1970-01-01' + "
    f"CAST(CASE WHEN x = {_NO_DAY_SQL} THEN NULL ELSE x END AS INTEGER)",
    "CREATE TEMP MACRO money_(x) AS CAST(CAST(x AS DECIMAL(18, 0)) * 0.01 AS DECIMAL(12, 2))",
    "CREATE TEMP MACRO id_(body, check_) AS CAST(body AS VARCHAR) || CASE WHEN check_ < 0 "
    f"THEN '' ELSE substr('{CHECK_CHARACTERS}', CAST(check_ AS INTEGER) + 1, 1) END",
    f"CREATE TEMP MACRO name_(s, g1, g2) AS {_sql_list(SURNAMES)}[s] || "
    f"{_sql_list(GIVEN)}[g1] || coalesce({_sql_list(GIVEN)}[g2], '')",
)
_NAME = "coalesce(name_text, name_(surname, given1, given2))"
_EXPRESSIONS: Mapping[str, Mapping[str, str]] = {
    "pensioners": {
        "pension_id": "pid",
        "id_number": "id_(id_body, id_check)",
        "name": _NAME,
        "birth_date": "day_(birth)",
        "sex": "CASE WHEN male THEN '1' ELSE '2' END",
        "scheme": f"{_sql_list(SCHEMES)}[scheme + 1]",
        "region": f"{_sql_list(REGIONS)}[region + 1]",
        "first_month": "day_(first_month)",
        "monthly_amount": "money_(cents)",
        "basic_amount": "CASE WHEN basic < 0 THEN NULL ELSE money_(basic) END",
        "status": f"{_sql_list(STATUSES)}[status + 1]",
        "paid_through": "day_(paid_through)",
        "bank_account": "'6217' || lpad(CAST(account AS VARCHAR), 15, '0')",
        "payee_name": f"CASE WHEN payee_self THEN {_NAME} "
        "ELSE name_(payee_surname, payee_given1, payee_given2) END",
        "account_changed_on": "day_(account_changed)",
        "payee_changed_on": "day_(payee_changed)",
        "previous_id_number": "previous_id",
        "previous_name": "previous_name",
        "last_certified_on": "day_(certified)",
        "archive_birth_date": "day_(archive_birth)",
    },
    "payments": {
        "pension_id": "pid",
        "first_month": "day_(first_month)",
        "last_month": "day_(last_month)",
        "monthly_amount": "money_(cents)",
    },
    "partner_events": {
        "record_id": "seq",  # provisional: renumbered in the order received at the merge
        "department": f"{_sql_list(_DEPARTMENTS)}[department + 1]",
        "kind": f"{_sql_list(KINDS)}[kind + 1]",
        "id_number": "coalesce(id_text, id_(id_body, id_check))",
        "name": "name_(surname, given1, given2)",
        "event_date": "day_(event)",
        "end_date": "day_(end_day)",
        "received_on": "day_(received)",
    },
    "signs_of_life": {
        "id_number": "id_(id_body, id_check)",
        "source": f"{_sql_list(SOURCES)}[source + 1]",
        "seen_on": "day_(seen)",
        "reference": f"{_sql_list(SOURCE_PREFIXES)}[source + 1] "
        "|| lpad(CAST(seq + 1 AS VARCHAR), 12, '0')",
    },
    "planted": {
        "anomaly": "anomaly",
        "pension_id": "CASE WHEN pension_id < 0 THEN NULL ELSE pension_id END",
        "id_number": "id_number",
        "other_pension_id": "CASE WHEN other_pension_id < 0 THEN NULL ELSE other_pension_id END",
        "note": "note",
    },
}
_COLUMNS: Mapping[str, tuple[tuple[str, str], ...]] = {
    **SNAPSHOT_TABLES,
    "planted": PLANTED_COLUMNS,
}


def _select(table: str) -> str:
    columns = [
        f"CAST({_EXPRESSIONS[table][name]} AS {kind}) AS {name}" for name, kind in _COLUMNS[table]
    ]
    if table == "partner_events":
        columns.append("order_key")
    return ", ".join(columns)


def _merge(table: str, parts: str) -> str:
    """The final file: in part order; partner events renumbered in the order received."""
    if table == "partner_events":
        names = ", ".join(name for name, _ in _COLUMNS[table][1:])
        order = "received_on, order_key, record_id"
        return (
            f"SELECT CAST(row_number() OVER (ORDER BY {order}) AS BIGINT) AS record_id, {names} "
            f"FROM read_parquet({parts}) ORDER BY {order}"
        )
    if table == "planted":
        return f"SELECT * FROM read_parquet({parts}) ORDER BY anomaly, pension_id, id_number"
    return f"SELECT * FROM read_parquet({parts})"


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


class _Parts:
    """Part files per table, written chunk by chunk and merged into one file per table."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.directory = out_dir / ".fund_bulk_parts"
        rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(parents=True)
        self.connection = duckdb.connect()
        for macro in _MACROS:
            self.connection.execute(macro)
        self.parts: dict[str, list[Path]] = {table: [] for table in TABLES}
        self.rows = dict.fromkeys(TABLES, 0)

    def add(self, table: str, frame: Frame) -> None:
        count = len(next(iter(frame.values())))
        if count == 0:
            return
        start = self.rows[table]
        frame = {**frame, "seq": np.arange(start, start + count, dtype=np.int64)}
        path = self.directory / f"{table}-{len(self.parts[table]):05d}.parquet"
        self.connection.register("frame", frame)
        try:
            self.connection.execute(
                f"COPY (SELECT {_select(table)} FROM frame) TO '{_quote(path)}' (FORMAT parquet)"
            ).fetchall()
        finally:
            self.connection.unregister("frame")
        self.parts[table].append(path)
        self.rows[table] += count

    def finish(self) -> dict[str, Path]:
        paths = {}
        for table in TABLES:
            target = self.out_dir / f"{table}.parquet"
            if self.parts[table]:
                listed = "[" + ", ".join(f"'{_quote(path)}'" for path in self.parts[table]) + "]"
                query = _merge(table, listed)
            else:
                columns = ", ".join(f"{name} {kind}" for name, kind in _COLUMNS[table])
                self.connection.execute(f"CREATE TEMP TABLE empty_{table} ({columns})")
                query = f"SELECT * FROM empty_{table}"
            self.connection.execute(
                f"COPY ({query}) TO '{_quote(target)}' (FORMAT parquet)"
            ).fetchall()
            paths[table] = target
        return paths

    def close(self) -> None:
        self.connection.close()
        rmtree(self.directory, ignore_errors=True)


# ------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------


def write_fund_bulk(
    out_dir: Path,
    *,
    pensioners: int = 10_000_000,
    residents: int = 2_000_000,
    deaths: int = 1_000_000,
    imprisonments: int = 100_000,
    seed: int = 130406,
    as_of: date = date(2026, 11, 30),
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> FundBulkSummary:
    """Write the five Parquet files into ``out_dir`` (created if missing; files replaced).

    ``progress`` is called after every chunk with the number of roll rows in it (the calls
    sum to ``pensioners + residents``). The same arguments give the same rows, whatever
    ``chunk_size``.
    """
    started = perf_counter()
    plan = _plan(
        seed, as_of, pensioners, residents, _counts(pensioners, residents, deaths, imprisonments)
    )
    if plan.rows > plan.pools[Pool.MAIN].capacity:
        raise InvalidInputError(
            f"人数超过可生成的身份证号数量（最多 {plan.pools[Pool.MAIN].capacity} 人）",
            field="pensioners",
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    parts = _Parts(out_dir)
    try:
        planted = _write_roll(plan, parts, chunk_size, progress)
        paths = parts.finish()
    finally:
        parts.close()
    tally: dict[str, int] = {}
    for row in planted:
        tally[row[0]] = tally.get(row[0], 0) + 1
    return FundBulkSummary(
        rows={**parts.rows, "planted": len(planted)},
        planted=tally,
        paths=paths,
        seconds=perf_counter() - started,
    )


def _counts(pensioners: int, residents: int, deaths: int, imprisonments: int) -> Counts:
    if min(pensioners, residents, deaths, imprisonments) < 0 or pensioners < 1:
        raise InvalidInputError(
            "人数和记录数不能为负数，职工养老金领取人数至少为1", field="pensioners"
        )
    try:
        return count_roles(pensioners, residents, deaths, imprisonments)
    except ValueError:
        raise InvalidInputError(
            "人数或记录数太少，容纳不下按比例预置的异常（可加大 --pensioners、--residents、"
            "--deaths 或 --imprisonments）",
            field="pensioners",
        ) from None


def _plan(seed: int, as_of: date, pensioners: int, residents: int, counts: Counts) -> Plan:
    draw = Draw(seed)
    settled: dict[tuple[bool, Role], int] = {}
    offset = 0
    for is_resident, roles in ((False, counts.employee), (True, counts.resident)):
        for role, count in roles:
            if role in _SETTLED_ROLES:
                settled[(is_resident, role)] = offset
                offset += count
    sizes = np.array(counts.shared_sizes, dtype=np.int64)
    return Plan(
        draw=draw,
        today=day_number(as_of),
        end_month=month_number(as_of),
        adjustment=as_of.year * 12,
        sign_from=day_number(as_of) - 364,
        pools=build_pools(as_of, draw),
        counts=counts,
        employees=pensioners,
        employee=Layout.build(pensioners, counts.employee, draw, 1),
        resident=Layout.build(residents, counts.resident, draw, 2),
        settled=settled,
        group_starts=np.cumsum(sizes) - sizes,
        account_shift=draw.value(3, 10**15),
    )


def _write_roll(
    plan: Plan, parts: _Parts, chunk_size: int, progress: Callable[[int], None] | None
) -> list[PlantedRow]:
    answer_key: list[PlantedRow] = []
    died_records = 0
    for low in range(0, plan.rows, chunk_size):
        high = min(low + chunk_size, plan.rows)
        rows = chunk_rows(plan, low, high)
        parts.add("pensioners", pensioner_frame(plan, rows))
        parts.add("payments", payment_frame(plan, rows))
        parts.add("signs_of_life", sign_frame(plan, rows))
        frames, bad = roll_events(plan, rows)
        for frame in frames:
            parts.add("partner_events", frame)
        answer_key += planted(plan, rows) + bad
        died_records += int(death_records(rows.departments[rows.is_(Role.DIED)], False).sum())
        if progress is not None:
            progress(high - low)
    for frame in outsider_deaths(plan, plan.counts.outsider_deaths - died_records):
        parts.add("partner_events", frame)
    parts.add("partner_events", outsider_custody(plan, plan.counts.outsider_custody))
    frame, garbage_planted = garbage(plan, plan.counts.bad_each)
    parts.add("partner_events", frame)
    answer_key += garbage_planted
    parts.add("planted", planted_frame(answer_key))
    return answer_key
