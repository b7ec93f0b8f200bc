"""Page-text candidates of an archive search: the pages whose indexed text holds every
term, found through SQLite's FTS5 table, through PostgreSQL's indexes under a time
limit, or by reading one person's pages. :mod:`retirelink.storage.search_index` keeps
the indexes these queries read.

**How.** SQLite: one contentless FTS5 trigram table, ``page_search_fts``, with the
normalised text in ``body`` (terms of 3+ characters: a phrase of trigrams) and the same
text with spaces between characters in ``grams`` (a one-character term is the single
trigram " 煤 ", a two-character term the single trigram "井 下": exact, and a lookup of one
token however common its characters are). PostgreSQL: pg_trgm GIN on
``page_search_documents.body`` for 3+ characters (LIKE), and a GIN index on
``retirelink_search_grams(body)`` (characters and adjacent pairs) for 1–2 characters.
With ``person_id`` the person's pages (a few hundred) are read and tested directly.

**Time limit** (PostgreSQL): pg_trgm keeps no positions, so a long term that occurs nowhere
but whose trigrams all occur together on many pages is rechecked page by page (3–4 s over
1,000,000 pages, docs/archives.md). The page-text statements run under a statement timeout
(:data:`PAGE_SEARCH_TIME_LIMIT_MS`) in a savepoint; past it the page search stops,
``SearchResult.timed_out`` says so and the catalogue hits are still given. SQLite's FTS5
index has positions (the same query: 160 ms) and is not limited.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Text, bindparam
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from retirelink.storage import search_candidates
from retirelink.storage.search_candidates import (
    PAGE_COLUMNS,
    Candidate,
    Filters,
    catalogue_fields,
    typed,
    used_params,
)
from retirelink.storage.search_results import HitKind
from retirelink.storage.search_text import (
    ParsedQuery,
    bigrams,
    fts_phrase,
    like_pattern,
    short_term_phrase,
)

# PostgreSQL: the longest one page-text statement may run (see "Time limit" above).
PAGE_SEARCH_TIME_LIMIT_MS = 1500
# SQLSTATE of a statement cancelled by statement_timeout.
_QUERY_CANCELED = "57014"


def page_candidates(
    session: Session, parsed: ParsedQuery, filters: Filters, time_limit_ms: int
) -> list[Candidate] | None:
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
    session: Session, parsed: ParsedQuery, filters: Filters
) -> list[Candidate]:
    match = " AND ".join(
        f"grams : {fts_phrase(short_term_phrase(term))}"
        if len(term) <= 2
        else f"body : {fts_phrase(term)}"
        for term in parsed.terms
    )
    # CROSS JOIN fixes the join order: the FTS table drives, in rowid order, and stops at
    # the cap however many pages match.
    sql_text = (
        f"SELECT {PAGE_COLUMNS} FROM page_search_fts AS f "
        "CROSS JOIN page_search_documents AS d ON d.page_id = f.rowid "
        "CROSS JOIN pages AS p ON p.id = f.rowid "
        "CROSS JOIN materials AS m ON m.id = p.material_id "
        "CROSS JOIN archives AS a ON a.id = m.archive_id "
        "CROSS JOIN persons AS pe ON pe.id = a.person_id "
        f"WHERE page_search_fts MATCH :match{filters.sql()} "
        "ORDER BY f.rowid LIMIT :cap"
    )
    params = {"match": match, "cap": search_candidates.CANDIDATE_CAP + 1, **filters.params()}
    rows = session.execute(typed(sql_text), params).mappings()
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
    session: Session, parsed: ParsedQuery, filters: Filters
) -> list[Candidate]:
    params: dict[str, Any] = {"cap": search_candidates.CANDIDATE_CAP + 1, **filters.params()}
    for index, term in enumerate(parsed.terms):
        params[f"term{index}"] = term
        params[f"like{index}"] = like_pattern(term)
    # Every term, checked on the text itself (strpos: exact, no index).
    contains = " AND ".join(f"strpos(d.body, :term{i}) > 0" for i in range(len(parsed.terms)))

    probe_sql = (
        f"SELECT {PAGE_COLUMNS} FROM (SELECT page_id, body FROM page_search_documents "
        f"ORDER BY page_id LIMIT :probe) AS d {_PG_PAGES_FROM}"
        f"WHERE {contains}{filters.sql()} ORDER BY d.page_id LIMIT :cap"
    )
    probe_params = used_params({**params, "probe": PROBE_PAGES}, probe_sql)
    rows = session.execute(typed(probe_sql), probe_params).mappings().all()
    if rows and len(rows) <= search_candidates.CANDIDATE_CAP:
        # Pages the cap needs at the density seen so far, with a margin.
        needed = (search_candidates.CANDIDATE_CAP + 1) * PROBE_PAGES * 5 // (4 * len(rows))
        if needed <= MAX_PROBE_PAGES:
            probe_params["probe"] = needed
            rows = session.execute(typed(probe_sql), probe_params).mappings().all()
    if len(rows) > search_candidates.CANDIDATE_CAP:
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
        f"SELECT {PAGE_COLUMNS} FROM page_search_documents AS d {_PG_PAGES_FROM}"
        f"WHERE {index_condition}{filters.sql()} LIMIT :cap"
    )
    statement = typed(sql_text)
    if "grams" in params:
        statement = statement.bindparams(bindparam("grams", type_=ARRAY(Text)))
    with _postgres_settings(session, _PG_SEARCH_SETTINGS):
        rows = session.execute(statement, used_params(params, sql_text)).mappings().all()
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
    session: Session, parsed: ParsedQuery, filters: Filters
) -> list[Candidate]:
    """One person's archive: read its pages' indexed text and test the terms directly."""
    sql_text = (
        f"SELECT {PAGE_COLUMNS} FROM archives AS a "
        "JOIN persons AS pe ON pe.id = a.person_id "
        "JOIN materials AS m ON m.archive_id = a.id "
        "JOIN pages AS p ON p.material_id = m.id "
        "JOIN page_search_documents AS d ON d.page_id = p.id "
        f"WHERE 1 = 1{filters.sql()} ORDER BY p.id"
    )
    found = []
    for row in session.execute(typed(sql_text), filters.params()).mappings():
        if all(term in row["body"] for term in parsed.terms):
            found.append(_page_candidate(row))
            if len(found) > search_candidates.CANDIDATE_CAP:
                break
    return found


def _page_candidate(row: Any) -> Candidate:
    return Candidate(
        kind=HitKind.PAGE,
        page_id=row["page_id"],
        page_number=row["page_number"],
        body=row["body"],
        **catalogue_fields(row),
    )
