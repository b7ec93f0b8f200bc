"""SM2 digital signatures (GB/T 32918.2) with SM3 and the default user ID (GB/T 35276).

The only module that touches ``gmssl`` (pure Python: a signature takes a few milliseconds,
a verification about twice that). Everything here is text in, text out:

* a **private key** is 64 hex characters (the scalar ``d``, 1 ≤ d ≤ n − 2), held in an
  :class:`SM2PrivateKey`, which never shows it in ``repr`` or ``str``;
* a **public key** is accepted as 130 hex characters (``04‖x‖y``, uncompressed) or 128
  (``x‖y``), in either case, and normalised to lower-case ``04‖x‖y``; a point that is not on
  the curve is refused;
* a **signature** is ``r‖s``, 128 lower-case hex characters (no DER).

The signed message is hashed as GB/T 32918.2 says: ``e = SM3(Z ‖ M)`` with
``Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA)`` and ``ID = "1234567812345678"``, so
signatures interoperate with other SM2 implementations (OpenSSL ``sm2`` with that
``distid``, GmSSL, Bouncy Castle). The random ``k`` of each signature comes from
:mod:`secrets`; gmssl's own generator (``random.choice``) is never used.

gmssl 3.2.2 strips a leading ``0``/``4`` run from public keys it is given (``lstrip("04")``),
and checks neither the signature's range nor the key's curve; all of that is done here.
"""

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from gmssl import sm2 as _gmssl_sm2  # type: ignore[import-untyped]

from retirelink.errors import InvalidInputError

ALGORITHM = "SM2-SM3"
DEFAULT_USER_ID = "1234567812345678"

_CURVE = _gmssl_sm2.default_ecc_table
_P = int(_CURVE["p"], 16)
_A = int(_CURVE["a"], 16)
_B = int(_CURVE["b"], 16)
_N = int(_CURVE["n"], 16)
_HEX = re.compile(r"[0-9a-fA-F]+")
_SIGNATURE = re.compile(r"[0-9a-f]{128}")


def _crypt(private_hex: str, point_hex: str) -> Any:
    """A gmssl signer/verifier for one key. The point (``x‖y``, 128 hex) is set after
    construction: the constructor would strip a leading ``04`` that belongs to ``x``."""
    crypt = _gmssl_sm2.CryptSM2(private_key=private_hex, public_key="")
    crypt.public_key = point_hex
    return crypt


def _on_curve(x: int, y: int) -> bool:
    return x < _P and y < _P and (y * y - (x * x * x + _A * x + _B)) % _P == 0


def normalise_public_key(text: str) -> str:
    """A public key as lower-case uncompressed ``04‖x‖y`` (130 hex characters).

    >>> normalise_public_key("04" + "AB" * 64)
    Traceback (most recent call last):
    ...
    retirelink.errors.InvalidInputError: SM2 公钥不是曲线上的点
    """
    value = text.strip()
    if not _HEX.fullmatch(value) or len(value) not in (128, 130):
        raise InvalidInputError(
            "SM2 公钥格式错误：应为 130 位十六进制（04‖x‖y，未压缩）或 128 位（x‖y）"
        )
    if len(value) == 130:
        if value[:2] != "04":
            raise InvalidInputError("SM2 公钥格式错误：130 位的公钥应以 04 开头（未压缩点）")
        value = value[2:]
    x, y = int(value[:64], 16), int(value[64:], 16)
    if not _on_curve(x, y):
        raise InvalidInputError("SM2 公钥不是曲线上的点")
    return "04" + value.lower()


@dataclass(frozen=True)
class SM2PrivateKey:
    """Our SM2 private key and the public key that goes with it.

    ``repr``/``str`` show the public key only; the private scalar stays in ``hex``.
    """

    hex: str = field(repr=False)
    public_key: str = field(init=False)

    def __post_init__(self) -> None:
        value = self.hex.strip()
        if not _HEX.fullmatch(value) or len(value) != 64:
            raise InvalidInputError("SM2 私钥格式错误：应为 64 位十六进制")
        if not 1 <= int(value, 16) <= _N - 2:
            raise InvalidInputError("SM2 私钥超出范围（应在 1 到 n−2 之间）")
        object.__setattr__(self, "hex", value.lower())
        point = _crypt(self.hex, "")._kg(int(self.hex, 16), _CURVE["g"])
        object.__setattr__(self, "public_key", "04" + point)

    def __str__(self) -> str:
        return repr(self)

    def sign(self, message: bytes) -> str:
        """The SM2 signature ``r‖s`` (128 lower-case hex) of ``message`` (hashed with Z)."""
        crypt = _crypt(self.hex, self.public_key[2:])
        while True:  # gmssl gives None for the rare k that yields r = 0, r + k = n or s = 0
            k = secrets.randbelow(_N - 1) + 1
            signature = crypt.sign_with_sm3(message, f"{k:064x}")
            if signature is not None:
                return str(signature)


@dataclass(frozen=True)
class SM2KeyPair:
    """A freshly generated key pair (``retirelink partners keygen --sm2``)."""

    private_key: SM2PrivateKey

    @property
    def public_key(self) -> str:
        return self.private_key.public_key


def generate_keypair() -> SM2KeyPair:
    """A new key pair with ``d`` drawn uniformly from [1, n − 2] by :mod:`secrets`."""
    return SM2KeyPair(SM2PrivateKey(f"{secrets.randbelow(_N - 2) + 1:064x}"))


def verify(public_key: str, message: bytes, signature: str) -> bool:
    """True when ``signature`` (``r‖s`` hex) is a valid SM2 signature of ``message`` by the
    holder of ``public_key`` (any form :func:`normalise_public_key` accepts). A malformed
    signature is simply not valid; a malformed key raises :class:`InvalidInputError`."""
    point = normalise_public_key(public_key)[2:]
    value = signature.strip().lower()
    if not _SIGNATURE.fullmatch(value):
        return False
    r, s = int(value[:64], 16), int(value[64:], 16)
    if not (1 <= r < _N and 1 <= s < _N):  # GB/T 32918.2 §7.1 B1, B2
        return False
    return bool(_crypt("", point).verify_with_sm3(value, message))
