"""The invoice ledger: preview, discard, issue, credit and pay invoices (SPEC §2, Bokföringslagen).

State machine (a legal rule, not a convenience): draft → issued | discarded. Only a draft may be changed,
discarded or issued. An issued invoice or credit note is immutable: it is never updated or deleted; it is
corrected by a credit note that references it. Issuing, in one transaction: lock the draft row, take the
next number of the series from a counter row locked in the same transaction (no gaps: a rollback returns
the number; no duplicates: the counter row lock plus a unique index), set the OCR reference and due date,
freeze the `InvoiceSnapshot`, and run the issue hooks (document rendering, email) — a failing hook rolls
the issue back. A credit note is issued the same way in its own series and releases the credited time
entries and prepaid drawdowns so the time can be corrected and invoiced again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from billing import schemas
from billing.errors import (
    AlreadyCredited,
    AlreadyPaid,
    CreditNotAllowed,
    InvoiceImmutable,
    InvoiceNotDraft,
    InvoiceNotFound,
)
from billing.hooks import run_issue_hooks
from billing.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceLineEntry,
    InvoiceStatus,
    PrepaidDrawdown,
)
from billing.money import ZERO, round_amount, vat_breakdown
from billing.ocr import invoice_ocr
from billing.settings import get_billing_settings
from billing.snapshot import (
    CorrectedInvoice,
    DocumentKind,
    InvoiceSnapshot,
    Party,
    TimeEntryLine,
    Totals,
    VatBreakdown,
)
from billing.snapshot import InvoiceLine as SnapshotLine
from billing.sql import prefer_custom_plans
from core.auth import Principal
from core.pagination import decode_cursor
from support.errors import InvalidReference
from support.models import Organisation
from support.numbering import next_value
from support.service import page_of
from support.timetracking.models import TimeEntry

SERIES = {InvoiceKind.invoice: "F", InvoiceKind.credit_note: "K"}


def invoice_number(series: str, year: int, sequence: int) -> str:
    return f"{series}{year}-{sequence:05d}"


# Reading -----------------------------------------------------------------------------------------------


def _visible(principal: Principal) -> Q:
    """Integrators see only their organisation's issued documents; drafts and discards are internal."""
    org = principal.organisation_scope()
    if org is None:
        return Q()
    return Q(organisation_id=org, status=InvoiceStatus.issued)


async def _get(principal: Principal, invoice_id: int, *, for_update: bool = False) -> Invoice:
    query = Invoice.filter(_visible(principal), id=invoice_id)
    if for_update:
        query = query.select_for_update()
    invoice = await query.first()
    if invoice is None:
        raise InvoiceNotFound(f"invoice {invoice_id} not found")
    return invoice


async def summaries(invoices: list[Invoice]) -> list[schemas.InvoiceSummary]:
    names = (
        dict(
            await Organisation.filter(id__in={i.organisation_id for i in invoices}).values_list(  # type: ignore[attr-defined]
                "id", "name"
            )
        )
        if invoices
        else {}
    )
    return [_summary(i, names.get(i.organisation_id)) for i in invoices]  # type: ignore[attr-defined]


def _summary(invoice: Invoice, organisation_name: str | None) -> schemas.InvoiceSummary:
    return schemas.InvoiceSummary(
        id=invoice.id,
        kind=invoice.kind,
        status=invoice.status,
        organisation_id=invoice.organisation_id,  # type: ignore[attr-defined]
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
        corrects_id=invoice.corrects_id,  # type: ignore[attr-defined]
        paid_at=invoice.paid_at,
        created_at=invoice.created_at,
    )


