"""Search text rules: normalisation, query terms, snippets and the score (no database)."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retirelink.errors import InvalidInputError
from retirelink.storage.search_text import (
    ELLIPSIS,
    SNIPPET_CHARS,
    catalogue_weight,
    highlight,
    like_pattern,
    normalise,
    parse_query,
    short_term_phrase,
    snippet,
    spaced,
    text_score,
)

CJK = st.text(alphabet="井下采煤工年月日 \n　ＡａＢ1２", min_size=0, max_size=200)


def test_normalise_folds_width_case_and_drops_whitespace_and_controls():
    assert normalise("招工\n登记表\t(１９７８)\x00 ABC") == "招工登记表(1978)abc"


def test_query_terms_are_normalised_distinct_and_keep_the_typed_form():
    parsed = parse_query(" 招工登记表　ＦＦ-1958  招工登记表 ")

    assert parsed.terms == ("招工登记表", "ff-1958")
    assert parsed.catalogue_forms == (("招工登记表",), ("ff-1958", "FF-1958", "ＦＦ-1958"))
    assert parsed.short_terms == () and parsed.long_terms == parsed.terms


@pytest.mark.parametrize("query", ["", "   ", "\u3000", "\x00"])
def test_an_empty_query_is_refused(query):
    with pytest.raises(InvalidInputError, match="请输入检索词"):
        parse_query(query)


def test_spaced_text_turns_short_terms_into_single_trigrams():
    assert spaced("井下采") == " 井 下 采 "
    assert short_term_phrase("煤") == " 煤 "
    assert short_term_phrase("井下") == "井 下"
    assert short_term_phrase("井下") in spaced("井下采")
    assert short_term_phrase("下井") not in spaced("井下采")


def test_like_pattern_escapes_wildcards():
    assert like_pattern("50%_\\") == "%50\\%\\_\\\\%"


def test_more_occurrences_score_higher_and_saturate():
    one, two, ten = (text_score("井下" * n + "采煤" * 20, ["井下"]) for n in (1, 2, 10))

    assert one < two < ten < 2.2


def test_catalogue_weight_prefers_the_title():
    assert catalogue_weight(["招工"], "招工登记表", "张三", "FF-1") == 2.0
    assert catalogue_weight(["张三"], "招工登记表", "张三", "FF-1") == 1.5
    assert catalogue_weight(["ff-1", "FF-1"], "招工登记表", "张三", "FF-1") == 1.5
    assert catalogue_weight(["ff-1"], "招工登记表", "张三", "FF-1") == 0.0
    assert catalogue_weight(["煤"], "招工登记表", "张三", "FF-1") == 0.0


def test_highlight_marks_every_match_in_a_title():
    assert highlight("工资变动表（工资转移单）", ["工资"]) == (
        ("工资", True),
        ("变动表(", False),
        ("工资", True),
        ("转移单)", False),
    )


@given(CJK, st.sampled_from(["井下", "煤", "采煤工", "ab", "12"]))
def test_snippet_marks_only_matches_and_shows_page_text(page, term):
    segments = snippet(page, [term])

    shown = "".join(text for text, _ in segments).strip(ELLIPSIS)
    display = " ".join(unicodedata.normalize("NFKC", page).split())
    assert shown.replace(ELLIPSIS, "") in display
    assert len(shown) <= SNIPPET_CHARS
    for text, is_match in segments:
        if is_match:
            assert term in normalise(text)
    if term in normalise(page) and len(normalise(page)) <= SNIPPET_CHARS // 2:
        assert any(is_match for _, is_match in segments)
