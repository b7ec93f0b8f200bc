"""Password hashing with argon2id (RFC 9106 recommended parameters via argon2-cffi defaults)."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from retirelink.errors import InvalidInputError

MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(f"密码至少{MIN_PASSWORD_LENGTH}位", field="password")
    kinds = [
        any(c.isdigit() for c in password),
        any(c.isalpha() for c in password),
        any(not c.isalnum() for c in password),
    ]
    if sum(kinds) < 2:
        raise InvalidInputError("密码须包含字母、数字、符号中的至少两类", field="password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_verify(password: str) -> None:
    """Take as long as a real check, so timing does not reveal which usernames exist."""
    verify_password(_dummy_hash(), password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not-a-real-password")
