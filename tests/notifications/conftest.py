"""Fixtures of the outbox tests: a real SMTP server on loopback and workers delivering into it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from notifications.mailer import SmtpMailer
from notifications.models import OutboxMessage, OutboxStatus
from notifications.settings import MailSettings
from notifications.worker import OutboxWorker
from tests.notifications.smtp import Received, SmtpServer

# Delivers what is pending and returns every message the SMTP server has received so far.
Deliver = Callable[[], Awaitable[list[Received]]]


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mail_settings(tmp_path: Path, smtp: SmtpServer) -> MailSettings:
    """Fast retries so a test can watch a message go round: base backoff 10 ms, five attempts."""
    return MailSettings(
        SMTP_URL=smtp.url,
        TRIPDESK_DATA_DIR=tmp_path,
        batch_size=25,
        backoff_base_seconds=0.01,
        backoff_max_seconds=0.05,
        max_attempts=5,
        poll_seconds=0.05,
        SMTP_TIMEOUT_SECONDS=5,
    )


@pytest.fixture
def make_worker(mail_settings: MailSettings) -> Iterator[Callable[..., OutboxWorker]]:
    made: list[OutboxWorker] = []

    def make(**overrides: Any) -> OutboxWorker:
        settings = mail_settings.model_copy(update=overrides) if overrides else mail_settings
        worker = OutboxWorker(mailer=SmtpMailer(settings.smtp_url or ""), settings=settings)
        made.append(worker)
        return worker

    yield make
    # Connections are closed by the tests (await worker.mailer.close()); the server stops anyway.


@pytest.fixture
def deliver(smtp: SmtpServer, make_worker: Callable[..., OutboxWorker]) -> Deliver:
    async def run() -> list[Received]:
        await deliver_with_a_new_worker(make_worker)
        return smtp.received

    return run


async def deliver_with_a_new_worker(make_worker: Callable[[], OutboxWorker]) -> None:
    """Deliver everything pending with a fresh worker, then close its connection."""
    worker = make_worker()
    await deliver_all(worker)
    await worker.mailer.close()


async def deliver_all(
    worker: OutboxWorker, *, until: int | None = None, smtp: SmtpServer | None = None, limit_s: float = 10.0
) -> None:
    """Run the worker until nothing is pending (or the server has `until` messages), waiting out backoffs."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit_s
    while loop.time() < deadline:
        await worker.run_once()
        if until is not None and smtp is not None and len(smtp.received) >= until:
            return
        if (
            until is None
            and not await OutboxMessage.filter(status__in=[OutboxStatus.pending, OutboxStatus.sending]).exists()
        ):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the outbox did not drain in time")
