"""Archive search: full-text search of page text (OCR) and of the catalogue, in Chinese.

Read side: :func:`search_pages`. Write side (called by the OCR writer in the transaction
that writes ``page_texts``): :func:`index_page_text`, :func:`index_page_texts` (bulk),
:func:`remove_page_text`, :func:`rebuild_search_index`.

**What matches.** The query is trimmed, NFKC-normalised and split on whitespace into terms;
every term must occur (AND). A *page hit* is a page whose text contains every term (see
``search_text.normalise``: case, full/half width, line breaks and spaces do not matter). A
*catalogue hit* is a material whose catalogue entry — title, archive number and person
name together — contains every term (so 张三 招工登记表 finds 张三's 招工登记表 even when
OCR missed the heading, or before the pages are scanned). Catalogue fields are typed, not
OCR'd, and are compared as stored: a term matches when it occurs there as typed, after NFKC,
normalised, or in upper case (ff-1958 finds FF-1958). A term is not satisfied half by
the catalogue and half by the text; the ``person_id`` filter narrows text search to one
person's archive.

**How.** SQLite: one contentless FTS5 trigram table, ``page_search_fts``, with the
normalised text in ``body`` (terms of 3+ characters: a phrase of trigrams) and the same
text with spaces between characters in ``grams`` (a one-character term is the single
trigram " 煤 ", a two-character term the single trigram "井 下": exact, and a lookup of one
token however common its characters are). PostgreSQL: pg_trgm GIN on
``page_search_documents.body`` for 3+ characters (LIKE), and a GIN index on
``retirelink_search_grams(body)`` (characters and adjacent pairs) for 1–2 characters.
With ``person_id`` the person's pages (a few hundred) are read and tested directly.

**Caps.** At most :data:`CANDIDATE_CAP` page hits and as many catalogue hits are
collected: the first in page / material id order (on PostgreSQL a term too rare for the
id-order probe comes in the order of its GIN bitmap, physical order: about the same), so a
term on nine pages in ten costs the same as a rare one. ``SearchResult.total_capped`` then
says "more than ``total``"; ranking covers the collected hits. Narrow with more terms or
filters.

**Time limit** (PostgreSQL): pg_trgm keeps no positions, so a long term that occurs nowhere
but whose trigrams all occur together on many pages is rechecked page by page (3–4 s over
1,000,000 pages, docs/archives.md). The page-text statements run under a statement timeout
(:data:`PAGE_SEARCH_TIME_LIMIT_MS`) in a savepoint; past it the page search stops,
``SearchResult.timed_out`` says so and the catalogue hits are still given. SQLite's FTS5
index has positions (the same query: 160 ms) and is not limited.

**Ranking** (the same on both databases, computed here): a page scores bm25's saturating
term frequency per term, plus half the catalogue weight of each term its material's
catalogue also holds; a catalogue hit scores per term 2.0 for the title, 1.5 for the
person name or archive number, plus 1.0 when the title is exactly the query. Ties: catalogue
hits first, then material id, page number, page id.

**Index upkeep** is explicit rather than by triggers: the indexed form (NFKC, case
folding, characters split apart) cannot be computed in SQLite SQL, and a Python function
registered on connections would break every other writer (the sqlite3 shell, backups,
migrations). ``page_search_documents`` keeps the indexed text, which SQLite's contentless
FTS table needs to delete a page's old entries exactly; its foreign key to ``page_texts``
makes a delete of indexed text fail loudly until :func:`remove_page_text` has run.
"""

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, Integer, Text, bindparam
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from retirelink.errors import InvalidInputError
from retirelink.storage.base import IN_LIST_CHUNK
from retirelink.storage.search_text import (
    CATALOGUE_BOOST_SHARE,
    EXACT_TITLE_BONUS,
    ParsedQuery,
    Segment,
    bigrams,
    catalogue_contains,
    catalogue_weight,
    fts_phrase,
    highlight,
    like_pattern,
    normalise,
    parse_query,
    rounded,
    short_term_phrase,
    snippet,
    spaced,
    text_score,
)

