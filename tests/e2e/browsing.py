"""Driving Debian's headless Chromium with Playwright: launch flags, logging in, screenshots."""

import os
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from retirelink.demo.loader import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
# Flags for a sandboxed CI box with no network: no background fetches, no GPU.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def log_in(browser: Browser, base_url: str, username: str) -> Page:
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{base_url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
    return page


def screenshot(page: Page, name: str, tmp_path: Path) -> None:
    # Set RETIRELINK_SCREENSHOTS to keep the pictures for a human to look at.
    folder = Path(os.environ.get("RETIRELINK_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
