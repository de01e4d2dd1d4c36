"""Invoices and credit notes as the API shows them: list summaries, and the full read model with its lines,
the time entries behind each line and the credit-note lines that credit them. Reads only; changes nothing."""

from __future__ import annotations

from collections import defaultdict

from billing import schemas
from billing.models import Invoice, InvoiceLine, InvoiceLineEntry
from support.models import Organisation


async def summaries(invoices: list[Invoice]) -> list[schemas.InvoiceSummary]:
    names = (
        dict(await Organisation.filter(id__in={i.organisation_id for i in invoices}).values_list("id", "name"))
        if invoices
        else {}
    )
    return [_summary(i, names.get(i.organisation_id)) for i in invoices]


def _summary(invoice: Invoice, organisation_name: str | None) -> schemas.InvoiceSummary:
    return schemas.InvoiceSummary(
        id=invoice.id,
        kind=invoice.kind,
        status=invoice.status,
        organisation_id=invoice.organisation_id,
        organisation_name=organisation_name,
        number=invoice.number,
        period_start=invoice.period_start_date,
        period_end=invoice.period_end_date,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        net_amount=invoice.net_amount,
        vat_amount=invoice.vat_amount,
        gross_amount=invoice.gross_amount,
        reverse_charge=invoice.reverse_charge,
        corrects_id=invoice.corrects_id,
        paid_at=invoice.paid_at,
        created_at=invoice.created_at,
    )


async def invoice_read(invoice: Invoice, *, with_snapshot: bool = True) -> schemas.InvoiceRead:
    lines = await InvoiceLine.filter(invoice_id=invoice.id).order_by("line_no")
    entries: dict[int, list[InvoiceLineEntry]] = defaultdict(list)
    for entry in await InvoiceLineEntry.filter(invoice_id=invoice.id).order_by("work_date", "time_entry_id"):
        entries[entry.line_id].append(entry)
    credited_by = (
        dict(
            await InvoiceLine.filter(credited_line_id__in=[line.id for line in lines]).values_list(
                "credited_line_id", "id"
            )
        )
        if lines
        else {}
    )
    organisation = await Organisation.get_or_none(id=invoice.organisation_id)
    summary = _summary(invoice, organisation.name if organisation else None)
    return schemas.InvoiceRead(
        **summary.model_dump(),
        ocr=invoice.ocr,
        currency=invoice.currency,
        note=invoice.note,
        your_reference=invoice.your_reference,
        reason=invoice.reason,
        issued_at=invoice.issued_at,
        credit_note_ids=list(await Invoice.filter(corrects_id=invoice.id).order_by("id").values_list("id", flat=True)),
        snapshot=invoice.snapshot if with_snapshot else None,
        lines=[
            schemas.InvoiceLineRead(
                id=line.id,
                line_no=line.line_no,
                ticket_id=line.ticket_id,
                ticket_number=line.ticket_number,
                description=line.description,
                category=line.category,
                unit=line.unit,
                rate_card=line.rate_card_name,
                quantity=line.quantity,
                total_hours=line.total_hours,
                prepaid_hours=line.prepaid_hours,
                unit_price=line.unit_price,
                amount=line.amount,
                vat_category=line.vat_category,
                vat_rate=line.vat_rate,
                credited_line_id=line.credited_line_id,
                credited_by_line_id=credited_by.get(line.id),
                entry_ids=[e.time_entry_id for e in entries[line.id]],
                entries=[schemas.LineEntryRead.model_validate(e, from_attributes=True) for e in entries[line.id]],
            )
            for line in lines
        ],
    )