# Hits collected per source (page text, catalogue) before ranking; beyond it the total is
# reported as a lower bound.
CANDIDATE_CAP = 1000
# PostgreSQL: the longest one page-text statement may run (see "Time limit" above).
PAGE_SEARCH_TIME_LIMIT_MS = 1500
# SQLSTATE of a statement cancelled by statement_timeout.
_QUERY_CANCELED = "57014"
MAX_PAGE_SIZE = 100
EARLIEST_YEAR, LATEST_YEAR = 1800, 2200


class HitKind(StrEnum):
    PAGE = "page"
    MATERIAL = "material"

    @property
    def label(self) -> str:
        return {"page": "页面全文", "material": "目录"}[self.value]


@dataclass(frozen=True)
class SearchHit:
    """A page whose text matched, or a material whose catalogue entry matched.

    ``person_name`` is the stored name: masking by role happens at the edge. ``snippet``
    is (text, is_match) segments — a window of page text, or the material title — for a
    template to escape and mark up.
    """

    kind: HitKind
    page_id: int | None
    page_number: int | None
    material_id: int
    material_title: str
    material_type: str
    class_code: str
    formation_date: date | None
    archive_id: int
    archive_number: str
    person_id: int
    person_name: str
    score: float
    snippet: tuple[Segment, ...]


@dataclass(frozen=True)
class SearchResult:
    """``hits`` is the requested slice of the ranked hits. ``total`` counts every hit
        found; when ``total_capped`` a source reached :data:`CANDIDATE_CAP`, so there are more
        than ``total`` (show "超过 {total} 条"). ``timed_out``: the page-text search ran past
    its time limit and stopped, so page hits may be missing (catalogue hits are complete)."""

    terms: tuple[str, ...]
    hits: tuple[SearchHit, ...]
    total: int
    total_capped: bool
    timed_out: bool = False


@dataclass(frozen=True)
class _Candidate:
    kind: HitKind
    page_id: int | None
    page_number: int | None
    material_id: int
    title: str
    material_type: str
    class_code: str
    formation_date: date | None
    archive_id: int
    archive_number: str
    person_id: int
    person_name: str
    body: str


_Ranked = tuple[tuple[float, int, int, int, int], _Candidate]


def _ranked(candidate: _Candidate, score: float) -> _Ranked:
    """Sort key: score (high first), catalogue hits before pages, material, page number,
    page id."""
    kind_order = 0 if candidate.kind is HitKind.MATERIAL else 1
    page_number, page_id = candidate.page_number or 0, candidate.page_id or 0
    return (-rounded(score), kind_order, candidate.material_id, page_number, page_id), candidate


@dataclass(frozen=True)
class _Filters:
    person_id: int | None
    material_type: str | None
    class_code: str | None
    date_from: date | None
    date_to: date | None

    def sql(self) -> str:
        """AND-conditions on ``m`` (materials) and ``a`` (archives)."""
        parts = []
        if self.person_id is not None:
            parts.append("a.person_id = :person_id")
        if self.material_type is not None:
            parts.append("m.material_type = :material_type")
        if self.class_code is not None:
            parts.append("m.class_code = :class_code")
        if self.date_from is not None:
            parts.append("m.formation_date >= :date_from")
        if self.date_to is not None:
            parts.append("m.formation_date < :date_to")
        return "".join(f" AND {part}" for part in parts)

    def params(self) -> dict[str, Any]:
        values = {
            "person_id": self.person_id,
            "material_type": self.material_type,
            "class_code": self.class_code,
            "date_from": self.date_from,
            "date_to": self.date_to,
        }
        return {key: value for key, value in values.items() if value is not None}


# Columns every candidate query returns (p: pages, m: materials, a: archives, pe: persons).
_CATALOGUE_COLUMNS = (
    "m.id AS material_id, m.title, m.material_type, m.class_code, m.formation_date, "
    "m.archive_id, a.archive_number, a.person_id, pe.name AS person_name"
)
_PAGE_COLUMNS = f"p.id AS page_id, p.page_number, d.body, {_CATALOGUE_COLUMNS}"


# --- search ----------------------------------------------------------------------------------


