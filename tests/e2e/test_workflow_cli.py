"""`retirelink prereview` and `retirelink apply` against a real database, as an operator
would use them. The CLI runs on the real clock, so the applicant is born to reach the
statutory age within the coming months, whatever day the suite runs."""

from datetime import date

import pytest
from typer.testing import CliRunner

from retirelink.cli import app
from retirelink.clock import SystemClock
from retirelink.rules import RetirementCategory, YearMonth, statutory_retirement
from tests.support.insured import digitised_archive, insured_person, register_test_employer

pytestmark = pytest.mark.e2e

BANK = ("--bank-name", "邯郸银行峰峰支行", "--bank-account", "6222021304000012349")


@pytest.fixture
def run(settings, monkeypatch):
    monkeypatch.setenv("RETIRELINK_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("RETIRELINK_ENV", "test")
    monkeypatch.setenv("RETIRELINK_SECRET_KEY", settings.secret_key.get_secret_value())
    monkeypatch.setenv("RETIRELINK_DATA_DIR", str(settings.data_dir))
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args))

    return invoke


def _birth_due_in_two_months(services) -> date:
    """A man's birth date whose statutory month (附件1) is two or three months from today."""
    today = SystemClock().today()
    target = YearMonth(today.year, today.month).plus(2)
    birth = target.plus(-60 * 12)
    while True:
        month = statutory_retirement(
            RetirementCategory.MALE, birth, on=today, params=services.parameters
        ).retirement_month
        if month <= target.plus(1):
            return date(birth.year, birth.month, 15)
        birth = birth.plus(-1)


@pytest.fixture
def applicant(seeded):
    born = _birth_due_in_two_months(seeded)
    register_test_employer(seeded)
    person = insured_person(seeded, birth=born.strftime("%Y%m%d"), name="王建国", months=240)
    digitised_archive(seeded, person, born=f"{born.year}年{born.month}月{born.day}日")
    return person


def test_prereview_run_finds_the_person_and_show_prints_the_checklist(run, applicant):
    ran = run("prereview", "run", "--months", "6", "--no-notify")
    shown = run("prereview", "show", applicant.id_number)

    assert ran.exit_code == 0, ran.output
    assert "到龄 1 人" in ran.output
    assert shown.exit_code == 0, shown.output
    assert "王建国" in shown.output and "出生年月（退休认定）" in shown.output


def test_apply_submit_works_the_tasks_and_show_and_list_find_it(run, applicant):
    submitted = run("apply", "submit", applicant.id_number, *BANK)

    assert submitted.exit_code == 0, submitted.output
    assert "已受理：TX130406-" in submitted.output
    assert "档案审核" in submitted.output and "缴费记录核验" in submitted.output
    reference = submitted.output.split("已受理：")[1].split("（")[0]
    # No partner department is registered here: their tasks wait for a person, named.
    assert "待人工处理" in submitted.output

    again = run("apply", "submit", applicant.id_number, *BANK)
    shown = run("apply", "show", reference)
    listed = run("apply", "list")
    worked = run("apply", "work")

    assert again.exit_code == 0 and "该月份已申请过，返回原申请" in again.output
    assert shown.exit_code == 0 and reference in shown.output
    assert listed.exit_code == 0 and "共 1 件" in listed.output
    assert worked.exit_code == 0 and "办结 0 项" in worked.output


def test_apply_submit_with_a_wrong_card_number_is_a_chinese_error(run, applicant):
    result = run(
        "apply",
        "submit",
        applicant.id_number,
        "--bank-name",
        "邯郸银行",
        "--bank-account",
        "6222021304000012348",
    )

    assert result.exit_code == 1
    assert "银行卡号校验位错误" in result.output
    assert "共 0 件" in run("apply", "list").output


def test_apply_show_of_an_unknown_reference_is_a_chinese_error(run, applicant):
    result = run("apply", "show", "TX130406-20000101-000001")

    assert result.exit_code == 1 and "没有该受理编号的退休申请" in result.output
