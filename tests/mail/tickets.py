"""Tickets for the mail tests to answer: a requester of an organisation of its own, and their ticket opened and
moved through the workflow over the HTTP API, as an admin."""

from __future__ import annotations

from typing import Any

import httpx

from core.auth import Role
from support.models import Contact
from tests import factories as f

ASSISTANCE = (
    "Hur autentiserar vi mot API:et?",
    "Vi förstår inte hur vi hämtar en OAuth-token. Vilka scopes behövs och hur anropar vi token-endpointen?",
)


async def requester(email: str, **fields: Any) -> Contact:
    """A contact with this address, of a new organisation."""
    return await f.contact(await f.organisation(), email=email, **fields)


async def admin_headers() -> dict[str, str]:
    return f.bearer(await f.token(Role.admin))


async def open_ticket(
    client: httpx.AsyncClient, contact: Contact, subject: str = ASSISTANCE[0], body: str = ASSISTANCE[1]
) -> dict[str, Any]:
    json = {"subject": subject, "body": body, "requester_id": contact.id}
    response = await client.post("/api/v1/tickets", headers=await admin_headers(), json=json)
    assert response.status_code == 201, response.text
    return response.json()


async def move(client: httpx.AsyncClient, ticket: dict[str, Any], *statuses: str) -> None:
    """PATCH the ticket through these statuses, in order; each step must succeed."""
    headers = await admin_headers()
    for status in statuses:
        response = await client.patch(f"/api/v1/tickets/{ticket['id']}", headers=headers, json={"status": status})
        assert response.status_code == 200, response.text


async def open_waiting_ticket(client: httpx.AsyncClient, contact: Contact) -> dict[str, Any]:
    """A ticket of this contact's, waiting on the customer: the state in which a reply is expected."""
    ticket = await open_ticket(client, contact)
    await move(client, ticket, "triaged", "in_progress", "waiting_on_customer")
    return ticket
