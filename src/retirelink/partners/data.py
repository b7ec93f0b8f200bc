"""Every department's dataset, built from the demo district ``retirelink demo load`` loaded.

:func:`build_datasets` generates the district from its manifest (seed, persons, as_of),
derives what each department knows (``facts``) and writes it in the department's own
format (``records``) as ordered change feeds, one per catalogue item. Lookups used by the
request endpoints (公安 户籍核验, 住建 公积金账户, records held in other provinces) sit beside
the feeds.
"""

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from retirelink.demo.generator import generate_district, generate_employers, iter_persons
from retirelink.demo.manifest import DistrictManifest
from retirelink.demo.model import DemoDistrict, DemoPerson, PersonStatus
from retirelink.errors import InvalidInputError
from retirelink.partners import records
from retirelink.partners.cross_province import ProvinceRecord, records_elsewhere
from retirelink.partners.facts import DistrictFacts, district_facts, person_random, settlement_days
from retirelink.partners.feeds import Feed
from retirelink.partners.model import (
    CREMATION,
    DEATH_CANCELLATION,
    DEATH_CERTIFICATE,
    HOUSEHOLD_REGISTRATION,
    HOUSING_FUND,
    PRISONERS,
    SETTLEMENTS,
)
from retirelink.partners.records import AccountStatus, HukouStatus, PartnerRecord

# Share of persons of each employer kind with a housing-fund account (by their last employer).
_HOUSING_FUND_SHARE = {
    "coal_mine": 0.95,
    "steel": 0.95,
    "public_institution": 1.0,
    "government": 1.0,
    "ceramics": 0.7,
    "private_enterprise": 0.4,
}
_DEPOSIT_RATE = Decimal("0.24")  # employee 12 % + employer 12 % of the deposit base
_BALANCE_YEARS = 10  # earlier deposits went to buying the flat


@dataclass(frozen=True)
class Household:
    """公安's registration of one person, as the identity check answers it."""

    id_number: str
    name: str
    sex: str
    birth_date: date
    status: HukouStatus
    status_date: date | None


@dataclass(frozen=True)
class HousingAccount:
    id_number: str
    name: str
    employer_name: str
    deposit_base: Decimal
    status: AccountStatus
    balance: Decimal


@dataclass(frozen=True)
class PartnerDatasets:
    district: DistrictManifest
    feeds: Mapping[str, Feed]  # item code -> feed
    households: Mapping[str, Household]
    housing_accounts: Mapping[str, HousingAccount]
    # ID number -> records in other provinces (the national register and their nodes)
    elsewhere: Mapping[str, tuple[ProvinceRecord, ...]] = field(default_factory=dict)

    def feed(self, item: str) -> Feed:
        found = self.feeds.get(item)
        if found is None:
            raise InvalidInputError(f"没有数据项“{item}”", field="item")
        return found


def _hukou(person: DemoPerson, facts: DistrictFacts) -> tuple[HukouStatus, date | None]:
    death = facts.deaths.get(person.id_number)
    if death is not None:
        return HukouStatus.DECEASED, death.cancelled_on
    moved = facts.moved_away.get(person.id_number)
    if moved is not None:
        return HukouStatus.MOVED_AWAY, moved
    return HukouStatus.NORMAL, None


def _households(district: DemoDistrict, facts: DistrictFacts) -> dict[str, Household]:
    return {
        p.id_number: Household(p.id_number, p.name, p.sex.value, p.birth_date, *_hukou(p, facts))
        for p in district.persons
    }


def _death_feeds(
    district: DemoDistrict, facts: DistrictFacts
) -> Iterator[tuple[str, list[PartnerRecord]]]:
    seed = district.seed
    dead = [(p, facts.deaths[p.id_number]) for p in district.persons if p.id_number in facts.deaths]
    by_cancellation = sorted(dead, key=lambda pd: (pd[1].cancelled_on, pd[0].id_number))
    yield DEATH_CANCELLATION, [records.death_cancellation(p, d) for p, d in by_cancellation]
    certified = sorted(
        ((p, d) for p, d in dead if d.certified), key=lambda pd: (pd[1].died_on, pd[0].id_number)
    )
    yield (
        DEATH_CERTIFICATE,
        [records.death_certificate(seed, p, d, n) for n, (p, d) in enumerate(certified, 1)],
    )
    cremated = sorted(
        ((p, d, d.cremated_on) for p, d in dead if d.cremated_on is not None),
        key=lambda pdc: (pdc[2], pdc[0].id_number),
    )
    yield CREMATION, [records.cremation(seed, p, d, day) for p, d, day in cremated]


