"""The command line as a first-time user meets it: one clear line for an unmigrated database, a token tied to a
staff member, `serve` saying where it listens, and a --help that says defaults, formats and environment."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import drop_scratch_database, scratch_database

REPO = Path(__file__).resolve().parents[2]


def tripdesk(*args: str, database_url: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "TRIPDESK_LOG_JSON": "false"}
    return subprocess.run(
        [sys.executable, "-m", "tripdesk.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
async def test_seed_demo_on_an_unmigrated_database_says_migrate_first(tmp_path: Path) -> None:
    name, url = await scratch_database("tripdesk_cli", tmp_path / "empty.sqlite3")
    try:
        result = tripdesk("seed-demo", database_url=url)
    finally:
        await drop_scratch_database(name)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: the database has no tripdesk tables yet: run `tripdesk migrate` first"
    ]


@pytest.mark.sqlite_pass  # its own SQLite file (or none), whichever the pass
@pytest.mark.slow
def test_create_token_with_a_staff_member(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'desk.sqlite3'}"
    assert tripdesk("migrate", database_url=url).returncode == 0
    with sqlite3.connect(tmp_path / "desk.sqlite3") as conn:
        conn.execute(
            "INSERT INTO support_staff (name, email, is_lead, active, created_at) "
            "VALUES ('Karin Berg', 'karin@tripdesk.example.se', 1, 1, '2026-01-01T00:00:00+00:00')"
        )
    made = tripdesk("create-token", "--role", "support", "--name", "Karin (support)", "--staff", "1", database_url=url)
    assert made.returncode == 0, made.stderr
    lines = made.stdout.strip().splitlines()
    assert "acting as staff 1 (Karin Berg)" in lines[0] and lines[-1].startswith("td_")
    with sqlite3.connect(tmp_path / "desk.sqlite3") as conn:
        assert conn.execute("SELECT staff_id FROM support_api_token").fetchall() == [(1,)]
    missing = tripdesk("create-token", "--role", "support", "--name", "x", "--staff", "9", database_url=url)
    assert missing.returncode == 2 and missing.stderr.strip() == "error: staff 9 not found"


@pytest.mark.sqlite_pass  # its own SQLite file (or none), whichever the pass
def test_every_help_says_defaults_formats_and_environment() -> None:
    from tripdesk.cli import build_parser
    from tripdesk.wiring import install_hooks

    install_hooks()
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert isinstance(sub.choices, dict)
    assert "DATABASE_URL" in parser.format_help()
    for name, command in sub.choices.items():
        text = command.format_help()
        assert "environment:" in text and "DATABASE_URL" in text, name
        assert text.split("\n\n")[1].strip(), f"{name} has no description"
    serve = sub.choices["serve"].format_help()
    assert "(default: 127.0.0.1)" in serve and "(default: 8000)" in serve
    assert "a calendar month, e.g. 2026-11" in sub.choices["invoice-run"].format_help()


@pytest.mark.sqlite_pass  # its own SQLite file (or none), whichever the pass
def test_serve_says_where_it_listens(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'serve.sqlite3'}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "TRIPDESK_OUTBOX_WORKER": "false"}
    server = subprocess.Popen(
        [sys.executable, "-m", "tripdesk.cli", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert first.startswith(f"tripdesk serving on http://127.0.0.1:{port}/"), first
