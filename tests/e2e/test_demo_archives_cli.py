"""`retirelink demo archives`: folders of rendered pages for the loaded district, opened and
catalogued in the repository with --open."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytestmark = pytest.mark.e2e


@pytest.fixture
def run(settings, monkeypatch):
    from retirelink.cli import app

    monkeypatch.setenv("RETIRELINK_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("RETIRELINK_ENV", "test")
    monkeypatch.setenv("RETIRELINK_SECRET_KEY", settings.secret_key.get_secret_value())
    monkeypatch.setenv("RETIRELINK_DATA_DIR", str(settings.data_dir))
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args))

    return invoke


def test_demo_archives_writes_folders_for_the_loaded_district_and_opens_them(
    run, tmp_path: Path
) -> None:
    loaded = run("demo", "load", "--persons", "3", "--seed", "11")
    assert loaded.exit_code == 0, loaded.output
    out = tmp_path / "archives"

    result = run(
        "demo", "archives", "--persons", "2", "--out", str(out), "--workers", "1", "--open"
    )

    assert result.exit_code == 0, result.output
    assert "已生成档案 2 份" in result.output
    assert "页/秒" in result.output
    assert "已建档 2 份" in result.output
    register = json.loads((out / "archives.json").read_text("utf-8"))
    assert sorted(register) == ["130406-000001", "130406-000002"]
    # The loaded district's persons: the archives belong to the ID numbers demo load wrote.
    careers = (tmp_path / "demo" / "careers.csv").read_text("utf-8-sig")
    assert all(entry["id_number"] in careers for entry in register.values())
    scans = [p for p in (out / "130406-000001").iterdir() if p.name != "catalogue.csv"]
    assert scans and all(p.suffix in {".jpg", ".tif", ".png", ".pdf"} for p in scans)
    assert json.loads((out / "planted.json").read_text("utf-8"))["archives"] == 2

    again = run("demo", "archives", "--persons", "2", "--out", str(out), "--open")
    assert again.exit_code == 0, again.output
    assert "已有档案跳过 2 份" in again.output
