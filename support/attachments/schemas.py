"""Attachment responses (the upload body is multipart/form-data; `AttachmentUpload` describes it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.schemas import Read


def _binary(schema: dict[str, Any]) -> None:
    schema.clear()
    schema.update(
        {
            "type": "string",
            "contentMediaType": "application/octet-stream",
            "description": "The file's bytes; its name is the part's filename.",
        }
    )


class AttachmentUpload(BaseModel):
    """multipart/form-data with one file in the field `file` (`curl -F file=@app.log`). Its type is detected
    from the content; the limits are per file and per ticket (413), and types outside the allow-list,
    executables and archives holding them are refused (415)."""

    model_config = ConfigDict(extra="allow")

    file: bytes = Field(json_schema_extra=_binary)


class AttachmentRead(Read):
    id: int
    ticket_id: int
    comment_id: int | None
    filename: str
    size: int
    content_type: str
    sha256: str
    uploaded_by: str
    uploaded_at: dt.datetime
    preview: str | None = Field(None, description="A text file's first lines")
    has_thumbnail: bool = Field(False, description="An image has a PNG thumbnail at …/thumbnail")


class AttachmentList(BaseModel):
    items: list[AttachmentRead]