def _prisoner_feed(district: DemoDistrict, facts: DistrictFacts) -> list[PartnerRecord]:
    spells = sorted(
        (
            (custody.detained_on, person.id_number, person, custody)
            for person in district.persons
            for custody in facts.custodies.get(person.id_number, ())
        ),
        key=lambda entry: (entry[0], entry[1]),
    )
    return [
        records.prisoner(
            person,
            custody,
            records.sentence(district.seed, id_number, custody, as_of=district.as_of),
        )
        for _, id_number, person, custody in spells
    ]


def _settlement_feed(district: DemoDistrict, facts: DistrictFacts) -> list[PartnerRecord]:
    visits = sorted(
        (day, person.id_number, person)
        for person in district.persons
        for day in settlement_days(
            district.seed,
            person.id_number,
            as_of=district.as_of,
            death=facts.deaths.get(person.id_number),
            custodies=facts.custodies.get(person.id_number, ()),
        )
    )
    return [records.settlement(person, day) for day, _, person in visits]


def _account_status(person: DemoPerson, facts: DistrictFacts) -> AccountStatus:
    if person.id_number in facts.deaths or person.id_number in facts.moved_away:
        return AccountStatus.CLOSED
    if person.status is PersonStatus.INSURED:
        return AccountStatus.ACTIVE
    return AccountStatus.SEALED


def _housing_accounts(district: DemoDistrict, facts: DistrictFacts) -> dict[str, HousingAccount]:
    employers = {e.credit_code: e for e in district.employers}
    accounts: dict[str, HousingAccount] = {}
    for person in district.persons:
        if not person.careers or not person.contributions:
            continue
        employer = employers[person.careers[-1].employer_credit_code]
        rnd = person_random(district.seed, "housing-fund", person.id_number)
        if rnd.random() >= _HOUSING_FUND_SHARE[employer.kind.value]:
            continue
        recent = person.contributions[-_BALANCE_YEARS:]
        balance = sum((c.base_wage * c.months for c in recent), Decimal(0)) * _DEPOSIT_RATE
        accounts[person.id_number] = HousingAccount(
            person.id_number,
            person.name,
            employer.name,
            person.contributions[-1].base_wage,
            _account_status(person, facts),
            balance.quantize(Decimal("0.01")),
        )
    return accounts


def build_datasets(manifest: DistrictManifest) -> PartnerDatasets:
    """Generate the district and every department's feeds; deterministic in the manifest."""
    district = generate_district(seed=manifest.seed, persons=manifest.persons, as_of=manifest.as_of)
    facts = district_facts(district)
    households = _households(district, facts)
    accounts = _housing_accounts(district, facts)
    feeds: dict[str, list[PartnerRecord]] = {
        HOUSEHOLD_REGISTRATION: [
            records.household(
                p, households[p.id_number].status, households[p.id_number].status_date
            )
            for p in district.persons
        ],
        **dict(_death_feeds(district, facts)),
        PRISONERS: _prisoner_feed(district, facts),
        SETTLEMENTS: _settlement_feed(district, facts),
        HOUSING_FUND: [
            records.housing_account(p, a.employer_name, a.deposit_base, a.status)
            for p in district.persons
            if (a := accounts.get(p.id_number)) is not None
        ],
    }
    return PartnerDatasets(
        district=manifest,
        feeds=MappingProxyType(
            {item: Feed(item, records.FIELDS[item], rows) for item, rows in feeds.items()}
        ),
        households=MappingProxyType(households),
        housing_accounts=MappingProxyType(accounts),
        elsewhere=records_elsewhere(district.seed, district.persons),
    )


def find_person(manifest: DistrictManifest, id_number: str) -> DemoPerson | None:
    """One person of the district, streaming it only as far as needed (no feeds built)."""
    employers = generate_employers(seed=manifest.seed)
    persons = iter_persons(
        seed=manifest.seed, count=manifest.persons, as_of=manifest.as_of, employers=employers
    )
    return next((person for person in persons if person.id_number == id_number), None)


class LazyDatasets:
    """Builds the datasets on first use, once, whichever server thread asks first.

    Starting the simulators stays fast; the district is generated when a department is first
    asked for data (20,000 persons take a few seconds, a test's 400 a fraction of one).
    """

    def __init__(self, manifest: DistrictManifest) -> None:
        self.manifest = manifest
        self._built: PartnerDatasets | None = None
        self._lock = threading.Lock()

    def get(self) -> PartnerDatasets:
        with self._lock:
            if self._built is None:
                self._built = build_datasets(self.manifest)
            return self._built
