"""Shared set-up of the attachment tests: a store per test (both back-ends), a ticket, uploads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.auth import Role
from support.attachments.settings import get_attachment_settings
from tests import factories as f
from tests.support.ticket_helpers import open_ticket

STORES = ["directory", "database"]
EXPORT_STUCK = ("Exporten fastnar", "Batchexporten avbryts efter en timme.")


def use_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kind: str, **env: str) -> Iterator[str]:
    monkeypatch.setenv("TRIPDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRIPDESK_ATTACHMENT_STORE", kind)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_attachment_settings.cache_clear()
    yield kind
    get_attachment_settings.cache_clear()


async def world(client: httpx.AsyncClient) -> dict[str, Any]:
    """Two organisations, a ticket each, staff and integrator tokens."""
    org, other = await f.organisation(), await f.organisation()
    admin = f.bearer(await f.token(Role.admin))
    tickets = []
    for organisation in (org, other):
        requester = await f.contact(organisation)
        ticket = await open_ticket(client, admin, requester.id, *EXPORT_STUCK)
        tickets.append(ticket["id"])
    return {
        "org": org,
        "other": other,
        "admin": admin,
        "ticket": tickets[0],
        "other_ticket": tickets[1],
        "integrator": f.bearer(await f.token(Role.integrator, organisation=org)),
    }


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    url: str,
    name: str,
    content: bytes,
    content_type: str = "application/octet-stream",
) -> httpx.Response:
    return await client.post(url, headers=headers, files={"file": (name, content, content_type)})