def search_pages(
    session: Session,
    query: str,
    *,
    person_id: int | None = None,
    material_type: str | None = None,
    class_code: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    limit: int = 20,
    offset: int = 0,
    time_limit_ms: int = PAGE_SEARCH_TIME_LIMIT_MS,
) -> SearchResult:
    """Ranked page and catalogue hits for ``query`` (see the module docstring).

    ``year_from`` / ``year_to`` bound the material's 形成时间 (inclusive years); materials
    without one are left out when either is given. ``time_limit_ms`` bounds each page-text
    statement on PostgreSQL. Raises InvalidInputError (中文) for an empty or over-long
    query and for bad paging or years; reads only.
    """
    parsed = parse_query(query)
    filters = _filters(person_id, material_type, class_code, year_from, year_to)
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInputError(f"每页条数应在1到{MAX_PAGE_SIZE}之间", field="limit")
    if offset < 0:
        raise InvalidInputError("起始位置不能为负数", field="offset")

    pages = _page_candidates(session, parsed, filters, time_limit_ms)
    timed_out = pages is None
    pages = pages or []
    materials = _catalogue_candidates(session, parsed, filters)
    capped = len(pages) > CANDIDATE_CAP or len(materials) > CANDIDATE_CAP
    ranked = [_ranked(c, _page_score(c, parsed)) for c in pages[:CANDIDATE_CAP]]
    ranked += [_ranked(c, _material_score(c, parsed)) for c in materials[:CANDIDATE_CAP]]
    ranked.sort(key=lambda item: item[0])
    chosen = [(-key[0], candidate) for key, candidate in ranked[offset : offset + limit]]
    return SearchResult(
        terms=parsed.terms,
        hits=tuple(_hits(session, chosen, parsed)),
        total=len(ranked),
        total_capped=capped,
        timed_out=timed_out,
    )


def _filters(
    person_id: int | None,
    material_type: str | None,
    class_code: str | None,
    year_from: int | None,
    year_to: int | None,
) -> _Filters:
    for year, field in ((year_from, "year_from"), (year_to, "year_to")):
        if year is not None and not EARLIEST_YEAR <= year <= LATEST_YEAR:
            raise InvalidInputError(f"形成年份应在{EARLIEST_YEAR}到{LATEST_YEAR}之间", field=field)
    if year_from is not None and year_to is not None and year_from > year_to:
        raise InvalidInputError("起始年份不能晚于截止年份", field="year_from")
    return _Filters(
        person_id=person_id,
        material_type=material_type or None,
        class_code=class_code or None,
        date_from=date(year_from, 1, 1) if year_from is not None else None,
        date_to=date(year_to + 1, 1, 1) if year_to is not None else None,
    )


def _typed(statement_sql: str) -> Any:
    """A text statement whose dates bind and read back as ``date``."""
    dates = [bindparam(name, type_=Date) for name in ("date_from", "date_to")]
    statement = sql(statement_sql).bindparams(
        *(param for param in dates if f":{param.key}" in statement_sql)
    )
    return statement.columns(formation_date=Date)


def _page_candidates(
    session: Session, parsed: ParsedQuery, filters: _Filters, time_limit_ms: int
) -> list[_Candidate] | None:
    """Up to CANDIDATE_CAP + 1 pages containing every term, in index order; None when the
    PostgreSQL search ran past ``time_limit_ms``."""
    if filters.person_id is not None:
        return _person_page_candidates(session, parsed, filters)
    if session.get_bind().dialect.name == "sqlite":
        return _sqlite_page_candidates(session, parsed, filters)
    timeout = {"statement_timeout": f"{time_limit_ms}ms"}
    try:
        # The savepoint keeps the transaction usable after a cancelled statement, and its
        # rollback reverts the settings made inside it.
        with session.begin_nested(), _postgres_settings(session, timeout):
            return _postgres_page_candidates(session, parsed, filters)
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) != _QUERY_CANCELED:
            raise
        return None


def _sqlite_page_candidates(
    session: Session, parsed: ParsedQuery, filters: _Filters
) -> list[_Candidate]:
    match = " AND ".join(
        f"grams : {fts_phrase(short_term_phrase(term))}"
        if len(term) <= 2
        else f"body : {fts_phrase(term)}"
        for term in parsed.terms
    )
    # CROSS JOIN fixes the join order: the FTS table drives, in rowid order, and stops at
    # the cap however many pages match.
    sql_text = (
        f"SELECT {_PAGE_COLUMNS} FROM page_search_fts AS f "
        "CROSS JOIN page_search_documents AS d ON d.page_id = f.rowid "
        "CROSS JOIN pages AS p ON p.id = f.rowid "
        "CROSS JOIN materials AS m ON m.id = p.material_id "
        "CROSS JOIN archives AS a ON a.id = m.archive_id "
        "CROSS JOIN persons AS pe ON pe.id = a.person_id "
        f"WHERE page_search_fts MATCH :match{filters.sql()} "
        "ORDER BY f.rowid LIMIT :cap"
    )
    params = {"match": match, "cap": CANDIDATE_CAP + 1, **filters.params()}
    rows = session.execute(_typed(sql_text), params).mappings()
    return [_page_candidate(row) for row in rows]


