"""The fetcher as a long-running worker (IDLE wakes it when mail arrives) and the `fetch-mail` command."""

from __future__ import annotations

import asyncio
from pathlib import Path

from notifications.inbound.fetcher import MailFetcher
from notifications.models import InboundMessage, InboundStatus
from support.models import Ticket
from tests import factories as f
from tests.mail import messages as m
from tests.mail.conftest import Mailbox
from tests.processes import environment, file_database, run_cli


async def test_idle_wakes_the_worker_when_mail_arrives(db: str, mailbox: Mailbox) -> None:
    from tripdesk.wiring import install_hooks

    install_hooks()
    org = await f.organisation()
    await f.contact(org, email="eva@kommun.example.se")
    fetcher = MailFetcher(settings=mailbox.settings(IMAP_POLL_SECONDS=60))  # polling alone would take a minute
    assert fetcher.settings.poll_seconds == 60
    stop = asyncio.Event()
    task = asyncio.create_task(fetcher.run_forever(stop))
    try:
        # the first pass found nothing; it now waits in IDLE
        deadline = asyncio.get_running_loop().time() + 30
        while not (fetcher.mailbox.has("IDLE") and fetcher.mailbox.client.has_pending_idle()):
            assert asyncio.get_running_loop().time() < deadline, "the fetcher never began to wait in IDLE"
            await asyncio.sleep(0.02)
        await mailbox.append(
            m.raw(
                m.message(
                    sender="eva@kommun.example.se",
                    to="support@tripdesk.example.se",
                    subject="Aktivering av ärende-API",
                    body="Hur aktiverar vi det?",
                )
            )
        )
        for _ in range(100):
            if await Ticket.exists():
                break
            await asyncio.sleep(0.1)
        assert await Ticket.all().count() == 1
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


async def test_fetch_mail_command_reads_the_mailbox_once(db: str, mailbox: Mailbox, tmp_path: Path) -> None:
    url = await file_database(db, tmp_path)
    await mailbox.append(
        m.raw(
            m.message(sender="stranger@example.com", to="support@tripdesk.example.se", subject="Hej", body="Vem är ni?")
        )
    )
    out = await run_cli("fetch-mail", environment(url, IMAP_URL=mailbox.url), timeout=120)
    assert "held 1" in out
    assert (await InboundMessage.get()).status == InboundStatus.held
    assert await mailbox.count("INBOX") == 0
