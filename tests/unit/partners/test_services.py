"""A department's desk without HTTP: disputes, identity checks, idempotent requests."""

from datetime import UTC, date, datetime
from typing import Any

import pytest

from retirelink.demo.manifest import DistrictManifest
from retirelink.errors import ConflictError, InvalidInputError
from retirelink.exchange.receipts import Direction, receipt_from_dict, verify_receipt
from retirelink.partners import services
from retirelink.partners.data import PartnerDatasets, build_datasets
from retirelink.partners.model import DEATH_CANCELLATION, PRISONERS, department
from retirelink.partners.records import AccountStatus, HukouStatus
from retirelink.partners.services import Desk
from retirelink.security.crypto import digest_hex

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
KEY = b"k" * 32
US = "SHEBAO-130406"


@pytest.fixture(scope="module")
def datasets() -> PartnerDatasets:
    return build_datasets(DistrictManifest(seed=5, persons=800, as_of=date(2026, 11, 23)))


def some_household(datasets: PartnerDatasets, status: HukouStatus):
    return next(h for h in datasets.households.values() if h.status is status)


def some_account(datasets: PartnerDatasets, status: AccountStatus):
    return next(a for a in datasets.housing_accounts.values() if a.status is status)


def dispute(datasets: PartnerDatasets, **overrides: object) -> dict[str, object]:
    household = some_household(datasets, HukouStatus.DECEASED)
    return {
        "dispute_id": "YY-0001",
        "item": DEATH_CANCELLATION,
        "id_number": household.id_number,
        "reason": "死亡日期早于最近一次医保结算",
        "evidence": [{"department": "YIBAO", "event_date": "2026-10-01"}],
        **overrides,
    }


def file(desk: Desk, payload: dict[str, object], body: bytes = b"{}") -> dict[str, Any]:
    return services.file_dispute(
        desk,
        department("GONGAN"),
        payload,
        body=body,
        signed_item=str(payload.get("item")),
        counterpart=US,
        key=KEY,
        now=NOW,
    )


def test_a_dispute_is_answered_with_a_receipt_signed_with_the_shared_key(datasets) -> None:
    desk = Desk()
    answer = file(desk, dispute(datasets), body=b'{"dispute": 1}')

    receipt = receipt_from_dict(answer["receipt"])
    assert verify_receipt(receipt, KEY)
    assert not verify_receipt(receipt, b"x" * 32)
    assert receipt.direction is Direction.INBOUND
    assert receipt.partner == US
    assert receipt.item == DEATH_CANCELLATION
    assert receipt.payload_digest == digest_hex(b'{"dispute": 1}')
    assert (receipt.record_count, receipt.accepted, receipt.rejected) == (1, 1, 0)
    assert [entry.kind for entry in desk.snapshot()] == ["dispute"]


def test_the_same_dispute_twice_gets_the_first_receipt(datasets) -> None:
    desk = Desk()
    first = file(desk, dispute(datasets))
    again = file(desk, dispute(datasets))

    assert again == first
    other = file(desk, dispute(datasets, dispute_id="YY-0002"))
    assert other["receipt"]["receipt_id"] != first["receipt"]["receipt_id"]


def test_a_dispute_id_reused_for_another_dispute_is_a_conflict(datasets) -> None:
    desk = Desk()
    file(desk, dispute(datasets))

    with pytest.raises(ConflictError):
        file(desk, dispute(datasets, reason="另一个理由"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"item": PRISONERS}, "item"),
        ({"id_number": "12345"}, "id_number"),
        ({"reason": ""}, "reason"),
        ({"dispute_id": None}, "dispute_id"),
        ({"evidence": "none"}, "evidence"),
    ],
)
def test_a_malformed_dispute_is_refused(datasets, change, field) -> None:
    with pytest.raises(InvalidInputError) as refused:
        file(Desk(), dispute(datasets, **change))

    assert refused.value.field == field


