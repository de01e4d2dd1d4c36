"""Credit notes: the only correction of an issued invoice (Bokföringslagen; the state machine is in
billing/ledger.py). A credit note is a new document in the K series that references the original, credits
the whole invoice or chosen lines (each line at most once), is issued at once through the ledger's issuing
step (same numbering, snapshot and hooks) and releases the credited time entries and their prepaid hours so
the time can be corrected and invoiced again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from billing import schemas
from billing.audit_trail import audit_event
from billing.errors import AlreadyCredited, CreditNotAllowed
from billing.invoice_lines import ENTRY_FIELDS, LINE_FIELDS, invoice_totals
from billing.invoice_reads import invoice_read
from billing.ledger import business_today, fetch_invoice, issue_locked
from billing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceLineEntry, InvoiceStatus, PrepaidDrawdown
from billing.sql import prefer_custom_plans
from core.auth import Principal
from support.errors import InvalidReference
from support.timetracking.models import TimeEntry

# What a credit note repeats of the invoice it credits (the buyer, the period and the terms); of the credited
# lines and their time entries it repeats what they record (billing/invoice_lines.py).
_INVOICE_COPY = (
    "organisation_id",
    "period_start_date",
    "period_end_date",
    "currency",
    "reverse_charge",
    "your_reference",
)


def _copied(row: Invoice | InvoiceLine | InvoiceLineEntry, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


async def credit_invoice(
    *,
    principal: Principal,
    invoice_id: int,
    data: schemas.CreditCreate,
    issue_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> schemas.InvoiceRead:
    """Credit the whole invoice or chosen lines: a new document in the K series that references the original,
    issued at once (same hooks), releasing the credited entries and their prepaid hours."""
    async with in_transaction() as conn:
        await prefer_custom_plans(conn)
        original = await fetch_invoice(principal, invoice_id, for_update=True)
        if original.kind != InvoiceKind.invoice:
            raise CreditNotAllowed(f"{original.number or original.id} is a credit note; credit notes are not credited")
        if original.status != InvoiceStatus.issued:
            raise CreditNotAllowed(
                f"invoice {original.id} is {original.status}; only an issued invoice is credited "
                "(discard a draft instead)"
            )
        lines = await InvoiceLine.filter(invoice_id=original.id).order_by("line_no")
        credited = set(
            await InvoiceLine.filter(credited_line_id__in=[ln.id for ln in lines]).values_list(
                "credited_line_id", flat=True
            )
        )
        if data.line_ids is not None:
            by_id = {line.id: line for line in lines}
            unknown = sorted(set(data.line_ids) - set(by_id))
            if unknown:
                raise InvalidReference(f"lines {unknown} are not lines of {original.number}")
            twice = sorted(set(data.line_ids) & credited)
            if twice:
                raise AlreadyCredited(f"lines {twice} of {original.number} are already credited", line_ids=twice)
            chosen = [by_id[i] for i in sorted(set(data.line_ids), key=lambda i: by_id[i].line_no)]
        else:
            chosen = [line for line in lines if line.id not in credited]
            if not chosen:
                raise AlreadyCredited(f"every line of {original.number} is already credited")
        _, net, tax = invoice_totals(
            [(line.vat_category, Decimal(line.vat_rate), Decimal(line.amount)) for line in chosen]
        )
        note = await Invoice.create(
            kind=InvoiceKind.credit_note,
            status=InvoiceStatus.draft,
            corrects_id=original.id,
            net_amount=net,
            vat_amount=tax,
            gross_amount=net + tax,
            reason=data.reason,
            **_copied(original, _INVOICE_COPY),
            created_by=principal.name,
        )
        await InvoiceLine.bulk_create(
            [
                InvoiceLine(invoice_id=note.id, line_no=n, credited_line_id=line.id, **_copied(line, LINE_FIELDS))
                for n, line in enumerate(chosen, start=1)
            ]
        )
        new_ids = dict(await InvoiceLine.filter(invoice_id=note.id).values_list("credited_line_id", "id"))
        old_entries = await InvoiceLineEntry.filter(line_id__in=[line.id for line in chosen])
        await InvoiceLineEntry.bulk_create(
            [
                InvoiceLineEntry(line_id=new_ids[e.line_id], invoice_id=note.id, **_copied(e, ENTRY_FIELDS))
                for e in old_entries
            ]
        )
        entry_ids = [e.time_entry_id for e in old_entries]
        await TimeEntry.filter(id__in=entry_ids, invoice_id=original.id).update(invoice_id=None)
        await audit_event(
            principal,
            "invoice.credited",
            original,
            {
                "credit_note_id": note.id,
                "reason": data.reason,
                "line_ids": [line.id for line in chosen],
                "released_time_entry_ids": list(entry_ids),
            },
        )
        await PrepaidDrawdown.filter(
            invoice_id=original.id, time_entry_id__in=entry_ids, released_at__isnull=True
        ).update(released_at=dt.datetime.now(dt.UTC), released_by_invoice_id=note.id)
        await issue_locked(
            note,
            conn=conn,
            principal_name=principal.name,
            issue_date=issue_date or business_today(now),
            corrects=original,
        )
    return await invoice_read(note)
