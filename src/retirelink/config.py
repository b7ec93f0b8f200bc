"""Settings: one validated object, read from RETIRELINK_* environment variables.

Built by ``load_settings()`` in the entrypoints (web, CLI, Alembic env) and passed down;
never constructed at import time.
"""

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me-dev-only"

Environment = Literal["dev", "test", "prod"]


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

    @model_validator(mode="after")
    def _default_database_in_data_dir(self) -> Self:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'retirelink.db'}"
        return self

    @model_validator(mode="after")
    def _worker_off_in_tests(self) -> Self:
        if self.exchange_worker is None:
            self.exchange_worker = self.env != "test"
        return self

    @model_validator(mode="after")
    def _default_partners_file_in_data_dir(self) -> Self:
        if self.partners_file is None:
            self.partners_file = self.data_dir / "partners" / "partners.json"
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
