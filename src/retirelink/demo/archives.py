"""The demo district's personnel archives: which materials each person's archive holds, how
each page was scanned, and the defects planted among them for QC, review and benchmarks.

Pure and deterministic: a person's archive depends only on the district seed, the person and
the district's ``as_of`` (one ``Random`` per person, seeded by seed and ID number), so the same
seed gives the same catalogue, page texts and planted defects however many persons are drawn.

Materials follow the career (policy-spec.md §3.2, §6.1): 招工登记表 at the start of work,
转正定级表 a year later, 工资变动表 at national wage adjustments, 劳动合同 from 1986 (and the
1995 全员劳动合同), 调动介绍信 at each change of employer, 特殊工种审批表 for each finished
井下 period, 入伍批准书 and 退伍证明 for some men who served before work, 入党志愿书 for some,
干部履历表 for cadres, 自传 for everyone. Each material has 1-3 pages; :mod:`archive_forms`
words them and :mod:`archive_pages` draws them.

Planted defects (:class:`PlantingRates`): skewed pages (2-4°), low resolution (150 dpi),
grey or bitonal scans of materials that need colour, blank pages, catalogue page counts that
differ from the scans, and persons whose earliest birth-stating material shows an **altered**
birth date (crossed out and rewritten, different from the ID card and the other materials).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from random import Random

from retirelink.archives.holdings import ColourMode, ImageFormat
from retirelink.archives.material_classes import MATERIAL_CLASSES, ArchiveKind, MaterialType
from retirelink.archives.model import EmployerKind
from retirelink.demo.archive_forms import (
    BIRTH_LABEL,
    BLANK_PAGE,
    TYPED_FROM_YEAR,
    Alteration,
    FormStyle,
    MaterialFacts,
    PageContent,
    Period,
    PersonFacts,
    era_style,
    form_pages,
    write_month,
)
from retirelink.demo.model import DISTRICT_REGION, DemoDistrict, DemoEmployer, DemoPerson
from retirelink.rules.ethnicity import ethnicity_name
from retirelink.rules.identifiers import Sex
from retirelink.rules.regions import region_name

SCAN_DPI = 300
LOW_DPI = 150
_CADRE_KINDS = frozenset({EmployerKind.GOVERNMENT, EmployerKind.PUBLIC_INSTITUTION})


@dataclass(frozen=True)
class PlantingRates:
    """How often each defect is planted (shares of pages, materials or persons)."""

    skewed: float = 0.05  # of pages: rotated 2-4°
    low_resolution: float = 0.03  # of pages: scanned at 150 dpi
    wrong_colour_mode: float = 0.02  # of pages of materials that need colour: grey or bitonal
    blank_page: float = 0.005  # of materials: a blank back page scanned with them
    page_count_mismatch: float = 0.02  # of materials: the catalogue's count differs
    altered_birth_date: float = 0.02  # of persons: the earliest birth date was overwritten

    def to_dict(self) -> dict[str, float]:
        return {
            "skewed": self.skewed,
            "low_resolution": self.low_resolution,
            "wrong_colour_mode": self.wrong_colour_mode,
            "blank_page": self.blank_page,
            "page_count_mismatch": self.page_count_mismatch,
            "altered_birth_date": self.altered_birth_date,
        }


DEFAULT_RATES = PlantingRates()
# Shares of materials by file format (the rest are one JPEG per page). PDF only for
# materials of two pages or more; a bitonal page of a JPEG material is saved as TIFF G4.
_PDF_SHARE, _TIFF_SHARE, _PNG_SHARE = 0.15, 0.08, 0.02


class Defect(StrEnum):
    SKEWED = "skewed"
    LOW_RESOLUTION = "low_resolution"
    GREY = "grey"
    BITONAL = "bitonal"
    BLANK = "blank"
    PAGE_COUNT_MISMATCH = "page_count_mismatch"
    ALTERED_BIRTH_DATE = "altered_birth_date"

    @property
    def label(self) -> str:
        return _DEFECT_LABELS[self]


_DEFECT_LABELS = {
    Defect.SKEWED: "页面倾斜",
    Defect.LOW_RESOLUTION: "分辨率不足",
    Defect.GREY: "应彩色扫描却为灰度",
    Defect.BITONAL: "应彩色扫描却为黑白二值",
    Defect.BLANK: "空白页",
    Defect.PAGE_COUNT_MISMATCH: "目录页数与扫描页数不符",
    Defect.ALTERED_BIRTH_DATE: "出生日期涂改",
}

_EXTENSIONS = {
    ImageFormat.JPEG: "jpg",
    ImageFormat.TIFF: "tif",
    ImageFormat.PNG: "png",
    ImageFormat.PDF: "pdf",
}


@dataclass(frozen=True)
class ScanPage:
    """One scanned page: what it says and how the scanner saw it."""

    page_number: int
    content: PageContent
    dpi: int
    mode: ColourMode
    skew_degrees: float
    seed: str  # for the renderer's pen jitter and ink, so a page renders the same every time


@dataclass(frozen=True)
class PageFile:
    """One scan file: a single page, or all pages of a material for a multi-page PDF."""

    name: str
    image_format: ImageFormat
    pages: tuple[ScanPage, ...]


@dataclass(frozen=True)
class DemoMaterial:
    class_code: str
    sequence: int
    material_type: MaterialType
    title: str
    formed: date
    catalogued_pages: int
    files: tuple[PageFile, ...]
    # The birth date a reader takes from this material (None: it states none).
    stated_birth: date | None

    @property
    def pages(self) -> tuple[ScanPage, ...]:
        return tuple(page for file in self.files for page in file.pages)

    def catalogue_row(self) -> tuple[str, ...]:
        """The row of ``catalogue.csv`` (cataloguing.CATALOGUE_HEADERS order)."""
        return (
            self.class_code,
            str(self.sequence),
            self.title,
            self.material_type.label,
            f"{self.formed.year:04d}-{self.formed.month:02d}",
            str(self.catalogued_pages),
        )


@dataclass(frozen=True)
class PlantedDefect:
    defect: Defect
    archive_number: str
    id_number: str
    class_code: str
    sequence: int
    material_type: MaterialType
    page: int | None
    file: str | None
    detail: Mapping[str, str | int | float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "defect": self.defect.value,
            "archive_number": self.archive_number,
            "id_number": self.id_number,
            "class_code": self.class_code,
            "sequence": self.sequence,
            "material_type": self.material_type.value,
            "page": self.page,
            "file": self.file,
            **self.detail,
        }


@dataclass(frozen=True)
class DemoArchive:
    archive_number: str
    id_number: str
    name: str
    kind: ArchiveKind
    custodian: str
    location: str
    materials: tuple[DemoMaterial, ...]
    planted: tuple[PlantedDefect, ...]

    @property
    def pages(self) -> int:
        return sum(len(material.pages) for material in self.materials)

    def register_entry(self) -> dict[str, str]:
        """This archive's line in ``archives.json``."""
        return {
            "id_number": self.id_number,
            "kind": self.kind.value,
            "custodian": self.custodian,
            "location": self.location,
        }


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
    career = _Career(person, employers, as_of)
    number = archive_number(index)
    facts = _person_facts(person, career, rng)
    drafts = _numbered(_material_drafts(person, career, rng), rng)
    target, altered_to = None, None
    if rng.random() < rates.altered_birth_date:
        target = _earliest_birth_statement(drafts)
        altered_to = _altered_birth(person.birth_date, rng)
    planner = _ScanPlanner(number, person, rates, rng)
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


