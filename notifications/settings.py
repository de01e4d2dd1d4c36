"""Settings of the email outbox (environment variables; the defaults run with nothing installed:
without `SMTP_URL` mails are written as .eml files under `$TRIPDESK_DATA_DIR/mail/`)."""

from __future__ import annotations

from email.utils import parseaddr
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MailSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    smtp_url: str | None = Field(
        None,
        alias="SMTP_URL",
        description="smtp://user:pass@host:587?starttls=true or smtps://user:pass@host:465; "
        "unset = .eml files",
    )
    mail_from: str = Field("tripdesk <support@tripdesk.example.se>", alias="MAIL_FROM")
    data_dir: Path = Field(Path("var"), alias="TRIPDESK_DATA_DIR")
    batch_size: int = Field(50, ge=1, le=1000, alias="OUTBOX_BATCH_SIZE")
    lease_seconds: float = Field(
        120.0,
        gt=0,
        alias="OUTBOX_LEASE_SECONDS",
        description="How long a claimed batch belongs to one worker; a crashed worker's rows are reclaimed "
        "after this. Must exceed the time to send one batch.",
    )
    mark_sent_every: int = Field(
        1,
        ge=1,
        alias="OUTBOX_MARK_SENT_EVERY",
        description="Delivered rows are marked sent in groups of this many (one commit per group); after a "
        "crash at most this many are delivered again.",
    )
    address_cache_size: int = Field(
        4096, ge=0, alias="OUTBOX_ADDRESS_CACHE_SIZE",
        description="Validated email addresses remembered per process (least recently used go first).",
    )
    template_cache_size: int = Field(
        400, ge=0, alias="OUTBOX_TEMPLATE_CACHE_SIZE",
        description="Compiled email templates kept per language (Jinja2's cache_size).",
    )
    max_attempts: int = Field(10, ge=1, alias="OUTBOX_MAX_ATTEMPTS")
    backoff_base_seconds: float = Field(30.0, ge=0, alias="OUTBOX_BACKOFF_BASE_SECONDS")
    backoff_max_seconds: float = Field(3600.0, ge=0, alias="OUTBOX_BACKOFF_MAX_SECONDS")
    poll_seconds: float = Field(2.0, gt=0, alias="OUTBOX_POLL_SECONDS")
    smtp_timeout_seconds: float = Field(30.0, gt=0, alias="SMTP_TIMEOUT_SECONDS")
    shutdown_grace_seconds: float = Field(
        10.0,
        ge=0,
        alias="OUTBOX_SHUTDOWN_GRACE_SECONDS",
        description="On shutdown the message in flight may finish within this time; the rest is released.",
    )

    @property
    def mail_domain(self) -> str:
        """The domain of MAIL_FROM: Message-IDs and ticket reply addresses live under it."""
        return domain_of(self.mail_from)

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"


@lru_cache(maxsize=8)
def domain_of(mail_from: str) -> str:
    """The domain of a From address; parsing one costs tens of µs and every email needs it twice."""
    _, address = parseaddr(mail_from)
    return address.rpartition("@")[2] or "tripdesk.example.se"


@lru_cache(maxsize=1)
def get_mail_settings() -> MailSettings:
    return MailSettings()  # type: ignore[call-arg]  # values come from the environment