async def invoice_read(invoice: Invoice, *, with_snapshot: bool = True) -> schemas.InvoiceRead:
    lines = await InvoiceLine.filter(invoice_id=invoice.id).order_by("line_no")
    entries: dict[int, list[InvoiceLineEntry]] = defaultdict(list)
    for entry in await InvoiceLineEntry.filter(invoice_id=invoice.id).order_by("work_date", "time_entry_id"):
        entries[entry.line_id].append(entry)  # type: ignore[attr-defined]
    credited_by = (
        dict(
            await InvoiceLine.filter(credited_line_id__in=[line.id for line in lines]).values_list(
                "credited_line_id", "id"
            )
        )
        if lines
        else {}
    )
    organisation = await Organisation.get_or_none(id=invoice.organisation_id)  # type: ignore[attr-defined]
    summary = _summary(invoice, organisation.name if organisation else None)
    return schemas.InvoiceRead(
        **summary.model_dump(),
        ocr=invoice.ocr,
        currency=invoice.currency,
        note=invoice.note,
        your_reference=invoice.your_reference,
        reason=invoice.reason,
        issued_at=invoice.issued_at,
        credit_note_ids=list(
            await Invoice.filter(corrects_id=invoice.id).order_by("id").values_list("id", flat=True)  # type: ignore[arg-type]
        ),
        snapshot=invoice.snapshot if with_snapshot else None,
        lines=[
            schemas.InvoiceLineRead(
                id=line.id,
                line_no=line.line_no,
                ticket_id=line.ticket_id,  # type: ignore[attr-defined]
                ticket_number=line.ticket_number,
                description=line.description,
                category=line.category,
                rate_card=line.rate_card_name,
                quantity=line.quantity,
                total_hours=line.total_hours,
                prepaid_hours=line.prepaid_hours,
                unit_price=line.unit_price,
                amount=line.amount,
                vat_category=line.vat_category,
                vat_rate=line.vat_rate,
                credited_line_id=line.credited_line_id,
                credited_by_line_id=credited_by.get(line.id),  # type: ignore[attr-defined]
                entry_ids=[e.time_entry_id for e in entries[line.id]],
                entries=[
                    schemas.LineEntryRead(
                        time_entry_id=e.time_entry_id,
                        work_date=e.work_date,
                        staff_name=e.staff_name,
                        minutes=e.minutes,
                        hours=e.hours,
                        prepaid_hours=e.prepaid_hours,
                        description=e.description,
                        category=e.category,
                    )
                    for e in entries[line.id]
                ],
            )
            for line in lines
        ],
    )


async def get_invoice(*, principal: Principal, invoice_id: int) -> schemas.InvoiceRead:
    return await invoice_read(await _get(principal, invoice_id))


async def get_snapshot(*, principal: Principal, invoice_id: int) -> InvoiceSnapshot:
    """The frozen document of an issued invoice or credit note (for the renderers and downloads)."""
    invoice = await _get(principal, invoice_id)
    if invoice.snapshot is None:
        raise InvoiceNotDraft("a draft has no document yet; issue it first", code="invoice_not_issued")
    return InvoiceSnapshot.model_validate(invoice.snapshot)


async def list_invoices(
    *, principal: Principal, query: schemas.InvoiceQuery
) -> tuple[list[schemas.InvoiceSummary], str | None]:
    rows = Invoice.filter(_visible(principal))
    if query.organisation_id is not None:
        rows = rows.filter(organisation_id=query.organisation_id)
    if query.status is not None:
        rows = rows.filter(status=query.status)
    if query.kind is not None:
        rows = rows.filter(kind=query.kind)
    if query.period_start is not None:
        rows = rows.filter(period_end_date__gte=query.period_start)
    if query.period_end is not None:
        rows = rows.filter(period_start_date__lte=query.period_end)
    if query.unpaid is True:
        rows = rows.filter(status=InvoiceStatus.issued, kind=InvoiceKind.invoice, paid_at__isnull=True)
    elif query.unpaid is False:
        rows = rows.filter(paid_at__isnull=False)
    if query.cursor:
        rows = rows.filter(id__lt=decode_cursor(query.cursor))
    found, cursor = page_of(await rows.order_by("-id").limit(query.limit + 1), query.limit)
    return await summaries(found), cursor


# Changing drafts -----------------------------------------------------------------------------------------


