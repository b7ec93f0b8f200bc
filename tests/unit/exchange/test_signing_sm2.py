"""Signed inter-department requests with SM2-SM3: the same canonical request as HMAC-SM3,
signed with the caller's SM2 private key and checked with its registered public key(s)."""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest

from retirelink.errors import AuthenticationError
from retirelink.exchange.signing import (
    HEADER_ALG,
    HEADER_BODY_DIGEST,
    HEADER_CLIENT,
    HEADER_ITEM,
    HEADER_NONCE,
    HEADER_PURPOSE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    HMAC_SM3,
    SM2_SM3,
    InMemoryNonceStore,
    QueryParams,
    StaticKeyRing,
    VerifiedCaller,
    canonical_request,
    sign_request,
    verify_request,
)
from retirelink.security import sm2
from retirelink.security.sm2 import SM2PrivateKey, generate_keypair

T0 = datetime(2025, 3, 1, 8, 0, 0, tzinfo=UTC)
GONGAN_SM2 = SM2PrivateKey("75c4090a9394d5c7083663de6787bb78fed986392c85c5cf52e012a776f66ade")
FORGER_SM2 = generate_keypair().private_key
KEY_SF = b"sifa-shared-key-00001"
PATH = "/api/v1/partner/notices"
QUERY: QueryParams = {"batch": "7", "tag": ["b", "a"]}
BODY = '{"id":"13040619650312123X","name":"张三"}'.encode()
ITEM = "public_security.death_cancellation"
PURPOSE = "养老金待遇资格认证"
NONCE = "nonce-0000000000000001"


def ring() -> StaticKeyRing:
    keys = StaticKeyRing()
    keys.add_sm2("gongan", GONGAN_SM2.public_key)  # SM2 only
    keys.add("sifa", KEY_SF)  # HMAC only
    return keys


def signed(
    *,
    client_id: str = "gongan",
    key: bytes | SM2PrivateKey = GONGAN_SM2,
    now: datetime = T0,
    nonce: str = NONCE,
    body: bytes = BODY,
) -> dict[str, str]:
    return sign_request(
        "POST",
        PATH,
        QUERY,
        body,
        client_id=client_id,
        key=key,
        item=ITEM,
        purpose=PURPOSE,
        now=now,
        nonce=nonce,
    )


SIGNED = signed()  # signing costs a few ms; most tests start from this one


def verify(
    headers: Mapping[str, str],
    *,
    method: str = "POST",
    path: str = PATH,
    query: QueryParams = QUERY,
    body: bytes = BODY,
    keys: StaticKeyRing | None = None,
    nonces: InMemoryNonceStore | None = None,
    now: datetime = T0,
) -> VerifiedCaller:
    return verify_request(
        method,
        path,
        query,
        headers,
        body,
        keys=keys or ring(),
        nonces=nonces if nonces is not None else InMemoryNonceStore(),
        now=now,
    )


def test_an_sm2_signed_request_verifies_and_names_the_caller_and_algorithm() -> None:
    caller = verify(SIGNED)

    assert caller == VerifiedCaller("gongan", ITEM, PURPOSE, NONCE, T0, algorithm=SM2_SM3)


def test_the_signature_is_sm2_over_the_same_canonical_request_as_hmac() -> None:
    canonical = canonical_request("POST", PATH, QUERY, SIGNED)

    assert SIGNED[HEADER_ALG] == "SM2-SM3"
    assert canonical.decode().split("\n")[4] == "x-rl-alg:SM2-SM3"
    assert len(SIGNED[HEADER_SIGNATURE]) == 128
    assert sm2.verify(GONGAN_SM2.public_key, canonical, SIGNED[HEADER_SIGNATURE])
    hmac_signed = signed(client_id="sifa", key=KEY_SF)
    assert hmac_signed[HEADER_ALG] == HMAC_SM3
    assert (
        canonical_request("POST", PATH, QUERY, hmac_signed).split(b"\n")[:4]
        == (canonical.split(b"\n")[:4])
    )


@pytest.mark.parametrize(
    "tamper",
    [
        {"method": "PUT"},
        {"path": "/api/v1/partner/notice"},
        {"query": {"batch": "8", "tag": ["b", "a"]}},
        {"query": {"batch": "7", "tag": ["b"]}},
    ],
    ids=["method", "path", "query-value", "query-dropped"],
)
def test_a_tampered_request_line_is_refused(tamper: dict[str, object]) -> None:
    with pytest.raises(AuthenticationError, match="SM2 签名无效（客户端 gongan）"):
        verify(SIGNED, **tamper)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "value"),
    [
        (HEADER_ITEM, "public_security.household_registration"),
        (HEADER_PURPOSE, "other"),
        (HEADER_NONCE, "nonce-0000000000000002"),
        (HEADER_TIMESTAMP, "2025-03-01T08:00:01Z"),
    ],
)
def test_a_tampered_signed_header_is_refused(header: str, value: str) -> None:
    with pytest.raises(AuthenticationError, match="SM2 签名无效"):
        verify({**SIGNED, header: value})


def test_a_changed_body_is_refused_by_its_digest_or_by_the_signature() -> None:
    other = b'{"id":"other"}'
    with pytest.raises(AuthenticationError, match="请求体摘要"):
        verify(SIGNED, body=other)
    digest = signed(body=other)[HEADER_BODY_DIGEST]
    with pytest.raises(AuthenticationError, match="SM2 签名无效"):
        verify({**SIGNED, HEADER_BODY_DIGEST: digest}, body=other)


