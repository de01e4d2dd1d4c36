"""Who may see what in billing: the one place where an integrator's organisation confines a read of money.

An integrator token belongs to one organisation (SPEC §3). It sees:
- its organisation's issued invoices and credit notes; drafts and discarded drafts are internal, so an
  integrator's own draft is as absent as another organisation's invoice (never a distinct error);
- the cost ceilings of the tickets its organisation is billed for (the payer sets and approves them; the
  organisation that only opened a ticket does not);
- the subscriptions it holds (as licensee) or pays (as reselling partner);
- its prepaid hours and its statement, through its organisation (support/access.py).
It licenses only the customers its organisation is recorded to act for (support/partners.py).
Staff roles see everything.

Each rule is a query condition for `Model.filter(rule, id=...)`, so another organisation's row is the same 404
as a missing id (support/access.py explains why).
"""

from __future__ import annotations

from tortoise.expressions import Q, Subquery

from billing.models import InvoiceStatus
from core.auth import Principal
from support.models import PartnerCustomer

EVERYTHING = Q()


def _confined_to(principal: Principal) -> int | None:
    """The one organisation an integrator's reads are confined to; None for staff."""
    return principal.organisation_scope()


def visible_invoices(principal: Principal) -> Q:
    """Invoices and credit notes: an integrator sees its organisation's issued documents only."""
    org = _confined_to(principal)
    return EVERYTHING if org is None else Q(organisation_id=org, status=InvoiceStatus.issued)


def ceiling_tickets(principal: Principal) -> Q:
    """Tickets whose cost ceiling one may read, set and approve: the billed organisation's."""
    org = _confined_to(principal)
    return EVERYTHING if org is None else Q(bill_to_id=org)


def visible_subscriptions(principal: Principal) -> Q:
    org = _confined_to(principal)
    return EVERYTHING if org is None else held_or_paid_by(org)


def held_or_paid_by(organisation_id: int) -> Q:
    """Subscriptions the organisation holds (its licence) or pays (it resells): what its integrators see,
    and what filtering the list on it means."""
    return Q(payer_id=organisation_id) | Q(licence__organisation_id=organisation_id)


def licensable_organisations(principal: Principal) -> Q:
    """Organisations one may name as a licensee: staff any; an integrator the customers its organisation is
    recorded to act for (it resells to them)."""
    org = _confined_to(principal)
    if org is None:
        return EVERYTHING
    return Q(id__in=Subquery(PartnerCustomer.filter(partner_id=org).values("customer_id")))