class _Career:
    """A person's spans with employers resolved, and the questions the planner asks of them."""

    def __init__(
        self, person: DemoPerson, employers: Mapping[str, DemoEmployer], as_of: date
    ) -> None:
        self.as_of = as_of
        self.spans = tuple(
            (
                Period(span.start, span.end),
                employers[span.employer_credit_code],
                span.post,
                span.underground,
            )
            for span in person.careers
        )
        self.end = min(person.careers[-1].end or as_of, as_of)
        self.kind = (
            ArchiveKind.CADRE
            if self.spans[-1][1].kind in _CADRE_KINDS
            else ArchiveKind.ENTERPRISE_WORKER
        )

    def at(self, month: date) -> tuple[DemoEmployer, str]:
        """Employer and post in ``month`` (the last span's when past the career)."""
        for period, employer, post, _ in self.spans:
            if period.start <= month and (period.end is None or month < period.end):
                return employer, post
        return self.spans[-1][1], self.spans[-1][2]

    def history(self, until: date) -> tuple[tuple[Period, str, str], ...]:
        """(period, employer name, post) of the spans begun by ``until``, cut at it."""
        rows = []
        for period, employer, post, _ in self.spans:
            if period.start > until:
                break
            open_end = period.end is None or period.end > until
            rows.append(
                (Period(period.start, None if open_end else period.end), employer.name, post)
            )
        return tuple(rows)


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_of(day: date) -> date:
    return date(day.year, day.month, 1)


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


