"""Facts from archives: candidates from OCR, review by a person, and what they decide.

* After OCR of a page, ``record_candidates`` stores the facts read from it as candidates
  (replacing the page's earlier unreviewed candidates, so a rescan is read afresh).
* A reviewer confirms, corrects or rejects each candidate, or enters a fact OCR missed (a
  lunar date, a handwritten page); materials can be flagged as altered (涂改).
* ``archive_evidence`` gives the rules engine's birth-date determination (劳社部发〔1999〕8号:
  the earliest-formed record wins) and deemed-contribution service periods from the
  **trusted** facts only, and the 三龄两历 check lists contradictions across materials.
"""

from dataclasses import dataclass, replace
from datetime import date

from retirelink.archives.chinese_dates import parse_chinese_date
from retirelink.archives.consistency import check_consistency
from retirelink.archives.contradictions import Contradiction
from retirelink.archives.fact_extraction import extract_facts
from retirelink.archives.fact_kinds import FactKind
from retirelink.archives.fact_records import ArchiveFact, FactOrigin, FactStatus
from retirelink.archives.holdings import DatePrecision, FuzzyDate, Material, Page, PageText
from retirelink.archives.material_facts import MaterialFact
from retirelink.archives.model import Person
from retirelink.archives.ports import HoldingsUnitOfWork
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError
from retirelink.ledger.model import LedgerAction
from retirelink.rules.birth_date import (
    BirthDateDetermination,
    BirthDateRecord,
    StatedBirthDate,
    birth_date_for_retirement,
)
from retirelink.rules.calendar import YearMonth
from retirelink.rules.deemed import ServiceInterval, ServiceKind
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require

MAX_NOTE = 500
QUEUE_LIMIT = 200


def record_candidates(uow: HoldingsUnitOfWork, page: Page, text: PageText) -> int:
    """OCR hook: store the facts read from a page as candidates; returns how many."""
    material = uow.materials.get(page.material_id)
    archive = uow.archives.get(material.archive_id) if material else None
    if material is None or archive is None or page.id is None:
        return 0
    uow.facts.delete_candidates_of_page(page.id)
    now = uow.clock.now()
    found = extract_facts(list(text.lines), material.material_type, reference_year=now.year)
    for fact in found:
        uow.facts.add(
            ArchiveFact(
                id=None,
                person_id=archive.person_id,
                material_id=page.material_id,
                page_id=page.id,
                kind=fact.kind,
                start=fact.start,
                end=fact.end,
                detail=fact.detail[:200],
                source_text=fact.snippet[:500],
                line_index=fact.line_index,
                box=fact.box,
                confidence=round(fact.confidence, 3),
                status=FactStatus.CANDIDATE,
                origin=FactOrigin.OCR,
                created_at=now,
            )
        )
    return len(found)


def review_queue(
    uow: HoldingsUnitOfWork, *, actor: Actor, limit: int = QUEUE_LIMIT
) -> list[ArchiveFact]:
    require(actor, Permission.ARCHIVE_FACT_REVIEW)
    return uow.facts.queue(status=FactStatus.CANDIDATE.value, limit=limit)


def review_fact(
    uow: HoldingsUnitOfWork,
    *,
    actor: Actor,
    fact_id: int,
    decision: str,
    start: str = "",
    end: str = "",
    note: str = "",
) -> ArchiveFact:
    """Confirm, correct (with the right dates, read like the paper: 1965.3, 一九六五年三月 …)
    or reject a candidate; committed and ledgered."""
    require(actor, Permission.ARCHIVE_FACT_REVIEW)
    fact = uow.facts.get(fact_id)
    if fact is None:
        raise NotFoundError("待审核信息不存在")
    if fact.status is not FactStatus.CANDIDATE:
        raise ConflictError(f"该信息已{fact.status.label}，不能重复审核")
    now = uow.clock.now()
    if decision == "confirm":
        reviewed = replace(fact, status=FactStatus.CONFIRMED)
    elif decision == "correct":
        today = uow.clock.today()
        new_start, new_end = _date(start, "start", today), _date(end, "end", today)
        if new_start is None and new_end is None:
            raise InvalidInputError("更正时须填写正确的日期", field="start")
        reviewed = replace(fact, status=FactStatus.CORRECTED, start=new_start, end=new_end)
    elif decision == "reject":
        if not note.strip():
            raise InvalidInputError("否定时须说明理由", field="note")
        reviewed = replace(fact, status=FactStatus.REJECTED)
    else:
        raise InvalidInputError("请选择确认、更正或否定", field="decision")
    reviewed = replace(
        reviewed, reviewed_by=actor.username, reviewed_at=now, review_note=_note(note)
    )
    uow.facts.update(reviewed)
    _ledger(uow, actor, reviewed, f"{reviewed.status.label}{reviewed.kind.label}")
    uow.commit()
    return reviewed


