"""Ticket search on PostgreSQL: trigram GIN indexes that serve `icontains`, and an index for a year's numbers.

Tortoise renders `field__icontains` as `UPPER(CAST(col AS VARCHAR)) LIKE UPPER('%…%')`; an expression index
on exactly that expression with `gin_trgm_ops` lets PostgreSQL answer substring searches over 100,000
ticket bodies from the index instead of scanning the table. SQLite (the single-user default) scans.

Searching `SUP-2025` lists a year's tickets, newest first. PostgreSQL would walk the primary key backwards
from the newest ticket and pass over all of this year's tickets before the first of 2025: its estimate
assumes matches are spread evenly, but a year's tickets lie together. `NUMBER_YEAR_INDEX` holds
(number's year, id + 0): filtered on the year and ordered by `id + 0`, the query reads just the page from
it, in the same order as every other list, and the primary key no longer matches the ORDER BY to tempt the
planner.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from core.db import is_postgres

SEARCHED_COLUMNS = ("subject", "body", "number")
NUMBER_YEAR = "split_part(\"number\", '-', 2)"  # SUP-2026-00042 -> '2026'
NUMBER_YEAR_INDEX = (
    f"CREATE INDEX IF NOT EXISTS support_ticket_number_year ON support_ticket (({NUMBER_YEAR}), (id + 0))"
)


def searched(column: str) -> str:
    """The expression a trigram index is built on, and that a search must use to be served by it."""
    return f'UPPER(CAST("{column}" AS VARCHAR))'


def search_index_sql() -> list[str]:
    statements = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]
    for column in SEARCHED_COLUMNS:
        statements.append(
            f"CREATE INDEX IF NOT EXISTS support_ticket_{column}_trgm ON support_ticket "
            f"USING gin (({searched(column)}) gin_trgm_ops)"
        )
    return statements


async def ensure_search_indexes(conn: BaseDBAsyncClient) -> None:
    """Create the trigram indexes on PostgreSQL (idempotent); nothing to do on SQLite."""
    if not is_postgres(conn):
        return
    for statement in search_index_sql():
        await conn.execute_script(statement)


async def ensure_number_year_index(conn: BaseDBAsyncClient) -> None:
    """Create `NUMBER_YEAR_INDEX` on PostgreSQL (idempotent); SQLite has no split_part and scans."""
    if is_postgres(conn):
        await conn.execute_script(NUMBER_YEAR_INDEX)