def _person_facts(person: DemoPerson, career: _Career, rng: Random) -> PersonFacts:
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


def _custodian(person: DemoPerson, career: _Career) -> str:
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


_T = MaterialType
_MILITARY_SHARE = 0.15  # of men old enough to have served before their first job
_PARTY_SHARE = {ArchiveKind.CADRE: 0.45, ArchiveKind.ENTERPRISE_WORKER: 0.15}
CONTRACT_SYSTEM_START = date(1986, 10, 1)  # 劳动合同制 for new hires (国发〔1986〕77号)
ALL_STAFF_CONTRACTS = date(1995, 1, 1)  # 《劳动法》 in force: contracts for all staff
# National and provincial wage adjustments and reforms (月份, 原因).
_WAGE_ADJUSTMENTS: tuple[tuple[date, str], ...] = (
    (date(1977, 10, 1), "国家统一调整工资"),
    (date(1979, 11, 1), "国家统一调整工资"),
    (date(1983, 10, 1), "国家统一调整工资"),
    (date(1985, 10, 1), "工资制度改革套改"),
    (date(1989, 10, 1), "国家统一调整工资"),
    (date(1993, 10, 1), "工资制度改革套改"),
    (date(1997, 7, 1), "企业工资调整"),
    (date(2001, 10, 1), "晋升工资档次"),
    (date(2006, 7, 1), "工资制度改革套改"),
    (date(2012, 1, 1), "岗位工资调整"),
    (date(2016, 10, 1), "岗位工资调整"),
    (date(2021, 7, 1), "岗位工资调整"),
)
_PAGES: dict[MaterialType, tuple[int, int]] = {
    _T.RECRUITMENT_REGISTRATION: (1, 2),
    _T.REGULARISATION_GRADING: (1, 2),
    _T.WAGE_CHANGE: (1, 1),
    _T.LABOUR_CONTRACT: (2, 3),
    _T.SPECIAL_JOB_APPROVAL: (1, 2),
    _T.ENLISTMENT: (1, 1),
    _T.DISCHARGE: (1, 1),
    _T.PARTY_MEMBERSHIP: (2, 3),
    _T.RESUME: (2, 3),
    _T.TRANSFER_LETTER: (1, 1),
    _T.AUTOBIOGRAPHY: (1, 3),
}


def _material_drafts(person: DemoPerson, career: _Career, rng: Random) -> list[MaterialFacts]:
    drafts = [
        *_military(person, rng),
        *_start_of_work(person, career),
        *_wage_changes(person, career, rng),
        *_contracts(career),
        *_transfers(career),
        *_special_jobs(career),
        *_party(person, career, rng),
        *_cadre_resume(career, rng),
        _autobiography(person, career, rng),
    ]
    return [draft for draft in drafts if draft.formed <= career.as_of]


def _military(person: DemoPerson, rng: Random) -> list[MaterialFacts]:
    """Service before the first job for some men: at least two years, enlisted at 18 or later."""
    if person.sex is not Sex.MALE or rng.random() >= _MILITARY_SHARE:
        return []
    eighteen = add_months(_month_of(person.birth_date), 18 * 12 + 1)
    discharged = add_months(person.work_start, -(1 + int(rng.random() * 4)))
    enlisted = max(eighteen, add_months(discharged, -(36 + int(rng.random() * 24))))
    if (discharged.year - enlisted.year) * 12 + discharged.month - enlisted.month < 24:
        return []
    unit = f"{10_000 + int(rng.random() * 89_999)}"
    return [
        MaterialFacts(_T.ENLISTMENT, enlisted, period=Period(enlisted, None)),
        MaterialFacts(_T.DISCHARGE, discharged, period=Period(enlisted, discharged), detail=unit),
    ]


def _start_of_work(person: DemoPerson, career: _Career) -> list[MaterialFacts]:
    period, employer, post, _ = career.spans[0]
    start = person.work_start
    drafts = [MaterialFacts(_T.RECRUITMENT_REGISTRATION, start, employer.name, post, period)]
    regular = add_months(start, 12)
    if period.end is None or regular < period.end:
        drafts.append(
            MaterialFacts(
                _T.REGULARISATION_GRADING, regular, employer.name, post, Period(start, regular)
            )
        )
    return drafts


