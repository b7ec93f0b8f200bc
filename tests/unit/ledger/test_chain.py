"""The hash chain: canonical form, sealing, and detection of edits, deletions and reordering."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from retirelink.clock import CHINA_TZ
from retirelink.ledger.chain import canonical_json, chain_hash, seal, verify_chain
from retirelink.ledger.model import GENESIS_HASH, LedgerEntry, LedgerHead
from tests.fakes import FAKE_NOW

CHAIN_LENGTH = 20


def build_chain(length: int = CHAIN_LENGTH, *, hash_alg: str = "sm3") -> list[LedgerEntry]:
    entries: list[LedgerEntry] = []
    prev_hash = GENESIS_HASH
    for seq in range(1, length + 1):
        entry = seal(
            LedgerEntry(
                seq=seq,
                recorded_at=FAKE_NOW + timedelta(minutes=seq),
                actor_id=seq % 3 + 1,
                actor_name=f"user{seq % 3}",
                actor_roles="clerk",
                department="SHEBAO",
                action="person.read",
                subject_type="person",
                subject_key=f"{seq:032x}",
                purpose="待遇核定",
                before_digest="",
                after_digest="",
                hash_alg=hash_alg,
                prev_hash=prev_hash,
                entry_hash="",
            )
        )
        entries.append(entry)
        prev_hash = entry.entry_hash
    return entries


def head_of(entries: list[LedgerEntry]) -> LedgerHead:
    return LedgerHead(entries[-1].seq, entries[-1].entry_hash)


def break_seq(entries: list[LedgerEntry], head: LedgerHead | None = None) -> int | None:
    _, broken = verify_chain(entries, head)
    return broken.seq if broken else None


def test_canonical_json_does_not_depend_on_key_order() -> None:
    one = {"b": 1, "a": {"y": [1, 2], "x": "张"}}
    other = {"a": {"x": "张", "y": [1, 2]}, "b": 1}
    assert canonical_json(one) == canonical_json(other)
    assert canonical_json(one) == '{"a":{"x":"张","y":[1,2]},"b":1}'.encode()


def test_canonical_json_writes_dates_as_iso_strings() -> None:
    assert canonical_json({"born": date(1965, 3, 12)}) == b'{"born":"1965-03-12"}'


def test_an_untouched_chain_verifies_and_every_entry_is_counted() -> None:
    entries = build_chain()
    assert verify_chain(entries, head_of(entries)) == (CHAIN_LENGTH, None)


def test_an_empty_chain_verifies() -> None:
    assert verify_chain([]) == (0, None)


def test_sealing_links_each_entry_to_the_previous_hash() -> None:
    entries = build_chain(3)
    assert entries[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]


@pytest.mark.parametrize("k", [1, 7, CHAIN_LENGTH])
@pytest.mark.parametrize(
    "change",
    [
        {"purpose": "无正当理由"},
        {"actor_name": "someone-else"},
        {"subject_key": "f" * 32},
        {"recorded_at": FAKE_NOW - timedelta(days=1)},
        {"before_digest": "0" * 64},
    ],
    ids=lambda change: next(iter(change)),
)
def test_editing_any_field_of_an_entry_breaks_the_chain_at_that_entry(
    k: int, change: dict[str, object]
) -> None:
    entries = build_chain()
    entries[k - 1] = replace(entries[k - 1], **change)  # type: ignore[arg-type]
    count, broken = verify_chain(entries, head_of(build_chain()))
    assert broken is not None
    assert (count, broken.seq) == (k - 1, k)
    assert "篡改" in broken.reason


def test_an_edited_and_resealed_entry_breaks_the_chain_at_the_next_entry() -> None:
    entries = build_chain()
    entries[6] = seal(replace(entries[6], purpose="无正当理由"))
    assert break_seq(entries) == 8


def test_a_renumbered_and_resealed_entry_breaks_the_chain_at_that_entry() -> None:
    entries = build_chain()
    entries[6] = seal(replace(entries[6], seq=70))
    count, broken = verify_chain(entries)
    assert broken is not None
    assert (count, broken.seq) == (6, 7)
    assert "序号" in broken.reason


@pytest.mark.parametrize("k", [1, 2, 10, CHAIN_LENGTH - 1])
def test_deleting_an_entry_breaks_the_chain_at_its_position(k: int) -> None:
    entries = build_chain()
    del entries[k - 1]
    assert break_seq(entries) == k


@pytest.mark.parametrize(("i", "j"), [(1, 2), (5, 12), (19, 20)])
def test_swapping_two_entries_breaks_the_chain_at_the_first_swapped_position(
    i: int, j: int
) -> None:
    entries = build_chain()
    entries[i - 1], entries[j - 1] = entries[j - 1], entries[i - 1]
    assert break_seq(entries) == i


def test_a_deleted_tail_goes_unnoticed_without_the_head() -> None:
    assert verify_chain(build_chain()[:-3]) == (CHAIN_LENGTH - 3, None)


def test_a_deleted_tail_is_caught_when_the_stored_head_is_passed() -> None:
    entries = build_chain()
    count, broken = verify_chain(entries[:-3], head_of(entries))
    assert count == CHAIN_LENGTH - 3
    assert broken is not None
    assert broken.seq == CHAIN_LENGTH - 2
    assert str(CHAIN_LENGTH) in broken.reason


def test_a_head_that_does_not_match_the_last_hash_is_caught() -> None:
    entries = build_chain()
    assert break_seq(entries, LedgerHead(CHAIN_LENGTH, "0" * 64)) == CHAIN_LENGTH + 1


def test_the_same_instant_in_beijing_time_hashes_like_utc() -> None:
    entry = build_chain(1)[0]
    in_beijing = replace(entry, recorded_at=entry.recorded_at.astimezone(CHINA_TZ))
    assert in_beijing.recorded_at.utcoffset() == timedelta(hours=8)
    assert chain_hash(in_beijing) == entry.entry_hash
    assert verify_chain([in_beijing]) == (1, None)


def test_sha256_entries_verify_and_hash_differently_from_sm3() -> None:
    sha_chain = build_chain(hash_alg="sha256")
    assert verify_chain(sha_chain, head_of(sha_chain)) == (CHAIN_LENGTH, None)
    assert sha_chain[0].entry_hash != build_chain(1)[0].entry_hash


def test_switching_an_entrys_hash_algorithm_is_detected() -> None:
    entries = build_chain()
    entries[3] = replace(entries[3], hash_alg="sha256")
    assert break_seq(entries) == 4
