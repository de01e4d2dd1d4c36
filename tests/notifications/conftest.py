"""Fixtures of the outbox tests: a real SMTP server on loopback and workers delivering into it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from notifications.mailer import SmtpMailer
from notifications.settings import MailSettings
from notifications.worker import OutboxWorker
from tests.notifications.smtp import SmtpServer


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
        OUTBOX_BATCH_SIZE=25,
        OUTBOX_BACKOFF_BASE_SECONDS=0.01,
        OUTBOX_BACKOFF_MAX_SECONDS=0.05,
        OUTBOX_MAX_ATTEMPTS=5,
        OUTBOX_POLL_SECONDS=0.05,
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
