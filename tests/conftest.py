"""Test database and HTTP client.

The suite runs twice (see the Makefile): TRIPDESK_TEST_DB=sqlite (a fresh in-memory database per test) and
TRIPDESK_TEST_DB=postgres (one database per test session, created from the models, emptied before each test
(`truncate_all`), dropped at the end). Tests marked `postgres_only` need real parallel connections; tests
marked `sqlite_pass` do not use the database under test (none at all, or a SQLite file of their own), so the
PostgreSQL pass would only repeat them. The two passes may run side by side (`make test` does): each pass has
its own databases, its own servers on free ports and its own data directory.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from tortoise import BaseDBAsyncClient, Tortoise

from tripdesk.db import close_connections, tortoise_config

BACKEND = os.environ.get("TRIPDESK_TEST_DB", "sqlite")
# Tests create rate cards directly, not through the service that forgets cached quotes: quote afresh each time.
os.environ.setdefault("TRIPDESK_RATE_QUOTE_CACHE_SECONDS", "0")
# Status emails wait for this window to coalesce; tests deliver at once (a test sets its own window to see it).
os.environ.setdefault("TRIPDESK_NOTIFY_WINDOW_SECONDS", "0")
PG_ADMIN_URL = os.environ.get("TRIPDESK_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
USES_THE_DATABASE = {"db", "database_url", "app", "client"}
_data_dirs: list[Path] = []


def pytest_configure(config: pytest.Config) -> None:
    """What the app writes to its data directory (attachments, the demo's BgMax file) goes to one of this pass's
    own, so that two passes side by side never share a file. The classifier's model cache stays shared in
    var/model: a cache file is named by its training data and written atomically; trained once, it serves both."""
    if "TRIPDESK_DATA_DIR" in os.environ:
        return
    data_dir = Path(tempfile.mkdtemp(prefix=f"tripdesk-test-{BACKEND}-"))
    model_cache = Path("var/model").resolve()
    model_cache.mkdir(parents=True, exist_ok=True)
    (data_dir / "model").symlink_to(model_cache, target_is_directory=True)
    os.environ["TRIPDESK_DATA_DIR"] = str(data_dir)
    _data_dirs.append(data_dir)


def pytest_unconfigure(config: pytest.Config) -> None:
    for data_dir in _data_dirs:
        shutil.rmtree(data_dir, ignore_errors=True)  # the model link goes, not what it points to


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    needs_postgres = pytest.mark.skip(reason="needs PostgreSQL (runs in the TRIPDESK_TEST_DB=postgres pass)")
    repeats: list[pytest.Item] = []  # tests that use no database under test run in the SQLite pass only
    for item in items:
        if "sqlite_pass" in item.keywords and USES_THE_DATABASE & set(getattr(item, "fixturenames", ())):
            raise pytest.UsageError(f"{item.nodeid} is marked sqlite_pass but uses the database under test")
        if BACKEND != "postgres" and "postgres_only" in item.keywords:
            item.add_marker(needs_postgres)
        if BACKEND == "postgres" and "sqlite_pass" in item.keywords:
            repeats.append(item)
    if repeats:
        config.hook.pytest_deselected(items=repeats)
        items[:] = [item for item in items if "sqlite_pass" not in item.keywords]


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


_children_first: dict[str, tuple[list[str], bool]] = {}


async def _tables_children_first(conn: BaseDBAsyncClient) -> tuple[list[str], bool]:
    """The database's tables, each before the tables it references, and whether that order exists (False when
    the references form a cycle). Looked up once per database."""
    [database] = await conn.execute_query_dict("SELECT current_database() AS name")
    if database["name"] not in _children_first:
        tables = await conn.execute_query_dict("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        references = await conn.execute_query_dict(
            "SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint c "
            "JOIN pg_class child ON child.oid = c.conrelid JOIN pg_class parent ON parent.oid = c.confrelid "
            "WHERE c.contype = 'f' AND child.oid <> parent.oid"
        )
        sorter: TopologicalSorter[str] = TopologicalSorter({row["tablename"]: () for row in tables})
        for row in references:
            sorter.add(row["parent"], row["child"])
        try:
            _children_first[database["name"]] = (list(sorter.static_order()), True)
        except CycleError:  # TRUNCATE … CASCADE needs no order
            _children_first[database["name"]] = ([row["tablename"] for row in tables], False)
    return _children_first[database["name"]]


async def truncate_all() -> None:
    """Leave the database as TRUNCATE … RESTART IDENTITY CASCADE of every table would, for less: only the tables
    holding rows are emptied, with DELETE, and only the sequences in use restarted. (TRUNCATE gives each table
    and index a new file: for the whole schema that took a second a test on a busy machine.)"""
    conn = Tortoise.get_connection("default")
    tables, ordered = await _tables_children_first(conn)
    probe = " UNION ALL ".join(f"SELECT '{t}' AS name WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)
    holding = {row["name"] for row in await conn.execute_query_dict(probe)}
    filled = [t for t in tables if t in holding]
    if ordered:
        statements = [f'DELETE FROM "{t}"' for t in filled]
    else:
        statements = [f"TRUNCATE {', '.join(filled)} CASCADE"] if filled else []
    for row in await conn.execute_query_dict(
        "SELECT sequencename, last_value IS NOT NULL AS used FROM pg_sequences WHERE schemaname = 'public'"
    ):
        sequence = row["sequencename"]
        if sequence.startswith("support_ticket_number_"):
            # ticket numbers come from per-year sequences (support/tickets/store.py): each test starts at 1 again
            statements.append(f'DROP SEQUENCE "{sequence}"')
        elif row["used"]:
            statements.append(f'ALTER SEQUENCE "{sequence}" RESTART')
    if statements:
        await conn.execute_script("; ".join(statements))


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

    settings = SupportSettings(DATABASE_URL=db, token_cache_seconds=0)
    return create_app(settings=settings, init_db=False, background=False)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://tripdesk.test") as http:
        yield http
