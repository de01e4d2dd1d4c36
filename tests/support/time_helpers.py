"""Builders and helpers shared by the time-entry API tests."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import httpx

from core.auth import Role
from core.errors import PROBLEM_CONTENT_TYPE
from support.models import ClassificationState, Contact, Organisation, Staff, Ticket, TicketStatus
from support.policy import Category
from support.timetracking.settings import business_today
from tests import factories as f

_numbers = itertools.count(1)


def assert_problem(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_CONTENT_TYPE)
    body = response.json()
    assert body["status"] == status and body["type"].startswith("urn:tripdesk:problem:")
    if code is not None:
        assert body["code"] == code, body
    return body


async def make_ticket(
    org: Organisation,
    requester: Contact,
    category: Category | None = Category.assistance,
    *,
    state: ClassificationState = ClassificationState.confirmed,
    status: TicketStatus = TicketStatus.in_progress,
    bill_to: Organisation | None = None,
    opened: dt.datetime | None = None,
    **extra: Any,
) -> Ticket:
    """A ticket opened `opened` (default: 400 days ago, so any allowed work date is after it)."""
    n = next(_numbers)
    ticket = await Ticket.create(
        number=f"SUP-TT-{n:05d}",
        subject=f"Ärende {n}",
        body="",
        requester=requester,
        organisation=org,
        bill_to=bill_to or org,
        category=category,
        classification_state=state if category is not None else ClassificationState.unclassified,
        status=status,
        **extra,
    )
    ticket.created_at = opened or dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    await Ticket.filter(id=ticket.id).update(created_at=ticket.created_at)
    return ticket


@dataclass
class World:
    org: Organisation
    requester: Contact
    agent: Staff
    lead: Staff
    admin: dict[str, str]
    support: dict[str, str]  # bound to `agent`
    lead_token: dict[str, str]  # support token bound to `lead`
    shared: dict[str, str]  # support token with no staff member
    finance: dict[str, str]
    integrator: dict[str, str]  # of `org`
    stranger: dict[str, str]  # integrator of another organisation


async def world() -> World:
    org = await f.organisation()
    requester = await f.contact(org)
    agent = await f.staff()
    lead = await f.staff(is_lead=True)
    return World(
        org=org,
        requester=requester,
        agent=agent,
        lead=lead,
        admin=f.bearer(await f.token(Role.admin)),
        support=f.bearer(await f.token(Role.support, staff_member=agent)),
        lead_token=f.bearer(await f.token(Role.support, staff_member=lead)),
        shared=f.bearer(await f.token(Role.support)),
        finance=f.bearer(await f.token(Role.finance)),
        integrator=f.bearer(await f.token(Role.integrator, organisation=org)),
        stranger=f.bearer(await f.token(Role.integrator, organisation=await f.organisation())),
    )


def today() -> dt.date:
    return business_today()


def entry_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"work_date": today().isoformat(), "minutes": 30, "description": "Felsökte anropet"}
    body.update(overrides)
    return body


async def log(client: httpx.AsyncClient, headers: dict[str, str], ticket_id: int, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/tickets/{ticket_id}/time-entries", json=entry_body(**overrides), headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


# Category snapshot and billability ----------------------------------------------------------------------
