"""The plan of a fund-guard bulk run and the NumPy arrays that describe its humans.

:class:`Plan` is everything fixed before the first row (the random draws, the snapshot date's
day and month numbers, the ID pools, the role counts and their layouts over both ranges of the
roll); ``fund_bulk.write_fund_bulk`` builds it once and every chunk reads it. :class:`People` is a
column-wise set of humans (ID number, sex, birth, name codes) and :func:`people` draws them by
(pool, human number), so the same human comes out the same wherever it is asked for: as a roll
row, a duplicate's twin, an account holder or a person not on the roll. :class:`Rows` holds the
columns of one chunk's roll rows, which ``fund_bulk_rows`` fills in; the integer codes for
scheme, status and partner-record kind they carry are here too (the writer turns them into text).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from retirelink.demo.fund_bulk_draws import (
    NO_DAY,
    Draw,
    Flags,
    Ints,
    Keys,
    Objects,
    keys,
    month_starts,
    ymd,
)
from retirelink.demo.fund_bulk_people import REGION_NUMBERS, IdPool, Pool, check_index, name_codes
from retirelink.demo.fund_bulk_roles import Counts, Layout, Role

SCHEMES = ("employee", "institution", "resident")
EMPLOYEE, INSTITUTION, RESIDENT = range(3)
STATUSES = ("paying", "suspended", "stopped")
PAYING, SUSPENDED, STOPPED = range(3)
KINDS = (
    "death_cancellation",
    "death_certificate",
    "cremation",
    "imprisonment",
    "pending",
    "non_custodial",
    "acquitted",
)
IMPRISONMENT, PENDING, NON_CUSTODIAL, ACQUITTED = 3, 4, 5, 6


# ------------------------------------------------------------------------------------------
# Plan: everything fixed before the first row
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Plan:
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


# ------------------------------------------------------------------------------------------
# People: ID numbers, sex, birth and names of humans
# ------------------------------------------------------------------------------------------


@dataclass(eq=False)
class People:
    region: Ints  # index into REGIONS (of the ID number)
    day: Ints  # birth
    male: Flags
    body: Ints  # first 17 digits
    check: Ints  # index into CHECK_CHARACTERS
    surname: Ints
    first: Ints
    second: Ints

    def take(self, where: Flags) -> "People":
        return People(*(getattr(self, name)[where] for name in _PEOPLE_FIELDS))

    def put(self, where: Flags, other: "People", fields: Sequence[str] = ()) -> None:
        for name in fields or _PEOPLE_FIELDS:
            getattr(self, name)[where] = getattr(other, name)


_PEOPLE_FIELDS = ("region", "day", "male", "body", "check", "surname", "first", "second")
NAME_FIELDS = ("surname", "first", "second")


def people(plan: Plan, pools: Ints, humans: Ints, forced_male: Ints | None = None) -> People:
    """Humans by (pool, number); ``forced_male`` (-1: draw) keeps a second identity's sex."""
    n = len(humans)
    out = People(
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
        part = People(region, day, male, body, check_index(body), *names)
        out.put(where, part)
    return out


# ------------------------------------------------------------------------------------------
# Rows of one chunk: their columns (computed in fund_bulk_rows)
# ------------------------------------------------------------------------------------------


def nulls(n: int) -> Ints:
    return np.full(n, NO_DAY, dtype=np.int64)


def none(n: int) -> Objects:
    return np.full(n, None, dtype=object)


@dataclass(eq=False)
class Rows:
    """Roll rows of one chunk, filled in step by step."""

    idx: Ints  # global row number; pension_id = idx + 1
    role: Ints
    rank: Ints
    resident: Flags
    key: Keys
    people: People = field(init=False)
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
    payee: People = field(init=False)  # whose name the account bears
    account_changed: Ints = field(init=False)
    payee_changed: Ints = field(init=False)
    archive_birth: Ints = field(init=False)

    def is_(self, *roles: Role) -> Flags:
        return np.isin(self.role, roles)

    @property
    def first_day(self) -> Ints:
        return month_starts(self.first)
