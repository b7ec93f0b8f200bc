"""Retirement requests to 住建/公积金 and 医保 against the partner simulators (real HTTP servers
on loopback): a withdrawal paid out once whatever the retries, a transfer refused for a
deceased person, a department down or answering garbage, bad input never sent."""

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from retirelink.demo.loader import load_demo
from retirelink.errors import (
    InvalidInputError,
    PartnerResponseError,
    PermissionDeniedError,
    UnavailableError,
)
from retirelink.exchange.model import OutboxOperation
from retirelink.exchange.ports import Delivery
from retirelink.exchange.retirement_requests import (
    request_housing_fund_withdrawal,
    request_retiree_medical_transfer,
)
from retirelink.ledger.model import LedgerAction
from retirelink.partners.model import Mode
from retirelink.partners.records import AccountStatus, HukouStatus
from retirelink.partners.registry import write_registry
from retirelink.partners.server import SimulatorConfig, running_partners
from retirelink.security.model import SYSTEM_ACTOR, Role
from tests.support.builders import make_id_number

pytestmark = pytest.mark.e2e

SEED, PERSONS = 7, 300
RETIRED_ON = date(2026, 12, 1)
REQUESTED = LedgerAction.EXCHANGE_REQUEST_DELIVERED.value
VALID_ID = make_id_number()
WRONG_CHECK_CHARACTER = VALID_ID[:-1] + ("1" if VALID_ID[-1] == "0" else "0")


@pytest.fixture
def partners(services, settings, clock):
    load_demo(services, seed=SEED, persons=PERSONS)
    # The departments check our request timestamps against the same (test) clock we sign with.
    config = SimulatorConfig.for_tests(
        persons=PERSONS, seed=SEED, as_of=date(2026, 11, 23), clock=clock
    )
    with running_partners(config) as sims:
        write_registry(settings.partners_file, sims.registry())
        yield sims


def withdraw(services, *, request_id, id_number, name, actor=SYSTEM_ACTOR, gateway=None):
    with services.uow() as uow:
        return request_housing_fund_withdrawal(
            uow,
            actor=actor,
            gateway=gateway or services.gateway,
            registry=services.partners.current(),
            request_id=request_id,
            id_number=id_number,
            name=name,
            retirement_date=RETIRED_ON,
            purpose="退休一件事联办",
        )


def transfer(services, *, request_id, id_number, actor=SYSTEM_ACTOR):
    with services.uow() as uow:
        return request_retiree_medical_transfer(
            uow,
            actor=actor,
            gateway=services.gateway,
            registry=services.partners.current(),
            request_id=request_id,
            id_number=id_number,
            retirement_date=RETIRED_ON,
            purpose="退休一件事联办",
        )


def sealed_account(partners):
    return next(
        a for a in partners.datasets().housing_accounts.values() if a.status is AccountStatus.SEALED
    )


def household(partners, status):
    return next(h for h in partners.datasets().households.values() if h.status is status)


def requests_ledgered(services, id_number):
    with services.uow() as uow:
        subject = uow.ledger.subject("person", id_number)
        return uow.ledger.store.recent(limit=50, action=REQUESTED, subject_key=subject.key)


def ledger_head(services):
    with services.uow() as uow:
        head = uow.ledger.store.head()
    return head.seq if head else 0


def test_a_withdrawal_is_accepted_with_the_balance_and_ledgered(services, partners):
    account = sealed_account(partners)

    answer = withdraw(
        services, request_id="TQ-0001", id_number=account.id_number, name=account.name
    )

    assert answer.accepted is True
    assert answer.department == "housing_fund"
    assert answer.operation is OutboxOperation.HOUSING_FUND_WITHDRAWAL
    assert answer.request_id == "TQ-0001"
    assert answer.reference is not None and answer.reference.startswith("GJJ-TQ-20261123-")
    assert answer.details == {"balance": f"{account.balance:.2f}"}
    assert answer.reason == ""
    assert answer.summary_zh == (
        f"公积金退休提取已受理，业务编号{answer.reference}，账户余额{account.balance:.2f}元"
    )
    (sent,) = partners.received("GJJ", "withdrawal")
    assert dict(sent.payload) == {
        "request_id": "TQ-0001",
        "id_number": account.id_number,
        "name": account.name,
        "retirement_date": "2026-12-01",
    }
    assert sent.client_id == "SHEBAO-130406"
    (entry,) = requests_ledgered(services, account.id_number)
    assert entry.subject_type == "person"
    assert entry.actor_name == SYSTEM_ACTOR.username
    assert entry.purpose.startswith(answer.summary_zh)
    assert "请求编号：TQ-0001" in entry.purpose and "用途：退休一件事联办" in entry.purpose
    assert account.id_number not in entry.purpose  # the subject is pseudonymous, the purpose too


