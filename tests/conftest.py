"""Test database and HTTP client.

The suite runs twice (see the Makefile): TRIPDESK_TEST_DB=sqlite (a fresh in-memory database per test) and
TRIPDESK_TEST_DB=postgres (one database per test session, created from the models, emptied with TRUNCATE
before each test, dropped at the end). Tests marked `postgres_only` need real parallel connections.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from tortoise import Tortoise

from tripdesk.db import close_connections, tortoise_config

BACKEND = os.environ.get("TRIPDESK_TEST_DB", "sqlite")
# Tests create rate cards directly, not through the service that forgets cached quotes: quote afresh each time.
os.environ.setdefault("TRIPDESK_RATE_QUOTE_CACHE_SECONDS", "0")
# Status emails wait for this window to coalesce; tests deliver at once (a test sets its own window to see it).
os.environ.setdefault("TRIPDESK_NOTIFY_WINDOW_SECONDS", "0")
PG_ADMIN_URL = os.environ.get("TRIPDESK_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if BACKEND != "postgres":
        skip = pytest.mark.skip(reason="needs PostgreSQL (runs in the TRIPDESK_TEST_DB=postgres pass)")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(skip)


def pg_url(database: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{database}"


async def _pg_admin(statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def create_pg_database(name: str) -> None:
    await _pg_admin(f'CREATE DATABASE "{name}"')


async def drop_pg_database(name: str) -> None:
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def scratch_database(prefix: str, sqlite_file: Path) -> tuple[str, str]:
    """A new empty database of the backend under test, for a subprocess: (name, URL). On PostgreSQL a
    database of its own (drop it with `drop_scratch_database`), on SQLite the given file."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    if BACKEND == "postgres":
        await create_pg_database(name)
        return name, pg_url(name)
    return name, f"sqlite://{sqlite_file}"


async def drop_scratch_database(name: str) -> None:
    if BACKEND == "postgres":
        await drop_pg_database(name)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """One PostgreSQL database per session with the schema created once; SQLite: in-memory per test."""
    if BACKEND != "postgres":
        yield "sqlite://:memory:"
        return
    name = f"tripdesk_test_{uuid.uuid4().hex[:10]}"

    async def setup() -> None:
        await create_pg_database(name)
        await Tortoise.init(config=tortoise_config(pg_url(name)))
        await Tortoise.generate_schemas()
        await close_connections()

    asyncio.run(setup())
    try:
        yield pg_url(name)
    finally:
        asyncio.run(drop_pg_database(name))


async def truncate_all() -> None:
    conn = Tortoise.get_connection("default")
    tables = [model._meta.db_table for app in Tortoise.apps.values() for model in app.values()]
    await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    # ticket numbers come from per-year sequences (support/tickets/store.py): start each test at 1 again
    for row in await conn.execute_query_dict(
        "SELECT sequencename FROM pg_sequences WHERE sequencename LIKE 'support_ticket_number_%'"
    ):
        await conn.execute_script(f'DROP SEQUENCE "{row["sequencename"]}"')


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    """An initialised, empty database; yields its URL."""
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    if BACKEND == "postgres":
        await truncate_all()
    else:
        await Tortoise.generate_schemas()
    try:
        yield database_url
    finally:
        await close_connections()


@pytest.fixture
def app(db: str) -> Starlette:
    from support.settings import SupportSettings
    from tripdesk.app import create_app

    settings = SupportSettings(DATABASE_URL=db, TRIPDESK_TOKEN_CACHE_SECONDS=0)
    return create_app(settings=settings, init_db=False, background=False)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://tripdesk.test") as http:
        yield http