def _wage_changes(person: DemoPerson, career: _Career, rng: Random) -> list[MaterialFacts]:
    """One to four of the wage adjustments the career lived through (after regularisation)."""
    first = add_months(person.work_start, 13)
    window = [item for item in _WAGE_ADJUSTMENTS if first <= item[0] < career.end]
    chosen = sorted(rng.sample(window, min(len(window), 1 + int(rng.random() * 4))))
    drafts = []
    for month, reason in chosen:
        employer, post = career.at(month)
        drafts.append(MaterialFacts(_T.WAGE_CHANGE, month, employer.name, post, detail=reason))
    return drafts


def _contracts(career: _Career) -> list[MaterialFacts]:
    """Labour contracts at enterprises: new hires from 1986-10, everyone from 1995 (two at most)."""
    drafts = []
    for period, employer, post, _ in career.spans:
        if employer.kind in _CADRE_KINDS:
            continue
        if period.start >= CONTRACT_SYSTEM_START:
            signed = period.start
        elif period.end is None or period.end > ALL_STAFF_CONTRACTS:
            signed = ALL_STAFF_CONTRACTS
        else:
            continue
        drafts.append(
            MaterialFacts(
                _T.LABOUR_CONTRACT, signed, employer.name, post, Period(signed, period.end)
            )
        )
    return drafts[:2]


def _transfers(career: _Career) -> list[MaterialFacts]:
    """A transfer letter (工资转移单) at each change of employer (three at most)."""
    drafts = []
    for before, after in zip(career.spans, career.spans[1:], strict=False):
        if before[1] is after[1]:
            continue
        drafts.append(
            MaterialFacts(
                _T.TRANSFER_LETTER,
                after[0].start,
                after[1].name,
                after[2],
                after[0],
                previous_employer=before[1].name,
                detail=before[2],
            )
        )
    return drafts[:3]


def _special_jobs(career: _Career) -> list[MaterialFacts]:
    """特殊工种审批表 for each finished 井下 period, formed when it ended."""
    return [
        MaterialFacts(_T.SPECIAL_JOB_APPROVAL, period.end, employer.name, post, period)
        for period, employer, post, underground in career.spans
        if underground and period.end is not None and period.end <= career.as_of
    ]


def _party(person: DemoPerson, career: _Career, rng: Random) -> list[MaterialFacts]:
    if rng.random() >= _PARTY_SHARE[career.kind]:
        return []
    joined = add_months(person.work_start, 24 + int(rng.random() * 120))
    if joined >= career.end:
        return []
    employer, post = career.at(joined)
    return [MaterialFacts(_T.PARTY_MEMBERSHIP, joined, employer.name, post)]


def _cadre_resume(career: _Career, rng: Random) -> list[MaterialFacts]:
    if career.kind is not ArchiveKind.CADRE:
        return []
    became = next(
        period.start for period, employer, _, _ in career.spans if employer.kind in _CADRE_KINDS
    )
    formed = min(add_months(became, 6 + int(rng.random() * 18)), career.end)
    employer, post = career.at(formed)
    return [MaterialFacts(_T.RESUME, formed, employer.name, post, career=career.history(formed))]


def _autobiography(person: DemoPerson, career: _Career, rng: Random) -> MaterialFacts:
    formed = min(add_months(person.work_start, int(rng.random() * 6)), career.as_of)
    employer, post = career.at(formed)
    return MaterialFacts(
        _T.AUTOBIOGRAPHY, formed, employer.name, post, career=career.history(formed)
    )


@dataclass(frozen=True, eq=False)
class _Numbered:
    """A drafted material with its place in the catalogue and its page count."""

    class_code: str
    sequence: int
    facts: MaterialFacts
    pages: int


_CLASS_ORDER = {item.code: index for index, item in enumerate(MATERIAL_CLASSES)}
_TYPE_ORDER = {item: index for index, item in enumerate(MaterialType)}


