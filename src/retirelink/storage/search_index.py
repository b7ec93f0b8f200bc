"""Archive search, write side: the page-text index kept in step with ``page_texts``.

Called by the OCR writer in the transaction that writes ``page_texts``:
:func:`index_page_text`, :func:`index_page_texts` (bulk), :func:`remove_page_text`,
:func:`rebuild_search_index`; :func:`optimize_search_index` after a bulk load. What the
index holds and how it is searched: :mod:`retirelink.storage.page_text_candidates`
("How"); the read side: :mod:`retirelink.storage.archive_search`.

**Index upkeep** is explicit rather than by triggers: the indexed form (NFKC, case
folding, characters split apart) cannot be computed in SQLite SQL, and a Python function
registered on connections would break every other writer (the sqlite3 shell, backups,
migrations). ``page_search_documents`` keeps the indexed text, which SQLite's contentless
FTS table needs to delete a page's old entries exactly; its foreign key to ``page_texts``
makes a delete of indexed text fail loudly until :func:`remove_page_text` has run.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from retirelink.storage.base import IN_LIST_CHUNK
from retirelink.storage.search_text import normalise, spaced


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
