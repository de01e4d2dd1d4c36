"""Racing invoice runs on PostgreSQL with real parallel connections bill each subscription period exactly once,
also when the subscriptions share invoices with time and when a change of tier is reconciled by the race."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from decimal import Decimal

import httpx
import pytest

from billing import runs
from billing.models import Invoice, InvoiceLine, InvoiceStatus
from billing.subscriptions import schemas, service
from billing.subscriptions.models import BillingPeriod, SubscriptionCharge
from tests import factories
from tests.billing import builders as b
from tests.billing.subscription_builders import expected_ore, price_list, subscribe
from tests.factories import bearer

pytestmark = pytest.mark.postgres_only
JAN = (dt.date(2027, 1, 1), dt.date(2027, 1, 31))
JUL = (dt.date(2027, 7, 1), dt.date(2027, 7, 31))


async def check_once() -> Counter[tuple[int, dt.date]]:
    charges = await SubscriptionCharge.all()
    per_period = Counter((c.subscription_id, c.period_start_date, c.seq) for c in charges)
    assert max(per_period.values()) == 1
    live = await Invoice.filter(status=InvoiceStatus.draft).values_list("id", flat=True)
    assert {c.invoice_id for c in charges} <= set(live)
    for invoice in await Invoice.filter(id__in=list(live)):
        lines = await InvoiceLine.filter(invoice_id=invoice.id)
        assert sum((ln.amount for ln in lines), Decimal(0)) == invoice.net_amount
    return Counter((c.subscription_id, c.period_start_date) for c in charges)


async def test_racing_runs_bill_each_subscription_period_once(client: httpx.AsyncClient, db: str) -> None:
    await b.card()
    await price_list()
    staff = await factories.staff()
    subs = []
    for i in range(12):
        org = await factories.organisation(population=20_000 + i)
        if i % 2:
            await b.entry(await b.ticket(org), staff, dt.date(2027, 1, 10), 30)
        subs.append(await subscribe(org, "xl" if i % 3 else "population", dt.date(2026, 11, 15)))
    finance = bearer(await factories.token("finance"))
    period = {"period_start": "2027-01-01", "period_end": "2027-01-31", "allow_open_period": True}

    responses = await asyncio.gather(
        *(client.post("/api/v1/invoice-runs", json=period, headers=finance) for _ in range(8))
    )
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    assert sum(r.json()["invoices_created"] for r in responses) == 12
    billed = await check_once()
    assert len(billed) == 24  # the 2026 catch-up and 2027, per subscription, once each
    for sub in subs:
        charges = await SubscriptionCharge.filter(subscription_id=sub.id).order_by("period_start_date")
        fee = 120000 if sub.kind == "xl" else 36000
        assert [c.amount for c in charges] == [
            expected_ore(fee, BillingPeriod.yearly, dt.date(2026, 11, 15), dt.date(2026, 12, 31)),
            Decimal(fee).quantize(Decimal("0.01")),
        ]

    # A change of tier, reconciled by racing runs: one credit and one charge, never two.
    await service.change_subscription(
        principal=b.ADMIN,
        subscription_id=subs[0].id,
        data=schemas.SubscriptionChange(kind="xl", effective_date=dt.date(2027, 7, 1)),
    )
    await asyncio.gather(
        *(
            runs.run_invoices(started_by=f"race {n}", period_start=JUL[0], period_end=JUL[1], allow_open_period=True)
            for n in range(6)
        )
    )
    await check_once()
    july = await SubscriptionCharge.filter(invoice__period_start_date=JUL[0]).order_by("amount")
    assert [c.amount for c in july] == [
        -expected_ore(36000, BillingPeriod.yearly, dt.date(2027, 7, 1), dt.date(2027, 12, 31)),
        expected_ore(120000, BillingPeriod.yearly, dt.date(2027, 7, 1), dt.date(2027, 12, 31)),
    ]
