"""archive search: normalised page text and its indexes (SQLite FTS5, PostgreSQL pg_trgm)

SQLite: ``page_search_fts``, a contentless FTS5 table with the trigram tokenizer and two
columns: ``body`` (the normalised text, for terms of 3+ characters) and ``grams`` (the same
text with a space between characters, where a one-character term is the trigram " 煤 "
and a two-character term the trigram "井 下"). Rowid = page id. Kept in step with
``page_search_documents`` by ``storage.archive_search`` (no SQL trigger can normalise or
split text).

PostgreSQL: pg_trgm GIN indexes on ``page_search_documents.body`` (terms of 3+
characters, LIKE) and on ``materials.title``; and a GIN index on
``retirelink_search_grams(body)``, the array of the text's characters and adjacent pairs,
for terms of one or two characters (pg_trgm cannot index those). Both are kept by
PostgreSQL itself.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Characters, then pairs starting at even and at odd offsets: every adjacent pair once.
# IMMUTABLE: it depends on its argument only, so an index may use it.
GRAMS_FUNCTION = r"""
CREATE FUNCTION retirelink_search_grams(body text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT string_to_array(body, NULL)
        || ARRAY(SELECT m[1] FROM regexp_matches(body, '..', 'g') AS m)
        || ARRAY(SELECT m[1] FROM regexp_matches(substr(body, 2), '..', 'g') AS m)
$$
"""


def upgrade() -> None:
    op.create_table(
        "page_search_documents",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["page_texts.page_id"],
            name=op.f("fk_page_search_documents_page_id_page_texts"),
        ),
        sa.PrimaryKeyConstraint("page_id", name=op.f("pk_page_search_documents")),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE page_search_fts USING fts5("
            "body, grams, tokenize='trigram', content='', detail='full')"
        )
        # Pending index data kept in memory before a segment is written (default 1 MB):
        # a bulk load of many pages in one transaction writes fewer, larger segments
        # (about 40 % faster); a single OCR page never comes near it.
        op.execute(
            "INSERT INTO page_search_fts (page_search_fts, rank) VALUES ('hashsize', 33554432)"
        )
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(GRAMS_FUNCTION)
    op.execute(
        "CREATE INDEX ix_page_search_documents_body_trgm "
        "ON page_search_documents USING gin (body gin_trgm_ops)"
    )
    op.execute(
        "CREATE INDEX ix_page_search_documents_grams "
        "ON page_search_documents USING gin (retirelink_search_grams(body))"
    )
    op.execute("CREATE INDEX ix_materials_title_trgm ON materials USING gin (title gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE page_search_fts")
    else:
        op.execute("DROP INDEX ix_materials_title_trgm")
        op.execute("DROP INDEX ix_page_search_documents_grams")
        op.execute("DROP INDEX ix_page_search_documents_body_trgm")
    op.drop_table("page_search_documents")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION retirelink_search_grams(text)")
        # pg_trgm stays: other databases' objects or a DBA may rely on it.
