"""Text rules of archive search, with no I/O: normalisation, query terms, scores, snippets.

One normalisation serves the index, the query and the snippet, so they cannot disagree:

* NFKC (full-width letters and digits become ASCII, compatibility forms are unfolded),
* case folding,
* whitespace and control characters dropped — OCR breaks lines anywhere, even inside a
  word (招工登\\n记表), so a page matches 招工登记表 whatever the line breaks.

A page *contains* a term when the term occurs in the page's normalised text
(:func:`normalise`). The indexes (SQLite FTS5, PostgreSQL pg_trgm and a gram index) are
built from exactly that string, and the person-scoped path tests it directly in Python.
"""

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from retirelink.errors import InvalidInputError

MAX_QUERY_CHARS = 50
# Terms of at most this many characters use the unigram/bigram index; longer ones trigrams.
SHORT_TERM_CHARS = 2

# A snippet shows about this many characters of the page around its best match.
SNIPPET_CHARS = 80
SNIPPET_LEAD = 20
ELLIPSIS = "…"

# bm25's term-frequency part (k1, b) with a fixed typical page length (characters of
# normalised text), so a page's score does not depend on the rest of the collection.
BM25_K1 = 1.2
BM25_B = 0.75
TYPICAL_PAGE_CHARS = 550

# Catalogue weights (per query term): see docs/archives.md "Search" for the merge rules.
TITLE_WEIGHT = 2.0
PERSON_OR_NUMBER_WEIGHT = 1.5
EXACT_TITLE_BONUS = 1.0
# A page whose catalogue also contains a term: this share of the catalogue weight is added.
CATALOGUE_BOOST_SHARE = 0.5

Segment = tuple[str, bool]


# Characters the search ignores: whitespace (what str.split splits on) and control characters.
_IGNORED = frozenset(
    chr(code)
    for code in range(0x3100)
    if chr(code).isspace() or unicodedata.category(chr(code)) == "Cc"
)
_DROP_IGNORED = {ord(char): None for char in _IGNORED}


def normalise(text: str) -> str:
    """The searchable form of a text: NFKC, case-folded, without whitespace or controls.

    >>> normalise("招工登\\n记表　ＮＯ．１２")
    '招工登记表no.12'
    """
    return unicodedata.normalize("NFKC", text).casefold().translate(_DROP_IGNORED)


def _normalised_with_owners(display: str) -> tuple[str, list[int]]:
    """``normalise(display)`` (``display`` already NFKC) and, for each of its characters,
    the index of the display character it came from."""
    folded = display.casefold()
    if len(folded) == len(display):  # the usual case: folding kept one character each
        owners = [index for index, char in enumerate(folded) if char not in _IGNORED]
        return folded.translate(_DROP_IGNORED), owners
    chars: list[str] = []
    owners = []
    for index, char in enumerate(display):
        if char not in _IGNORED:
            for piece in char.casefold():
                chars.append(piece)
                owners.append(index)
    return "".join(chars), owners


@dataclass(frozen=True)
class ParsedQuery:
    """A validated query: ``terms`` (normalised, distinct, in the order typed) and, for
    each, the forms looked for in catalogue fields (stored as entered, not normalised):
    the term, the word after NFKC and as typed, and the term in upper case."""

    terms: tuple[str, ...]
    catalogue_forms: tuple[tuple[str, ...], ...]

    @property
    def short_terms(self) -> tuple[str, ...]:
        return tuple(term for term in self.terms if len(term) <= SHORT_TERM_CHARS)

    @property
    def long_terms(self) -> tuple[str, ...]:
        return tuple(term for term in self.terms if len(term) > SHORT_TERM_CHARS)


def parse_query(query: str) -> ParsedQuery:
    """Trim, NFKC, split on whitespace; every term must occur (AND).

    >>> parse_query("  井下  招工 井下 ").terms
    ('井下', '招工')
    >>> parsed = parse_query("ＦＦ-1")
    >>> parsed.terms, parsed.catalogue_forms
    (('ff-1',), (('ff-1', 'FF-1', 'ＦＦ-1'),))
    """
    text = unicodedata.normalize("NFKC", query or "").strip()
    if not text:
        raise InvalidInputError("请输入检索词", field="q")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidInputError(f"检索词不能超过{MAX_QUERY_CHARS}个字", field="q")
    terms: list[str] = []
    forms: list[tuple[str, ...]] = []
    for typed in (query or "").split():
        words = unicodedata.normalize("NFKC", typed).split()
        for word in words:
            term = normalise(word)
            if term and term not in terms:
                terms.append(term)
                as_typed = [word, typed] if len(words) == 1 else [word]
                forms.append(tuple(dict.fromkeys([term, *as_typed, term.upper()])))
    if not terms:
        raise InvalidInputError("请输入检索词", field="q")
    return ParsedQuery(tuple(terms), tuple(forms))


def spaced(body: str) -> str:
    """A normalised text with a space between characters and around it: the trigram
    tokenizer then yields ``" 井 "`` (one character) and ``"井 下"`` (two adjacent ones).

    >>> spaced("井下")
    ' 井 下 '
    """
    return " " + " ".join(body) + " "


def short_term_phrase(term: str) -> str:
    """The trigram that stands for a one- or two-character term in :func:`spaced` text."""
    return f" {term} " if len(term) == 1 else " ".join(term)


def fts_phrase(text: str) -> str:
    """An FTS5 string literal (a phrase) for ``text``."""
    return '"' + text.replace('"', '""') + '"'


