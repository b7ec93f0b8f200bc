"""The demo district's personnel archives: which materials each person's archive holds, how
each page was scanned, and the defects planted among them for QC, review and benchmarks.

Pure and deterministic: a person's archive depends only on the district seed, the person and
the district's ``as_of`` (one ``Random`` per person, seeded by seed and ID number), so the same
seed gives the same catalogue, page texts and planted defects however many persons are drawn.

Here: the archive number and location, the person's facts and the custodian, and
:func:`plan_archives` putting them together. The planned archive's types and the defect
rates: :mod:`retirelink.demo.archive_model`; which materials it holds:
:mod:`retirelink.demo.archive_materials` (from the career in
:mod:`retirelink.demo.archive_career`); how they are worded and scanned:
:mod:`retirelink.demo.archive_forms` and :mod:`retirelink.demo.archive_scans`.
"""

from collections.abc import Mapping, Sequence
from datetime import date
from random import Random

from retirelink.archives.material_classes import ArchiveKind
from retirelink.archives.model import EmployerKind
from retirelink.demo.archive_career import Career
from retirelink.demo.archive_materials import (
    altered_birth,
    earliest_birth_statement,
    material_drafts,
    number_materials,
)
from retirelink.demo.archive_model import DEFAULT_RATES, DemoArchive, PlantingRates
from retirelink.demo.archive_scans import ScanPlanner
from retirelink.demo.form_filling import PersonFacts
from retirelink.demo.model import DISTRICT_REGION, DemoDistrict, DemoEmployer, DemoPerson
from retirelink.rules.ethnicity import ethnicity_name
from retirelink.rules.regions import region_name


def archive_number(index: int) -> str:
    """The archive number of the district's ``index``-th person (0-based): 130406-000001."""
    return f"{DISTRICT_REGION}-{index + 1:06d}"


def location(index: int) -> str:
    """Where the paper archive stands: 库房-架-层 (40 archives a layer, 5 layers, 50 shelves)."""
    room = chr(ord("A") + index // 10_000)
    return f"{room}-{(index // 200) % 50 + 1:02d}-{(index // 40) % 5 + 1}"


def plan_archives(
    district: DemoDistrict,
    *,
    persons: int | None = None,
    seed: int | None = None,
    rates: PlantingRates = DEFAULT_RATES,
) -> list[DemoArchive]:
    """The archives of the district's first ``persons`` persons (all when None); ``seed``
    (default: the district's) draws their materials and defects."""
    employers = {employer.credit_code: employer for employer in district.employers}
    chosen = district.persons if persons is None else district.persons[:persons]
    return [
        plan_archive(
            person,
            index,
            employers=employers,
            seed=district.seed if seed is None else seed,
            as_of=district.as_of,
            rates=rates,
        )
        for index, person in enumerate(chosen)
    ]


def plan_archive(
    person: DemoPerson,
    index: int,
    *,
    employers: Mapping[str, DemoEmployer],
    seed: int,
    as_of: date,
    rates: PlantingRates = DEFAULT_RATES,
) -> DemoArchive:
    """One person's archive; the same inputs always give the same archive."""
    rng = Random(f"retirelink-demo-archives:{seed}:{person.id_number}")
    career = Career(person, employers, as_of)
    number = archive_number(index)
    facts = _person_facts(person, career, rng)
    drafts = number_materials(material_drafts(person, career, rng), rng)
    target, altered_to = None, None
    if rng.random() < rates.altered_birth_date:
        target = earliest_birth_statement(drafts)
        altered_to = altered_birth(person.birth_date, rng)
    planner = ScanPlanner(number, person, rates, rng)
    materials = tuple(
        planner.material(numbered, facts, altered_to=altered_to if numbered is target else None)
        for numbered in drafts
    )
    return DemoArchive(
        archive_number=number,
        id_number=person.id_number,
        name=person.name,
        kind=career.kind,
        custodian=_custodian(person, career),
        location=location(index),
        materials=materials,
        planted=tuple(planner.planted),
    )


_TOWNS = ("彭城镇", "大社镇", "和村镇", "义井镇", "界城镇", "临水镇", "新坡镇", "峰峰镇")
_VILLAGES = (
    "张家庄村", "李家庄村", "北羊台村", "南王看村", "西纸坊村",
    "东和村", "孙庄村", "南响堂村", "山底村",
)  # fmt: skip
_ORIGINS = ("贫农", "贫农", "下中农", "中农", "工人", "工人", "城市贫民")


def _education(person: DemoPerson, kind: ArchiveKind, draw: float) -> str:
    if kind is ArchiveKind.CADRE:
        choices = ("中专", "大专", "大专", "本科")
    elif person.birth_date.year < 1960:
        choices = ("小学", "初中", "初中", "高中")
    elif person.birth_date.year < 1975:
        choices = ("初中", "初中", "高中", "中专")
    else:
        choices = ("初中", "高中", "中专", "大专")
    return choices[int(draw * len(choices))]


def _pick(rng: Random, items: Sequence[str]) -> str:
    return items[int(rng.random() * len(items))]


def _person_facts(person: DemoPerson, career: Career, rng: Random) -> PersonFacts:
    place = region_name(person.hukou_region) or "峰峰矿区"
    town = _pick(rng, _TOWNS) if person.hukou_region == DISTRICT_REGION else ""
    return PersonFacts(
        name=person.name,
        sex=person.sex.label,
        birth=person.birth_date,
        ethnicity=ethnicity_name(person.ethnicity),
        native_place=f"河北{place}",
        education=_education(person, career.kind, rng.random()),
        family_origin=_pick(rng, _ORIGINS),
        address=f"{place}{town}{_pick(rng, _VILLAGES)}",
    )


def _custodian(person: DemoPerson, career: Career) -> str:
    """Who keeps the paper: 组织部 for cadres, the employer or 人才中心 while working,
    the 社保 agency once retired."""
    if career.kind is ArchiveKind.CADRE:
        return "中共峰峰矿区委组织部干部档案室"
    if person.careers[-1].end is not None:
        return "峰峰矿区社会保险事业管理中心档案室"
    employer = career.spans[-1][1]
    if employer.kind is EmployerKind.PRIVATE_ENTERPRISE:
        return "峰峰矿区人才交流服务中心"
    return f"{employer.name}档案室"
