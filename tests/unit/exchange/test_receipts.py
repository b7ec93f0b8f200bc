"""Exchange receipts: signed evidence both sides keep, and reconciliation."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from retirelink.errors import InvalidInputError
from retirelink.exchange.receipts import (
    Direction,
    Receipt,
    issue_receipt,
    receipt_from_dict,
    reconcile,
    verify_receipt,
)
from retirelink.security.crypto import digest_hex

KEY = b"minzheng-shared-key-01"
PAYLOAD = "身份证号,姓名,火化日期\n13040619650312123X,张三,2025-02-27\n".encode()
DIGEST = digest_hex(PAYLOAD)
AT = datetime(2025, 3, 1, 16, 0, 0, tzinfo=timezone(timedelta(hours=8)))


def make(**overrides: object) -> Receipt:
    fields: dict[str, object] = {
        "receipt_id": "rcpt-0001",
        "direction": Direction.INBOUND,
        "partner": "minzheng",
        "item": "民政/殡葬火化",
        "payload_digest": DIGEST,
        "record_count": 3,
        "accepted": 2,
        "rejected": 1,
        "received_at": AT,
        "key": KEY,
    }
    fields.update(overrides)
    return issue_receipt(**fields)  # type: ignore[arg-type]


def test_issued_receipt_verifies_with_the_shared_key() -> None:
    receipt = make()
    assert verify_receipt(receipt, KEY)
    assert receipt.received_at == datetime(2025, 3, 1, 8, 0, 0, tzinfo=UTC)
    assert len(receipt.our_signature) == 64


def test_receipt_does_not_verify_with_another_key() -> None:
    assert not verify_receipt(make(), b"another-key-000000000")


@pytest.mark.parametrize(
    "change",
    [
        {"record_count": 4},
        {"accepted": 3, "rejected": 0},
        {"payload_digest": "0" * 64},
        {"partner": "gongan"},
        {"item": "公安/死亡注销"},
        {"direction": Direction.OUTBOUND},
        {"received_at": AT + timedelta(seconds=1)},
        {"receipt_id": "rcpt-0002"},
    ],
)
def test_tampered_receipt_fails_verification(change: dict[str, object]) -> None:
    assert not verify_receipt(replace(make(), **change), KEY)  # type: ignore[arg-type]


def test_receipt_survives_a_json_round_trip_to_the_partner() -> None:
    receipt = make()
    wire = receipt.to_dict()
    assert wire["version"] == "RL-RECEIPT-1"
    assert wire["direction"] == "inbound"
    back = receipt_from_dict(wire)
    assert back == receipt
    assert verify_receipt(back, KEY)


def test_receipt_from_dict_names_a_missing_field() -> None:
    wire = make().to_dict()
    del wire["payload_digest"]
    with pytest.raises(InvalidInputError, match="回执缺少字段 payload_digest"):
        receipt_from_dict(wire)


@pytest.mark.parametrize(
    ("field", "value"),
    [("record_count", "3"), ("direction", "sideways"), ("received_at", "2025-03-01T08:00:00")],
)
def test_receipt_from_dict_rejects_bad_values(field: str, value: object) -> None:
    with pytest.raises(InvalidInputError, match="回执格式错误"):
        receipt_from_dict({**make().to_dict(), field: value})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"record_count": 5}, "之和不等于记录总数"),
        ({"rejected": -1, "record_count": 1}, "不能为负数"),
        ({"payload_digest": "xyz"}, "载荷摘要"),
        ({"partner": " "}, "partner"),
        ({"received_at": datetime(2025, 3, 1, 8, 0)}, "时区"),  # noqa: DTZ001
    ],
)
def test_issue_receipt_rejects_inconsistent_input(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        make(**overrides)


def test_reconcile_matching_receipt_reports_nothing() -> None:
    assert reconcile(3, DIGEST, make()) == []
    assert reconcile(3, DIGEST.upper(), make()) == []


def test_reconcile_reports_count_mismatch() -> None:
    problems = reconcile(4, DIGEST, make())
    assert len(problems) == 1
    assert "记录数不一致：我方 4 条，回执 3 条" in problems[0]


def test_reconcile_reports_digest_mismatch() -> None:
    problems = reconcile(3, "f" * 64, make())
    assert len(problems) == 1
    assert problems[0].startswith("载荷摘要不一致")


def test_reconcile_reports_both_mismatches() -> None:
    problems = reconcile(10, "f" * 64, make())
    assert problems[0].startswith("记录数不一致")
    assert problems[1].startswith("载荷摘要不一致")
