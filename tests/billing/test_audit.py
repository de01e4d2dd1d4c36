"""Every money-moving action leaves an audit row written in its own transaction."""

from __future__ import annotations

import datetime as dt

import httpx

from core.auth import Role
from support.models import AuditEvent
from tests import factories as f
from tests.billing import builders as b


async def test_money_moving_actions_are_audited(client: httpx.AsyncClient) -> None:
    admin = f.bearer(await f.token(Role.admin, name="Karin admin"))
    finance = f.bearer(await f.token(Role.finance, name="Ekonomi"))
    card = await client.post(
        "/api/v1/rate-cards",
        headers=admin,
        json={"name": "Standard", "valid_from": "2020-01-01", "rates": {"assistance": "1200.00"}},
    )
    assert card.status_code == 201, card.text
    org = await f.organisation()
    prepaid = await client.post(
        f"/api/v1/organisations/{org.id}/prepaid",
        headers=admin,
        json={"name": "Klippkort", "hours": "10", "valid_from": "2020-01-01", "valid_until": "2099-12-31"},
    )
    assert prepaid.status_code == 201, prepaid.text

    actions = [e.action for e in await AuditEvent.all().order_by("id")]
    assert actions == ["rate_card.created", "prepaid.created"]
    first = await AuditEvent.get(action="rate_card.created")
    assert first.data is not None
    assert first.actor == "Karin admin" and first.data["rates"] == {"assistance": "1200.00"}

    listed = await client.get("/api/v1/audit-events", headers=finance, params={"action": "prepaid.created"})
    assert listed.status_code == 200 and [e["subject_type"] for e in listed.json()["items"]] == ["prepaid_package"]
    refused = await client.get("/api/v1/audit-events", headers=f.bearer(await f.token(Role.support)))
    assert refused.status_code == 403


async def test_run_issue_credit_pay_and_discard_are_audited(client: httpx.AsyncClient) -> None:
    finance = f.bearer(await f.token(Role.finance, name="Ekonomi"))
    await b.card()
    staff = await f.staff()
    orgs = [await f.organisation(), await f.organisation()]
    for org in orgs:
        await b.entry(await b.ticket(org), staff, dt.date(2026, 1, 5), 60)
    run = await client.post(
        "/api/v1/invoice-runs", headers=finance, json={"period_start": "2026-01-01", "period_end": "2026-01-31"}
    )
    assert run.status_code == 201, run.text
    keep, drop = run.json()["invoices"]
    assert (await client.post(f"/api/v1/invoices/{keep['id']}/issue", headers=finance)).status_code == 200
    assert (await client.delete(f"/api/v1/invoices/{drop['id']}", headers=finance)).status_code in (200, 204)
    credited = await client.post(
        f"/api/v1/invoices/{keep['id']}/credit", headers=finance, json={"reason": "fel timmar"}
    )
    assert credited.status_code in (200, 201), credited.text
    rows = await AuditEvent.all().order_by("id")
    actions = [r.action for r in rows if not r.action.startswith("rate_card")]
    assert actions == [
        "invoice_run.started",
        "invoice_run.finished",
        "invoice.issued",
        "invoice.discarded",
        "invoice.credited",
        "credit_note.issued",
    ]
    issued = next(r for r in rows if r.action == "invoice.issued")
    assert issued.data is not None
    assert issued.actor == "Ekonomi" and issued.data["gross"] == "1562.50" and issued.subject_id == keep["id"]
    credit = next(r for r in rows if r.action == "invoice.credited")
    assert credit.data is not None
    assert credit.data["reason"] == "fel timmar" and credit.data["released_time_entry_ids"]
