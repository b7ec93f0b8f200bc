"""A clerk works the 数据共享 pages in a real headless Chromium: 交换作业, 共享目录 and 协同部门
through the sub-navigation, then resolves a 数据异议 through its form."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from retirelink.exchange.model import BreakerState, PartnerHealth
from retirelink.exchange.services import import_partner_file
from retirelink.security.masking import mask_id_number
from tests.conftest import TEST_NOW
from tests.e2e.browsing import log_in, screenshot
from tests.support.builders import actor_for, make_id_number
from tests.support.partner_files import DEATH_ITEM, death_csv
from tests.support.partner_registry import write_registry

pytestmark = pytest.mark.e2e

CERTIFICATE_ITEM = "health.death_medical_certificate"
# Born 1941 with a sequence the demo generator does not use: nobody the demo district holds.
DECEASED = make_id_number("19410101", sequence="987")


def open_dispute(services) -> None:
    """公安 and 卫健 disagree on the date of death, written to the server's own database."""
    clerk = actor_for(services, "clerk")
    for item, day, name in (
        (DEATH_ITEM, "2026-10-01", "gongan.csv"),
        (CERTIFICATE_ITEM, "2026-09-28", "weijian.csv"),
    ):
        with services.uow() as uow:
            import_partner_file(
                uow,
                actor=clerk,
                data=death_csv([(DECEASED, "钱永福", day)]),
                filename=name,
                item_code=item,
                catalogue=services.catalogue,
                receipt_key=services.receipt_key,
            )


def register_partners(services, settings) -> None:
    write_registry(settings)
    with services.uow() as uow:
        uow.partner_health.save(
            PartnerHealth(
                "health",
                BreakerState.OPEN,
                3,
                False,
                TEST_NOW - timedelta(hours=2),
                TEST_NOW,
                "卫健系统连接超时（5秒）",
                None,
                TEST_NOW,
            )
        )
        uow.commit()


def tab(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="数据共享栏目").get_by_role(
        "link", name=name, exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"数据共享 · {name}")


def test_clerk_opens_the_exchange_pages_and_resolves_a_dispute(
    demo_server, browser, services, settings, tmp_path
):
    base_url, _ = demo_server
    open_dispute(services)
    register_partners(services, settings)

    clerk = log_in(browser, base_url, "clerk")
    clerk.get_by_role("navigation", name="功能模块").get_by_role("link", name="数据共享").click()

    tab(clerk, "交换作业")
    jobs = clerk.locator("table.jobs tbody tr")
    expect(jobs).to_have_count(2)
    expect(jobs.first).to_contain_text("weijian.csv")
    expect(jobs.first).to_contain_text("文件传输")
    screenshot(clerk, "exchange-jobs", tmp_path)
    jobs.first.get_by_role("link", name="weijian.csv").click()
    expect(clerk.get_by_role("heading", level=1)).to_have_text("数据文件接收结果")
    expect(clerk.locator("section", has=clerk.get_by_role("heading", name="回执"))).to_contain_text(
        "共 1 条，接收 1 条，拒收 0 条"
    )
    screenshot(clerk, "exchange-job", tmp_path)

    tab(clerk, "共享目录")
    medical = clerk.locator("article", has=clerk.get_by_role("heading", name="诊疗病历明细"))
    expect(medical.locator(".tag")).to_have_text("不予共享")
    expect(medical).to_contain_text("个人信息保护法")
    screenshot(clerk, "exchange-catalogue", tmp_path)

    tab(clerk, "协同部门")
    expect(clerk.locator("section.partner")).to_have_count(6)
    health = clerk.locator("section.partner", has_text="WEIJIAN-130406")
    expect(health).to_contain_text("已熔断（暂停调用）")
    expect(health).to_contain_text("卫健系统连接超时（5秒）")
    screenshot(clerk, "exchange-partners", tmp_path)

    tab(clerk, "数据异议")
    row = clerk.locator("table.disputes tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(mask_id_number(DECEASED))
    expect(row).to_contain_text("待发送")
    row.get_by_role("link").click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("数据异议 #")
    expect(clerk.locator("table.compare")).to_contain_text("2026-09-28")
    expect(clerk.locator("table.compare")).to_contain_text("2026-10-01")
    assert DECEASED not in clerk.content()
    clerk.get_by_label("来源部门的核实答复").fill("经卫健核实，死亡日期为2026-09-28，公安已更正。")
    clerk.get_by_role("button", name="登记处理结果并办结").click()
    expect(clerk.get_by_role("status").first).to_contain_text("该数据异议已办结")
    expect(clerk.get_by_text("经卫健核实，死亡日期为2026-09-28，公安已更正。")).to_be_visible()
    screenshot(clerk, "exchange-dispute-resolved", tmp_path)

    tab(clerk, "数据异议")
    expect(clerk.locator("table.disputes tbody tr")).to_contain_text("已处理")
