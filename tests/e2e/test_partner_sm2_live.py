"""SM2-SM3 signed pushes against a real `retirelink serve`: 公安 registered with an SM2
public key only (no shared key), 卫健 with both. Good signatures are applied; forged,
replayed and tampered requests are refused before anything is read."""

import json
from datetime import UTC, date, datetime

import httpx
import pytest

from retirelink.errors import AuthenticationError
from retirelink.exchange.receipts import verify_receipt
from retirelink.exchange.signing import sign_request
from retirelink.ledger.model import LedgerAction
from retirelink.partners.pusher import (
    NOTICES_PATH,
    death_message_id,
    death_notice,
    notices_body,
    push_notices,
)
from retirelink.security.crypto import derive_key, digest_hex
from retirelink.security.sm2 import generate_keypair
from tests.e2e.helpers import ledger_actions
from tests.e2e.live_server import running_server
from tests.support.partner_files import LI, WANG
from tests.support.partner_registry import GONGAN, WEIJIAN, write_registry

pytestmark = pytest.mark.e2e

DEATH_ITEM = "public_security.death_cancellation"
CERTIFICATE_ITEM = "health.death_medical_certificate"
SM2_KEYS = {GONGAN: generate_keypair().private_key, WEIJIAN: generate_keypair().private_key}


@pytest.fixture
def platform(settings):
    partners = write_registry(
        settings,
        sm2=SM2_KEYS,
        sm2_only={GONGAN},
        our_sm2_key=generate_keypair().private_key,
    )
    env = {
        "RETIRELINK_DATABASE_URL": settings.database_url,
        "RETIRELINK_SECRET_KEY": settings.secret_key.get_secret_value(),
        "RETIRELINK_ENV": "test",
        "RETIRELINK_DATA_DIR": str(settings.data_dir),
        "RETIRELINK_EXCHANGE_WORKER": "false",
    }
    with running_server(env) as base_url:
        yield base_url, partners


def push(base_url, partner, key, id_number, name, died_on, *, item=DEATH_ITEM, **options):
    return push_notices(
        base_url,
        client_id=partner.client_id,
        key=key,
        item=item,
        message_id=death_message_id(id_number, died_on),
        records=[death_notice(id_number, name, died_on)],
        **options,
    )


def records(services, item=DEATH_ITEM):
    with services.uow() as uow:
        return uow.partner_records.count(item)


def test_an_sm2_signed_death_notice_is_applied_with_a_receipt_the_platform_signed(
    platform, services, settings
) -> None:
    base_url, partners = platform
    gongan = partners[GONGAN]

    first = push(base_url, gongan, SM2_KEYS[GONGAN], WANG, "王建国", date(2026, 10, 1))
    again = push(base_url, gongan, SM2_KEYS[GONGAN], WANG, "王建国", date(2026, 10, 1))

    assert (first.status, again.status) == ("applied", "duplicate")
    assert again.receipt == first.receipt
    assert first.receipt.payload_digest == digest_hex(first.body)
    assert first.receipt.partner == gongan.client_id
    # No shared key with 公安: the receipt carries the platform's own receipt signature.
    assert not first.receipt_signature_checked
    platform_key = derive_key(settings.secret_key.get_secret_value().encode(), "exchange-receipts")
    assert verify_receipt(first.receipt, platform_key)
    assert not verify_receipt(first.receipt, gongan.key)
    assert records(services) == 1
    assert ledger_actions(services, LedgerAction.EXCHANGE_MESSAGE_APPLIED)


def test_a_department_with_both_keys_may_sign_with_sm2_and_checks_the_receipt_it_shares(
    platform, services
) -> None:
    base_url, partners = platform
    weijian = partners[WEIJIAN]

    result = push(
        base_url,
        weijian,
        SM2_KEYS[WEIJIAN],
        LI,
        "李秀英",
        date(2026, 10, 2),
        item=CERTIFICATE_ITEM,
        receipt_key=weijian.key,
    )

    assert result.status == "applied"
    assert result.receipt_signature_checked
    assert verify_receipt(result.receipt, weijian.key)
    assert records(services, CERTIFICATE_ITEM) == 1


def test_a_forged_sm2_notice_is_refused_and_nothing_is_applied(platform, services) -> None:
    base_url, partners = platform
    gongan = partners[GONGAN]
    forger = generate_keypair().private_key

    with pytest.raises(AuthenticationError, match="SM2 签名无效"):
        push(base_url, gongan, forger, WANG, "王建国", date(2026, 10, 1))
    with pytest.raises(AuthenticationError, match="需要登记该客户端的共享密钥"):
        push(base_url, gongan, gongan.key, WANG, "王建国", date(2026, 10, 1))

    assert records(services) == 0


def test_a_replayed_or_tampered_sm2_request_is_refused(platform, services) -> None:
    base_url, partners = platform
    gongan = partners[GONGAN]
    body = notices_body("GA-SM2-1", [death_notice(WANG, "王建国", date(2026, 10, 1))])
    headers = sign_request(
        "POST",
        NOTICES_PATH,
        {},
        body,
        client_id=gongan.client_id,
        key=SM2_KEYS[GONGAN],
        item=DEATH_ITEM,
        purpose="benefit_suspension",
        now=datetime.now(UTC),
    )
    headers["Content-Type"] = "application/json"
    tampered = body.replace("王建国".encode(), "王建民".encode())
    other_item = {**headers, "X-RL-Item": "public_security.household_registration"}

    with httpx.Client(base_url=base_url, timeout=30) as client:
        changed = client.post(NOTICES_PATH, content=tampered, headers=headers)
        switched = client.post(NOTICES_PATH, content=body, headers=other_item)
        accepted = client.post(NOTICES_PATH, content=body, headers=headers)
        replayed = client.post(NOTICES_PATH, content=body, headers=headers)

    assert changed.status_code == 401 and "请求体摘要" in changed.json()["error"]
    assert switched.status_code == 401 and "SM2 签名无效" in switched.json()["error"]
    assert accepted.status_code == 200, accepted.text
    assert json.loads(accepted.text)["status"] == "applied"
    assert replayed.status_code == 401 and "重放" in replayed.json()["error"]
    assert records(services) == 1