def bigrams(term: str) -> list[str]:
    """Adjacent character pairs of a term (the gram index's keys for it).

    >>> bigrams("井下采")
    ['井下', '下采']
    """
    return [term[i : i + 2] for i in range(len(term) - 1)]


def like_pattern(term: str) -> str:
    """``%term%`` with LIKE's wildcards escaped (escape character ``\\``)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- ranking ---------------------------------------------------------------------------------


def text_score(body: str, terms: Sequence[str]) -> float:
    """bm25's saturating term frequency, summed over the terms (each below 1.0 … 2.2)."""
    norm = 1 - BM25_B + BM25_B * len(body) / TYPICAL_PAGE_CHARS
    score = 0.0
    for term in terms:
        frequency = body.count(term)
        score += frequency * (BM25_K1 + 1) / (frequency + BM25_K1 * norm)
    return score


def catalogue_weight(forms: Sequence[str], title: str, person_name: str, number: str) -> float:
    """How strongly a catalogue entry holds a term (given as its catalogue forms): title,
    else person name or archive number, else 0."""
    if catalogue_contains(title, forms):
        return TITLE_WEIGHT
    if catalogue_contains(person_name, forms) or catalogue_contains(number, forms):
        return PERSON_OR_NUMBER_WEIGHT
    return 0.0


def catalogue_contains(field: str, forms: Sequence[str]) -> bool:
    """The catalogue test, as the SQL does it: one of the term's forms occurs in the field
    as stored."""
    return any(form in field for form in forms)


def rounded(score: float) -> float:
    """Scores are compared after rounding, so float noise never reorders equal hits."""
    return round(score, 6) + 0.0 if math.isfinite(score) else 0.0


# --- snippets --------------------------------------------------------------------------------


def highlight(text: str, terms: Sequence[str]) -> tuple[Segment, ...]:
    """The whole of a short text (a title) as segments, every match of a term marked.

    >>> highlight("招工登记表", ["登记"])
    (('招工', False), ('登记', True), ('表', False))
    """
    display = unicodedata.normalize("NFKC", text)
    spans = _match_spans(display, terms)
    return _segments(display, spans, 0, len(display))


def snippet(text: str, terms: Sequence[str]) -> tuple[Segment, ...]:
    """About :data:`SNIPPET_CHARS` characters of a page around the place where most terms
    match, as (text, is_match) segments; runs of whitespace shown as one space.

    >>> snippet("姓名：张三\\n从事井下\\n采煤工作", ["井下采煤"])
    (('姓名:张三 从事', False), ('井下 采煤', True), ('工作', False))
    """
    display = unicodedata.normalize("NFKC", text)
    spans = _match_spans(display, terms)
    if not spans:
        end = min(len(display), SNIPPET_CHARS)
        return _segments(display, [], 0, end)
    start = _best_window_start(spans, terms, display)
    end = min(len(display), start + SNIPPET_CHARS)
    return _segments(display, spans, start, end)


def _match_spans(display: str, terms: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) in ``display`` for every occurrence of every term, merged."""
    compact, owners = _normalised_with_owners(display)
    found: list[tuple[int, int, str]] = []
    for term in terms:
        position = compact.find(term)
        while position >= 0 and term:
            found.append((owners[position], owners[position + len(term) - 1] + 1, term))
            position = compact.find(term, position + len(term))
    found.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, term in found:
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, term))
    return merged


def _best_window_start(
    spans: list[tuple[int, int, str]], terms: Sequence[str], display: str
) -> int:
    """Start of the window holding the most distinct terms (then the most matches, then the
    earliest), beginning a little before its first match."""
    best: tuple[int, int, int] | None = None
    best_start = 0
    for anchor, _, _ in spans:
        start = max(0, anchor - SNIPPET_LEAD)
        end = start + SNIPPET_CHARS
        inside = [span for span in spans if span[0] >= anchor and span[1] <= end]
        distinct = len({_term_of(display, span, terms) for span in inside})
        key = (distinct, len(inside), -anchor)
        if best is None or key > best:
            best, best_start = key, start
    return best_start


def _term_of(display: str, span: tuple[int, int, str], terms: Sequence[str]) -> str:
    # Merged spans may hold several terms; the normalised span text names them all.
    text = normalise(display[span[0] : span[1]])
    return "|".join(term for term in terms if term in text)


def _segments(
    display: str, spans: list[tuple[int, int, str]], start: int, end: int
) -> tuple[Segment, ...]:
    """``display[start:end]`` as segments; whitespace runs shown as one space; an ellipsis
    where the page goes on."""
    marked = [False] * (end - start)
    for span_start, span_end, _ in spans:
        for index in range(max(span_start, start), min(span_end, end)):
            marked[index - start] = True
    chars = _collapse_whitespace(display[start:end], marked)
    if start > 0:
        chars.insert(0, (ELLIPSIS, False))
    if end < len(display):
        chars.append((ELLIPSIS, False))
    pieces: list[Segment] = []
    for char, is_match in chars:
        if pieces and pieces[-1][1] == is_match:
            pieces[-1] = (pieces[-1][0] + char, is_match)
        else:
            pieces.append((char, is_match))
    return tuple(pieces)


def _collapse_whitespace(window: str, marked: list[bool]) -> list[tuple[str, bool]]:
    """Characters of ``window`` with their marks, each whitespace run as one space and none
    at either end."""
    chars: list[tuple[str, bool]] = []
    for offset, char in enumerate(window):
        if not char.isspace():
            chars.append((char, marked[offset]))
        elif chars and chars[-1][0] != " ":
            chars.append((" ", marked[offset]))
    while chars and chars[-1][0] == " ":
        chars.pop()
    return chars
