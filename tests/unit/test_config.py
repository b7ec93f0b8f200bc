"""Settings: validation of secrets outside dev, defaults, and RETIRELINK_* variables."""

import os
import re
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from retirelink.config import PLACEHOLDER_SECRET, Settings, load_settings

CJK = re.compile(r"[\u4e00-\u9fff]")
LONG_SECRET = "s" * 32


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI may set RETIRELINK_DATABASE_URL and friends; these tests start from nothing."""
    for name in list(os.environ):
        if name.upper().startswith("RETIRELINK_"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize("env", ["prod", "test"])
@pytest.mark.parametrize("secret", [PLACEHOLDER_SECRET, "s" * 31], ids=["placeholder", "31-chars"])
def test_outside_dev_a_placeholder_or_short_secret_is_refused_in_chinese(
    env: str, secret: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Settings(env=env, secret_key=SecretStr(secret))
    [error] = excinfo.value.errors()
    assert "RETIRELINK_SECRET_KEY" in error["msg"]
    assert CJK.search(error["msg"])


def test_outside_dev_a_secret_of_32_characters_is_accepted() -> None:
    settings = Settings(env="prod", secret_key=SecretStr(LONG_SECRET))
    assert settings.secret_key.get_secret_value() == LONG_SECRET


def test_dev_accepts_the_placeholder_secret() -> None:
    assert Settings().secret_key.get_secret_value() == PLACEHOLDER_SECRET


def test_the_database_defaults_to_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'retirelink.db'}"


def test_an_explicit_database_url_is_kept(tmp_path: Path) -> None:
    url = "postgresql+psycopg://rl@db/retirelink"
    assert Settings(data_dir=tmp_path, database_url=url).database_url == url


def test_settings_are_read_from_retirelink_environment_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RETIRELINK_ENV", "prod")
    monkeypatch.setenv("RETIRELINK_SECRET_KEY", LONG_SECRET)
    monkeypatch.setenv("RETIRELINK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RETIRELINK_PORT", "9000")
    monkeypatch.setenv("RETIRELINK_LEDGER_HASH", "sha256")
    settings = Settings()
    assert (settings.env, settings.port, settings.ledger_hash) == ("prod", 9000, "sha256")
    assert settings.database_url == f"sqlite:///{tmp_path / 'retirelink.db'}"


def test_a_production_environment_without_a_secret_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RETIRELINK_ENV", "prod")
    with pytest.raises(ValidationError):
        Settings()


def test_keyword_overrides_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETIRELINK_PORT", "9000")
    assert load_settings(port=9100).port == 9100


@pytest.mark.parametrize(
    ("name", "value"),
    [("session_idle_seconds", 59), ("login_max_failures", 0), ("ledger_hash", "md5")],
)
def test_out_of_range_values_are_refused(name: str, value: object) -> None:
    with pytest.raises(ValidationError):
        load_settings(**{name: value})
