"""The batch digest both sides recompute to reconcile a pull (RL-BATCH-1)."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from retirelink.exchange.digests import batch_digest, canonical_batch
from retirelink.exchange.model import SourceRecord
from retirelink.security.crypto import digest_hex

ZHANG = SourceRecord({"xm": "张三", "gmsfhm": "130406195305120018", "swrq": "20261130"}, "41")
LI = SourceRecord({"xm": "李𠮷", "gmsfhm": "13040619500101011X", "bz": '注"销"\n'}, "42")

# The known vector. The canonical bytes are written out by hand from the definition in
# digests.py, and the digest was computed once, independently of our code, with OpenSSL:
#   printf '%s' "$CANONICAL" | openssl dgst -sm3
# A partner implementing RL-BATCH-1 can check itself against these two values.
KNOWN_CANONICAL = (
    '{"records":['
    '{"fields":{"gmsfhm":"130406195305120018","swrq":"20261130","xm":"张三"},"position":"41"},'
    '{"fields":{"bz":"注\\"销\\"\\n","gmsfhm":"13040619500101011X","xm":"李𠮷"},"position":"42"}'
    '],"version":"RL-BATCH-1"}'
).encode()
KNOWN_DIGEST = "f1e56678b692b81be3d7607415b7ac328d794c8ccb84434e807dee99ada462c0"
# SM3 of '{"records":[],"version":"RL-BATCH-1"}', also from `openssl dgst -sm3`.
EMPTY_DIGEST = "dc5bf8fee7fb7ffc4a82389b920096ecdc07dc345a5f7105f366aab66158458d"


def test_the_known_vector_matches_byte_for_byte():
    assert canonical_batch([ZHANG, LI]) == KNOWN_CANONICAL
    assert batch_digest([ZHANG, LI]) == KNOWN_DIGEST


def test_an_empty_batch_has_its_own_digest_not_that_of_no_bytes():
    assert batch_digest([]) == EMPTY_DIGEST
    assert batch_digest([]) != digest_hex(b"")


def test_the_order_of_records_matters():
    assert batch_digest([ZHANG, LI]) != batch_digest([LI, ZHANG])


def test_the_order_fields_were_delivered_in_does_not_matter():
    shuffled = SourceRecord(
        {"swrq": "20261130", "gmsfhm": "130406195305120018", "xm": "张三"}, "41"
    )

    assert batch_digest([shuffled, LI]) == batch_digest([ZHANG, LI])


def test_the_position_is_part_of_the_digest():
    moved = SourceRecord(dict(ZHANG.fields), "40")

    assert batch_digest([moved]) != batch_digest([ZHANG])


def test_a_missing_field_differs_from_an_empty_one():
    assert batch_digest([SourceRecord({"xm": ""}, "1")]) != batch_digest([SourceRecord({}, "1")])


def test_text_is_digested_as_sent_without_unicode_normalisation():
    composed = unicodedata.normalize("NFC", "é")
    decomposed = unicodedata.normalize("NFD", "é")

    assert batch_digest([SourceRecord({"xm": composed}, "1")]) != batch_digest(
        [SourceRecord({"xm": decomposed}, "1")]
    )


def test_non_ascii_text_is_written_as_utf8_and_control_characters_escaped():
    canonical = canonical_batch([SourceRecord({"xm": "𠮷\t"}, "1")])

    assert "𠮷".encode() in canonical
    assert b"\\t" in canonical
    assert b"\t" not in canonical


@given(
    records=st.lists(
        st.builds(
            SourceRecord,
            fields=st.dictionaries(st.text(max_size=6), st.text(max_size=12), max_size=5),
            position=st.integers(min_value=0).map(str),
        ),
        max_size=8,
    )
)
def test_the_digest_depends_only_on_the_records_content(records):
    rebuilt = [SourceRecord(dict(reversed(r.fields.items())), r.position) for r in records]

    assert batch_digest(rebuilt) == batch_digest(records)
    assert len(batch_digest(records)) == 64
