"""The bases of every tripdesk table, and the rule that names it."""

from __future__ import annotations

import re
from typing import Any

from tortoise import fields
from tortoise.models import Model


def table_name(model: type[Model]) -> str:
    """A table is named for the package that owns its model and the model's name in snake case
    (`billing.models.RateCardRate` → `billing_rate_card_rate`)."""
    package = model.__module__.partition(".")[0]
    return f"{package}_{re.sub(r'(?<!^)(?=[A-Z])', '_', model.__name__).lower()}"


class Row(Model):
    """A tripdesk table, named by `table_name` unless its `Meta.table` names it otherwise. The name is set when
    the class is defined, so every way of starting Tortoise sees it, and so do pypika tables built at import
    from `_meta.db_table`. (Tortoise's `table_name_generator` would not do: it is an argument of
    `Tortoise.init` that `tortoise makemigrations` and the migration API never pass.)"""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls._meta.abstract and not cls._meta.db_table:
            cls._meta.db_table = table_name(cls)

    class Meta:
        abstract = True


class Record(Row):
    """A row with an auto-incrementing integer primary key `id`. Tortoise adds that field to every model that
    declares no primary key of its own (`IntField(primary_key=True)`, the same column an explicit declaration
    makes); the annotation tells mypy it is there. Tables keyed otherwise (a BigIntField id, a natural key)
    derive from `Row` and declare their key."""

    id: int

    class Meta:
        abstract = True


class CreatedRecord(Record):
    """A Record that keeps when it was written: `created_at`, set when the row is first saved. Tortoise puts
    inherited fields first, so in a schema it generates the column follows `id` (migrations keep their order)."""

    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        abstract = True
