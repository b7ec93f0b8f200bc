"""Output frames of the fund-guard bulk data and the answer key's rows.

A frame is a dict of NumPy columns for one table of one chunk (pensioners, payments, signs of
life, partner events), which the writer's SQL turns into the snapshot's columns. Besides the
roll's own records, the partner events include the records of people not on the roll and the
bad records a checker must reject. The answer key (``planted.parquet``) is built alongside:
one row per planted anomaly, with a note in 中文 saying what a checker should see.
"""

from typing import Any

import numpy as np
import numpy.typing as npt

from retirelink.demo.fund_bulk_draws import (
    GARBAGE_SPACE,
    NO_DAY,
    OUTSIDE_CUSTODY,
    OUTSIDE_DEATH,
    SIGN_SPACE,
    Flags,
    Ints,
    Keys,
    Objects,
    keys,
    month_starts,
)
from retirelink.demo.fund_bulk_people import Pool
from retirelink.demo.fund_bulk_plan import (
    ACQUITTED,
    IMPRISONMENT,
    NON_CUSTODIAL,
    PENDING,
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
    Role,
    death_records,
)
from retirelink.demo.fund_bulk_rows import id_text

Frame = dict[str, npt.NDArray[Any]]
PlantedRow = tuple[str, int | None, str, int | None, str]

SOURCES = (
    "medical_settlement",
    "hospital_stay",
    "travel",
    "bank_activity",
    "in_person",
    "self_service",
)
SOURCE_PREFIXES = ("YB", "ZY", "CX", "YH", "XC", "ZZ")
_SOURCE_WEIGHTS = (0.35, 0.10, 0.10, 0.25, 0.08, 0.12)
_GARBAGE = "0123456789ABCDEFGHJKLMNPQRTUWXY"


# ------------------------------------------------------------------------------------------
# Output frames (NumPy columns; DuckDB turns them into the snapshot's columns)
# ------------------------------------------------------------------------------------------


def _name_columns(people: People, prefix: str = "") -> Frame:
    return {
        f"{prefix}surname": people.surname,
        f"{prefix}given1": people.first,
        f"{prefix}given2": people.second,
    }


def _before_adjustment(cents: Ints) -> Ints:
    """The amount before the January adjustment: cents / 1.02, rounded half up to the fen."""
    return (200 * cents + 102) // 204


def account_numbers(plan: Plan, pension_ids: Ints) -> Ints:
    """15 digits after the 6217 bank prefix; injective in the pension_id."""
    return (pension_ids * 738_029_417 + plan.account_shift) % 10**15


def pensioner_frame(plan: Plan, rows: Rows) -> Frame:
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
        "account": account_numbers(plan, rows.account_of),
        "payee_self": rows.account_of == rows.idx + 1,
        **_name_columns(rows.payee, "payee_"),
        "account_changed": rows.account_changed,
        "payee_changed": rows.payee_changed,
        "previous_id": rows.previous_id,
        "previous_name": rows.previous_name,
        "certified": rows.certified,
        "archive_birth": rows.archive_birth,
    }


def payment_frame(plan: Plan, rows: Rows) -> Frame:
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


def sign_frame(plan: Plan, rows: Rows) -> Frame:
    owner = np.repeat(np.arange(len(rows.idx)), rows.signs)
    nth = np.arange(len(owner)) - np.repeat(np.cumsum(rows.signs) - rows.signs, rows.signs)
    key = keys(SIGN_SPACE, rows.idx[owner] * 4 + nth)
    return {
        "id_body": rows.people.body[owner],
        "id_check": rows.people.check[owner],
        "source": plan.draw.choice(key, 1, _SOURCE_WEIGHTS),
        "seen": plan.draw.between(key, 2, rows.sign_low[owner], rows.sign_high[owner]),
    }


def _event_frame(
    department: int | Ints,
    kind: int | Ints,
    people: People,
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
        "id_text": none(n) if id_text is None else id_text,
        **_name_columns(people),
        "event": event,
        "end_day": end,
        "received": received,
        "order_key": (order >> np.uint64(1)).astype(np.int64),
    }


