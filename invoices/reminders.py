"""The reminder email of an overdue invoice, with the invoice's stored PDF attached (the same bytes that were
issued). Registered with billing's reminder hook; runs in billing's reminder transaction (outbox)."""

from __future__ import annotations

import logging
from decimal import Decimal

from billing.models import Invoice
from billing.snapshot import InvoiceSnapshot
from invoices.models import DocumentFormat, InvoiceDocument
from invoices.pdf_texts import Texts
from invoices.service import email_context, invoice_recipients, verified_content
from notifications.errors import InvalidRecipient
from notifications.service import Attachment, enqueue_email
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
    for recipient in await invoice_recipients(organisation=organisation, snapshot=snapshot):
        context = {
            **email_context(snapshot, organisation_name=snapshot.buyer.name, contact_name=recipient.name),
            "reminder": reminder,
        }
        try:
            return await enqueue_email(
                template=REMINDER_TEMPLATE,
                to_email=recipient.email,
                to_name=recipient.name,
                language=snapshot.language,
                context=context,
                dedupe_key=f"invoice:{invoice.id}:reminder:{step}",
                attachments=attachments,
            )
        except InvalidRecipient:
            log.warning("reminder %s of %s: skipping invalid address %r", step, snapshot.number, recipient.email)
    return False
