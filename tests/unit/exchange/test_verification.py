from datetime import UTC, date, datetime

from retirelink.exchange.model import PartnerRecord
from retirelink.exchange.verification import (
    KnownPerson,
    PriorNotice,
    ProblemKind,
    Verification,
    verify_event,
)

ON = date(2025, 6, 30)
GOOD_ID = "130406195309224371"  # born 1953-09-22
DEATH = "public_security.death_cancellation"
PRISON = "justice.prisoners_in_custody"
CERTIFICATE = "health.death_medical_certificate"
CREMATION = "civil_affairs.cremation"
SETTLEMENT = "medical_insurance.enrolment_and_settlement"
PERSON = KnownPerson(GOOD_ID, "张三")


def record(
    event: date = date(2025, 3, 1),
    *,
    item: str = DEATH,
    end: date | None = None,
    id_number: str = GOOD_ID,
) -> PartnerRecord:
    return PartnerRecord(
        id=11,
        item_code=item,
        department="public_security",
        id_number=id_number,
        name="张三",
        event_date=event,
        end_date=end,
        record_type=None,
        job_id=1,
        received_at=datetime(2025, 6, 1, 9, 0, tzinfo=UTC),
    )


def verify(
    rec: PartnerRecord,
    person: KnownPerson | None = PERSON,
    previous: tuple[PriorNotice, ...] = (),
) -> Verification:
    return verify_event(rec, person=person, previous=previous, on=ON)


def kinds(result: Verification) -> list[ProblemKind]:
    return [problem.kind for problem in result.problems]


def test_a_plausible_death_notice_passes() -> None:
    result = verify(record())
    assert result.ok
    assert result.problems == ()
    assert result.dispute is None


def test_a_wrong_id_check_digit_is_a_problem() -> None:
    result = verify(record(id_number="130406195309224372"))
    assert not result.ok
    assert kinds(result) == [ProblemKind.INVALID_ID]
    assert "校验码" in result.problems[0].message_zh


def test_a_death_before_birth_is_a_problem() -> None:
    result = verify(record(date(1950, 1, 1)))
    assert kinds(result) == [ProblemKind.BEFORE_BIRTH]
    assert result.problems[0].message_zh == "事件日期1950-01-01早于出生日期1953-09-22"
    assert verify(record(date(1953, 9, 22))).ok


def test_an_event_after_the_checking_date_is_a_problem() -> None:
    assert kinds(verify(record(date(2025, 7, 1)))) == [ProblemKind.IN_FUTURE]
    assert verify(record(ON)).ok


def test_a_release_before_the_start_is_a_problem() -> None:
    bad = verify(record(date(2020, 5, 1), item=PRISON, end=date(2020, 4, 30)))
    assert kinds(bad) == [ProblemKind.END_BEFORE_START]
    assert bad.problems[0].field == "end_date"
    assert verify(record(date(2020, 5, 1), item=PRISON, end=date(2020, 5, 1))).ok


def test_a_death_notice_for_someone_unknown_is_flagged() -> None:
    result = verify(record(), person=None)
    assert kinds(result) == [ProblemKind.UNKNOWN_PERSON]
    assert result.problems[0].kind.label == "查无此人"
    assert result.dispute is None


def test_other_items_for_someone_unknown_are_not_flagged() -> None:
    assert verify(record(date(2020, 5, 1), item=PRISON), person=None).ok


def test_a_second_notice_with_another_death_date_opens_a_dispute() -> None:
    first = PriorNotice("public_security", DEATH, GOOD_ID, date(2025, 2, 1), reference="r:1")
    result = verify(record(), previous=(first,))
    assert kinds(result) == [ProblemKind.CONTRADICTION]
    dispute = result.dispute
    assert dispute is not None
    assert dispute.source_department == "public_security"
    assert dispute.item_code == DEATH
    assert dispute.id_number == GOOD_ID
    assert "2025-02-01" in dispute.reason_zh
    assert "2025-03-01" in dispute.reason_zh
    assert [notice.event_date for notice in dispute.evidence] == [
        date(2025, 2, 1),
        date(2025, 3, 1),
    ]
    assert dispute.evidence[1].reference == "partner_record:11"


def test_a_repeated_notice_with_the_same_date_is_no_dispute() -> None:
    same = PriorNotice("public_security", DEATH, GOOD_ID, date(2025, 3, 1))
    certificate = PriorNotice("health", CERTIFICATE, GOOD_ID, date(2025, 3, 1))
    prison = PriorNotice("justice", PRISON, GOOD_ID, date(2020, 1, 1))
    assert verify(record(), previous=(same, certificate, prison)).ok


def test_two_departments_giving_different_death_dates_open_a_dispute() -> None:
    # 公安 says 2025-03-01, 卫健's death certificate says 2025-02-01: one of them is wrong, and
    # the fund guard must not pick one silently (issue 7: "a dispute ... with both cited").
    certificate = PriorNotice("health", CERTIFICATE, GOOD_ID, date(2025, 2, 1), reference="r:7")
    result = verify(record(), previous=(certificate,))
    assert kinds(result) == [ProblemKind.CONTRADICTION]
    assert result.dispute is not None
    assert result.dispute.reason_zh == (
        "两个部门报送的死亡日期不一致：卫健报2025-02-01，公安报2025-03-01"
    )
    assert result.dispute.evidence[0] == certificate


def test_a_cremation_before_the_reported_death_opens_a_dispute() -> None:
    death = PriorNotice("public_security", DEATH, GOOD_ID, date(2025, 3, 1))
    early = verify(record(date(2025, 2, 27), item=CREMATION), previous=(death,))
    assert kinds(early) == [ProblemKind.CONTRADICTION]
    assert early.dispute is not None
    assert early.dispute.reason_zh.startswith("火化日期2025-02-27早于死亡日期2025-03-01")
    # A cremation a few days after the death is what normally happens.
    assert verify(record(date(2025, 3, 4), item=CREMATION), previous=(death,)).ok


def test_a_settlement_after_a_reported_death_disputes_the_death_notice() -> None:
    death = PriorNotice("public_security", DEATH, GOOD_ID, date(2025, 3, 1), reference="r:3")
    settlement = record(date(2025, 4, 2), item=SETTLEMENT)
    result = verify(settlement, previous=(death,))
    assert kinds(result) == [ProblemKind.CONTRADICTION]
    assert result.dispute is not None
    # The death notice is what the later sign of life calls into question.
    assert result.dispute.source_department == "public_security"
    assert result.dispute.item_code == DEATH
    assert result.dispute.evidence[0] == death
    assert verify(record(date(2025, 2, 2), item=SETTLEMENT), previous=(death,)).ok


def test_a_death_before_a_later_sign_of_life_opens_a_dispute() -> None:
    sign = PriorNotice(
        "medical_insurance", "medical_insurance.settlement", GOOD_ID, date(2025, 4, 2)
    )
    person = KnownPerson(GOOD_ID, "张三", signs_of_life=(sign,))
    result = verify(record(), person=person)
    assert kinds(result) == [ProblemKind.CONTRADICTION]
    assert result.dispute is not None
    assert result.dispute.evidence[1] == sign
    assert "2025-04-02" in result.dispute.reason_zh
    assert verify(record(date(2025, 5, 1)), person=person).ok
