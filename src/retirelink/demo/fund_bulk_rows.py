"""The roll rows of one chunk of the fund-guard bulk data, computed column by column.

:func:`chunk_rows` turns a range of row numbers into a :class:`Rows`: each row's role and rank
from the layouts, then its identity (the duplicates' twists and the 双改 identity changes), its
scheme, paying region and amounts, its life (deaths, custody and the suspensions they cause),
its signs of life and certification, and its bank account. Every step draws from the row's key
only, so a row comes out the same whatever the chunk.
"""

from collections.abc import Mapping

import numpy as np

from retirelink.demo.fund_bulk_draws import (
    NO_DAY,
    ROW_SPACE,
    Draw,
    Flags,
    Ints,
    Keys,
    keys,
    month_starts,
    months_of,
)
from retirelink.demo.fund_bulk_people import (
    CHECK_CHARACTERS,
    PAY_REGIONS,
    REGION_NUMBERS,
    Pool,
    legacy_15,
    male_retirement_months,
    mistype,
    name_text,
    variant_name,
)
from retirelink.demo.fund_bulk_plan import (
    ACQUITTED,
    EMPLOYEE,
    IMPRISONMENT,
    INSTITUTION,
    NAME_FIELDS,
    NON_CUSTODIAL,
    PAYING,
    PENDING,
    RESIDENT,
    STOPPED,
    SUSPENDED,
    People,
    Plan,
    Rows,
    none,
    nulls,
    people,
)
from retirelink.demo.fund_bulk_roles import (
    DEPARTMENT_SET_WEIGHTS,
    DEPARTMENT_SETS,
    TWINS,
    Role,
    planted_mask,
)

_SIGN_COUNT_WEIGHTS = (0.25, 0.30, 0.25, 0.20)  # 0-3 signs of life in the last 12 months

