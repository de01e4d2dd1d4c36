"""Tortoise ORM configuration: one app (and one migrations package) per tripdesk package; the one place that
names every package's models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise

from core.db import close_generic_plans
from support.settings import get_settings

APPS: dict[str, tuple[list[str], str]] = {
    # label: (models modules, migrations module)
    "notifications": (["notifications.models"], "notifications.migrations"),
    "support": (
        [
            "support.models",
            "support.timetracking.models",
            "support.classification.models",
            "support.programme.models",
            "support.mail_models",
            "support.attachments.models",
        ],
        "support.migrations",
    ),
    "billing": (["billing.models", "billing.payments.models", "billing.subscriptions.models"], "billing.migrations"),
    "invoices": (["invoices.models"], "invoices.migrations"),
}


def normalise_url(url: str) -> str:
    """Accept the usual spellings (postgresql://) and give PostgreSQL pools room for concurrent requests."""
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://") :]
    if url.startswith("postgres://") and "maxsize" not in url:
        url += ("&" if "?" in url else "?") + "minsize=1&maxsize=20"
    if url.startswith("sqlite://"):
        path = url[len("sqlite://") :]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    return url


async def close_connections() -> None:
    """Tortoise's connections and the generic-plans pool."""
    await close_generic_plans()
    await Tortoise.close_connections()


def connection_config(database_url: str) -> str | dict[str, Any]:
    """PostgreSQL connections plan every statement for its own parameters (`plan_cache_mode`): asyncpg
    prepares statements, and after five executions PostgreSQL would otherwise switch to a generic plan that
    cannot see, say, that a LIKE pattern suits the trigram index, or that a status is rare, and a search
    becomes a scan. Each connection keeps at most TRIPDESK_DB_STATEMENT_CACHE prepared statements (least
    recently used go first, in the client and in the server session)."""
    url = normalise_url(database_url)
    if not url.startswith("postgres://"):
        return url
    from tortoise.backends.base.config_generator import expand_db_url

    config = expand_db_url(url)
    config["credentials"]["server_settings"] = {"plan_cache_mode": "force_custom_plan"}
    config["credentials"]["reset"] = keep_session
    config["credentials"]["statement_cache_size"] = get_settings().db_statement_cache
    return config


async def keep_session(connection: Any) -> None:
    """Pool release without asyncpg's default reset query (CLOSE ALL, UNLISTEN *, RESET ALL, advisory
    unlock): tripdesk never changes session state — no SET, LISTEN, cursors or session-level advisory locks
    (only transaction-level ones, released at commit) — and the reset was an extra round trip on every query.
    asyncpg still rolls back a transaction left open on the connection before this is called."""


def tortoise_config(database_url: str, *, connection: str = "default") -> dict[str, Any]:
    return {
        "connections": {connection: connection_config(database_url)},
        "apps": {
            label: {"models": models, "migrations": migrations, "default_connection": connection}
            for label, (models, migrations) in APPS.items()
        },
        "use_tz": True,
        "timezone": "UTC",
    }
