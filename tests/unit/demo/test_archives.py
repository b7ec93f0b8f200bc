"""Demo archives as planned (no files): materials follow the career, the catalogue parses,
planted defects are where the manifest says, and the same seed gives the same archives."""

from collections import Counter
from datetime import date

import pytest

from retirelink.archives.cataloguing import CATALOGUE_HEADERS, parse_catalogue_rows
from retirelink.archives.material_classes import ArchiveKind, MaterialType
from retirelink.demo.archive_career import add_months
from retirelink.demo.archive_model import DemoArchive, PlantingRates
from retirelink.demo.archives import archive_number, plan_archives
from retirelink.demo.form_dates import DateStyle, read_month, write_month
from retirelink.demo.form_filling import BIRTH_LABEL
from retirelink.demo.generator import DemoDistrict, DemoPerson, generate_district

AS_OF = date(2026, 11, 23)
SEED = 4242
PERSONS = 400
_T = MaterialType


@pytest.fixture(scope="module")
def district() -> DemoDistrict:
    return generate_district(seed=SEED, persons=PERSONS, as_of=AS_OF)


@pytest.fixture(scope="module")
def archives(district: DemoDistrict) -> list[DemoArchive]:
    return plan_archives(district)


def _month(day: date) -> date:
    return date(day.year, day.month, 1)


def _pairs(
    district: DemoDistrict, archives: list[DemoArchive]
) -> list[tuple[DemoPerson, DemoArchive]]:
    return list(zip(district.persons, archives, strict=True))


def test_every_person_has_an_archive_numbered_in_district_order(district, archives) -> None:
    assert [a.archive_number for a in archives[:2]] == ["130406-000001", "130406-000002"]
    assert [a.id_number for a in archives] == [p.id_number for p in district.persons]
    assert archive_number(0) == "130406-000001"
    kinds = Counter(a.kind for a in archives)
    assert kinds[ArchiveKind.ENTERPRISE_WORKER] > kinds[ArchiveKind.CADRE] > 0


def test_recruitment_register_is_formed_when_work_started_and_states_it(district, archives) -> None:
    for person, archive in _pairs(district, archives):
        recruitment = [
            m for m in archive.materials if m.material_type is _T.RECRUITMENT_REGISTRATION
        ]
        assert len(recruitment) == 1
        assert recruitment[0].formed == person.work_start
        first = recruitment[0].pages[0].content
        assert read_month(first.value("参加工作时间") or "") == person.work_start


def test_materials_lie_within_the_career_and_before_as_of(district, archives) -> None:
    for person, archive in _pairs(district, archives):
        for material in archive.materials:
            assert material.formed <= AS_OF
            if material.material_type is _T.ENLISTMENT:
                assert add_months(_month(person.birth_date), 18 * 12) <= material.formed
                assert material.formed < person.work_start
            elif material.material_type is not _T.DISCHARGE:
                assert person.work_start <= material.formed


def test_special_job_approvals_state_each_finished_underground_period(district, archives) -> None:
    seen = 0
    for person, archive in _pairs(district, archives):
        periods = [
            (span.start, span.end)
            for span in person.careers
            if span.underground and span.end is not None and span.end <= AS_OF
        ]
        approvals = [m for m in archive.materials if m.material_type is _T.SPECIAL_JOB_APPROVAL]
        assert [m.formed for m in approvals] == [end for _, end in periods]
        for material, (start, end) in zip(approvals, periods, strict=True):
            stated = material.pages[0].content.value("从事时间") or ""
            since, _, until = stated.removeprefix("自").partition("至")
            assert read_month(since) == start
            assert read_month(until) == add_months(end, -1)  # the last month worked
            seen += 1
    assert seen > 0


def test_military_service_and_party_membership_come_for_some(archives) -> None:
    types = Counter(m.material_type for a in archives for m in a.materials)
    assert 0 < types[_T.ENLISTMENT] == types[_T.DISCHARGE] < PERSONS * 0.2
    assert 0 < types[_T.PARTY_MEMBERSHIP] < PERSONS * 0.5
    assert types[_T.RESUME] == sum(a.kind is ArchiveKind.CADRE for a in archives)
    assert types[_T.AUTOBIOGRAPHY] == PERSONS


