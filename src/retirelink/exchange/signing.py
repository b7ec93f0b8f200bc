"""Signed requests between departments: HMAC-SM3 or SM2 over a canonical request.

Every call carries who is calling (``X-RL-Client``), which catalogue item and purpose it
concerns, when it was made, a one-time nonce, the SM3 digest of the body and a signature over
all of that: ``HMAC-SM3`` with the key the two sides share (the default), or ``SM2-SM3``
(GB/T 32918 with SM3 and the default user ID, GB/T 35276) with the caller's SM2 private key,
checked with the public key(s) registered for it. ``X-RL-Alg`` says which; it is itself
signed. ``verify_request`` checks everything *before* the body is interpreted; a request
that fails any check is refused with an ``AuthenticationError`` whose 中文 message says why.

Canonical request, lines joined by ``\\n``: ``RL-SIGN-1``, upper-case method, the decoded
path percent-encoded, the query pairs percent-encoded then sorted (``a=1&b=%E5%BC%A0``),
then ``name:value`` for each of SIGNED_HEADERS in order (lower-case names, values as sent).

Item and purpose may be 中文; they travel percent-encoded (UTF-8) so headers stay ASCII.
Pure module: no clock, no I/O, no HTTP library.
"""

import heapq
import re
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import quote, unquote

from retirelink.errors import AuthenticationError
from retirelink.security import sm2
from retirelink.security.crypto import constant_time_equal, digest_hex, hmac_hex
from retirelink.security.sm2 import SM2PrivateKey

HMAC_SM3 = "HMAC-SM3"
SM2_SM3 = sm2.ALGORITHM  # "SM2-SM3"
ALGORITHMS: tuple[str, ...] = (HMAC_SM3, SM2_SM3)
ALGORITHM = HMAC_SM3  # the default
CANONICAL_VERSION = "RL-SIGN-1"
DEFAULT_MAX_SKEW = timedelta(minutes=5)

HEADER_ALG = "X-RL-Alg"
HEADER_CLIENT = "X-RL-Client"
HEADER_ITEM = "X-RL-Item"
HEADER_PURPOSE = "X-RL-Purpose"
HEADER_TIMESTAMP = "X-RL-Timestamp"
HEADER_NONCE = "X-RL-Nonce"
HEADER_BODY_DIGEST = "X-RL-Body-SM3"
HEADER_SIGNATURE = "X-RL-Signature"

# Order matters: it is part of the canonical request.
SIGNED_HEADERS: tuple[str, ...] = (
    HEADER_ALG,
    HEADER_CLIENT,
    HEADER_ITEM,
    HEADER_PURPOSE,
    HEADER_TIMESTAMP,
    HEADER_NONCE,
    HEADER_BODY_DIGEST,
)
REQUIRED_HEADERS: tuple[str, ...] = (*SIGNED_HEADERS, HEADER_SIGNATURE)

QueryParams = Mapping[str, str | Sequence[str]]

_UNRESERVED = "-_.~"
_NONCE_RE = re.compile(r"[A-Za-z0-9_-]{16,128}")
_HEX64_RE = re.compile(r"[0-9a-f]{64}")
_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


class KeyRing(Protocol):
    """Each partner client's keys: shared HMAC keys and SM2 public keys; several of either
    may be active during a rotation. A client with neither is unknown."""

    def verification_keys(self, client_id: str) -> Sequence[bytes]:
        """Every active HMAC key of the client, newest first; empty if it has none."""
        ...

    def sm2_public_keys(self, client_id: str) -> Sequence[str]:
        """Every active SM2 public key of the client (``04‖x‖y`` hex), newest first."""
        ...


