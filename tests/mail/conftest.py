"""Fixtures of the mail tests: a real Dovecot IMAP server on loopback (one per session, a fresh mailbox user
per test), helpers to APPEND messages to it and to read its folders, and a fetcher wired to it."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aioimaplib
import pytest

from notifications.inbound.fetcher import MailFetcher
from notifications.settings import InboundSettings
from tests.mail.dovecot import Dovecot, ensure_installed
from tripdesk.wiring import install_hooks

_users = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    if not ensure_installed():
        pytest.skip("dovecot-imapd is not installed and cannot be installed here (needs root and apt-get)")
    base = Path(tempfile.mkdtemp(prefix="tripdesk-dovecot-"))
    server = Dovecot(base)
    # Every user up front: Dovecot notices a changed passwd-file by its mtime, in whole seconds, so users
    # added within a second of its last read would be unknown to it.
    server.add_users({f"support{n}": "secret" for n in range(1, 400)})
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Mailbox:
    """One IMAP user's mailbox: `append` messages, `count` a folder, `settings` for a fetcher."""

    def __init__(self, server: Dovecot, user: str) -> None:
        self.server, self.user = server, user
        self.url = server.url(user)

    async def _client(self) -> aioimaplib.IMAP4:
        client = aioimaplib.IMAP4(host="127.0.0.1", port=self.server.port, timeout=30)
        await client.wait_hello_from_server()
        assert (await client.login(self.user, self.server.users[self.user])).result == "OK"
        return client

    async def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        client = await self._client()
        try:
            for raw in messages:
                response = await client.append(raw, mailbox=folder)
                assert response.result == "OK", response
        finally:
            await client.logout()

    async def count(self, folder: str = "INBOX") -> int:
        client = await self._client()
        try:
            response = await client.status(f'"{folder}"', "(MESSAGES)")
            if response.result != "OK":
                return 0
            text = b" ".join(bytes(line) for line in response.lines)
            return int(text.split(b"MESSAGES ")[1].split(b")")[0])
        finally:
            await client.logout()

    def settings(self, **overrides: object) -> InboundSettings:
        values: dict[str, Any] = {
            "IMAP_URL": self.url,
            "IMAP_POLL_SECONDS": 0.2,
            "IMAP_LEASE_SECONDS": 30,
            "IMAP_MAX_ATTEMPTS": 3,
            "IMAP_TIMEOUT_SECONDS": 60,
        }
        values.update(overrides)
        return InboundSettings(**values)


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Mailbox:
    return Mailbox(dovecot, f"support{next(_users)}")


@pytest.fixture
async def fetcher(db: str, mailbox: Mailbox) -> AsyncIterator[MailFetcher]:
    install_hooks()
    made = MailFetcher(settings=mailbox.settings())
    try:
        yield made
    finally:
        await made.close()
