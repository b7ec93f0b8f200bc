"""Fund-guard (基金安全) bulk data: the batch snapshot at national scale, with an answer key.

Writes ``pensioners``, ``payments``, ``partner_events`` and ``signs_of_life`` as Parquet files
with exactly the columns of :mod:`retirelink.fundcheck.snapshot`, and ``planted.parquet``
(anomaly, pension_id, id_number, other_pension_id, note) listing every planted anomaly, so a
benchmark can measure a batch check's speed, precision and recall. Rows are computed with
NumPy in chunks (a row's values depend only on the seed and its number, see
:mod:`~retirelink.demo.fund_bulk_plants`) and written by DuckDB: one part file per chunk,
merged at the end. Ten million pensioners never sit in memory at once.

The roll: pension_id 1..P are employee-scheme rows (about 3 % 'institution'), P+1..P+R
resident-scheme rows; the duplicates below are among them. Payments: one period from the
first month, or two split at the January adjustment (the earlier amount about 2 % lower);
a pensioner released from prison and resumed has a gap. Every pensioner alive and paying has
a sign of life in the last 12 months or a certification in the last 12 months.

Planted anomalies per 10,000,000 employee pensioners (``fund_bulk_plants.PER_10M``; scaled
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
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from shutil import rmtree
from time import perf_counter
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt

from retirelink.demo.fund_bulk_plants import (
    ANOMALY_OF,
    CHECK_CHARACTERS,
    DEPARTMENT_SET_WEIGHTS,
    DEPARTMENT_SETS,
    EPOCH,
    GIVEN,
    NO_DAY,
    PAY_REGIONS,
    REGION_NUMBERS,
    REGIONS,
    SURNAMES,
    TWINS,
    Counts,
    Draw,
    Flags,
    IdPool,
    Ints,
    Keys,
    Layout,
    Pool,
    Role,
    build_pools,
    check_index,
    count_roles,
    day_number,
    death_records,
    dies_twice,
    keys,
    legacy_15,
    male_retirement_months,
    mistype,
    month_number,
    month_starts,
    months_of,
    name_codes,
    name_text,
    planted_mask,
    variant_name,
    ymd,
)
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
Objects = npt.NDArray[np.object_]
Frame = dict[str, npt.NDArray[Any]]
PlantedRow = tuple[str, int | None, str, int | None, str]

_SCHEMES = ("employee", "institution", "resident")
_EMPLOYEE, _INSTITUTION, _RESIDENT = range(3)
_STATUSES = ("paying", "suspended", "stopped")
_PAYING, _SUSPENDED, _STOPPED = range(3)
_DEPARTMENTS = ("public_security", "health", "civil_affairs", "justice")
_DEPARTMENT_NAMES = ("公安", "卫健", "民政")
_KINDS = (
    "death_cancellation",
    "death_certificate",
    "cremation",
    "imprisonment",
    "pending",
    "non_custodial",
    "acquitted",
)
_IMPRISONMENT, _PENDING, _NON_CUSTODIAL, _ACQUITTED = 3, 4, 5, 6
_SOURCES = (
    "medical_settlement",
    "hospital_stay",
    "travel",
    "bank_activity",
    "in_person",
    "self_service",
)
_SOURCE_PREFIXES = ("YB", "ZY", "CX", "YH", "XC", "ZZ")
_SOURCE_WEIGHTS = (0.35, 0.10, 0.10, 0.25, 0.08, 0.12)
_SIGN_COUNT_WEIGHTS = (0.25, 0.30, 0.25, 0.20)  # 0-3 signs of life in the last 12 months
_GARBAGE = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_NO_DAY_SQL = str(NO_DAY)

# Key spaces: a row, a human of each pool (16 + pool), people not on the roll, signs.
_ROW_SPACE, _OUTSIDE_DEATH, _OUTSIDE_CUSTODY, _SIGN_SPACE, _GARBAGE_SPACE = 1, 30, 31, 32, 33

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
_DEATH_PLANTS = (Role.PAID_AFTER_DEATH, Role.ACCOUNT_AFTER_DEATH)
_CUSTODY_KIND: Mapping[Role, int] = {
    Role.JAILED: _IMPRISONMENT,
    Role.RELEASED: _IMPRISONMENT,
    Role.PAID_WHILE_IMPRISONED: _IMPRISONMENT,
    Role.NOT_RESUMED: _IMPRISONMENT,
    Role.PENDING: _PENDING,
    Role.ACQUITTED: _ACQUITTED,
    Role.NON_CUSTODIAL: _NON_CUSTODIAL,
}
_SECOND_ROWS = tuple(TWINS)
_NO_SIGNS = (Role.CERT_MISSING, Role.OVER_100, Role.CERT_SUSPENDED, *_SECOND_ROWS)
_RECENT_CERT = (
    *_DEATH_PLANTS,
    Role.PAID_WHILE_IMPRISONED,
    Role.OVER_100,
    Role.CENTENARIAN,
    Role.RELEASED,
    *_SECOND_ROWS,
)


@dataclass(frozen=True, slots=True)
class FundBulkSummary:
    rows: Mapping[str, int]  # table -> rows written
    planted: Mapping[str, int]  # anomaly -> rows in planted.parquet
    paths: Mapping[str, Path]
    seconds: float


# ------------------------------------------------------------------------------------------
# Plan: everything fixed before the first row
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Plan:
    draw: Draw
    today: int  # as_of as a day number
    end_month: int  # last month paid
    adjustment: int  # month index of the January adjustment
    sign_from: int  # first day of the last 12 months
    pools: Mapping[Pool, IdPool]
    counts: Counts
    employees: int
    employee: Layout
    resident: Layout
    settled: Mapping[tuple[bool, Role], int]  # first SETTLED human of each (range, role)
    group_starts: Ints  # first SHARED_ACCOUNT rank of each group
    account_shift: int

    @property
    def rows(self) -> int:
        return self.employee.size + self.resident.size


def _plan(seed: int, as_of: date, pensioners: int, residents: int, counts: Counts) -> _Plan:
    draw = Draw(seed)
    settled: dict[tuple[bool, Role], int] = {}
    offset = 0
    for is_resident, roles in ((False, counts.employee), (True, counts.resident)):
        for role, count in roles:
            if role in _SETTLED_ROLES:
                settled[(is_resident, role)] = offset
                offset += count
    sizes = np.array(counts.shared_sizes, dtype=np.int64)
    return _Plan(
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


# ------------------------------------------------------------------------------------------
# People: ID numbers, sex, birth and names of humans
# ------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _People:
    region: Ints  # index into REGIONS (of the ID number)
    day: Ints  # birth
    male: Flags
    body: Ints  # first 17 digits
    check: Ints  # index into CHECK_CHARACTERS
    surname: Ints
    first: Ints
    second: Ints

    def take(self, where: Flags) -> "_People":
        return _People(*(getattr(self, name)[where] for name in _PEOPLE_FIELDS))

    def put(self, where: Flags, other: "_People", fields: Sequence[str] = ()) -> None:
        for name in fields or _PEOPLE_FIELDS:
            getattr(self, name)[where] = getattr(other, name)


_PEOPLE_FIELDS = ("region", "day", "male", "body", "check", "surname", "first", "second")
_NAME_FIELDS = ("surname", "first", "second")


def _people(plan: _Plan, pools: Ints, humans: Ints, forced_male: Ints | None = None) -> _People:
    """Humans by (pool, number); ``forced_male`` (-1: draw) keeps a second identity's sex."""
    n = len(humans)
    out = _People(
        region=np.zeros(n, dtype=np.int64),
        day=np.zeros(n, dtype=np.int64),
        male=np.zeros(n, dtype=bool),
        body=np.zeros(n, dtype=np.int64),
        check=np.zeros(n, dtype=np.int64),
        surname=np.zeros(n, dtype=np.int64),
        first=np.zeros(n, dtype=np.int64),
        second=np.zeros(n, dtype=np.int64),
    )
    for kind in np.unique(pools):
        where = pools == kind
        pool = plan.pools[Pool(int(kind))]
        region, day, seq = pool.locate(humans[where])
        key = keys(16 + int(kind), humans[where])
        male = (plan.draw.uniform(key, 50) < 0.5) | pool.male_only
        if forced_male is not None:
            male = np.where(forced_male[where] >= 0, forced_male[where] == 1, male)
        body = REGION_NUMBERS[region] * 10**11 + ymd(day) * 1000 + seq + male
        young = np.full(len(key), kind == Pool.YOUNG)
        names = name_codes(plan.draw, key, male, young)
        part = _People(region, day, male, body, check_index(body), *names)
        out.put(where, part)
    return out


