"""The application in another process: a `tripdesk.cli` command or a test's helper script, started from the
repository root with the test's database (PostgreSQL's as it is; the in-memory SQLite database is invisible to
another process, so the test moves to a file)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tortoise import Tortoise

from tripdesk.db import tortoise_config

ROOT = Path(__file__).resolve().parents[1]


async def file_database(db: str, tmp_path: Path) -> str:
    """A database URL another process can open; on SQLite the test is switched to a new file database."""
    if not db.startswith("sqlite"):
        return db
    url = f"sqlite://{tmp_path / 'shared.sqlite3'}"
    await Tortoise.close_connections()
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    await Tortoise.generate_schemas()
    return url


def environment(database_url: str, **extra: str) -> dict[str, str]:
    """This process's environment with the database and the repository on the import path."""
    return {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), **extra}


async def run_cli(command: str, env: dict[str, str], *, timeout: float) -> str:
    """Run `python -m tripdesk.cli command`; it must exit 0. Its standard output."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tripdesk.cli",
        command,
        cwd=str(ROOT),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=timeout)
    assert proc.returncode == 0, err.decode()[-2000:]
    return out.decode()
