"""Reading one row to change it: under a row lock for the caller's transaction, or the answer that it is missing."""

from __future__ import annotations

from typing import TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from core.errors import DomainError

M = TypeVar("M", bound=Model)


async def first_or(rows: QuerySet[M], missing: DomainError, *, for_update: bool = False) -> M:
    """The first of `rows`, with `for_update` locked until the transaction ends (SELECT … FOR UPDATE);
    `missing` is raised when there is none."""
    row = await (rows.select_for_update() if for_update else rows).first()
    if row is None:
        raise missing
    return row


async def first_locked(rows: QuerySet[M], missing: DomainError) -> M:
    """The first of `rows`, locked until the transaction ends; `missing` is raised when there is none."""
    return await first_or(rows, missing, for_update=True)
