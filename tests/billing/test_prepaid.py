"""Prepaid hour packages: drawn first, oldest expiring first, only when valid on the work date; visible to
staff and to the organisation's own integrators."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx

from billing import invoice_reads, ledger, runs
from billing.models import Invoice, PrepaidDrawdown
from support.timetracking.settings import business_today
from tests import factories
from tests.billing import builders as b
from tests.factories import bearer


async def test_drawdown_order_validity_and_remaining_time_invoiced(db: str) -> None:
    await b.card()
    org, staff = await factories.organisation(), await factories.staff()
    late = await b.package(org, "10", valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2026, 12, 31), name="Late")
    early = await b.package(org, "1.5", valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2026, 1, 10), name="Early")
    future = await b.package(org, "5", valid_from=dt.date(2026, 1, 25), valid_until=dt.date(2026, 3, 31), name="Future")
    t = await b.ticket(org)
    e1 = await b.entry(t, staff, dt.date(2026, 1, 5), 60)  # early 1.0
    e2 = await b.entry(t, staff, dt.date(2026, 1, 9), 60)  # early 0.5, late 0.5
    e3 = await b.entry(t, staff, dt.date(2026, 1, 20), 600)  # late 9.5, then 0.5 at the rate
    await b.entry(await b.ticket(org, category="performance"), staff, dt.date(2026, 1, 26), 60)  # future 1.0
    run = await runs.run_invoices(started_by="t", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31))
    [invoice] = await Invoice.filter(run_id=run.id)
    draws = {(d.time_entry_id, d.package_id): d.hours for d in await PrepaidDrawdown.filter(invoice_id=invoice.id)}
    assert draws == {
        (e1.id, early.id): Decimal("1"),
        (e2.id, early.id): Decimal("0.5"),
        (e2.id, late.id): Decimal("0.5"),
        (e3.id, late.id): Decimal("9.5"),
        (e3.id + 1, future.id): Decimal("1"),
    }
    read = await invoice_reads.invoice_read(invoice)
    first = read.lines[0]
    assert (first.total_hours, first.prepaid_hours, first.quantity, first.amount) == (
        Decimal("12"),
        Decimal("11.5"),
        Decimal("0.5"),
        Decimal("625.00"),
    )
    assert read.lines[1].amount == Decimal("0.00") and read.lines[1].prepaid_hours == Decimal("1")
    assert read.net_amount == Decimal("625.00")


async def test_discard_returns_the_hours(db: str) -> None:
    await b.card()
    org, staff = await factories.organisation(), await factories.staff()
    await b.package(org, "3")
    await b.entry(await b.ticket(org), staff, dt.date(2026, 1, 5), 120)
    run = await runs.run_invoices(started_by="t", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31))
    [invoice] = await Invoice.filter(run_id=run.id)
    from billing import prepaid

    summary = await prepaid.get_prepaid(principal=b.ADMIN, organisation_id=org.id)
    assert summary.packages[0].used_hours == Decimal("2.00")
    await ledger.discard_invoice(principal=b.FINANCE, invoice_id=invoice.id)
    summary = await prepaid.get_prepaid(principal=b.ADMIN, organisation_id=org.id)
    assert summary.packages[0].remaining_hours == Decimal("3.00")


async def test_prepaid_api_visibility_and_validation(client: httpx.AsyncClient, db: str) -> None:
    org, other = await factories.organisation(), await factories.organisation()
    admin = bearer(await factories.token("admin"))
    support = bearer(await factories.token("support"))
    mine = bearer(await factories.token("integrator", organisation=org))
    theirs = bearer(await factories.token("integrator", organisation=other))
    today = business_today()
    body = {
        "name": "Klippkort 20 h",
        "hours": "20",
        "valid_from": str(today - dt.timedelta(days=1)),
        "valid_until": str(today + dt.timedelta(days=365)),
    }
    created = await client.post(f"/api/v1/organisations/{org.id}/prepaid", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["remaining_hours"] == "20.00"
    assert (await client.post(f"/api/v1/organisations/{org.id}/prepaid", json=body, headers=support)).status_code == 403
    assert (await client.post(f"/api/v1/organisations/{org.id}/prepaid", json=body, headers=mine)).status_code == 403
    assert (await client.post(f"/api/v1/organisations/{org.id}/prepaid", json=body)).status_code == 401
    for bad in (
        {**body, "hours": 20.5},
        {**body, "hours": "0"},
        {**body, "hours": "-1"},
        {**body, "hours": "1.255"},
        {**body, "valid_until": "2000-01-01"},
    ):
        assert (
            await client.post(f"/api/v1/organisations/{org.id}/prepaid", json=bad, headers=admin)
        ).status_code == 422, bad
    assert (await client.post("/api/v1/organisations/999999/prepaid", json=body, headers=admin)).status_code == 404
    seen = await client.get(f"/api/v1/organisations/{org.id}/prepaid", headers=mine)
    assert seen.status_code == 200 and seen.json()["remaining_hours_today"] == "20.00"
    assert (await client.get(f"/api/v1/organisations/{org.id}/prepaid", headers=support)).status_code == 200
    assert (await client.get(f"/api/v1/organisations/{org.id}/prepaid", headers=theirs)).status_code == 404
