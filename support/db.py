"""Tortoise ORM configuration: one app (and one migrations package) per tripdesk package.

This is part of the composition root: it is the one place that names every package's models.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

APPS: dict[str, tuple[list[str], str]] = {
    # label: (models modules, migrations module)
    "notifications": (["notifications.models"], "notifications.migrations"),
    "support": (["support.models", "support.timetracking.models", "support.classification.models"],
                "support.migrations"),
    "billing": (["billing.models"], "billing.migrations"),
    "invoices": (["invoices.models"], "invoices.migrations"),
}


def normalise_url(url: str) -> str:
    """Accept the usual spellings (postgresql://) and give PostgreSQL pools room for concurrent requests."""
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://"):]
    if url.startswith("postgres://") and "maxsize" not in url:
        url += ("&" if "?" in url else "?") + "minsize=1&maxsize=20"
    if url.startswith("sqlite://"):
        path = url[len("sqlite://"):]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    return url


def tortoise_config(database_url: str, *, connection: str = "default") -> dict[str, Any]:
    return {
        "connections": {connection: normalise_url(database_url)},
        "apps": {
            label: {"models": models, "migrations": migrations, "default_connection": connection}
            for label, (models, migrations) in APPS.items()
        },
        "use_tz": True,
        "timezone": "UTC",
    }