_DEATH_PLANTS = (Role.PAID_AFTER_DEATH, Role.ACCOUNT_AFTER_DEATH)
_CUSTODY_KIND: Mapping[Role, int] = {
    Role.JAILED: IMPRISONMENT,
    Role.RELEASED: IMPRISONMENT,
    Role.PAID_WHILE_IMPRISONED: IMPRISONMENT,
    Role.NOT_RESUMED: IMPRISONMENT,
    Role.PENDING: PENDING,
    Role.ACQUITTED: ACQUITTED,
    Role.NON_CUSTODIAL: NON_CUSTODIAL,
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


def _humans(plan: Plan, rows: "Rows") -> tuple[Ints, Ints]:
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


def chunk_rows(plan: Plan, low: int, high: int) -> Rows:
    idx = np.arange(low, high, dtype=np.int64)
    resident = idx >= plan.employees
    role, rank = np.zeros(len(idx), dtype=np.int64), np.zeros(len(idx), dtype=np.int64)
    for where, layout, offset in (
        (~resident, plan.employee, 0),
        (resident, plan.resident, plan.employees),
    ):
        if where.any():
            role[where], rank[where] = layout.assign(idx[where] - offset)
    rows = Rows(idx, role, rank, resident, keys(ROW_SPACE, idx))
    _identify(plan, rows)
    _schemes_and_amounts(plan, rows)
    _life(plan, rows)
    _certification(plan, rows)
    _accounts(plan, rows)
    return rows


def _identify(plan: Plan, rows: Rows) -> None:
    """ID number and name of each row, the planted duplicates' twists included."""
    rows.people = people(plan, *_humans(plan, rows))
    n = len(rows.idx)
    rows.id_body, rows.id_check = rows.people.body.copy(), rows.people.check.copy()
    rows.name_text, rows.previous_id, rows.previous_name = none(n), none(n), none(n)
    id15 = rows.is_(Role.DUP_ID15)
    rows.id_body[id15], rows.id_check[id15] = legacy_15(rows.people.body[id15]), -1
    typo = rows.is_(Role.DUP_TYPO)
    rows.id_body[typo] = mistype(rows.people.body[typo], plan.draw, rows.key[typo])
    for i in np.flatnonzero(rows.is_(Role.DUP_VARIANT)):
        codes = (int(rows.people.surname[i]), int(rows.people.first[i]), int(rows.people.second[i]))
        rows.name_text[i] = variant_name(*codes, int(rows.rank[i]))
    _change_identities(plan, rows)


def _change_identities(plan: Plan, rows: Rows) -> None:
    """双改: rank % 4 == 0 new number, 1-2 new number and name, 3 new name only."""
    where = rows.is_(Role.IDENTITY_CHANGE)
    if not where.any():
        return
    old = rows.people.take(where)
    rank = rows.rank[where]
    new = people(plan, np.full(len(rank), Pool.CHANGED), rank, old.male.astype(np.int64))
    renumber, rename = rank % 4 != 3, rank % 4 != 0
    merged = old.take(np.ones(len(rank), dtype=bool))
    merged.put(renumber, new.take(renumber), ("region", "day", "body", "check"))
    merged.put(rename, new.take(rename), NAME_FIELDS)
    rows.people.put(where, merged)
    rows.id_body[where], rows.id_check[where] = merged.body, merged.check
    for j, i in enumerate(np.flatnonzero(where)):
        old_name = name_text(int(old.surname[j]), int(old.first[j]), int(old.second[j]))
        if renumber[j]:
            rows.previous_id[i] = id_text(int(old.body[j]), int(old.check[j]))
        if rename[j]:
            rows.previous_name[i] = old_name
            new_name = name_text(
                int(merged.surname[j]), int(merged.first[j]), int(merged.second[j])
            )
            if new_name == old_name:  # drawn the same by chance: change one character
                rows.name_text[i] = variant_name(
                    int(old.surname[j]), int(old.first[j]), int(old.second[j]), 1
                )


def id_text(body: int, check: int) -> str:
    return str(body) + (CHECK_CHARACTERS[check] if check >= 0 else "")


def _schemes_and_amounts(plan: Plan, rows: Rows) -> None:
    draw, key = plan.draw, rows.key
    institution = (draw.uniform(key, 1) < 0.03) & ~rows.is_(
        Role.ALTERED_BIRTH, Role.TWO_REGIONS, Role.TARGET_TWO_REGIONS
    )
    rows.scheme = np.where(rows.resident, RESIDENT, np.where(institution, INSTITUTION, EMPLOYEE))
    rows.pay_region = _pay_region(plan, rows.idx, rows.people.region)
    second = rows.is_(Role.TWO_REGIONS, Role.IDENTITY_CHANGE)
    if second.any():  # the second row is paid elsewhere than its twin
        twin = _twin_rows(plan, rows, second)
        twin_region = _pay_region(plan, twin, _twin_regions(plan, twin))
        position = np.searchsorted(PAY_REGIONS, twin_region)
        step = 1 + draw.below(key[second], 2, len(PAY_REGIONS) - 1)
        rows.pay_region[second] = PAY_REGIONS[(position + step) % len(PAY_REGIONS)]
    cadre = (rows.scheme == INSTITUTION) | (draw.uniform(key, 3) < 0.3)
    rows.first = _first_months(plan, rows.people, rows.scheme, cadre)
    employee_cents = 200_000 + (600_000 * draw.uniform(key, 4) ** 1.8).astype(np.int64)
    institution_cents = 400_000 + draw.below(key, 5, 400_001)
    age = (plan.today - rows.people.day) // 365
    basic = 15_300 + np.where(age >= 80, 2_000, np.where(age >= 70, 1_000, 0))
    resident_cents = np.minimum(
        basic + (draw.uniform(key, 6) ** 2 * 21_000).astype(np.int64), 40_000
    )
    rows.cents = np.select(
        [rows.scheme == RESIDENT, rows.scheme == INSTITUTION],
        [resident_cents, institution_cents],
        employee_cents,
    )
    rows.basic = np.where(rows.scheme == RESIDENT, basic, -1)


def _twin_rows(plan: Plan, rows: Rows, where: Flags) -> Ints:
    twin = np.zeros(int(where.sum()), dtype=np.int64)
    role, rank = rows.role[where], rows.rank[where]
    for second, first in TWINS.items():
        mine = role == second
        twin[mine] = plan.employee.rows(first, rank[mine])
    return twin


def _twin_regions(plan: Plan, twin: Ints) -> Ints:
    return people(plan, np.full(len(twin), Pool.MAIN), twin).region


def _pay_region(plan: Plan, idx: Ints, id_region: Ints) -> Ints:
    """The paying agency: mostly where the ID number was issued (never the abolished 130421)."""
    key = keys(ROW_SPACE, idx)
    moved = (plan.draw.uniform(key, 7) < 0.1) | (REGION_NUMBERS[id_region] == 130421)
    other = PAY_REGIONS[plan.draw.below(key, 8, len(PAY_REGIONS))]
    return np.where(moved, other, id_region)


def _first_months(plan: Plan, people: People, scheme: Ints, cadre: Flags) -> Ints:
    """First pension month: the month after the statutory age (2024 reform included); men
    who would reach it after as_of retired at 55 from a 特殊工种; residents at 60."""
    born = months_of(people.day)
    women_55 = 660 + np.where(born >= 1970 * 12, np.minimum((born - 1970 * 12) // 4 + 1, 36), 0)
    women_50 = 600 + np.where(born >= 1975 * 12, np.minimum((born - 1975 * 12) // 2 + 1, 60), 0)
    age = np.where(people.male, male_retirement_months(born), np.where(cadre, women_55, women_50))
    first = born + age + 1
    first = np.where(people.male & (first > plan.end_month), born + 661, first)
    resident = np.maximum(born + 721, 2011 * 12 + 6)
    return np.where(scheme == RESIDENT, resident, first)


def _life(plan: Plan, rows: Rows) -> None:
    """Status, paid months, deaths and custody of each row."""
    n = len(rows.idx)
    rows.status = np.full(n, PAYING, dtype=np.int64)
    rows.paid_to = np.full(n, plan.end_month, dtype=np.int64)
    rows.resumed = np.full(n, -1, dtype=np.int64)
    rows.died, rows.died_alt, rows.held, rows.freed = nulls(n), nulls(n), nulls(n), nulls(n)
    rows.departments = np.zeros(n, dtype=np.int64)
    rows.custody = np.full(n, -1, dtype=np.int64)
    rows.sign_low = np.full(n, plan.sign_from, dtype=np.int64)
    rows.sign_high = np.full(n, plan.today, dtype=np.int64)
    _deaths(plan, rows)
    _custody(plan, rows)


def _deaths(plan: Plan, rows: Rows) -> None:
    draw, today = plan.draw, plan.today
    died = rows.is_(Role.DIED)
    key, first_day = rows.key[died], rows.first_day[died]
    day = draw.between(key, 10, np.maximum(first_day, today - 8 * 365), today - 1)
    month = np.maximum(months_of(day) - (draw.uniform(key, 11) < 0.3), rows.first[died])
    rows.died[died], rows.paid_to[died], rows.status[died] = day, month, STOPPED
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


def _earliest_death(rows: Rows) -> Ints:
    """The date a checker takes: the earliest over all departments' records."""
    return np.where(rows.died_alt != NO_DAY, np.minimum(rows.died, rows.died_alt), rows.died)


def _custody(plan: Plan, rows: Rows) -> None:
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
            rows.status[where], rows.paid_to[where] = SUSPENDED, months_of(held)
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


def _certification(plan: Plan, rows: Rows) -> None:
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
    rows.paid_to[lapsed], rows.status[lapsed] = stop[lapsed], SUSPENDED


def _accounts(plan: Plan, rows: Rows) -> None:
    """Own account for everyone except the shared-account groups; the archive birth date."""
    draw, key, n, today = plan.draw, rows.key, len(rows.idx), plan.today
    rows.account_of = rows.idx + 1
    rows.payee = rows.people.take(np.ones(n, dtype=bool))
    alive_until = np.where(rows.died != NO_DAY, _earliest_death(rows) - 1, today)
    changed = draw.between(key, 40, rows.first_day, alive_until)
    rows.account_changed = np.where(draw.uniform(key, 41) < 0.15, changed, NO_DAY)
    rows.payee_changed = nulls(n)
    after = rows.is_(Role.ACCOUNT_AFTER_DEATH)
    rows.account_changed[after] = draw.between(key[after], 42, rows.died[after] + 10, today - 5)
    _share_accounts(plan, rows)
    same = draw.uniform(key, 43) < 0.4
    rows.archive_birth = np.where(same, rows.people.day, NO_DAY)
    altered = rows.is_(Role.ALTERED_BIRTH)
    later = rows.people.day[altered] + draw.between(key[altered], 44, 365, 5 * 365)
    rows.archive_birth[altered] = later


def _share_accounts(plan: Plan, rows: Rows) -> None:
    where = rows.is_(Role.SHARED_ACCOUNT)
    if not where.any():
        return
    rank = rows.rank[where]
    group = np.searchsorted(plan.group_starts, rank, "right") - 1
    holder = plan.employee.rows(Role.SHARED_ACCOUNT, plan.group_starts[group])
    rows.account_of[where] = holder + 1
    rows.payee.put(where, people(plan, np.full(len(holder), Pool.MAIN), holder))
    joined = plan.draw.between(rows.key[where], 45, rows.first_day[where], plan.today - 30)
    member = holder != rows.idx[where]
    rows.account_changed[where] = np.where(member, joined, rows.account_changed[where])
    rows.payee_changed[where] = np.where(member, joined, NO_DAY)
