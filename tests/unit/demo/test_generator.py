"""Synthetic demo district: determinism, valid identifiers, coherent careers, planted anomalies."""

from collections import Counter
from dataclasses import replace
from datetime import date
from itertools import pairwise
from random import Random

import pytest

from retirelink.demo.generator import (
    DemoDistrict,
    DemoPerson,
    EmployerKind,
    PartnerRecordKind,
    PersonStatus,
    generate_district,
    generate_employers,
    iter_persons,
)
from retirelink.demo.names import SURNAME_SHARES, NamePicker
from retirelink.demo.persons import IdAllocator
from retirelink.rules.ethnicity import ETHNICITIES
from retirelink.rules.identifiers import Sex, parse_credit_code, parse_id_number
from retirelink.rules.regions import REGIONS

AS_OF = date(2025, 6, 30)
SEED = 20250630
SIZE = 6000


@pytest.fixture(scope="module")
def district() -> DemoDistrict:
    return generate_district(seed=SEED, persons=SIZE, as_of=AS_OF)


@pytest.fixture(scope="module")
def by_id(district: DemoDistrict) -> dict[str, DemoPerson]:
    return {person.id_number: person for person in district.persons}


def _month_after_birthday(born: date, years: int) -> date:
    month = born.year * 12 + born.month - 1 + years * 12 + 1
    return date(month // 12, month % 12 + 1, 1)


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_gives_identical_district() -> None:
    first = generate_district(seed=7, persons=700, as_of=AS_OF)
    second = generate_district(seed=7, persons=700, as_of=AS_OF)
    assert first == second


def test_different_seeds_give_different_districts() -> None:
    first = generate_district(seed=7, persons=300, as_of=AS_OF)
    second = generate_district(seed=8, persons=300, as_of=AS_OF)
    assert [p.id_number for p in first.persons] != [p.id_number for p in second.persons]
    assert [e.credit_code for e in first.employers] != [e.credit_code for e in second.employers]


def test_iter_persons_streams_the_district_persons(district: DemoDistrict) -> None:
    streamed = iter_persons(seed=SEED, count=SIZE, as_of=AS_OF, employers=district.employers)
    assert tuple(streamed) == district.persons


def test_a_prefix_of_the_stream_is_stable() -> None:
    employers = generate_employers(seed=3)
    short = list(iter_persons(seed=3, count=50, as_of=AS_OF, employers=employers))
    long = list(iter_persons(seed=3, count=5000, as_of=AS_OF, employers=employers))
    assert short == long[:50]


def test_as_of_outside_supported_range_is_rejected() -> None:
    with pytest.raises(ValueError, match="as_of"):
        generate_district(seed=1, persons=10, as_of=date(1999, 12, 31))


# --- identifiers ---------------------------------------------------------------------------


def test_every_id_number_is_valid_unique_and_matches_the_person(district: DemoDistrict) -> None:
    ids = [person.id_number for person in district.persons]
    assert len(set(ids)) == len(ids) == SIZE
    for person in district.persons:
        parsed = parse_id_number(person.id_number, on=AS_OF)
        assert parsed.value == person.id_number
        assert parsed.birth_date == person.birth_date
        assert parsed.sex == person.sex
        assert parsed.region_code in REGIONS
        assert parsed.region_code.startswith("1304")  # 邯郸


def test_id_numbers_are_mostly_from_fengfeng(district: DemoDistrict) -> None:
    regions = Counter(person.id_number[:6] for person in district.persons)
    assert regions["130406"] / SIZE > 0.7
    assert len(regions) > 3


def test_allocator_keeps_ids_unique_past_one_days_sequence_codes() -> None:
    allocator = IdAllocator()
    born = date(1970, 5, 17).toordinal()
    men = [allocator.assign("130406", born, True) for _ in range(700)]
    women = [allocator.assign("130406", born, False) for _ in range(700)]
    assert len(set(men + women)) == 1400
    assert {parse_id_number(i, on=AS_OF).sex for i in men} == {Sex.MALE}
    assert {parse_id_number(i, on=AS_OF).sex for i in women} == {Sex.FEMALE}
    assert sum(i.startswith("130406") for i in men) == 500  # then spills to the next region


def test_employer_credit_codes_are_valid_and_unique(district: DemoDistrict) -> None:
    codes = [employer.credit_code for employer in district.employers]
    assert len(set(codes)) == len(codes)
    for employer in district.employers:
        assert parse_credit_code(employer.credit_code) == employer.credit_code
        assert employer.credit_code[2:8] == employer.region_code
        assert employer.region_code.startswith("1304")
        assert employer.region_code in REGIONS
    assert {employer.kind for employer in district.employers} == set(EmployerKind)
    assert all(kind.label for kind in EmployerKind)


def test_employers_are_deterministic() -> None:
    assert generate_employers(seed=11) == generate_employers(seed=11)


# --- persons -------------------------------------------------------------------------------


def test_status_mix_is_plausible(district: DemoDistrict) -> None:
    statuses = Counter(person.status for person in district.persons)
    assert set(statuses) == set(PersonStatus)
    pensioners = statuses[PersonStatus.RETIRED] + statuses[PersonStatus.DECEASED]
    assert 0.2 < pensioners / SIZE < 0.6
    assert 0.01 < statuses[PersonStatus.DECEASED] / pensioners < 0.15


def test_birth_cohorts_and_demographics(district: DemoDistrict) -> None:
    years = {person.birth_date.year for person in district.persons}
    assert min(years) == 1950
    assert max(years) == 2000
    ethnicities = Counter(person.ethnicity for person in district.persons)
    assert set(ethnicities) <= set(ETHNICITIES)
    assert ethnicities["01"] / SIZE > 0.97
    assert len(ethnicities) > 1
    for person in district.persons:
        assert len(person.phone) == 11
        assert person.phone.isdigit()
        assert person.phone[:2] in {"13", "15", "18"}
        assert person.hukou_region in REGIONS


def test_names_follow_the_surname_table(district: DemoDistrict) -> None:
    surnames = Counter(person.name[0] for person in district.persons)
    assert {name for name, _ in surnames.most_common(3)} == {"王", "李", "张"}
    known = {surname for surname, _ in SURNAME_SHARES}
    for person in district.persons:
        assert person.name[:2] in known or person.name[0] in known
        assert 2 <= len(person.name) <= 4


def test_some_names_are_two_characters_and_shared(district: DemoDistrict) -> None:
    two = Counter(person.name for person in district.persons if len(person.name) == 2)
    assert 0.01 < sum(two.values()) / SIZE < 0.05
    assert two.most_common(1)[0][1] >= 2  # a search such as 张伟 finds several people


def test_name_picker_uses_sex_appropriate_pools() -> None:
    picker = NamePicker(Random(1))
    men = {picker.full_name(male=True, cohort=2)[-1] for _ in range(500)}
    women = {picker.full_name(male=False, cohort=2)[-1] for _ in range(500)}
    assert "婷" in women
    assert "婷" not in men


def _retirement_age(person: DemoPerson, district: DemoDistrict) -> int:
    """60 for men; 55 for women whose last employer is an office or public institution, else 50."""
    if person.sex is Sex.MALE:
        return 60
    kinds = {e.credit_code: e.kind for e in district.employers}
    cadre = {EmployerKind.GOVERNMENT, EmployerKind.PUBLIC_INSTITUTION}
    return 55 if kinds[person.careers[-1].employer_credit_code] in cadre else 50


def test_retirement_month_follows_the_statutory_age(district: DemoDistrict) -> None:
    retired = 0
    for person in district.persons:
        if person.retirement_month is None:
            assert person.status is not PersonStatus.RETIRED
            assert person.monthly_pension is None
            continue
        retired += 1
        age = _retirement_age(person, district)
        assert person.retirement_month == _month_after_birthday(person.birth_date, age)
        assert person.retirement_month <= AS_OF
        assert person.monthly_pension is not None
        assert 1500 <= person.monthly_pension <= 7000
        assert person.monthly_pension.as_tuple().exponent == -2
    assert retired > SIZE / 5


def test_insured_persons_have_not_reached_retirement(district: DemoDistrict) -> None:
    for person in district.persons:
        if person.status is PersonStatus.INSURED:
            age = _retirement_age(person, district)
            assert _month_after_birthday(person.birth_date, age) > AS_OF


# --- careers and contributions -------------------------------------------------------------


def test_careers_are_contiguous_and_start_in_working_age(district: DemoDistrict) -> None:
    for person in district.persons:
        spans = person.careers
        assert 1 <= len(spans) <= 4
        assert spans[0].start == person.work_start
        assert 16 <= _months(person.birth_date, person.work_start) // 12 <= 24
        for earlier, later in pairwise(spans):
            assert earlier.end == later.start
        for span in spans:
            assert span.start.day == 1
            assert span.end is None or (span.end.day == 1 and span.start < span.end)
        assert all(span.end is not None for span in spans[:-1])
        assert (spans[-1].end is None) == (person.status is PersonStatus.INSURED)
        if person.retirement_month is not None:
            assert spans[-1].end == person.retirement_month


def test_underground_work_is_common_and_only_for_men(district: DemoDistrict) -> None:
    miners = [p for p in district.persons if any(s.underground for s in p.careers)]
    assert len(miners) / SIZE > 0.1
    assert all(person.sex is Sex.MALE for person in miners)
    stints = [_months(s.start, s.end or AS_OF) for p in miners for s in p.careers if s.underground]
    assert sorted(stints)[len(stints) // 2] >= 36  # several years is typical


def test_job_changes_between_employers_happen(district: DemoDistrict) -> None:
    changers = [p for p in district.persons if len({s.employer_credit_code for s in p.careers}) > 1]
    assert len(changers) / SIZE > 0.2


def test_contribution_years_lie_within_the_career(district: DemoDistrict) -> None:
    for person in district.persons:
        assert person.contributions
        per_year: Counter[int] = Counter()
        for item in person.contributions:
            assert 1 <= item.months <= 12
            assert item.base_wage > 0
            assert item.base_wage.as_tuple().exponent == -2
            per_year[item.year] += item.months
            assert any(
                span.employer_credit_code == item.employer_credit_code
                and span.start.year <= item.year
                and (span.end is None or item.year <= _last_month(span.end).year)
                for span in person.careers
            )
        assert all(months <= 12 for months in per_year.values())
        first = max(1992, person.work_start.year)
        assert min(per_year) == first
        assert max(per_year) <= AS_OF.year


def _last_month(end: date) -> date:
    month = end.year * 12 + end.month - 2
    return date(month // 12, month % 12 + 1, 1)


def test_contribution_bases_rise_over_a_working_life(district: DemoDistrict) -> None:
    person = next(p for p in district.persons if len(p.careers) == 1 and p.work_start.year < 1992)
    bases = [item.base_wage for item in person.contributions]
    assert bases == sorted(bases)
    assert bases[-1] > 10 * bases[0]  # 1992 wages were a small fraction of today's


def test_no_event_lies_after_as_of(district: DemoDistrict) -> None:
    for person in district.persons:
        assert person.birth_date <= AS_OF
        assert person.work_start <= AS_OF
        assert all(s.end is None or s.end <= AS_OF for s in person.careers)
        assert all(item.year <= AS_OF.year for item in person.contributions)
    for record in district.partner_records:
        assert record.event_date <= AS_OF
        assert record.end_date is None or record.event_date < record.end_date <= AS_OF


def test_an_earlier_as_of_moves_every_event_back() -> None:
    early = date(2010, 3, 31)
    district = generate_district(seed=5, persons=1500, as_of=early)
    assert max(p.birth_date for p in district.persons).year <= 1993
    assert all(r.event_date <= early for r in district.partner_records)
    assert all(c.year <= 2010 for p in district.persons for c in p.contributions)
    assert all(p.retirement_month is None or p.retirement_month <= early for p in district.persons)


# --- partner records and planted anomalies -------------------------------------------------


def _records_of(district: DemoDistrict, id_number: str) -> list[PartnerRecordKind]:
    return [r.kind for r in district.partner_records if r.id_number == id_number]


def test_every_planted_code_has_cases(district: DemoDistrict) -> None:
    assert set(district.planted) == {
        "paid_after_death",
        "paid_while_imprisoned",
        "duplicate_receipt",
    }
    assert all(district.planted.values())
    retirees = sum(p.status is PersonStatus.RETIRED for p in district.persons)
    assert 0.004 < len(district.planted["paid_after_death"]) / retirees < 0.02


def test_paid_after_death_is_a_retiree_with_a_death_record(
    district: DemoDistrict, by_id: dict[str, DemoPerson]
) -> None:
    for id_number in district.planted["paid_after_death"]:
        person = by_id[id_number]
        assert person.status is PersonStatus.RETIRED
        assert person.retirement_month is not None
        records = [r for r in district.partner_records if r.id_number == id_number]
        assert PartnerRecordKind.DEATH_CANCELLATION in {r.kind for r in records}
        for record in records:
            assert record.planted_anomaly == "paid_after_death"
            assert record.name == person.name
            assert record.event_date >= person.retirement_month


def test_paid_while_imprisoned_is_a_retiree_still_in_prison(
    district: DemoDistrict, by_id: dict[str, DemoPerson]
) -> None:
    for id_number in district.planted["paid_while_imprisoned"]:
        assert by_id[id_number].status is PersonStatus.RETIRED
        (record,) = [r for r in district.partner_records if r.id_number == id_number]
        assert record.kind is PartnerRecordKind.IMPRISONMENT
        assert record.department == "justice"
        assert record.end_date is None
        assert record.planted_anomaly == "paid_while_imprisoned"


def test_duplicate_receipt_is_the_same_human_under_a_second_id(
    district: DemoDistrict, by_id: dict[str, DemoPerson]
) -> None:
    for id_number in district.planted["duplicate_receipt"]:
        copy = by_id[id_number]
        twins = [
            p
            for p in district.persons
            if (p.name, p.birth_date, p.sex) == (copy.name, copy.birth_date, copy.sex)
            and p.id_number != id_number
        ]
        assert twins
        assert all(p.status is PersonStatus.RETIRED for p in [copy, *twins])
        assert replace(twins[0], id_number=id_number, phone=copy.phone) == copy


def test_deceased_persons_have_consistent_death_records(district: DemoDistrict) -> None:
    for person in district.persons:
        if person.status is PersonStatus.DECEASED:
            kinds = _records_of(district, person.id_number)
            assert PartnerRecordKind.DEATH_CANCELLATION in kinds


def test_ordinary_records_plant_nothing(district: DemoDistrict) -> None:
    planted_ids = {i for ids in district.planted.values() for i in ids}
    departments = {"public_security", "health", "civil_affairs", "justice"}
    kinds = Counter(record.kind for record in district.partner_records)
    assert set(kinds) == set(PartnerRecordKind)
    for record in district.partner_records:
        assert record.department in departments
        assert record.department == record.kind.department
        assert record.kind.label
        assert (record.planted_anomaly is not None) == (record.id_number in planted_ids)
