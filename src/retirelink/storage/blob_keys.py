"""What both blob store adapters share: key checks, the fan-out layout and content checks.

A key is the SHA-256 of the blob's bytes in 64 lower-case hex characters; nothing else is
accepted, so a key can never name a path outside the store (``../``, ``/``, ``\\``). Blobs
live under two levels of fan-out, ``ab/cd/abcd…``, so no directory (or listing page) holds
more than a few thousand entries even at tens of millions of pages.
"""

import hashlib
import re
from pathlib import Path

_KEY = re.compile(r"[0-9a-f]{64}")
# Reads of 1 MiB: large enough that hashing, not system calls, sets the pace.
CHUNK_SIZE = 1024 * 1024


def check_key(key: str) -> str:
    """``key`` itself when it is a SHA-256 hex digest; ``ValueError`` otherwise.

    >>> check_key("ab" * 32) == "ab" * 32
    True
    >>> check_key("../../etc/passwd")
    Traceback (most recent call last):
    ValueError: 对象键必须是 64 位小写十六进制的 SHA-256 摘要：'../../etc/passwd'
    """
    if not isinstance(key, str) or _KEY.fullmatch(key) is None:
        shown = repr(key) if len(repr(key)) <= 80 else repr(key)[:77] + "..."
        raise ValueError(f"对象键必须是 64 位小写十六进制的 SHA-256 摘要：{shown}")
    return key


def is_key(name: str) -> bool:
    return _KEY.fullmatch(name) is not None


def fan_out(key: str) -> str:
    """The key's place in the store, relative to its root or prefix.

    >>> fan_out("abcd" + "0" * 60)
    'ab/cd/abcd000000000000000000000000000000000000000000000000000000000000'
    """
    return f"{key[0:2]}/{key[2:4]}/{key}"


def check_content(key: str, sha256_hex: str) -> None:
    """``ValueError`` unless the bytes about to be stored hash to their key: a store whose
    keys lie would defeat the fixity check, so nothing is stored under a wrong key."""
    if sha256_hex != key:
        raise ValueError(f"内容的 SHA-256 摘要为 {sha256_hex}，与对象键 {key} 不符，未存储")


def file_digests(path: Path, *, md5: bool = False) -> tuple[str, bytes | None]:
    """SHA-256 hex of a file (and its raw MD5 when asked), read in 1 MiB chunks."""
    sha256 = hashlib.sha256()
    md5_hash = hashlib.md5(usedforsecurity=False) if md5 else None
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as source:
        while count := source.readinto(buffer):
            sha256.update(view[:count])
            if md5_hash is not None:
                md5_hash.update(view[:count])
    return sha256.hexdigest(), md5_hash.digest() if md5_hash is not None else None