_RECEIVING_LAG = ((3, 60), (0, 20), (0, 10))  # days: 公安, 卫健, 民政


def _death_frames(
    plan: Plan, people: People, died: Ints, alt: Ints, twice: Flags, departments: Ints, key: Keys
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
                nulls(int(has.sum())),
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
            nulls(int(twice.sum())),
            received[twice],
            draw.bits(key[twice], 79),
        )
    )
    return frames


def roll_events(plan: Plan, rows: Rows) -> tuple[list[Frame], list[PlantedRow]]:
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


def _bad_records(plan: Plan, rows: Rows) -> tuple[Frame, list[PlantedRow]]:
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
        nulls(len(event)),
        received,
        draw.bits(key, 97),
        id_check=check,
    )
    return frame, _bad_planted(frame, rank)


def outsider_deaths(plan: Plan, records: int) -> list[Frame]:
    """Exactly ``records`` death records of people who are not on the roll."""
    humans = np.arange(records, dtype=np.int64)
    key = keys(OUTSIDE_DEATH, humans)
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
    outsiders = people(plan, np.full(persons, Pool.OUTSIDER), humans[:persons])
    died = plan.draw.between(key, 2, plan.today - 8 * 365, plan.today - 1)
    no_alt = nulls(persons)
    return _death_frames(plan, outsiders, died, no_alt, np.zeros(persons, bool), departments, key)


def outsider_custody(plan: Plan, count: int) -> Frame:
    """Justice records of people not on the roll (born 1967 and later)."""
    draw, today = plan.draw, plan.today
    humans = np.arange(count, dtype=np.int64)
    key = keys(OUTSIDE_CUSTODY, humans)
    kind = np.asarray((IMPRISONMENT, PENDING, NON_CUSTODIAL, ACQUITTED))[
        draw.choice(key, 1, (0.70, 0.12, 0.12, 0.06))
    ]
    held = draw.between(key, 2, today - 10 * 365, today - 1)
    length = np.select(
        [kind == IMPRISONMENT, kind == NON_CUSTODIAL, kind == ACQUITTED],
        [
            draw.between(key, 3, 60, 3000),
            draw.between(key, 4, 180, 1500),
            draw.between(key, 5, 30, 400),
        ],
        10**6,
    )
    ended = (held + length < today) & ((kind != IMPRISONMENT) | (draw.uniform(key, 6) < 0.5))
    freed = np.where(
        kind == ACQUITTED, np.minimum(held + length, today), np.where(ended, held + length, NO_DAY)
    )
    received = np.minimum(held + draw.between(key, 7, 1, 90), today)
    outsiders = people(plan, np.full(count, Pool.YOUNG), humans)
    return _event_frame(3, kind, outsiders, held, freed, received, draw.bits(key, 8))


def garbage(plan: Plan, count: int) -> tuple[Frame, list[PlantedRow]]:
    """15-character IDs that are no number at all (letters where digits belong)."""
    key = keys(GARBAGE_SPACE, np.arange(count, dtype=np.int64))
    characters = [plan.draw.below(key, 10 + i, len(_GARBAGE)) for i in range(15)]
    texts = ["".join(_GARBAGE[int(c[j])] for c in characters) for j in range(count)]
    texts = [text[:7] + "ABCDEFGHJK"[j % 10] + text[8:] for j, text in enumerate(texts)]
    outsiders = people(
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
        outsiders,
        event,
        nulls(count),
        received,
        plan.draw.bits(key, 32),
        id_text=id_text,
    )
    planted: list[PlantedRow] = [
        ("bad_partner_record", None, text, None, "15位乱码身份证号") for text in texts
    ]
    return frame, planted


_BAD_NOTES = ("死亡日期早于出生日期", "死亡日期晚于核查日", "身份证号校验码错误")


def _bad_planted(frame: Frame, rank: Ints) -> list[PlantedRow]:
    return [
        ("bad_partner_record", None, id_text(int(body), int(check)), None, _BAD_NOTES[int(r) % 3])
        for body, check, r in zip(frame["id_body"], frame["id_check"], rank, strict=True)
    ]
