"""Documents of issued invoices and credit notes: rendered once at issue, stored, served, exported, emailed.

Invariants:
- Rendering happens exactly once per document, inside the issuing transaction and off the event loop
  (ReportLab and lxml block); a rendering failure raises, so the issue rolls back and no number is used.
- Stored bytes are the only source afterwards: downloads, the period zip, the archive export and the email
  attachment are the same bytes, checked against their sha256 whenever they leave the database.
- Integrators see only their own organisation's documents; another organisation's invoice is a 404, exactly
  like one that does not exist.
- "The period" of an export is the calendar month of the issue date by default (the accounting period the
  document is booked in); `by="service_period"` selects by the invoiced delivery period instead. Every
  answer says how many documents it found by the basis chosen and by the other one, so an empty month
  issued later ("nothing issued in January: 4 invoices have January as their service period") explains itself.
  A month that has not begun is refused (422); a month without documents is a 404 problem for the zip.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.dates import format_date

from billing.access import visible_invoices
from billing.errors import InvoiceNotFound
from billing.models import Invoice, InvoiceStatus
from billing.snapshot import InvoiceSnapshot
from core.auth import Principal
from core.memory import return_free_memory
from invoices.access import visible_documents
from invoices.errors import DocumentCorrupt, DocumentMissing, DocumentNotIssued, DocumentNotRenderable
from invoices.models import CONTENT_TYPES, DocumentFormat, InvoiceDocument
from invoices.pdf import render_pdf
from invoices.pdf_texts import Texts
from invoices.ubl import UblError, render_ubl
from notifications.errors import InvalidRecipient
from notifications.service import Attachment, enqueue_email
from support.models import Contact, Organisation

log = logging.getLogger("tripdesk.invoices")

ISSUED_TEMPLATE = "invoice_issued"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_filename(number: str, fmt: DocumentFormat) -> str:
    """`F2026-00001.pdf`. Numbers are ASCII by construction; anything else is replaced, so the name is safe
    in a Content-Disposition header, a zip entry and a file system."""
    return f"{_SAFE_NAME.sub('_', number) or 'invoice'}.{fmt.value}"


def verified_content(document: InvoiceDocument) -> bytes:
    """The stored bytes, after checking them against the sha256 recorded at issue."""
    data = bytes(document.content)
    if sha256_hex(data) != document.sha256 or len(data) != document.size:
        log.error("stored document %s (%s) does not match its sha256", document.id, document.filename)
        raise DocumentCorrupt(f"stored document {document.filename} is damaged; it has been logged")
    return data


# At issue ----------------------------------------------------------------------------------------------

# One thread renders every document of the process: rendering holds the GIL, so more threads would not issue
# faster, and one bounds the memory that renders in flight take to a single document's.
_renderer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="documents")


def _render_all(snapshot: InvoiceSnapshot) -> dict[DocumentFormat, bytes]:
    """Both documents; afterwards the memory ReportLab and lxml freed goes back to the operating system, so a
    server issuing invoices for months does not keep the pages of each document's peak."""
    try:
        return {DocumentFormat.pdf: render_pdf(snapshot), DocumentFormat.xml: render_ubl(snapshot)}
    except UblError as exc:  # the issue rolls back: a 409 saying what the buyer lacks, never a 500
        raise DocumentNotRenderable(f"{snapshot.number}: {exc}") from None
    finally:
        return_free_memory()


async def store_documents(*, invoice: Invoice, snapshot: InvoiceSnapshot) -> list[InvoiceDocument]:
    """Render the PDF and the UBL XML from the frozen snapshot and store both, in the caller's transaction.

    Called once per invoice by the issue hook. Any rendering error propagates, so the issue rolls back."""
    if snapshot.invoice_id != invoice.id:
        raise ValueError(f"snapshot of invoice {snapshot.invoice_id} given for invoice {invoice.id}")
    existing = await InvoiceDocument.filter(invoice_id=invoice.id).order_by("format")
    if existing:
        # Documents are rendered once; a repeated call (it should not happen) keeps the first rendering.
        log.warning("invoice %s already has stored documents; keeping them", invoice.id)
        return list(existing)
    in_context = contextvars.copy_context().run  # the request id stays on log lines, as with to_thread
    rendered = await asyncio.get_running_loop().run_in_executor(_renderer, in_context, _render_all, snapshot)
    documents = [
        InvoiceDocument(
            invoice_id=invoice.id,
            format=fmt,
            content=data,
            sha256=sha256_hex(data),
            size=len(data),
            filename=document_filename(snapshot.number, fmt),
            content_type=CONTENT_TYPES[fmt],
        )
        for fmt, data in rendered.items()
    ]
    for document in documents:
        await document.save()
    return documents


def _money(value: Decimal, language: str) -> str:
    """ "12 500,00" in Swedish, "12,500.00" in English (the currency is shown next to it by the template)."""
    return Texts(language).decimal(value)


def _period_text(start: dt.date, end: dt.date, language: str) -> str:
    """A whole calendar month reads "januari 2026" / "January 2026"; anything else is a date range."""
    texts = Texts(language)
    next_day = end + dt.timedelta(days=1)
    if start.day == 1 and next_day.day == 1 and (start.year, start.month) == (end.year, end.month):
        return format_date(start, "LLLL y", locale=texts.locale)
    return texts.period(start, end)


