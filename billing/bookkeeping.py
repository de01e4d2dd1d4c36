"""A period's bookkeeping, as balanced verifications on configurable accounts (billing/payments/settings.py),
for the SIE 4 export (billing/sie.py) and its CSV twin.

Which verifications (one per business event, dated when it happened):
- F: an invoice issued in the period: receivables debit gross; sales per (category, VAT category) account credit
  the lines' net; output VAT credit the VAT.
- K: a credit note issued in the period: the same rows with the signs turned.
- B: a bank payment (from a payment file) dated in the period: bank debit the amount; receivables credit what
  was matched to invoices at import; unapplied payments (a liability) credit the rest.
- P: an unapplied payment assigned to an invoice by finance: unapplied debit, receivables credit.
- M: an invoice marked paid by hand: bank debit, receivables credit.
- R: a refund of an unapplied payment: unapplied debit, bank credit.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

from billing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus
from billing.payments.models import AllocationSource, Payment, PaymentAllocation, PaymentState
from billing.payments.settings import get_collection_settings
from billing.settings import get_billing_settings
from billing.sie import Company, Trans, Verification, write
from billing.snapshot_builder import SUBSCRIPTION_CATEGORY
from core.errors import InvalidInput
from support.models import Organisation
from support.timetracking.settings import business_today

ACCOUNT_NAMES = {
    "1510": "Kundfordringar",
    "1930": "Företagskonto/checkkonto/affärskonto",
    "2420": "Förskott från kunder",
    "2611": "Utgående moms på försäljning inom Sverige, 25 %",
    "3041": "Försäljning tjänster 25 % sv",
    "3044": "Försäljning tjänster, momsfri",
    "3305": "Försäljning tjänster till land utanför EU",
    "3308": "Försäljning tjänster till annat EU-land",
}


def parse_month(value: str) -> tuple[dt.date, dt.date]:
    try:
        start = dt.datetime.strptime(value.strip(), "%Y-%m").date()
    except (ValueError, AttributeError):
        raise InvalidInput(f"period must be YYYY-MM, e.g. 2026-02; got {value!r}") from None
    if start.year < 1900:
        raise InvalidInput(f"period {value!r} is out of range")
    return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


def _rows(pairs: list[tuple[str, Decimal, str]]) -> list[Trans]:
    """Rows in the order given, equal accounts merged, zero rows left out."""
    merged: dict[str, Decimal] = {}
    for account, amount, _ in pairs:
        merged[account] = merged.get(account, Decimal(0)) + amount
    return [Trans(account, amount) for account, amount in merged.items() if amount != 0]


async def verifications(start: dt.date, end: dt.date) -> list[Verification]:
    cs = get_collection_settings()
    recv, bank, vat = cs.account_receivables, cs.account_bank, cs.account_output_vat
    unapplied = cs.account_unapplied_payments
    result: list[Verification] = []
    documents = await Invoice.filter(status=InvoiceStatus.issued, issue_date__gte=start, issue_date__lte=end).order_by(
        "issue_date", "number"
    )
    names = (
        dict(await Organisation.filter(id__in={d.organisation_id for d in documents}).values_list("id", "name"))
        if documents
        else {}
    )
    lines: dict[int, list[InvoiceLine]] = defaultdict(list)
    for line in await InvoiceLine.filter(invoice_id__in=[d.id for d in documents]).order_by("line_no"):
        lines[line.invoice_id].append(line)
    counters: dict[str, int] = defaultdict(int)

    def add(series: str, date: dt.date, text: str, pairs: list[tuple[str, Decimal, str]]) -> None:
        rows = _rows(pairs)
        if not rows:  # a 0,00 invoice (all prepaid hours) moves no money: nothing to book
            return
        counters[series] += 1
        result.append(Verification(series, counters[series], date, text, rows))

    for doc in documents:
        sign = Decimal(1) if doc.kind == InvoiceKind.invoice else Decimal(-1)
        label = "Faktura" if doc.kind == InvoiceKind.invoice else "Kreditfaktura"
        pairs = [(recv, sign * Decimal(doc.gross_amount), "")]
        for line in lines[doc.id]:
            category = line.category.value if line.category is not None else line.charge or SUBSCRIPTION_CATEGORY
            account = cs.sales_account(category, line.vat_category)
            pairs.append((account, -sign * Decimal(line.amount), ""))
        pairs.append((vat, -sign * Decimal(doc.vat_amount), ""))
        assert doc.issue_date is not None
        add(
            "F" if sign > 0 else "K",
            doc.issue_date,
            f"{label} {doc.number} {names.get(doc.organisation_id, '')}".strip(),
            pairs,
        )

    ocr_applied: dict[int, Decimal] = defaultdict(Decimal)
    payments = await Payment.filter(payment_date__gte=start, payment_date__lte=end).order_by("payment_date", "id")
    for payment_id, amount in await PaymentAllocation.filter(
        payment_id__in=[p.id for p in payments], source=AllocationSource.ocr
    ).values_list("payment_id", "amount"):
        ocr_applied[payment_id] += Decimal(amount)
    for p in payments:
        applied = ocr_applied[p.id]
        add(
            "B",
            p.payment_date,
            f"Inbetalning {p.reference or p.payer_name or p.bank_serial}".strip(),
            [(bank, Decimal(p.amount), ""), (recv, -applied, ""), (unapplied, applied - Decimal(p.amount), "")],
        )

    later = await PaymentAllocation.filter(
        booked_date__gte=start, booked_date__lte=end, source__in=[AllocationSource.assigned, AllocationSource.manual]
    ).order_by("booked_date", "id")
    numbers = (
        dict(await Invoice.filter(id__in={a.invoice_id for a in later}).values_list("id", "number")) if later else {}
    )
    for a in later:
        debit = unapplied if a.source == AllocationSource.assigned else bank
        text = (
            "Placerad inbetalning" if a.source == AllocationSource.assigned else "Betald"
        ) + f" {numbers.get(a.invoice_id, '')}"
        add(
            "P" if a.source == AllocationSource.assigned else "M",
            a.booked_date,
            text.strip(),
            [(debit, Decimal(a.amount), ""), (recv, -Decimal(a.amount), "")],
        )

    for p in await Payment.filter(
        state=PaymentState.resolved, resolved_date__gte=start, resolved_date__lte=end
    ).order_by("resolved_date", "id"):
        assert p.resolved_date is not None
        add(
            "R",
            p.resolved_date,
            f"Återbetalning {p.reference or p.payer_name}".strip(),
            [(unapplied, Decimal(p.unallocated), ""), (bank, -Decimal(p.unallocated), "")],
        )
    result.sort(key=lambda v: (v.date, v.series, v.number))
    return result


async def sie_export(*, period: str, generated: dt.date | None = None) -> tuple[str, bytes]:
    """(filename, SIE 4 bytes) of the period's verifications."""
    start, end = parse_month(period)
    found = await verifications(start, end)
    seller = get_billing_settings()
    used = sorted({row.account for v in found for row in v.rows})
    company = Company(
        name=seller.seller_name,
        organisation_number=seller.seller_organisation_number,
        program="tripdesk",
        version="0.1.0",
        year_start=dt.date(start.year, 1, 1),
        year_end=dt.date(start.year, 12, 31),
    )
    data = write(
        company, {a: ACCOUNT_NAMES.get(a, f"Konto {a}") for a in used}, found, generated=generated or business_today()
    )
    return f"tripdesk-{start:%Y-%m}.se", data


async def csv_export(*, period: str) -> tuple[str, bytes]:
    """The same verifications as CSV rows (UTF-8 with BOM for spreadsheets, decimal point)."""
    start, end = parse_month(period)
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(["series", "number", "date", "text", "account", "debit", "credit"])
    for v in await verifications(start, end):
        for row in v.rows:
            debit, credit = (row.amount, Decimal(0)) if row.amount > 0 else (Decimal(0), -row.amount)
            out.writerow([v.series, v.number, v.date.isoformat(), v.text, row.account, f"{debit:.2f}", f"{credit:.2f}"])
    return f"tripdesk-{start:%Y-%m}.csv", ("\ufeff" + buffer.getvalue()).encode("utf-8")