def _humans(plan: _Plan, rows: "_Rows") -> tuple[Ints, Ints]:
    """Pool and human number of each row: twins share their first row's human."""
    role, rank = rows.role, rows.rank
    pools = np.full(len(role), Pool.MAIN, dtype=np.int64)
    humans = rows.idx.copy()
    for second, first in TWINS.items():
        where = role == second
        humans[where] = plan.employee.rows(first, rank[where])
    for (is_resident, settled_role), offset in plan.settled.items():
        where = (role == settled_role) & (rows.resident == is_resident)
        pools[where], humans[where] = Pool.SETTLED, offset + rank[where]
    over = plan.counts.of(Role.OVER_100)
    for special, pool, offset in (
        (Role.OVER_100, Pool.CENTENARY, 0),
        (Role.CENTENARIAN, Pool.CENTENARY, over),
        (Role.ALTERED_BIRTH, Pool.RECENT, 0),
    ):
        where = role == special
        pools[where], humans[where] = pool, offset + rank[where]
    return pools, humans


# ------------------------------------------------------------------------------------------
# Rows of one chunk
# ------------------------------------------------------------------------------------------


def _nulls(n: int) -> Ints:
    return np.full(n, NO_DAY, dtype=np.int64)


def _none(n: int) -> Objects:
    return np.full(n, None, dtype=object)


@dataclass(eq=False)
class _Rows:
    """Roll rows of one chunk, filled in step by step."""

    idx: Ints  # global row number; pension_id = idx + 1
    role: Ints
    rank: Ints
    resident: Flags
    key: Keys
    people: _People = field(init=False)
    id_body: Ints = field(init=False)
    id_check: Ints = field(init=False)  # -1: a 15-digit number
    name_text: Objects = field(init=False)  # set where the name is not the codes' spelling
    previous_id: Objects = field(init=False)
    previous_name: Objects = field(init=False)
    scheme: Ints = field(init=False)
    pay_region: Ints = field(init=False)
    first: Ints = field(init=False)  # month index
    cents: Ints = field(init=False)  # current amount in fen
    basic: Ints = field(init=False)  # -1: none
    status: Ints = field(init=False)
    paid_to: Ints = field(init=False)  # month index, end of the first paid period
    resumed: Ints = field(init=False)  # month index of resumption; -1: none
    died: Ints = field(init=False)
    died_alt: Ints = field(init=False)  # the other date of a planted disagreement
    departments: Ints = field(init=False)  # bit set of reporting departments
    custody: Ints = field(init=False)  # kind code; -1: none
    held: Ints = field(init=False)  # detention or sentence start
    freed: Ints = field(init=False)  # release or end; NO_DAY: running
    sign_low: Ints = field(init=False)
    sign_high: Ints = field(init=False)
    signs: Ints = field(init=False)
    certified: Ints = field(init=False)
    account_of: Ints = field(init=False)  # pension_id whose account number is used
    payee: _People = field(init=False)  # whose name the account bears
    account_changed: Ints = field(init=False)
    payee_changed: Ints = field(init=False)
    archive_birth: Ints = field(init=False)

    def is_(self, *roles: Role) -> Flags:
        return np.isin(self.role, roles)

    @property
    def first_day(self) -> Ints:
        return month_starts(self.first)


def _chunk_rows(plan: _Plan, low: int, high: int) -> _Rows:
    idx = np.arange(low, high, dtype=np.int64)
    resident = idx >= plan.employees
    role, rank = np.zeros(len(idx), dtype=np.int64), np.zeros(len(idx), dtype=np.int64)
    for where, layout, offset in (
        (~resident, plan.employee, 0),
        (resident, plan.resident, plan.employees),
    ):
        if where.any():
            role[where], rank[where] = layout.assign(idx[where] - offset)
    rows = _Rows(idx, role, rank, resident, keys(_ROW_SPACE, idx))
    _identify(plan, rows)
    _schemes_and_amounts(plan, rows)
    _life(plan, rows)
    _certification(plan, rows)
    _accounts(plan, rows)
    return rows


