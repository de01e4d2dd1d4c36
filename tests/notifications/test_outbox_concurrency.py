"""Several workers at once: every message is delivered exactly once (PostgreSQL, SKIP LOCKED claims), and the
`send-outbox` command drains the queue."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from tortoise.transactions import in_transaction

from notifications.models import OutboxMessage, OutboxStatus
from tests.notifications.smtp import SmtpServer
from tests.notifications.test_outbox import queue
from tests.processes import ROOT, environment, file_database, run_cli


def _env(database_url: str, smtp_url: str, **extra: str) -> dict[str, str]:
    return environment(
        database_url, SMTP_URL=smtp_url, OUTBOX_BACKOFF_BASE_SECONDS="0.01", OUTBOX_BACKOFF_MAX_SECONDS="0.05", **extra
    )


async def enqueue_many(n: int) -> None:
    async with in_transaction():
        for i in range(n):
            assert await queue(key=f"bulk:{i}", to=f"user{i}@kommun.example.se")


@pytest.mark.postgres_only
@pytest.mark.slow
async def test_two_worker_processes_deliver_each_message_exactly_once(db: str, smtp: SmtpServer) -> None:
    total = 1000
    await enqueue_many(total)
    smtp.handler.fail_next(15, "421 4.7.0 Too many connections, slow down")  # some go round again
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "tests/notifications/worker_process.py"),
            cwd=str(ROOT),
            env=_env(db, smtp.url, OUTBOX_BATCH_SIZE="20"),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for proc in procs:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
        assert line.strip() == b"ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
        await proc.stdin.drain()
    outputs = [await asyncio.wait_for(proc.communicate(), timeout=60) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0]
    summaries = [json.loads(out.decode().strip().splitlines()[-1]) for out, _ in outputs]

    ids = smtp.handler.message_ids()
    assert len(ids) == total and len(set(ids)) == total  # each exactly once at the server
    assert sum(s["sent"] for s in summaries) == total
    assert all(s["sent"] > 0 for s in summaries), summaries  # both really worked concurrently
    assert await OutboxMessage.filter(status=OutboxStatus.sent).count() == total
    expected = set(await OutboxMessage.all().values_list("message_id", flat=True))
    assert set(ids) == expected


async def test_send_outbox_command_drains_the_queue(db: str, smtp: SmtpServer, tmp_path: Path) -> None:
    url = await file_database(db, tmp_path)
    for n in range(3):
        assert await queue(key=f"cli:{n}")
    out = await run_cli("send-outbox", _env(url, smtp.url), timeout=60)
    assert "sent 3" in out and "pending 0" in out
    assert len(smtp.received) == 3
    assert await OutboxMessage.filter(status=OutboxStatus.sent).count() == 3