@dataclass
class StaticKeyRing:
    """In-memory key ring (configuration, tests). ``add`` makes a key the newest one."""

    _keys: dict[str, list[bytes]] = field(default_factory=dict, repr=False)
    _public: dict[str, list[str]] = field(default_factory=dict)

    def add(self, client_id: str, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("HMAC key must be at least 16 bytes")
        keys = self._keys.setdefault(client_id, [])
        if key in keys:
            keys.remove(key)
        keys.insert(0, key)

    def retire(self, client_id: str, key: bytes) -> None:
        keys = self._keys.get(client_id, [])
        if key in keys:
            keys.remove(key)

    def verification_keys(self, client_id: str) -> Sequence[bytes]:
        return tuple(self._keys.get(client_id, ()))

    def add_sm2(self, client_id: str, public_key: str) -> None:
        """Make an SM2 public key (either accepted form) the client's newest one."""
        normalised = sm2.normalise_public_key(public_key)
        keys = self._public.setdefault(client_id, [])
        if normalised in keys:
            keys.remove(normalised)
        keys.insert(0, normalised)

    def retire_sm2(self, client_id: str, public_key: str) -> None:
        keys = self._public.get(client_id, [])
        normalised = sm2.normalise_public_key(public_key)
        if normalised in keys:
            keys.remove(normalised)

    def sm2_public_keys(self, client_id: str) -> Sequence[str]:
        return tuple(self._public.get(client_id, ()))

    def signing_key(self, client_id: str) -> bytes:
        keys = self._keys.get(client_id)
        if not keys:
            raise KeyError(client_id)
        return keys[0]


class NonceStore(Protocol):
    """Remembers (client, nonce) pairs until they expire, to refuse replays."""

    def seen_or_remember(
        self, client_id: str, nonce: str, expires_at: datetime, *, now: datetime
    ) -> bool:
        """True if the pair is already known and unexpired at ``now``; else remember it."""
        ...


class InMemoryNonceStore:
    """Process-local nonce store; forgets nonces once ``now`` has passed their expiry."""

    def __init__(self) -> None:
        self._expiry: dict[tuple[str, str], datetime] = {}
        self._heap: list[tuple[datetime, str, str]] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._expiry)

    def seen_or_remember(
        self, client_id: str, nonce: str, expires_at: datetime, *, now: datetime
    ) -> bool:
        with self._lock:
            self._forget_expired(now)
            key = (client_id, nonce)
            if key in self._expiry:
                return True
            self._expiry[key] = expires_at
            heapq.heappush(self._heap, (expires_at, client_id, nonce))
            return False

    def _forget_expired(self, now: datetime) -> None:
        while self._heap and self._heap[0][0] < now:
            expires_at, client_id, nonce = heapq.heappop(self._heap)
            if self._expiry.get((client_id, nonce)) == expires_at:
                del self._expiry[(client_id, nonce)]


@dataclass(frozen=True)
class VerifiedCaller:
    """Who called, for what, and when — established by ``verify_request``."""

    client_id: str
    item: str
    purpose: str
    nonce: str
    timestamp: datetime
    algorithm: str = HMAC_SM3