def _identify(plan: _Plan, rows: _Rows) -> None:
    """ID number and name of each row, the planted duplicates' twists included."""
    rows.people = _people(plan, *_humans(plan, rows))
    n = len(rows.idx)
    rows.id_body, rows.id_check = rows.people.body.copy(), rows.people.check.copy()
    rows.name_text, rows.previous_id, rows.previous_name = _none(n), _none(n), _none(n)
    id15 = rows.is_(Role.DUP_ID15)
    rows.id_body[id15], rows.id_check[id15] = legacy_15(rows.people.body[id15]), -1
    typo = rows.is_(Role.DUP_TYPO)
    rows.id_body[typo] = mistype(rows.people.body[typo], plan.draw, rows.key[typo])
    for i in np.flatnonzero(rows.is_(Role.DUP_VARIANT)):
        codes = (int(rows.people.surname[i]), int(rows.people.first[i]), int(rows.people.second[i]))
        rows.name_text[i] = variant_name(*codes, int(rows.rank[i]))
    _change_identities(plan, rows)


def _change_identities(plan: _Plan, rows: _Rows) -> None:
    """双改: rank % 4 == 0 new number, 1-2 new number and name, 3 new name only."""
    where = rows.is_(Role.IDENTITY_CHANGE)
    if not where.any():
        return
    old = rows.people.take(where)
    rank = rows.rank[where]
    new = _people(plan, np.full(len(rank), Pool.CHANGED), rank, old.male.astype(np.int64))
    renumber, rename = rank % 4 != 3, rank % 4 != 0
    merged = old.take(np.ones(len(rank), dtype=bool))
    merged.put(renumber, new.take(renumber), ("region", "day", "body", "check"))
    merged.put(rename, new.take(rename), _NAME_FIELDS)
    rows.people.put(where, merged)
    rows.id_body[where], rows.id_check[where] = merged.body, merged.check
    for j, i in enumerate(np.flatnonzero(where)):
        old_name = name_text(int(old.surname[j]), int(old.first[j]), int(old.second[j]))
        if renumber[j]:
            rows.previous_id[i] = _id_text(int(old.body[j]), int(old.check[j]))
        if rename[j]:
            rows.previous_name[i] = old_name
            new_name = name_text(
                int(merged.surname[j]), int(merged.first[j]), int(merged.second[j])
            )
            if new_name == old_name:  # drawn the same by chance: change one character
                rows.name_text[i] = variant_name(
                    int(old.surname[j]), int(old.first[j]), int(old.second[j]), 1
                )


def _id_text(body: int, check: int) -> str:
    return str(body) + (CHECK_CHARACTERS[check] if check >= 0 else "")


def _schemes_and_amounts(plan: _Plan, rows: _Rows) -> None:
    draw, key = plan.draw, rows.key
    institution = (draw.uniform(key, 1) < 0.03) & ~rows.is_(
        Role.ALTERED_BIRTH, Role.TWO_REGIONS, Role.TARGET_TWO_REGIONS
    )
    rows.scheme = np.where(rows.resident, _RESIDENT, np.where(institution, _INSTITUTION, _EMPLOYEE))
    rows.pay_region = _pay_region(plan, rows.idx, rows.people.region)
    second = rows.is_(Role.TWO_REGIONS, Role.IDENTITY_CHANGE)
    if second.any():  # the second row is paid elsewhere than its twin
        twin = _twin_rows(plan, rows, second)
        twin_region = _pay_region(plan, twin, _twin_regions(plan, twin))
        position = np.searchsorted(PAY_REGIONS, twin_region)
        step = 1 + draw.below(key[second], 2, len(PAY_REGIONS) - 1)
        rows.pay_region[second] = PAY_REGIONS[(position + step) % len(PAY_REGIONS)]
    cadre = (rows.scheme == _INSTITUTION) | (draw.uniform(key, 3) < 0.3)
    rows.first = _first_months(plan, rows.people, rows.scheme, cadre)
    employee_cents = 200_000 + (600_000 * draw.uniform(key, 4) ** 1.8).astype(np.int64)
    institution_cents = 400_000 + draw.below(key, 5, 400_001)
    age = (plan.today - rows.people.day) // 365
    basic = 15_300 + np.where(age >= 80, 2_000, np.where(age >= 70, 1_000, 0))
    resident_cents = np.minimum(
        basic + (draw.uniform(key, 6) ** 2 * 21_000).astype(np.int64), 40_000
    )
    rows.cents = np.select(
        [rows.scheme == _RESIDENT, rows.scheme == _INSTITUTION],
        [resident_cents, institution_cents],
        employee_cents,
    )
    rows.basic = np.where(rows.scheme == _RESIDENT, basic, -1)


def _twin_rows(plan: _Plan, rows: _Rows, where: Flags) -> Ints:
    twin = np.zeros(int(where.sum()), dtype=np.int64)
    role, rank = rows.role[where], rows.rank[where]
    for second, first in TWINS.items():
        mine = role == second
        twin[mine] = plan.employee.rows(first, rank[mine])
    return twin


def _twin_regions(plan: _Plan, twin: Ints) -> Ints:
    return _people(plan, np.full(len(twin), Pool.MAIN), twin).region


def _pay_region(plan: _Plan, idx: Ints, id_region: Ints) -> Ints:
    """The paying agency: mostly where the ID number was issued (never the abolished 130421)."""
    key = keys(_ROW_SPACE, idx)
    moved = (plan.draw.uniform(key, 7) < 0.1) | (REGION_NUMBERS[id_region] == 130421)
    other = PAY_REGIONS[plan.draw.below(key, 8, len(PAY_REGIONS))]
    return np.where(moved, other, id_region)


