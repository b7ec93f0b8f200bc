"""Facts reviewed from archive pages decide, through the rules engine, the birth date
(劳社部发〔1999〕8号 第二条(二): the record formed earliest) and the service periods of the
deemed-contribution calculation; candidates decide nothing until a reviewer trusts them."""

from datetime import date

import pytest

from retirelink.archives.fact_kinds import FactKind
from retirelink.archives.fact_records import ArchiveFact, FactOrigin, FactStatus
from retirelink.archives.facts import add_fact, archive_evidence, flag_altered, review_fact
from retirelink.archives.holdings import DatePrecision, FuzzyDate
from retirelink.archives.material_classes import MaterialType
from retirelink.bootstrap import Services
from retirelink.errors import ConflictError, InvalidInputError
from retirelink.rules.birth_date import BirthDateSource
from retirelink.rules.deemed import ServiceKind, calculate_deemed_contribution
from tests.integration.archives.conftest import CataloguedArchive
from tests.support.builders import actor_for

RECRUITMENT = MaterialType.RECRUITMENT_REGISTRATION  # formed 1983-07
REGULARISATION = MaterialType.REGULARISATION_GRADING  # formed 1984-07


def _candidate(services: Services, catalogued: CataloguedArchive, material_type, kind, start):
    material = catalogued.materials[material_type]
    with services.uow() as uow:
        fact = uow.facts.add(
            ArchiveFact(
                None,
                catalogued.archive.person_id,
                material.id or 0,
                None,
                kind,
                FuzzyDate(start, DatePrecision.MONTH),
                None,
                "",
                "出生年月 …",
                0,
                None,
                0.9,
                FactStatus.CANDIDATE,
                FactOrigin.OCR,
                uow.clock.now(),
            )
        )
        uow.commit()
    return fact.id or 0


def _evidence(services: Services, catalogued: CataloguedArchive):
    with services.uow() as uow:
        return archive_evidence(
            uow, actor=actor_for(services, "reviewer"), person_id=catalogued.archive.person_id
        )


def test_candidates_decide_nothing_until_confirmed(
    seeded: Services, catalogued: CataloguedArchive
) -> None:
    # The test person's ID card says 1965-03-12 (tests/support/builders.make_id_number).
    fact_id = _candidate(seeded, catalogued, RECRUITMENT, FactKind.BIRTH_DATE, date(1964, 3, 1))
    assert _evidence(seeded, catalogued).birth.source is BirthDateSource.ID_CARD
    with seeded.uow() as uow:
        review_fact(uow, actor=actor_for(seeded, "reviewer"), fact_id=fact_id, decision="confirm")
    evidence = _evidence(seeded, catalogued)
    assert evidence.birth.source is BirthDateSource.ARCHIVE
    assert (
        evidence.birth.birth_month is not None and evidence.birth.birth_month.label == "1964年3月"
    )
    assert evidence.birth.differs_from_id_card is True
    assert evidence.birth_fact is not None and evidence.birth_fact.id == fact_id


def test_the_earliest_formed_record_wins_not_the_earliest_date(
    seeded: Services, catalogued: CataloguedArchive
) -> None:
    reviewer = actor_for(seeded, "reviewer")
    # 招工登记表 (formed 1983-07) says 1965-03; 转正定级表 (formed 1984-07) says 1964-01.
    first = _candidate(seeded, catalogued, RECRUITMENT, FactKind.BIRTH_DATE, date(1965, 3, 1))
    later = _candidate(seeded, catalogued, REGULARISATION, FactKind.BIRTH_DATE, date(1964, 1, 1))
    with seeded.uow() as uow:
        review_fact(uow, actor=reviewer, fact_id=first, decision="confirm")
    with seeded.uow() as uow:
        review_fact(uow, actor=reviewer, fact_id=later, decision="confirm")
    evidence = _evidence(seeded, catalogued)
    assert (
        evidence.birth.birth_month is not None and evidence.birth.birth_month.label == "1965年3月"
    )
    assert any("出生" in c.message for c in evidence.contradictions)
    # An altered earliest record decides nothing: manual verification (policy-spec §3.1 [B02]).
    with seeded.uow() as uow:
        flag_altered(
            uow,
            actor=reviewer,
            material_id=catalogued.materials[RECRUITMENT].id or 0,
            note="出生年月处有涂改痕迹",
        )
    assert _evidence(seeded, catalogued).birth.source is BirthDateSource.MANUAL_REVIEW


def test_corrections_and_rejections_need_what_the_reviewer_saw(
    seeded: Services, catalogued: CataloguedArchive
) -> None:
    reviewer = actor_for(seeded, "reviewer")
    fact_id = _candidate(seeded, catalogued, RECRUITMENT, FactKind.BIRTH_DATE, date(1968, 3, 1))
    with seeded.uow() as uow, pytest.raises(InvalidInputError, match="更正时须填写"):
        review_fact(uow, actor=reviewer, fact_id=fact_id, decision="correct")
    with seeded.uow() as uow, pytest.raises(InvalidInputError, match="不是有效日期"):
        review_fact(uow, actor=reviewer, fact_id=fact_id, decision="correct", start="1965年2月30日")
    with seeded.uow() as uow:
        corrected = review_fact(
            uow, actor=reviewer, fact_id=fact_id, decision="correct", start="一九六五年三月"
        )
    assert corrected.status is FactStatus.CORRECTED and corrected.start is not None
    assert corrected.start.iso() == "1965-03"
    with seeded.uow() as uow, pytest.raises(ConflictError):
        review_fact(uow, actor=reviewer, fact_id=fact_id, decision="confirm")


def test_service_periods_feed_the_deemed_contribution_calculation(
    seeded: Services, catalogued: CataloguedArchive
) -> None:
    reviewer = actor_for(seeded, "reviewer")
    recruitment = catalogued.materials[RECRUITMENT].id or 0
    with seeded.uow() as uow:
        add_fact(
            uow,
            actor=reviewer,
            material_id=recruitment,
            kind=FactKind.WORK_START,
            start="1983.7",
            detail="峰峰矿务局",
        )
    with seeded.uow() as uow:
        add_fact(
            uow,
            actor=reviewer,
            material_id=recruitment,
            kind=FactKind.MILITARY_SERVICE,
            start="1979年12月",
            end="1983年6月",
        )
    evidence = _evidence(seeded, catalogued)
    kinds = sorted(interval.kind for interval in evidence.service)
    assert kinds == [ServiceKind.EMPLOYMENT, ServiceKind.MILITARY]
    deemed = calculate_deemed_contribution(
        evidence.service, on=seeded.clock.today(), region="130406", params=seeded.parameters
    )
    # Military 1979-12..1983-06 (43 months) and work from 1983-07 up to the month before the
    # region's account start: the union, with the material cited as evidence.
    start = deemed.account_start
    expected = 43 + (start.year - 1983) * 12 + (start.month - 7)
    assert deemed.months == expected
    assert f"material:{recruitment}" in deemed.evidence
