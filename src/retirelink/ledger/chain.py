"""Pure hash-chain functions: canonical form, entry hash and chain verification.

Each entry's hash covers its own fields and the previous entry's hash, so editing,
deleting or reordering any entry breaks every hash after it (RFC 6962-style logs do
the same with Merkle trees; a linear chain is enough until signed checkpoints arrive).
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC
from typing import Any

from retirelink.ledger.model import GENESIS_HASH, ChainBreak, LedgerEntry, LedgerHead
from retirelink.security.crypto import HashAlgorithm, digest_hex


def canonical_json(value: Mapping[str, Any]) -> bytes:
    """Deterministic JSON: sorted keys, no spaces, UTF-8, non-ASCII kept.

    >>> canonical_json({"b": 1, "a": "张"})
    b'{"a":"\\xe5\\xbc\\xa0","b":1}'
    """
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode("utf-8")


def state_digest(state: Mapping[str, Any] | None, algorithm: HashAlgorithm) -> str:
    """Digest of a before/after state; the empty string stands for "no state"."""
    return "" if state is None else digest_hex(canonical_json(state), algorithm)


def chain_hash(entry: LedgerEntry) -> str:
    """The hash an entry must carry: H(canonical fields without entry_hash), prev_hash included."""
    # vars(), not dataclasses.asdict: every field is a scalar, and asdict's deep copy was
    # two thirds of the cost of verifying a million entries (docs/performance.md).
    fields = dict(vars(entry))
    del fields["entry_hash"]
    # Normalised to UTC so the hash survives a round trip through any database time zone.
    fields["recorded_at"] = entry.recorded_at.astimezone(UTC).isoformat(timespec="microseconds")
    algorithm: HashAlgorithm = "sha256" if entry.hash_alg == "sha256" else "sm3"
    return digest_hex(canonical_json(fields), algorithm)


def seal(entry: LedgerEntry) -> LedgerEntry:
    """Return the entry with its entry_hash filled in."""
    return replace(entry, entry_hash=chain_hash(entry))


def verify_chain(
    entries: Iterable[LedgerEntry], head: LedgerHead | None = None
) -> tuple[int, ChainBreak | None]:
    """Walk entries in stored order; return (count checked, first break or None).

    ``head`` is the separately stored last (seq, hash); it catches a deleted tail.
    """
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    for entry in entries:
        problem = _entry_problem(entry, expected_seq, prev_hash)
        if problem:
            return count, ChainBreak(expected_seq, problem)
        expected_seq, prev_hash, count = entry.seq + 1, entry.entry_hash, count + 1
    if head is not None and (head.seq != expected_seq - 1 or head.entry_hash != prev_hash):
        return count, ChainBreak(expected_seq, f"链尾缺失：记录的最新序号为{head.seq}")
    return count, None


def _entry_problem(entry: LedgerEntry, expected_seq: int, prev_hash: str) -> str | None:
    if entry.seq != expected_seq:
        return f"序号不连续：应为{expected_seq}，实际为{entry.seq}（条目被删除或调换）"
    if entry.prev_hash != prev_hash:
        return "前序哈希不符（条目被删除、插入或调换顺序）"
    if chain_hash(entry) != entry.entry_hash:
        return "条目哈希不符（内容被篡改）"
    return None
