"""The digital archive repository in a real headless Chromium: an archivist uploads a scan,
sees the quality report; a clerk returns it for rescanning; the rescan passes the window
check and a different reviewer warehouses it; OCR reads the page; the reviewer confirms the
birth date read from the 招工登记表, finds the page by full-text search (a two-character
query) and views it watermarked; the person page shows the birth date with the page that
proves it."""

import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import expect

from retirelink.archives.cataloguing import MaterialEntry, catalogue_material, open_archive
from retirelink.archives.holdings import DatePrecision, FuzzyDate
from retirelink.archives.material_classes import ArchiveKind, MaterialType
from retirelink.archives.ocr_engine import ocr_available
from retirelink.bootstrap import build
from retirelink.security.model import SYSTEM_ACTOR
from tests.e2e.browsing import log_in, screenshot
from tests.support.scans import encode

pytestmark = pytest.mark.e2e


def _font(size: int) -> ImageFont.FreeTypeFont:
    path = subprocess.run(
        ["fc-match", "-f", "%{file}", "Noto Sans CJK SC"], capture_output=True, text=True
    ).stdout
    return ImageFont.truetype(path, size)


def _form_page(lines: list[str], *, dpi: int) -> bytes:
    scale = dpi / 200
    page = Image.new("RGB", (int(1654 * scale), int(2339 * scale)), (250, 249, 245))
    draw = ImageDraw.Draw(page)
    font = _font(int(46 * scale))
    for number, text in enumerate(lines):
        draw.text(
            (int(140 * scale), int((160 + number * 110) * scale)),
            text,
            font=font,
            fill=(25, 25, 25),
        )
    seal = (int(1050 * scale), int(1700 * scale), int(1400 * scale), int(2050 * scale))
    draw.ellipse(seal, outline=(200, 30, 30), width=int(10 * scale))
    return encode(page, "JPEG", dpi=(dpi, dpi), quality=88)


def _catalogued_archive(services) -> tuple[str, str, str]:
    """An archive with a 招工登记表 (1 page) for the first demo person; (number, id, name)."""
    with services.uow() as uow:
        person = uow.persons.get(1)
        assert person is not None
        archive = open_archive(
            uow,
            actor=SYSTEM_ACTOR,
            id_number=person.id_number,
            archive_number="E2E-0001",
            kind=ArchiveKind.ENTERPRISE_WORKER,
            custodian="峰峰矿区社保中心档案室",
            location="A-01-1",
        )
        catalogue_material(
            uow,
            actor=SYSTEM_ACTOR,
            archive_id=archive.id or 0,
            entry=MaterialEntry(
                "9-2",
                MaterialType.RECRUITMENT_REGISTRATION,
                "招工登记表",
                FuzzyDate(
                    person.birth_date.replace(year=person.birth_date.year + 18, day=1),
                    DatePrecision.MONTH,
                ),
                1,
            ),
        )
        uow.commit()
    return archive.archive_number, person.id_number, person.name


@pytest.mark.skipif(not ocr_available(), reason="the OCR extra (rapidocr) is not installed")
def test_ingest_review_ocr_search_and_view(
    demo_server, services, settings, browser, tmp_path: Path
):
    base_url, _ = demo_server
    number, id_number, name = _catalogued_archive(services)
    born = f"{int(id_number[6:10])}.{int(id_number[10:12])}"
    low = tmp_path / "9-2_1_001.jpg"
    low.write_bytes(_form_page(["招工登记表", f"姓名 {name}", f"出生年月 {born}"], dpi=150))

    archivist = log_in(browser, base_url, "archivist")
    archivist.goto(f"{base_url}/archives?q={number}")
    archivist.get_by_role("link", name=number).click()
    archivist.get_by_label("扫描文件").set_input_files(str(low))
    archivist.get_by_role("button", name="上传并检查").click()
    expect(archivist.get_by_role("heading", level=1)).to_contain_text("质量检查报告")
    expect(archivist.locator("table.grid")).to_contain_text("分辨率150 dpi低于")
    screenshot(archivist, "archives-batch-rejected", tmp_path)

    clerk = log_in(browser, base_url, "clerk")
    clerk.goto(archivist.url)
    expect(clerk.get_by_role("button", name="初审通过")).to_have_count(0)
    clerk.get_by_label("退回原因（退回时必填）").fill("分辨率不足，按300 dpi重扫")
    clerk.get_by_role("button", name="退回").click()
    expect(clerk.locator("dl.facts")).to_contain_text("窗口初审退回：分辨率不足")

    good = tmp_path / "rescan" / "9-2_1_001.jpg"
    good.parent.mkdir()
    good.write_bytes(_form_page(["招工登记表", f"姓名 {name}", f"出生年月 {born}"], dpi=300))
    archivist.goto(f"{base_url}/archives?q={number}")
    archivist.get_by_role("link", name=number).click()
    archivist.get_by_label("扫描文件").set_input_files(str(good))
    archivist.get_by_role("button", name="上传并检查").click()
    expect(archivist.locator("table.grid")).to_contain_text("合格")
    batch_url = archivist.url

    clerk.goto(batch_url)
    clerk.get_by_role("button", name="初审通过").click()
    expect(clerk.locator("dl.facts")).to_contain_text("待入库复审")
    reviewer = log_in(browser, base_url, "reviewer")
    reviewer.goto(batch_url)
    reviewer.get_by_role("button", name="复审通过，入库").click()
    expect(reviewer.locator("dl.facts")).to_contain_text("已入库")
    screenshot(reviewer, "archives-batch-warehoused", tmp_path)

    # The server's OCR worker is off in tests: run the queued job here with the real engine,
    # on the server's (system) clock, which queued it.
    live = build(settings)
    try:
        summary = live.run_ocr()
    finally:
        live.close()
    assert summary.done == 1, summary

    reviewer.get_by_role("link", name="信息审核").click()
    card = reviewer.locator("section.fact-card").filter(has_text="出生日期")
    expect(card).to_contain_text(born)
    screenshot(reviewer, "archives-facts", tmp_path)
    card.get_by_role("button", name="确认").click()
    expect(reviewer.locator("section.fact-card").filter(has_text="出生日期")).to_have_count(0)

    reviewer.get_by_role("link", name="全文检索").click()
    # Two characters: the query FTS5's trigram index alone would silently miss.
    reviewer.get_by_label("检索词").fill("年月")
    reviewer.get_by_role("button", name="检索").click()
    hit = reviewer.locator("li.hit").filter(has_text="页面全文").first
    expect(hit.locator("mark").first).to_have_text("年月")
    screenshot(reviewer, "archives-search", tmp_path)
    hit.get_by_role("link").first.click()
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text("招工登记表")
    image = reviewer.locator("figure.page-image img")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") > 0
    expect(reviewer.locator("pre.ocr-text")).to_contain_text("招工登记表")
    screenshot(reviewer, "archives-page-viewer", tmp_path)

    reviewer.goto(f"{base_url}/persons/1")
    section = reviewer.locator("section").filter(has_text="人事档案与认定")
    expect(section).to_contain_text("出生时间认定")
    expect(section).to_contain_text("招工登记表")
    expect(section.locator("img")).to_have_count(1)
    screenshot(reviewer, "person-birth-evidence", tmp_path)
