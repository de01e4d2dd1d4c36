"""Settings for the service as a whole (environment variables; defaults run with nothing installed)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings

from core.settings import from_environment


class SupportSettings(BaseSettings):
    model_config = from_environment("TRIPDESK_")

    database_url: str = Field("sqlite://var/tripdesk.sqlite3", alias="DATABASE_URL")
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: int = 8000
    token_cache_seconds: float = 5.0
    """How long a verified token is trusted without a database look-up; a revoked token stops working within
    this time on every instance."""
    token_cache_entries: int = Field(10_000, ge=1)
    """Verified tokens remembered per process; expired ones go first, then the least recently used."""
    metrics_max_series: int = Field(1_000, ge=1)
    """Request metric series (method, route, status) per process; requests beyond are counted under one
    overflow series."""
    classifier_word_cache: int = Field(20_000, ge=0)
    """Words whose character n-gram columns the classifier remembers (about 300 bytes each)."""
    db_statement_cache: int = Field(100, ge=0)
    """Prepared statements kept per PostgreSQL connection (asyncpg's statement_cache_size)."""
    log_json: bool = True
    run_outbox_worker: bool = Field(True, alias="TRIPDESK_OUTBOX_WORKER")
    notice_min_lead_days: int = Field(90, ge=0, le=3650)
    """interface change notices: the least notice without an override"""
    metrics_token: SecretStr | None = None
    """Bearer token a Prometheus scraper sends to /metrics (admin API tokens work too)."""


@lru_cache(maxsize=1)
def get_settings() -> SupportSettings:
    return SupportSettings()