def _numbered(drafts: Sequence[MaterialFacts], rng: Random) -> tuple[_Numbered, ...]:
    """Materials in catalogue order (class, then formation date), numbered within each class."""
    ordered = sorted(
        drafts,
        key=lambda d: (
            _CLASS_ORDER[d.material_type.info.class_code],
            d.formed,
            _TYPE_ORDER[d.material_type],
        ),
    )
    counters: dict[str, int] = {}
    numbered = []
    for draft in ordered:
        code = draft.material_type.info.class_code
        counters[code] = counters.get(code, 0) + 1
        low, high = _PAGES[draft.material_type]
        pages = low + int(rng.random() * (high - low + 1))
        numbered.append(_Numbered(code, counters[code], draft, pages))
    return tuple(numbered)


def _earliest_birth_statement(drafts: Sequence[_Numbered]) -> _Numbered | None:
    """The material formed first among those stating a birth date (劳社部发〔1999〕8号)."""
    stating = [d for d in drafts if d.facts.material_type.info.states_birth_date]
    return min(stating, key=lambda d: d.facts.formed, default=None)


def _altered_birth(birth: date, rng: Random) -> date:
    """An altered birth month 1-3 years earlier than the real one (older: retire sooner)."""
    years = 1 + int(rng.random() * 3)
    return date(birth.year - years, 1 + int(rng.random() * 12), 1)


@dataclass(frozen=True)
class _PageDraw:
    """A scanned page and the defect planted on it, if any."""

    page: ScanPage
    defect: Defect | None = None
    detail: Mapping[str, str | int | float] = field(default_factory=dict)


