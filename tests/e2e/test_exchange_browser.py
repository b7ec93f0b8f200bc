"""A clerk sends a partner department's GBK file through 数据共享 in a real headless Chromium:
rejected with both bad rows listed, the fixed file applied, a re-send recognised."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import log_in, screenshot
from tests.support.partner_files import BAD_FILE, DEATH_ITEM, GOOD_FILE

pytestmark = pytest.mark.e2e


def send(page: Page, path: str) -> None:
    page.get_by_label("数据项").select_option(DEATH_ITEM)
    page.get_by_label("数据文件").set_input_files(path)
    page.get_by_role("button", name="上传并校验").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("数据文件接收结果")


def test_clerk_uploads_a_bad_file_then_the_fixed_one_then_resends_it(
    demo_server, browser, tmp_path
):
    base_url, _ = demo_server
    bad, good = tmp_path / "死亡名单-有误.csv", tmp_path / "死亡名单.csv"
    bad.write_bytes(BAD_FILE)
    good.write_bytes(GOOD_FILE)

    clerk = log_in(browser, base_url, "clerk")
    clerk.get_by_role("navigation", name="功能模块").get_by_role("link", name="数据共享").click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("数据共享")
    screenshot(clerk, "exchange-index", tmp_path)

    send(clerk, str(bad))
    expect(clerk.get_by_role("alert")).to_contain_text("已整体拒收")
    expect(clerk.get_by_role("alert")).to_contain_text("重新报送整个文件")
    row_numbers = clerk.locator("table.issues tbody td:first-child").all_inner_texts()
    assert row_numbers == ["3", "4"], row_numbers
    screenshot(clerk, "exchange-rejected", tmp_path)

    clerk.get_by_role("link", name="返回数据共享").click()
    send(clerk, str(good))
    expect(clerk.locator("p.ok")).to_contain_text("新入库 3 条")
    screenshot(clerk, "exchange-applied", tmp_path)

    clerk.get_by_role("link", name="返回数据共享").click()
    send(clerk, str(good))
    expect(clerk.locator("p.notice")).to_contain_text("该文件此前已接收")
    expect(clerk.locator("p.notice")).to_contain_text("本次未重复导入")
    screenshot(clerk, "exchange-duplicate", tmp_path)

    clerk.get_by_role("link", name="返回数据共享").click()
    listing = clerk.locator("table.grid tbody tr")
    expect(listing).to_have_count(2)
    expect(listing.first).to_contain_text("已入库")
    expect(listing.nth(1)).to_contain_text("已拒收")
