"""Issued invoices to pay, remind and book: one per organisation, built through the real run and ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from billing import ledger, runs
from billing.models import Invoice
from billing.payments import bgmax
from billing.payments.schemas import ImportResult
from billing.payments.service import import_file
from billing.settings import get_billing_settings
from support.models import Organisation
from tests import factories
from tests.billing import builders as b

PERIOD_START, PERIOD_END = dt.date(2026, 1, 1), dt.date(2026, 1, 31)


async def issued_invoices(
    minutes: list[int], *, issue_date: dt.date = dt.date(2026, 2, 2), foreign: int | None = None
) -> list[Invoice]:
    """One issued invoice per entry of `minutes` (assistance at 1 250 kr/h, 25 % VAT: 60 min = 1 562,50 kr
    gross); the organisation at index `foreign` is a Finnish company (reverse charge)."""
    await b.card()
    staff = await factories.staff()
    orgs: list[Organisation] = []
    for n, worked in enumerate(minutes):
        if n == foreign:
            org = await b.finnish_company(name=f"Nordic {n} Oy")
        else:
            org = await factories.organisation(name=f"Betalkommun {n}", invoice_email=f"faktura{n}@kommun.example.se")
        ticket = await b.ticket(org)
        await b.entry(ticket, staff, dt.date(2026, 1, 10), worked)
        orgs.append(org)
    await runs.run_invoices(started_by="test", period_start=PERIOD_START, period_end=PERIOD_END)
    issued = []
    for org in orgs:
        draft = await Invoice.get(organisation_id=org.id, status="draft")
        issued.append(await ledger.issue_draft(principal=b.FINANCE, invoice_id=draft.id, issue_date=issue_date))
    return issued


def gross(invoice: Invoice) -> Decimal:
    return Decimal(invoice.gross_amount)


async def pay(
    invoice: Invoice, amount: Decimal, *, on: dt.date, serial: str = "000000000001", **file: Any
) -> ImportResult:
    """Import a BgMax file (finance) in which the bank reports `amount` paid on `on` to the invoice's OCR
    reference; `file` goes to bgmax.write (written_at, names …)."""
    payments = [(invoice.ocr or "", amount, serial)]
    data = bgmax.write(bankgiro=get_billing_settings().seller_bankgiro, payment_date=on, payments=payments, **file)
    return await import_file(principal=b.FINANCE, data=data)
