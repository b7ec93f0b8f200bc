"""How the departments' answers become task states: nothing to withdraw is done, a name the
partner holds differently or a death record is a dispute, custody goes to a person."""

from datetime import UTC, date, datetime

import pytest

from retirelink.bridges.workflow_exchange import (
    identity_outcome,
    request_outcome,
    status_outcome,
)
from retirelink.exchange.identity_checks import HukouRecord, IdentityCheck
from retirelink.exchange.model import OutboxOperation, PartnerRecord
from retirelink.exchange.retirement_requests import PartnerRequestAnswer
from retirelink.exchange.status_checks import StatusCheck
from retirelink.workflow.applications import TaskStatus

ID = "130406196608151314"


def _answer(accepted: bool, code: str = "", reason: str = "") -> PartnerRequestAnswer:
    return PartnerRequestAnswer(
        department="housing_fund",
        operation=OutboxOperation.HOUSING_FUND_WITHDRAWAL,
        request_id="TX130406-20261123-000001-GJJ",
        accepted=accepted,
        reference="GJJ-TQ-1" if accepted else None,
        reason=reason,
        details={"balance": "100.00"} if accepted else {},
        reason_code=code,
    )


@pytest.mark.parametrize(
    ("code", "status", "text"),
    [
        ("no_account", TaskStatus.DONE, "无住房公积金账户"),
        ("closed", TaskStatus.DONE, "已销户"),
        ("name_mismatch", TaskStatus.DISPUTED, "姓名与公积金账户登记不符"),
        ("", TaskStatus.NEEDS_PERSON, "姓名与公积金账户登记不符"),
    ],
)
def test_a_refusal_is_read_by_its_code(code, status, text):
    outcome = request_outcome(_answer(False, code, "姓名与公积金账户登记不符"), "公积金")

    assert outcome.status is status and text in outcome.summary
    assert outcome.result == {"部门答复": "姓名与公积金账户登记不符"}
    assert outcome.evidence == ("partner:公积金:TX130406-20261123-000001-GJJ",)


def test_an_accepted_request_is_done_with_its_reference():
    outcome = request_outcome(_answer(True), "公积金")

    assert outcome.status is TaskStatus.DONE and "GJJ-TQ-1" in outcome.summary
    assert outcome.evidence == ("partner:公积金:GJJ-TQ-1",)


def _identity(status: str = "10", name: str = "王建国", differences=()) -> IdentityCheck:
    record = HukouRecord(ID, name, "1", date(1966, 8, 15), status, None)
    return IdentityCheck(ID, "王建国", True, name == "王建国", record, tuple(differences))


def test_identity_matching_is_done_and_any_difference_is_a_dispute():
    assert identity_outcome(_identity()).status is TaskStatus.DONE
    assert identity_outcome(_identity(name="王建囯")).status is TaskStatus.DISPUTED
    assert identity_outcome(_identity(differences=("户籍出生日期不一致",))).status is (
        TaskStatus.DISPUTED
    )
    deceased = identity_outcome(_identity(status="21"))
    assert deceased.status is TaskStatus.DISPUTED and "死亡注销" in deceased.summary
    missing = IdentityCheck(ID, "王建国", False, False, None, ())
    assert identity_outcome(missing).status is TaskStatus.DISPUTED


def _record(item: str, department: str) -> PartnerRecord:
    return PartnerRecord(
        id=7,
        item_code=item,
        department=department,
        id_number=ID,
        name="王建国",
        event_date=date(2026, 10, 1),
        end_date=None,
        record_type=None,
        job_id=1,
        received_at=datetime(2026, 10, 2, tzinfo=UTC),
    )


def _status(deaths=(), custody=()) -> StatusCheck:
    return StatusCheck(
        ID, date(2026, 11, 23), not deaths, not custody, tuple(deaths), tuple(custody), ()
    )


def test_a_death_record_against_a_living_applicant_is_a_dispute_with_the_record_cited():
    death = _record("public_security.death_cancellation", "GONGAN")

    outcome = status_outcome(_status(deaths=[death]))

    assert outcome.status is TaskStatus.DISPUTED and "须核实" in outcome.summary
    assert outcome.evidence == ("partner:GONGAN:public_security.death_cancellation:7",)


def test_custody_goes_to_a_person_citing_the_law():
    custody = _record("justice.prisoners_in_custody", "SIFA")

    outcome = status_outcome(_status(custody=[custody]))

    assert outcome.status is TaskStatus.NEEDS_PERSON and "劳社厅函〔2001〕44号" in outcome.summary
    assert status_outcome(_status()).status is TaskStatus.DONE
