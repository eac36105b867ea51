"""Settings from the environment or `.env` (pydantic-settings), validated once at start-up."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigError

DEFAULT_API_BASE = "https://api.telegram.org/bot"
MAX_DEFAULT_PARSE_WORKERS = 2


def default_parse_workers() -> int:
    """Parsing processes when GEOALERT_PARSE_WORKERS is unset: one per core but the one the
    main process needs (fetching, storing, indexing), at least one and at most two.

    On two cores a second parsing process only competes with the main process for the CPU
    and costs ~40 MB more (bench_process.py, 200 feeds: scan 9.9 -> 8.9 s CPU, run peak
    PSS 240 -> 200 MB with one)."""
    try:
        cores = len(os.sched_getaffinity(0))  # the cores this process may run on (cpusets)
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_DEFAULT_PARSE_WORKERS, cores - 1))


def _int_list(value: object) -> object:
    if isinstance(value, str):
        parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
        return [int(p) for p in parts]
    if isinstance(value, int):
        return [value]
    return value


class Settings(BaseSettings):
    """Every setting geoalert reads; see `.env.example` and the README."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field("sqlite:///geoalert.db", alias="DATABASE_URL")
    feeds_file: Path = Field(Path("feeds.yaml"), alias="GEOALERT_FEEDS")
    rules_dir: Path = Field(Path("rules"), alias="GEOALERT_RULES_DIR")
    seeds_dir: Path = Field(Path("seeds"), alias="GEOALERT_SEEDS_DIR")
    poll_interval: int = Field(600, alias="GEOALERT_POLL_INTERVAL", ge=10, le=7 * 86400)

    fetch_timeout: float = Field(20.0, alias="GEOALERT_FETCH_TIMEOUT", gt=0, le=300)
    max_feed_bytes: int = Field(10_000_000, alias="GEOALERT_MAX_FEED_BYTES", ge=1024)
    max_redirects: int = Field(5, alias="GEOALERT_MAX_REDIRECTS", ge=0, le=20)
    parse_workers: int = Field(
        default_factory=default_parse_workers, alias="GEOALERT_PARSE_WORKERS", ge=0, le=64
    )
    max_feed_items: int = Field(1000, alias="GEOALERT_MAX_FEED_ITEMS", ge=1, le=100_000)
    allow_private_feeds: bool = Field(False, alias="GEOALERT_ALLOW_PRIVATE_FEEDS")
    feed_pause_after: int = Field(10, alias="GEOALERT_FEED_PAUSE_AFTER", ge=1, le=1000)
    # Replicas on PostgreSQL: how long a claimed feed poll stays leased (longer than a fetch).
    feed_lease: int = Field(120, alias="GEOALERT_FEED_LEASE", ge=5, le=86400)

    telegram_bot_token: SecretStr | None = Field(None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(DEFAULT_API_BASE, alias="TELEGRAM_API_BASE_URL")
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, alias="GEOALERT_ADMIN_IDS"
    )
    allowed_chat_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, alias="GEOALERT_ALLOWED_CHAT_IDS"
    )
    webhook_url: str | None = Field(None, alias="GEOALERT_WEBHOOK_URL")
    webhook_secret: SecretStr | None = Field(None, alias="GEOALERT_WEBHOOK_SECRET")
    webhook_listen: str = Field("0.0.0.0", alias="GEOALERT_WEBHOOK_LISTEN")
    webhook_port: int = Field(8443, alias="GEOALERT_WEBHOOK_PORT", ge=1, le=65535)
    http_port: int | None = Field(None, alias="GEOALERT_HTTP_PORT", ge=0, le=65535)
    http_listen: str = Field("0.0.0.0", alias="GEOALERT_HTTP_LISTEN")
    chat_min_interval: float = Field(1.0, alias="GEOALERT_CHAT_MIN_INTERVAL", ge=0, le=60)
    spike_factor: float = Field(3.0, alias="GEOALERT_SPIKE_FACTOR", gt=1, le=100)
    spike_minimum: int = Field(4, alias="GEOALERT_SPIKE_MINIMUM", ge=1, le=10_000)
    retention_days: int = Field(365, alias="GEOALERT_RETENTION_DAYS", ge=1, le=36500)
    commands_per_minute: int = Field(20, alias="GEOALERT_COMMANDS_PER_MINUTE", ge=0, le=10_000)
    log_level: str = Field("INFO", alias="GEOALERT_LOG_LEVEL")

    @field_validator("admin_ids", "allowed_chat_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        return _int_list(value)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:/// or postgresql+psycopg://")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _https_webhook(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("must be an https:// URL Telegram can reach")
        return value or None

    @field_validator("webhook_secret")
    @classmethod
    def _secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and -.
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None


def load_settings(**overrides: object) -> Settings:
    """Read settings once; turn validation failures into one `ConfigError` line per problem."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "settings"
            field = Settings.model_fields.get(name)
            env = field.alias if field and field.alias else name
            problems.append(f"{env}: {err['msg']}")
        raise ConfigError("invalid settings: " + "; ".join(problems)) from None
