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


def test_blobs_default_to_a_directory_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert (settings.blob_store, settings.blob_dir) == ("local", tmp_path / "blobs")


def test_blob_settings_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RETIRELINK_BLOB_STORE", "s3")
    monkeypatch.setenv("RETIRELINK_S3_ENDPOINT_URL", "http://minio.internal:9000")
    monkeypatch.setenv("RETIRELINK_S3_BUCKET", "retirelink-pages")
    monkeypatch.setenv("RETIRELINK_S3_PREFIX", "hebei/handan")
    monkeypatch.setenv("RETIRELINK_S3_ACCESS_KEY", "retirelink")
    monkeypatch.setenv("RETIRELINK_S3_SECRET_KEY", "minio-secret-value")
    monkeypatch.setenv("RETIRELINK_S3_CHECKSUM", "md5")
    monkeypatch.setenv("RETIRELINK_BLOB_DIR", str(tmp_path / "elsewhere"))
    settings = Settings()
    assert settings.blob_store == "s3"
    assert settings.blob_dir == tmp_path / "elsewhere"
    assert settings.s3_endpoint_url == "http://minio.internal:9000"
    assert (settings.s3_bucket, settings.s3_prefix) == ("retirelink-pages", "hebei/handan")
    assert settings.s3_checksum == "md5"
    assert settings.s3_secret_key is not None
    assert settings.s3_secret_key.get_secret_value() == "minio-secret-value"
    assert "minio-secret-value" not in repr(settings)


def test_s3_without_a_bucket_is_refused_in_chinese() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Settings(blob_store="s3")
    [error] = excinfo.value.errors()
    assert "RETIRELINK_S3_BUCKET" in error["msg"]
    assert CJK.search(error["msg"])


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"s3_bucket": "Upper_Case"}, "RETIRELINK_S3_BUCKET"),
        ({"s3_bucket": "ab"}, "RETIRELINK_S3_BUCKET"),
        ({"s3_bucket": "a..b"}, "RETIRELINK_S3_BUCKET"),
        ({"s3_bucket": "pages", "s3_endpoint_url": "minio:9000"}, "RETIRELINK_S3_ENDPOINT_URL"),
        ({"s3_bucket": "pages", "s3_access_key": "only-the-id"}, "RETIRELINK_S3_SECRET_KEY"),
        ({"s3_bucket": "pages", "s3_secret_key": "only-the-secret"}, "RETIRELINK_S3_ACCESS_KEY"),
        ({"s3_bucket": "pages", "s3_checksum": "crc32"}, "s3_checksum"),
        ({"s3_bucket": "pages", "s3_read_timeout_seconds": 0}, "s3_read_timeout_seconds"),
    ],
)
def test_bad_s3_settings_are_refused_naming_the_setting(
    overrides: dict[str, object], named: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        load_settings(blob_store="s3", **overrides)
    [error] = excinfo.value.errors()
    assert named in error["msg"] or named in error["loc"]


def test_empty_s3_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ENDPOINT_URL", "ACCESS_KEY", "SECRET_KEY"):
        monkeypatch.setenv(f"RETIRELINK_S3_{name}", "")
    settings = Settings(blob_store="s3", s3_bucket="pages")
    assert settings.s3_endpoint_url is None
    assert (settings.s3_access_key, settings.s3_secret_key) == (None, None)


def test_s3_settings_are_not_checked_for_the_local_store() -> None:
    assert Settings(s3_bucket="Not A Bucket").blob_store == "local"
