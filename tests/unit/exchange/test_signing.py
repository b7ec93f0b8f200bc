"""Signed inter-department requests: HMAC-SM3, timestamps, nonces, key rotation."""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    REQUIRED_HEADERS,
    InMemoryNonceStore,
    QueryParams,
    StaticKeyRing,
    VerifiedCaller,
    canonical_query,
    canonical_request,
    sign_request,
    verify_request,
)

T0 = datetime(2025, 3, 1, 8, 0, 0, tzinfo=UTC)
KEY_GA = b"gongan-shared-key-0001"
KEY_SF = b"sifa-shared-key-00001"
PATH = "/api/v1/death-notices"
QUERY: QueryParams = {"batch": "7", "tag": ["b", "a"]}
BODY = '{"id":"13040619650312123X","name":"张三"}'.encode()
ITEM = "公安/死亡注销"
PURPOSE = "养老金待遇资格认证"
NONCE = "nonce-0000000000000001"


def ring() -> StaticKeyRing:
    keys = StaticKeyRing()
    keys.add("gongan", KEY_GA)
    keys.add("sifa", KEY_SF)
    return keys


def signed(
    *,
    client_id: str = "gongan",
    key: bytes = KEY_GA,
    now: datetime = T0,
    nonce: str = NONCE,
    body: bytes = BODY,
) -> dict[str, str]:
    return sign_request(
        "post",
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


def test_a_signed_request_verifies_and_names_the_caller() -> None:
    caller = verify(signed())
    assert caller == VerifiedCaller("gongan", ITEM, PURPOSE, NONCE, T0)


def test_headers_are_ascii_with_rfc3339_utc_timestamp_and_sm3_body_digest() -> None:
    headers = signed()
    assert all(value.isascii() for value in headers.values())
    assert headers[HEADER_TIMESTAMP] == "2025-03-01T08:00:00Z"
    assert headers[HEADER_ALG] == "HMAC-SM3"
    assert len(headers[HEADER_BODY_DIGEST]) == 64
    assert len(headers[HEADER_SIGNATURE]) == 64


def test_header_names_are_case_insensitive() -> None:
    headers = {name.lower(): value for name, value in signed().items()}
    assert verify(headers).client_id == "gongan"


def test_generated_nonces_differ() -> None:
    first = sign_request(
        "GET", "/", {}, b"", client_id="c", key=KEY_GA, item="i", purpose="p", now=T0
    )
    second = sign_request(
        "GET", "/", {}, b"", client_id="c", key=KEY_GA, item="i", purpose="p", now=T0
    )
    assert first[HEADER_NONCE] != second[HEADER_NONCE]


def test_canonical_query_is_sorted_and_percent_encoded() -> None:
    assert canonical_query({"z": "1", "名": ["b c", "a"]}) == "%E5%90%8D=a&%E5%90%8D=b%20c&z=1"
    assert canonical_query({"b": "2", "a": "1"}) == canonical_query({"a": "1", "b": "2"})


def test_canonical_request_layout() -> None:
    lines = canonical_request("get", "/x", {"a": "1"}, signed()).decode().split("\n")
    assert lines[:4] == ["RL-SIGN-1", "GET", "/x", "a=1"]
    assert lines[4] == "x-rl-alg:HMAC-SM3"
    assert lines[-1].startswith("x-rl-body-sm3:")


@pytest.mark.parametrize(
    "tamper",
    [
        {"method": "PUT"},
        {"path": "/api/v1/death-notice"},
        {"query": {"batch": "8", "tag": ["b", "a"]}},
        {"query": {"batch": "7", "tag": ["b"]}},
        {"query": {"batch": "7", "tag": ["b", "a"], "extra": "1"}},
    ],
    ids=["method", "path", "query-value", "query-dropped", "query-added"],
)
def test_tampered_request_line_is_rejected(tamper: dict[str, object]) -> None:
    with pytest.raises(AuthenticationError, match="签名无效"):
        verify(signed(), **tamper)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "value"),
    [
        (HEADER_ITEM, "%E5%8F%B8%E6%B3%95"),
        (HEADER_PURPOSE, "other"),
        (HEADER_CLIENT, "sifa"),
        (HEADER_NONCE, "nonce-0000000000000002"),
        (HEADER_TIMESTAMP, "2025-03-01T08:00:01Z"),
    ],
)
def test_tampered_signed_header_is_rejected(header: str, value: str) -> None:
    headers = {**signed(), header: value}
    with pytest.raises(AuthenticationError, match="签名无效"):
        verify(headers)


def test_body_change_with_original_digest_is_rejected() -> None:
    with pytest.raises(AuthenticationError, match="请求体摘要"):
        verify(signed(), body=BODY + b" ")


def test_body_and_digest_both_changed_is_rejected_by_signature() -> None:
    other = b'{"id":"other"}'
    headers = {**signed(), HEADER_BODY_DIGEST: signed(body=other)[HEADER_BODY_DIGEST]}
    with pytest.raises(AuthenticationError, match="签名无效"):
        verify(headers, body=other)


