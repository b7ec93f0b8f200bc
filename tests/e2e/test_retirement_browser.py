"""退休一件事 in a real headless Chromium against a running server and the partner simulators:
pre-review flags a missing 转正定级表 → the employer's 经办员 uploads its scan online → the
archivist receives it and the checklist clears → the employer applies online → the tasks
complete in parallel (公安, 公积金 and 医保 answer over HTTP) → the
clerk determines → a reviewer approves → the applicant downloads the 审批表 PDF with the
受理编号 and the ID number. And the rejected path: special-job years short."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from retirelink.demo.loader import DEMO_PASSWORD, load_demo
from retirelink.partners.registry import write_registry
from retirelink.partners.server import SimulatorConfig, running_partners
from retirelink.rules import YearMonth
from retirelink.security.model import SYSTEM_ACTOR
from retirelink.workflow.model import ItemCode
from retirelink.workflow.services import list_checklists, run_prereview
from tests.e2e.browsing import log_in, screenshot
from tests.e2e.live_server import running_server
from tests.support.insured import applicant_accounts, digitised_archive, miner
from tests.support.scans import encode, text_page

pytestmark = pytest.mark.e2e

SEED, PERSONS = 7, 600
BANK_ACCOUNT = "6222021304000012349"


@pytest.fixture
def district(services, settings):
    load_demo(services, seed=SEED, persons=PERSONS)
    config = SimulatorConfig.for_tests(persons=PERSONS, seed=SEED, as_of=services.clock.today())
    with running_partners(config) as sims:
        write_registry(settings.partners_file, sims.registry())
        yield sims


def _prereview(services):
    run_prereview(
        services.uow, actor=SYSTEM_ACTOR, months=6, params=services.parameters, region="130406"
    )
    with services.uow() as uow:
        return list_checklists(uow, actor=SYSTEM_ACTOR, status=None, limit=1000)[0]


def _only_the_grading_form_missing(services, sims):
    """A demo person due within six months, known to 公积金, whose archive (digitised here
    without its 转正定级表) lacks nothing else."""
    accounts = sims.datasets().housing_accounts
    for stored in _prereview(services):
        with services.uow() as uow:
            person = uow.persons.get(stored.checklist.person_id)
            record = uow.insured.get(person.id)
        account = accounts.get(person.id_number)
        if account is None or account.name != person.name:
            continue
        first = min(span.start for span in record.employments)
        digitised_archive(
            services,
            person,
            born=f"{person.birth_date.year}年{person.birth_date.month}月{person.birth_date.day}日",
            work_start=f"{first.year}年{first.month}月",
            grading=False,
        )
        run_prereview(
            services.uow, actor=SYSTEM_ACTOR, months=6, params=services.parameters, region="130406"
        )
        with services.uow() as uow:
            items = uow.checklists.get(person.id).checklist.items
        if [item.code for item in items] == [ItemCode.MISSING_MATERIAL]:
            return person
    raise AssertionError("no demo person with only the grading form missing")


def _special_job_short(services):
    """周平: 井下 from 1988-03 to 1996-12 — 106 months, two short of 国发〔1978〕104号's nine
    years — applying for special-job early retirement at 55."""
    return miner(services, name="周平", underground_until=YearMonth(1997, 1))


@pytest.fixture
def server(services, settings, district):
    env = {
        "RETIRELINK_DATABASE_URL": settings.database_url,
        "RETIRELINK_SECRET_KEY": settings.secret_key.get_secret_value(),
        "RETIRELINK_ENV": "test",
        "RETIRELINK_DATA_DIR": str(settings.data_dir),
        "RETIRELINK_PARTNERS_FILE": str(settings.partners_file),
        # The server's own worker runs the daily pre-review and works the tasks.
        "RETIRELINK_WORKFLOW_WORKER": "true",
        "RETIRELINK_WORKFLOW_INTERVAL_SECONDS": "1",
    }
    with running_server(env) as base_url:
        yield base_url


def _apply(page: Page, base_url: str, id_number: str, route: str = "statutory") -> str:
    page.goto(f"{base_url}/applications")
    page.get_by_label("公民身份号码").fill(id_number)
    page.get_by_label("退休类型").select_option(route)
    page.get_by_label("开户银行").fill("邯郸银行峰峰支行")
    page.get_by_label("银行卡号").fill(BANK_ACCOUNT)
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("TX130406-")
    return page.get_by_role("heading", level=1).inner_text().split("· ")[1].strip()


def _wait_for_state(page: Page, label: str) -> None:
    for _ in range(60):
        if page.locator("#state").inner_text() == label:
            return
        page.wait_for_timeout(500)
        page.reload()
    tasks = page.locator("#tasks").inner_text()
    expect(page.locator("#state"), tasks).to_have_text(label)


def _decide(browser, base_url, application_url, *, grant: bool, tmp_path, name: str) -> None:
    clerk = log_in(browser, base_url, "clerk")
    clerk.goto(application_url)
    if grant:
        clerk.get_by_role("button", name="核定：同意退休").click()
    else:
        clerk.get_by_label("核定意见（不予批准时必填）").fill(
            "特殊工种年限不足，不符合提前退休条件"
        )
        clerk.get_by_role("button", name="核定：不予批准").click()
    expect(clerk.locator("#state")).to_have_text("已核定，待复核")
    expect(clerk.get_by_role("button", name="复核通过")).to_have_count(0)
    reviewer = log_in(browser, base_url, "reviewer")
    reviewer.goto(application_url)
    reviewer.get_by_role("button", name="复核通过").click()
    expect(reviewer.locator("#state")).to_have_text("已批准退休" if grant else "不予批准")
    screenshot(reviewer, f"{name}-decided", tmp_path)


def _employer_hands_in_the_grading_form(browser, base_url, person, tmp_path) -> None:
    employer = log_in(browser, base_url, "danwei")
    employer.goto(f"{base_url}/my")
    case = employer.locator(f'section[data-person="{person.id}"]')
    expect(case.locator(".to-supply")).to_contain_text("转正定级表")
    form = case.get_by_role("form", name=re.compile("上传补充材料"))
    form.get_by_label("材料类型").select_option("regularisation_grading")
    form.get_by_label("材料形成日期").fill("1985-03-01")
    form.get_by_label("扫描件").set_input_files(
        {"name": "转正定级表.jpg", "mimeType": "image/jpeg", "buffer": _grading_form_scan()}
    )
    form.get_by_role("button", name="提交补充材料").click()
    expect(employer.get_by_role("status")).to_contain_text("等待档案部门接收")
    screenshot(employer, "employer-hands-in", tmp_path)


def _grading_form_scan() -> bytes:
    page = text_page((2480, 3508), seal=True)
    return encode(page, "JPEG", dpi=(300, 300), quality=80)


def _archivist_receives_it(browser, base_url, tmp_path) -> None:
    archivist = log_in(browser, base_url, "archivist")
    archivist.goto(f"{base_url}/supplements")
    expect(archivist.locator("#supplements")).to_contain_text("转正定级表")
    screenshot(archivist, "archivist-queue", tmp_path)
    archivist.get_by_role("button", name="接收归档").click()
    expect(archivist.get_by_text("没有待接收的补充材料")).to_be_visible()


def _employer_applies(browser, base_url, tmp_path) -> tuple[str, int]:
    employer = log_in(browser, base_url, "danwei")
    employer.goto(f"{base_url}/my")
    expect(employer.locator("[data-checklist]").first).to_have_text("已补正")
    employer.get_by_text("为该职工申报退休").click()
    form = employer.get_by_role("form", name=re.compile("申请退休"))
    form.get_by_label("开户银行").fill("邯郸银行峰峰支行")
    form.get_by_label("银行卡号").fill(BANK_ACCOUNT)
    form.get_by_role("button", name="提交退休申请").click()
    expect(employer.get_by_role("heading", level=1)).to_contain_text("TX130406-")
    screenshot(employer, "employer-applied", tmp_path)
    reference = employer.get_by_role("heading", level=1).inner_text().split("· ")[1].strip()
    return reference, int(employer.url.rstrip("/").split("/")[-1])


def _applicant_download(browser, base_url, reference, id_number, tmp_path) -> Path:
    applicant = browser.new_page(locale="zh-CN", accept_downloads=True)
    applicant.goto(f"{base_url}/progress")
    applicant.get_by_label("受理编号").fill(reference)
    applicant.get_by_label("公民身份号码").fill(id_number)
    applicant.get_by_role("button", name="查询").click()
    expect(applicant.locator("#state")).to_have_text("已批准退休")
    screenshot(applicant, "progress", tmp_path)
    with applicant.expect_download() as download:
        applicant.get_by_role("button", name="下载职工退休审批表（PDF）").click()
    # Kept beside the screenshots (RETIRELINK_SCREENSHOTS) for a human to look at.
    folder = Path(os.environ.get("RETIRELINK_SCREENSHOTS", tmp_path))
    target = folder / "approval-form.pdf"
    download.value.save_as(target)
    return target


def test_the_whole_path_from_pre_review_to_the_downloaded_form(
    services, district, server, browser, tmp_path
):
    person = _only_the_grading_form_missing(services, district)
    base_url = server

    clerk = log_in(browser, base_url, "clerk")
    clerk.goto(f"{base_url}/prereview/{person.id}")
    expect(clerk.get_by_text("转正定级表").first).to_be_visible()
    expect(clerk.get_by_role("cell", name="用人单位").first).to_be_visible()
    screenshot(clerk, "prereview", tmp_path)

    applicant_accounts(services, person, DEMO_PASSWORD)
    _employer_hands_in_the_grading_form(browser, base_url, person, tmp_path)
    _archivist_receives_it(browser, base_url, tmp_path)
    clerk.goto(f"{base_url}/prereview/{person.id}")
    expect(clerk.get_by_text("已补正").first).to_be_visible()

    reference, application_id = _employer_applies(browser, base_url, tmp_path)
    application_url = f"{base_url}/applications/{application_id}"
    clerk.goto(application_url)
    expect(clerk.get_by_text("单位网上申报").first).to_be_visible()
    _wait_for_state(clerk, "待核定")
    housing = clerk.locator('tr[data-task="housing_fund"]')
    expect(housing).to_contain_text("GJJ-TQ-")
    expect(clerk.locator('tr[data-task="identity"]')).to_contain_text("姓名一致")
    expect(clerk.locator('tr[data-status="done"]')).to_have_count(8)
    expect(clerk.locator('tr[data-task="cross_province"]')).to_contain_text(
        "partner:全国参保登记信息库"
    )
    screenshot(clerk, "application-ready", tmp_path)
    received = district.received("GJJ", "withdrawal")
    assert [entry.payload["request_id"] for entry in received] == [f"{reference}-GJJ"]

    _decide(browser, base_url, application_url, grant=True, tmp_path=tmp_path, name="granted")

    pdf = _applicant_download(browser, base_url, reference, person.id_number, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    own = log_in(browser, base_url, "geren")  # the person, signed in, sees the same
    own.goto(f"{base_url}/my/applications/{application_id}")
    expect(own.locator("#state")).to_have_text("已批准退休")
    expect(own.get_by_role("link", name="下载职工退休审批表（PDF）")).to_be_visible()


def test_the_rejected_path_special_job_years_short(services, district, server, browser, tmp_path):
    person = _special_job_short(services)
    base_url = server

    clerk = log_in(browser, base_url, "clerk")
    _apply(clerk, base_url, person.id_number, route="special_job")
    application_url = clerk.url
    _wait_for_state(clerk, "不符合条件（待核定）")
    archive = clerk.locator('tr[data-task="archive_review"]')
    expect(archive).to_contain_text("不符合特殊工种提前退休条件")
    screenshot(clerk, "application-not-eligible", tmp_path)

    _decide(browser, base_url, application_url, grant=False, tmp_path=tmp_path, name="refused")
    with services.uow() as uow:
        assert uow.insured.get(person.id).status.value == "insured"