# Planner settings for the PostgreSQL page query, local to the transaction and restored:
# the GIN bitmap always (a sequential scan, or a primary-key scan it might pick to merge-join
# pages, computes the gram array of every row it passes: 0.2 ms each; joins then look pages
# up through bitmap index scans, as cheap for a thousand rows); no parallel workers, so
# rows come back in the same order every time; memory for an exact, not lossy, bitmap of a
# term found on most pages.
_PG_SEARCH_SETTINGS = {
    "enable_seqscan": "off",
    "enable_indexscan": "off",
    "max_parallel_workers_per_gather": "0",
    "work_mem": "64MB",
}


# A common term is found by reading pages in id order: the first PROBE_PAGES pages, and when
# they show the term is common enough, as many more as the cap needs (at most
# MAX_PROBE_PAGES: terms on about a tenth of the pages or more). A few milliseconds, where
# the GIN bitmap of a term on 400,000 of 1,000,000 pages takes about 80 ms; and the hits
# are then exactly the first by page id, as on SQLite. Rarer terms go to the index.
PROBE_PAGES = 2000
MAX_PROBE_PAGES = 10_000

_PG_PAGES_FROM = (
    "JOIN pages AS p ON p.id = d.page_id "
    "JOIN materials AS m ON m.id = p.material_id "
    "JOIN archives AS a ON a.id = m.archive_id "
    "JOIN persons AS pe ON pe.id = a.person_id "
)


def _postgres_page_candidates(
    session: Session, parsed: ParsedQuery, filters: _Filters
) -> list[_Candidate]:
    params: dict[str, Any] = {"cap": CANDIDATE_CAP + 1, **filters.params()}
    for index, term in enumerate(parsed.terms):
        params[f"term{index}"] = term
        params[f"like{index}"] = like_pattern(term)
    # Every term, checked on the text itself (strpos: exact, no index).
    contains = " AND ".join(f"strpos(d.body, :term{i}) > 0" for i in range(len(parsed.terms)))

    probe_sql = (
        f"SELECT {_PAGE_COLUMNS} FROM (SELECT page_id, body FROM page_search_documents "
        f"ORDER BY page_id LIMIT :probe) AS d {_PG_PAGES_FROM}"
        f"WHERE {contains}{filters.sql()} ORDER BY d.page_id LIMIT :cap"
    )
    probe_params = _used({**params, "probe": PROBE_PAGES}, probe_sql)
    rows = session.execute(_typed(probe_sql), probe_params).mappings().all()
    if rows and len(rows) <= CANDIDATE_CAP:
        # Pages the cap needs at the density seen so far, with a margin.
        needed = (CANDIDATE_CAP + 1) * PROBE_PAGES * 5 // (4 * len(rows))
        if needed <= MAX_PROBE_PAGES:
            probe_params["probe"] = needed
            rows = session.execute(_typed(probe_sql), probe_params).mappings().all()
    if len(rows) > CANDIDATE_CAP:
        return [_page_candidate(row) for row in rows]

    if parsed.short_terms:
        # The gram index finds pages holding the short terms and every pair of the long
        # ones; strpos checks the long terms (a Filter, cheap, not an index recheck).
        grams = list(parsed.short_terms)
        for term in parsed.long_terms:
            grams += [gram for gram in bigrams(term) if gram not in grams]
        params["grams"] = grams
        index_condition = f"retirelink_search_grams(d.body) @> :grams AND {contains}"
    else:
        index_condition = " AND ".join(
            f"d.body LIKE :like{i}" for i in range(len(parsed.long_terms))
        )
    sql_text = (
        f"SELECT {_PAGE_COLUMNS} FROM page_search_documents AS d {_PG_PAGES_FROM}"
        f"WHERE {index_condition}{filters.sql()} LIMIT :cap"
    )
    statement = _typed(sql_text)
    if "grams" in params:
        statement = statement.bindparams(bindparam("grams", type_=ARRAY(Text)))
    with _postgres_settings(session, _PG_SEARCH_SETTINGS):
        rows = session.execute(statement, _used(params, sql_text)).mappings().all()
    return sorted((_page_candidate(row) for row in rows), key=lambda c: c.page_id or 0)


