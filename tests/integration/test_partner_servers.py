"""The simulated departments as real HTTP servers on loopback: signatures, feeds, requests."""

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from retirelink.exchange.receipts import receipt_from_dict, verify_receipt
from retirelink.exchange.signing import HEADER_SIGNATURE
from retirelink.partners.model import (
    DEATH_CANCELLATION,
    DEATH_CERTIFICATE,
    HOUSEHOLD_REGISTRATION,
    HOUSING_FUND,
    PRISONERS,
    SETTLEMENTS,
)
from retirelink.partners.records import AccountStatus, HukouStatus
from retirelink.partners.server import PartnerSimulators, SimulatorConfig, running_partners
from retirelink.security.crypto import digest_hex
from tests.support.partners import SignedClient

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sims():
    with running_partners(SimulatorConfig.for_tests(persons=500, seed=21)) as running:
        yield running


def gongan(sims: PartnerSimulators) -> SignedClient:
    return SignedClient.of(sims, "GONGAN")


# --- health and registry -------------------------------------------------------------------


def test_every_department_answers_its_health_check_unsigned(sims) -> None:
    for status in sims.statuses():
        response = httpx.get(f"{status.url}/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "department": status.code}


def test_every_department_listens_on_its_own_loopback_port(sims) -> None:
    urls = [status.url for status in sims.statuses()]

    assert len(set(urls)) == 9  # six departments, the national register, two provinces
    assert all(url.startswith("http://127.0.0.1:") for url in urls)
    registry = sims.registry()
    assert [entry.base_url for entry in registry.partners] == urls
    assert registry.entry("SIFA").client_id == "SIFA-130406"
    assert registry.entry("SHANXI").client_id == "SHEBAO-140000"
    assert registry.entry("SHANXI").region == "140000"


# --- signatures ----------------------------------------------------------------------------


def test_a_signed_request_gets_the_feed(sims) -> None:
    response = gongan(sims).changes(DEATH_CANCELLATION, after=0, limit=5)

    assert response.status_code == 200
    body = response.json()
    assert body["item"] == DEATH_CANCELLATION
    assert [record["seq"] for record in body["records"]] == [1, 2, 3, 4, 5]
    assert set(body["records"][0]) == {"seq", "gmsfhm", "xm", "xb", "swrq", "zxrq", "zxyy"}


def test_an_unsigned_request_is_refused_with_401_and_a_chinese_message(sims) -> None:
    response = httpx.get(f"{sims.url('GONGAN')}/api/changes", params={"item": DEATH_CANCELLATION})

    assert response.status_code == 401
    assert "缺少请求头" in response.json()["error"]


def test_a_request_signed_with_another_key_is_refused(sims) -> None:
    forger = SignedClient(sims.url("GONGAN"), b"f" * 32)

    response = forger.changes(DEATH_CANCELLATION)

    assert response.status_code == 401
    assert "签名无效" in response.json()["error"]


def test_a_request_with_a_forged_signature_is_refused(sims) -> None:
    client = gongan(sims)
    query = {"item": DEATH_CANCELLATION}
    headers = client.headers("GET", "/api/changes", query, b"", item=DEATH_CANCELLATION)
    headers[HEADER_SIGNATURE] = "0" * 64

    response = client.send("GET", "/api/changes", query, b"", headers)

    assert response.status_code == 401


def test_a_request_altered_after_signing_is_refused(sims) -> None:
    client = gongan(sims)
    signed_query = {"item": DEATH_CANCELLATION, "after": "0"}
    headers = client.headers("GET", "/api/changes", signed_query, b"", item=DEATH_CANCELLATION)

    sent_query = {"item": DEATH_CANCELLATION, "after": "100"}
    response = client.send("GET", "/api/changes", sent_query, b"", headers)

    assert response.status_code == 401
    assert "签名无效" in response.json()["error"]


def test_a_replayed_request_is_refused(sims) -> None:
    client = gongan(sims)
    query = {"item": DEATH_CANCELLATION}
    headers = client.headers("GET", "/api/changes", query, b"", item=DEATH_CANCELLATION)

    first = client.send("GET", "/api/changes", query, b"", headers)
    replay = client.send("GET", "/api/changes", query, b"", headers)

    assert first.status_code == 200
    assert replay.status_code == 401
    assert "重放" in replay.json()["error"]


def test_an_expired_request_is_refused(sims) -> None:
    stale = datetime.now(UTC) - timedelta(minutes=10)

    response = gongan(sims).changes(DEATH_CANCELLATION, now=stale)

    assert response.status_code == 401
    assert "过期" in response.json()["error"]


def test_another_departments_key_does_not_open_this_department(sims) -> None:
    with_sifa_key = SignedClient(sims.url("GONGAN"), sims.config.keys["SIFA"])

    assert with_sifa_key.changes(DEATH_CANCELLATION).status_code == 401


def test_an_unknown_client_is_refused(sims) -> None:
    stranger = SignedClient(sims.url("GONGAN"), sims.config.keys["GONGAN"], client_id="X-1")

    response = stranger.changes(DEATH_CANCELLATION)

    assert response.status_code == 401
    assert "未知的客户端" in response.json()["error"]


# --- change feeds --------------------------------------------------------------------------


def test_paging_returns_records_strictly_after_the_cursor_until_the_end(sims) -> None:
    client = SignedClient.of(sims, "YIBAO")
    total = len(sims.datasets().feed(SETTLEMENTS))
    seen: list[int] = []
    after, has_more = 0, True
    while has_more:
        body = client.changes(SETTLEMENTS, after=after, limit=250).json()
        seen += [record["seq"] for record in body["records"]]
        assert all(record["seq"] > after for record in body["records"])
        after, has_more = body["next_after"], body["has_more"]

    assert seen == list(range(1, total + 1))
    empty = client.changes(SETTLEMENTS, after=after).json()
    assert empty == {"item": SETTLEMENTS, "records": [], "next_after": total, "has_more": False}


def test_records_a_partner_adds_later_appear_after_the_cursor(sims) -> None:
    client = SignedClient.of(sims, "SIFA")
    cursor = client.changes(PRISONERS, after=0, limit=1000).json()["next_after"]
    row = dict(sims.datasets().feed(PRISONERS).records()[0].fields)

    (seq,) = sims.datasets().feed(PRISONERS).append([{**row, "sfrq": "20261120"}])

    body = client.changes(PRISONERS, after=cursor).json()
    assert [record["seq"] for record in body["records"]] == [seq] == [cursor + 1]
    assert body["records"][0]["sfrq"] == "20261120"


def test_each_department_serves_its_items_in_its_own_field_names(sims) -> None:
    fields = {
        ("GONGAN", HOUSEHOLD_REGISTRATION): "hjzt",
        ("WEIJIAN", DEATH_CERTIFICATE): "swsj",
        ("SIFA", PRISONERS): "xfzl",
        ("GJJ", HOUSING_FUND): "xingming",
    }
    for (code, item), name in fields.items():
        records = SignedClient.of(sims, code).changes(item, limit=2).json()["records"]
        assert len(records) == 2 and name in records[0], (code, item)


def test_an_item_the_department_does_not_hold_is_a_bad_request(sims) -> None:
    response = gongan(sims).changes(PRISONERS, signed_item=DEATH_CANCELLATION)

    assert response.status_code == 400
    assert "不提供数据项" in response.json()["error"]


def test_a_signature_for_another_item_than_the_one_asked_is_refused(sims) -> None:
    response = gongan(sims).changes(DEATH_CANCELLATION, signed_item=HOUSEHOLD_REGISTRATION)

    assert response.status_code == 403


def test_a_signature_naming_an_item_of_another_department_is_refused(sims) -> None:
    response = gongan(sims).changes(DEATH_CANCELLATION, signed_item=PRISONERS)

    assert response.status_code == 403


@pytest.mark.parametrize(("after", "limit"), [("x", "5"), ("-1", "5"), ("0", "0")])
def test_a_bad_cursor_or_limit_is_a_bad_request(sims, after, limit) -> None:
    client = gongan(sims)
    query = {"item": DEATH_CANCELLATION, "after": after, "limit": limit}
    headers = client.headers("GET", "/api/changes", query, b"", item=DEATH_CANCELLATION)

    response = client.send("GET", "/api/changes", query, b"", headers)

    assert response.status_code == 400
    assert response.json()["error"]


# --- disputes and requests -----------------------------------------------------------------


def dead_person(sims):
    return next(h for h in sims.datasets().households.values() if h.status is HukouStatus.DECEASED)


def test_a_dispute_gets_a_receipt_signed_by_the_partner_and_is_kept(sims) -> None:
    person = dead_person(sims)
    payload = {
        "dispute_id": "YY-HTTP-1",
        "item": DEATH_CANCELLATION,
        "id_number": person.id_number,
        "reason": "死亡注销后仍有医保结算记录",
        "evidence": [{"department": "YIBAO", "item": SETTLEMENTS, "event_date": "2026-10-09"}],
    }
    body = json.dumps(payload, ensure_ascii=False).encode()
    client = gongan(sims)

    response = client.post("/api/disputes", body, item=DEATH_CANCELLATION)
    resent = client.post("/api/disputes", body, item=DEATH_CANCELLATION)

    assert response.status_code == 200
    receipt = receipt_from_dict(response.json()["receipt"])
    assert verify_receipt(receipt, sims.config.keys["GONGAN"])
    assert not verify_receipt(receipt, sims.config.keys["SIFA"])
    assert receipt.payload_digest == digest_hex(body)
    assert resent.json() == response.json()
    kept = [e for e in sims.received("GONGAN", "dispute") if e.payload["dispute_id"] == "YY-HTTP-1"]
    assert len(kept) == 2
    assert kept[0].payload == payload
    assert kept[0].client_id == "SHEBAO-130406"
    inspected = httpx.get(f"{sims.url('GONGAN')}/_sim/received").json()["received"]
    assert any(e["payload"].get("dispute_id") == "YY-HTTP-1" for e in inspected)


def test_a_dispute_that_is_not_json_is_a_bad_request(sims) -> None:
    response = gongan(sims).post("/api/disputes", b"not json", item=DEATH_CANCELLATION)

    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_gongan_verifies_an_identity_against_its_register(sims) -> None:
    person = dead_person(sims)

    response = gongan(sims).post(
        "/api/hukou/verify",
        {"id_number": person.id_number, "name": person.name},
        item=HOUSEHOLD_REGISTRATION,
    )

    assert response.status_code == 200
    answer = response.json()
    assert answer["found"] and answer["match"]
    assert answer["record"]["status"] == "21"
    assert answer["record"]["name"] == person.name


def test_only_gongan_offers_identity_checks(sims) -> None:
    sifa = SignedClient.of(sims, "SIFA")

    response = sifa.post("/api/hukou/verify", {"id_number": "x"}, item=PRISONERS)

    assert response.status_code == 404


def test_a_housing_fund_withdrawal_is_idempotent_by_request_id(sims) -> None:
    account = next(
        a for a in sims.datasets().housing_accounts.values() if a.status is AccountStatus.SEALED
    )
    payload = {
        "request_id": "GJJ-REQ-1",
        "id_number": account.id_number,
        "name": account.name,
        "retirement_date": "2026-12-01",
    }
    client = SignedClient.of(sims, "GJJ")

    first = client.post("/api/housing-fund/retirement-withdrawals", payload, item=HOUSING_FUND)
    again = client.post("/api/housing-fund/retirement-withdrawals", payload, item=HOUSING_FUND)
    other = client.post(
        "/api/housing-fund/retirement-withdrawals",
        {**payload, "retirement_date": "2027-01-01"},
        item=HOUSING_FUND,
    )

    assert first.status_code == again.status_code == 200
    assert first.json()["accepted"] is True
    assert first.json()["balance"] == f"{account.balance:.2f}"
    assert again.json() == first.json()
    assert other.status_code == 409
    assert len(sims.received("GJJ", "withdrawal")) == 2


def test_a_retiree_transfer_is_idempotent_by_request_id(sims) -> None:
    person = next(h for h in sims.datasets().households.values() if h.status is HukouStatus.NORMAL)
    payload = {
        "request_id": "YB-REQ-1",
        "id_number": person.id_number,
        "retirement_date": "2026-12-01",
    }
    client = SignedClient.of(sims, "YIBAO")

    first = client.post("/api/enrolment/retiree-transfers", payload, item=SETTLEMENTS).json()
    again = client.post("/api/enrolment/retiree-transfers", payload, item=SETTLEMENTS).json()

    assert first["accepted"] is True
    assert first["reference"].startswith("YB-ZR-")
    assert again == first
