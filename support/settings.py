"""Settings for the service as a whole (environment variables; defaults run with nothing installed)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SupportSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", use_attribute_docstrings=True)

    database_url: str = Field("sqlite://var/tripdesk.sqlite3", alias="DATABASE_URL")
    data_dir: Path = Field(Path("var"), alias="TRIPDESK_DATA_DIR")
    host: str = Field("127.0.0.1", alias="TRIPDESK_HOST")
    port: int = Field(8000, alias="TRIPDESK_PORT")
    token_cache_seconds: float = Field(5.0, alias="TRIPDESK_TOKEN_CACHE_SECONDS")
    """How long a verified token is trusted without a database look-up; a revoked token stops working within
    this time on every instance."""
    token_cache_entries: int = Field(10_000, ge=1, alias="TRIPDESK_TOKEN_CACHE_ENTRIES")
    """Verified tokens remembered per process; expired ones go first, then the least recently used."""
    metrics_max_series: int = Field(1_000, ge=1, alias="TRIPDESK_METRICS_MAX_SERIES")
    """Request metric series (method, route, status) per process; requests beyond are counted under one
    overflow series."""
    classifier_word_cache: int = Field(20_000, ge=0, alias="TRIPDESK_CLASSIFIER_WORD_CACHE")
    """Words whose character n-gram columns the classifier remembers (about 300 bytes each)."""
    db_statement_cache: int = Field(100, ge=0, alias="TRIPDESK_DB_STATEMENT_CACHE")
    """Prepared statements kept per PostgreSQL connection (asyncpg's statement_cache_size)."""
    log_json: bool = Field(True, alias="TRIPDESK_LOG_JSON")
    run_outbox_worker: bool = Field(True, alias="TRIPDESK_OUTBOX_WORKER")
    notice_min_lead_days: int = Field(90, ge=0, le=3650, alias="TRIPDESK_NOTICE_MIN_LEAD_DAYS")
    """interface change notices: the least notice without an override"""
    metrics_token: SecretStr | None = Field(None, alias="TRIPDESK_METRICS_TOKEN")
    """Bearer token a Prometheus scraper sends to /metrics (admin API tokens work too)."""


@lru_cache(maxsize=1)
def get_settings() -> SupportSettings:
    return SupportSettings()
