"""Roles of the fund-guard bulk roll and the answer key's counts.

A roll row's role says what it is for: a planted anomaly, the employee twin a duplicate
copies, a normal special case (died, jailed, centenarian...) or nothing special. This module
holds the rates (``PER_10M``, per 10,000,000 employee pensioners), :func:`count_roles`, which
turns the requested sizes into exact role counts and the record budgets left for people not on
the roll, and :class:`Layout`, which spreads each role's exact count over a range of rows via a
:class:`~retirelink.demo.fund_bulk_draws.Shuffle`, so that a row's role follows from its number
and the row holding rank ``k`` of a role (a duplicate's twin, an account's holder) can be found.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from retirelink.demo.fund_bulk_draws import Draw, Ints, Shuffle

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
