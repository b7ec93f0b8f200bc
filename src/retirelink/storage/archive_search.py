"""Archive search: full-text search of page text (OCR) and of the catalogue, in Chinese.

Read side: :func:`search_pages`, which validates the query, collects the candidates,
ranks them and builds the hits with their snippets. The candidates come from
:mod:`retirelink.storage.page_text_candidates` (page text: the indexes, the PostgreSQL
time limit and planner settings) and :mod:`retirelink.storage.catalogue_candidates`;
:mod:`retirelink.storage.search_candidates` holds what they share and the caps; the
result types are in :mod:`retirelink.storage.search_results`. Write side (called by the
OCR writer in the transaction that writes ``page_texts``):
:mod:`retirelink.storage.search_index`.

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

**Ranking** (the same on both databases, computed here): a page scores bm25's saturating
term frequency per term, plus half the catalogue weight of each term its material's
catalogue also holds; a catalogue hit scores per term 2.0 for the title, 1.5 for the
person name or archive number, plus 1.0 when the title is exactly the query. Ties: catalogue
hits first, then material id, page number, page id.
"""

from collections.abc import Iterator, Sequence
from datetime import date

from sqlalchemy import bindparam
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from retirelink.errors import InvalidInputError
from retirelink.storage import search_candidates
from retirelink.storage.catalogue_candidates import catalogue_candidates
from retirelink.storage.page_text_candidates import PAGE_SEARCH_TIME_LIMIT_MS, page_candidates
from retirelink.storage.search_candidates import Candidate, Filters
from retirelink.storage.search_results import HitKind, SearchHit, SearchResult
from retirelink.storage.search_text import (
    CATALOGUE_BOOST_SHARE,
    EXACT_TITLE_BONUS,
    ParsedQuery,
    catalogue_weight,
    highlight,
    normalise,
    parse_query,
    rounded,
    snippet,
    text_score,
)

MAX_PAGE_SIZE = 100
EARLIEST_YEAR, LATEST_YEAR = 1800, 2200


_Ranked = tuple[tuple[float, int, int, int, int], Candidate]


def _ranked(candidate: Candidate, score: float) -> _Ranked:
    """Sort key: score (high first), catalogue hits before pages, material, page number,
    page id."""
    kind_order = 0 if candidate.kind is HitKind.MATERIAL else 1
    page_number, page_id = candidate.page_number or 0, candidate.page_id or 0
    return (-rounded(score), kind_order, candidate.material_id, page_number, page_id), candidate


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
    """Ranked page and catalogue hits for ``query`` (see the module docstrings).

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

    pages = page_candidates(session, parsed, filters, time_limit_ms)
    timed_out = pages is None
    pages = pages or []
    materials = catalogue_candidates(session, parsed, filters)
    cap = search_candidates.CANDIDATE_CAP
    capped = len(pages) > cap or len(materials) > cap
    ranked = [_ranked(c, _page_score(c, parsed)) for c in pages[:cap]]
    ranked += [_ranked(c, _material_score(c, parsed)) for c in materials[:cap]]
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
) -> Filters:
    for year, field in ((year_from, "year_from"), (year_to, "year_to")):
        if year is not None and not EARLIEST_YEAR <= year <= LATEST_YEAR:
            raise InvalidInputError(f"形成年份应在{EARLIEST_YEAR}到{LATEST_YEAR}之间", field=field)
    if year_from is not None and year_to is not None and year_from > year_to:
        raise InvalidInputError("起始年份不能晚于截止年份", field="year_from")
    return Filters(
        person_id=person_id,
        material_type=material_type or None,
        class_code=class_code or None,
        date_from=date(year_from, 1, 1) if year_from is not None else None,
        date_to=date(year_to + 1, 1, 1) if year_to is not None else None,
    )


def _page_score(candidate: Candidate, parsed: ParsedQuery) -> float:
    boost = sum(
        CATALOGUE_BOOST_SHARE * _weight(candidate, forms) for forms in parsed.catalogue_forms
    )
    return text_score(candidate.body, parsed.terms) + boost


def _material_score(candidate: Candidate, parsed: ParsedQuery) -> float:
    score = sum(_weight(candidate, forms) for forms in parsed.catalogue_forms)
    if normalise(candidate.title) == "".join(parsed.terms):
        score += EXACT_TITLE_BONUS
    return score


def _weight(candidate: Candidate, forms: Sequence[str]) -> float:
    return catalogue_weight(forms, candidate.title, candidate.person_name, candidate.archive_number)


def _hits(
    session: Session, chosen: list[tuple[float, Candidate]], parsed: ParsedQuery
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
