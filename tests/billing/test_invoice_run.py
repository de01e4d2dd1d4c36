"""Invoice runs: what reaches a draft, lines per (ticket, category, rate), rounding, VAT, reverse charge,
preview, discard, and the HTTP surface."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from billing import invoice_reads, runs
from billing.models import Invoice, InvoiceStatus
from support.timetracking.models import TimeEntry
from tests import factories
from tests.billing import builders as b

JAN = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))


async def run_jan() -> list[Invoice]:
    run = await runs.run_invoices(started_by="test", period_start=JAN[0], period_end=JAN[1])
    return await Invoice.filter(run_id=run.id).order_by("id")


async def test_one_draft_per_billed_organisation_with_a_line_per_ticket(db: str) -> None:
    await b.card()
    org, other, idle = (await factories.organisation(), await factories.organisation(), await factories.organisation())
    staff = await factories.staff()
    t1, t2 = await b.ticket(org), await b.ticket(org, category="performance")
    t3 = await b.ticket(other)
    await b.entry(t1, staff, dt.date(2026, 1, 5), 50)  # → 60 min
    await b.entry(t1, staff, dt.date(2026, 1, 6), 7)  # → 15 min
    await b.entry(t2, staff, dt.date(2026, 1, 7), 90)
    await b.entry(t3, staff, dt.date(2026, 1, 8), 30)
    await b.entry(t3, staff, dt.date(2026, 2, 1), 30)  # outside the period
    await b.entry(t3, staff, dt.date(2026, 1, 9), 30, approved=False)  # not approved
    defect = await b.ticket(idle, category="defect")
    await b.entry(defect, staff, dt.date(2026, 1, 9), 120)  # free: no invoice for `idle`

    invoices = await run_jan()
    assert [i.organisation_id for i in invoices] == [org.id, other.id]
    read = await invoice_reads.invoice_read(invoices[0])
    assert [(ln.ticket_number, ln.quantity, ln.unit_price, ln.amount) for ln in read.lines] == [
        (t1.number, Decimal("1.25"), Decimal("1250"), Decimal("1562.50")),
        (t2.number, Decimal("1.5"), Decimal("1450"), Decimal("2175.00")),
    ]
    assert read.net_amount == Decimal("3737.50") and read.vat_amount == Decimal("934.38")
    assert read.gross_amount == Decimal("4671.88")
    assert read.status == InvoiceStatus.draft and read.number is None
    assert sorted(read.lines[0].entry_ids) == sorted(
        await TimeEntry.filter(ticket_id=t1.id).values_list("id", flat=True)
    )
    assert await TimeEntry.filter(invoice_id=invoices[0].id).count() == 3
    assert await TimeEntry.filter(invoice_id__isnull=True).count() == 3

    # A second run finds nothing new.
    assert await run_jan() == []


async def test_category_change_and_rate_change_split_lines(db: str) -> None:
    await b.card(valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2026, 1, 15))
    await b.card(
        name="Prislista 2026b",
        valid_from=dt.date(2026, 1, 16),
        rates_={"assistance": "1300.00", "performance": "1450.00"},
    )
    org, staff = await factories.organisation(), await factories.staff()
    t = await b.ticket(org)
    await b.entry(t, staff, dt.date(2026, 1, 5), 60)  # assistance 1250
    await b.entry(t, staff, dt.date(2026, 1, 6), 60, category="performance")  # reclassified: 1450
    await b.entry(t, staff, dt.date(2026, 1, 20), 30)  # new card: 1300
    await b.entry(t, staff, dt.date(2026, 1, 21), 30, category="performance")  # new card, same rate 1450
    [invoice] = await run_jan()
    read = await invoice_reads.invoice_read(invoice)
    assert [(ln.category, ln.unit_price, ln.quantity, ln.amount, len(ln.entry_ids)) for ln in read.lines] == [
        ("assistance", Decimal("1250"), Decimal("1"), Decimal("1250.00"), 1),
        ("assistance", Decimal("1300"), Decimal("0.5"), Decimal("650.00"), 1),
        ("performance", Decimal("1450"), Decimal("1.5"), Decimal("2175.00"), 2),
    ]
    assert read.net_amount == Decimal("4075.00")


async def test_unpriced_time_waits_and_is_reported(db: str) -> None:
    await b.card(rates_={"assistance": "1000"})
    org, staff = await factories.organisation(), await factories.staff()
    t = await b.ticket(org, category="activation")
    e = await b.entry(t, staff, dt.date(2026, 1, 5), 60)
    run = await runs.run_invoices(started_by="t", period_start=JAN[0], period_end=JAN[1])
    assert run.invoices_created == 0
    assert run.skipped == [{"organisation_id": org.id, "reason": "nothing_invoiceable", "unpriced_entry_ids": [e.id]}]
    assert (await TimeEntry.get(id=e.id)).invoice_id is None


async def test_approval_setting(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from billing import settings as billing_settings

    await b.card()
    org, staff = await factories.organisation(), await factories.staff()
    await b.entry(await b.ticket(org), staff, dt.date(2026, 1, 5), 60, approved=False)
    assert await run_jan() == []
    relaxed = billing_settings.BillingSettings(require_approval=False)
    monkeypatch.setattr(billing_settings, "get_billing_settings", lambda: relaxed)
    monkeypatch.setattr(runs, "get_billing_settings", lambda: relaxed)
    assert len(await run_jan()) == 1


async def test_billing_increment_setting(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from billing import settings as billing_settings

    await b.card()
    org, staff = await factories.organisation(), await factories.staff()
    await b.entry(await b.ticket(org), staff, dt.date(2026, 1, 5), 61)
    six = billing_settings.BillingSettings(billing_increment_minutes=6)
    monkeypatch.setattr(runs, "get_billing_settings", lambda: six)
    [invoice] = await run_jan()
    assert (await invoice_reads.invoice_read(invoice)).lines[0].quantity == Decimal("1.1")


async def test_rounding_half_up_per_line_then_sum(db: str) -> None:
    await b.card(rates_={"assistance": "1234.57", "performance": "999.99"})
    org, staff = await factories.organisation(), await factories.staff()
    t1, t2 = await b.ticket(org), await b.ticket(org, category="performance")
    await b.entry(t1, staff, dt.date(2026, 1, 5), 15)  # 0.25 × 1234.57 = 308.6425 → 308.64
    await b.entry(t2, staff, dt.date(2026, 1, 5), 45)  # 0.75 × 999.99 = 749.9925 → 749.99
    [invoice] = await run_jan()
    assert invoice.net_amount == Decimal("1058.63")
    assert invoice.vat_amount == Decimal("264.66")  # 264.6575 → 264.66
    assert invoice.gross_amount == Decimal("1323.29")