def test_a_signature_by_another_sm2_key_is_refused() -> None:
    with pytest.raises(AuthenticationError, match="SM2 签名无效"):
        verify(signed(key=FORGER_SM2))


@pytest.mark.parametrize("signature", ["00" * 64, "not-hex" * 20, "ab" * 32, "AB" * 65])
def test_a_malformed_sm2_signature_is_refused(signature: str) -> None:
    headers = {**SIGNED, HEADER_SIGNATURE: signature}
    with pytest.raises(AuthenticationError, match="SM2 签名无效"):
        verify(headers)


def test_a_replayed_request_is_refused() -> None:
    nonces = InMemoryNonceStore()
    verify(SIGNED, nonces=nonces)

    with pytest.raises(AuthenticationError, match="重放"):
        verify(SIGNED, nonces=nonces, now=T0 + timedelta(seconds=30))


def test_a_forged_request_does_not_burn_the_nonce() -> None:
    nonces = InMemoryNonceStore()
    with pytest.raises(AuthenticationError, match="SM2 签名无效"):
        verify(signed(key=FORGER_SM2), nonces=nonces)

    assert verify(SIGNED, nonces=nonces).nonce == NONCE


@pytest.mark.parametrize(
    ("offset", "message"),
    [(timedelta(minutes=-5, seconds=-1), "已过期"), (timedelta(minutes=5, seconds=1), "超前")],
    ids=["expired", "future"],
)
def test_a_timestamp_beyond_the_skew_is_refused(offset: timedelta, message: str) -> None:
    with pytest.raises(AuthenticationError, match=message):
        verify(signed(now=T0 + offset))


def test_an_sm2_request_from_a_client_without_a_public_key_is_refused() -> None:
    with pytest.raises(
        AuthenticationError, match="签名算法 SM2-SM3 需要登记该客户端的 SM2 公钥"
    ) as refused:
        verify(signed(client_id="sifa"))
    assert "sifa" in refused.value.message


def test_an_hmac_request_from_a_client_with_only_sm2_public_keys_is_refused() -> None:
    with pytest.raises(AuthenticationError, match="需要登记该客户端的共享密钥"):
        verify(signed(key=b"gongan-shared-key-0001"))


def test_an_unknown_client_is_refused_whatever_the_algorithm() -> None:
    with pytest.raises(AuthenticationError, match="未知的客户端：minzheng"):
        verify(signed(client_id="minzheng"))
    with pytest.raises(AuthenticationError, match="未知的客户端：minzheng"):
        verify(signed(client_id="minzheng", key=KEY_SF))


def test_the_algorithm_header_cannot_be_switched() -> None:
    both = ring()
    both.add("gongan", b"gongan-shared-key-0001")  # gongan may use either algorithm
    hmac_signed = signed(key=b"gongan-shared-key-0001")

    with pytest.raises(AuthenticationError, match="SM2 签名无效"):
        verify({**hmac_signed, HEADER_ALG: SM2_SM3}, keys=both)
    with pytest.raises(AuthenticationError, match="请求签名无效"):
        verify({**SIGNED, HEADER_ALG: HMAC_SM3}, keys=both)
    assert verify(hmac_signed, keys=both).algorithm == HMAC_SM3
    assert verify(SIGNED, keys=both).algorithm == SM2_SM3


@pytest.mark.parametrize("algorithm", ["SM2-SHA256", "sm2-sm3", "ECDSA-P256"])
def test_an_unknown_algorithm_is_refused_naming_the_supported_ones(algorithm: str) -> None:
    with pytest.raises(AuthenticationError, match="不支持的签名算法") as refused:
        verify({**SIGNED, HEADER_ALG: algorithm})
    assert "HMAC-SM3、SM2-SM3" in refused.value.message


def test_during_a_rotation_old_and_new_public_keys_verify_until_the_old_one_retires() -> None:
    keys = ring()
    new_key = generate_keypair().private_key
    keys.add_sm2("gongan", new_key.public_key[2:])  # the 128-hex form is accepted too

    assert keys.sm2_public_keys("gongan") == (new_key.public_key, GONGAN_SM2.public_key)
    assert verify(SIGNED, keys=keys).client_id == "gongan"
    assert verify(signed(key=new_key, nonce="b" * 16), keys=keys).client_id == "gongan"
    keys.retire_sm2("gongan", GONGAN_SM2.public_key)
    with pytest.raises(AuthenticationError, match="SM2 签名无效"):
        verify(signed(nonce="c" * 16), keys=keys)


def test_a_client_header_naming_another_client_is_refused() -> None:
    keys = ring()
    keys.add_sm2("minzheng", FORGER_SM2.public_key)

    with pytest.raises(AuthenticationError, match="SM2 签名无效（客户端 minzheng）"):
        verify({**SIGNED, HEADER_CLIENT: "minzheng"}, keys=keys)


def test_the_key_ring_shows_no_shared_key_in_its_repr() -> None:
    shown = repr(ring())

    assert KEY_SF.hex() not in shown and repr(KEY_SF) not in shown
    assert GONGAN_SM2.hex not in shown
