"""What the invoices package plugs into billing: at issue, render and store the documents and queue the email.

`on_invoice_issued` runs inside billing's issuing transaction (for invoices and credit notes alike), so the
documents and the outbox row commit with the issue, and a rendering failure rolls the issue back.
"""

from __future__ import annotations

from billing.models import Invoice
from billing.snapshot import InvoiceSnapshot
from invoices import service


async def on_invoice_issued(invoice: Invoice, snapshot: InvoiceSnapshot) -> None:
    documents = await service.store_documents(invoice=invoice, snapshot=snapshot)
    await service.queue_issued_email(invoice=invoice, snapshot=snapshot, documents=documents)


def install() -> None:
    """Register with billing's issue hooks. Safe to call more than once (billing keeps each hook once)."""
    from billing.hooks import register_issue_hook, register_reminder_sender
    from invoices.reminders import queue_reminder_email

    register_issue_hook(on_invoice_issued)
    register_reminder_sender(queue_reminder_email)
