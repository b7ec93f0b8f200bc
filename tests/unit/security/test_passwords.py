"""Password strength rules and argon2id hashing."""

import pytest

from retirelink.errors import InvalidInputError
from retirelink.security.passwords import (
    check_password_strength,
    hash_password,
    verify_password,
)
from tests.support.builders import TEST_PASSWORD


@pytest.fixture(scope="module")
def stored_hash() -> str:
    return hash_password(TEST_PASSWORD)


@pytest.mark.parametrize(
    "password",
    ["Ab1!", "Abcdef1!x", "abcdefghijkl", "12345678901", "!@#$%^&*()_+", "密码密码密码密码密码"],
    ids=["short", "nine-chars", "letters-only", "digits-only", "symbols-only", "hanzi-only"],
)
def test_a_short_or_single_class_password_is_refused(password: str) -> None:
    with pytest.raises(InvalidInputError) as excinfo:
        check_password_strength(password)
    assert excinfo.value.field == "password"


@pytest.mark.parametrize("password", [TEST_PASSWORD, "abcdefghi1", "1234567890!"])
def test_ten_characters_of_two_classes_are_strong_enough(password: str) -> None:
    check_password_strength(password)


def test_the_hash_is_argon2id_and_not_the_password(stored_hash: str) -> None:
    assert stored_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in stored_hash


def test_the_right_password_verifies_against_its_hash(stored_hash: str) -> None:
    assert verify_password(stored_hash, TEST_PASSWORD)


def test_a_wrong_password_does_not_verify(stored_hash: str) -> None:
    assert not verify_password(stored_hash, TEST_PASSWORD + "x")


@pytest.mark.parametrize("garbage", ["", "not-a-hash", "$argon2id$v=19$broken"])
def test_a_garbage_hash_verifies_nothing(garbage: str) -> None:
    assert not verify_password(garbage, TEST_PASSWORD)
