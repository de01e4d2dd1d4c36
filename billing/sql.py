"""Set-based inserts for the invoice run: one multi-row INSERT per chunk instead of one statement per row
(Tortoise's bulk_create sends asyncpg `executemany`, one round of parse/bind/execute per row), so drafting
an organisation costs a fixed handful of statements however many time entries it has."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

MAX_PARAMS = 30_000  # below PostgreSQL's 32,767 bind parameters and SQLite's 32,766 variables


async def insert_rows(
    conn: BaseDBAsyncClient, model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT `rows` (values in `columns` order, Python values as the model's fields take them)."""
    if not rows:
        return
    meta = model._meta
    fields = [
        meta.fields_map[meta.fields_db_projection_reverse[c]]
        if c in meta.fields_db_projection_reverse
        else meta.fields_map[c]
        for c in columns
    ]
    postgres = conn.capabilities.dialect == "postgres"
    chunk = max(1, MAX_PARAMS // len(columns))
    column_sql = ", ".join(f'"{c}"' for c in columns)
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        params: list[Any] = []
        groups = []
        for row in part:
            marks = []
            for field, value in zip(fields, row, strict=True):
                params.append(field.to_db_value(value, model))
                marks.append(f"${len(params)}" if postgres else "?")
            groups.append("(" + ", ".join(marks) + ")")
        await conn.execute_query(f'INSERT INTO "{meta.db_table}" ({column_sql}) VALUES {", ".join(groups)}', params)


async def prefer_custom_plans(conn: BaseDBAsyncClient) -> None:
    """PostgreSQL only, for the rest of the current transaction: plan each statement for its parameters.

    Pooled connections keep prepared statements; after five runs PostgreSQL may switch one to a generic plan
    costed while the billing tables were still small (a sequential scan) and keep it while they grow, which
    turns a long first invoice run quadratic. Custom plans cost a fraction of a millisecond each."""
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SET LOCAL plan_cache_mode = force_custom_plan")
