"""Database helpers every package may use: which dialect a connection speaks, and the PostgreSQL pool
whose sessions cache generic plans for the parameter-independent hot statements."""

from __future__ import annotations

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

GENERIC_PLANS = "generic_plans"
_generic_plans: BaseDBAsyncClient | None = None


def is_postgres(conn: BaseDBAsyncClient | None = None) -> bool:
    """Whether `conn` (default: the default connection) talks to PostgreSQL rather than SQLite."""
    return (conn or connections.get("default")).capabilities.dialect == "postgres"


def generic_plans_db(default: BaseDBAsyncClient) -> BaseDBAsyncClient:
    """A second PostgreSQL pool beside `default` (same database and pool size) whose sessions let PostgreSQL
    cache a generic plan. Only statements whose best plan does not depend on their parameters belong there
    (ticket intake: primary-key look-ups and inserts); planning the intake statement anew cost about twice
    its execution, measured here. It is not in Tortoise's configuration, where a second connection would
    make every `in_transaction()` name one; `close_connections` closes it."""
    global _generic_plans
    if _generic_plans is None or not _generic_plans._check_loop():
        info = connections.db_config[default.connection_name]
        credentials = {**info["credentials"], "server_settings": {"plan_cache_mode": "auto"}}
        _generic_plans = type(default)(connection_name=GENERIC_PLANS, **credentials)
    return _generic_plans


async def close_generic_plans() -> None:
    """Close the generic-plans pool, when one was opened on this event loop."""
    global _generic_plans
    if _generic_plans is not None:
        pool, _generic_plans = _generic_plans, None
        if pool._check_loop():
            await pool.close()


def placeholders(conn: BaseDBAsyncClient, count: int) -> list[str]:
    """Positional parameter markers in `conn`'s dialect: `$1, $2` on PostgreSQL, `?` on SQLite."""
    if is_postgres(conn):
        return [f"${i}" for i in range(1, count + 1)]
    return ["?"] * count