def test_hukou_verification_reports_status_and_name_match(datasets) -> None:
    dead = some_household(datasets, HukouStatus.DECEASED)
    desk = Desk()

    match = services.verify_hukou(
        desk, datasets, {"id_number": dead.id_number, "name": dead.name}, caller=US, now=NOW
    )
    mismatch = services.verify_hukou(
        desk, datasets, {"id_number": dead.id_number, "name": "王五"}, caller=US, now=NOW
    )

    assert match["found"] and match["match"]
    assert match["record"]["status"] == "21"
    assert match["record"]["status_date"] == dead.status_date.isoformat()
    assert match["record"]["birth_date"] == dead.birth_date.isoformat()
    assert mismatch["found"] and not mismatch["match"]
    assert len(desk.of_kind("hukou_verify")) == 2


def test_hukou_verification_of_an_unknown_person_finds_nothing(datasets) -> None:
    answer = services.verify_hukou(
        Desk(), datasets, {"id_number": "11010119900307803X", "name": "张三"}, caller=US, now=NOW
    )

    assert answer == {"found": False, "match": False, "record": None}


def withdraw(desk, datasets, account, request_id="TQ-1", **overrides):
    payload = {
        "request_id": request_id,
        "id_number": account.id_number,
        "name": account.name,
        "retirement_date": "2026-12-01",
        **overrides,
    }
    return services.retirement_withdrawal(desk, datasets, payload, caller=US, now=NOW)


def test_a_retirement_withdrawal_pays_the_balance_once(datasets) -> None:
    account = some_account(datasets, AccountStatus.SEALED)
    desk = Desk()

    first = withdraw(desk, datasets, account)
    retried = withdraw(desk, datasets, account)
    second = withdraw(desk, datasets, account, request_id="TQ-2")

    assert first == {
        "accepted": True,
        "reference": "GJJ-TQ-20261123-000001",
        "balance": f"{account.balance:.2f}",
    }
    assert retried == first  # the same request_id: the same answer, nothing paid twice
    assert not second["accepted"]
    assert "销户" in second["reason"]


def test_a_withdrawal_request_id_reused_for_another_person_is_a_conflict(datasets) -> None:
    desk = Desk()
    accounts = [a for a in datasets.housing_accounts.values() if a.status is AccountStatus.ACTIVE]
    withdraw(desk, datasets, accounts[0])

    with pytest.raises(ConflictError):
        withdraw(desk, datasets, accounts[1])


def test_a_withdrawal_for_a_closed_or_missing_account_or_wrong_name_is_refused(datasets) -> None:
    closed = some_account(datasets, AccountStatus.CLOSED)
    active = some_account(datasets, AccountStatus.ACTIVE)
    no_account = next(h for h in datasets.households if h not in datasets.housing_accounts)
    desk = Desk()

    assert not withdraw(desk, datasets, closed, "A")["accepted"]
    assert not withdraw(desk, datasets, active, "B", name="王五")["accepted"]
    assert not withdraw(desk, datasets, active, "C", id_number=no_account)["accepted"]
    assert withdraw(desk, datasets, active, "D")["accepted"]


def test_a_retiree_transfer_is_idempotent_and_refused_for_the_dead(datasets) -> None:
    alive = some_household(datasets, HukouStatus.NORMAL)
    dead = some_household(datasets, HukouStatus.DECEASED)
    desk = Desk()

    def transfer(request_id, id_number):
        payload = {
            "request_id": request_id,
            "id_number": id_number,
            "retirement_date": "2026-12-01",
        }
        return services.retiree_transfer(desk, datasets, payload, caller=US, now=NOW)

    first = transfer("ZR-1", alive.id_number)
    assert first == {"accepted": True, "reference": "YB-ZR-20261123-000001"}
    assert transfer("ZR-1", alive.id_number) == first
    refused = transfer("ZR-2", dead.id_number)
    assert not refused["accepted"]
    assert "死亡" in refused["reason"]
    assert [entry.payload["request_id"] for entry in desk.of_kind("transfer")] == [
        "ZR-1",
        "ZR-1",
        "ZR-2",
    ]


def test_a_request_without_a_valid_retirement_date_is_refused(datasets) -> None:
    alive = some_household(datasets, HukouStatus.NORMAL)
    payload = {"request_id": "ZR-9", "id_number": alive.id_number, "retirement_date": "2026/12"}

    with pytest.raises(InvalidInputError) as refused:
        services.retiree_transfer(Desk(), datasets, payload, caller=US, now=NOW)

    assert refused.value.field == "retirement_date"
