"""Test databases: a migrated SQLite file copied per test, or one PostgreSQL database
(from RETIRELINK_DATABASE_URL) migrated once and emptied between tests."""

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL

from retirelink.storage import migrate

TABLES_IN_DELETE_ORDER = (
    "fund_finding_events",
    "fund_findings",
    "fund_runs",
    "pension_payments",
    "pension_roll",
    "life_signs",
    "archive_facts",
    "page_search_documents",
    "page_texts",
    "pages",
    "ingest_items",
    "ingest_batches",
    "lending_requests",
    "materials",
    "archives",
    "blobs",
    "background_jobs",
    "business_archives",
    "partner_records",
    "exchange_receipts",
    "data_disputes",
    "outbox_messages",
    "exchange_nonces",
    "sync_cursors",
    "partner_health",
    "exchange_jobs",
    "user_sessions",
    "users",
    "persons",
    "employers",
    "departments",
    "ledger_entries",
)


def configured_url() -> str | None:
    """The database the suite was asked to run against (CI sets it for PostgreSQL)."""
    return os.environ.get("RETIRELINK_DATABASE_URL") or None


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def _admin_url(url: URL) -> str:
    return url.set(database="postgres").render_as_string(hide_password=False)


@contextmanager
def scratch_postgres(base_url: str, prefix: str = "rl_test") -> Iterator[str]:
    """A brand-new PostgreSQL database on the same server, dropped afterwards."""
    url = make_url(base_url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_admin_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrated_sqlite_template(directory: Path) -> Path:
    template = directory / "template.db"
    migrate.upgrade(f"sqlite:///{template}")
    return template


def fresh_sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / "retirelink.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def empty_postgres(url: str) -> None:
    """Delete every row and restore the ledger head, keeping the schema."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(TABLES_IN_DELETE_ORDER)
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        conn.execute(text("UPDATE ledger_head SET seq = 0, entry_hash = :h"), {"h": "0" * 64})
    engine.dispose()
