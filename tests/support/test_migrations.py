"""The shipped migrations, applied by `tripdesk migrate` to an empty database, build every table and column
the models declare (catches a model change without a migration and a missing cross-app dependency), and
describe the models exactly: `tortoise makemigrations` would write nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from core.records import Row
from tests.conftest import create_pg_database, drop_pg_database, pg_url
from tripdesk.db import tortoise_config

REPO = Path(__file__).resolve().parents[2]


def run_migrate(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "tripdesk.cli", "migrate"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def expected_columns() -> dict[str, set[str]]:
    await Tortoise.init(config=tortoise_config("sqlite://:memory:"))
    try:
        return {
            model._meta.db_table: {
                field.source_field or name
                for name, field in model._meta.fields_map.items()
                if name in model._meta.db_fields or field.source_field
            }
            for app in Tortoise.apps.values()
            for model in app.values()
        }
    finally:
        await Tortoise.close_connections()


@pytest.mark.sqlite_pass  # compares files with models, no database involved
async def test_models_and_migrations_agree() -> None:
    config = tortoise_config("sqlite://:memory:")
    await Tortoise.init(config=config)
    try:
        assert Tortoise.apps is not None
        writers = await MigrationAutodetector(Tortoise.apps, config["apps"]).changes()
    finally:
        await Tortoise.close_connections()
    missing = {writer.app_label: [op.describe() for op in writer.operations] for writer in writers}
    assert missing == {}, "models changed without a migration (run `tortoise makemigrations`)"


@pytest.mark.sqlite_pass  # reads the models, no database involved
async def test_tables_are_named_for_their_app() -> None:
    """`Row` names a table for the package of its model: that package must be the app that registers the model,
    and every model must be a `Row` (a plain Tortoise model's table would be its lower-cased class name)."""
    await Tortoise.init(config=tortoise_config("sqlite://:memory:"))
    try:
        assert Tortoise.apps is not None
        off = [
            f"{label}.{name}: {model._meta.db_table}"
            for label, models in Tortoise.apps.items()
            for name, model in models.items()
            if not (issubclass(model, Row) and model._meta.db_table.startswith(f"{label}_"))
        ]
    finally:
        await Tortoise.close_connections()
    assert off == []


@pytest.mark.postgres_only
@pytest.mark.slow
async def test_migrations_on_empty_postgres() -> None:
    import asyncpg

    name = f"tripdesk_migrate_{uuid.uuid4().hex[:8]}"
    await create_pg_database(name)
    try:
        result = run_migrate(pg_url(name))
        assert result.returncode == 0, result.stderr[-3000:]
        again = run_migrate(pg_url(name))
        assert again.returncode == 0, again.stderr[-3000:]  # idempotent
        conn = await asyncpg.connect(pg_url(name).replace("postgres://", "postgresql://", 1))
        try:
            rows = await conn.fetch(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
            )
            definitions = {
                r["indexname"]: r["indexdef"] for r in await conn.fetch("SELECT indexname, indexdef FROM pg_indexes")
            }
            indexes = set(definitions)
        finally:
            await conn.close()
        actual: dict[str, set[str]] = {}
        for row in rows:
            actual.setdefault(row["table_name"], set()).add(row["column_name"])
        for table, columns in (await expected_columns()).items():
            assert table in actual, f"migrations do not create {table}"
            assert columns <= actual[table], f"{table} lacks {columns - actual[table]}"
        assert {"support_ticket_subject_trgm", "support_ticket_body_trgm"} <= indexes  # free-text search
        assert "support_ticket_number_year" in indexes  # q=SUP-2025
        assert any("ON public.support_ticket_event USING btree (ticket_id, id)" in d for d in definitions.values())
        ticket_btrees = [
            d.split("USING btree ")[1] for d in definitions.values() if "ON public.support_ticket USING btree" in d
        ]
        assert "(created_at, id)" in ticket_btrees and "(created_at)" not in ticket_btrees  # closed date ranges
    finally:
        await drop_pg_database(name)


@pytest.mark.sqlite_pass  # the embedded default, whichever the pass
@pytest.mark.slow
async def test_migrations_on_empty_sqlite(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "fresh.sqlite3"
    result = run_migrate(f"sqlite://{path}")
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table, columns in (await expected_columns()).items():
            assert table in tables, f"migrations do not create {table}"
            actual = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
            assert columns <= actual, f"{table} lacks {columns - actual}"
        event_indexes = [
            [c[2] for c in conn.execute(f'PRAGMA index_info("{r[1]}")')]
            for r in conn.execute('PRAGMA index_list("support_ticket_event")')
        ]
        assert ["ticket_id", "id"] in event_indexes  # a ticket's history without a table scan
        ticket_indexes = [
            [c[2] for c in conn.execute(f'PRAGMA index_info("{r[1]}")')]
            for r in conn.execute('PRAGMA index_list("support_ticket")')
        ]
        assert ["created_at", "id"] in ticket_indexes and ["created_at"] not in ticket_indexes