@settings(max_examples=60, deadline=None)
@given(position=st.integers(min_value=0, max_value=len(BODY) - 1), delta=st.integers(1, 255))
def test_any_single_byte_change_to_the_body_is_rejected(position: int, delta: int) -> None:
    changed = bytearray(BODY)
    changed[position] = (changed[position] + delta) % 256
    with pytest.raises(AuthenticationError):
        verify(signed(), body=bytes(changed))


def test_wrong_key_is_rejected() -> None:
    with pytest.raises(AuthenticationError, match="签名无效"):
        verify(signed(key=b"not-the-shared-key-000"))


def test_unknown_client_is_rejected() -> None:
    with pytest.raises(AuthenticationError, match="未知的客户端：minzheng"):
        verify(signed(client_id="minzheng"))


def test_bad_algorithm_is_rejected() -> None:
    with pytest.raises(AuthenticationError, match="不支持的签名算法"):
        verify({**signed(), HEADER_ALG: "HMAC-SHA1"})


@pytest.mark.parametrize("name", REQUIRED_HEADERS)
def test_missing_header_is_named(name: str) -> None:
    headers = {key: value for key, value in signed().items() if key != name}
    with pytest.raises(AuthenticationError, match=f"缺少请求头 {name}") as raised:
        verify(headers)
    assert raised.value.field == name


@pytest.mark.parametrize("value", ["2025-03-01 08:00:00", "yesterday", "2025-13-01T08:00:00Z"])
def test_malformed_timestamp_is_rejected(value: str) -> None:
    with pytest.raises(AuthenticationError, match="时间戳"):
        verify({**signed(), HEADER_TIMESTAMP: value})


def test_malformed_nonce_is_rejected() -> None:
    with pytest.raises(AuthenticationError, match="nonce"):
        verify(signed(nonce="short"))


@pytest.mark.parametrize(
    ("offset", "message"),
    [(timedelta(minutes=-5, seconds=-1), "已过期"), (timedelta(minutes=5, seconds=1), "超前")],
    ids=["expired", "future"],
)
def test_timestamp_beyond_skew_is_rejected(offset: timedelta, message: str) -> None:
    with pytest.raises(AuthenticationError, match=message):
        verify(signed(now=T0 + offset))


@pytest.mark.parametrize("offset", [timedelta(minutes=-5), timedelta(minutes=5)])
def test_timestamp_exactly_at_skew_is_accepted(offset: timedelta) -> None:
    assert verify(signed(now=T0 + offset)).timestamp == T0 + offset


def test_replayed_request_is_rejected() -> None:
    nonces = InMemoryNonceStore()
    headers = signed()
    verify(headers, nonces=nonces)
    with pytest.raises(AuthenticationError, match="重放"):
        verify(headers, nonces=nonces, now=T0 + timedelta(seconds=30))


def test_same_nonce_from_another_client_is_accepted() -> None:
    nonces = InMemoryNonceStore()
    verify(signed(), nonces=nonces)
    assert verify(signed(client_id="sifa", key=KEY_SF), nonces=nonces).client_id == "sifa"


def test_nonce_is_accepted_again_after_it_expires() -> None:
    nonces = InMemoryNonceStore()
    verify(signed(), nonces=nonces)
    later = T0 + timedelta(minutes=5, seconds=1)
    assert verify(signed(now=later), nonces=nonces, now=later).nonce == NONCE
    assert len(nonces) == 1  # the expired entry was forgotten


def test_forged_request_does_not_burn_the_nonce() -> None:
    nonces = InMemoryNonceStore()
    with pytest.raises(AuthenticationError, match="签名无效"):
        verify(signed(key=b"forger-key-0000000000"), nonces=nonces)
    assert verify(signed(), nonces=nonces).nonce == NONCE


def test_nonce_store_remembers_until_expiry_inclusive() -> None:
    store = InMemoryNonceStore()
    expiry = T0 + timedelta(minutes=5)
    assert store.seen_or_remember("c", "n", expiry, now=T0) is False
    assert store.seen_or_remember("c", "n", expiry, now=expiry) is True
    assert store.seen_or_remember("c", "n", expiry, now=expiry + timedelta(seconds=1)) is False


def test_key_rotation_old_and_new_keys_verify_newest_signs() -> None:
    keys = ring()
    new_key = b"gongan-shared-key-0002"
    keys.add("gongan", new_key)
    assert keys.signing_key("gongan") == new_key
    assert verify(signed(key=KEY_GA, nonce="a" * 16), keys=keys).client_id == "gongan"
    assert verify(signed(key=new_key, nonce="b" * 16), keys=keys).client_id == "gongan"
    keys.retire("gongan", KEY_GA)
    with pytest.raises(AuthenticationError, match="签名无效"):
        verify(signed(key=KEY_GA, nonce="c" * 16), keys=keys)


def test_key_ring_refuses_short_keys_and_unknown_signers() -> None:
    keys = StaticKeyRing()
    with pytest.raises(ValueError, match="16 bytes"):
        keys.add("gongan", b"short")
    with pytest.raises(KeyError):
        keys.signing_key("gongan")
    assert keys.verification_keys("gongan") == ()