def test_the_same_request_id_is_paid_out_once_and_a_new_one_finds_the_account_closed(
    services, partners
):
    account = sealed_account(partners)

    first = withdraw(services, request_id="TQ-0002", id_number=account.id_number, name=account.name)
    retried = withdraw(
        services, request_id="TQ-0002", id_number=account.id_number, name=account.name
    )
    another = withdraw(
        services, request_id="TQ-0003", id_number=account.id_number, name=account.name
    )

    assert first.accepted and retried == first
    assert (another.accepted, another.reference, another.details) == (False, None, {})
    assert "已销户" in another.reason and another.reason_code == "closed"
    assert another.summary_zh == f"公积金退休提取未受理：{another.reason}"
    assert [r.payload["request_id"] for r in partners.received("GJJ", "withdrawal")] == [
        "TQ-0002",
        "TQ-0002",
        "TQ-0003",
    ]
    assert len(requests_ledgered(services, account.id_number)) == 3  # one entry per call


def test_a_person_without_a_housing_fund_account_is_refused_with_the_partners_reason(
    services, partners
):
    datasets = partners.datasets()
    person = next(
        h for h in datasets.households.values() if h.id_number not in datasets.housing_accounts
    )

    answer = withdraw(services, request_id="TQ-0004", id_number=person.id_number, name=person.name)

    assert (answer.accepted, answer.reference) == (False, None)
    assert answer.reason == "该人员无住房公积金账户" and answer.reason_code == "no_account"
    (entry,) = requests_ledgered(services, person.id_number)
    assert entry.purpose.startswith("公积金退休提取未受理：该人员无住房公积金账户")


def test_a_retiree_medical_transfer_is_accepted(services, partners):
    person = household(partners, HukouStatus.NORMAL)

    answer = transfer(services, request_id="ZR-0001", id_number=person.id_number)

    assert answer.accepted is True
    assert (answer.department, answer.operation) == (
        "medical_insurance",
        OutboxOperation.RETIREE_MEDICAL_TRANSFER,
    )
    assert answer.reference is not None and answer.reference.startswith("YB-ZR-")
    assert answer.details == {}
    assert answer.summary_zh == f"医保退休转移已受理，业务编号{answer.reference}"
    (sent,) = partners.received("YIBAO", "transfer")
    assert dict(sent.payload) == {
        "request_id": "ZR-0001",
        "id_number": person.id_number,
        "retirement_date": "2026-12-01",
    }
    assert len(requests_ledgered(services, person.id_number)) == 1


def test_a_retiree_medical_transfer_for_a_deceased_person_is_refused(services, partners):
    deceased = household(partners, HukouStatus.DECEASED)

    answer = transfer(services, request_id="ZR-0002", id_number=deceased.id_number)

    assert (answer.accepted, answer.reference) == (False, None)
    assert "死亡注销" in answer.reason
    assert answer.summary_zh == f"医保退休转移未受理：{answer.reason}"
    assert len(requests_ledgered(services, deceased.id_number)) == 1


def test_a_department_that_is_down_is_an_unavailable_error_and_nothing_is_ledgered(
    services, partners
):
    account = sealed_account(partners)
    person = household(partners, HukouStatus.NORMAL)
    partners.set_mode("GJJ", Mode.DOWN)
    partners.set_mode("YIBAO", Mode.DOWN)
    before = ledger_head(services)

    with pytest.raises(UnavailableError) as gjj:
        withdraw(services, request_id="TQ-0005", id_number=account.id_number, name=account.name)
    with pytest.raises(UnavailableError) as yibao:
        transfer(services, request_id="ZR-0003", id_number=person.id_number)

    assert "公积金" in gjj.value.message
    assert "医保" in yibao.value.message
    assert ledger_head(services) == before