class _ScanPlanner:
    """Turns numbered materials into scan files, planting defects at the configured rates."""

    def __init__(self, number: str, person: DemoPerson, rates: PlantingRates, rng: Random) -> None:
        self.number = number
        self.person = person
        self.rates = rates
        self.rng = rng
        self.rnd = rng.random
        self.planted: list[PlantedDefect] = []

    def material(
        self, numbered: _Numbered, facts: PersonFacts, *, altered_to: date | None
    ) -> DemoMaterial:
        m = numbered.facts
        style = self._style(m.formed, altered_to)
        contents = list(form_pages(facts, m, style, pages=numbered.pages, rnd=self.rng))
        contents, catalogued = self._page_count(contents)
        if self.rnd() < self.rates.blank_page:
            contents.append(BLANK_PAGE)
            catalogued += 1
        if catalogued != len(contents):
            counts = {"catalogued": catalogued, "scanned": len(contents)}
            self._plant(Defect.PAGE_COUNT_MISMATCH, numbered, None, None, counts)
        image_format = self._format(len(contents))
        colour = m.material_type.info.colour_required
        draws = [
            self._scan(numbered, number, content, colour, image_format, clean=bool(altered_to))
            for number, content in enumerate(contents, start=1)
        ]
        files = self._files(numbered, image_format, [draw.page for draw in draws])
        self._record_pages(numbered, files, draws)
        if altered_to is not None:
            self._record_alteration(numbered, files[0], style)
        return DemoMaterial(
            class_code=numbered.class_code,
            sequence=numbered.sequence,
            material_type=m.material_type,
            title=contents[0].title if not contents[0].blank else m.material_type.label,
            formed=m.formed,
            catalogued_pages=catalogued,
            files=files,
            stated_birth=style.birth_shown if m.material_type.info.states_birth_date else None,
        )

    def _style(self, formed: date, altered_to: date | None) -> FormStyle:
        dates = era_style(formed.year, self.rnd())
        alteration = None
        if altered_to is not None:
            alteration = Alteration(
                BIRTH_LABEL,
                struck=write_month(self.person.birth_date, dates),
                written=write_month(altered_to, dates),
            )
        return FormStyle(
            dates=dates,
            handwritten=formed.year < TYPED_FROM_YEAR,
            birth_shown=altered_to or _month_of(self.person.birth_date),
            alteration=alteration,
        )

    def _page_count(self, contents: list[PageContent]) -> tuple[list[PageContent], int]:
        """Scanned pages and the catalogue's count; now and then the two disagree."""
        count = len(contents)
        if self.rnd() >= self.rates.page_count_mismatch:
            return contents, count
        if count >= 2 and self.rnd() < 0.5:
            scanned, catalogued = contents[:-1], count  # the last page was not scanned
        elif count >= 2:
            scanned, catalogued = contents, count - 1  # the archivist missed a page
        else:
            scanned, catalogued = contents, count + 1  # the catalogue counts a page not there
        return scanned, catalogued

    def _format(self, pages: int) -> ImageFormat:
        draw = self.rnd()
        if draw < _PDF_SHARE:
            return ImageFormat.PDF if pages >= 2 else ImageFormat.JPEG
        if draw < _PDF_SHARE + _TIFF_SHARE:
            return ImageFormat.TIFF
        if draw < _PDF_SHARE + _TIFF_SHARE + _PNG_SHARE:
            return ImageFormat.PNG
        return ImageFormat.JPEG

    def _scan(
        self,
        numbered: _Numbered,
        number: int,
        content: PageContent,
        colour_required: bool,
        image_format: ImageFormat,
        *,
        clean: bool,
    ) -> _PageDraw:
        seed = f"{self.number}/{numbered.class_code}_{numbered.sequence:02d}/{number}"
        page = ScanPage(number, content, SCAN_DPI, ColourMode.COLOUR, 0.0, seed)
        if content.blank:
            return _PageDraw(page, Defect.BLANK)
        rates, draw = self.rates, self.rnd()
        if clean:  # the altered material stays otherwise clean: one finding at a time
            return _PageDraw(page)
        if draw < rates.skewed:
            degrees = round((2 + 2 * self.rnd()) * (1 if self.rnd() < 0.5 else -1), 1)
            return _PageDraw(_replace_page(page, skew=degrees), Defect.SKEWED, {"degrees": degrees})
        draw -= rates.skewed
        if draw < rates.low_resolution and image_format is not ImageFormat.PDF:
            return _PageDraw(
                _replace_page(page, dpi=LOW_DPI), Defect.LOW_RESOLUTION, {"dpi": LOW_DPI}
            )
        draw -= rates.low_resolution
        if draw < rates.wrong_colour_mode and colour_required:
            mode = ColourMode.GREY if self.rnd() < 0.5 else ColourMode.BITONAL
            defect = Defect.GREY if mode is ColourMode.GREY else Defect.BITONAL
            return _PageDraw(_replace_page(page, mode=mode), defect, {"mode": mode.value})
        return _PageDraw(page)

    @staticmethod
    def _files(
        numbered: _Numbered, image_format: ImageFormat, pages: list[ScanPage]
    ) -> tuple[PageFile, ...]:
        """File names as ingest expects them: <类号>_<材料序号>[_<页号>].<扩展名>."""
        stem = f"{numbered.class_code}_{numbered.sequence:02d}"
        if image_format is ImageFormat.PDF:
            return (PageFile(f"{stem}.pdf", image_format, tuple(pages)),)
        files = []
        for page in pages:
            page_format = image_format
            if page.mode is ColourMode.BITONAL and image_format is ImageFormat.JPEG:
                page_format = ImageFormat.TIFF  # JPEG has no bitonal mode: TIFF G4
            name = f"{stem}_{page.page_number:03d}.{_EXTENSIONS[page_format]}"
            files.append(PageFile(name, page_format, (page,)))
        return tuple(files)

    def _record_pages(
        self, numbered: _Numbered, files: Sequence[PageFile], draws: Sequence[_PageDraw]
    ) -> None:
        file_of = {page.page_number: file.name for file in files for page in file.pages}
        for draw in draws:
            if draw.defect is not None:
                number = draw.page.page_number
                self._plant(draw.defect, numbered, number, file_of[number], draw.detail)

    def _record_alteration(self, numbered: _Numbered, file: PageFile, style: FormStyle) -> None:
        assert style.alteration is not None
        self._plant(
            Defect.ALTERED_BIRTH_DATE,
            numbered,
            1,
            file.name,
            {
                "id_card_birth_date": self.person.birth_date.isoformat(),
                "shown_birth_date": f"{style.birth_shown:%Y-%m}",
                "struck_text": style.alteration.struck,
                "written_text": style.alteration.written,
            },
        )

    def _plant(
        self,
        defect: Defect,
        numbered: _Numbered,
        page: int | None,
        file: str | None,
        detail: Mapping[str, str | int | float],
    ) -> None:
        self.planted.append(
            PlantedDefect(
                defect,
                self.number,
                self.person.id_number,
                numbered.class_code,
                numbered.sequence,
                numbered.facts.material_type,
                page,
                file,
                dict(detail),
            )
        )


def _replace_page(
    page: ScanPage, *, skew: float = 0.0, dpi: int = SCAN_DPI, mode: ColourMode = ColourMode.COLOUR
) -> ScanPage:
    return ScanPage(page.page_number, page.content, dpi, mode, skew, page.seed)
