"""Free-text search over tickets on PostgreSQL: trigram GIN indexes that serve `icontains`.

Tortoise renders `field__icontains` as `UPPER(CAST(col AS VARCHAR)) LIKE UPPER('%…%')`; an expression index
on exactly that expression with `gin_trgm_ops` lets PostgreSQL answer substring searches over 100,000
ticket bodies from the index instead of scanning the table. SQLite (the single-user default) scans.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

SEARCHED_COLUMNS = ("subject", "body", "number")


def search_index_sql() -> list[str]:
    statements = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]
    for column in SEARCHED_COLUMNS:
        statements.append(
            f'CREATE INDEX IF NOT EXISTS support_ticket_{column}_trgm ON support_ticket '
            f'USING gin ((UPPER(CAST("{column}" AS VARCHAR))) gin_trgm_ops)')
    return statements


async def ensure_search_indexes(conn: BaseDBAsyncClient) -> None:
    """Create the trigram indexes on PostgreSQL (idempotent); nothing to do on SQLite."""
    if conn.capabilities.dialect != "postgres":
        return
    for statement in search_index_sql():
        await conn.execute_script(statement)