@pytest.mark.parametrize("code", ["GJJ", "YIBAO"])
def test_garbage_from_the_department_is_a_partner_response_error(services, partners, code):
    account = sealed_account(partners)
    partners.set_mode(code, Mode.GARBAGE)
    before = ledger_head(services)

    with pytest.raises(PartnerResponseError):
        if code == "GJJ":
            withdraw(services, request_id="TQ-0006", id_number=account.id_number, name=account.name)
        else:
            transfer(services, request_id="ZR-0004", id_number=account.id_number)

    assert ledger_head(services) == before


class CannedGateway:
    """Forwards to the real gateway and swaps the partner's answer for a canned one."""

    def __init__(self, real: Any, answer: dict[str, Any]) -> None:
        self.real, self.answer = real, answer

    def send(self, link, **call) -> Delivery:
        return replace(self.real.send(link, **call), response=self.answer)

    def health(self):
        return self.real.health()


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({"accepted": "true", "reference": "GJJ-1", "balance": "1.00"}, "accepted"),
        ({"accepted": True, "reference": "", "balance": "1.00"}, "业务编号"),
        ({"accepted": True, "reference": None, "balance": "1.00"}, "业务编号"),
        ({"accepted": True, "reference": "GJJ-1"}, "账户余额"),
        ({"accepted": True, "reference": "GJJ-1", "balance": 1.0}, "账户余额"),
        ({"accepted": True, "reference": "GJJ-1", "balance": "壹元"}, "不是有效金额"),
        ({"accepted": True, "reference": "GJJ-1", "balance": "NaN"}, "不是有效金额"),
        ({"accepted": False, "reference": None}, "原因"),
        ({"accepted": False, "reference": None, "reason": 42}, "原因"),
        ({"accepted": False, "reference": 7, "reason": "不受理"}, "业务编号"),
        ({"accepted": False, "reason": "不受理", "code": "lost"}, "原因代码"),
        ({"accepted": False, "reason": "不受理", "code": 3}, "原因代码"),
        ({}, "accepted"),
    ],
)
def test_an_answer_of_the_wrong_shape_is_a_partner_response_error_naming_the_department(
    services, partners, answer, problem
):
    account = sealed_account(partners)
    gateway = CannedGateway(services.gateway, answer)
    before = ledger_head(services)

    with pytest.raises(PartnerResponseError) as raised:
        withdraw(
            services,
            request_id="TQ-0007",
            id_number=account.id_number,
            name=account.name,
            gateway=gateway,
        )

    assert raised.value.message.startswith("住建/公积金对公积金退休提取的答复格式错误：")
    assert problem in raised.value.message
    assert ledger_head(services) == before


@pytest.mark.parametrize(
    ("request_id", "id_number", "name", "field"),
    [
        ("TQ-0008", WRONG_CHECK_CHARACTER, "张三", "id_number"),
        ("TQ-0008", "not a number", "张三", "id_number"),
        ("  ", VALID_ID, "张三", "request_id"),
        ("X" * 65, VALID_ID, "张三", "request_id"),
        ("TQ-0008", make_id_number(), " ", "name"),
    ],
)
def test_bad_input_is_refused_before_any_call(
    services, partners, request_id, id_number, name, field
):
    before = ledger_head(services)

    with pytest.raises(InvalidInputError) as raised:
        withdraw(services, request_id=request_id, id_number=id_number, name=name)
    if field != "name":  # the transfer carries no name
        with pytest.raises(InvalidInputError):
            transfer(services, request_id=request_id, id_number=id_number)

    assert raised.value.field == field
    assert partners.received("GJJ") == [] and partners.received("YIBAO") == []
    assert ledger_head(services) == before


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.FUND_AUDITOR, Role.DEPT_OFFICER])
def test_roles_that_may_only_verify_cannot_make_requests(services, partners, role):
    account = sealed_account(partners)
    verifier = replace(SYSTEM_ACTOR, user_id=9, username="v", roles=frozenset({role}))

    with pytest.raises(PermissionDeniedError):
        withdraw(
            services,
            request_id="TQ-0009",
            id_number=account.id_number,
            name=account.name,
            actor=verifier,
        )
    with pytest.raises(PermissionDeniedError):
        transfer(services, request_id="ZR-0005", id_number=account.id_number, actor=verifier)

    assert partners.received("GJJ") == [] and partners.received("YIBAO") == []
