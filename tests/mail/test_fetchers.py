"""Several fetchers, and a fetcher killed mid-batch: every message becomes exactly one comment, none is lost,
and every message ends in the processed folder (real Dovecot, fetchers in their own processes)."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import httpx
import pytest

from core.auth import Role
from notifications.models import InboundMessage, InboundStatus
from support.models import Comment
from tests import factories as f
from tests.mail import messages as m
from tests.mail.conftest import Mailbox
from tests.processes import ROOT, environment, file_database


async def replies(client: httpx.AsyncClient, mailbox: Mailbox, count: int, tickets: int) -> set[str]:
    """`count` replies spread over `tickets` tickets, appended to the mailbox; returns the expected comments."""
    org = await f.organisation()
    contact = await f.contact(org, email="eva@kommun.example.se")
    admin = f.bearer(await f.token(Role.admin))
    numbers = []
    for n in range(tickets):
        r = await client.post(
            "/api/v1/tickets",
            headers=admin,
            json={"subject": f"Fråga {n} om OAuth", "body": "Hur hämtar vi en token?", "requester_id": contact.id},
        )
        assert r.status_code == 201, r.text
        numbers.append(r.json()["number"])
    expected, raws = set(), []
    for i in range(count):
        text = f"Svar nummer {i}: det fungerar nu."
        msg = m.message(
            sender=contact.email,
            to=f"support+{numbers[i % tickets]}@tripdesk.example.se",
            subject="Re: Fråga",
            body=f"{text}\n\nMvh\nEva\n\nDen 2026-12-07 kl. 10:15, skrev tripdesk:\n> Vi behöver mer information.\n",
        )
        expected.add(text)
        raws.append(m.raw(msg))
    await mailbox.append(*raws)
    return expected


async def start_fetcher(database_url: str, mailbox: Mailbox, **env: str) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "tests/mail/fetcher_process.py"),
        cwd=str(ROOT),
        env=environment(database_url, IMAP_URL=mailbox.url, IMAP_BATCH_SIZE="20", **env),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=120)
    assert line.strip() == b"ready", line
    return proc


async def go(proc: asyncio.subprocess.Process) -> None:
    assert proc.stdin is not None
    proc.stdin.write(b"go\n")
    await proc.stdin.drain()


async def summary(proc: asyncio.subprocess.Process) -> dict:
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=300)
    assert proc.returncode == 0
    return json.loads(out.decode().strip().splitlines()[-1])


async def assert_each_once(expected: set[str], mailbox: Mailbox) -> None:
    bodies = [c.body for c in await Comment.all()]
    assert len(bodies) == len(expected) and set(bodies) == expected  # none lost, none doubled
    assert await InboundMessage.filter(status=InboundStatus.processed).count() == len(expected)
    assert await mailbox.count("INBOX") == 0 and await mailbox.count("Processed") == len(expected)


@pytest.mark.postgres_only
async def test_two_fetchers_process_500_messages_each_exactly_once(
    client: httpx.AsyncClient, db: str, mailbox: Mailbox
) -> None:
    expected = await replies(client, mailbox, 500, tickets=10)
    procs = [await start_fetcher(db, mailbox) for _ in range(2)]
    for proc in procs:
        await go(proc)
    summaries = [await summary(proc) for proc in procs]
    assert sum(s["processed"] for s in summaries) == 500
    assert all(s["processed"] > 0 for s in summaries), summaries  # both really worked at once
    await assert_each_once(expected, mailbox)


async def test_a_fetcher_killed_mid_batch_loses_and_doubles_nothing(
    client: httpx.AsyncClient, db: str, mailbox: Mailbox, tmp_path: Path
) -> None:
    url = await file_database(db, tmp_path)
    expected = await replies(client, mailbox, 60, tickets=3)
    victim = await start_fetcher(url, mailbox, IMAP_LEASE_SECONDS="2")
    await go(victim)
    assert victim.stdout is not None
    for _ in range(15):  # let it handle some, then kill it in the middle of the rest
        line = await asyncio.wait_for(victim.stdout.readline(), timeout=120)
        assert line.startswith(b"handled"), line
    victim.send_signal(signal.SIGKILL)
    await victim.wait()
    done_before = await InboundMessage.filter(status=InboundStatus.processed).count()
    assert 15 <= done_before < 60

    survivor = await start_fetcher(url, mailbox, IMAP_LEASE_SECONDS="2")
    await go(survivor)
    result = await summary(survivor)
    assert result["processed"] == 60 - done_before
    await assert_each_once(expected, mailbox)
