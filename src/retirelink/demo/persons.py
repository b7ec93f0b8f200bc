"""Drafting demo persons: cheap tuples of ints and strings, turned into dataclasses later.

The stream is cut into blocks of :data:`BLOCK_SIZE` persons, each drawn from its own
``Random`` seeded by ``(seed, block)``, so any block can be drafted on its own (in another
process, say) and the result never depends on how the work was split. ID numbers are
assigned afterwards, in stream order, by one :class:`IdAllocator`, which keeps them unique.
"""

from collections.abc import Iterator, Sequence
from datetime import date
from random import Random
from typing import NamedTuple

from retirelink.archives.model import EmployerKind
from retirelink.demo.careers import CareerTables, SpanDraft, draw_kind, draw_spans, pension_cents
from retirelink.demo.model import DUPLICATE_RECEIPT, DemoEmployer, PersonStatus
from retirelink.demo.names import NamePicker, cohort_of
from retirelink.demo.partners import NO_EVENTS, EventDraft, Fate, plan_events
from retirelink.demo.timeline import (
    BIRTH_BASE,
    FIRST_BIRTH_YEAR,
    LAST_BIRTH_YEAR,
    birth_tables,
    month_index,
    month_ordinal,
    year_starts,
)
from retirelink.rules.identifiers import id_check_character

BLOCK_SIZE = 4096
MALE_SHARE = 0.54  # mining and heavy industry employ more men
DUPLICATE_SHARE = 0.002  # of ordinary living retirees: a second record of the same human
_INSURED_DEATH_SHARE = 0.01
_CADRES = frozenset({EmployerKind.PUBLIC_INSTITUTION, EmployerKind.GOVERNMENT})
# Retirement month = the month after the birthday month of the statutory age: 60 for men,
# 55 for women in offices and public institutions (干部), 50 for other women (工人).
_RETIRE_MEN, _RETIRE_CADRE_WOMEN, _RETIRE_WOMEN = 60 * 12 + 1, 55 * 12 + 1, 50 * 12 + 1
# First job between the 16th birthday month and age 24 years 11 months.
_FIRST_JOB_EARLIEST, _FIRST_JOB_SPREAD = 16 * 12, 9 * 12

# Relative births per year 1950-2000 (famine dip 1959-61, booms 1962-75 and 1981-91).
_BIRTH_WEIGHTS = (
    20, 21, 21, 21, 22, 20, 20, 22, 19, 16, 14, 12, 25, 30, 27, 27, 26, 26, 28, 27,  # 1950-69
    27, 26, 26, 25, 22, 21, 18, 18, 17, 17, 18, 21, 22, 21, 21, 22, 24, 25, 25, 24,  # 1970-89
    24, 23, 21, 21, 21, 20, 20, 20, 19, 18, 18,  # 1990-2000
)  # fmt: skip
# Address codes in ID numbers: mostly 峰峰矿区; IDs keep the code of the year they were
# issued, so 邯郸县/肥乡县/永年县 (abolished 2016) appear and their successors do not.
ID_REGIONS = (
    ("130406", 80),
    ("130427", 4),
    ("130481", 3),
    ("130421", 2),
    ("130402", 1),
    ("130403", 1),
    ("130404", 1),
    ("130423", 1),
    ("130424", 1),
    ("130425", 1),
    ("130426", 1),
    ("130428", 1),
    ("130429", 1),
    ("130434", 1),
    ("130435", 1),
)
HUKOU_REGIONS = (
    ("130406", 90),
    ("130402", 2),
    ("130403", 2),
    ("130404", 2),
    ("130427", 2),
    ("130481", 1),
    ("130408", 1),
)
_PHONE_PREFIXES = (
    tuple(f"13{d}" for d in range(10))
    + tuple(f"15{d}" for d in "012356789")
    + tuple(f"18{d}" for d in range(10))
)
# GB/T 3304 codes: 01 汉族 almost everywhere, a few 回族, 满族 and 蒙古族 (per mille).
_ETHNICITIES = (("01", 990), ("03", 5), ("11", 3), ("02", 2))


