"""The signed partner API: pushes checked before they are read, applied whole or rejected
whole, recognised when resent, refused outside the catalogue, answered with receipts."""

import json
from datetime import timedelta

import pytest

from retirelink.exchange.receipts import receipt_from_dict, verify_receipt
from retirelink.exchange.signing import sign_request
from retirelink.ledger.model import LedgerAction
from retirelink.security.crypto import digest_hex
from retirelink.security.masking import mask_id_number
from tests.conftest import TEST_NOW
from tests.e2e.helpers import api_login, ledger_actions, logged_in, signed_post
from tests.support.builders import make_person
from tests.support.partner_files import DEATH_ITEM, LI, WANG, wrong_check_digit
from tests.support.partner_registry import GONGAN, YIBAO, write_registry

pytestmark = pytest.mark.e2e

NOTICES = "/api/v1/partner/notices"
ALIVE = "/api/v1/partner/verifications/alive-and-free"


@pytest.fixture
def partners(settings):
    return write_registry(settings)


def death_message(message_id="GA-1", rows=((WANG, "王建国", "2026-10-01"),)):
    return {
        "message_id": message_id,
        "records": [
            {"id_number": id_number, "name": name, "event_date": day, "record_type": "死亡注销"}
            for id_number, name, day in rows
        ],
    }


def count_records(services):
    with services.uow() as uow:
        return uow.partner_records.count()


def test_a_signed_death_notice_is_applied_and_answered_with_a_verifiable_receipt(
    client, seeded, partners
):
    body = death_message()
    raw = json.dumps(body, ensure_ascii=False).encode()

    response = signed_post(client, NOTICES, raw, partner=partners[GONGAN], item=DEATH_ITEM)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "applied"
    receipt = receipt_from_dict(answer["receipt"])
    assert verify_receipt(receipt, partners[GONGAN].key)
    assert receipt.payload_digest == digest_hex(raw)
    assert (receipt.record_count, receipt.accepted, receipt.rejected) == (1, 1, 0)
    assert receipt.partner == partners[GONGAN].client_id
    assert count_records(seeded) == 1
    assert ledger_actions(seeded, LedgerAction.EXCHANGE_MESSAGE_APPLIED)


def test_the_same_message_sent_again_returns_the_first_receipt_and_applies_nothing(
    client, seeded, partners
):
    first = signed_post(client, NOTICES, death_message(), partner=partners[GONGAN], item=DEATH_ITEM)

    again = signed_post(client, NOTICES, death_message(), partner=partners[GONGAN], item=DEATH_ITEM)

    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert again.json()["receipt"] == first.json()["receipt"]
    assert count_records(seeded) == 1


def test_a_reused_message_id_with_other_content_is_a_conflict(client, seeded, partners):
    signed_post(client, NOTICES, death_message(), partner=partners[GONGAN], item=DEATH_ITEM)
    other = death_message(rows=((LI, "李秀英", "2026-10-02"),))

    response = signed_post(client, NOTICES, other, partner=partners[GONGAN], item=DEATH_ITEM)

    assert response.status_code == 409
    assert "消息编号" in response.json()["error"]
    assert count_records(seeded) == 1


def test_a_replayed_request_is_refused_before_anything_is_read(client, seeded, partners):
    raw = json.dumps(death_message()).encode()
    headers = sign_request(
        "POST",
        NOTICES,
        {},
        raw,
        client_id=partners[GONGAN].client_id,
        key=partners[GONGAN].key,
        item=DEATH_ITEM,
        purpose="benefit_suspension",
        now=TEST_NOW,
    )
    assert client.post(NOTICES, content=raw, headers=headers).status_code == 200

    replay = client.post(NOTICES, content=raw, headers=headers)

    assert replay.status_code == 401
    assert "重放" in replay.json()["error"]


def test_a_forged_signature_an_old_timestamp_and_an_unknown_client_are_refused(
    client, seeded, partners
):
    gongan = partners[GONGAN]
    forged = signed_post(
        client, NOTICES, death_message(), partner=gongan._replace(key=b"x" * 32), item=DEATH_ITEM
    )
    stale = signed_post(
        client,
        NOTICES,
        death_message(),
        partner=gongan,
        item=DEATH_ITEM,
        now=TEST_NOW - timedelta(minutes=6),
    )
    stranger = signed_post(
        client, NOTICES, death_message(), partner=gongan._replace(client_id="X-1"), item=DEATH_ITEM
    )

    assert forged.status_code == 401 and "签名无效" in forged.json()["error"]
    assert stale.status_code == 401 and "过期" in stale.json()["error"]
    assert stranger.status_code == 401 and "未知的客户端" in stranger.json()["error"]
    assert count_records(seeded) == 0


def test_a_department_pushing_another_departments_item_is_refused_and_ledgered(
    client, seeded, partners
):
    response = signed_post(
        client, NOTICES, death_message(), partner=partners[YIBAO], item=DEATH_ITEM
    )

    assert response.status_code == 403
    assert "医保不得推送" in response.json()["error"]
    assert ledger_actions(seeded, LedgerAction.EXCHANGE_ACCESS_REFUSED)
    assert count_records(seeded) == 0