def _refuse_unless_draft(invoice: Invoice, action: str) -> None:
    if invoice.status == InvoiceStatus.issued:
        raise InvoiceImmutable(
            f"{invoice.number} is issued; it cannot be {action}. Correct it with a credit note."
        )
    if invoice.status != InvoiceStatus.draft:
        raise InvoiceNotDraft(f"invoice {invoice.id} is {invoice.status}; it cannot be {action}")


async def update_invoice(
    *, principal: Principal, invoice_id: int, data: schemas.InvoiceUpdate
) -> schemas.InvoiceRead:
    async with in_transaction():
        invoice = await _get(principal, invoice_id, for_update=True)
        _refuse_unless_draft(invoice, "changed")
        for key, value in data.model_dump(exclude_unset=True).items():
            setattr(invoice, key, value)
        await invoice.save(update_fields=["note", "your_reference"])
    return await invoice_read(invoice)


async def discard_invoice(*, principal: Principal, invoice_id: int) -> None:
    """A discarded draft releases its time entries and prepaid hours; the row stays for the record."""
    async with in_transaction():
        invoice = await _get(principal, invoice_id, for_update=True)
        _refuse_unless_draft(invoice, "deleted")
        invoice.status = InvoiceStatus.discarded
        invoice.open_key = None
        invoice.discarded_at = dt.datetime.now(dt.UTC)
        await invoice.save(update_fields=["status", "open_key", "discarded_at"])
        await TimeEntry.filter(invoice_id=invoice.id).update(invoice_id=None)
        await PrepaidDrawdown.filter(invoice_id=invoice.id).delete()


async def mark_paid(*, principal: Principal, invoice_id: int, data: schemas.MarkPaid) -> schemas.InvoiceRead:
    async with in_transaction():
        invoice = await _get(principal, invoice_id, for_update=True)
        if invoice.kind != InvoiceKind.invoice or invoice.status != InvoiceStatus.issued:
            raise InvoiceNotDraft("only an issued invoice can be marked paid", code="invoice_not_payable")
        if invoice.paid_at is not None:
            raise AlreadyPaid(f"{invoice.number} was marked paid at {invoice.paid_at.isoformat()}")
        paid_on = data.paid_on or dt.date.today()
        invoice.paid_at = dt.datetime.combine(paid_on, dt.time(12), dt.UTC)
        invoice.paid_by = principal.name
        await invoice.save(update_fields=["paid_at", "paid_by"])
    return await invoice_read(invoice)


# Issuing ----------------------------------------------------------------------------------------------


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


async def build_snapshot(
    invoice: Invoice, organisation: Organisation, *, corrects: Invoice | None = None
) -> InvoiceSnapshot:
    """Everything the documents need, frozen now: seller from settings, buyer from the organisation, lines
    with their time specification, VAT per rate and totals (from the stored, already rounded lines)."""
    settings = get_billing_settings()
    lines = await InvoiceLine.filter(invoice_id=invoice.id).order_by("line_no")
    entries: dict[int, list[InvoiceLineEntry]] = defaultdict(list)
    for entry in await InvoiceLineEntry.filter(invoice_id=invoice.id).order_by("work_date", "time_entry_id"):
        entries[entry.line_id].append(entry)  # type: ignore[attr-defined]
    snapshot_lines = [
        SnapshotLine(
            line_no=line.line_no,
            ticket_id=line.ticket_id,
            ticket_number=line.ticket_number,  # type: ignore[attr-defined]
            description=line.description,
            category=str(line.category),
            quantity=Decimal(line.quantity),
            unit_price=Decimal(line.unit_price),
            amount=Decimal(line.amount),
            vat_category=line.vat_category,
            vat_rate=Decimal(line.vat_rate),
            prepaid_hours_drawn=Decimal(line.prepaid_hours),
            entries=[
                TimeEntryLine(
                    entry_id=e.time_entry_id,
                    work_date=e.work_date,
                    staff_name=e.staff_name,
                    minutes=e.minutes,
                    hours=Decimal(e.hours),
                    description=e.description,
                    category=str(e.category),
                )
                for e in entries[line.id]
            ],
        )
        for line in lines
    ]
    breakdown = vat_breakdown([(line.vat_category, line.vat_rate, line.amount) for line in snapshot_lines])
    net = round_amount(sum((line.amount for line in snapshot_lines), ZERO))
    tax = round_amount(sum((b[3] for b in breakdown), ZERO))
    seller = settings.seller()
    credit = invoice.kind == InvoiceKind.credit_note
    note = invoice.note
    if credit and invoice.reason:
        note = f"{'Kreditering' if organisation.language == 'sv' else 'Credit'}: {invoice.reason}" + (
            f"\n{note}" if note else ""
        )
    assert invoice.number and invoice.issue_date and invoice.due_date and invoice.ocr
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
        corrects=CorrectedInvoice(number=corrects.number, issue_date=corrects.issue_date)  # type: ignore[arg-type]
        if corrects is not None
        else None,
        note=note,
    )


