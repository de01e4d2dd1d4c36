"""Who may see what in support: the one place where an integrator's organisation confines a read.

An integrator token belongs to one organisation (SPEC §3). It sees:
- that organisation, and under it its contacts, applications, licences, partner customers, agreements and
  documentation access;
- the tickets its organisation opened or is billed for, their public comments, the attachments that are not
  on an internal comment, and the time logged on those tickets;
- its organisation's partner applications, and the interface notices sent to it.
Staff roles (admin, support, finance) see everything.

Each rule is a query condition: `Model.filter(visible_x(principal), id=...)`. Another organisation's row is
then simply not found, the same 404 as an id that does not exist: the existence of other customers'
tickets and invoices is itself confidential. An operation whose roles exclude integrators refuses them with
403 before any lookup (core/http.py `operation`): that answer is the same for every id. A read under a
parent (a contact of an organisation, a comment of a ticket) first reads the parent through its rule and is
then scoped by the parent's id. Billing's and the invoices package's rules are in billing/access.py and
invoices/access.py; tests/test_architecture.py keeps the integrator test out of every other module, and
tests/test_cross_organisation.py proves the rules on every route with an id.
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q, Subquery

from core.auth import Principal
from support.programme.models import NoticeRecipient

EVERYTHING = Q()


def _confined_to(principal: Principal) -> int | None:
    """The one organisation an integrator's reads are confined to; None for staff."""
    return principal.organisation_scope()


def sees_internal(principal: Principal) -> bool:
    """Staff see (and write) internal comments and the files on them; an integrator only public ones."""
    return _confined_to(principal) is None


def opened_or_billed(organisation_id: int, *, via: str = "") -> Q:
    """Tickets the organisation opened or is billed for: what its integrators see, and what filtering a list
    on it means. `via` reaches the ticket from a related row (`ticket__` from a time entry)."""
    opened: dict[str, Any] = {f"{via}organisation_id": organisation_id}
    billed: dict[str, Any] = {f"{via}bill_to_id": organisation_id}
    return Q(**opened) | Q(**billed)


def ticket_scope(principal: Principal) -> int | None:
    """The organisation whose opened-or-billed tickets a list is confined to (`opened_or_billed` in the
    list's own statement); None: every ticket."""
    return _confined_to(principal)


def visible_tickets(principal: Principal) -> Q:
    org = _confined_to(principal)
    return EVERYTHING if org is None else opened_or_billed(org)


def requester_scope(principal: Principal) -> int | None:
    """Whose contacts may be named as a ticket's requester: an integrator only its own organisation's (the
    intake statement applies it); None: any contact."""
    return _confined_to(principal)


def visible_comments(principal: Principal) -> Q:
    """Comments of a ticket already read through `visible_tickets`: internal ones are staff-only."""
    return EVERYTHING if sees_internal(principal) else Q(public=True)


def visible_attachments(principal: Principal) -> Q:
    """Files on visible tickets, except those on an internal comment, which are staff-only."""
    org = _confined_to(principal)
    if org is None:
        return EVERYTHING
    return opened_or_billed(org, via="ticket__") & (Q(comment_id=None) | Q(comment__public=True))


def visible_time_entries(principal: Principal) -> Q:
    """The time on the tickets one sees: it is what the customer is (or is not) billed for."""
    org = _confined_to(principal)
    return EVERYTHING if org is None else opened_or_billed(org, via="ticket__")


def visible_organisations(principal: Principal) -> Q:
    org = _confined_to(principal)
    return EVERYTHING if org is None else Q(id=org)


def _own_organisations(principal: Principal) -> Q:
    org = _confined_to(principal)
    return EVERYTHING if org is None else Q(organisation_id=org)


def visible_applications(principal: Principal) -> Q:
    """An organisation's registered integrations (`Application` rows)."""
    return _own_organisations(principal)


def visible_partner_applications(principal: Principal) -> Q:
    """Applications to become a registered partner (TRIP)."""
    return _own_organisations(principal)


def visible_notices(principal: Principal) -> Q:
    """Interface change notices sent to the integrator's organisation; staff see every notice."""
    org = _confined_to(principal)
    if org is None:
        return EVERYTHING
    return Q(id__in=Subquery(NoticeRecipient.filter(organisation_id=org).values("notice_id")))
