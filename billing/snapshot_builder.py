"""Building the `InvoiceSnapshot` frozen at issue (see billing/snapshot.py): seller from settings, buyer from
the organisation, lines with their time specification from the stored rows, VAT per rate and totals."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from billing.invoice_lines import invoice_totals
from billing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceLineEntry, PrepaidDrawdown, PrepaidPackage
from billing.money import ZERO
from billing.naming import read_model
from billing.prepaid import used_hours
from billing.settings import get_billing_settings
from billing.snapshot import (
    CorrectedInvoice,
    DocumentKind,
    InvoiceSnapshot,
    Party,
    PrepaidBalance,
    TimeEntryLine,
    Totals,
    VatBreakdown,
)
from billing.snapshot import InvoiceLine as SnapshotLine
from support.models import Organisation

SUBSCRIPTION_CATEGORY = "subscription"


def _buyer(organisation: Organisation) -> Party:
    number = "".join(ch for ch in (organisation.organisation_number or "") if ch.isdigit()) or None
    return Party(
        name=organisation.name,
        street=organisation.street,
        postal_code=organisation.postal_code,
        city=organisation.city,
        country_code=(organisation.country_code or "SE").upper(),
        organisation_number=number,
        vat_number=organisation.vat_number,
        email=organisation.invoice_email,
    )


async def prepaid_balances(invoice: Invoice) -> list[PrepaidBalance]:
    """Per package this invoice drew from: the hours drawn by it and those left after it (all unreleased
    drawdowns counted, so a later invoice's statement continues where this one ends)."""
    drawn: dict[int, Decimal] = defaultdict(Decimal)
    for package_id, hours in await PrepaidDrawdown.filter(invoice_id=invoice.id).values_list("package_id", "hours"):
        drawn[package_id] += Decimal(hours)
    if not drawn:
        return []
    used = await used_hours(list(drawn))
    packages = await PrepaidPackage.filter(id__in=list(drawn)).order_by("valid_until_date", "id")
    return [
        PrepaidBalance(
            package=p.name,
            valid_until=p.valid_until_date,
            drawn_hours=drawn[p.id],
            remaining_hours=Decimal(p.hours) - used.get(p.id, ZERO),
        )
        for p in packages
    ]


async def build_snapshot(
    invoice: Invoice, organisation: Organisation, *, corrects: Invoice | None = None
) -> InvoiceSnapshot:
    """Everything the documents need, frozen now: seller from settings, buyer from the organisation, lines
    with their time specification, VAT per rate and totals (from the stored, already rounded lines)."""
    settings = get_billing_settings()
    lines = await InvoiceLine.filter(invoice_id=invoice.id).order_by("line_no")
    entries: dict[int, list[InvoiceLineEntry]] = defaultdict(list)
    for entry in await InvoiceLineEntry.filter(invoice_id=invoice.id).order_by("work_date", "time_entry_id"):
        entries[entry.line_id].append(entry)
    snapshot_lines = [
        read_model(
            SnapshotLine,
            line,
            category=str(line.category) if line.category is not None else line.charge or SUBSCRIPTION_CATEGORY,
            prepaid_hours_drawn=line.prepaid_hours,
            entries=[
                read_model(TimeEntryLine, e, entry_id=e.time_entry_id, category=str(e.category))
                for e in entries[line.id]
            ],
        )
        for line in lines
    ]
    breakdown, net, tax = invoice_totals([(line.vat_category, line.vat_rate, line.amount) for line in snapshot_lines])
    seller = settings.seller()
    credit = invoice.kind == InvoiceKind.credit_note
    note = invoice.note
    if credit and invoice.reason:
        note = f"{'Kreditering' if organisation.language == 'sv' else 'Credit'}: {invoice.reason}" + (
            f"\n{note}" if note else ""
        )
    assert invoice.number and invoice.issue_date and invoice.due_date
    return InvoiceSnapshot(
        kind=DocumentKind.credit_note if credit else DocumentKind.invoice,
        invoice_id=invoice.id,
        number=invoice.number,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        period_start=invoice.period_start_date,
        period_end=invoice.period_end_date,
        currency=invoice.currency,
        language=str(organisation.language or "sv"),
        ocr=invoice.ocr,
        buyer_reference=(organisation.buyer_reference or invoice.your_reference or organisation.name)[:100],
        your_reference=invoice.your_reference,
        our_reference=seller.contact_name,
        seller=seller,
        buyer=_buyer(organisation),
        reverse_charge=invoice.reverse_charge,
        lines=snapshot_lines,
        vat=[VatBreakdown(category=c, rate=r, taxable_amount=t, tax_amount=x) for c, r, t, x in breakdown],
        totals=Totals(net=net, vat=tax, gross=net + tax, payable=net + tax),
        corrects=CorrectedInvoice(number=corrects.number, issue_date=corrects.issue_date)
        if corrects is not None
        else None,
        note=note,
        prepaid=[] if credit else await prepaid_balances(invoice),
    )