async def _issue_locked(
    invoice: Invoice,
    *,
    conn: BaseDBAsyncClient,
    principal_name: str,
    issue_date: dt.date,
    corrects: Invoice | None = None,
) -> InvoiceSnapshot:
    """Number, OCR, dates, snapshot and hooks for a locked draft, inside the caller's transaction."""
    settings = get_billing_settings()
    organisation = await Organisation.get(id=invoice.organisation_id)  # type: ignore[attr-defined]
    series = SERIES[InvoiceKind(invoice.kind)]
    year = issue_date.year
    sequence = await next_value(f"invoice:{series}:{year}", conn=conn)
    invoice.number = invoice_number(series, year, sequence)
    invoice.ocr = invoice_ocr(series=series, year=year, sequence=sequence)
    invoice.issue_date = issue_date
    invoice.due_date = (
        issue_date if corrects is not None else issue_date + dt.timedelta(days=settings.payment_terms_days)
    )
    invoice.status = InvoiceStatus.issued
    invoice.open_key = None
    invoice.issued_at = dt.datetime.now(dt.UTC)
    invoice.issued_by = principal_name
    snapshot = await build_snapshot(invoice, organisation, corrects=corrects)
    if (snapshot.totals.net, snapshot.totals.vat) != (
        Decimal(invoice.net_amount),
        Decimal(invoice.vat_amount),
    ):
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
    await run_issue_hooks(invoice, snapshot)
    return snapshot


async def issue_draft(*, principal: Principal, invoice_id: int, issue_date: dt.date | None = None) -> Invoice:
    """Issue one draft (see the module docstring); returns the issued row."""
    async with in_transaction() as conn:
        await prefer_custom_plans(conn)
        invoice = await _get(principal, invoice_id, for_update=True)
        if invoice.status == InvoiceStatus.issued:
            raise InvoiceNotDraft(
                f"invoice {invoice.id} is already issued as {invoice.number}", code="invoice_already_issued"
            )
        _refuse_unless_draft(invoice, "issued")
        entry_ids = await InvoiceLineEntry.filter(invoice_id=invoice.id).values_list(
            "time_entry_id", flat=True
        )
        if await TimeEntry.filter(id__in=entry_ids, invoice_id=invoice.id).count() != len(entry_ids):
            raise InvoiceNotDraft(
                "some of this draft's time entries were released; discard it and run again",
                code="draft_out_of_date",
            )
        await _issue_locked(
            invoice, conn=conn, principal_name=principal.name, issue_date=issue_date or dt.date.today()
        )
    return invoice


async def issue_invoice(
    *, principal: Principal, invoice_id: int, issue_date: dt.date | None = None
) -> schemas.InvoiceRead:
    return await invoice_read(
        await issue_draft(principal=principal, invoice_id=invoice_id, issue_date=issue_date)
    )


# Crediting --------------------------------------------------------------------------------------------


