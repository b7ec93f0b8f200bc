"""The clerk's first journey in a real headless Chromium (Debian's, driven by Playwright):
log in, search a 2-character name, see IDs masked, open a person, and find that read in
the audit trail — on the page and in the CLI."""

import os
import re
import subprocess
import sys
from collections import Counter

import pytest
from playwright.sync_api import expect

from tests.e2e.browsing import log_in, screenshot

pytestmark = pytest.mark.e2e

MASKED_ID = re.compile(r"^\d{6}\*{8}[\dX]{4}$")


def most_common_two_character_name(services) -> str:
    with services.uow() as uow:
        names = [
            p.name
            for p in uow.persons.search(name_prefix=None, id_prefix="1", offset=0, limit=1000)[0]
        ]
    counts = Counter(name for name in names if len(name) == 2)
    return counts.most_common(1)[0][0]


def test_clerk_searches_opens_a_person_and_the_read_is_in_the_ledger(
    demo_server, browser, services, tmp_path
):
    base_url, env = demo_server
    name = most_common_two_character_name(services)

    clerk = log_in(browser, base_url, "clerk")
    screenshot(clerk, "home", tmp_path)
    clerk.get_by_role("navigation", name="功能模块").get_by_role("link", name="档案管理").click()
    clerk.get_by_label("姓名或公民身份号码").fill(name)
    clerk.get_by_role("button", name="查询").click()

    rows = clerk.locator("table.grid tbody tr")
    expect(rows.first).to_be_visible()
    id_cells = clerk.locator("table.grid tbody td.mono").all_inner_texts()
    assert id_cells and all(MASKED_ID.match(cell) for cell in id_cells), id_cells
    assert all(
        cell.startswith(name[0])
        for cell in clerk.locator("table.grid tbody tr td:first-child").all_inner_texts()
    )
    screenshot(clerk, "search", tmp_path)

    rows.first.get_by_role("link", name="详情").click()
    expect(clerk.get_by_role("heading", level=1)).to_have_text("参保人详情")
    expect(clerk.locator("dd.mono").first).to_have_text(MASKED_ID)
    screenshot(clerk, "detail", tmp_path)

    auditor = log_in(browser, base_url, "auditadmin")
    auditor.goto(f"{base_url}/ledger?action=person.read")
    reads = auditor.locator("table.ledger tbody tr")
    expect(reads).to_have_count(1)
    expect(reads.first).to_contain_text("clerk")
    expect(reads.first).to_contain_text("参保人详情查看")
    auditor.get_by_role("button", name="校验哈希链").click()
    expect(auditor.locator("#verify-result")).to_contain_text("哈希链完整")
    screenshot(auditor, "ledger", tmp_path)

    tail = subprocess.run(
        [sys.executable, "-m", "retirelink", "ledger", "tail", "--action", "person.read"],
        env={**os.environ, **env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "clerk" in tail.stdout
    assert "参保人详情查看" in tail.stdout
