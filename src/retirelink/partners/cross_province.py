"""Contribution years some of the district's persons spent in another province (山西, 河南),
as the other provinces' nodes and the national register hold them.

Chosen deterministically from the seed, per person (independent of the district's size): a
fixed share of the insured persons with room for it — whole years between the age of 17
(and 1987: 劳动合同制 contributions started in October 1986, 国发〔1986〕77号) and the year
before their work here began, so no year is also paid here. Most relationships were
transferred here (转移接续) when they came; a few are still open there.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from random import Random
from types import MappingProxyType

from retirelink.demo.careers import base_cents
from retirelink.demo.model import DemoPerson, PersonStatus
from retirelink.partners.facts import person_random

OUR_PROVINCE = "130000"
SHANXI, HENAN = "140000", "410000"
SHARE = 0.3  # of the insured persons with room: some years in another province
BOTH_SHARE = 0.25  # of those: in both provinces
OPEN_SHARE = 0.15  # of the relationships: still open there (须转移接续)
MAX_YEARS = 8
FIRST_YEAR = 1987
_EMPLOYERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        SHANXI: ("山西焦煤集团西山煤电有限公司", "阳泉煤业集团有限公司", "太原钢铁集团有限公司"),
        HENAN: ("平顶山天安煤业股份有限公司", "安阳钢铁集团有限责任公司", "郑州煤矿机械集团"),
    }
)


@dataclass(frozen=True, slots=True)
class PaidYear:
    year: int
    months: int
    base: Decimal
    employer: str


@dataclass(frozen=True, slots=True)
class ProvinceRecord:
    """What one province's node holds about one person."""

    province: str
    years: tuple[PaidYear, ...]
    relationship: str  # "transferred" (to 130000) or "open"
    archive_held: bool


def records_elsewhere(
    seed: int, persons: Sequence[DemoPerson]
) -> Mapping[str, tuple[ProvinceRecord, ...]]:
    """ID number -> the person's records in other provinces (only persons who have any)."""
    found: dict[str, tuple[ProvinceRecord, ...]] = {}
    for person in persons:
        records = _records(seed, person)
        if records:
            found[person.id_number] = records
    return MappingProxyType(found)


def _records(seed: int, person: DemoPerson) -> tuple[ProvinceRecord, ...]:
    if person.status is not PersonStatus.INSURED:
        return ()
    room = list(range(max(person.birth_date.year + 17, FIRST_YEAR), person.work_start.year))
    rnd = person_random(seed, "cross-province", person.id_number)
    if not room or rnd.random() >= SHARE:
        return ()
    years = room[-rnd.randint(1, min(len(room), MAX_YEARS)) :]
    if len(years) >= 2 and rnd.random() < BOTH_SHARE:
        cut = rnd.randint(1, len(years) - 1)
        return (_record(rnd, HENAN, years[:cut]), _record(rnd, SHANXI, years[cut:]))
    return (_record(rnd, rnd.choice((SHANXI, HENAN)), years),)


def _record(rnd: Random, province: str, years: Sequence[int]) -> ProvinceRecord:
    employer = rnd.choice(_EMPLOYERS[province])
    level = rnd.randint(60, 150)  # percent of the average wage
    lines = tuple(
        PaidYear(
            year,
            rnd.randint(3, 12) if index == 0 else 12,  # the first year starts mid-year
            Decimal(base_cents(level, year)).scaleb(-2),
            employer,
        )
        for index, year in enumerate(years)
    )
    still_open = rnd.random() < OPEN_SHARE
    return ProvinceRecord(
        province,
        lines,
        "open" if still_open else "transferred",
        archive_held=still_open and rnd.random() < 0.5,
    )