async def credit_invoice(
    *, principal: Principal, invoice_id: int, data: schemas.CreditCreate, issue_date: dt.date | None = None
) -> schemas.InvoiceRead:
    """Credit the whole invoice or chosen lines: a new document in the K series that references the original,
    issued at once (same hooks), releasing the credited entries and their prepaid hours."""
    async with in_transaction() as conn:
        await prefer_custom_plans(conn)
        original = await _get(principal, invoice_id, for_update=True)
        if original.kind != InvoiceKind.invoice:
            raise CreditNotAllowed(
                f"{original.number or original.id} is a credit note; credit notes are not credited"
            )
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
                raise AlreadyCredited(
                    f"lines {twice} of {original.number} are already credited", line_ids=twice
                )
            chosen = [by_id[i] for i in sorted(set(data.line_ids), key=lambda i: by_id[i].line_no)]
        else:
            chosen = [line for line in lines if line.id not in credited]
            if not chosen:
                raise AlreadyCredited(f"every line of {original.number} is already credited")
        net = round_amount(sum((Decimal(line.amount) for line in chosen), ZERO))
        breakdown = vat_breakdown(
            [(line.vat_category, Decimal(line.vat_rate), Decimal(line.amount)) for line in chosen]
        )
        tax = round_amount(sum((b[3] for b in breakdown), ZERO))
        note = await Invoice.create(
            kind=InvoiceKind.credit_note,
            status=InvoiceStatus.draft,
            organisation_id=original.organisation_id,  # type: ignore[attr-defined]
            corrects_id=original.id,
            period_start_date=original.period_start_date,
            period_end_date=original.period_end_date,
            currency=original.currency,
            reverse_charge=original.reverse_charge,
            net_amount=net,
            vat_amount=tax,
            gross_amount=net + tax,
            your_reference=original.your_reference,
            reason=data.reason,
            created_by=principal.name,
        )
        await InvoiceLine.bulk_create(
            [
                InvoiceLine(
                    invoice_id=note.id,
                    line_no=n,
                    ticket_id=line.ticket_id,
                    ticket_number=line.ticket_number,  # type: ignore[attr-defined]
                    description=line.description,
                    category=line.category,
                    rate_card_name=line.rate_card_name,
                    quantity=line.quantity,
                    total_hours=line.total_hours,
                    prepaid_hours=line.prepaid_hours,
                    unit_price=line.unit_price,
                    amount=line.amount,
                    vat_category=line.vat_category,
                    vat_rate=line.vat_rate,
                    credited_line_id=line.id,
                )
                for n, line in enumerate(chosen, start=1)
            ]
        )
        new_ids = dict(await InvoiceLine.filter(invoice_id=note.id).values_list("credited_line_id", "id"))
        old_entries = await InvoiceLineEntry.filter(line_id__in=[line.id for line in chosen])
        await InvoiceLineEntry.bulk_create(
            [
                InvoiceLineEntry(
                    line_id=new_ids[e.line_id],
                    invoice_id=note.id,
                    time_entry_id=e.time_entry_id,  # type: ignore[attr-defined]
                    work_date=e.work_date,
                    staff_name=e.staff_name,
                    minutes=e.minutes,
                    hours=e.hours,
                    prepaid_hours=e.prepaid_hours,
                    description=e.description,
                    category=e.category,
                    rate_card_id=e.rate_card_id,
                )
                for e in old_entries
            ]
        )
        entry_ids = [e.time_entry_id for e in old_entries]
        await TimeEntry.filter(id__in=entry_ids, invoice_id=original.id).update(invoice_id=None)
        await PrepaidDrawdown.filter(
            invoice_id=original.id, time_entry_id__in=entry_ids, released_at__isnull=True
        ).update(released_at=dt.datetime.now(dt.UTC), released_by_invoice_id=note.id)
        await _issue_locked(
            note,
            conn=conn,
            principal_name=principal.name,
            issue_date=issue_date or dt.date.today(),
            corrects=original,
        )
    return await invoice_read(note)


def snapshot_dict(invoice: Invoice) -> dict[str, Any] | None:
    return invoice.snapshot
