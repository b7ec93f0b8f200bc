"""Fixtures for the browser tests: a real `retirelink serve` over demo data, and Chromium."""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from retirelink.demo.loader import load_demo
from tests.e2e.browsing import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.live_server import running_server


@pytest.fixture
def demo_server(services, settings):
    load_demo(services, seed=7, persons=600)
    env = {
        "RETIRELINK_DATABASE_URL": settings.database_url,
        "RETIRELINK_SECRET_KEY": settings.secret_key.get_secret_value(),
        "RETIRELINK_ENV": "test",
        "RETIRELINK_DATA_DIR": str(settings.data_dir),
    }
    with running_server(env) as base_url:
        yield base_url, env


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is required: apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
