"""Keyset pagination: lists are ordered newest first by id, and the cursor is the last id seen.

A keyset cursor stays stable while rows are inserted (no duplicates or skips between pages, unlike
offset paging) and costs the same on page 1,000 as on page 1.
"""

from __future__ import annotations

import base64
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field, field_validator
from tortoise.models import Model
from tortoise.queryset import QuerySet

from core.errors import InvalidInput
from core.http import MAX_ID

T = TypeVar("T")
M = TypeVar("M", bound=Model)


CURSOR_PATTERN = (
    r"^aWQ6(?:[MNO][DTjz][AEIMQUYcgk][w-z0-5]){0,3}"
    r"(?:[MNO][DTjz][AEIMQUYcgk][w-z0-5]|[MNO][AQgw]|[MNO][DTjz][AEIMQUYcgk])$"
)
"""The shape of every cursor `encode_cursor` issues (unpadded URL-safe base64 of `id:` and 1–12 digits), so
the OpenAPI document tells clients and fuzzers what a cursor looks like instead of "any string"."""


class PageQuery(BaseModel):
    model_config = {"extra": "forbid"}
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(
        None, max_length=64, pattern=CURSOR_PATTERN, description="`next_cursor` from the previous page"
    )

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
        if prefix != "id" or not value.isdigit() or not 1 <= int(value) <= MAX_ID:
            raise ValueError(raw)
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("cursor is not one this API issued") from None


def page_of(rows: list[Any], limit: int) -> tuple[list[Any], str | None]:
    """The first `limit` rows (models or `.values()` dicts, fetched `limit + 1`) and the cursor to the rest."""
    if len(rows) > limit:
        last = rows[limit - 1]
        return rows[:limit], encode_cursor(last["id"] if isinstance(last, dict) else last.id)
    return rows, None


async def keyset_page(rows: QuerySet[M], limit: int, cursor: str | None) -> tuple[list[M], str | None]:
    """One page of `rows`, newest first, after `cursor`, and the cursor to the next page."""
    if cursor:
        rows = rows.filter(id__lt=decode_cursor(cursor))
    return page_of(await rows.order_by("-id").limit(limit + 1), limit)


def set_filters(query: BaseModel, *names: str) -> dict[str, Any]:
    """`name=value` for each of `names` the list query sets: its filters on equal values."""
    return {name: value for name in names if (value := getattr(query, name)) is not None}
