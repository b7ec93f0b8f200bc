"""National (GM/T) hash primitives on top of ``cryptography`` (OpenSSL): SM3 and HMAC-SM3.

``hashlib.new("sm3")`` depends on how Python was built, so we never rely on it.
"""

import hmac as _stdlib_hmac
from typing import Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

HashAlgorithm = Literal["sm3", "sha256"]


def _algorithm(name: HashAlgorithm) -> hashes.HashAlgorithm:
    return hashes.SM3() if name == "sm3" else hashes.SHA256()


def digest_hex(data: bytes, algorithm: HashAlgorithm = "sm3") -> str:
    """Hex digest of ``data``; SM3 per GB/T 32905-2016 by default.

    >>> digest_hex(b"abc")[:16]  # GB/T 32905-2016 appendix A example 1
    '66c7f0f462eeedd9'
    """
    h = hashes.Hash(_algorithm(algorithm))
    h.update(data)
    return h.finalize().hex()


def hmac_hex(key: bytes, data: bytes, algorithm: HashAlgorithm = "sm3") -> str:
    mac = crypto_hmac.HMAC(key, _algorithm(algorithm))
    mac.update(data)
    return mac.finalize().hex()


def constant_time_equal(a: str, b: str) -> bool:
    return _stdlib_hmac.compare_digest(a.encode(), b.encode())


class Pseudonymizer:
    """Keyed pseudonyms for ledger subjects, so the audit trail holds no raw ID numbers.

    The same subject always maps to the same key (so an auditor can follow one person),
    but the key cannot be reversed without the platform secret.
    """

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def subject_key(self, subject_type: str, natural_id: str) -> str:
        return hmac_hex(self._secret, f"{subject_type}:{natural_id}".encode())[:32]


class DualDigest:
    """SHA-256 and SM3 of the same bytes in one pass (files are read once, however large)."""

    def __init__(self) -> None:
        self._sha256 = hashes.Hash(hashes.SHA256())
        self._sm3 = hashes.Hash(hashes.SM3())

    def update(self, data: bytes) -> None:
        self._sha256.update(data)
        self._sm3.update(data)

    def hexdigests(self) -> tuple[str, str]:
        """``(sha256, sm3)`` as lower-case hex; the object cannot be updated afterwards."""
        return self._sha256.finalize().hex(), self._sm3.finalize().hex()


def derive_key(secret: bytes, purpose: str) -> bytes:
    """A key for one purpose derived from the platform secret (HMAC-SM3), so that a key
    shown to or used by one part of the system reveals nothing about the others."""
    return bytes.fromhex(hmac_hex(secret, f"retirelink-key:{purpose}".encode()))