def _expand(weights: Sequence[tuple[str, int]]) -> tuple[str, ...]:
    return tuple(code for code, weight in weights for _ in range(weight))


class PersonDraft(NamedTuple):
    region: str  # address code of the ID number
    birth: int  # ordinal
    male: bool
    name: str
    ethnicity: str
    hukou: str
    phone: str
    work_start: int  # month index
    spans: tuple[SpanDraft, ...]
    status: PersonStatus
    retired: int  # month index, -1 when not retired
    death: int  # ordinal, 0 when alive
    pension: int  # cents, -1 when none
    anomaly: str | None
    events: tuple[EventDraft, ...]


class PersonFactory:
    """Drafts persons from one ``Random``; tables are shared between factories."""

    def __init__(self, rng: Random, tables: CareerTables, as_of: date) -> None:
        self._rnd = rng.random
        self._names = NamePicker(rng)
        self._tables = tables
        self._as_of = as_of.toordinal()
        self._as_month = month_index(as_of)
        last_year = min(LAST_BIRTH_YEAR, as_of.year - 17)
        self._years = tuple(
            year
            for year, weight in zip(
                range(FIRST_BIRTH_YEAR, last_year + 1), _BIRTH_WEIGHTS, strict=False
            )
            for _ in range(weight)
        )
        self._year_starts = year_starts()
        _, self._birth_month, _ = birth_tables()
        self._id_regions = _expand(ID_REGIONS)
        self._hukou = _expand(HUKOU_REGIONS)
        self._ethnicities = _expand(_ETHNICITIES)

    def _birth(self) -> int:
        rnd = self._rnd
        start, length = self._year_starts[self._years[int(rnd() * len(self._years))]]
        return start + int(rnd() * length)

    def _fate(self, birth_month: int, work_start: int, retire: int) -> tuple[Fate, int]:
        """Status, death and the month the career ends (exclusive)."""
        rnd, as_month = self._rnd, self._as_month
        if retire <= as_month:
            age = as_month // 12 - birth_month // 12  # mortality since retiring rises with age
            if rnd() < min(0.2, max(0.01, 0.007 * (age - 55))):
                death = month_ordinal(retire) + int(
                    rnd() * (self._as_of - month_ordinal(retire) + 1)
                )
                return Fate(PersonStatus.DECEASED, work_start, retire, death), retire
            return Fate(PersonStatus.RETIRED, work_start, retire, 0), retire
        if work_start + 13 <= as_month and rnd() < _INSURED_DEATH_SHARE:
            month = work_start + 12 + int(rnd() * (as_month - work_start - 12))
            death = month_ordinal(month) + int(rnd() * 28)
            return Fate(PersonStatus.DECEASED, work_start, -1, death), month + 1
        return Fate(PersonStatus.INSURED, work_start, -1, 0), as_month

    def chance(self, probability: float) -> bool:
        return self._rnd() < probability

    def _pick(self, items: Sequence[str]) -> str:
        return items[int(self._rnd() * len(items))]

    def draft(self) -> PersonDraft:
        rnd = self._rnd
        male = rnd() < MALE_SHARE
        birth = self._birth()
        birth_month = self._birth_month[birth - BIRTH_BASE]
        final = draw_kind(rnd, self._tables)
        first_job = birth_month + _FIRST_JOB_EARLIEST + int(rnd() * _FIRST_JOB_SPREAD)
        work_start = min(first_job, self._as_month - 1)
        retire = birth_month + (
            _RETIRE_MEN if male else _RETIRE_CADRE_WOMEN if final in _CADRES else _RETIRE_WOMEN
        )
        fate, end = self._fate(birth_month, work_start, retire)
        spans = draw_spans(rnd, self._tables, male=male, start=work_start, end=end, final=final)
        pension = -1
        if fate.retired >= 0:
            pension = pension_cents(
                spans, work_start=work_start, retired=retire, as_of_year=self._as_month // 12
            )
        anomaly, events = plan_events(rnd, fate, self._as_of)
        return PersonDraft(
            region=self._pick(self._id_regions),
            birth=birth,
            male=male,
            name=self._names.full_name(male=male, cohort=cohort_of(birth_month // 12)),
            ethnicity=self._pick(self._ethnicities),
            hukou=self._pick(self._hukou),
            phone=f"{self._pick(_PHONE_PREFIXES)}{int(rnd() * 100_000_000):08d}",
            work_start=work_start,
            spans=tuple(spans),
            status=fate.status,
            retired=fate.retired,
            death=fate.death,
            pension=pension,
            anomaly=anomaly,
            events=events,
        )

    def duplicate(self, original: PersonDraft) -> PersonDraft:
        """The same human registered a second time (new phone); both records draw a pension."""
        phone = f"{self._pick(_PHONE_PREFIXES)}{int(self._rnd() * 100_000_000):08d}"
        return original._replace(phone=phone, anomaly=DUPLICATE_RECEIPT, events=NO_EVENTS)


class IdAllocator:
    """Assigns unique ID numbers: sequence codes per (address code, birth date, sex).

    Sequence codes are odd for men (001-999) and even for women (002-998), handed out in a
    scrambled but collision-free order; a full day spills over to the next address code.
    """

    def __init__(self) -> None:
        self._used: dict[str, int] = {}
        self._birth8 = birth_tables()[0]
        self._regions = tuple(code for code, _ in ID_REGIONS)

    def assign(self, region: str, birth: int, male: bool) -> str:
        birth8 = self._birth8[birth - BIRTH_BASE]
        capacity = 500 if male else 499
        for attempt in range(len(self._regions) + 1):
            if attempt:
                region = self._regions[(self._regions.index(region) + 1) % len(self._regions)]
            key = f"{region}{birth8}{male:d}"
            used = self._used.get(key, 0)
            if used < capacity:
                self._used[key] = used + 1
                slot = (used * 193 + birth) % capacity
                first17 = f"{region}{birth8}{2 * slot + (1 if male else 2):03d}"
                return first17 + id_check_character(first17)
        raise ValueError(f"no sequence codes left for {birth8}")


def block_random(seed: int, block: int) -> Random:
    return Random(f"retirelink-demo-persons:{seed}:{block}")


def draft_block(
    seed: int, block: int, size: int, as_of: date, tables: CareerTables
) -> list[PersonDraft]:
    """Draft ``size`` persons of block ``block``; a duplicate takes the slot after its original."""
    factory = PersonFactory(block_random(seed, block), tables, as_of)
    drafts: list[PersonDraft] = []
    pending: PersonDraft | None = None
    for _ in range(size):
        if pending is not None:
            drafts.append(factory.duplicate(pending))
            pending = None
            continue
        draft = factory.draft()
        drafts.append(draft)
        if draft.status is PersonStatus.RETIRED and draft.anomaly is None:
            pending = draft if factory.chance(DUPLICATE_SHARE) else None
    return drafts


def iter_drafts(
    *, seed: int, count: int, as_of: date, employers: Sequence[DemoEmployer]
) -> Iterator[tuple[str, PersonDraft]]:
    """(ID number, draft) for ``count`` persons, in stream order."""
    if as_of.year < 2000 or as_of.year > 2100:
        raise ValueError("as_of must lie between 2000 and 2100")
    tables = CareerTables(employers)
    allocator = IdAllocator()
    for block, start in enumerate(range(0, count, BLOCK_SIZE)):
        for draft in draft_block(seed, block, min(BLOCK_SIZE, count - start), as_of, tables):
            yield allocator.assign(draft.region, draft.birth, draft.male), draft
