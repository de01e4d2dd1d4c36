"""The reminder email of an overdue invoice, with the invoice's stored PDF attached (the same bytes that were
issued). Registered with billing's reminder hook; runs in billing's reminder transaction (outbox)."""

from __future__ import annotations

import logging
from decimal import Decimal

from billing.models import Invoice
from billing.snapshot import InvoiceSnapshot
from invoices.models import DocumentFormat, InvoiceDocument
from invoices.pdf_texts import Texts
from invoices.service import queue_to_first_valid, verified_content
from notifications.service import Attachment
from support.models import Organisation

log = logging.getLogger("tripdesk.invoices")
REMINDER_TEMPLATE = "invoice_reminder"


async def queue_reminder_email(invoice: Invoice, step: int, facts: dict[str, str]) -> bool:
    """Queue reminder `step` of `invoice` once (dedupe key `invoice:{id}:reminder:{step}`). False when the
    organisation has no usable address (the step is then not recorded, and is tried again next run)."""
    snapshot = InvoiceSnapshot.model_validate(invoice.snapshot)
    organisation = await Organisation.get(id=invoice.organisation_id)
    document = await InvoiceDocument.get_or_none(invoice_id=invoice.id, format=DocumentFormat.pdf)
    attachments = [Attachment(document.filename, document.content_type, verified_content(document))] if document else []
    texts = Texts(snapshot.language)
    reminder = {
        **facts,
        **{key: texts.decimal(Decimal(facts[key])) if facts.get(key) else "" for key in ("open", "interest", "fee")},
    }
    queued = await queue_to_first_valid(
        organisation=organisation,
        snapshot=snapshot,
        template=REMINDER_TEMPLATE,
        extra={"reminder": reminder},
        dedupe_key=f"invoice:{invoice.id}:reminder:{step}",
        attachments=attachments,
        invalid=lambda recipient: log.warning(
            "reminder %s of %s: skipping invalid address %r", step, snapshot.number, recipient.email
        ),
    )
    return bool(queued)
