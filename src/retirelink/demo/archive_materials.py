"""Which materials a demo person's archive holds, drafted from the career, numbered in
catalogue order with their page counts; and the birth-date alteration planted on the
earliest material stating a birth date.

Materials follow the career (policy-spec.md §3.2, §6.1): 招工登记表 at the start of work,
转正定级表 a year later, 工资变动表 at national wage adjustments, 劳动合同 from 1986 (and the
1995 全员劳动合同), 调动介绍信 at each change of employer, 特殊工种审批表 for each finished
井下 period, 入伍批准书 and 退伍证明 for some men who served before work, 入党志愿书 for some,
干部履历表 for cadres, 自传 for everyone. Each material has 1-3 pages; :mod:`archive_forms`
words them and :mod:`archive_pages` draws them; :mod:`archive_scans` scans them.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from random import Random

from retirelink.archives.material_classes import MATERIAL_CLASSES, ArchiveKind, MaterialType
from retirelink.demo.archive_career import CADRE_KINDS, Career, add_months, month_of
from retirelink.demo.form_filling import MaterialFacts, Period
from retirelink.demo.model import DemoPerson
from retirelink.rules.identifiers import Sex

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


def material_drafts(person: DemoPerson, career: Career, rng: Random) -> list[MaterialFacts]:
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
    eighteen = add_months(month_of(person.birth_date), 18 * 12 + 1)
    discharged = add_months(person.work_start, -(1 + int(rng.random() * 4)))
    enlisted = max(eighteen, add_months(discharged, -(36 + int(rng.random() * 24))))
    if (discharged.year - enlisted.year) * 12 + discharged.month - enlisted.month < 24:
        return []
    unit = f"{10_000 + int(rng.random() * 89_999)}"
    return [
        MaterialFacts(_T.ENLISTMENT, enlisted, period=Period(enlisted, None)),
        MaterialFacts(_T.DISCHARGE, discharged, period=Period(enlisted, discharged), detail=unit),
    ]


def _start_of_work(person: DemoPerson, career: Career) -> list[MaterialFacts]:
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


def _wage_changes(person: DemoPerson, career: Career, rng: Random) -> list[MaterialFacts]:
    """One to four of the wage adjustments the career lived through (after regularisation)."""
    first = add_months(person.work_start, 13)
    window = [item for item in _WAGE_ADJUSTMENTS if first <= item[0] < career.end]
    chosen = sorted(rng.sample(window, min(len(window), 1 + int(rng.random() * 4))))
    drafts = []
    for month, reason in chosen:
        employer, post = career.at(month)
        drafts.append(MaterialFacts(_T.WAGE_CHANGE, month, employer.name, post, detail=reason))
    return drafts


def _contracts(career: Career) -> list[MaterialFacts]:
    """Labour contracts at enterprises: new hires from 1986-10, everyone from 1995 (two at most)."""
    drafts = []
    for period, employer, post, _ in career.spans:
        if employer.kind in CADRE_KINDS:
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


def _transfers(career: Career) -> list[MaterialFacts]:
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


def _special_jobs(career: Career) -> list[MaterialFacts]:
    """特殊工种审批表 for each finished 井下 period, formed when it ended."""
    return [
        MaterialFacts(_T.SPECIAL_JOB_APPROVAL, period.end, employer.name, post, period)
        for period, employer, post, underground in career.spans
        if underground and period.end is not None and period.end <= career.as_of
    ]


def _party(person: DemoPerson, career: Career, rng: Random) -> list[MaterialFacts]:
    if rng.random() >= _PARTY_SHARE[career.kind]:
        return []
    joined = add_months(person.work_start, 24 + int(rng.random() * 120))
    if joined >= career.end:
        return []
    employer, post = career.at(joined)
    return [MaterialFacts(_T.PARTY_MEMBERSHIP, joined, employer.name, post)]


def _cadre_resume(career: Career, rng: Random) -> list[MaterialFacts]:
    if career.kind is not ArchiveKind.CADRE:
        return []
    became = next(
        period.start for period, employer, _, _ in career.spans if employer.kind in CADRE_KINDS
    )
    formed = min(add_months(became, 6 + int(rng.random() * 18)), career.end)
    employer, post = career.at(formed)
    return [MaterialFacts(_T.RESUME, formed, employer.name, post, career=career.history(formed))]


def _autobiography(person: DemoPerson, career: Career, rng: Random) -> MaterialFacts:
    formed = min(add_months(person.work_start, int(rng.random() * 6)), career.as_of)
    employer, post = career.at(formed)
    return MaterialFacts(
        _T.AUTOBIOGRAPHY, formed, employer.name, post, career=career.history(formed)
    )


@dataclass(frozen=True, eq=False)
class NumberedMaterial:
    """A drafted material with its place in the catalogue and its page count."""

    class_code: str
    sequence: int
    facts: MaterialFacts
    pages: int


_CLASS_ORDER = {item.code: index for index, item in enumerate(MATERIAL_CLASSES)}
_TYPE_ORDER = {item: index for index, item in enumerate(MaterialType)}


def number_materials(drafts: Sequence[MaterialFacts], rng: Random) -> tuple[NumberedMaterial, ...]:
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
        numbered.append(NumberedMaterial(code, counters[code], draft, pages))
    return tuple(numbered)


def earliest_birth_statement(drafts: Sequence[NumberedMaterial]) -> NumberedMaterial | None:
    """The material formed first among those stating a birth date (劳社部发〔1999〕8号)."""
    stating = [d for d in drafts if d.facts.material_type.info.states_birth_date]
    return min(stating, key=lambda d: d.facts.formed, default=None)


def altered_birth(birth: date, rng: Random) -> date:
    """An altered birth month 1-3 years earlier than the real one (older: retire sooner)."""
    years = 1 + int(rng.random() * 3)
    return date(birth.year - years, 1 + int(rng.random() * 12), 1)