def email_context(snapshot: InvoiceSnapshot, *, organisation_name: str, contact_name: str) -> dict[str, Any]:
    """The `invoice_issued` template's context, from the snapshot only (never from live rows)."""
    language = snapshot.language
    texts = Texts(language)
    return {
        "invoice": {
            "number": snapshot.number,
            "kind": snapshot.kind.value,
            "issue_date": texts.date(snapshot.issue_date),
            "due_date": texts.date(snapshot.due_date),
            "total": _money(snapshot.totals.payable, language),
            "currency": snapshot.currency,
            "ocr": snapshot.ocr,
            "nothing_to_pay": snapshot.nothing_to_pay,
            "prepaid": [
                {
                    "package": b.package,
                    "drawn": texts.hours(b.drawn_hours),
                    "left": texts.hours(b.remaining_hours),
                    "valid_until": texts.date(b.valid_until),
                }
                for b in snapshot.prepaid
            ],
            "bankgiro": snapshot.seller.bankgiro,
            "corrects": snapshot.corrects.number if snapshot.corrects else None,
            "period": _period_text(snapshot.period_start, snapshot.period_end, language),
        },
        "organisation_name": organisation_name,
        "contact_name": contact_name,
    }


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str


async def invoice_recipients(*, organisation: Organisation, snapshot: InvoiceSnapshot) -> list[Recipient]:
    """Where the invoice goes, best first: the organisation's invoice address, the buyer address frozen in
    the snapshot, then its active contacts (oldest first). The caller takes the first valid one."""
    contacts = await Contact.filter(organisation_id=organisation.id, active=True).order_by("id")
    names = {c.email.strip().lower(): c.name for c in contacts if c.email}

    def named(address: str) -> Recipient:
        # A shared mailbox (faktura@…) is greeted by the organisation's name, a person by theirs.
        return Recipient(
            address, names.get(address.strip().lower()) or snapshot.buyer.contact_name or organisation.name
        )

    candidates: list[Recipient] = []
    if organisation.invoice_email:
        candidates.append(named(organisation.invoice_email))
    if snapshot.buyer.email:
        candidates.append(named(snapshot.buyer.email))
    candidates.extend(Recipient(c.email, c.name) for c in contacts if c.email)
    seen: set[str] = set()
    unique = []
    for candidate in candidates:
        key = candidate.email.strip().lower()
        if key and key not in seen:
            seen.add(key)
            unique.append(candidate)
    return unique


async def queue_to_first_valid(
    *,
    organisation: Organisation,
    snapshot: InvoiceSnapshot,
    template: str,
    extra: dict[str, Any] | None = None,
    dedupe_key: str,
    attachments: Sequence[Attachment],
    invalid: Callable[[Recipient], None],
) -> bool | None:
    """Queue `template` about the invoice to the first of its recipients (`invoice_recipients`) whose address
    the outbox accepts, with the context built from the snapshot only (`email_context`, plus `extra`): whether
    it was queued now (False: the dedupe key was queued before). `invalid` is told of each address refused;
    None when no address was left."""
    for recipient in await invoice_recipients(organisation=organisation, snapshot=snapshot):
        context = email_context(snapshot, organisation_name=snapshot.buyer.name, contact_name=recipient.name)
        try:
            return await enqueue_email(
                template=template,
                to_email=recipient.email,
                to_name=recipient.name,
                language=snapshot.language,
                context={**context, **(extra or {})},
                dedupe_key=dedupe_key,
                attachments=attachments,
            )
        except InvalidRecipient:
            invalid(recipient)
    return None


async def queue_issued_email(
    *, invoice: Invoice, snapshot: InvoiceSnapshot, documents: Sequence[InvoiceDocument]
) -> bool:
    """Queue the `invoice_issued` email with both documents attached, in the caller's transaction (outbox).

    One email per invoice ever (dedupe key `invoice:{id}:issued`). An organisation with no usable address
    does not block the issue: it is logged, and finance can download and send the documents by hand."""
    organisation = await Organisation.get(id=invoice.organisation_id)
    attachments = [
        Attachment(d.filename, d.content_type, bytes(d.content))
        for d in sorted(documents, key=lambda d: d.format.value)
    ]
    queued = await queue_to_first_valid(
        organisation=organisation,
        snapshot=snapshot,
        template=ISSUED_TEMPLATE,
        dedupe_key=f"invoice:{invoice.id}:issued",
        attachments=attachments,
        invalid=lambda recipient: log.warning(
            "invoice %s: skipping invalid address %r of organisation %s",
            snapshot.number,
            recipient.email,
            organisation.id,
        ),
    )
    if queued is not None:
        return queued
    log.warning(
        "invoice %s: organisation %s has no invoice email or contact; not emailed", snapshot.number, organisation.id
    )
    return False


# Reading -----------------------------------------------------------------------------------------------


async def get_document(*, principal: Principal, invoice_id: int, fmt: DocumentFormat) -> InvoiceDocument:
    """A stored document of an issued invoice or credit note the principal may see (invoices/access.py). Only
    staff, who see drafts, hear that a draft has no documents yet."""
    invoice = await Invoice.filter(visible_invoices(principal), id=invoice_id).first()
    if invoice is None:
        raise InvoiceNotFound(f"invoice {invoice_id} not found")
    if invoice.status != InvoiceStatus.issued:
        raise DocumentNotIssued(
            f"invoice {invoice_id} is {invoice.status.value}: documents are rendered when it is issued"
        )
    document = await InvoiceDocument.filter(visible_documents(principal), invoice_id=invoice_id, format=fmt).first()
    if document is None:
        log.error("issued invoice %s has no stored %s document", invoice_id, fmt.value)
        raise DocumentMissing(f"invoice {invoice.number} has no stored {fmt.value.upper()} document")
    verified_content(document)
    return document
