"""Settings of the email outbox (environment variables; the defaults run with nothing installed:
without `SMTP_URL` mails are written as .eml files under `$TRIPDESK_DATA_DIR/mail/`)."""

from __future__ import annotations

from email.utils import parseaddr
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings

from core.settings import from_environment


class MailSettings(BaseSettings):
    model_config = from_environment("OUTBOX_")

    smtp_url: str | None = Field(None, alias="SMTP_URL")
    """smtp://user:pass@host:587?starttls=true or smtps://user:pass@host:465; unset = .eml files"""
    mail_from: str = Field("tripdesk <support@tripdesk.example.se>", alias="MAIL_FROM")
    data_dir: Path = Field(Path("var"), alias="TRIPDESK_DATA_DIR")
    batch_size: int = Field(50, ge=1, le=1000)
    lease_seconds: float = Field(120.0, gt=0)
    """How long a claimed batch belongs to one worker; a crashed worker's rows are reclaimed after this. Must
    exceed the time to send one batch."""
    mark_sent_every: int = Field(1, ge=1)
    """Delivered rows are marked sent in groups of this many (one commit per group); after a crash at most this
    many are delivered again."""
    address_cache_size: int = Field(4096, ge=0)
    """Validated email addresses remembered per process (least recently used go first)."""
    template_cache_size: int = Field(400, ge=0)
    """Compiled email templates kept per language (Jinja2's cache_size)."""
    max_attempts: int = Field(10, ge=1)
    backoff_base_seconds: float = Field(30.0, ge=0)
    backoff_max_seconds: float = Field(3600.0, ge=0)
    poll_seconds: float = Field(2.0, gt=0)
    smtp_timeout_seconds: float = Field(30.0, gt=0, alias="SMTP_TIMEOUT_SECONDS")
    coalesce_seconds: float = Field(60.0, ge=0, alias="TRIPDESK_NOTIFY_WINDOW_SECONDS")
    """Status and category changes of one ticket within this window go out as one email."""
    shutdown_grace_seconds: float = Field(10.0, ge=0)
    """On shutdown the message in flight may finish within this time; the rest is released."""

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
    return MailSettings()  # values come from the environment


class InboundSettings(BaseSettings):
    """Reading the support mailbox (SPEC §5). Without `IMAP_URL` no mail is fetched."""

    model_config = from_environment("IMAP_")

    imap_url: str | None = Field(None, alias="IMAP_URL")
    """imaps://user:pass@host:993/INBOX, or imap://…?starttls=true; unset = no mail is fetched"""
    imap_oauth_token: str | None = Field(None, alias="IMAP_OAUTH_TOKEN")
    """an OAuth 2 access token: log in with XOAUTH2 instead of LOGIN"""
    processed_folder: str = "Processed"
    failed_folder: str = "Failed"
    """where a message goes after IMAP_MAX_ATTEMPTS failed attempts (kept, never deleted)"""
    support_address: str | None = Field(None, alias="SUPPORT_ADDRESS")
    """the address integrators write to; default: MAIL_FROM's address"""
    batch_size: int = Field(50, ge=1, le=1000)
    poll_seconds: float = Field(30.0, gt=0)
    """how long to wait between checks (IDLE wakes up earlier)"""
    lease_seconds: float = Field(300.0, gt=0)
    """a claimed message belongs to one fetcher this long"""
    max_attempts: int = Field(5, ge=1)
    max_message_bytes: int = Field(40 * 1024 * 1024, ge=1, alias="MAIL_MAX_MESSAGE_BYTES")
    """a larger message is not downloaded: it goes to the failed folder, visible to staff"""
    max_attachment_bytes: int = Field(10 * 1024 * 1024, ge=0, alias="MAIL_MAX_ATTACHMENT_BYTES")
    max_raw_bytes: int = Field(5 * 1024 * 1024, ge=0, alias="MAIL_MAX_RAW_BYTES")
    """a larger original is stored without its refused attachments"""
    attachment_types: str = Field(
        "application/pdf,text/plain,text/csv,text/xml,application/xml,application/json,application/zip,"
        "image/png,image/jpeg,image/gif,message/rfc822,application/vnd.openxmlformats-officedocument.*,"
        "application/msword,application/vnd.ms-excel,application/vnd.oasis.opendocument.*,text/x-log",
        alias="MAIL_ATTACHMENT_TYPES",
    )
    """accepted attachment types, comma-separated; `type/*` and `prefix.*` patterns allowed"""
    timeout_seconds: float = Field(60.0, gt=0)
    run_fetcher: bool = Field(True, alias="TRIPDESK_MAIL_FETCHER")
    """run the mail fetcher inside `serve` when IMAP_URL is set"""

    def accepts_type(self, content_type: str) -> bool:
        content_type = content_type.lower()
        for pattern in (p.strip().lower() for p in self.attachment_types.split(",") if p.strip()):
            if pattern.endswith("*") and content_type.startswith(pattern[:-1]):
                return True
            if pattern == content_type:
                return True
        return False


@lru_cache(maxsize=1)
def get_inbound_settings() -> InboundSettings:
    return InboundSettings()  # values come from the environment
