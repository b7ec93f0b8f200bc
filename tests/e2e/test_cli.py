"""The `retirelink` CLI against a real database, as an operator would use it."""

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from retirelink.cli import app

pytestmark = pytest.mark.e2e

PASSWORD = "Strong@2026pw"


@pytest.fixture
def run(settings, monkeypatch):
    monkeypatch.setenv("RETIRELINK_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("RETIRELINK_ENV", "test")
    monkeypatch.setenv("RETIRELINK_SECRET_KEY", settings.secret_key.get_secret_value())
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input)

    return invoke


@pytest.fixture
def department(run):
    result = run(
        "departments", "add", "SHEBAO", "峰峰矿区社会保险事业管理中心", "--kind", "social_security"
    )
    assert result.exit_code == 0, result.output


def create_user(run, username, role):
    return run(
        "users",
        "create",
        username,
        "--name",
        "张敏",
        "--department",
        "SHEBAO",
        "--role",
        role,
        "--password",
        PASSWORD,
    )


def test_db_current_reports_the_head_revision(run):
    result = run("db", "current")

    assert result.exit_code == 0
    assert "已是最新" in result.output


def test_db_check_finds_no_drift(run):
    result = run("db", "check")

    assert result.exit_code == 0, result.output
    assert "一致" in result.output


def test_users_create_then_grant_a_second_role(run, department):
    created = create_user(run, "zhangmin", "clerk")
    granted = run("users", "grant", "zhangmin", "reviewer")

    assert created.exit_code == 0, created.output
    assert "窗口受理员" in created.output
    assert granted.exit_code == 0, granted.output
    assert "复核员" in granted.output


def test_granting_a_second_admin_role_breaks_separation_of_duties(run, department):
    create_user(run, "admin1", "sys_admin")

    result = run("users", "grant", "admin1", "audit_admin")

    assert result.exit_code == 1
    assert "三员分立" in result.output


def test_creating_a_user_with_a_weak_password_is_refused_in_chinese(run, department):
    result = run(
        "users", "create", "weak", "--name", "弱", "--department", "SHEBAO", "--password", "123"
    )

    assert result.exit_code == 1
    assert "密码至少" in result.output


def test_ledger_verify_passes_and_then_names_the_tampered_entry(run, department, services):
    create_user(run, "zhangmin", "clerk")
    assert run("ledger", "verify").exit_code == 0

    with services.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_entries SET actor_name = 'nobody' WHERE seq = 1"))
    result = run("ledger", "verify")

    assert result.exit_code == 1
    assert "第 1 条" in result.output


def test_ledger_tail_lists_entries_with_chinese_labels(run, department):
    result = run("ledger", "tail", "--limit", "5")

    assert result.exit_code == 0
    assert "登记协同部门" in result.output


def test_demo_bulk_writes_csv_and_parquet_files_with_the_asked_count(run, tmp_path):
    out = tmp_path / "bulk"

    result = run("demo", "bulk", str(out), "--persons", "3000")

    assert result.exit_code == 0, result.output
    persons_csv = (out / "persons.csv").read_text(encoding="utf-8").splitlines()
    assert len(persons_csv) == 3000 + 1  # header
    assert (out / "persons.parquet").stat().st_size > 0


def test_demo_load_twice_skips_what_is_already_there(run):
    first = run("demo", "load", "--persons", "50")
    second = run("demo", "load", "--persons", "50", "--if-empty")
    third = run("demo", "load", "--persons", "50")

    assert first.exit_code == 0, first.output
    assert "参保人 50 人" in first.output
    assert "跳过演示数据加载" in second.output
    assert "已存在跳过 50 人" in third.output
    assert "Retire@2026" in first.output
