"""Pushing death notices to the platform over real HTTP: signed, and the receipt checked."""

import json
from datetime import date

import pytest

from retirelink.errors import AuthenticationError, PartnerResponseError, UnavailableError
from retirelink.exchange.receipts import verify_receipt
from retirelink.partners.model import DEATH_CANCELLATION, department
from retirelink.partners.pusher import (
    death_message_id,
    death_notice,
    notices_body,
    push_notices,
)
from retirelink.partners.server import bind_socket
from retirelink.security.crypto import digest_hex
from retirelink.security.sm2 import generate_keypair
from tests.support import platform_receiver as platform
from tests.support.builders import make_id_number

pytestmark = pytest.mark.integration

GONGAN = department("GONGAN")
KEY = bytes(range(32))
GONGAN_SM2 = generate_keypair().private_key
ID_NUMBER = make_id_number("19530512", sequence="001")
DIED_ON = date(2026, 11, 30)


@pytest.fixture
def receiver():
    with platform.running_receiver(
        GONGAN.client_id, KEY, sm2_public_key=GONGAN_SM2.public_key
    ) as running:
        yield running


def push(url: str, *, key=KEY, message_id: str | None = None, **options):
    return push_notices(
        url,
        client_id=GONGAN.client_id,
        key=key,
        item=DEATH_CANCELLATION,
        message_id=message_id or death_message_id(ID_NUMBER, DIED_ON),
        records=[death_notice(ID_NUMBER, "张三", DIED_ON)],
        **options,
    )


def test_a_pushed_death_notice_is_signed_as_gongan_and_its_receipt_verified(receiver) -> None:
    url, state = receiver

    result = push(url)

    assert result.status == "applied"
    assert result.http_status == 200
    assert state.callers == ["GONGAN-130406"]
    assert state.received == [json.loads(result.body)]
    assert verify_receipt(result.receipt, KEY)
    assert result.receipt.payload_digest == digest_hex(result.body)
    assert result.receipt.item == DEATH_CANCELLATION


def test_the_body_follows_the_contract_in_our_field_names(receiver) -> None:
    url, state = receiver

    push(url)

    (payload,) = state.received
    assert payload == {
        "message_id": death_message_id(ID_NUMBER, DIED_ON),
        "records": [
            {
                "id_number": ID_NUMBER,
                "name": "张三",
                "event_date": "2026-11-30",
                "end_date": None,
                "record_type": "死亡注销",
            }
        ],
    }
    assert payload["message_id"].startswith("GA-20261130-")


def test_pushing_the_same_death_again_is_recognised_as_a_duplicate(receiver) -> None:
    url, _ = receiver

    first = push(url)
    again = push(url)

    assert again.status == "duplicate"
    assert again.receipt == first.receipt
    assert again.body == first.body


def test_a_rejected_notice_comes_back_with_its_issues_and_a_verified_receipt(receiver) -> None:
    url, state = receiver
    state.behaviour = platform.REJECT

    result = push(url)

    assert result.status == "rejected"
    assert result.http_status == 422
    assert result.issues[0]["field"] == "id_number"
    assert result.receipt.rejected == 1


def test_a_receipt_signed_with_another_key_is_not_trusted(receiver) -> None:
    url, state = receiver
    state.behaviour = platform.FORGED_RECEIPT

    with pytest.raises(PartnerResponseError, match="签名无效"):
        push(url)


def test_a_receipt_for_another_payload_is_not_trusted(receiver) -> None:
    url, state = receiver
    state.behaviour = platform.WRONG_DIGEST

    with pytest.raises(PartnerResponseError, match="载荷摘要"):
        push(url)


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [(platform.NOT_JSON, "不是有效的 JSON"), (platform.SERVER_ERROR, "HTTP 500")],
)
def test_an_answer_that_cannot_be_read_is_an_error(receiver, behaviour, message) -> None:
    url, state = receiver
    state.behaviour = behaviour

    with pytest.raises(PartnerResponseError, match=message):
        push(url)


def test_a_push_signed_with_the_wrong_key_is_refused_by_the_platform(receiver) -> None:
    url, state = receiver

    with pytest.raises(AuthenticationError, match="签名无效"):
        push(url, key=b"w" * 32)

    assert state.received == []


def test_a_push_signed_with_gongans_sm2_key_is_accepted_and_its_receipt_checked(
    receiver,
) -> None:
    url, state = receiver

    result = push(url, key=GONGAN_SM2, receipt_key=KEY)

    assert result.status == "applied"
    assert state.algorithms == ["SM2-SM3"]
    assert result.receipt_signature_checked
    assert verify_receipt(result.receipt, KEY)


def test_with_sm2_and_no_receipt_key_only_the_digest_is_checked(receiver) -> None:
    url, state = receiver

    result = push(url, key=GONGAN_SM2)
    state.behaviour = platform.WRONG_DIGEST
    with pytest.raises(PartnerResponseError, match="载荷摘要"):
        push(url, key=GONGAN_SM2, message_id="GA-2")

    assert result.status == "applied"
    assert not result.receipt_signature_checked
    assert result.receipt.payload_digest == digest_hex(result.body)


def test_a_receipt_forged_for_an_sm2_push_is_not_trusted(receiver) -> None:
    url, state = receiver
    state.behaviour = platform.FORGED_RECEIPT

    with pytest.raises(PartnerResponseError, match="签名无效"):
        push(url, key=GONGAN_SM2, receipt_key=KEY)


def test_a_push_signed_with_another_sm2_key_is_refused_by_the_platform(receiver) -> None:
    url, state = receiver

    with pytest.raises(AuthenticationError, match="SM2 签名无效"):
        push(url, key=generate_keypair().private_key)

    assert state.received == []


def test_an_unreachable_platform_is_reported_as_unavailable() -> None:
    with bind_socket("127.0.0.1", 0) as sock:  # bound, never listening: connections refused
        port = sock.getsockname()[1]

        with pytest.raises(UnavailableError, match="无法连接平台"):
            push(f"http://127.0.0.1:{port}")


def test_the_message_id_is_deterministic_per_person_and_date() -> None:
    assert death_message_id(ID_NUMBER, DIED_ON) == death_message_id(ID_NUMBER, DIED_ON)
    assert death_message_id(ID_NUMBER, DIED_ON) != death_message_id(ID_NUMBER, date(2026, 12, 1))
    body = notices_body("M-1", [death_notice(ID_NUMBER, "张三", DIED_ON)])
    assert "张三".encode() in body  # UTF-8, not \\u escapes
