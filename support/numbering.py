"""Named counters for human-readable numbers (SUP-2026-00042).

One upsert `INSERT … ON CONFLICT DO UPDATE … RETURNING` increments and reads under the row's lock, so
concurrent transactions on PostgreSQL serialise on the counter row and never hand out the same number;
it rolls back with its transaction. Never max()+1.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from core.db import placeholders


async def next_value(key: str, *, conn: BaseDBAsyncClient | None = None) -> int:
    """Next value of counter `key`, inside the caller's transaction when one is given."""
    if conn is None:
        async with in_transaction() as tx:
            return await next_value(key, conn=tx)
    (p1,) = placeholders(conn, 1)
    rows = await conn.execute_query_dict(
        f"INSERT INTO support_counter (key, value) VALUES ({p1}, 1) "
        "ON CONFLICT (key) DO UPDATE SET value = support_counter.value + 1 RETURNING value",
        [key],
    )
    return int(rows[0]["value"])


async def write_lock(key: str, conn: BaseDBAsyncClient) -> None:
    """Serialise the writers of one kind of row until the caller's transaction ends (they all take the lock of
    counter `key`): checks across rows, such as non-overlapping validity, then see each other's writes."""
    await next_value(key, conn=conn)


def ticket_number(year: int, value: int) -> str:
    """`SUP-2026-00042`: at least five digits, more when a year has more tickets."""
    return f"SUP-{year}-{value:05d}"


def ticket_number_sql(year_param: str, value_expr: str) -> str:
    """`ticket_number` as a PostgreSQL expression (lpad alone would cut a sixth digit off)."""
    digits = f"({value_expr})::text"
    return f"('SUP-' || ({year_param})::text || '-' || lpad({digits}, greatest(5, length({digits})), '0'))"
