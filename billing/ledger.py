"""The invoice ledger: preview, discard, issue, credit and pay invoices (SPEC §2, Bokföringslagen).

State machine (a legal rule, not a convenience): draft → issued | discarded. Only a draft may be changed,
discarded or issued. An issued invoice or credit note is immutable: it is never updated or deleted; it is
corrected by a credit note that references it. Issuing, in one transaction: lock the draft row, take the
next number of the series from a counter row locked in the same transaction (no gaps: a rollback returns
the number; no duplicates: the counter row lock plus a unique index), set the OCR reference and due date,
freeze the `InvoiceSnapshot`, and run the issue hooks (document rendering, email) — a failing hook rolls
the issue back. A credit note is issued the same way in its own series and releases the credited time
entries and prepaid drawdowns so the time can be corrected and invoiced again.

Dates: the issue date is the business day in TRIPDESK_TIMEZONE (an invoice issued at 00:30 on 1 January in
Stockholm belongs to the new year and its number series), never the server's local or UTC date. An invoice
that totals 0 (all hours drawn from prepaid packages) is issued without an OCR reference and cannot be
marked paid (see billing/snapshot.py). A payment is recorded by `record_payment` only: on or after the issue
date, not in the future, once.

Here: reading, changing drafts, discarding, issuing and marking paid. Credit notes are created in
billing/credits.py (issued through `issue_locked`), the snapshot is built in billing/snapshot_builder.py
and the read model in billing/invoice_reads.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billing import access, schemas
from billing.audit_trail import audit_event
from billing.errors import (
    AlreadyPaid,
    InvoiceImmutable,
    InvoiceNotDraft,
    InvoiceNotFound,
    NothingToPay,
    PaymentDateInvalid,
)
from billing.hooks import run_issue_hooks
from billing.invoice_reads import invoice_read, summaries
from billing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceLineEntry, InvoiceStatus, PrepaidDrawdown
from billing.ocr import invoice_ocr
from billing.payments.balances import balance_of
from billing.payments.late_charges import release_late_charges
from billing.payments.models import AllocationSource, PaymentAllocation
from billing.settings import get_billing_settings
from billing.snapshot import InvoiceSnapshot
from billing.snapshot_builder import build_snapshot
from billing.sql import prefer_custom_plans
from billing.subscriptions.charges import release_charges
from billing.vat import ensure_invoiceable
from core.auth import Principal
from core.locking import first_or
from core.pagination import keyset_page, set_filters
from support.models import Organisation
from support.numbering import next_value
from support.timetracking.models import TimeEntry
from support.timetracking.settings import business_date

SERIES = {InvoiceKind.invoice: "F", InvoiceKind.credit_note: "K"}


def invoice_number(series: str, year: int, sequence: int) -> str:
    return f"{series}{year}-{sequence:05d}"


def business_today(now: dt.datetime | None = None) -> dt.date:
    """The date in TRIPDESK_TIMEZONE at `now` (default: the current moment)."""
    return business_date(now or dt.datetime.now(dt.UTC))


# Reading -----------------------------------------------------------------------------------------------


async def fetch_invoice(principal: Principal, invoice_id: int, *, for_update: bool = False) -> Invoice:
    return await first_or(
        Invoice.filter(access.visible_invoices(principal), id=invoice_id),
        InvoiceNotFound(f"invoice {invoice_id} not found"),
        for_update=for_update,
    )


async def get_invoice(*, principal: Principal, invoice_id: int) -> schemas.InvoiceRead:
    return await invoice_read(await fetch_invoice(principal, invoice_id))


async def get_snapshot(*, principal: Principal, invoice_id: int) -> InvoiceSnapshot:
    """The frozen document of an issued invoice or credit note (for the renderers and downloads)."""
    invoice = await fetch_invoice(principal, invoice_id)
    if invoice.snapshot is None:
        raise InvoiceNotDraft("a draft has no document yet; issue it first", code="invoice_not_issued")
    return InvoiceSnapshot.model_validate(invoice.snapshot)


async def list_invoices(
    *, principal: Principal, query: schemas.InvoiceQuery
) -> tuple[list[schemas.InvoiceSummary], str | None]:
    rows = Invoice.filter(access.visible_invoices(principal), **set_filters(query, "organisation_id", "status", "kind"))
    if query.period_start is not None:
        rows = rows.filter(period_end_date__gte=query.period_start)
    if query.period_end is not None:
        rows = rows.filter(period_start_date__lte=query.period_end)
    if query.unpaid is True:
        rows = rows.filter(
            status=InvoiceStatus.issued, kind=InvoiceKind.invoice, paid_at__isnull=True, gross_amount__gt=0
        )
    elif query.unpaid is False:
        rows = rows.filter(paid_at__isnull=False)
    found, cursor = await keyset_page(rows, query.limit, query.cursor)
    return await summaries(found), cursor


# Changing drafts -----------------------------------------------------------------------------------------


def _refuse_unless_draft(invoice: Invoice, action: str) -> None:
    if invoice.status == InvoiceStatus.issued:
        raise InvoiceImmutable(f"{invoice.number} is issued; it cannot be {action}. Correct it with a credit note.")
    if invoice.status != InvoiceStatus.draft:
        raise InvoiceNotDraft(f"invoice {invoice.id} is {invoice.status}; it cannot be {action}")


async def update_invoice(*, principal: Principal, invoice_id: int, data: schemas.InvoiceUpdate) -> schemas.InvoiceRead:
    async with in_transaction():
        invoice = await fetch_invoice(principal, invoice_id, for_update=True)
        _refuse_unless_draft(invoice, "changed")
        for key, value in data.model_dump(exclude_unset=True).items():
            setattr(invoice, key, value)
        await invoice.save(update_fields=["note", "your_reference"])
    return await invoice_read(invoice)


async def discard_invoice(*, principal: Principal, invoice_id: int) -> None:
    """A discarded draft releases its time entries and prepaid hours; the row stays for the record."""
    async with in_transaction():
        invoice = await fetch_invoice(principal, invoice_id, for_update=True)
        _refuse_unless_draft(invoice, "deleted")
        invoice.status = InvoiceStatus.discarded
        invoice.open_key = None
        invoice.discarded_at = dt.datetime.now(dt.UTC)
        await invoice.save(update_fields=["status", "open_key", "discarded_at"])
        await TimeEntry.filter(invoice_id=invoice.id).update(invoice_id=None)
        await PrepaidDrawdown.filter(invoice_id=invoice.id).delete()
        await release_charges(invoice_id=invoice.id)
        await release_late_charges(invoice_id=invoice.id)
        await audit_event(principal, "invoice.discarded", invoice, {"gross": invoice.gross_amount})


PAYMENT_ACTIONS = {
    AllocationSource.manual: "invoice.marked_paid",
    AllocationSource.ocr: "invoice.payment_received",
    AllocationSource.assigned: "invoice.payment_assigned",
}


async def record_payment(
    invoice: Invoice,
    *,
    paid_on: dt.date,
    actor: str,
    today: dt.date,
    source: AllocationSource = AllocationSource.manual,
    amount: Decimal | None = None,
    payment_id: int | None = None,
) -> Decimal:
    """Settle a locked, issued invoice in the caller's transaction: the one place a payment is recorded
    (marking paid by hand, imported payment files, finance assigning an unmatched payment). The payment date
    lies between the issue date and today; an invoice of 0 has nothing to pay; an invoice is settled once.

    Applies at most the open balance (gross − credit notes − earlier payments; `amount` None: all of it) as a
    `PaymentAllocation` and returns what was applied; the invoice is paid (`paid_at`) when nothing stays open,
    or at once when marked paid by hand (`amount` None)."""
    if invoice.kind != InvoiceKind.invoice or invoice.status != InvoiceStatus.issued:
        raise InvoiceNotDraft("only an issued invoice can be marked paid", code="invoice_not_payable")
    if Decimal(invoice.gross_amount) == 0:
        raise NothingToPay(f"{invoice.number} totals 0 (prepaid hours); there is nothing to pay")
    if invoice.paid_at is not None:
        raise AlreadyPaid(f"{invoice.number} was marked paid at {invoice.paid_at.isoformat()}")
    assert invoice.issue_date is not None
    if paid_on < invoice.issue_date:
        raise PaymentDateInvalid(
            f"paid_on {paid_on.isoformat()} is before {invoice.number} was issued ({invoice.issue_date.isoformat()})"
        )
    if paid_on > today:
        raise PaymentDateInvalid(f"paid_on {paid_on.isoformat()} is in the future (today is {today.isoformat()})")
    open_amount = (await balance_of(invoice)).open
    applied = max(open_amount if amount is None else min(amount, open_amount), Decimal(0))
    if applied > 0:
        await PaymentAllocation.create(
            invoice_id=invoice.id,
            payment_id=payment_id,
            amount=applied,
            source=source,
            booked_date=paid_on,
            created_by=actor,
        )
    settled = amount is None or open_amount - applied <= 0
    if settled:
        invoice.paid_at = dt.datetime.combine(paid_on, dt.time(12), dt.UTC)
        invoice.paid_by = actor
        await invoice.save(update_fields=["paid_at", "paid_by"])
    await audit_event(
        None,
        PAYMENT_ACTIONS[source],
        invoice,
        {
            "number": invoice.number,
            "paid_on": paid_on,
            "source": source.value,
            "amount": applied,
            "settled": settled,
            "payment_id": payment_id,
        },
        actor=actor,
    )
    return applied


async def mark_paid(
    *, principal: Principal, invoice_id: int, data: schemas.MarkPaid, now: dt.datetime | None = None
) -> schemas.InvoiceRead:
    today = business_today(now)
    async with in_transaction():
        invoice = await fetch_invoice(principal, invoice_id, for_update=True)
        await record_payment(invoice, paid_on=data.paid_on or today, actor=principal.name, today=today)
    return await invoice_read(invoice)


# Issuing ----------------------------------------------------------------------------------------------


async def issue_locked(
    invoice: Invoice,
    *,
    conn: BaseDBAsyncClient,
    principal_name: str,
    issue_date: dt.date,
    corrects: Invoice | None = None,
) -> InvoiceSnapshot:
    """Number, OCR, dates, snapshot and hooks for a locked draft, inside the caller's transaction."""
    settings = get_billing_settings()
    organisation = await Organisation.get(id=invoice.organisation_id)
    if corrects is None:
        categories = await InvoiceLine.filter(invoice_id=invoice.id).distinct().values_list("vat_category", flat=True)
        ensure_invoiceable(organisation, {str(c) for c in categories})
    series = SERIES[InvoiceKind(invoice.kind)]
    year = issue_date.year
    sequence = await next_value(f"invoice:{series}:{year}", conn=conn)
    invoice.number = invoice_number(series, year, sequence)
    nothing_to_pay = corrects is None and Decimal(invoice.gross_amount) == 0
    invoice.ocr = None if nothing_to_pay else invoice_ocr(series=series, year=year, sequence=sequence)
    invoice.issue_date = issue_date
    invoice.due_date = (
        issue_date
        if corrects is not None or nothing_to_pay
        else issue_date + dt.timedelta(days=settings.payment_terms_days)
    )
    invoice.status = InvoiceStatus.issued
    invoice.open_key = None
    invoice.issued_at = dt.datetime.now(dt.UTC)
    invoice.issued_by = principal_name
    snapshot = await build_snapshot(invoice, organisation, corrects=corrects)
    if (snapshot.totals.net, snapshot.totals.vat) != (Decimal(invoice.net_amount), Decimal(invoice.vat_amount)):
        raise AssertionError(f"invoice {invoice.id}: stored totals disagree with its lines")
    invoice.snapshot = snapshot.model_dump(mode="json")
    await invoice.save(
        update_fields=[
            "number",
            "ocr",
            "issue_date",
            "due_date",
            "status",
            "open_key",
            "issued_at",
            "issued_by",
            "snapshot",
        ]
    )
    await audit_event(
        None,
        f"{InvoiceKind(invoice.kind).value}.issued",
        invoice,
        {
            "number": invoice.number,
            "net": snapshot.totals.net,
            "vat": snapshot.totals.vat,
            "gross": snapshot.totals.gross,
            "corrects": corrects.number if corrects else None,
        },
        actor=principal_name,
    )
    await run_issue_hooks(invoice, snapshot)
    return snapshot


