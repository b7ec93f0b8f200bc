"""Alembic environment: runs against the URL given by ``storage.migrate`` or the settings."""

from alembic import context
from sqlalchemy import Connection

import retirelink.storage.rows  # noqa: F401  (registers every table on the metadata)
from retirelink.storage.base import Base
from retirelink.storage.engine import make_engine

config = context.config

# Search objects migration 0005 creates beside the ORM tables, left out of drift checks by
# exact name: SQLite's FTS5 table and its shadow tables, PostgreSQL's GIN indexes.
SEARCH_OBJECTS = {
    "table": frozenset(
        {
            "page_search_fts",
            "page_search_fts_config",
            "page_search_fts_data",
            "page_search_fts_docsize",
            "page_search_fts_idx",
        }
    ),
    "index": frozenset(
        {
            "ix_page_search_documents_body_trgm",
            "ix_page_search_documents_grams",
            "ix_materials_title_trgm",
        }
    ),
}


def _include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    return name not in SEARCH_OBJECTS.get(type_, frozenset())


def _database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from retirelink.config import load_settings  # only when run as plain `alembic`

    return load_settings().database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        include_name=_include_name,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_database_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: run against a database")
run_migrations_online()
