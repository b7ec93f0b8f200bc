"""Shared fixtures. The database backend follows RETIRELINK_DATABASE_URL: SQLite when unset,
PostgreSQL when CI points it at a fresh database."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from retirelink.bootstrap import Services, build
from retirelink.clock import FixedClock
from retirelink.config import Settings
from retirelink.storage import migrate
from retirelink.web.app import create_app
from tests.support.builders import seed_departments_and_users
from tests.support.databases import (
    configured_url,
    empty_postgres,
    fresh_sqlite_copy,
    is_postgres,
    migrated_sqlite_template,
    scratch_postgres,
)

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
# A Monday in Beijing office hours; every legal date in tests is relative to it.
TEST_NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def _database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | Path]:
    url = configured_url()
    if url and is_postgres(url):
        with scratch_postgres(url) as scratch:
            migrate.upgrade(scratch)
            yield scratch
    else:
        yield migrated_sqlite_template(tmp_path_factory.mktemp("db"))


@pytest.fixture
def database_url(_database_template: str | Path, tmp_path: Path) -> Iterator[str]:
    if isinstance(_database_template, Path):
        yield fresh_sqlite_copy(_database_template, tmp_path)
        return
    empty_postgres(_database_template)
    yield _database_template


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        data_dir=tmp_path,
        secret_key=TEST_SECRET,
    )


@pytest.fixture
def services(settings: Settings, clock: FixedClock) -> Iterator[Services]:
    built = build(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def seeded(services: Services) -> Services:
    """Services over a database holding the 社保 department and one user per role."""
    seed_departments_and_users(services)
    return services


@pytest.fixture
def client(seeded: Services) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.settings, services=seeded)) as test_client:
        yield test_client
