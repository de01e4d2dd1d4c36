"""Who may see what in the invoices package: the stored documents (PDF and Peppol UBL) of an invoice or credit
note are seen by whoever sees the invoice (billing/access.py). An integrator therefore downloads only its
organisation's issued documents; another organisation's, and its own organisation's drafts, are the same 404
as a missing id. Staff roles see every document."""

from __future__ import annotations

from tortoise.expressions import Q, Subquery

from billing.access import visible_invoices
from billing.models import Invoice
from core.auth import Principal


def visible_documents(principal: Principal) -> Q:
    if principal.organisation_scope() is None:
        return Q()
    return Q(invoice_id__in=Subquery(Invoice.filter(visible_invoices(principal)).values("id")))
