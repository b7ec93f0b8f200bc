"""`retirelink exchange` against a real database: reject, fix, apply, recognise a re-send."""

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from retirelink.cli import app
from tests.support.partner_files import (
    BAD_FILE,
    DEATH_ITEM,
    GOOD_FILE,
    NEXT_FILE,
    WANG,
    wrong_check_digit,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def run(seeded, settings, monkeypatch):
    monkeypatch.setenv("RETIRELINK_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("RETIRELINK_ENV", "test")
    monkeypatch.setenv("RETIRELINK_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("RETIRELINK_SECRET_KEY", settings.secret_key.get_secret_value())
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args))

    return invoke


@pytest.fixture
def files(tmp_path):
    def write(name, data):
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return write


def partner_records(settings):
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM partner_records")).scalar_one()
    finally:
        engine.dispose()


def test_a_bad_file_is_rejected_with_a_row_report_and_exit_code_1(run, files, settings):
    result = run("exchange", "import", files("bad.csv", BAD_FILE), "--item", DEATH_ITEM)

    assert result.exit_code == 1, result.output
    assert "整体拒收" in result.output
    assert "共 2 个问题" in result.output
    assert "公民身份号码" in result.output or "id_number" in result.output
    assert partner_records(settings) == 0


def test_the_fixed_file_is_applied_once_and_a_resend_is_recognised(run, files, settings):
    path = files("good.csv", GOOD_FILE)

    first = run("exchange", "import", path, "--item", DEATH_ITEM, "--user", "clerk")
    again = run("exchange", "import", path, "--item", DEATH_ITEM, "--user", "clerk")

    assert first.exit_code == 0, first.output
    assert "新入库 3 条" in first.output
    assert again.exit_code == 0, again.output
    assert "重复报送" in again.output
    assert partner_records(settings) == 3


def test_a_later_file_repeating_a_record_skips_it(run, files, settings):
    run("exchange", "import", files("good.csv", GOOD_FILE), "--item", DEATH_ITEM)

    result = run("exchange", "import", files("next.csv", NEXT_FILE), "--item", DEATH_ITEM)

    assert result.exit_code == 0, result.output
    assert "新入库 1 条" in result.output
    assert "跳过 1 条" in result.output
    assert partner_records(settings) == 4


def test_a_reviewer_is_refused(run, files, settings):
    result = run(
        "exchange",
        "import",
        files("good.csv", GOOD_FILE),
        "--item",
        DEATH_ITEM,
        "--user",
        "reviewer",
    )

    assert result.exit_code == 1
    assert partner_records(settings) == 0


def test_files_lists_received_files_with_status_and_counts(run, files):
    run("exchange", "import", files("bad.csv", BAD_FILE), "--item", DEATH_ITEM)
    run("exchange", "import", files("good.csv", GOOD_FILE), "--item", DEATH_ITEM)

    result = run("exchange", "files")

    assert result.exit_code == 0, result.output
    assert "已拒收" in result.output
    assert "已入库" in result.output
    assert "共 2 个文件" in result.output


def test_check_answers_with_the_evidence_and_masks_the_id(run, files):
    run("exchange", "import", files("good.csv", GOOD_FILE), "--item", DEATH_ITEM)

    dead = run("exchange", "check", WANG, "--on", "2026-10-05")
    before = run("exchange", "check", WANG, "--on", "2026-09-30")

    assert dead.exit_code == 0, dead.output
    assert "已死亡（1个部门报送），未在押服刑" in dead.output
    assert "2026-10-01" in dead.output
    assert WANG not in dead.output
    assert "无死亡记录" in before.output


def test_check_refuses_an_impossible_date_and_a_bad_id_in_chinese(run):
    impossible = run("exchange", "check", WANG, "--on", "2026-02-30")
    bad_id = run("exchange", "check", wrong_check_digit(WANG), "--on", "2026-10-05")

    assert impossible.exit_code == 1
    assert "日期应为 YYYY-MM-DD 且真实存在" in impossible.output
    assert bad_id.exit_code == 1
    assert "校验码" in bad_id.output


def test_a_pass_without_registered_partners_does_nothing_and_says_so(run):
    result = run("exchange", "run")

    assert result.exit_code == 0, result.output
    assert "待发请求：送达 0，待重试 0，失败 0" in result.output


def test_restart_feed_is_ledgered(run, settings):
    result = run("exchange", "restart-feed", "justice.prisoners_in_custody@table")

    assert result.exit_code == 0, result.output
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            actions = conn.execute(text("SELECT action FROM ledger_entries")).scalars().all()
            cursor = conn.execute(text("SELECT watermark FROM sync_cursors")).one()
    finally:
        engine.dispose()
    assert "exchange.sync_restart" in actions
    assert cursor.watermark is None
