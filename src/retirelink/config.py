"""Settings: one validated object, read from RETIRELINK_* environment variables.

Built by ``load_settings()`` in the entrypoints (web, CLI, Alembic env) and passed down;
never constructed at import time.
"""

import re
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me-dev-only"

Environment = Literal["dev", "test", "prod"]

# S3 bucket names: 3–63 lower-case letters, digits, dots and hyphens, starting and ending
# with a letter or digit.
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def _blobs_in_data_dir(data: dict[str, Any]) -> Path:
    return Path(data.get("data_dir", Path("var"))) / "blobs"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RETIRELINK_", extra="ignore")

    env: Environment = "dev"
    data_dir: Path = Path("var")
    database_url: str = ""
    secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    host: str = "127.0.0.1"
    port: int = 8000
    session_max_age_seconds: int = Field(default=8 * 3600, ge=60)
    session_idle_seconds: int = Field(default=30 * 60, ge=60)
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_seconds: int = Field(default=15 * 60, ge=1)
    ledger_hash: Literal["sm3", "sha256"] = "sm3"
    secure_cookies: bool = False
    # The partner registry (docs/exchange.md); default <data_dir>/partners/partners.json.
    partners_file: Path | None = None
    # The exchange worker thread of the web server (inbox, feeds, outbox): on by default
    # except in tests, which run passes explicitly.
    exchange_worker: bool | None = None
    exchange_interval_seconds: float = Field(default=30.0, gt=0)
    # The OCR worker thread of the web server (queued pages of ingested scans): on by default
    # when the OCR extra is installed, except in tests, which run OCR jobs explicitly.
    ocr_worker: bool | None = None
    ocr_interval_seconds: float = Field(default=10.0, gt=0)
    # The agency's pooling region (统筹地区, GB/T 2260): regional legal parameters such as the
    # personal-account start month are read for it. Default: the demo district (峰峰矿区).
    region: str = Field(default="130406", pattern=r"^\d{6}$")
    # PostgreSQL archive search: the longest one page-text statement may run before the
    # search stops and says its page results may be incomplete (docs/archives.md).
    search_time_limit_ms: int = Field(default=1500, ge=100, le=60_000)
    # The workflow worker of the web server: sends queued notices every interval and runs
    # the pre-review (预审) of the next PREREVIEW_MONTHS months once a day. Off in tests.
    workflow_worker: bool | None = None
    workflow_interval_seconds: float = Field(default=60.0, gt=0)
    prereview_months: int = Field(default=6, ge=1, le=24)
    # The fund guard's continuous mode (基金安全): partner records received since the last
    # round are checked every interval (a pushed death reaches a warning within it). Off in
    # tests, which run rounds explicitly. Three-band triage thresholds on a finding's
    # confidence: at or above ``automatic`` a warning acts at once, at or above ``review`` a
    # person decides, below it the finding is kept as dismissed.
    fund_worker: bool | None = None
    fund_interval_seconds: float = Field(default=10.0, gt=0)
    fund_automatic_threshold: float = Field(default=0.9, gt=0, le=1)
    fund_review_threshold: float = Field(default=0.5, gt=0, le=1)
    # The automatic band suspends (暂停) a pension still being paid at once, the rule being
    # the decider on record; off: every finding waits for a person.
    fund_auto_suspend: bool = True
    # Page images and their derivatives (docs/archives.md "Blob storage"): a directory tree
    # (default <data_dir>/blobs) or an S3-compatible object store (MinIO, Ceph RGW).
    blob_store: Literal["local", "s3"] = "local"
    blob_dir: Path = Field(default_factory=_blobs_in_data_dir)
    s3_endpoint_url: str | None = None
    s3_bucket: str = ""
    s3_prefix: str = "blobs"
    s3_access_key: str | None = None
    s3_secret_key: SecretStr | None = None
    s3_region: str = "us-east-1"
    s3_checksum: Literal["auto", "sha256", "md5"] = "auto"
    s3_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    s3_read_timeout_seconds: float = Field(default=30.0, gt=0)
    s3_max_attempts: int = Field(default=3, ge=1, le=10)

    @model_validator(mode="after")
    def _default_database_in_data_dir(self) -> Self:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'retirelink.db'}"
        return self

    @model_validator(mode="after")
    def _worker_off_in_tests(self) -> Self:
        if self.exchange_worker is None:
            self.exchange_worker = self.env != "test"
        if self.ocr_worker is None:
            self.ocr_worker = self.env != "test"
        if self.fund_worker is None:
            self.fund_worker = self.env != "test"
        if self.workflow_worker is None:
            self.workflow_worker = self.env != "test"
        return self

    @model_validator(mode="after")
    def _default_partners_file_in_data_dir(self) -> Self:
        if self.partners_file is None:
            self.partners_file = self.data_dir / "partners" / "partners.json"
        return self

    @model_validator(mode="after")
    def _s3_needs_a_bucket_and_both_keys(self) -> Self:
        # An empty variable (RETIRELINK_S3_ACCESS_KEY=) means "not set".
        self.s3_endpoint_url = self.s3_endpoint_url or None
        self.s3_access_key = self.s3_access_key or None
        if self.s3_secret_key is not None and not self.s3_secret_key.get_secret_value():
            self.s3_secret_key = None
        if self.blob_store != "s3":
            return self
        if not self.s3_bucket:
            raise ValueError(
                "RETIRELINK_BLOB_STORE=s3 时必须设置 RETIRELINK_S3_BUCKET（存储桶名称）"
            )
        if not _BUCKET_NAME.fullmatch(self.s3_bucket) or ".." in self.s3_bucket:
            raise ValueError(
                f"RETIRELINK_S3_BUCKET 不是有效的存储桶名称：{self.s3_bucket!r}"
                "（3–63 个小写字母、数字、点或连字符，以字母或数字开头和结尾）"
            )
        if self.s3_endpoint_url is not None and not self.s3_endpoint_url.startswith(
            ("http://", "https://")
        ):
            raise ValueError(
                "RETIRELINK_S3_ENDPOINT_URL 必须以 http:// 或 https:// 开头，"
                f"例如 http://minio.internal:9000（当前为 {self.s3_endpoint_url!r}）"
            )
        if (self.s3_access_key is None) != (self.s3_secret_key is None):
            raise ValueError(
                "RETIRELINK_S3_ACCESS_KEY 与 RETIRELINK_S3_SECRET_KEY 须同时设置（或都不设置）"
            )
        return self

    @model_validator(mode="after")
    def _reject_placeholder_secrets_outside_dev(self) -> Self:
        secret = self.secret_key.get_secret_value()
        if self.env != "dev" and (secret == PLACEHOLDER_SECRET or len(secret) < 32):
            raise ValueError(
                "RETIRELINK_SECRET_KEY 仍为占位值或少于32个字符：非开发环境必须设置随机密钥"
            )
        return self


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; keyword overrides win (used by tests and the CLI)."""
    return Settings(**overrides)  # type: ignore[arg-type]
