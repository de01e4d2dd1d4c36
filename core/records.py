"""The bases of tables whose rows are known by an integer `id`."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Record(Model):
    """A row with an auto-incrementing integer primary key `id`. Tortoise adds that field to every model that
    declares no primary key of its own (`IntField(primary_key=True)`, the same column an explicit declaration
    makes); the annotation tells mypy it is there. Tables keyed otherwise (a BigIntField id, a natural key)
    derive from `Model` and declare their key."""

    id: int

    class Meta:
        abstract = True


class CreatedRecord(Record):
    """A Record that keeps when it was written: `created_at`, set when the row is first saved. Tortoise puts
    inherited fields first, so in a schema it generates the column follows `id` (migrations keep their order)."""

    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        abstract = True