def add_fact(
    uow: HoldingsUnitOfWork,
    *,
    actor: Actor,
    material_id: int,
    kind: FactKind,
    start: str,
    end: str = "",
    detail: str = "",
    page_id: int | None = None,
    note: str = "",
) -> ArchiveFact:
    """A fact entered by a reviewer from the page (trusted at once: a person read it)."""
    require(actor, Permission.ARCHIVE_FACT_REVIEW)
    material = uow.materials.get(material_id)
    archive = uow.archives.get(material.archive_id) if material else None
    if material is None or archive is None:
        raise NotFoundError("材料不存在")
    if page_id is not None:
        page = uow.pages.get(page_id)
        if page is None or page.material_id != material_id:
            raise InvalidInputError("该页面不属于这份材料", field="page_id")
    today = uow.clock.today()
    new_start, new_end = _date(start, "start", today), _date(end, "end", today)
    if new_start is None and new_end is None:
        raise InvalidInputError("须填写日期", field="start")
    now = uow.clock.now()
    fact = uow.facts.add(
        ArchiveFact(
            id=None,
            person_id=archive.person_id,
            material_id=material_id,
            page_id=page_id,
            kind=kind,
            start=new_start,
            end=new_end,
            detail=detail.strip()[:200],
            source_text="",
            line_index=None,
            box=None,
            confidence=1.0,
            status=FactStatus.CONFIRMED,
            origin=FactOrigin.REVIEWER,
            created_at=now,
            reviewed_by=actor.username,
            reviewed_at=now,
            review_note=_note(note),
        )
    )
    _ledger(uow, actor, fact, f"录入{kind.label}")
    uow.commit()
    return fact


def flag_altered(uow: HoldingsUnitOfWork, *, actor: Actor, material_id: int, note: str) -> Material:
    """Mark a material as altered (涂改): its facts no longer decide without verification."""
    require(actor, Permission.ARCHIVE_FACT_REVIEW)
    material = uow.materials.get(material_id)
    if material is None:
        raise NotFoundError("材料不存在")
    cleaned = note.strip()
    if not cleaned:
        raise InvalidInputError("请说明涂改的位置和内容", field="note")
    flagged = replace(material, altered=True, altered_note=cleaned[:MAX_NOTE])
    uow.materials.update(flagged)
    archive = uow.archives.get(material.archive_id)
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.ARCHIVE_MATERIAL_FLAGGED,
        subject=uow.ledger.subject("archive", archive.archive_number if archive else "?"),
        purpose=f"标记涂改：{material.title}（{material.class_code}-{material.sequence}）",
        after={"material": material_id, "altered": True},
    )
    uow.commit()
    return flagged


@dataclass(frozen=True)
class ArchiveEvidence:
    """What a person's archive proves, for the person page and the rules engine."""

    person: Person
    facts: list[ArchiveFact]
    materials: dict[int, Material]
    birth: BirthDateDetermination
    birth_fact: ArchiveFact | None
    contradictions: list[Contradiction]
    service: list[ServiceInterval]
    unusable: list[str]

    @property
    def pending(self) -> int:
        return sum(1 for fact in self.facts if fact.status is FactStatus.CANDIDATE)