@contextmanager
def _postgres_settings(session: Session, settings: dict[str, str]) -> Iterator[None]:
    """Settings local to the transaction for the statements inside, then the previous
    values again. After an error nothing is restored: the statements could not run in the
    failed transaction, and rolling it (or the enclosing savepoint) back reverts them."""
    change = sql("SELECT current_setting(:name), set_config(:name, :value, true)")
    previous = {
        name: str(session.execute(change, {"name": name, "value": value}).one()[0])
        for name, value in settings.items()
    }
    yield
    for name, value in previous.items():
        session.execute(change, {"name": name, "value": value})


def _person_page_candidates(
    session: Session, parsed: ParsedQuery, filters: _Filters
) -> list[_Candidate]:
    """One person's archive: read its pages' indexed text and test the terms directly."""
    sql_text = (
        f"SELECT {_PAGE_COLUMNS} FROM archives AS a "
        "JOIN persons AS pe ON pe.id = a.person_id "
        "JOIN materials AS m ON m.archive_id = a.id "
        "JOIN pages AS p ON p.material_id = m.id "
        "JOIN page_search_documents AS d ON d.page_id = p.id "
        f"WHERE 1 = 1{filters.sql()} ORDER BY p.id"
    )
    found = []
    for row in session.execute(_typed(sql_text), filters.params()).mappings():
        if all(term in row["body"] for term in parsed.terms):
            found.append(_page_candidate(row))
            if len(found) > CANDIDATE_CAP:
                break
    return found


def _page_candidate(row: Any) -> _Candidate:
    return _Candidate(
        kind=HitKind.PAGE,
        page_id=row["page_id"],
        page_number=row["page_number"],
        body=row["body"],
        **_catalogue_fields(row),
    )


def _catalogue_fields(row: Any) -> dict[str, Any]:
    return {
        "material_id": row["material_id"],
        "title": row["title"],
        "material_type": row["material_type"],
        "class_code": row["class_code"],
        "formation_date": row["formation_date"],
        "archive_id": row["archive_id"],
        "archive_number": row["archive_number"],
        "person_id": row["person_id"],
        "person_name": row["person_name"],
    }


