"""What the partner departments know about each person, derived from the demo district.

The generator's partner records are the truth: a 公安 death cancellation means the person is
dead (even when the agency still pays them: a planted anomaly), an imprisonment record is a
custody. The generator keeps no death date for a person without a 卫健 certificate, so one is
reconstructed that agrees with every record the district holds: the day before the earliest
of cancellation and cremation, both of which the generator places 1–30 and 1–5 days after it.

Everything a department adds on top (settlement days, times of death, sentence ends) is drawn
from a ``Random`` seeded by (district seed, purpose, ID number): deterministic, and independent
of how many persons the district has or in which order they are processed.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random
from types import MappingProxyType

from retirelink.demo.model import DemoDistrict, PartnerRecord, PartnerRecordKind

SETTLEMENT_WINDOW = timedelta(days=730)  # 医保 signs of life look back two years
_NO_SETTLEMENT_SHARE = 0.12  # living persons who saw no doctor and bought no medicine
_MAX_SETTLEMENTS = 6


@dataclass(frozen=True, slots=True)
class Death:
    died_on: date
    cancelled_on: date  # 公安 户口注销
    certified: bool  # a 卫健 death certificate was issued
    cremated_on: date | None  # 民政 火化


@dataclass(frozen=True, slots=True)
class Custody:
    detained_on: date
    released_on: date | None

    def covers(self, day: date) -> bool:
        return self.detained_on <= day and (self.released_on is None or day < self.released_on)


@dataclass(frozen=True)
class DistrictFacts:
    """Per ID number: deaths, custodies and 迁出 cancellations (with their dates)."""

    deaths: Mapping[str, Death]
    custodies: Mapping[str, tuple[Custody, ...]]
    moved_away: Mapping[str, date]


def person_random(seed: int, purpose: str, id_number: str) -> Random:
    return Random(f"retirelink-partners:{seed}:{purpose}:{id_number}")


def _death(records: Sequence[PartnerRecord]) -> Death | None:
    by_kind = {record.kind: record.event_date for record in records}
    cancelled = by_kind.get(PartnerRecordKind.DEATH_CANCELLATION)
    if cancelled is None:
        return None
    certificate = by_kind.get(PartnerRecordKind.DEATH_CERTIFICATE)
    cremated = by_kind.get(PartnerRecordKind.CREMATION)
    if certificate is not None:
        died = certificate
    else:
        died = min(cancelled, cremated or cancelled) - timedelta(days=1)
    return Death(died, cancelled, certificate is not None, cremated)


def district_facts(district: DemoDistrict) -> DistrictFacts:
    by_person: dict[str, list[PartnerRecord]] = {}
    for record in district.partner_records:
        by_person.setdefault(record.id_number, []).append(record)
    deaths: dict[str, Death] = {}
    custodies: dict[str, tuple[Custody, ...]] = {}
    moved: dict[str, date] = {}
    for id_number, records in by_person.items():
        death = _death(records)
        if death is not None:
            deaths[id_number] = death
        spells = tuple(
            Custody(r.event_date, r.end_date)
            for r in records
            if r.kind is PartnerRecordKind.IMPRISONMENT
        )
        if spells:
            custodies[id_number] = spells
        for r in records:
            if r.kind is PartnerRecordKind.HOUSEHOLD_CANCELLATION:
                moved[id_number] = r.event_date
    return DistrictFacts(
        MappingProxyType(deaths), MappingProxyType(custodies), MappingProxyType(moved)
    )


def settlement_days(
    seed: int,
    id_number: str,
    *,
    as_of: date,
    death: Death | None,
    custodies: Sequence[Custody] = (),
) -> tuple[date, ...]:
    """医保 settlement days in the two years up to ``as_of``: none after death, none in custody."""
    last = as_of if death is None else min(as_of, death.died_on - timedelta(days=1))
    first = as_of - SETTLEMENT_WINDOW
    rnd = person_random(seed, "settlements", id_number)
    if last < first or rnd.random() < _NO_SETTLEMENT_SHARE:
        return ()
    span = (last - first).days
    days = {
        first + timedelta(days=rnd.randint(0, span))
        for _ in range(rnd.randint(1, _MAX_SETTLEMENTS))
    }
    return tuple(sorted(day for day in days if not any(spell.covers(day) for spell in custodies)))