def archive_evidence(uow: HoldingsUnitOfWork, *, actor: Actor, person_id: int) -> ArchiveEvidence:
    """The person's archive facts and what the law makes of the trusted ones."""
    require(actor, Permission.ARCHIVE_READ)
    person = uow.persons.get(person_id)
    if person is None:
        raise NotFoundError("参保人不存在")
    facts = uow.facts.for_person(person_id)
    materials = {
        material_id: material
        for material_id in sorted({fact.material_id for fact in facts})
        if (material := uow.materials.get(material_id)) is not None
    }
    trusted = [fact for fact in facts if fact.status.trusted and fact.material_id in materials]
    records, unusable, by_material = _birth_records(trusted, materials)
    birth = birth_date_for_retirement(records, id_card_birth=person.birth_date)
    chosen = by_material.get(birth.material_id or "")
    paired = [MaterialFact.of(fact.as_extracted(), materials[fact.material_id]) for fact in trusted]
    return ArchiveEvidence(
        person=person,
        facts=facts,
        materials=materials,
        birth=birth,
        birth_fact=chosen,
        contradictions=check_consistency(paired),
        service=_service_intervals(trusted, uow.clock.today()),
        unusable=unusable,
    )


def _birth_records(
    facts: list[ArchiveFact], materials: dict[int, Material]
) -> tuple[list[BirthDateRecord], list[str], dict[str, ArchiveFact]]:
    """One BirthDateRecord per material stating a birth date (its first trusted statement)."""
    records: list[BirthDateRecord] = []
    unusable: list[str] = []
    chosen: dict[str, ArchiveFact] = {}
    for fact in facts:
        if fact.kind is not FactKind.BIRTH_DATE or fact.start is None:
            continue
        material = materials[fact.material_id]
        key = str(material.id)
        if key in chosen:
            continue
        if material.formation_date is None:
            unusable.append(f"“{material.title}”没有形成时间，不能判断是否最先记载")
            continue
        stated = _stated(fact.start)
        if stated.earliest_day > material.formation_date.value:
            unusable.append(f"“{material.title}”记载的出生时间{stated.label}晚于其形成时间")
            continue
        chosen[key] = fact
        records.append(
            BirthDateRecord(
                material_id=key,
                title=material.title,
                formed_on=material.formation_date.value,
                stated_birth=stated,
                material_class=material.class_code,
                altered=material.altered,
            )
        )
    return records, unusable, chosen


def _stated(value: FuzzyDate) -> StatedBirthDate:
    day = value.value
    if value.precision is DatePrecision.YEAR:
        return StatedBirthDate(day.year, None, None)
    if value.precision is DatePrecision.MONTH:
        return StatedBirthDate(day.year, day.month, None)
    return StatedBirthDate(day.year, day.month, day.day)


def _service_intervals(facts: list[ArchiveFact], today: date) -> list[ServiceInterval]:
    """Service periods the archive proves, for the deemed-contribution calculation: military
    service with both ends, and employment from the stated start of work (the calculation
    counts it up to the personal-account start)."""
    intervals: list[ServiceInterval] = []
    for fact in facts:
        evidence = (f"material:{fact.material_id}",)
        if fact.kind is FactKind.MILITARY_SERVICE and fact.start and fact.end:
            intervals.append(
                ServiceInterval(
                    _month(fact.start), _month(fact.end), ServiceKind.MILITARY, evidence
                )
            )
        elif fact.kind is FactKind.WORK_START and fact.start:
            start = _month(fact.start)
            intervals.append(
                ServiceInterval(
                    start, YearMonth(today.year, today.month), ServiceKind.EMPLOYMENT, evidence
                )
            )
    return intervals


def _month(value: FuzzyDate) -> YearMonth:
    return YearMonth(value.value.year, value.value.month)


def _date(text: str, field: str, today: date) -> FuzzyDate | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    parsed = parse_chinese_date(cleaned, reference_year=today.year)
    if parsed is None:
        raise InvalidInputError(f"“{cleaned}”不是有效日期", field=field)
    return parsed


def _note(text: str) -> str:
    cleaned = text.strip()
    if len(cleaned) > MAX_NOTE:
        raise InvalidInputError(f"说明不能超过{MAX_NOTE}个字", field="note")
    return cleaned


def _ledger(uow: HoldingsUnitOfWork, actor: Actor, fact: ArchiveFact, note: str) -> None:
    person = uow.persons.get(fact.person_id)
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.ARCHIVE_FACT_REVIEWED,
        subject=uow.ledger.subject("person", person.id_number if person else str(fact.person_id)),
        purpose=f"档案信息审核：{note}",
        after={"fact": fact.id, "status": fact.status.value, "value": fact.value_label},
    )
