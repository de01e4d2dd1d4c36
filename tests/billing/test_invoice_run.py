"""Invoice runs: what reaches a draft, lines per (ticket, category, rate), rounding, VAT, reverse charge,
preview, discard, and the HTTP surface."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from billing import ledger, runs, schemas
from billing.models import Invoice, InvoiceStatus
from core.auth import Role
from support.timetracking.models import TimeEntry
from tests import factories
from tests.billing import builders as b

JAN = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))


async def run_jan() -> list[Invoice]:
    run = await runs.run_invoices(started_by="test", period_start=JAN[0], period_end=JAN[1])
    return await Invoice.filter(run_id=run.id).order_by("id")


async def test_one_draft_per_billed_organisation_with_a_line_per_ticket(db: str) -> None:
    await b.card()
    org, other, idle = await factories.organisation(), await factories.organisation(), await factories.organisation()
    staff = await factories.staff()
    t1, t2 = await b.ticket(org), await b.ticket(org, category="performance")
    t3 = await b.ticket(other)
    await b.entry(t1, staff, dt.date(2026, 1, 5), 50)           # → 60 min
    await b.entry(t1, staff, dt.date(2026, 1, 6), 7)            # → 15 min
    await b.entry(t2, staff, dt.date(2026, 1, 7), 90)
    await b.entry(t3, staff, dt.date(2026, 1, 8), 30)
    await b.entry(t3, staff, dt.date(2026, 2, 1), 30)           # outside the period
    await b.entry(t3, staff, dt.date(2026, 1, 9), 30, approved=False)   # not approved
    defect = await b.ticket(idle, category="defect")
    await b.entry(defect, staff, dt.date(2026, 1, 9), 120)      # free: no invoice for `idle`

    invoices = await run_jan()
    assert [i.organisation_id for i in invoices] == [org.id, other.id]
    read = await ledger.invoice_read(invoices[0])
    assert [(ln.ticket_number, ln.quantity, ln.unit_price, ln.amount) for ln in read.lines] == [
        (t1.number, Decimal("1.25"), Decimal("1250"), Decimal("1562.50")),
        (t2.number, Decimal("1.5"), Decimal("1450"), Decimal("2175.00")),
    ]
    assert read.net_amount == Decimal("3737.50") and read.vat_amount == Decimal("934.38")
    assert read.gross_amount == Decimal("4671.88")
    assert read.status == InvoiceStatus.draft and read.number is None
    assert sorted(read.lines[0].entry_ids) == sorted(
        await TimeEntry.filter(ticket_id=t1.id).values_list("id", flat=True))
    assert await TimeEntry.filter(invoice_id=invoices[0].id).count() == 3
    assert await TimeEntry.filter(invoice_id__isnull=True).count() == 3

    # A second run finds nothing new.
    assert await run_jan() == []
