"""Who is who in the fund-guard bulk data: random draws, roles, ID numbers and names.

Everything here is a pure function of the seed and an integer key, never of the order or the
chunking of the rows: a duplicate row in the resident range recomputes the identity of its
employee twin from the twin's row number, wherever the twin's chunk is.

* :class:`Draw` — counter-based random numbers (splitmix64 over ``key ^ seed ^ stream``).
* :class:`Shuffle` — a keyed bijection of ``[0, n)`` with an inverse (a Feistel network,
  cycle-walked into range).
* :class:`Layout` — which rows carry which role: the shuffled position of a row picks its
  role, so every role gets an exact count spread over the whole range without pattern, and
  the inverse finds the row holding rank ``k`` of a role (a duplicate's twin, an account's
  holder).
* :class:`IdPool` — ID numbers without collisions: each pool is a list of cells (address code,
  birth date, block of sequence codes); the shuffle of the pool's capacity maps a human number
  to one cell and slot, so two humans never share a number. Pools never share a (birth date,
  sequence code) pair, so numbers from different pools never collide either.
* Names: surname by national share (``names.SURNAME_SHARES``), given names from pools whose
  every character has a homophone (丽→莉, 伟→玮), so any pensioner's name has a variant.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from retirelink.demo.names import SURNAME_SHARES

Ints = npt.NDArray[np.int64]
Keys = npt.NDArray[np.uint64]
Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]

EPOCH = date(1970, 1, 1)
NO_DAY = -(2**31)  # NULL date: days since 1970 below any real one
_MASK64 = 2**64 - 1
_GAMMA = 0x9E3779B97F4A7C15


def day_number(day: date) -> int:
    """Days since 1970-01-01 (NumPy's ``datetime64[D]`` epoch)."""
    return (day - EPOCH).days


def month_number(day: date) -> int:
    """Month index ``year * 12 + month - 1``."""
    return day.year * 12 + day.month - 1


def months_of(days: Ints) -> Ints:
    """Month index of each day number."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12


def month_starts(months: Ints) -> Ints:
    """Day number of the first day of each month index."""
    since = (months - 1970 * 12).astype("datetime64[M]")
    return since.astype("datetime64[D]").astype(np.int64)


def ymd(days: Ints) -> Ints:
    """YYYYMMDD as an integer, as the ID number writes the birth date."""
    day = days.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    year = month.astype("datetime64[Y]").astype(np.int64) + 1970
    month_of_year = month.astype(np.int64) % 12 + 1
    day_of_month = (day - month.astype("datetime64[D]")).astype(np.int64) + 1
    result: Ints = year * 10_000 + month_of_year * 100 + day_of_month
    return result


# ------------------------------------------------------------------------------------------
# Random draws
# ------------------------------------------------------------------------------------------


def _mix(x: Keys) -> Keys:
    """splitmix64's finaliser: a bijective scramble of 64 bits, the same on every platform."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def keys(space: int, index: Ints) -> Keys:
    """Keys of ``index`` (< 2**48) in a key space, so row 5 and human 5 draw differently."""
    return index.astype(np.uint64) | np.uint64(space << 48)


class Draw:
    """Counter-based random numbers: a value depends only on (seed, key, stream)."""

    __slots__ = ("_seed",)

    def __init__(self, seed: int) -> None:
        self._seed = int(_mix(np.array([seed & _MASK64], dtype=np.uint64))[0])

    def bits(self, keys: Keys, stream: int) -> Keys:
        salt = np.uint64((self._seed ^ (stream * _GAMMA)) & _MASK64)
        return _mix(_mix(keys ^ salt) + np.uint64(stream))

    def uniform(self, keys: Keys, stream: int) -> Floats:
        """Uniform in [0, 1)."""
        return (self.bits(keys, stream) >> np.uint64(11)).astype(np.float64) * 2.0**-53

    def below(self, keys: Keys, stream: int, n: int | Ints) -> Ints:
        """Uniform integer in [0, n)."""
        return (self.uniform(keys, stream) * n).astype(np.int64)

    def between(self, keys: Keys, stream: int, low: int | Ints, high: int | Ints) -> Ints:
        """Uniform integer in [low, high]; ``low`` where ``high < low``."""
        width = np.maximum(np.asarray(high, dtype=np.int64) - low + 1, 1)
        return np.asarray(low, dtype=np.int64) + self.below(keys, stream, width)

    def choice(self, keys: Keys, stream: int, weights: Sequence[float]) -> Ints:
        """Index into ``weights``, drawn in proportion to them."""
        cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
        picked = np.searchsorted(cumulative / cumulative[-1], self.uniform(keys, stream), "right")
        return np.minimum(picked, len(weights) - 1).astype(np.int64)

    def value(self, stream: int, n: int) -> int:
        """One integer in [0, n) for a whole run (a permutation's shift)."""
        return int(self.below(np.zeros(1, dtype=np.uint64), stream, n)[0]) if n > 0 else 0


class Shuffle:
    """A keyed bijection of [0, size): a four-round Feistel network over the smallest
    power of four not below ``size``, cycle-walked back into range. Unlike ``a·i + b mod n``
    it leaves no arithmetic pattern in which rows hold a role or which humans are adjacent."""

    __slots__ = ("_half", "_mask", "_round_keys", "size")

    def __init__(self, size: int, draw: Draw, stream: int) -> None:
        bits = max(2, (max(size, 1) - 1).bit_length())
        self.size = size
        self._half = np.uint64((bits + 1) // 2)
        self._mask = np.uint64((1 << int(self._half)) - 1)
        self._round_keys = draw.bits(keys(0, np.arange(4, dtype=np.int64)), stream)

    def _feistel(self, value: Keys, forward: bool) -> Keys:
        left, right = value >> self._half, value & self._mask
        for key in self._round_keys if forward else self._round_keys[::-1]:
            if forward:
                left, right = right, left ^ (_mix(right ^ key) & self._mask)
            else:
                left, right = right ^ (_mix(left ^ key) & self._mask), left
        return (left << self._half) | right

    def _walk(self, values: Ints, forward: bool) -> Ints:
        # Walking from outside [0, size) might never come back into it.
        if len(values) and (int(values.min()) < 0 or int(values.max()) >= self.size):
            raise ValueError("value outside the shuffled range")
        out = self._feistel(values.astype(np.uint64), forward)
        pending = out >= self.size
        while pending.any():
            out[pending] = self._feistel(out[pending], forward)
            pending = out >= self.size
        return out.astype(np.int64)

    def forward(self, values: Ints) -> Ints:
        return self._walk(values, True)

    def backward(self, values: Ints) -> Ints:
        return self._walk(values, False)


# ------------------------------------------------------------------------------------------
# Roles and the answer key's counts
# ------------------------------------------------------------------------------------------


class Role(IntEnum):
    """What a roll row is for. Planted rows first; the twins and normal special cases after."""

    NORMAL = 0
    PAID_AFTER_DEATH = 1
    ACCOUNT_AFTER_DEATH = 2
    PAID_WHILE_IMPRISONED = 3
    NOT_RESUMED = 4
    CERT_MISSING = 5
    OVER_100 = 6
    SHARED_ACCOUNT = 7
    ALTERED_BIRTH = 8
    TWO_REGIONS = 9  # the second employee row
    IDENTITY_CHANGE = 10  # the second row, new ID and/or name
    DUP_EXACT = 11  # resident rows
    DUP_ID15 = 12
    DUP_VARIANT = 13
    DUP_TYPO = 14
    TARGET_EXACT = 15  # the employee rows the duplicates copy
    TARGET_ID15 = 16
    TARGET_VARIANT = 17
    TARGET_TYPO = 18
    TARGET_TWO_REGIONS = 19
    TARGET_IDENTITY = 20
    CENTENARIAN = 21  # over 100, alive, recent signs of life
    DIED = 22  # death recorded, pension stopped correctly
    JAILED = 23  # imprisoned, suspended correctly
    RELEASED = 24  # imprisoned, released, resumed
    PENDING = 25  # 在押未定罪, suspended
    ACQUITTED = 26  # paid back, paying
    NON_CUSTODIAL = 27  # keeps the pension
    CERT_SUSPENDED = 28  # no certification, suspended correctly
    BAD_RECORD_TARGET = 29  # a bad partner record names this living pensioner


# Duplicates and their twins: (second row's role, twin's role).
TWINS: Mapping[Role, Role] = {
    Role.DUP_EXACT: Role.TARGET_EXACT,
    Role.DUP_ID15: Role.TARGET_ID15,
    Role.DUP_VARIANT: Role.TARGET_VARIANT,
    Role.DUP_TYPO: Role.TARGET_TYPO,
    Role.TWO_REGIONS: Role.TARGET_TWO_REGIONS,
    Role.IDENTITY_CHANGE: Role.TARGET_IDENTITY,
}

# Planted anomalies per 10,000,000 employee-scheme pensioners (scaled linearly, at least 1).
PER_10M: Mapping[str, int] = {
    "paid_after_death": 10_000,
    "account_changed_after_death": 300,
    "paid_while_imprisoned": 2_000,
    "not_resumed_after_release": 500,
    "duplicate_exact": 10_000,
    "duplicate_id15": 3_000,
    "duplicate_identity_change": 1_000,
    "duplicate_name_variant": 2_000,
    "duplicate_id_typo": 1_000,
    "duplicate_two_regions": 1_000,
    "certification_missing": 3_000,
    "over_100_no_sign": 200,
    "shared_account": 300,  # groups of 3-5 pensioners
    "altered_birth_date": 500,
    "bad_partner_record": 100,  # of each of the four kinds
}
# Normal special cases per 10,000,000 (not in the answer key).
CENTENARIANS_PER_10M = 800
CERT_SUSPENDED_PER_10M = 2_000

ANOMALY_OF: Mapping[Role, str] = {
    Role.PAID_AFTER_DEATH: "paid_after_death",
    Role.ACCOUNT_AFTER_DEATH: "account_changed_after_death",
    Role.PAID_WHILE_IMPRISONED: "paid_while_imprisoned",
    Role.NOT_RESUMED: "not_resumed_after_release",
    Role.CERT_MISSING: "certification_missing",
    Role.OVER_100: "over_100_no_sign",
    Role.SHARED_ACCOUNT: "shared_account",
    Role.ALTERED_BIRTH: "altered_birth_date",
    Role.TWO_REGIONS: "duplicate_two_regions",
    Role.IDENTITY_CHANGE: "duplicate_identity_change",
    Role.DUP_EXACT: "duplicate_exact",
    Role.DUP_ID15: "duplicate_id15",
    Role.DUP_VARIANT: "duplicate_name_variant",
    Role.DUP_TYPO: "duplicate_id_typo",
}

# Death records per department set (bit 1 公安, 2 卫健, 4 民政), as shares of deceased persons:
# 30 % in one department, 40 % in two, 30 % in all three.
DEPARTMENT_SETS = (1, 2, 4, 3, 5, 6, 7)
DEPARTMENT_SET_WEIGHTS = (0.15, 0.10, 0.05, 0.20, 0.10, 0.10, 0.30)
# Normal pensioners' justice records by role, as shares.
CUSTODY_SHARES: tuple[tuple[Role, float], ...] = (
    (Role.JAILED, 0.35),
    (Role.RELEASED, 0.25),
    (Role.PENDING, 0.15),
    (Role.ACQUITTED, 0.10),
    (Role.NON_CUSTODIAL, 0.15),
)
DIED_SHARE = 0.3  # normal deceased pensioners per death record left after the planted ones
CUSTODY_SHARE = 0.1  # normal pensioners per justice record left after the planted ones


def scaled(per_10m: int, pensioners: int) -> int:
    return max(1, round(per_10m * pensioners / 10_000_000))


def planted_mask(rank: int, role: Role) -> int:
    """Departments reporting a planted death (by rank, so the totals are known in advance)."""
    mask = DEPARTMENT_SETS[rank % len(DEPARTMENT_SETS)]
    if role is Role.PAID_AFTER_DEATH and rank % 20 == 3:
        mask |= 3  # 公安 and 卫健 give different dates
    return mask


def death_records(mask: Ints | int, twice: Ints | bool) -> Ints:
    """Records of one death: one per department, plus the second 公安 record of 'dies twice'."""
    bits = np.asarray(mask, dtype=np.int64)
    records: Ints = (bits & 1) + (bits >> 1 & 1) + (bits >> 2 & 1)
    return records + np.asarray(twice, dtype=np.int64)


def dies_twice(role: Role, rank: int) -> bool:
    return role is Role.PAID_AFTER_DEATH and rank % 20 == 7


@dataclass(frozen=True)
class Counts:
    """Role counts of both ranges and what is left for people who are not on the roll."""

    employee: tuple[tuple[Role, int], ...]
    resident: tuple[tuple[Role, int], ...]
    shared_sizes: tuple[int, ...]
    bad_each: int
    outsider_deaths: int  # death records left for the deceased who are not on the roll
    outsider_custody: int  # justice records left for those who are not on the roll

    def of(self, role: Role) -> int:
        return dict(self.employee).get(role, 0) + dict(self.resident).get(role, 0)


def count_roles(pensioners: int, residents: int, deaths: int, imprisonments: int) -> Counts:
    """Exact role counts; raises ``ValueError`` when a range or a record budget is too small."""
    n = {code: scaled(per, pensioners) for code, per in PER_10M.items()}
    sizes = tuple(3 + group % 3 for group in range(n["shared_account"]))
    planted = _planted_roles(n, sum(sizes))
    twins = [(TWINS[role], count) for role, count in planted if role in TWINS]
    dup_roles = {Role.DUP_EXACT, Role.DUP_ID15, Role.DUP_VARIANT, Role.DUP_TYPO}
    employee = [(role, count) for role, count in planted if role not in dup_roles] + twins
    resident = [(role, count) for role, count in planted if role in dup_roles]
    employee += [
        (Role.CENTENARIAN, scaled(CENTENARIANS_PER_10M, pensioners)),
        (Role.CERT_SUSPENDED, scaled(CERT_SUSPENDED_PER_10M, pensioners)),
        (Role.BAD_RECORD_TARGET, 3 * n["bad_partner_record"]),
    ]
    death_budget = deaths - _planted_death_records(planted, n["bad_partner_record"])
    custody_budget = imprisonments - n["paid_while_imprisoned"] - n["not_resumed_after_release"]
    if death_budget < 0 or custody_budget < 0:
        raise ValueError("deaths or imprisonments below the planted records they must hold")
    died = math.floor(DIED_SHARE * death_budget)
    custody = _custody_counts(math.floor(CUSTODY_SHARE * custody_budget))
    share = pensioners / (pensioners + residents)
    for role, count in ((Role.DIED, died), *custody):
        on_employee = round(count * share)
        employee.append((role, on_employee))
        resident.append((role, count - on_employee))
    if sum(c for _, c in employee) > pensioners or sum(c for _, c in resident) > residents:
        raise ValueError("too few pensioners or residents for the planted anomalies")
    return Counts(
        employee=tuple(employee),
        resident=tuple(resident),
        shared_sizes=sizes,
        bad_each=n["bad_partner_record"],
        outsider_deaths=death_budget,  # less the normal deceased pensioners' records
        outsider_custody=custody_budget - sum(count for _, count in custody),
    )


def _planted_roles(n: Mapping[str, int], shared_members: int) -> list[tuple[Role, int]]:
    by_code = {code: role for role, code in ANOMALY_OF.items()}
    roles = [(by_code[code], n[code]) for code in PER_10M if code in by_code]
    return [(role, shared_members if role is Role.SHARED_ACCOUNT else c) for role, c in roles]


def _planted_death_records(planted: Sequence[tuple[Role, int]], bad_each: int) -> int:
    total = 4 * bad_each  # one record per bad partner record
    for role, count in planted:
        if role in (Role.PAID_AFTER_DEATH, Role.ACCOUNT_AFTER_DEATH):
            total += sum(
                int(death_records(planted_mask(rank, role), dies_twice(role, rank)))
                for rank in range(count)
            )
    return total


def _custody_counts(total: int) -> list[tuple[Role, int]]:
    counts = [(role, math.floor(total * share)) for role, share in CUSTODY_SHARES]
    counts[0] = (Role.JAILED, counts[0][1] + total - sum(count for _, count in counts))
    return counts


@dataclass(frozen=True)
class Layout:
    """Roles over one range of rows (local numbers 0..size-1), exact counts, spread out."""

    size: int
    starts: Mapping[Role, int]
    counts: Mapping[Role, int]
    special: int  # rows with a role other than NORMAL
    shuffle: Shuffle

    @classmethod
    def build(
        cls, size: int, roles: Sequence[tuple[Role, int]], draw: Draw, stream: int
    ) -> "Layout":
        starts: dict[Role, int] = {}
        total = 0
        for role, count in roles:
            starts[role] = total
            total += count
        return cls(size, starts, dict(roles), total, Shuffle(size, draw, stream))

    def assign(self, local: Ints) -> tuple[Ints, Ints]:
        """Role and rank (0-based within its role) of every local row number."""
        position = self.shuffle.forward(local)
        roles = np.array([Role.NORMAL, *self.starts], dtype=np.int64)
        starts = np.array([0, *self.starts.values()], dtype=np.int64)
        at = np.searchsorted(starts, position, "right") - 1
        special = position < self.special
        role = np.where(special, roles[at], Role.NORMAL)
        rank = np.where(special, position - starts[at], 0)
        return role.astype(np.int64), rank.astype(np.int64)

    def rows(self, role: Role, ranks: Ints) -> Ints:
        """Local row numbers holding ranks of a role (the inverse of :meth:`assign`)."""
        return self.shuffle.backward(self.starts[role] + ranks)


# ------------------------------------------------------------------------------------------
# ID numbers (GB 11643-1999)
# ------------------------------------------------------------------------------------------

# 邯郸 address codes; 130421 邯郸县 was abolished in 2016 but stays in its people's numbers.
REGIONS = (
    "130406", "130402", "130403", "130404", "130407", "130408",
    "130421", "130423", "130424", "130425", "130426", "130427",
)  # fmt: skip
PAY_REGIONS = np.array([i for i, code in enumerate(REGIONS) if code != "130421"], np.int64)
REGION_NUMBERS = np.array([int(code) for code in REGIONS], dtype=np.int64)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


def check_index(body: Ints) -> Ints:
    """Index into ``CHECK_CHARACTERS`` of the MOD 11-2 check character of 17-digit bodies."""
    total = np.zeros(len(body), dtype=np.int64)
    rest = body.copy()
    for weight in reversed(_ID_WEIGHTS):
        total += weight * (rest % 10)
        rest //= 10
    return total % 11


def legacy_15(body: Ints) -> Ints:
    """The 15-digit form (GB 11643-1989): no century, no check character; births 1900-1999."""
    region, rest = body // 10**11, body % 10**11
    return region * 10**9 + rest % 10**9


def mistype(body: Ints, draw: Draw, key: Keys) -> Ints:
    """One digit of the sequence code (15th or 16th character) keyed wrong; sex unchanged."""
    place = np.where(draw.below(key, 41, 2) == 0, 100, 10)
    digit = body // place % 10
    wrong = (digit + 1 + draw.below(key, 42, 9)) % 10
    return body + (wrong - digit) * place


class Pool(IntEnum):
    """ID-number pools; pools never share a (birth date, sequence code) pair."""

    MAIN = 1  # ordinary pensioners, born 99 to 60 years before as_of
    SETTLED = 2  # retired over 3 years ago: time-bound plants (death, prison, certification)
    CENTENARY = 3  # born over 101 years before as_of
    RECENT = 4  # men retired in the last 36 months (the altered birth dates)
    CHANGED = 5  # second identities (双改)
    OUTSIDER = 6  # deceased persons not on the roll
    YOUNG = 7  # justice records of persons not on the roll, born 1967 and later


@dataclass(frozen=True, eq=False)
class IdPool:
    """Cells of one pool: address code, birth day and first sequence code of each cell."""

    region: Ints
    day: Ints
    base: Ints
    slots: int  # humans per cell; slot s has sequence code base + 2*(first_slot + s) + male
    first_slot: int
    male_only: bool
    shuffle: Shuffle

    @property
    def capacity(self) -> int:
        return len(self.region) * self.slots

    def locate(self, humans: Ints) -> tuple[Ints, Ints, Ints]:
        """Address-code index, birth day and sequence code less the sex bit of each human."""
        if len(humans) and int(humans.max()) >= self.capacity:
            raise ValueError("more humans than the ID pool holds")
        slot = self.shuffle.forward(humans)
        cell = slot // self.slots
        offset = slot % self.slots + self.first_slot
        return self.region[cell], self.day[cell], self.base[cell] + 2 * offset


def _pool(
    days: Ints,
    blocks: Ints,
    *,
    base: int,
    slots: int,
    draw: Draw,
    stream: int,
    first_slot: int = 0,
    male: bool = False,
) -> IdPool:
    """Cells for every (day, block, address code); block b starts at ``base + 2*slots*b``."""
    per_day = np.repeat(days, blocks)
    block = np.arange(len(per_day)) - np.repeat(np.cumsum(blocks) - blocks, blocks)
    count = len(REGIONS)
    capacity = len(per_day) * count * slots
    return IdPool(
        region=np.tile(np.arange(count, dtype=np.int64), len(per_day)),
        day=np.repeat(per_day, count),
        base=np.repeat(base + 2 * slots * block, count),
        slots=slots,
        first_slot=first_slot,
        male_only=male,
        shuffle=Shuffle(capacity, draw, stream),
    )


def _days(first: date, last: date) -> Ints:
    return np.arange(day_number(first), day_number(last) + 1, dtype=np.int64)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def male_retirement_months(birth_months: Ints) -> Ints:
    """Statutory age in months for men: 60, plus one month per four born from 1965-01
    (国务院关于渐进式提高法定退休年龄的决定, 2024), up to 63."""
    later = birth_months - 1965 * 12
    return 720 + np.where(later >= 0, np.minimum(later // 4 + 1, 36), 0)


def build_pools(as_of: date, draw: Draw) -> dict[Pool, IdPool]:
    """The pools for a snapshot date; MAIN's birth-year density falls after age 68."""
    end_month = month_number(as_of)
    main_first, main_last = date(as_of.year - 99, 1, 1), _last_day(end_month - 721)
    main = _days(main_first, main_last)
    age = as_of.year - (main.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970)
    density = np.exp(-np.maximum(age.astype(np.float64) - 68, 0) / 7)
    blocks = np.clip(np.round(40 * density), 1, 40).astype(np.int64)
    recent = _recent_days(end_month)
    first_recent = EPOCH + timedelta(days=int(recent[0]))
    settled = _days(main_first, min(_years_before(as_of, 64), first_recent) - timedelta(days=1))
    centenary = _days(date(as_of.year - 108, 1, 1), _years_before(as_of, 101) - timedelta(1))
    young = _days(main_last + timedelta(days=1), _years_before(as_of, 18))
    one = np.ones(len(main), dtype=np.int64)
    settled_blocks = np.clip(np.round(5 * density[: len(settled)]), 1, 5).astype(np.int64)
    return {
        Pool.MAIN: _pool(main, blocks, base=100, slots=10, draw=draw, stream=61),
        Pool.SETTLED: _pool(settled, settled_blocks, base=900, slots=10, draw=draw, stream=62),
        Pool.CENTENARY: _pool(
            centenary, np.full(len(centenary), 40), base=100, slots=10, draw=draw, stream=63
        ),
        Pool.RECENT: _pool(
            recent,
            np.ones(len(recent), np.int64),
            base=900,
            slots=50,
            male=True,
            draw=draw,
            stream=64,
        ),
        Pool.CHANGED: _pool(main, one, base=0, slots=10, first_slot=40, draw=draw, stream=65),
        Pool.OUTSIDER: _pool(main, one, base=0, slots=40, draw=draw, stream=66),
        Pool.YOUNG: _pool(young, np.full(len(young), 4), base=100, slots=10, draw=draw, stream=67),
    }


def _last_day(month: int) -> date:
    """Last day of a month index."""
    return date((month + 1) // 12, (month + 1) % 12 + 1, 1) - timedelta(days=1)


def _recent_days(end_month: int) -> Ints:
    """Birth days of men whose pension began in the last 36 months."""
    months = np.arange(end_month - 800, end_month - 700, dtype=np.int64)
    first = months + male_retirement_months(months) + 1
    chosen = months[(first > end_month - 36) & (first <= end_month)]
    return np.arange(month_starts(chosen[:1])[0], month_starts(chosen[-1:] + 1)[0], dtype=np.int64)


# ------------------------------------------------------------------------------------------
# Names
# ------------------------------------------------------------------------------------------

# Given-name characters for people born before 1967; every one has a homophone below.
_OLD_MALE = (
    "建志文立振红德保福春秋新胜明俊永长玉金树",
    "华军平明生林忠山成福全义清喜富伟东涛峰杰辉刚",
)
_OLD_FEMALE = ("秀桂淑玉春翠兰金月香爱荣丽红艳小", "英兰珍芳桦荣梅琴云红萍丽娟静燕玲")
_OLD_SINGLE = ("伟强军杰涛明刚平辉华峰东", "芳敏静丽艳娟燕玲萍红英梅琴兰")
_YOUNG_MALE = ("子浩宇博天家俊一泽思嘉晨鑫志佳明文梓铭", "轩宇阳豪睿涛航鹏杰然博晨辉凯琦帆浩磊")
_YOUNG_FEMALE = ("欣雨思佳梦诗子雅婉梓晓嘉可一心", "怡涵琪婷雪悦琳妍萱彤瑶璐洁丹颖")
_YOUNG_SINGLE = ("伟强磊军勇杰涛斌超鹏飞鑫宁龙浩亮健峰俊", "娜敏静丽娟霞燕玲婷颖雪慧丹倩莉琴")
SINGLE_SHARE = 0.03

HOMOPHONES: Mapping[str, str] = dict(
    zip(
        "建志文立振红德保福春秋新胜明俊永长玉金树华军平生林忠山成全义清喜富伟东涛峰杰辉刚"
        "秀桂淑翠兰月香爱荣丽艳小英珍芳桦梅琴云萍娟静燕玲强敏",
        "健智雯力震虹得宝富椿丘欣圣铭骏勇常钰今恕骅君萍升琳中珊诚泉艺青禧福玮冬滔锋洁晖钢"
        "琇贵姝萃岚悦湘艾蓉莉燕晓瑛真方华玫勤芸平鹃婧艳铃蔷闵",
        strict=True,
    )
)
TRADITIONAL: Mapping[str, str] = dict(
    zip(
        "张刘陈杨赵黄吴孙郑冯韩邓许吕苏卢蒋贾叶闫钟邹陆顾龙万钱汤龚乔贺赖马罗谢谭欧阳诸萧"
        "国华军义东涛杰辉刚伟红长树胜兰爱荣丽艳云静桦宝贵凤庆卫强",
        "張劉陳楊趙黃吳孫鄭馮韓鄧許呂蘇盧蔣賈葉閆鍾鄒陸顧龍萬錢湯龔喬賀賴馬羅謝譚歐陽諸蕭"
        "國華軍義東濤傑輝剛偉紅長樹勝蘭愛榮麗艷雲靜樺寶貴鳳慶衛強",
        strict=True,
    )
)

SURNAMES: tuple[str, ...] = tuple(surname for surname, _ in SURNAME_SHARES)
_SURNAME_CUMULATIVE = np.cumsum([share for _, share in SURNAME_SHARES])
GIVEN: tuple[str, ...] = tuple(
    dict.fromkeys(
        "".join(_OLD_MALE + _OLD_FEMALE + _OLD_SINGLE + _YOUNG_MALE + _YOUNG_FEMALE + _YOUNG_SINGLE)
    )
)
_GIVEN_INDEX = {character: index + 1 for index, character in enumerate(GIVEN)}  # SQL: 1-based


def _codes(characters: str) -> Ints:
    return np.array([_GIVEN_INDEX[c] for c in characters], dtype=np.int64)


# (young, male) -> (first characters, second characters, single-character names)
_POOLS = {
    (False, True): (_codes(_OLD_MALE[0]), _codes(_OLD_MALE[1]), _codes(_OLD_SINGLE[0])),
    (False, False): (_codes(_OLD_FEMALE[0]), _codes(_OLD_FEMALE[1]), _codes(_OLD_SINGLE[1])),
    (True, True): (_codes(_YOUNG_MALE[0]), _codes(_YOUNG_MALE[1]), _codes(_YOUNG_SINGLE[0])),
    (True, False): (_codes(_YOUNG_FEMALE[0]), _codes(_YOUNG_FEMALE[1]), _codes(_YOUNG_SINGLE[1])),
}


def name_codes(draw: Draw, key: Keys, male: Flags, young: Flags) -> tuple[Ints, Ints, Ints]:
    """Surname and given-name character codes (1-based, 0: none) of each human."""
    share = draw.uniform(key, 51) * _SURNAME_CUMULATIVE[-1]
    surname = np.searchsorted(_SURNAME_CUMULATIVE, share, "right").astype(np.int64) + 1
    surname = np.minimum(surname, len(SURNAMES))
    first = np.zeros(len(key), dtype=np.int64)
    second = np.zeros(len(key), dtype=np.int64)
    single = draw.uniform(key, 52) < SINGLE_SHARE
    for (is_young, is_male), (firsts, seconds, singles) in _POOLS.items():
        pair = (young == is_young) & (male == is_male)
        one = pair & single
        two = pair & ~single
        first[one] = singles[draw.below(key[one], 53, len(singles))]
        first[two] = firsts[draw.below(key[two], 54, len(firsts))]
        second[two] = seconds[draw.below(key[two], 55, len(seconds))]
    return surname, first, second


def name_text(surname: int, first: int, second: int) -> str:
    """The name a row of codes spells (as the SQL builds it)."""
    given = GIVEN[first - 1] + (GIVEN[second - 1] if second else "")
    return SURNAMES[surname - 1] + given


def variant_name(surname: int, first: int, second: int, rank: int) -> str:
    """The same name written differently: in traditional characters (even ranks, when that
    changes it), else with the first given-name character replaced by a homophone."""
    family = SURNAMES[surname - 1]
    given = name_text(surname, first, second)[len(family) :]
    if rank % 2 == 0:
        traditional = "".join(TRADITIONAL.get(c, c) for c in family + given)
        if traditional != family + given:
            return traditional
    return family + HOMOPHONES[given[0]] + given[1:]
