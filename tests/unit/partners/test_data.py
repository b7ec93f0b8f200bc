"""Partner datasets from the demo district: field names, coherence between departments, order."""

import re
from collections import Counter
from datetime import date, timedelta

import pytest

from retirelink.demo.generator import generate_district
from retirelink.demo.manifest import DistrictManifest
from retirelink.demo.model import PAID_AFTER_DEATH, DemoDistrict, PartnerRecordKind, PersonStatus
from retirelink.errors import InvalidInputError
from retirelink.partners.data import PartnerDatasets, build_datasets, find_person
from retirelink.partners.facts import SETTLEMENT_WINDOW
from retirelink.partners.model import (
    CREMATION,
    DEATH_CANCELLATION,
    DEATH_CERTIFICATE,
    DEPARTMENTS,
    HOUSEHOLD_REGISTRATION,
    HOUSING_FUND,
    PRISONERS,
    QUERY_ITEMS,
    SETTLEMENTS,
)
from retirelink.partners.records import AccountStatus, HukouStatus
from retirelink.rules.identifiers import is_valid_id_number

AS_OF = date(2026, 11, 23)
MANIFEST = DistrictManifest(seed=11, persons=3000, as_of=AS_OF)

# The table "Partner field names" of docs/exchange.md (plus 公安's status date).
DOCUMENTED_FIELDS = {
    DEATH_CANCELLATION: {"gmsfhm", "xm", "xb", "swrq", "zxrq", "zxyy"},
    HOUSEHOLD_REGISTRATION: {"gmsfhm", "xm", "xb", "mz", "csrq", "hjdqh", "hjzt", "zxrq"},
    DEATH_CERTIFICATE: {"sfzh", "xm", "xb", "swsj", "zmbh", "qfjg"},
    CREMATION: {"SFZH", "XM", "XB", "SWRQ", "HHRQ", "BYG"},
    PRISONERS: {"zjhm", "xm", "xb", "xfzl", "jyrq", "xqqr", "xqzr", "sfrq", "zxjg"},
    SETTLEMENTS: {"psn_cert_no", "psn_name", "setl_date", "fixmedins_code", "insu_admdvs"},
    HOUSING_FUND: {"zjhm", "xingming", "dwmc", "jcjs", "zhzt"},
}


@pytest.fixture(scope="module")
def datasets() -> PartnerDatasets:
    return build_datasets(MANIFEST)


@pytest.fixture(scope="module")
def district() -> DemoDistrict:
    return generate_district(seed=MANIFEST.seed, persons=MANIFEST.persons, as_of=AS_OF)


def rows(datasets: PartnerDatasets, item: str) -> list[dict[str, str]]:
    return [dict(record.fields) for record in datasets.feed(item).records()]


def compact(text: str) -> date:
    assert re.fullmatch(r"\d{8}", text), text
    return date.fromisoformat(text)


def test_every_department_item_has_a_feed_with_the_documented_field_names(datasets) -> None:
    # The national register and the other provinces' nodes answer questions, not feeds.
    held = {item for dept in DEPARTMENTS for item in dept.items} - QUERY_ITEMS

    assert held == set(DOCUMENTED_FIELDS) == set(datasets.feeds)
    for item, fields in DOCUMENTED_FIELDS.items():
        feed = datasets.feed(item)
        assert len(feed) > 0, item
        assert all(set(record.fields) == fields for record in feed.records()), item


def test_feeds_are_numbered_one_to_n_in_order(datasets) -> None:
    for feed in datasets.feeds.values():
        assert [record.seq for record in feed.records()] == list(range(1, len(feed) + 1))


def test_the_same_manifest_gives_the_same_feeds(datasets) -> None:
    again = build_datasets(MANIFEST)

    for item, feed in datasets.feeds.items():
        assert again.feed(item).records() == feed.records(), item


def test_another_seed_gives_other_people() -> None:
    other = build_datasets(DistrictManifest(seed=12, persons=300, as_of=AS_OF))
    first = build_datasets(DistrictManifest(seed=11, persons=300, as_of=AS_OF))

    assert set(other.households) != set(first.households)


def test_gongan_registers_every_person_with_valid_codes(datasets, district) -> None:
    registered = rows(datasets, HOUSEHOLD_REGISTRATION)

    assert [row["gmsfhm"] for row in registered] == [p.id_number for p in district.persons]
    for row, person in zip(registered, district.persons, strict=True):
        assert row["xm"] == person.name
        assert row["xb"] in {"1", "2"}
        assert row["mz"] == person.ethnicity
        assert compact(row["csrq"]) == person.birth_date
        assert row["hjdqh"] == person.hukou_region
        assert is_valid_id_number(row["gmsfhm"], on=AS_OF)
    statuses = Counter(row["hjzt"] for row in registered)
    assert set(statuses) == {"10", "21", "22"}
    assert all((row["hjzt"] == "10") == (row["zxrq"] == "") for row in registered)


def test_a_death_cancellation_is_registered_with_status_21_on_its_cancellation_date(
    datasets,
) -> None:
    households = {row["gmsfhm"]: row for row in rows(datasets, HOUSEHOLD_REGISTRATION)}
    for cancellation in rows(datasets, DEATH_CANCELLATION):
        household = households[cancellation["gmsfhm"]]
        assert household["hjzt"] == HukouStatus.DECEASED
        assert household["zxrq"] == cancellation["zxrq"]
        assert cancellation["zxyy"] == "死亡注销"
        assert compact(cancellation["swrq"]) <= compact(cancellation["zxrq"]) <= AS_OF