async def issue_draft(
    *, principal: Principal, invoice_id: int, issue_date: dt.date | None = None, now: dt.datetime | None = None
) -> Invoice:
    """Issue one draft (see the module docstring); returns the issued row. `issue_date` defaults to the
    business day at `now` (default: the current moment)."""
    async with in_transaction() as conn:
        await prefer_custom_plans(conn)
        invoice = await fetch_invoice(principal, invoice_id, for_update=True)
        if invoice.status == InvoiceStatus.issued:
            raise InvoiceNotDraft(
                f"invoice {invoice.id} is already issued as {invoice.number}", code="invoice_already_issued"
            )
        _refuse_unless_draft(invoice, "issued")
        entry_ids = await InvoiceLineEntry.filter(invoice_id=invoice.id).values_list("time_entry_id", flat=True)
        if await TimeEntry.filter(id__in=entry_ids, invoice_id=invoice.id).count() != len(entry_ids):
            raise InvoiceNotDraft(
                "some of this draft's time entries were released; discard it and run again", code="draft_out_of_date"
            )
        await issue_locked(
            invoice, conn=conn, principal_name=principal.name, issue_date=issue_date or business_today(now)
        )
    return invoice


async def issue_invoice(
    *, principal: Principal, invoice_id: int, issue_date: dt.date | None = None, now: dt.datetime | None = None
) -> schemas.InvoiceRead:
    return await invoice_read(
        await issue_draft(principal=principal, invoice_id=invoice_id, issue_date=issue_date, now=now)
    )


def snapshot_dict(invoice: Invoice) -> dict[str, Any] | None:
    return invoice.snapshot
