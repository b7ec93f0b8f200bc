"""SM3 / HMAC-SM3 primitives and the ledger's subject pseudonyms."""

import pytest

from retirelink.security.crypto import (
    Pseudonymizer,
    constant_time_equal,
    digest_hex,
    hmac_hex,
)

ID_NUMBER = "13040619650312123X"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (  # GB/T 32905-2016 appendix A, example 1
            b"abc",
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
        ),
        (  # GB/T 32905-2016 appendix A, example 2 (one full 512-bit block)
            b"abcd" * 16,
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732",
        ),
    ],
    ids=["abc", "abcd*16"],
)
def test_sm3_matches_the_national_standard_examples(message: bytes, expected: str) -> None:
    assert digest_hex(message) == expected


def test_sha256_is_available_as_the_alternative_algorithm() -> None:
    assert (
        digest_hex(b"abc", "sha256")
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_hmac_sm3_depends_on_the_key() -> None:
    assert hmac_hex(b"key-1", b"data") != hmac_hex(b"key-2", b"data")


def test_hmac_sm3_is_deterministic_and_not_a_plain_digest() -> None:
    mac = hmac_hex(b"key", b"data")
    assert mac == hmac_hex(b"key", b"data")
    assert len(mac) == 64
    assert mac != digest_hex(b"data")
    assert mac != hmac_hex(b"key", b"data", "sha256")


def test_constant_time_equal_compares_strings() -> None:
    assert constant_time_equal("abc", "abc")
    assert not constant_time_equal("abc", "abd")


def test_a_pseudonym_is_stable_for_the_same_subject() -> None:
    assert Pseudonymizer(b"s").subject_key("person", ID_NUMBER) == Pseudonymizer(b"s").subject_key(
        "person", ID_NUMBER
    )


def test_a_pseudonym_hides_the_natural_id() -> None:
    key = Pseudonymizer(b"s").subject_key("person", ID_NUMBER)
    assert len(key) == 32
    assert ID_NUMBER not in key
    assert ID_NUMBER[:6] not in key


def test_pseudonyms_of_different_subject_types_differ() -> None:
    pseudonymizer = Pseudonymizer(b"s")
    assert pseudonymizer.subject_key("person", ID_NUMBER) != pseudonymizer.subject_key(
        "query", ID_NUMBER
    )


def test_pseudonyms_under_different_secrets_differ() -> None:
    assert Pseudonymizer(b"s1").subject_key("person", ID_NUMBER) != Pseudonymizer(
        b"s2"
    ).subject_key("person", ID_NUMBER)
