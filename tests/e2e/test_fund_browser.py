"""基金安全 in a real headless Chromium against a running server: the demo district's roll
checked against 公安's death file → the fund auditor opens 基金安全 from the navigation, opens
a death finding, sees 公安's record beside the payments made after the death and the rules'
computation, starts the check (开始核查), suspends the payment with a reason and reads both
decisions in the history."""

import pytest
from playwright.sync_api import expect

from retirelink.demo.loader import load_demo
from retirelink.exchange.services import import_partner_file
from retirelink.security.model import SYSTEM_ACTOR
from tests.e2e.browsing import log_in, screenshot
from tests.e2e.live_server import running_server

pytestmark = pytest.mark.e2e

DEATH_ITEM = "public_security.death_cancellation"


@pytest.fixture
def settings(settings):
    # Findings wait for a person (the automatic band would otherwise suspend at once).
    return settings.model_copy(update={"fund_auto_suspend": False})


@pytest.fixture
def checked_server(services, settings):
    """The demo district, 公安's death file as the demo writes it, one batch run."""
    load_demo(services, seed=7, persons=600)
    path = settings.data_dir / "demo" / "feeds" / "public_security" / "death_cancellation.csv"
    with services.uow() as uow:
        import_partner_file(
            uow,
            actor=SYSTEM_ACTOR,
            data=path.read_bytes(),
            filename=path.name,
            item_code=DEATH_ITEM,
            catalogue=services.catalogue,
            receipt_key=services.receipt_key,
        )
    run = services.run_fund_batch()
    assert run.summary["by_check"].get("death"), run.summary
    env = {
        "RETIRELINK_DATABASE_URL": settings.database_url,
        "RETIRELINK_SECRET_KEY": settings.secret_key.get_secret_value(),
        "RETIRELINK_ENV": "test",
        "RETIRELINK_DATA_DIR": str(settings.data_dir),
        "RETIRELINK_FUND_AUTO_SUSPEND": "false",
    }
    with running_server(env) as base_url:
        yield base_url


def test_the_fund_auditor_works_a_death_finding(browser, checked_server, tmp_path):
    page = log_in(browser, checked_server, "auditor")

    page.get_by_role("navigation", name="功能模块").get_by_role("link", name="基金安全").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("基金安全 · 预警")
    expect(page.locator("#fund-cards")).to_contain_text("死亡后继续领取")
    expect(page.locator("#runs")).to_contain_text("已完成")
    screenshot(page, "fund_list", tmp_path)
    page.get_by_label("规则", exact=True).select_option("death")
    page.get_by_role("button", name="筛选").click()
    death = page.locator("#findings tbody tr").first
    expect(death).to_contain_text("死亡后继续领取")
    death.get_by_role("link").first.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("死亡后继续领取")
    expect(page.locator("#partner-evidence")).to_contain_text("公安户籍死亡注销")
    expect(page.locator("#roll-evidence")).to_contain_text("起仍发放")
    expect(page.locator("#explanation")).to_contain_text("死亡后多发养老金")
    expect(page.locator("#finding-status")).to_have_text("预警")

    verify = page.locator('form[data-action="verify"]')
    verify.get_by_label("处理理由（开始核查）").fill("调取公安户籍死亡注销记录与发放明细核对")
    verify.get_by_role("button", name="开始核查").click()
    expect(page.locator("#finding-status")).to_have_text("核查中")

    suspend = page.locator('form[data-action="suspend"]')
    suspend.get_by_label("处理理由（核实属实，暂停发放）").fill("死亡属实，暂停发放并准备追回")
    suspend.get_by_role("button", name="核实属实，暂停发放").click()
    expect(page.locator("#finding-status")).to_have_text("已暂停发放")

    history = page.locator("#history")
    expect(history).to_contain_text("预警 → 核查中")
    expect(history).to_contain_text("调取公安户籍死亡注销记录与发放明细核对")
    expect(history).to_contain_text("核查中 → 已暂停发放")
    expect(history).to_contain_text("死亡属实，暂停发放并准备追回")
    expect(page.locator('form[data-action="recover"]')).to_be_visible()
    screenshot(page, "fund_page", tmp_path)
