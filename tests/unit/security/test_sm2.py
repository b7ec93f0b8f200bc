"""SM2 signatures (GB/T 32918.2, SM3, default user ID per GB/T 35276) behind security.sm2.

The known answers were cross-checked with OpenSSL 3.0.19 (``openssl pkeyutl -sign/-verify
-rawin -digest sm3 -pkeyopt distid:1234567812345678``) on a key OpenSSL generated:
OpenSSL's signature verifies here, and the signature made here with a fixed ``k`` verified
in OpenSSL. The key's x-coordinate starts with ``4``, which gmssl itself mangles.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retirelink.errors import InvalidInputError
from retirelink.security.sm2 import SM2PrivateKey, generate_keypair, normalise_public_key, verify

KAT_PRIVATE = "75c4090a9394d5c7083663de6787bb78fed986392c85c5cf52e012a776f66ade"
KAT_PUBLIC = (
    "044dff0f7a3532c5dc5a8ca3b5f4b485de3e13b1c627552884ee1903b658f673e3"
    "7f25416fab2c7a54da6705d607cc849524162022491921e6dec8fa713a4bdcea"
)
KAT_MESSAGE = b"RL-SIGN-1\nPOST\n/api/v1/partner/notices"
# Made by OpenSSL (DER, here as r||s).
OPENSSL_SIGNATURE = (
    "1a2b02b4dad2d0e11f6db6e681eb3e65b95137879a43f67003be3a7157da1aba"
    "97422ae681aa27b2ea7d20964ce5a84ff2014681f4880dc4c0e4bae8b594abc5"
)
# Made here with k = 0123456789abcdef × 4; verified by OpenSSL.
FIXED_K = int("0123456789abcdef" * 4, 16)
FIXED_K_SIGNATURE = (
    "2cfe7aeadb00460a3ef091eecd7325d55d73c708fa8ed6a029680de28106fea4"
    "4aa19102e1a4a63fb18c7f7807dfd27549415b6cb39695426635616330387aad"
)
N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)

KEY = SM2PrivateKey(KAT_PRIVATE)
OTHER = generate_keypair()


def test_the_public_key_derived_from_the_private_key_is_the_one_openssl_derived() -> None:
    assert KEY.public_key == KAT_PUBLIC


def test_a_signature_made_by_openssl_verifies() -> None:
    assert verify(KAT_PUBLIC, KAT_MESSAGE, OPENSSL_SIGNATURE)


def test_signing_with_a_fixed_k_gives_the_signature_openssl_accepted(monkeypatch) -> None:
    monkeypatch.setattr("retirelink.security.sm2.secrets.randbelow", lambda _bound: FIXED_K - 1)

    assert KEY.sign(KAT_MESSAGE) == FIXED_K_SIGNATURE


def test_a_signature_verifies_with_the_signers_public_key() -> None:
    signature = KEY.sign(b"message")

    assert len(signature) == 128 and signature == signature.lower()
    assert verify(KEY.public_key, b"message", signature)


def test_a_key_whose_x_starts_with_04_round_trips() -> None:
    # gmssl strips "04" runs off the front of the public keys it is given.
    key = SM2PrivateKey(f"{11:064x}")
    assert key.public_key.startswith("0404b3cb")

    assert verify(key.public_key, b"message", key.sign(b"message"))
    assert verify(key.public_key[2:], b"message", key.sign(b"message"))


def test_each_signature_uses_a_fresh_k() -> None:
    assert KEY.sign(b"message") != KEY.sign(b"message")


def test_a_tampered_message_does_not_verify() -> None:
    signature = KEY.sign(KAT_MESSAGE)

    assert not verify(KEY.public_key, KAT_MESSAGE + b"\n", signature)
    assert not verify(KEY.public_key, KAT_MESSAGE.replace(b"POST", b"post"), signature)


def test_a_signature_by_another_key_does_not_verify() -> None:
    assert not verify(KEY.public_key, b"message", OTHER.private_key.sign(b"message"))
    assert not verify(OTHER.public_key, KAT_MESSAGE, OPENSSL_SIGNATURE)


def test_a_tampered_signature_does_not_verify() -> None:
    flipped = OPENSSL_SIGNATURE[:-1] + ("4" if OPENSSL_SIGNATURE[-1] != "4" else "5")

    assert not verify(KAT_PUBLIC, KAT_MESSAGE, flipped)


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "zz" * 64,
        OPENSSL_SIGNATURE[:126],
        OPENSSL_SIGNATURE + "00",
        "0" * 64 + OPENSSL_SIGNATURE[64:],  # r = 0
        OPENSSL_SIGNATURE[:64] + "0" * 64,  # s = 0
        f"{int(OPENSSL_SIGNATURE[:64], 16) + N:064x}" + OPENSSL_SIGNATURE[64:],  # r + n
        OPENSSL_SIGNATURE[:64] + f"{N:064x}",  # s = n
    ],
)
def test_a_malformed_or_out_of_range_signature_is_simply_invalid(signature) -> None:
    assert not verify(KAT_PUBLIC, KAT_MESSAGE, signature)


def test_an_upper_case_signature_is_the_same_signature() -> None:
    assert verify(KAT_PUBLIC, KAT_MESSAGE, OPENSSL_SIGNATURE.upper())


def test_public_keys_are_accepted_with_or_without_04_in_either_case() -> None:
    bare = KAT_PUBLIC[2:]

    assert normalise_public_key(bare) == KAT_PUBLIC
    assert normalise_public_key(KAT_PUBLIC.upper()) == KAT_PUBLIC
    assert normalise_public_key(f"  {bare.upper()}\n") == KAT_PUBLIC
    assert verify(bare, KAT_MESSAGE, OPENSSL_SIGNATURE)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("04" + "ab" * 32, "130 位十六进制"),
        ("05" + KAT_PUBLIC[2:], "以 04 开头"),
        ("02" + KAT_PUBLIC[2:66], "130 位十六进制"),  # compressed: not accepted
        (KAT_PUBLIC[:-2] + "xy", "130 位十六进制"),
        (KAT_PUBLIC[:-1] + ("0" if KAT_PUBLIC[-1] != "0" else "1"), "不是曲线上的点"),
    ],
)
def test_a_public_key_that_is_not_a_point_on_the_curve_is_refused(text, message) -> None:
    with pytest.raises(InvalidInputError, match=message):
        normalise_public_key(text)


@pytest.mark.parametrize("text", ["", "12" * 31, "g" * 64, "0" * 64, f"{N - 1:064x}", "f" * 64])
def test_a_private_key_out_of_range_or_not_hex_is_refused(text) -> None:
    with pytest.raises(InvalidInputError, match="SM2 私钥"):
        SM2PrivateKey(text)


def test_the_private_key_never_shows_in_repr_or_str() -> None:
    shown = repr(KEY) + str(KEY) + repr(OTHER) + f"{KEY}"

    assert KAT_PRIVATE not in shown
    assert OTHER.private_key.hex not in shown
    assert KAT_PUBLIC in repr(KEY)


def test_generated_key_pairs_differ_and_their_public_keys_are_on_the_curve() -> None:
    first, second = generate_keypair(), generate_keypair()

    assert first.private_key.hex != second.private_key.hex
    assert normalise_public_key(first.public_key) == first.public_key
    assert first.public_key.startswith("04") and len(first.public_key) == 130


@settings(max_examples=15, deadline=None)
@given(message=st.binary(max_size=200), other=st.binary(max_size=200))
def test_a_signature_verifies_its_own_message_and_no_other(message, other) -> None:
    signature = KEY.sign(message)

    assert verify(KEY.public_key, message, signature)
    assert verify(KEY.public_key, other, signature) == (other == message)
