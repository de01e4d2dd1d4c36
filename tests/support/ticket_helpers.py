"""The world most ticket tests start from, and opening a ticket through the API."""

from __future__ import annotations

from typing import Any

import httpx

from core.auth import Role
from support.models import Contact, Organisation
from tests import factories as f

DEFECT = (
    "Fel i API efter uppdatering",
    "Efter uppgraderingen i helgen returnerar GET /api/arenden 500 "
    "Internal Server Error för alla ärenden. Det fungerade innan patchen. Stacktrace: "
    "NullReferenceException at CaseController.Get",
)


async def world() -> tuple[Organisation, Contact, dict[str, str]]:
    org = await f.organisation()
    requester = await f.contact(org)
    admin = f.bearer(await f.token(Role.admin))
    return org, requester, admin


async def post_ticket(
    client: httpx.AsyncClient, headers: dict[str, str], requester_id: int, subject: str = "x", **fields: Any
) -> httpx.Response:
    """POST a ticket as given and return the answer unchecked: for what intake refuses."""
    json = {"subject": subject, "requester_id": requester_id, **fields}
    return await client.post("/api/v1/tickets", json=json, headers=headers)


async def open_ticket(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    requester_id: int,
    subject: str = DEFECT[0],
    body: str = DEFECT[1],
    **extra: Any,
) -> dict[str, Any]:
    response = await post_ticket(client, headers, requester_id, subject, body=body, **extra)
    assert response.status_code == 201, response.text
    return response.json()