def test_a_purpose_outside_the_catalogue_is_refused(client, seeded, partners):
    response = signed_post(
        client,
        NOTICES,
        death_message(),
        partner=partners[GONGAN],
        item=DEATH_ITEM,
        purpose="marketing",
    )

    assert response.status_code == 403
    assert "marketing" in response.json()["error"]


def test_a_message_with_a_bad_record_is_rejected_whole_with_the_row_named(client, seeded, partners):
    message = death_message(
        rows=((WANG, "王建国", "2026-10-01"), (wrong_check_digit(LI), "李秀英", "2026-10-02"))
    )

    response = signed_post(client, NOTICES, message, partner=partners[GONGAN], item=DEATH_ITEM)

    assert response.status_code == 422
    answer = response.json()
    assert answer["status"] == "rejected"
    assert [(issue["row"], issue["field"]) for issue in answer["issues"]] == [(2, "id_number")]
    assert (answer["receipt"]["accepted"], answer["receipt"]["rejected"]) == (0, 2)
    assert count_records(seeded) == 0


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "不是有效的 UTF-8 JSON"),
        (b"[1, 2]", "JSON 对象"),
        (json.dumps({"message_id": "a b", "records": [{}]}).encode(), "message_id"),
        (json.dumps({"message_id": "GA-9", "records": []}).encode(), "records"),
    ],
)
def test_a_malformed_body_gets_a_chinese_422(client, seeded, partners, raw, message):
    response = signed_post(client, NOTICES, raw, partner=partners[GONGAN], item=DEATH_ITEM)

    assert response.status_code == 422
    assert message in response.json()["error"]
    assert count_records(seeded) == 0


def test_a_number_where_a_string_is_expected_is_a_row_issue(client, seeded, partners):
    message = {"message_id": "GA-7", "records": [{"id_number": 1, "name": "王建国"}]}

    response = signed_post(client, NOTICES, message, partner=partners[GONGAN], item=DEATH_ITEM)

    assert response.status_code == 422
    assert "公民身份号码应为字符串" in response.text


def test_medical_insurance_may_ask_whether_a_person_is_alive_and_gets_the_evidence(
    client, seeded, partners
):
    signed_post(client, NOTICES, death_message(), partner=partners[GONGAN], item=DEATH_ITEM)
    query = {"id_number": WANG, "on": "2026-11-01"}

    response = signed_post(
        client,
        ALIVE,
        query,
        partner=partners[YIBAO],
        item="social_security.alive_and_free_check",
        purpose="certification",
    )

    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["alive"], answer["free"]) == (False, True)
    assert answer["earliest_death"] == "2026-10-01"
    assert [e["item"] for e in answer["evidence"]] == [DEATH_ITEM]
    before = signed_post(
        client,
        ALIVE,
        {"id_number": WANG, "on": "2026-09-30"},
        partner=partners[YIBAO],
        item="social_security.alive_and_free_check",
        purpose="certification",
    )
    assert before.json()["alive"] is True
    assert ledger_actions(seeded, LedgerAction.EXCHANGE_VERIFICATION)


def test_a_department_outside_the_services_requesters_is_refused(client, seeded, partners):
    response = signed_post(
        client,
        ALIVE,
        {"id_number": WANG, "on": "2026-11-01"},
        partner=partners[GONGAN],
        item="social_security.alive_and_free_check",
        purpose="certification",
    )

    assert response.status_code == 403
    assert "不在可申请部门之列" in response.json()["error"]


def test_a_clerk_checks_a_person_through_the_session_api_and_sees_the_id_masked(
    client, seeded, partners
):
    with seeded.uow() as uow:
        uow.persons.add(make_person(id_number=WANG, name="王建国"))
        uow.commit()
    signed_post(client, NOTICES, death_message(), partner=partners[GONGAN], item=DEATH_ITEM)
    csrf = api_login(client, "clerk")

    response = client.post(
        "/api/v1/exchange/verifications/alive-and-free",
        json={"id_number": WANG, "on": "2026-11-20", "purpose": "待遇资格认证"},
        headers={"X-CSRF-Token": csrf},
    )

    assert response.status_code == 200, response.text
    assert response.json()["id_number"] == mask_id_number(WANG)
    assert response.json()["summary"] == "已死亡（1个部门报送），未在押服刑"


def test_a_pushed_death_notice_appears_on_the_persons_page_at_once(client, seeded, partners):
    with seeded.uow() as uow:
        person = uow.persons.add(make_person(id_number=WANG, name="王建国"))
        uow.commit()
    logged_in(client, "clerk")
    before = client.get(f"/persons/{person.id}")
    assert "尚未报送与此人有关的记录" in before.text

    signed_post(client, NOTICES, death_message(), partner=partners[GONGAN], item=DEATH_ITEM)

    page = client.get(f"/persons/{person.id}")
    shared = page.text.split('id="shared-heading"')[1]
    assert "公安" in shared
    assert "死亡注销" in shared
    assert "2026-10-01" in shared
    assert ledger_actions(seeded, LedgerAction.EXCHANGE_RECORDS_READ)