def _catalogue_candidates(
    session: Session, parsed: ParsedQuery, filters: _Filters
) -> list[_Candidate]:
    """Up to CANDIDATE_CAP + 1 materials whose title, archive number or person name holds
    each term (one of its catalogue forms), lowest material id first.

    First the archives whose number or person name holds some term (archives are few: one
    per person); then materials in id order, each term held by the title or by the
    material's archive — a scan that stops at the cap, and on PostgreSQL may use the
    pg_trgm index on titles instead when a term of 3+ characters is rare."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    params: dict[str, Any] = {"cap": CANDIDATE_CAP + 1, **filters.params()}
    names = [
        [f"c{index}_{number}" for number in range(len(forms))]
        for index, forms in enumerate(parsed.catalogue_forms)
    ]
    for term_names, forms in zip(names, parsed.catalogue_forms, strict=True):
        for name, form in zip(term_names, forms, strict=True):
            params[name] = form
            params[f"{name}_like"] = like_pattern(form)

    def holds(column: str, term_names: list[str]) -> str:
        if sqlite:  # instr: case-sensitive like PostgreSQL's LIKE (SQLite's LIKE is not)
            return " OR ".join(f"instr({column}, :{name}) > 0" for name in term_names)
        return " OR ".join(f"{column} LIKE :{name}_like" for name in term_names)

    every = [name for term_names in names for name in term_names]
    owners_sql = (
        "SELECT a.id, a.archive_number, pe.name FROM archives AS a "
        "JOIN persons AS pe ON pe.id = a.person_id "
        f"WHERE ({holds('a.archive_number', every)} OR EXISTS (SELECT 1 FROM persons AS p2 "
        f"WHERE p2.id = a.person_id AND ({holds('p2.name', every)})))"
        + (" AND a.person_id = :person_id" if filters.person_id is not None else "")
    )
    owners = session.execute(sql(owners_sql), _used(params, owners_sql)).all()
    conditions = []
    for index, (term_names, forms) in enumerate(zip(names, parsed.catalogue_forms, strict=True)):
        ids = [
            row.id
            for row in owners
            if catalogue_contains(row.archive_number, forms) or catalogue_contains(row.name, forms)
        ]
        condition = holds("m.title", term_names)
        if ids and sqlite:
            condition += f" OR m.archive_id IN (SELECT value FROM json_each(:ids{index}))"
            params[f"ids{index}"] = json.dumps(ids)
        elif ids:
            condition += f" OR m.archive_id = ANY(:ids{index})"
            params[f"ids{index}"] = ids
        conditions.append(f"({condition})")
    sql_text = (
        f"SELECT {_CATALOGUE_COLUMNS} FROM materials AS m "
        "JOIN archives AS a ON a.id = m.archive_id "
        "JOIN persons AS pe ON pe.id = a.person_id "
        f"WHERE {' AND '.join(conditions)}{filters.sql()} ORDER BY m.id LIMIT :cap"
    )
    statement = _typed(sql_text)
    if not sqlite:
        arrays = [
            bindparam(name, type_=ARRAY(Integer)) for name in params if name.startswith("ids")
        ]
        statement = statement.bindparams(*arrays)
    rows = session.execute(statement, _used(params, sql_text)).mappings()
    return [
        _Candidate(
            kind=HitKind.MATERIAL, page_id=None, page_number=None, body="", **_catalogue_fields(row)
        )
        for row in rows
    ]


def _used(params: dict[str, Any], sql_text: str) -> dict[str, Any]:
    """The parameters the statement names (the others belong to the other dialect)."""
    return {name: value for name, value in params.items() if re.search(rf":{name}\b", sql_text)}


def _page_score(candidate: _Candidate, parsed: ParsedQuery) -> float:
    boost = sum(
        CATALOGUE_BOOST_SHARE * _weight(candidate, forms) for forms in parsed.catalogue_forms
    )
    return text_score(candidate.body, parsed.terms) + boost


def _material_score(candidate: _Candidate, parsed: ParsedQuery) -> float:
    score = sum(_weight(candidate, forms) for forms in parsed.catalogue_forms)
    if normalise(candidate.title) == "".join(parsed.terms):
        score += EXACT_TITLE_BONUS
    return score


def _weight(candidate: _Candidate, forms: Sequence[str]) -> float:
    return catalogue_weight(forms, candidate.title, candidate.person_name, candidate.archive_number)


def _hits(
    session: Session, chosen: list[tuple[float, _Candidate]], parsed: ParsedQuery
) -> Iterator[SearchHit]:
    page_ids = [c.page_id for _, c in chosen if c.page_id is not None]
    texts = _page_texts(session, page_ids)
    first_pages = _first_pages(session, [c.material_id for _, c in chosen if c.page_id is None])
    for score, candidate in chosen:
        page_id, page_number = candidate.page_id, candidate.page_number
        if candidate.kind is HitKind.PAGE:
            segments = snippet(texts.get(page_id or 0, candidate.body), parsed.terms)
        else:
            segments = highlight(candidate.title, parsed.terms)
            page_id, page_number = first_pages.get(candidate.material_id, (None, None))
        yield SearchHit(
            kind=candidate.kind,
            page_id=page_id,
            page_number=page_number,
            material_id=candidate.material_id,
            material_title=candidate.title,
            material_type=candidate.material_type,
            class_code=candidate.class_code,
            formation_date=candidate.formation_date,
            archive_id=candidate.archive_id,
            archive_number=candidate.archive_number,
            person_id=candidate.person_id,
            person_name=candidate.person_name,
            score=score,
            snippet=segments,
        )


def _page_texts(session: Session, page_ids: Sequence[int]) -> dict[int, str]:
    if not page_ids:
        return {}
    statement = sql("SELECT page_id, text FROM page_texts WHERE page_id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    return {row.page_id: row.text for row in session.execute(statement, {"ids": list(page_ids)})}


def _first_pages(session: Session, material_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """For each material, its first page (id, number), when it has pages."""
    if not material_ids:
        return {}
    statement = sql(
        "SELECT p.material_id, p.id, p.page_number FROM pages AS p "
        "WHERE p.material_id IN :ids AND p.page_number = ("
        "SELECT min(q.page_number) FROM pages AS q WHERE q.material_id = p.material_id)"
    ).bindparams(bindparam("ids", expanding=True))
    rows = session.execute(statement, {"ids": list(material_ids)})
    return {row.material_id: (row.id, row.page_number) for row in rows}


# --- index upkeep ----------------------------------------------------------------------------


def index_page_text(session: Session, page_id: int, text: str) -> None:
    """(Re)index one page's OCR text, as just written to ``page_texts``; an empty text
    removes the page from the index. Call in the same transaction as the write."""
    index_page_texts(session, [(page_id, text)])


def remove_page_text(session: Session, page_id: int) -> None:
    """Take a page out of the index (before its ``page_texts`` row or the page goes)."""
    index_page_texts(session, [(page_id, "")])


def index_page_texts(session: Session, items: Iterable[tuple[int, str]]) -> int:
    """(Re)index many pages: ``(page_id, text)`` pairs, the last one winning for a page.
    Returns the number of pages now indexed with some text."""
    latest: dict[int, str] = {}
    for page_id, page_text in items:
        latest[page_id] = normalise(page_text)
    sqlite = session.get_bind().dialect.name == "sqlite"
    indexed = 0
    pairs = list(latest.items())
    for start in range(0, len(pairs), IN_LIST_CHUNK):
        chunk = dict(pairs[start : start + IN_LIST_CHUNK])
        if sqlite:
            _sqlite_unindex(session, list(chunk))
        gone = [{"page_id": page_id} for page_id, body in chunk.items() if not body]
        kept: list[dict[str, Any]] = [
            {"page_id": page_id, "body": body} for page_id, body in chunk.items() if body
        ]
        if gone:
            session.execute(sql("DELETE FROM page_search_documents WHERE page_id = :page_id"), gone)
        if kept:
            session.execute(
                sql(
                    "INSERT INTO page_search_documents (page_id, body) VALUES (:page_id, :body) "
                    "ON CONFLICT (page_id) DO UPDATE SET body = excluded.body"
                ),
                kept,
            )
            if sqlite:
                session.execute(
                    sql(
                        "INSERT INTO page_search_fts (rowid, body, grams) "
                        "VALUES (:page_id, :body, :grams)"
                    ),
                    [{**row, "grams": spaced(str(row["body"]))} for row in kept],
                )
        indexed += len(kept)
    return indexed


def _sqlite_unindex(session: Session, page_ids: list[int]) -> None:
    """Remove pages' entries from the contentless FTS table, which needs the exact values
    it indexed: those kept in page_search_documents."""
    statement = sql(
        "SELECT page_id, body FROM page_search_documents WHERE page_id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    old = session.execute(statement, {"ids": page_ids}).all()
    if old:
        session.execute(
            sql(
                "INSERT INTO page_search_fts (page_search_fts, rowid, body, grams) "
                "VALUES ('delete', :page_id, :body, :grams)"
            ),
            [{"page_id": row.page_id, "body": row.body, "grams": spaced(row.body)} for row in old],
        )


def rebuild_search_index(session: Session, *, batch_size: int = 2000) -> int:
    """Rebuild the whole index from ``page_texts`` (status 'done'): after a restore, or
    when pages were written without indexing. Returns the number of pages indexed."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sql("INSERT INTO page_search_fts (page_search_fts) VALUES ('delete-all')"))
    session.execute(sql("DELETE FROM page_search_documents"))
    indexed, after = 0, -1
    batch = sql(
        "SELECT page_id, text FROM page_texts WHERE status = 'done' AND page_id > :after "
        "ORDER BY page_id LIMIT :size"
    )
    while rows := session.execute(batch, {"after": after, "size": batch_size}).all():
        indexed += index_page_texts(session, ((row.page_id, row.text) for row in rows))
        after = rows[-1].page_id
    return indexed


def optimize_search_index(session: Session) -> None:
    """After a bulk load: merge SQLite's FTS segments into one (faster queries). On
    PostgreSQL, ANALYZE the indexed table so the planner knows its size."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sql("INSERT INTO page_search_fts (page_search_fts) VALUES ('optimize')"))
    else:
        session.execute(sql("ANALYZE page_search_documents"))
