"""Cost ceilings: set by the billed organisation's integrator (or staff), time beyond held until approved,
one email per ceiling revision when reached."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
import pytest

from billing import runs
from billing.models import Invoice
from notifications.models import OutboxMessage
from support.models import Organisation, Ticket
from support.timetracking.models import TimeEntry
from tests import factories
from tests.billing import builders as b
from tests.factories import bearer


class W:
    org: Organisation
    ticket: Ticket
    mine: dict[str, str]
    theirs: dict[str, str]
    support: dict[str, str]
    entries: list[TimeEntry]


@pytest.fixture
async def w(db: str) -> W:
    w = W()
    await b.card()
    w.org, other = await factories.organisation(), await factories.organisation()
    staff = await factories.staff()
    w.ticket = await b.ticket(w.org)
    # 1 h + 1 h + 1 h + 0.5 h, in work order
    w.entries = [
        await b.entry(w.ticket, staff, dt.date(2026, 1, d), m) for d, m in ((5, 60), (6, 60), (7, 60), (8, 30))
    ]
    w.mine = bearer(await factories.token("integrator", organisation=w.org))
    w.theirs = bearer(await factories.token("integrator", organisation=other))
    w.support = bearer(await factories.token("support"))
    return w


async def run_jan() -> list[Invoice]:
    run = await runs.run_invoices(started_by="t", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31))
    return await Invoice.filter(run_id=run.id)


async def test_hours_ceiling_holds_time_until_approved(client: httpx.AsyncClient, w: W) -> None:
    url = f"/api/v1/tickets/{w.ticket.id}/cost-ceiling"
    response = await client.put(url, json={"kind": "hours", "limit": "2.5"}, headers=w.mine)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["used"] == "3.50" and body["reached"] is True
    assert body["held_entry_ids"] == [w.entries[2].id, w.entries[3].id]
    mails = await OutboxMessage.filter(template="cost_ceiling_reached")
    assert len(mails) == 1 and w.ticket.number in mails[0].subject

    [invoice] = await run_jan()
    assert invoice.net_amount == Decimal("2500.00")  # 2 h; the third hour would pass 2.5 h
    assert await TimeEntry.filter(invoice_id__isnull=True).count() == 2
    assert await OutboxMessage.filter(template="cost_ceiling_reached").count() == 1  # once per revision

    assert (await client.post(f"{url}/approve", json={}, headers=w.theirs)).status_code == 404
    approved = await client.post(f"{url}/approve", json={"note": "OK enligt mejl"}, headers=w.mine)
    assert approved.status_code == 200 and approved.json()["approved_at"] and approved.json()["held_entry_ids"] == []
    assert approved.json()["approved_by"].startswith("integrator token")
    await Invoice.filter(id=invoice.id).update(open_key=None)  # as if issued
    [second] = await run_jan()
    assert second.net_amount == Decimal("1875.00")


async def test_amount_ceiling_and_new_revision_needs_new_approval(client: httpx.AsyncClient, w: W) -> None:
    url = f"/api/v1/tickets/{w.ticket.id}/cost-ceiling"
    body = (await client.put(url, json={"kind": "amount", "limit": "5000"}, headers=w.support)).json()
    assert body["used"] == "4375.00" and body["reached"] is False and body["held_entry_ids"] == []
    assert await OutboxMessage.filter(template="cost_ceiling_reached").count() == 0
    body = (await client.put(url, json={"kind": "amount", "limit": "1250"}, headers=w.mine)).json()
    assert body["reached"] is True and body["held_entry_ids"] == [e.id for e in w.entries[1:]]
    assert (
        (await client.post(f"{url}/approve", json={}, headers=w.support)).json()["approved_by"].endswith("on behalf)")
    )
    body = (await client.put(url, json={"kind": "amount", "limit": "2500"}, headers=w.mine)).json()
    assert body["approved_at"] is None and body["held_entry_ids"] == [e.id for e in w.entries[2:]]
    assert await OutboxMessage.filter(template="cost_ceiling_reached").count() == 2
    got = await client.get(url, headers=w.mine)
    assert got.status_code == 200 and got.json()["limit"] == "2500.00"


async def test_ceiling_access_and_validation(client: httpx.AsyncClient, w: W) -> None:
    url = f"/api/v1/tickets/{w.ticket.id}/cost-ceiling"
    assert (await client.get(url, headers=w.mine)).status_code == 404  # none set yet
    assert (await client.put(url, json={"kind": "hours", "limit": "10"}, headers=w.theirs)).status_code == 404
    assert (await client.put(url, json={"kind": "hours", "limit": "10"})).status_code == 401
    finance = bearer(await factories.token("finance"))
    assert (await client.post(f"{url}/approve", json={}, headers=finance)).status_code == 403
    for bad in (
        {"kind": "hours", "limit": 10.5},
        {"kind": "hours", "limit": "0"},
        {"kind": "hours", "limit": "-5"},
        {"kind": "km", "limit": "5"},
        {"kind": "amount", "limit": "10.001"},
        {"kind": "amount"},
    ):
        assert (await client.put(url, json=bad, headers=w.mine)).status_code == 422, bad
    defect = await b.ticket(w.org, category="defect")
    refused = await client.put(
        f"/api/v1/tickets/{defect.id}/cost-ceiling", json={"kind": "hours", "limit": "5"}, headers=w.mine
    )
    assert refused.status_code == 409 and refused.json()["code"] == "ticket_not_billable"
    assert (
        await client.put("/api/v1/tickets/999999/cost-ceiling", json={"kind": "hours", "limit": "5"}, headers=w.support)
    ).status_code == 404
    assert (await client.post(f"{url}/approve", json={}, headers=w.mine)).status_code == 404
