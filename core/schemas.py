"""The two kinds of schema every package declares: input that refuses unknown fields, and output read from
models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Request bodies and query strings: an unknown field is an error (422), so a typo in a field name, or an
    attempt to set a field the API owns (`category`, `status`), is never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Read(BaseModel):
    """Responses built from ORM rows or `.values()` dicts by attribute."""

    model_config = ConfigDict(from_attributes=True)