def test_materials_are_numbered_within_their_class_in_formation_order(archives) -> None:
    for archive in archives:
        by_class: dict[str, list[tuple[int, date]]] = {}
        for material in archive.materials:
            assert material.class_code == material.material_type.info.class_code
            assert 1 <= len(material.pages) <= 4  # 1-3 pages, and now and then a blank one
            by_class.setdefault(material.class_code, []).append(
                (material.sequence, material.formed)
            )
        for numbered in by_class.values():
            assert [seq for seq, _ in numbered] == list(range(1, len(numbered) + 1))
            assert [formed for _, formed in numbered] == sorted(formed for _, formed in numbered)


def test_catalogue_rows_parse_with_the_cataloguing_rules(archives) -> None:
    for archive in archives[:50]:
        rows = [list(CATALOGUE_HEADERS)] + [list(m.catalogue_row()) for m in archive.materials]
        entries = parse_catalogue_rows(rows)
        assert [(e.class_code, e.sequence, e.material_type) for e in entries] == [
            (m.class_code, m.sequence, m.material_type) for m in archive.materials
        ]
        assert [e.pages for e in entries] == [m.catalogued_pages for m in archive.materials]


def test_birth_dates_agree_with_the_id_card_unless_altered(district, archives) -> None:
    for person, archive in _pairs(district, archives):
        altered = {
            (d.class_code, d.sequence) for d in archive.planted if d.defect == "altered_birth_date"
        }
        for material in archive.materials:
            if (material.class_code, material.sequence) in altered or material.stated_birth is None:
                continue
            stated = material.pages[0].content.value(BIRTH_LABEL)
            assert stated is not None and read_month(stated) == _month(person.birth_date)


def test_altered_birth_date_is_on_the_earliest_record_and_differs_from_the_id_card(
    district,
) -> None:
    archives = plan_archives(district, persons=30, rates=PlantingRates(altered_birth_date=1.0))
    for person, archive in zip(district.persons, archives, strict=False):
        (planted,) = [d for d in archive.planted if d.defect == "altered_birth_date"]
        material = next(
            m
            for m in archive.materials
            if (m.class_code, m.sequence) == (planted.class_code, planted.sequence)
        )
        stating = [m for m in archive.materials if m.stated_birth is not None]
        assert material.formed == min(m.formed for m in stating)
        page = material.pages[planted.page - 1 if planted.page else 0].content
        shown = read_month(page.value(BIRTH_LABEL) or "")
        assert shown is not None and shown != _month(person.birth_date)
        assert shown == material.stated_birth
        assert planted.detail["shown_birth_date"] == f"{shown:%Y-%m}"
        assert planted.detail["id_card_birth_date"] == person.birth_date.isoformat()
        assert page.alteration is not None
        assert read_month(page.alteration.struck) == _month(person.birth_date)
        assert page.alteration.struck in page.text() and page.alteration.written in page.text()
        others = [m for m in stating if m is not material]
        assert all(m.stated_birth == _month(person.birth_date) for m in others)


def test_planted_rates_are_near_their_targets(archives) -> None:
    pages = sum(a.pages for a in archives)
    materials = sum(len(a.materials) for a in archives)
    counts = Counter(d.defect.value for a in archives for d in a.planted)
    assert 0.03 < counts["skewed"] / pages < 0.07
    assert 0.015 < counts["low_resolution"] / pages < 0.045
    assert 0.008 < (counts["grey"] + counts["bitonal"]) / pages < 0.03
    assert 0.005 < counts["page_count_mismatch"] / materials < 0.04
    assert 0 < counts["altered_birth_date"] < PERSONS * 0.05


def test_page_count_mismatches_are_recorded_with_both_counts(archives) -> None:
    for archive in archives:
        mismatched = {
            (d.class_code, d.sequence): d.detail
            for d in archive.planted
            if d.defect == "page_count_mismatch"
        }
        for material in archive.materials:
            detail = mismatched.get((material.class_code, material.sequence))
            if detail is None:
                assert material.catalogued_pages == len(material.pages)
            else:
                assert detail == {
                    "catalogued": material.catalogued_pages,
                    "scanned": len(material.pages),
                }
                assert material.catalogued_pages != len(material.pages)


def test_same_seed_same_archives_and_other_seed_others(district, archives) -> None:
    again = plan_archives(district, persons=40)
    assert again == archives[:40]
    other = plan_archives(district, persons=40, seed=SEED + 1)
    assert [a.planted for a in other] != [a.planted for a in archives[:40]]


@pytest.mark.parametrize("style", list(DateStyle))
def test_written_months_read_back_in_every_style(style: DateStyle) -> None:
    for day in (date(1950, 1, 1), date(1965, 3, 1), date(1979, 10, 1), date(1988, 12, 1)):
        assert read_month(write_month(day, style)) == day
