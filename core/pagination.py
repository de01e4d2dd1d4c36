"""Keyset pagination: lists are ordered newest first by id, and the cursor is the last id seen.

A keyset cursor stays stable while rows are inserted (no duplicates or skips between pages, unlike
offset paging) and costs the same on page 1,000 as on page 1.
"""

from __future__ import annotations

import base64
from typing import Generic, TypeVar

from pydantic import BaseModel, Field, field_validator

from core.errors import InvalidInput

T = TypeVar("T")


class PageQuery(BaseModel):
    model_config = {"extra": "forbid"}
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=64)

    @field_validator("cursor")
    @classmethod
    def _cursor_is_ours(cls, value: str | None) -> str | None:
        if value is not None:
            decode_cursor(value)
        return value


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, value = raw.partition(":")
        if prefix != "id":
            raise ValueError(raw)
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("cursor is not one this API issued") from None