def test_every_death_in_the_district_is_cancelled_by_gongan(datasets, district) -> None:
    cancelled = {row["gmsfhm"] for row in rows(datasets, DEATH_CANCELLATION)}
    died = {
        r.id_number
        for r in district.partner_records
        if r.kind is PartnerRecordKind.DEATH_CANCELLATION
    }

    assert cancelled == died
    # including retirees the agency still pays: the anomaly the platform must find
    assert set(district.planted[PAID_AFTER_DEATH]) <= cancelled


def test_gongan_weijian_and_minzheng_agree_on_the_date_of_death(datasets) -> None:
    gongan = {row["gmsfhm"]: compact(row["swrq"]) for row in rows(datasets, DEATH_CANCELLATION)}
    certificates = rows(datasets, DEATH_CERTIFICATE)
    cremations = rows(datasets, CREMATION)

    assert certificates and cremations
    for row in certificates:
        assert date.fromisoformat(row["swsj"][:10]) == gongan[row["sfzh"]]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} ([01]\d|2[0-3]):[0-5]\d", row["swsj"])
        assert row["xb"] in {"男", "女"}
    for row in cremations:
        died_on = date.fromisoformat(row["SWRQ"])
        assert died_on == gongan[row["SFZH"]]
        assert died_on <= date.fromisoformat(row["HHRQ"]) <= AS_OF


def test_death_certificate_numbers_are_unique(datasets) -> None:
    numbers = [row["zmbh"] for row in rows(datasets, DEATH_CERTIFICATE)]

    assert len(set(numbers)) == len(numbers)


def test_settlements_stop_at_death_and_look_back_two_years(datasets) -> None:
    deaths = {row["gmsfhm"]: compact(row["swrq"]) for row in rows(datasets, DEATH_CANCELLATION)}
    settlements = rows(datasets, SETTLEMENTS)
    per_person = Counter(row["psn_cert_no"] for row in settlements)

    for row in settlements:
        day = date.fromisoformat(row["setl_date"])
        assert AS_OF - SETTLEMENT_WINDOW <= day <= AS_OF
        died_on = deaths.get(row["psn_cert_no"])
        assert died_on is None or day < died_on
    # a plausible few per person, and most living people have some
    assert max(per_person.values()) <= 6
    living = len(datasets.households) - len(deaths)
    assert len(per_person) > living * 0.7


def test_settlements_are_in_date_order(datasets) -> None:
    days = [row["setl_date"] for row in rows(datasets, SETTLEMENTS)]

    assert days == sorted(days)


def test_nobody_settles_while_in_custody(datasets) -> None:
    inside: dict[str, list[tuple[date, date]]] = {}
    for row in rows(datasets, PRISONERS):
        released = compact(row["sfrq"]) if row["sfrq"] else AS_OF + timedelta(days=1)
        inside.setdefault(row["zjhm"], []).append((compact(row["jyrq"]), released))

    for row in rows(datasets, SETTLEMENTS):
        day = date.fromisoformat(row["setl_date"])
        for start, end in inside.get(row["psn_cert_no"], []):
            assert not start <= day < end


def test_prisoner_records_hold_a_coherent_sentence(datasets) -> None:
    prisoners = rows(datasets, PRISONERS)

    assert prisoners
    for row in prisoners:
        detained, start, end = compact(row["jyrq"]), compact(row["xqqr"]), compact(row["xqzr"])
        assert detained == start < end
        assert row["xfzl"] in {"拘役", "有期徒刑"}
        assert row["zxjg"]
        if row["sfrq"]:
            assert detained < compact(row["sfrq"]) <= end
        else:
            assert end > AS_OF  # still inside: the sentence has not run out


def test_housing_fund_accounts_follow_the_persons_fate(datasets, district) -> None:
    accounts = datasets.housing_accounts
    by_id = {p.id_number: p for p in district.persons}

    assert 0.4 * len(by_id) < len(accounts) < len(by_id)
    for account in accounts.values():
        if datasets.households[account.id_number].status is not HukouStatus.NORMAL:
            assert account.status is AccountStatus.CLOSED
        assert account.balance > 0
    employers = {e.name for e in district.employers}
    assert all(row["dwmc"] in employers for row in rows(datasets, HOUSING_FUND))


def test_an_unknown_item_is_refused(datasets) -> None:
    with pytest.raises(InvalidInputError, match="没有数据项"):
        datasets.feed("health.medical_records")


def test_find_person_streams_the_same_person_as_the_district(district) -> None:
    person = district.persons[123]

    assert find_person(MANIFEST, person.id_number) == person
    assert find_person(MANIFEST, "110101199003077777") is None


def test_some_insured_persons_have_years_in_another_province_never_also_paid_here(
    datasets, district
) -> None:
    persons = {person.id_number: person for person in district.persons}
    elsewhere = datasets.elsewhere
    insured = [p for p in district.persons if p.status is PersonStatus.INSURED]

    assert 0.03 < len(elsewhere) / len(insured) < 0.3
    relationships = [record.relationship for records in elsewhere.values() for record in records]
    assert set(relationships) == {"transferred", "open"}
    assert relationships.count("open") < relationships.count("transferred") / 3
    assert any(len(records) == 2 for records in elsewhere.values())
    for id_number, records in elsewhere.items():
        person = persons[id_number]
        paid_here = {line.year for line in person.contributions}
        for record in records:
            assert record.province in ("140000", "410000")
            for line in record.years:
                assert 1 <= line.months <= 12
                assert person.birth_date.year + 17 <= line.year < person.work_start.year
                assert line.year not in paid_here
    assert build_datasets(MANIFEST).elsewhere == elsewhere
