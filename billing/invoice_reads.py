"""Invoices and credit notes as the API shows them: list summaries, and the full read model with its lines,
the time entries behind each line and the credit-note lines that credit them. Reads only; changes nothing."""

from __future__ import annotations

from collections import defaultdict

from billing import schemas
from billing.models import Invoice, InvoiceLine, InvoiceLineEntry
from billing.naming import read_model
from support.models import Organisation


async def summaries(invoices: list[Invoice]) -> list[schemas.InvoiceSummary]:
    names = (
        dict(await Organisation.filter(id__in={i.organisation_id for i in invoices}).values_list("id", "name"))
        if invoices
        else {}
    )
    return [_summary(i, names.get(i.organisation_id)) for i in invoices]


def _summary(invoice: Invoice, organisation_name: str | None) -> schemas.InvoiceSummary:
    return read_model(schemas.InvoiceSummary, invoice, organisation_name=organisation_name)


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
    return read_model(
        schemas.InvoiceRead,
        invoice,
        organisation_name=organisation.name if organisation else None,
        credit_note_ids=list(await Invoice.filter(corrects_id=invoice.id).order_by("id").values_list("id", flat=True)),
        snapshot=invoice.snapshot if with_snapshot else None,
        lines=[
            read_model(
                schemas.InvoiceLineRead,
                line,
                rate_card=line.rate_card_name,
                credited_by_line_id=credited_by.get(line.id),
                entry_ids=[e.time_entry_id for e in entries[line.id]],
                entries=[schemas.LineEntryRead.model_validate(e, from_attributes=True) for e in entries[line.id]],
            )
            for line in lines
        ],
    )
