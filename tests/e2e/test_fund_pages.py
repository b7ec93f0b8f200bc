"""基金安全 pages over HTTP: the findings list with its cards, filters and runs; one finding
with the evidence of both sides, the rules' explanation and its history; the lifecycle
verify → suspend → recover (plan) → close; refusals (empty reason, stale form, no
permission) in 中文 with nothing changed; the XLSX and PDF reports, ledgered; the CLI report.

The data is made by the real services: four pensioners on the roll (paid through October
2026), 公安's death file for two of them imported, then a batch run. Two died (death
findings, automatic band) and the two without any sign of life since their certification
cycle draw certification findings (review band)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from pypdf import PdfReader
from typer.testing import CliRunner

from retirelink.cli import app as cli_app
from retirelink.documents.fund_report import build_report, fund_report_xlsx
from retirelink.exchange.services import import_partner_file
from retirelink.fundcheck.findings import FindingFilter, FindingStatus
from retirelink.fundcheck.model import (
    LifeSignSource,
    PayStatus,
    RollEntry,
    Scheme,
    SignOfLife,
)
from retirelink.ledger.model import LedgerAction
from retirelink.rules.calendar import YearMonth
from retirelink.rules.payments import PaidPeriod
from retirelink.security.masking import mask_id_number
from retirelink.security.model import SYSTEM_ACTOR
from tests.e2e.helpers import csrf_from, ledger_actions, logged_in
from tests.support.builders import actor_for, make_person
from tests.support.partner_files import DEATH_ITEM, LI, SUN, WANG, ZHAO, death_csv

pytestmark = pytest.mark.e2e

PEOPLE = (
    (101, WANG, "王建国", date(1950, 1, 1)),
    (102, LI, "李秀英", date(1952, 2, 2)),
    (103, ZHAO, "赵德明", date(1954, 3, 3)),
    (104, SUN, "孙玉兰", date(1956, 4, 4)),
)
MONTHLY = Decimal("3000.00")


def _entry(pension_id: int, id_number: str, name: str, born: date) -> RollEntry:
    return RollEntry(
        pension_id=pension_id,
        id_number=id_number,
        name=name,
        birth_date=born,
        sex="1",
        scheme=Scheme.EMPLOYEE,
        region="130406",
        first_month=date(2015, 6, 1),
        monthly_amount=MONTHLY,
        status=PayStatus.PAYING,
        paid_through=date(2026, 10, 1),
        bank_account=f"62170000100{pension_id:05d}",
        payee_name=name,
    )


def _load_roll(services) -> None:
    with services.uow() as uow:
        for _, id_number, name, _ in PEOPLE:
            uow.persons.add(make_person(id_number=id_number, name=name))
        uow.commit()
    entries = [_entry(*person) for person in PEOPLE]
    paid = [
        (entry.pension_id, PaidPeriod(YearMonth(2015, 6), YearMonth(2026, 10), MONTHLY))
        for entry in entries
    ]
    # 赵 and 孙 were seen at the hospital in September: alive, nothing to find.
    signs = [
        SignOfLife(id_number, LifeSignSource.MEDICAL_SETTLEMENT, date(2026, 9, 1), "YB-0901")
        for _, id_number, _, _ in PEOPLE[2:]
    ]
    with services.uow() as uow:
        person_ids = uow.fund.person_ids([entry.id_number for entry in entries])
        uow.fund.add_roll(entries, paid, signs, person_ids)
        uow.commit()


def _import_deaths(services) -> None:
    data = death_csv([(WANG, "王建国", "2026-06-10"), (LI, "李秀英", "2026-08-02")])
    with services.uow() as uow:
        import_partner_file(
            uow,
            actor=actor_for(services, "clerk"),
            data=data,
            filename="gongan-deaths.csv",
            item_code=DEATH_ITEM,
            catalogue=services.catalogue,
            receipt_key=services.receipt_key,
        )


def _finding_ids(services) -> dict[tuple[str, str], int]:
    with services.uow() as uow:
        found = uow.fund.findings(FindingFilter(), limit=100)
    return {(finding.check.value, finding.name): finding.id for finding in found}


@pytest.fixture
def settings(settings):
    """Every finding waits for a person here (the automatic band's suspension is a setting):
    the pages' lifecycle starts from a warning."""
    return settings.model_copy(update={"fund_auto_suspend": False})


@pytest.fixture
def guarded(seeded):
    """The roll, 公安's deaths and one batch run (by the system)."""
    _load_roll(seeded)
    _import_deaths(seeded)
    seeded.run_fund_batch()
    return _finding_ids(seeded)


@pytest.fixture
def wang_death(guarded):
    return guarded[("death", "王建国")]


def _status(services, finding_id: int) -> FindingStatus:
    with services.uow() as uow:
        finding = uow.fund.finding(finding_id)
    assert finding is not None
    return finding.status


def _decide(client, finding_id: int, action: str, reason: str, **extra: str):
    """Post the action's form exactly as the detail page shows it."""
    page = client.get(f"/fund/findings/{finding_id}")
    assert f'data-action="{action}"' in page.text, f"{action} is not offered"
    expected = page.text.split('name="expected" value="', 1)[1].split('"', 1)[0]
    form = {
        "csrf_token": csrf_from(page.text),
        "action": action,
        "expected": expected,
        "reason": reason,
        **extra,
    }
    return client.post(f"/fund/findings/{finding_id}/decide", data=form, follow_redirects=False)


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_every_finding_the_cards_and_the_run(client, guarded):
    logged_in(client, "auditor")

    page = client.get("/fund")

    assert page.status_code == 200
    assert "共 4 条" in page.text
    # The fund auditor may read personal data unmasked.
    assert "王建国" in page.text and WANG in page.text
    assert "2026-06-10死亡，2026年7月起应停发，已多发4个月" in page.text
    assert 'data-check="death"' in page.text and 'data-check="certification"' in page.text
    # Death: 12,000.00 (王, four months) + 6,000.00 (李, two months) at risk.
    assert "18,000.00" in page.text
    assert "已追回 <strong>0.00</strong> 元" in page.text
    for finding_id in guarded.values():
        assert f'href="/fund/findings/{finding_id}"' in page.text
    runs = page.text.split('id="runs"', 1)[1]
    assert '<td class="num">4</td>' in runs  # persons checked
    assert "死亡后继续领取 2" in runs and "未完成资格认证仍在领取 2" in runs
    assert 'href="/fund"' in client.get("/").text  # the module is in the navigation


def test_the_filters_show_the_right_rows(client, guarded):
    logged_in(client, "auditor")

    deaths = client.get("/fund", params={"check": "death"})
    automatic = client.get("/fund", params={"band": "automatic"})
    wang = client.get("/fund", params={"id_number": WANG.lower()})
    verifying = client.get("/fund", params={"status": "verifying"})

    assert "共 2 条" in deaths.text and "认证周期未认证" not in deaths.text
    assert "共 2 条" in automatic.text and "李秀英" in automatic.text
    assert "共 2 条" in wang.text and "李秀英" not in wang.text
    assert "共 0 条" in verifying.text and "没有符合条件的预警" in verifying.text


def test_an_unknown_filter_is_a_chinese_error(client, guarded):
    logged_in(client, "auditor")

    bad_check = client.get("/fund", params={"check": "bogus"})
    bad_number = client.get("/fund", params={"id_number": "130406"})

    assert bad_check.status_code == 422 and "核查规则不存在" in bad_check.text
    assert bad_number.status_code == 422 and "公民身份号码" in bad_number.text


def test_a_clerk_without_the_fund_permission_is_refused_in_chinese(client, guarded, seeded):
    logged_in(client, "clerk")
    csrf = csrf_from(client.get("/").text)

    listing = client.get("/fund")
    detail = client.get(f"/fund/findings/{guarded[('death', '王建国')]}")
    report = client.get("/fund/report.xlsx")
    run = client.post("/fund/runs", data={"csrf_token": csrf})

    for response in (listing, detail, report, run):
        assert response.status_code == 403
        assert "当前角色无权执行此操作" in response.text
    assert not ledger_actions(seeded, LedgerAction.FUND_FINDING_READ.value)


def test_the_auditor_runs_a_batch_from_the_page_and_sees_its_result(client, guarded, seeded):
    logged_in(client, "auditor")
    csrf = csrf_from(client.get("/fund").text)

    ran = client.post("/fund/runs", data={"csrf_token": csrf}, follow_redirects=False)
    page = client.get(ran.headers["location"])

    assert ran.status_code == 303 and ran.headers["location"] == "/fund?run=2"
    assert "第2次批量核查已完成：核查 4 人" in page.text
    assert "新增预警 0 条，已有预警再次命中 4 条" in page.text
    assert "共 4 条" in page.text  # a second run finds the same findings, never new ones


# --- one finding ---------------------------------------------------------------------------


def test_the_detail_shows_both_sides_the_explanation_and_is_ledgered(client, seeded, wang_death):
    logged_in(client, "auditor")
    before = len(ledger_actions(seeded, LedgerAction.FUND_FINDING_READ.value))

    page = client.get(f"/fund/findings/{wang_death}")

    assert page.status_code == 200
    left = page.text.split('id="partner-evidence"', 1)[1].split("</td>", 1)[0]
    right = page.text.split('id="roll-evidence"', 1)[1].split("</td>", 1)[0]
    assert "公安·公安户籍死亡注销" in left and "2026-06-10" in left
    assert "2026年7月起仍发放" in right and "每月3000.00元" in right
    steps = page.text.split('id="explanation"', 1)[1]
    assert "停发月份" in steps and "死亡月份 + 停发口径" in steps and "2026-07" in steps
    assert "死亡后多发养老金" in steps and "12000.00" in steps
    history = page.text.split('id="history"', 1)[1]
    assert "规则（自动）" in history and "规则死亡后继续领取，置信度" in history
    for label in ("开始核查", "核实属实，暂停发放", "排除（误报）"):
        assert label in page.text
    assert "立案追回" not in page.text  # not from a warning
    assert len(ledger_actions(seeded, LedgerAction.FUND_FINDING_READ.value)) == before + 1


def test_an_unknown_finding_is_a_404(client, guarded):
    logged_in(client, "auditor")
    page = client.get("/fund/findings/9999")
    assert page.status_code == 404 and "未找到该预警" in page.text


def test_verify_suspend_recover_and_close_with_the_plan_shown(client, seeded, wang_death):
    logged_in(client, "auditor")

    verified = _decide(client, wang_death, "verify", "调取公安死亡注销记录核对")
    suspended = _decide(client, wang_death, "suspend", "死亡属实，自下月起暂停发放")
    recovered = _decide(
        client,
        wang_death,
        "recover",
        "家属同意退还",
        survivor_offset="1200.00",
        fraud="1",
        instalments="3",
    )
    page = client.get(f"/fund/findings/{wang_death}")

    for response in (verified, suspended, recovered):
        assert response.status_code == 303, response.text
    assert _status(seeded, wang_death) is FindingStatus.RECOVERY
    plan = page.text.split('id="recovery"', 1)[1].split("</section>", 1)[0]
    # 12,000.00 overpaid − 1,200.00 survivor benefits = 10,800.00 in three instalments.
    assert "10800.00" in plan and "1200.00" in plan
    assert "第1期 3600.00 元；第2期 3600.00 元；第3期 3600.00 元" in plan
    assert "24000.00 元至 60000.00 元" in plan  # fraud: two to five times 12,000.00
    with seeded.uow() as uow:
        recovery = uow.fund.finding(wang_death).recovery
    assert sum(Decimal(part) for part in recovery["instalments"]) == Decimal(recovery["to_recover"])
    assert 'data-action="close"' in page.text and 'data-action="dismiss"' not in page.text

    closed = _decide(client, wang_death, "close", "追回完毕，办结")
    history = client.get(f"/fund/findings/{wang_death}").text.split('id="history"', 1)[1]

    assert closed.status_code == 303
    assert _status(seeded, wang_death) is FindingStatus.CLOSED
    for reason in ("调取公安死亡注销记录核对", "家属同意退还", "追回完毕，办结"):
        assert reason in history
    assert "追回中 → 已办结" in history
    assert len(ledger_actions(seeded, LedgerAction.FUND_FINDING_DECIDED.value)) == 4


def test_instalments_that_do_not_divide_evenly_still_sum_to_the_amount(client, seeded, guarded):
    li = guarded[("death", "李秀英")]  # 6,000.00 overpaid
    logged_in(client, "auditor")
    _decide(client, li, "verify", "核对")

    response = _decide(client, li, "recover", "分七期", instalments="7")

    assert response.status_code == 303
    with seeded.uow() as uow:
        plan = uow.fund.finding(li).recovery
    assert len(plan["instalments"]) == 7 and "fine" not in plan
    assert sum(Decimal(part) for part in plan["instalments"]) == Decimal("6000.00")


def test_bad_recovery_terms_are_refused_in_chinese(client, seeded, wang_death):
    logged_in(client, "auditor")
    _decide(client, wang_death, "verify", "核对")

    too_much = _decide(client, wang_death, "recover", "追回", survivor_offset="99999")
    not_money = _decide(client, wang_death, "recover", "追回", survivor_offset="一千")
    too_many = _decide(client, wang_death, "recover", "追回", instalments="61")

    assert too_much.status_code == 422 and "遗属待遇抵扣金额应在0与多发金额之间" in too_much.text
    assert not_money.status_code == 422 and "遗属待遇抵扣金额应为金额" in not_money.text
    assert too_many.status_code == 422 and "分期数应为1至60期" in too_many.text
    assert _status(seeded, wang_death) is FindingStatus.VERIFYING


def test_a_dismissal_without_a_reason_is_refused_and_nothing_changes(client, seeded, guarded):
    finding_id = guarded[("certification", "李秀英")]
    logged_in(client, "auditor")
    decided = len(ledger_actions(seeded, LedgerAction.FUND_FINDING_DECIDED.value))

    response = _decide(client, finding_id, "dismiss", "   ")

    assert response.status_code == 422
    assert "请填写处理理由" in response.text
    assert _status(seeded, finding_id) is FindingStatus.WARNING
    assert len(ledger_actions(seeded, LedgerAction.FUND_FINDING_DECIDED.value)) == decided
    history = response.text.split('id="history"', 1)[1]
    assert "→" not in history  # only the opening entry


def test_two_conflicting_decisions_the_second_is_told_in_chinese(client, seeded, wang_death):
    logged_in(client, "auditor")
    # Two people have the same page open, both showing the finding as a warning.
    page = client.get(f"/fund/findings/{wang_death}")
    form = {"csrf_token": csrf_from(page.text), "expected": "warning"}
    path = f"/fund/findings/{wang_death}/decide"

    first = client.post(path, data={**form, "action": "verify", "reason": "先核查"})
    second = client.post(path, data={**form, "action": "dismiss", "reason": "误报"})
    again = client.post(path, data={**form, "expected": "", "action": "verify", "reason": "再核"})

    assert first.status_code == 200  # followed to the detail page
    assert second.status_code == 409
    assert "该预警已被他人处理，当前状态为“核查中”" in second.text
    assert again.status_code == 409 and "预警当前为“核查中”，不能开始核查" in again.text
    assert _status(seeded, wang_death) is FindingStatus.VERIFYING


# --- reports -------------------------------------------------------------------------------


def test_the_xlsx_report_has_the_summary_and_every_finding_with_text_ids(client, seeded, guarded):
    logged_in(client, "auditor")

    response = client.get("/fund/report.xlsx")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["汇总", "预警明细"]
    summary = [row for row in workbook["汇总"].iter_rows(values_only=True) if any(row)]
    assert summary[0][0] == "基金安全核查报告"
    by_label = {row[0]: row for row in summary}
    assert by_label["核查人数（名册条数）"][1] == 4
    assert by_label["死亡后继续领取"][1:5] == (2, 2, 18000, 18000)
    assert by_label["已追回"][1] == 0
    assert by_label["追回中"][1] == 0
    details = workbook["预警明细"]
    header = [cell.value for cell in details[1]]
    assert header[:5] == ["编号", "规则", "姓名", "公民身份号码", "待遇号"]
    assert details.max_row == 1 + len(guarded)
    numbers = [row[3] for row in details.iter_rows(min_row=2)]
    assert {cell.value for cell in numbers} == {WANG, LI}
    assert all(cell.data_type == "s" and cell.number_format == "@" for cell in numbers)
    evidence = [row[13].value for row in details.iter_rows(min_row=2)]
    assert any(
        "[部门记录] 公安·公安户籍死亡注销" in text and "[发放记录]" in text for text in evidence
    )
    exported = ledger_actions(seeded, LedgerAction.FUND_REPORT_EXPORTED.value)
    assert len(exported) == 1 and exported[0].actor_name == "auditor"


def test_the_xlsx_report_follows_the_filters(client, guarded):
    logged_in(client, "auditor")

    response = client.get("/fund/report.xlsx", params={"check": "death"})

    workbook = load_workbook(io.BytesIO(response.content))
    details = workbook["预警明细"]
    assert details.max_row == 1 + 2
    assert {row[1].value for row in details.iter_rows(min_row=2)} == {"死亡后继续领取"}
    filters = {row[0]: row[1] for row in workbook["汇总"].iter_rows(values_only=True)}
    assert filters["筛选条件"] == "规则：死亡后继续领取"


def test_a_report_for_a_role_without_unmasked_reading_is_masked(seeded, guarded):
    with seeded.uow() as uow:
        report = build_report(uow, actor=SYSTEM_ACTOR, where=FindingFilter(), export_format="xlsx")

    details = load_workbook(io.BytesIO(fund_report_xlsx(report)))["预警明细"]
    numbers = {row[3].value for row in details.iter_rows(min_row=2)}
    names = {row[2].value for row in details.iter_rows(min_row=2)}
    assert numbers == {mask_id_number(WANG), mask_id_number(LI)}
    assert names == {"王**", "李**"}
    assert not report.unmasked


def test_the_pdf_report_is_a_pdf_with_the_chinese_title(client, seeded, wang_death):
    logged_in(client, "auditor")
    _decide(client, wang_death, "verify", "核对")

    response = client.get("/fund/report.pdf", params={"status": "verifying"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "基金安全核查报告" in text
    assert "状态：核查中" in text and "王建国" in text
    assert len(ledger_actions(seeded, LedgerAction.FUND_REPORT_EXPORTED.value)) == 1


def test_the_cli_writes_both_reports(seeded, guarded, settings, monkeypatch, tmp_path):
    for name, value in {
        "RETIRELINK_DATABASE_URL": settings.database_url,
        "RETIRELINK_ENV": "test",
        "RETIRELINK_SECRET_KEY": settings.secret_key.get_secret_value(),
        "RETIRELINK_DATA_DIR": str(settings.data_dir),
    }.items():
        monkeypatch.setenv(name, value)
    xlsx, pdf = tmp_path / "report.xlsx", tmp_path / "report.pdf"

    result = CliRunner().invoke(
        cli_app, ["fund", "report", "--xlsx", str(xlsx), "--pdf", str(pdf), "--check", "death"]
    )
    nothing = CliRunner().invoke(cli_app, ["fund", "report"])

    assert result.exit_code == 0, result.output
    printed = "".join(result.output.split())  # the console wraps long lines
    assert "已写出XLSX报告" in printed and "已写出PDF报告" in printed and "（2条预警）" in printed
    assert pdf.read_bytes().startswith(b"%PDF")
    details = load_workbook(xlsx)["预警明细"]
    assert {row[3].value for row in details.iter_rows(min_row=2)} == {
        mask_id_number(WANG),
        mask_id_number(LI),
    }
    assert nothing.exit_code == 1 and "请用 --xlsx 或 --pdf" in nothing.output
    assert len(ledger_actions(seeded, LedgerAction.FUND_REPORT_EXPORTED.value)) == 2
