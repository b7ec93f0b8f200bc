"""Rows of archive search: the normalised text of each indexed page.

The search indexes themselves are not ORM tables: on SQLite an FTS5 virtual table
(``page_search_fts``), on PostgreSQL GIN indexes on this table (pg_trgm, and a gram array
for one- and two-character terms). Migration 0005 creates them; ``migrations/env.py``
leaves them out of drift checks by name.
"""

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from retirelink.storage.base import Base


class PageSearchDocumentRow(Base):
    """What the search index holds for a page: ``storage.search_text.normalise(text)``.

    Written only by ``storage.search_index`` (index_page_text and friends), which keeps
    the SQLite FTS table in step with it; the row must go (``remove_page_text``) before the
    page's ``page_texts`` row can be deleted.
    """

    __tablename__ = "page_search_documents"

    page_id: Mapped[int] = mapped_column(ForeignKey("page_texts.page_id"), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