def _first_months(plan: _Plan, people: _People, scheme: Ints, cadre: Flags) -> Ints:
    """First pension month: the month after the statutory age (2024 reform included); men
    who would reach it after as_of retired at 55 from a 特殊工种; residents at 60."""
    born = months_of(people.day)
    women_55 = 660 + np.where(born >= 1970 * 12, np.minimum((born - 1970 * 12) // 4 + 1, 36), 0)
    women_50 = 600 + np.where(born >= 1975 * 12, np.minimum((born - 1975 * 12) // 2 + 1, 60), 0)
    age = np.where(people.male, male_retirement_months(born), np.where(cadre, women_55, women_50))
    first = born + age + 1
    first = np.where(people.male & (first > plan.end_month), born + 661, first)
    resident = np.maximum(born + 721, 2011 * 12 + 6)
    return np.where(scheme == _RESIDENT, resident, first)


def _life(plan: _Plan, rows: _Rows) -> None:
    """Status, paid months, deaths and custody of each row."""
    n = len(rows.idx)
    rows.status = np.full(n, _PAYING, dtype=np.int64)
    rows.paid_to = np.full(n, plan.end_month, dtype=np.int64)
    rows.resumed = np.full(n, -1, dtype=np.int64)
    rows.died, rows.died_alt, rows.held, rows.freed = _nulls(n), _nulls(n), _nulls(n), _nulls(n)
    rows.departments = np.zeros(n, dtype=np.int64)
    rows.custody = np.full(n, -1, dtype=np.int64)
    rows.sign_low = np.full(n, plan.sign_from, dtype=np.int64)
    rows.sign_high = np.full(n, plan.today, dtype=np.int64)
    _deaths(plan, rows)
    _custody(plan, rows)


def _deaths(plan: _Plan, rows: _Rows) -> None:
    draw, today = plan.draw, plan.today
    died = rows.is_(Role.DIED)
    key, first_day = rows.key[died], rows.first_day[died]
    day = draw.between(key, 10, np.maximum(first_day, today - 8 * 365), today - 1)
    month = np.maximum(months_of(day) - (draw.uniform(key, 11) < 0.3), rows.first[died])
    rows.died[died], rows.paid_to[died], rows.status[died] = day, month, _STOPPED
    rows.departments[died] = np.asarray(DEPARTMENT_SETS)[
        draw.choice(key, 12, DEPARTMENT_SET_WEIGHTS)
    ]
    later = draw.uniform(key, 13) < 0.05  # 卫健 records a later date than 公安
    rows.died_alt[died] = np.where(
        later, np.minimum(day + draw.between(key, 14, 3, 60), today), NO_DAY
    )
    planted = rows.is_(*_DEATH_PLANTS)
    key, rank = rows.key[planted], rows.rank[planted]
    first_day = rows.first_day[planted]
    day = draw.between(key, 10, np.maximum(first_day, today - 900), today - 100)
    rows.died[planted] = day
    rows.departments[planted] = [
        planted_mask(int(k), Role(int(r))) for k, r in zip(rank, rows.role[planted], strict=True)
    ]
    split = (rows.role[planted] == Role.PAID_AFTER_DEATH) & (rank % 20 == 3)
    twice = (rows.role[planted] == Role.PAID_AFTER_DEATH) & (rank % 20 == 7)
    shift = draw.between(key, 14, 3, 60) * np.where(draw.uniform(key, 15) < 0.5, -1, 1)
    earlier = day - draw.between(key, 16, 30, 300)
    rows.died_alt[planted] = np.select([split, twice], [day + shift, earlier], NO_DAY)
    dead = died | planted
    rows.sign_high[dead] = _earliest_death(rows)[dead] - 1


def _earliest_death(rows: _Rows) -> Ints:
    """The date a checker takes: the earliest over all departments' records."""
    return np.where(rows.died_alt != NO_DAY, np.minimum(rows.died, rows.died_alt), rows.died)


def _custody(plan: _Plan, rows: _Rows) -> None:
    """Justice records of pensioners; the suspension follows 劳社厅函〔2001〕44号."""
    draw, today, january = plan.draw, plan.today, month_starts(np.array([plan.adjustment]))[0]
    for role, kind in _CUSTODY_KIND.items():
        where = rows.is_(role)
        if not where.any():
            continue
        key, first_day = rows.key[where], rows.first_day[where]
        held, freed = _custody_dates(draw, role, key, first_day, today, int(january))
        rows.custody[where], rows.held[where], rows.freed[where] = kind, held, freed
        if role in (Role.JAILED, Role.PENDING, Role.NOT_RESUMED):
            rows.status[where], rows.paid_to[where] = _SUSPENDED, months_of(held)
        if role is Role.RELEASED:
            rows.paid_to[where], rows.resumed[where] = months_of(held), months_of(freed) + 1
        inside = freed == NO_DAY
        if role in (Role.JAILED, Role.PENDING, Role.PAID_WHILE_IMPRISONED):
            rows.sign_high[where] = np.where(inside, held - 1, rows.sign_high[where])
        if role in (Role.RELEASED, Role.NOT_RESUMED, Role.PAID_WHILE_IMPRISONED):
            rows.sign_low[where] = np.where(
                inside, rows.sign_low[where], np.maximum(plan.sign_from, freed + 1)
            )


def _custody_dates(
    draw: Draw, role: Role, key: Keys, first_day: Ints, today: int, january: int
) -> tuple[Ints, Ints]:
    """Detention and release days for a custody role (release NO_DAY while serving)."""
    none = np.full(len(key), NO_DAY, dtype=np.int64)
    if role is Role.JAILED:
        return draw.between(key, 20, np.maximum(first_day, today - 5 * 365), today - 20), none
    if role is Role.PENDING:
        return draw.between(key, 20, np.maximum(first_day, today - 540), today - 20), none
    if role is Role.RELEASED:  # released before December, resumed before the adjustment
        held = draw.between(key, 20, np.maximum(first_day, today - 8 * 365), january - 130)
        return held, draw.between(key, 21, held + 90, january - 31)
    if role is Role.ACQUITTED:
        held = draw.between(key, 20, np.maximum(first_day, today - 4 * 365), today - 200)
        return held, held + draw.between(key, 21, 30, 180)
    if role is Role.NON_CUSTODIAL:  # over before the adjustment, so it is not withheld
        held = draw.between(key, 20, np.maximum(first_day, today - 6 * 365), january - 400)
        return held, np.minimum(held + draw.between(key, 21, 180, 1000), january - 1)
    if role is Role.NOT_RESUMED:
        held = draw.between(key, 20, np.maximum(first_day, today - 6 * 365), today - 400)
        return held, draw.between(key, 21, held + 90, today - 75)
    held = draw.between(key, 20, np.maximum(first_day, today - 4 * 365), today - 60)
    freed = held + draw.between(key, 21, 90, 1000)
    return held, np.where((draw.uniform(key, 22) < 0.4) & (freed < today), freed, NO_DAY)


def _certification(plan: _Plan, rows: _Rows) -> None:
    """Signs of life and the last certification, so that only the plants look uncertified."""
    draw, key, today = plan.draw, rows.key, plan.today
    signs = draw.choice(key, 30, _SIGN_COUNT_WEIGHTS)
    signs = np.where(rows.is_(Role.CENTENARIAN), np.maximum(signs, 1), signs)
    signs[rows.is_(*_NO_SIGNS) | (rows.sign_high < rows.sign_low)] = 0
    rows.signs = signs
    first_day = rows.first_day
    recent = draw.between(key, 31, np.maximum(today - 330, first_day), today)
    old = draw.between(key, 32, today - 900, today - 430)
    habit = draw.uniform(key, 33)
    normal = np.where(habit < 0.88, recent, np.where(habit < 0.98, old, NO_DAY))
    certified = np.where(signs == 0, recent, normal)
    certified = np.where(rows.is_(*_RECENT_CERT), recent, certified)
    before = rows.is_(Role.DIED, Role.JAILED, Role.PENDING, Role.NOT_RESUMED)
    until = np.where(rows.is_(Role.DIED), rows.died, rows.held)
    prior = draw.between(key, 34, np.maximum(first_day, until - 330), until - 1)
    certified = np.where(before, prior, certified)
    missing = draw.between(key, 35, today - 1000, today - 430)
    never = draw.uniform(key, 36) < 0.2
    certified = np.where(rows.is_(Role.CERT_MISSING), np.where(never, NO_DAY, missing), certified)
    lapsed = rows.is_(Role.CERT_SUSPENDED)
    certified = np.where(lapsed, draw.between(key, 37, today - 700, today - 430), certified)
    rows.certified = certified
    stop = np.maximum(rows.first, np.minimum(months_of(certified) + 12, plan.end_month - 1))
    rows.paid_to[lapsed], rows.status[lapsed] = stop[lapsed], _SUSPENDED


def _accounts(plan: _Plan, rows: _Rows) -> None:
    """Own account for everyone except the shared-account groups; the archive birth date."""
    draw, key, n, today = plan.draw, rows.key, len(rows.idx), plan.today
    rows.account_of = rows.idx + 1
    rows.payee = rows.people.take(np.ones(n, dtype=bool))
    alive_until = np.where(rows.died != NO_DAY, _earliest_death(rows) - 1, today)
    changed = draw.between(key, 40, rows.first_day, alive_until)
    rows.account_changed = np.where(draw.uniform(key, 41) < 0.15, changed, NO_DAY)
    rows.payee_changed = _nulls(n)
    after = rows.is_(Role.ACCOUNT_AFTER_DEATH)
    rows.account_changed[after] = draw.between(key[after], 42, rows.died[after] + 10, today - 5)
    _share_accounts(plan, rows)
    same = draw.uniform(key, 43) < 0.4
    rows.archive_birth = np.where(same, rows.people.day, NO_DAY)
    altered = rows.is_(Role.ALTERED_BIRTH)
    later = rows.people.day[altered] + draw.between(key[altered], 44, 365, 5 * 365)
    rows.archive_birth[altered] = later


def _share_accounts(plan: _Plan, rows: _Rows) -> None:
    where = rows.is_(Role.SHARED_ACCOUNT)
    if not where.any():
        return
    rank = rows.rank[where]
    group = np.searchsorted(plan.group_starts, rank, "right") - 1
    holder = plan.employee.rows(Role.SHARED_ACCOUNT, plan.group_starts[group])
    rows.account_of[where] = holder + 1
    rows.payee.put(where, _people(plan, np.full(len(holder), Pool.MAIN), holder))
    joined = plan.draw.between(rows.key[where], 45, rows.first_day[where], plan.today - 30)
    member = holder != rows.idx[where]
    rows.account_changed[where] = np.where(member, joined, rows.account_changed[where])
    rows.payee_changed[where] = np.where(member, joined, NO_DAY)


# ------------------------------------------------------------------------------------------
# Output frames (NumPy columns; DuckDB turns them into the snapshot's columns)
# ------------------------------------------------------------------------------------------


def _name_columns(people: _People, prefix: str = "") -> Frame:
    return {
        f"{prefix}surname": people.surname,
        f"{prefix}given1": people.first,
        f"{prefix}given2": people.second,
    }


def _before_adjustment(cents: Ints) -> Ints:
    """The amount before the January adjustment: cents / 1.02, rounded half up to the fen."""
    return (200 * cents + 102) // 204


def _account_numbers(plan: _Plan, pension_ids: Ints) -> Ints:
    """15 digits after the 6217 bank prefix; injective in the pension_id."""
    return (pension_ids * 738_029_417 + plan.account_shift) % 10**15


def _pensioner_frame(plan: _Plan, rows: _Rows) -> Frame:
    last = np.where(rows.resumed >= 0, plan.end_month, rows.paid_to)
    amount = np.where(last >= plan.adjustment, rows.cents, _before_adjustment(rows.cents))
    return {
        "pid": rows.idx + 1,
        "id_body": rows.id_body,
        "id_check": rows.id_check,
        "name_text": rows.name_text,
        **_name_columns(rows.people),
        "birth": rows.people.day,
        "male": rows.people.male,
        "scheme": rows.scheme,
        "region": rows.pay_region,
        "first_month": month_starts(rows.first),
        "cents": amount,
        "basic": rows.basic,
        "status": rows.status,
        "paid_through": month_starts(last),
        "account": _account_numbers(plan, rows.account_of),
        "payee_self": rows.account_of == rows.idx + 1,
        **_name_columns(rows.payee, "payee_"),
        "account_changed": rows.account_changed,
        "payee_changed": rows.payee_changed,
        "previous_id": rows.previous_id,
        "previous_name": rows.previous_name,
        "certified": rows.certified,
        "archive_birth": rows.archive_birth,
    }


def _payment_frame(plan: _Plan, rows: _Rows) -> Frame:
    """Paid periods: each paid stretch split at the January adjustment."""
    adjustment = plan.adjustment
    stretches = (
        (rows.first, rows.paid_to),
        (rows.resumed, np.full_like(rows.first, plan.end_month)),
    )
    starts, ends, cents, valid = [], [], [], []
    for begin, end in stretches:
        present = begin >= 0
        before_end = np.minimum(end, adjustment - 1)
        after_begin = np.maximum(begin, adjustment)
        starts += [begin, after_begin]
        ends += [before_end, end]
        cents += [_before_adjustment(rows.cents), rows.cents]
        valid += [present & (begin <= before_end), present & (after_begin <= end)]
    keep = np.stack(valid, axis=1)
    pid = np.repeat(rows.idx + 1, keep.sum(axis=1))
    return {
        "pid": pid,
        "first_month": month_starts(np.stack(starts, axis=1)[keep]),
        "last_month": month_starts(np.stack(ends, axis=1)[keep]),
        "cents": np.stack(cents, axis=1)[keep],
    }


def _sign_frame(plan: _Plan, rows: _Rows) -> Frame:
    owner = np.repeat(np.arange(len(rows.idx)), rows.signs)
    nth = np.arange(len(owner)) - np.repeat(np.cumsum(rows.signs) - rows.signs, rows.signs)
    key = keys(_SIGN_SPACE, rows.idx[owner] * 4 + nth)
    return {
        "id_body": rows.people.body[owner],
        "id_check": rows.people.check[owner],
        "source": plan.draw.choice(key, 1, _SOURCE_WEIGHTS),
        "seen": plan.draw.between(key, 2, rows.sign_low[owner], rows.sign_high[owner]),
    }


def _event_frame(
    department: int | Ints,
    kind: int | Ints,
    people: _People,
    event: Ints,
    end: Ints,
    received: Ints,
    order: Keys,
    id_body: Ints | None = None,
    id_check: Ints | None = None,
    id_text: Objects | None = None,
) -> Frame:
    n = len(event)
    return {
        "department": np.broadcast_to(np.asarray(department, dtype=np.int64), (n,)).copy(),
        "kind": np.broadcast_to(np.asarray(kind, dtype=np.int64), (n,)).copy(),
        "id_body": people.body if id_body is None else id_body,
        "id_check": people.check if id_check is None else id_check,
        "id_text": _none(n) if id_text is None else id_text,
        **_name_columns(people),
        "event": event,
        "end_day": end,
        "received": received,
        "order_key": (order >> np.uint64(1)).astype(np.int64),
    }


_RECEIVING_LAG = ((3, 60), (0, 20), (0, 10))  # days: 公安, 卫健, 民政


def _death_frames(
    plan: _Plan, people: _People, died: Ints, alt: Ints, twice: Flags, departments: Ints, key: Keys
) -> list[Frame]:
    """One record per reporting department; 'alt' is 卫健's date where it differs, or the
    second 公安 date where the person 'dies twice'; cremation 1-4 days after the death."""
    draw, today, frames = plan.draw, plan.today, []
    health = np.where((alt != NO_DAY) & ~twice, alt, died)
    cremated = np.minimum(died + draw.between(key, 70, 1, 4), today)
    for department, day in enumerate((died, health, cremated)):
        has = (departments >> department & 1) == 1
        low, high = _RECEIVING_LAG[department]
        received = np.minimum(day + draw.between(key, 71 + department, low, high), today)
        frames.append(
            _event_frame(
                department,
                department,
                people.take(has),
                day[has],
                _nulls(int(has.sum())),
                received[has],
                draw.bits(key[has], 75 + department),
            )
        )
    received = np.minimum(alt + draw.between(key, 78, 3, 60), today)
    frames.append(
        _event_frame(
            0,
            0,
            people.take(twice),
            alt[twice],
            _nulls(int(twice.sum())),
            received[twice],
            draw.bits(key[twice], 79),
        )
    )
    return frames


def _roll_events(plan: _Plan, rows: _Rows) -> tuple[list[Frame], list[PlantedRow]]:
    dead = rows.died != NO_DAY
    twice = rows.is_(Role.PAID_AFTER_DEATH) & (rows.rank % 20 == 7)
    frames = _death_frames(
        plan,
        rows.people.take(dead),
        rows.died[dead],
        rows.died_alt[dead],
        twice[dead],
        rows.departments[dead],
        rows.key[dead],
    )
    held = rows.custody >= 0
    key = rows.key[held]
    received = np.minimum(rows.held[held] + plan.draw.between(key, 80, 1, 60), plan.today)
    frames.append(
        _event_frame(
            3,
            rows.custody[held],
            rows.people.take(held),
            rows.held[held],
            rows.freed[held],
            received,
            plan.draw.bits(key, 81),
        )
    )
    bad, planted = _bad_records(plan, rows)
    return [*frames, bad], planted


def _bad_records(plan: _Plan, rows: _Rows) -> tuple[Frame, list[PlantedRow]]:
    """Records a checker must reject, naming living pensioners: rank % 3 == 0 death before
    birth, 1 death after as_of (received before it), 2 a wrong check character."""
    where = rows.is_(Role.BAD_RECORD_TARGET)
    draw, today, key, rank = plan.draw, plan.today, rows.key[where], rows.rank[where]
    people = rows.people.take(where)
    event = np.select(
        [rank % 3 == 0, rank % 3 == 1],
        [people.day - draw.between(key, 90, 100, 7000), today + draw.between(key, 91, 10, 400)],
        draw.between(key, 92, today - 700, today - 10),
    )
    received = np.where(
        rank % 3 == 0,
        today - draw.between(key, 93, 10, 300),
        np.minimum(event + draw.between(key, 94, 1, 60), today),
    )
    received = np.where(rank % 3 == 1, today - draw.between(key, 95, 1, 100), received)
    check = np.where(rank % 3 == 2, (people.check + 1 + draw.below(key, 96, 10)) % 11, people.check)
    department = rank // 3 % 3
    frame = _event_frame(
        department,
        department,
        people,
        event,
        _nulls(len(event)),
        received,
        draw.bits(key, 97),
        id_check=check,
    )
    return frame, _bad_planted(frame, rank)


def _outsider_deaths(plan: _Plan, records: int) -> list[Frame]:
    """Exactly ``records`` death records of people who are not on the roll."""
    humans = np.arange(records, dtype=np.int64)
    key = keys(_OUTSIDE_DEATH, humans)
    departments = np.asarray(DEPARTMENT_SETS)[plan.draw.choice(key, 1, DEPARTMENT_SET_WEIGHTS)]
    total = np.cumsum(death_records(departments, False))
    persons = int(np.searchsorted(total, records)) + 1 if records else 0
    departments = departments[:persons]
    if persons:  # the last person keeps only as many departments as the budget allows
        excess = int(total[persons - 1]) - records
        for _ in range(excess):
            last = int(departments[-1])
            departments[-1] = last & ~(1 << (last.bit_length() - 1))
    key = key[:persons]
    people = _people(plan, np.full(persons, Pool.OUTSIDER), humans[:persons])
    died = plan.draw.between(key, 2, plan.today - 8 * 365, plan.today - 1)
    no_alt = _nulls(persons)
    return _death_frames(plan, people, died, no_alt, np.zeros(persons, bool), departments, key)


def _outsider_custody(plan: _Plan, count: int) -> Frame:
    """Justice records of people not on the roll (born 1967 and later)."""
    draw, today = plan.draw, plan.today
    humans = np.arange(count, dtype=np.int64)
    key = keys(_OUTSIDE_CUSTODY, humans)
    kind = np.asarray((_IMPRISONMENT, _PENDING, _NON_CUSTODIAL, _ACQUITTED))[
        draw.choice(key, 1, (0.70, 0.12, 0.12, 0.06))
    ]
    held = draw.between(key, 2, today - 10 * 365, today - 1)
    length = np.select(
        [kind == _IMPRISONMENT, kind == _NON_CUSTODIAL, kind == _ACQUITTED],
        [
            draw.between(key, 3, 60, 3000),
            draw.between(key, 4, 180, 1500),
            draw.between(key, 5, 30, 400),
        ],
        10**6,
    )
    ended = (held + length < today) & ((kind != _IMPRISONMENT) | (draw.uniform(key, 6) < 0.5))
    freed = np.where(
        kind == _ACQUITTED, np.minimum(held + length, today), np.where(ended, held + length, NO_DAY)
    )
    received = np.minimum(held + draw.between(key, 7, 1, 90), today)
    people = _people(plan, np.full(count, Pool.YOUNG), humans)
    return _event_frame(3, kind, people, held, freed, received, draw.bits(key, 8))


def _garbage(plan: _Plan, count: int) -> tuple[Frame, list[PlantedRow]]:
    """15-character IDs that are no number at all (letters where digits belong)."""
    key = keys(_GARBAGE_SPACE, np.arange(count, dtype=np.int64))
    characters = [plan.draw.below(key, 10 + i, len(_GARBAGE)) for i in range(15)]
    texts = ["".join(_GARBAGE[int(c[j])] for c in characters) for j in range(count)]
    texts = [text[:7] + "ABCDEFGHJK"[j % 10] + text[8:] for j, text in enumerate(texts)]
    people = _people(
        plan,
        np.full(count, Pool.OUTSIDER),
        plan.pools[Pool.OUTSIDER].capacity - 1 - np.arange(count),
    )
    event = plan.draw.between(key, 30, plan.today - 700, plan.today - 10)
    received = np.minimum(event + plan.draw.between(key, 31, 1, 60), plan.today)
    id_text = np.array(texts, dtype=object)
    department = np.arange(count, dtype=np.int64) % 3
    frame = _event_frame(
        department,
        department,
        people,
        event,
        _nulls(count),
        received,
        plan.draw.bits(key, 32),
        id_text=id_text,
    )
    planted: list[PlantedRow] = [
        ("bad_partner_record", None, text, None, "15位乱码身份证号") for text in texts
    ]
    return frame, planted


# ------------------------------------------------------------------------------------------
# The answer key
# ------------------------------------------------------------------------------------------


def _day_text(day: int) -> str:
    return (EPOCH + timedelta(days=day)).isoformat()


def _month_text(month: int) -> str:
    return f"{month // 12}-{month % 12 + 1:02d}"


def _death_note(plan: _Plan, rows: _Rows, i: int) -> str:
    died, alt, rank = int(rows.died[i]), int(rows.died_alt[i]), int(rows.rank[i])
    mask = int(rows.departments[i])
    departments = "、".join(name for bit, name in enumerate(_DEPARTMENT_NAMES) if mask >> bit & 1)
    note = f"{_day_text(min(died, alt) if alt != NO_DAY else died)}死亡（{departments}），"
    note += f"发放至{_month_text(plan.end_month)}"
    if alt != NO_DAY and dies_twice(Role(int(rows.role[i])), rank):
        return note + f"；公安两次注销：{_day_text(died)}、{_day_text(alt)}"
    if alt != NO_DAY:
        return note + f"；公安{_day_text(died)}、卫健{_day_text(alt)}，日期不一致"
    return note


def _custody_note(plan: _Plan, rows: _Rows, i: int) -> str:
    held, freed = int(rows.held[i]), int(rows.freed[i])
    note = f"{_day_text(held)}起服刑"
    if freed != NO_DAY:
        note += f"，{_day_text(freed)}释放"
    if rows.role[i] == Role.NOT_RESUMED:
        return note + f"，仍暂停发放（发放至{_month_text(int(rows.paid_to[i]))}）"
    return note + f"，照常发放至{_month_text(plan.end_month)}"


def _other_note(plan: _Plan, rows: _Rows, i: int) -> str:
    role = Role(int(rows.role[i]))
    if role is Role.ACCOUNT_AFTER_DEATH:
        changed = _day_text(int(rows.account_changed[i]))
        return f"{_day_text(int(rows.died[i]))}死亡后，{changed}变更银行账户"
    if role is Role.CERT_MISSING:
        certified = int(rows.certified[i])
        last = _day_text(certified) if certified != NO_DAY else "从未认证"
        return f"最近一次资格认证：{last}；近12个月无生存迹象"
    if role is Role.OVER_100:
        return f"{(plan.today - int(rows.people.day[i])) // 365}岁，近12个月无生存迹象"
    if role is Role.ALTERED_BIRTH:
        archive, roll = int(rows.archive_birth[i]), int(rows.people.day[i])
        return f"档案出生日期{_day_text(archive)}，登记为{_day_text(roll)}"
    if role is Role.SHARED_ACCOUNT:
        account = int(_account_numbers(plan, rows.account_of[i : i + 1])[0])
        return f"多名无关人员共用账户6217{account:015d}"
    return _duplicate_note(rows, i, role)


_DUPLICATE_NOTES: Mapping[Role, str] = {
    Role.DUP_EXACT: "同一身份证号同时领取职工和城乡居民养老金",
    Role.DUP_ID15: "以15位旧身份证号重复领取城乡居民养老金",
    Role.DUP_TYPO: "姓名、出生日期、性别相同，身份证号顺序码录错一位（校验码不符）",
}


def _duplicate_note(rows: _Rows, i: int, role: Role) -> str:
    if role is Role.DUP_VARIANT:
        return f"同一身份证号，姓名写作“{rows.name_text[i]}”"
    if role is Role.TWO_REGIONS:
        return f"同一身份证号在两地领取职工养老金（本行领取地{REGIONS[int(rows.pay_region[i])]}）"
    if role is Role.IDENTITY_CHANGE:
        changes = (("改身份证号", rows.previous_id[i]), ("改姓名", rows.previous_name[i]))
        return "双改：" + "、".join(label for label, value in changes if value is not None)
    return _DUPLICATE_NOTES[role]


def _planted(plan: _Plan, rows: _Rows) -> list[PlantedRow]:
    planted: list[PlantedRow] = []
    for i in map(int, np.flatnonzero(np.isin(rows.role, list(ANOMALY_OF)))):
        role = Role(int(rows.role[i]))
        pid = int(rows.idx[i]) + 1
        id_text = _id_text(int(rows.id_body[i]), int(rows.id_check[i]))
        other: int | None = None
        if role in TWINS:
            other = int(plan.employee.rows(TWINS[role], rows.rank[i : i + 1])[0]) + 1
        elif role is Role.SHARED_ACCOUNT and int(rows.account_of[i]) != pid:
            other = int(rows.account_of[i])
        if role in (Role.PAID_AFTER_DEATH, Role.ACCOUNT_AFTER_DEATH):
            planted.append(("paid_after_death", pid, id_text, None, _death_note(plan, rows, i)))
        if role in (Role.PAID_WHILE_IMPRISONED, Role.NOT_RESUMED):
            planted.append((ANOMALY_OF[role], pid, id_text, None, _custody_note(plan, rows, i)))
        elif role is not Role.PAID_AFTER_DEATH:
            planted.append((ANOMALY_OF[role], pid, id_text, other, _other_note(plan, rows, i)))
    return planted


_BAD_NOTES = ("死亡日期早于出生日期", "死亡日期晚于核查日", "身份证号校验码错误")


def _bad_planted(frame: Frame, rank: Ints) -> list[PlantedRow]:
    return [
        ("bad_partner_record", None, _id_text(int(body), int(check)), None, _BAD_NOTES[int(r) % 3])
        for body, check, r in zip(frame["id_body"], frame["id_check"], rank, strict=True)
    ]


def _planted_frame(planted: Sequence[PlantedRow]) -> Frame:
    def ids(column: int) -> Ints:
        return np.array([-1 if row[column] is None else row[column] for row in planted], np.int64)

    return {
        "anomaly": np.array([row[0] for row in planted], dtype=object),
        "pension_id": ids(1),
        "id_number": np.array([row[2] for row in planted], dtype=object),
        "other_pension_id": ids(3),
        "note": np.array([row[4] for row in planted], dtype=object),
    }


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
        "scheme": f"{_sql_list(_SCHEMES)}[scheme + 1]",
        "region": f"{_sql_list(REGIONS)}[region + 1]",
        "first_month": "day_(first_month)",
        "monthly_amount": "money_(cents)",
        "basic_amount": "CASE WHEN basic < 0 THEN NULL ELSE money_(basic) END",
        "status": f"{_sql_list(_STATUSES)}[status + 1]",
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
        "kind": f"{_sql_list(_KINDS)}[kind + 1]",
        "id_number": "coalesce(id_text, id_(id_body, id_check))",
        "name": "name_(surname, given1, given2)",
        "event_date": "day_(event)",
        "end_date": "day_(end_day)",
        "received_on": "day_(received)",
    },
    "signs_of_life": {
        "id_number": "id_(id_body, id_check)",
        "source": f"{_sql_list(_SOURCES)}[source + 1]",
        "seen_on": "day_(seen)",
        "reference": f"{_sql_list(_SOURCE_PREFIXES)}[source + 1] "
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


def _write_roll(
    plan: _Plan, parts: _Parts, chunk_size: int, progress: Callable[[int], None] | None
) -> list[PlantedRow]:
    planted: list[PlantedRow] = []
    died_records = 0
    for low in range(0, plan.rows, chunk_size):
        high = min(low + chunk_size, plan.rows)
        rows = _chunk_rows(plan, low, high)
        parts.add("pensioners", _pensioner_frame(plan, rows))
        parts.add("payments", _payment_frame(plan, rows))
        parts.add("signs_of_life", _sign_frame(plan, rows))
        frames, bad = _roll_events(plan, rows)
        for frame in frames:
            parts.add("partner_events", frame)
        planted += _planted(plan, rows) + bad
        died_records += int(death_records(rows.departments[rows.is_(Role.DIED)], False).sum())
        if progress is not None:
            progress(high - low)
    for frame in _outsider_deaths(plan, plan.counts.outsider_deaths - died_records):
        parts.add("partner_events", frame)
    parts.add("partner_events", _outsider_custody(plan, plan.counts.outsider_custody))
    frame, garbage = _garbage(plan, plan.counts.bad_each)
    parts.add("partner_events", frame)
    planted += garbage
    parts.add("planted", _planted_frame(planted))
    return planted