def format_timestamp(at: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, second precision."""
    if at.tzinfo is None:
        raise ValueError("timestamp must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(value: str) -> datetime:
    if not _TIMESTAMP_RE.fullmatch(value):
        raise AuthenticationError(f"请求时间戳格式错误（应为 RFC 3339 UTC 时间）：{value!r}")
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except ValueError:
        raise AuthenticationError(f"请求时间戳不是有效时间：{value!r}") from None


def canonical_query(query: QueryParams) -> str:
    pairs: list[tuple[str, str]] = []
    for name, values in query.items():
        for value in [values] if isinstance(values, str) else values:
            pairs.append((quote(name, safe=_UNRESERVED), quote(value, safe=_UNRESERVED)))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def _lookup(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _require(lowered: Mapping[str, str], name: str) -> str:
    value = lowered.get(name.lower())
    if value is None or value == "":
        raise AuthenticationError(f"缺少请求头 {name}", field=name)
    if not value.isascii() or not value.isprintable():
        raise AuthenticationError(f"请求头 {name} 含有非法字符", field=name)
    return value


def canonical_request(
    method: str, path: str, query: QueryParams, headers: Mapping[str, str]
) -> bytes:
    """The exact bytes that are signed; ``headers`` must hold every signed header."""
    lowered = _lookup(headers)
    lines = [
        CANONICAL_VERSION,
        method.upper(),
        quote(path, safe="/" + _UNRESERVED),
        canonical_query(query),
    ]
    lines.extend(f"{name.lower()}:{_require(lowered, name)}" for name in SIGNED_HEADERS)
    return "\n".join(lines).encode("ascii")


def sign_request(
    method: str,
    path: str,
    query: QueryParams,
    body: bytes,
    *,
    client_id: str,
    key: bytes | SM2PrivateKey,
    item: str,
    purpose: str,
    now: datetime,
    nonce: str | None = None,
) -> dict[str, str]:
    """The ``X-RL-*`` headers to send with this request.

    ``key`` decides the algorithm: the HMAC-SM3 key shared with the partner (``bytes``), or
    our SM2 private key (``SM2-SM3``) for a partner that asks for SM2 signatures.
    """
    algorithm = SM2_SM3 if isinstance(key, SM2PrivateKey) else HMAC_SM3
    headers = {
        HEADER_ALG: algorithm,
        HEADER_CLIENT: client_id,
        HEADER_ITEM: quote(item, safe=_UNRESERVED),
        HEADER_PURPOSE: quote(purpose, safe=_UNRESERVED),
        HEADER_TIMESTAMP: format_timestamp(now),
        HEADER_NONCE: nonce if nonce is not None else secrets.token_hex(16),
        HEADER_BODY_DIGEST: digest_hex(body),
    }
    canonical = canonical_request(method, path, query, headers)
    if isinstance(key, SM2PrivateKey):
        headers[HEADER_SIGNATURE] = key.sign(canonical)
    else:
        headers[HEADER_SIGNATURE] = hmac_hex(key, canonical)
    return headers


def _check_timestamp(value: str, now: datetime, max_skew: timedelta) -> datetime:
    timestamp = parse_timestamp(value)
    if timestamp < now - max_skew:
        raise AuthenticationError(f"请求已过期：时间戳 {value} 超出允许偏差 {max_skew}")
    if timestamp > now + max_skew:
        raise AuthenticationError(f"请求时间戳超前：{value} 晚于当前时间超过 {max_skew}")
    return timestamp


def _check_signature(
    keys: Sequence[bytes], canonical: bytes, signature: str, client_id: str
) -> None:
    # Every key is tried, so timing does not reveal which one matched.
    matches = [constant_time_equal(hmac_hex(key, canonical), signature.lower()) for key in keys]
    if not any(matches):
        raise AuthenticationError(f"请求签名无效（客户端 {client_id}）")


def _check_sm2_signature(
    public_keys: Sequence[str], canonical: bytes, signature: str, client_id: str
) -> None:
    # Public keys are not secret: stopping at the first that verifies reveals nothing.
    if not any(sm2.verify(public_key, canonical, signature) for public_key in public_keys):
        raise AuthenticationError(f"SM2 签名无效（客户端 {client_id}）")


def _client_keys(
    keys: KeyRing, client_id: str, algorithm: str
) -> tuple[Sequence[bytes], Sequence[str]]:
    """The client's HMAC keys and SM2 public keys; refuses an unknown client, or a known
    one without keys for the algorithm it used."""
    shared, public = keys.verification_keys(client_id), keys.sm2_public_keys(client_id)
    if not shared and not public:
        raise AuthenticationError(f"未知的客户端：{client_id}")
    if algorithm == SM2_SM3 and not public:
        raise AuthenticationError(
            f"签名算法 {SM2_SM3} 需要登记该客户端的 SM2 公钥（客户端 {client_id} 未登记）"
        )
    if algorithm == HMAC_SM3 and not shared:
        raise AuthenticationError(
            f"签名算法 {HMAC_SM3} 需要登记该客户端的共享密钥（客户端 {client_id} 只登记了"
            f" SM2 公钥，请使用 {SM2_SM3}）"
        )
    return shared, public


def _decode(values: Mapping[str, str], name: str) -> str:
    try:
        return unquote(values[name], errors="strict")
    except UnicodeDecodeError:
        raise AuthenticationError(
            f"请求头 {name} 不是有效的 UTF-8 百分号编码", field=name
        ) from None


def verify_request(
    method: str,
    path: str,
    query: QueryParams,
    headers: Mapping[str, str],
    body: bytes,
    *,
    keys: KeyRing,
    nonces: NonceStore,
    now: datetime,
    max_skew: timedelta = DEFAULT_MAX_SKEW,
) -> VerifiedCaller:
    """Authenticate a request; raises ``AuthenticationError`` on the first failed check.

    The nonce is remembered only once the signature is good, so forged requests cannot
    burn a partner's nonces.
    """
    lowered = _lookup(headers)
    values = {name: _require(lowered, name) for name in REQUIRED_HEADERS}
    algorithm = values[HEADER_ALG]
    if algorithm not in ALGORITHMS:
        supported = "、".join(ALGORITHMS)
        raise AuthenticationError(f"不支持的签名算法：{algorithm}（仅支持 {supported}）")
    client_id = values[HEADER_CLIENT]
    shared, public = _client_keys(keys, client_id, algorithm)
    timestamp = _check_timestamp(values[HEADER_TIMESTAMP], now, max_skew)
    nonce = values[HEADER_NONCE]
    if not _NONCE_RE.fullmatch(nonce):
        raise AuthenticationError("请求随机数（nonce）格式错误：应为 16–128 位字母、数字、- 或 _")
    declared = values[HEADER_BODY_DIGEST].lower()
    if not _HEX64_RE.fullmatch(declared) or not constant_time_equal(digest_hex(body), declared):
        raise AuthenticationError("请求体摘要（SM3）与请求体不符")
    canonical = canonical_request(method, path, query, values)
    if algorithm == SM2_SM3:
        _check_sm2_signature(public, canonical, values[HEADER_SIGNATURE], client_id)
    else:
        _check_signature(shared, canonical, values[HEADER_SIGNATURE], client_id)
    if nonces.seen_or_remember(client_id, nonce, timestamp + max_skew, now=now):
        raise AuthenticationError(f"重复的请求（重放）：客户端 {client_id} 的随机数已使用过")
    return VerifiedCaller(
        client_id=client_id,
        item=_decode(values, HEADER_ITEM),
        purpose=_decode(values, HEADER_PURPOSE),
        nonce=nonce,
        timestamp=timestamp,
        algorithm=algorithm,
    )
