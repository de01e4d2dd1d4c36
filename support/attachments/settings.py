"""Attachment settings (environment variables). The defaults run with nothing installed: files in a directory
under TRIPDESK_DATA_DIR, no virus scanner."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings

from core.settings import from_environment

DEFAULT_TYPES = (
    "text/plain,text/csv,application/json,application/har+json,application/xml,application/pdf,"
    "image/png,image/jpeg,image/gif,image/webp,application/zip"
)


class StoreKind(StrEnum):
    directory = "directory"  # files under `directory` (a shared volume for several instances)
    database = "database"  # chunked rows in the database (PostgreSQL for several instances)


class AttachmentSettings(BaseSettings):
    model_config = from_environment("TRIPDESK_ATTACHMENT_")

    data_dir: Path = Field(Path("var"), alias="TRIPDESK_DATA_DIR")
    store: StoreKind = StoreKind.directory
    directory_override: Path | None = Field(None, alias="TRIPDESK_ATTACHMENT_DIR")
    """Where the directory store keeps files; default <TRIPDESK_DATA_DIR>/attachments."""
    max_file_bytes: int = Field(100 * 1024 * 1024, ge=1)
    max_ticket_bytes: int = Field(500 * 1024 * 1024, ge=1)
    allowed_types: str = Field(DEFAULT_TYPES, alias="TRIPDESK_ATTACHMENT_TYPES")
    """Comma-separated media types accepted (detected from the content)."""
    scanner: str | None = None
    """Virus scanner command, run with the file's path as its last argument: exit 0 clean, 1 infected, anything
    else an error. Unset: no scan."""
    scanner_timeout_seconds: float = Field(60.0, alias="TRIPDESK_ATTACHMENT_SCANNER_TIMEOUT")
    preview_lines: int = Field(20, ge=0, le=500)
    thumbnail_pixels: int = Field(256, ge=16, le=1024)

    @property
    def directory(self) -> Path:
        return self.directory_override or self.data_dir / "attachments"

    @property
    def staging_dir(self) -> Path:
        """Uploads are written here while they are checked; always on local disk, never in the store."""
        return self.data_dir / "attachments-incoming"

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(t.strip().lower() for t in self.allowed_types.split(",") if t.strip())


@lru_cache(maxsize=1)
def get_attachment_settings() -> AttachmentSettings:
    return AttachmentSettings()
