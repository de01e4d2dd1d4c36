"""Values carried between stored rows and the values around them (read models, requests, computed charges) by
the house's naming (ARCHITECTURE.md): a model names a date `…_date` where the API and the code computing it
name it without the suffix. So the fields are listed once, in the schema or the model, and the code that
carries them names only what is computed or named differently."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel
from tortoise.models import Model

S = TypeVar("S", bound=BaseModel)


def _by_name(names: Iterable[str], source: object, given: dict[str, Any]) -> dict[str, Any]:
    """For each of `names` not `given`: `source`'s attribute of that name, else the same name with or without
    the `_date` suffix; a name `source` has in no form is left out."""
    values: dict[str, Any] = {}
    for name in names:
        if name in given:
            continue
        for attribute in (name, f"{name}_date", name.removesuffix("_date")):
            if hasattr(source, attribute):
                values[name] = getattr(source, attribute)
                break
    return {**values, **given}


def read_model(schema: type[S], *rows: object, **given: Any) -> S:
    """`schema` filled from `given` and from `rows` by name (`period_start` from `period_start_date`), the first
    row that has a field giving it; a field found nowhere keeps its default."""
    values = dict(given)
    for row in rows:
        values = _by_name(schema.model_fields, row, values)
    return schema.model_validate(values)


def row_values(model: type[Model], source: object, **given: Any) -> dict[str, Any]:
    """The column values of a new `model` row, taken from `source` by name (`period_start_date` from
    `period_start`) and from `given`; the primary key and the columns `source` lacks are left to the
    database's defaults."""
    columns = model._meta.db_fields - {model._meta.pk_attr}
    return _by_name(sorted(columns), source, given)
