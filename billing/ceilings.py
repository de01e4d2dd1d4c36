"""Cost ceilings on billable tickets (SPEC §2).

Rule: the integrator of the ticket's billed organisation (or staff on its behalf) sets a ceiling in hours
or in SEK ex VAT. Billable time is counted in the order it was worked (work_date, then entry id), each entry
at its billed hours (rounded up to the increment) or at its amount at the rate in force that day. An entry
that takes the running total beyond the limit — and every entry after it — is held from invoicing until
the integrator's approval of that ceiling is recorded. Setting a new ceiling starts a new revision and needs
a new approval. When a ticket reaches its ceiling, the integrator is emailed once per revision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from billing import access, schemas
from billing.audit_trail import audit_event
from billing.errors import CeilingNotFound, TicketNotBillable
from billing.models import CeilingKind, CostCeiling
from billing.money import format_amount, line_amount, minutes_billed_hours
from billing.rates import RateBook
from billing.settings import get_billing_settings
from core.auth import Principal
from core.locking import first_locked, first_or
from notifications.service import enqueue_email
from support.errors import TicketNotFound
from support.models import Contact, Organisation, Ticket
from support.policy import Category, ExtensionDecision, is_billable
from support.timetracking.models import TimeEntry
from support.timetracking.settings import business_today


@dataclass
class CeilingState:
    ticket_id: int
    kind: CeilingKind
    limit: Decimal
    approved: bool
    used: Decimal = Decimal("0")
    held: set[int] = field(default_factory=set)

    @property
    def reached(self) -> bool:
        return self.used >= self.limit


def evaluate(
    ceiling: CostCeiling, entries: list[dict[str, Any]], book: RateBook, organisation_id: int, increment: int
) -> CeilingState:
    """Walk the ticket's billable entries (sorted by work_date, id) and find the ones beyond the limit."""
    state = CeilingState(
        ceiling.ticket_id, CeilingKind(ceiling.kind), Decimal(ceiling.limit_value), ceiling.approved_at is not None
    )
    beyond = False
    for entry in entries:
        hours = minutes_billed_hours(entry["minutes"], increment)
        if state.kind is CeilingKind.hours:
            cost = hours
        else:
            found = book.lookup(organisation_id, entry["category"], entry["work_date"])
            cost = line_amount(hours, found[0]) if found else Decimal("0")
        state.used += cost
        if state.used > state.limit:
            beyond = True
        if beyond and not state.approved:
            state.held.add(entry["id"])
    return state


async def ceiling_states(
    *, ticket_ids: list[int], organisation_id: int, book: RateBook, increment: int
) -> dict[int, tuple[CostCeiling, CeilingState]]:
    """Ceiling state of each ticket that has one: two queries whatever the number of tickets."""
    ceilings = await CostCeiling.filter(ticket_id__in=ticket_ids) if ticket_ids else []
    if not ceilings:
        return {}
    by_ticket: dict[int, list[dict[str, Any]]] = {c.ticket_id: [] for c in ceilings}
    rows = (
        await TimeEntry.filter(ticket_id__in=list(by_ticket), billable=True)
        .order_by("work_date", "id")
        .values("id", "ticket_id", "work_date", "minutes", "category")
    )
    for row in rows:
        by_ticket[row["ticket_id"]].append(row)
    return {c.ticket_id: (c, evaluate(c, by_ticket[c.ticket_id], book, organisation_id, increment)) for c in ceilings}


async def notify_if_reached(ceiling: CostCeiling, state: CeilingState) -> bool:
    """Queue the `cost_ceiling_reached` email once per ceiling revision, in the caller's transaction."""
    if not state.reached or ceiling.notified_revision == ceiling.revision or state.approved:
        return False
    ticket = await Ticket.get(id=ceiling.ticket_id)
    requester = await Contact.get(id=ticket.requester_id)
    organisation = await Organisation.get(id=ticket.bill_to_id)
    language = str(requester.language)
    path = f"/api/v1/tickets/{ticket.id}/cost-ceiling/approve"
    instructions = (
        f"be er kontaktperson hos oss registrera ert godkännande, eller godkänn själva med er "
        f"integratörstoken: POST {path}"
        if language == "sv"
        else f"ask your contact with us to record your approval, or approve it yourself with your "
        f"integrator token: POST {path}"
    )
    context = {
        "ticket": {
            "number": ticket.number,
            "subject": ticket.subject,
            "status": str(ticket.status),
            "category": str(ticket.category) if ticket.category else None,
            "organisation_name": organisation.name,
        },
        "contact_name": requester.name,
        "ceiling": {
            "kind": str(state.kind),
            "limit": format_amount(state.limit, language),
            "used": format_amount(state.used, language),
        },
        "approve_instructions": instructions,
    }
    await enqueue_email(
        template="cost_ceiling_reached",
        to_email=requester.email,
        to_name=requester.name,
        language=language,
        context=context,
        dedupe_key=f"cost_ceiling_reached:{ticket.id}:{ceiling.revision}",
    )
    ceiling.notified_revision = ceiling.revision
    await ceiling.save(update_fields=["notified_revision"])
    return True


async def _ticket_for(principal: Principal, ticket_id: int, *, for_update: bool = False) -> Ticket:
    """The ticket's billed organisation decides: its integrators may set the ceiling; others get 404."""
    return await first_or(
        Ticket.filter(access.ceiling_tickets(principal), id=ticket_id),
        TicketNotFound(f"ticket {ticket_id} not found"),
        for_update=for_update,
    )


async def _state(ceiling: CostCeiling, ticket: Ticket) -> CeilingState:
    today = business_today()
    book = await RateBook.load(
        start=dt.date(1970, 1, 1), end=today + dt.timedelta(days=3660), organisation_ids=[ticket.bill_to_id]
    )
    states = await ceiling_states(
        ticket_ids=[ticket.id],
        organisation_id=ticket.bill_to_id,
        book=book,
        increment=get_billing_settings().billing_increment_minutes,
    )
    return (
        states[ticket.id][1]
        if ticket.id in states
        else CeilingState(
            ticket.id, CeilingKind(ceiling.kind), Decimal(ceiling.limit_value), ceiling.approved_at is not None
        )
    )


def _read(ceiling: CostCeiling, state: CeilingState) -> schemas.CeilingRead:
    quantum = Decimal("0.01")
    return schemas.CeilingRead(
        ticket_id=ceiling.ticket_id,
        kind=ceiling.kind,
        limit=Decimal(ceiling.limit_value).quantize(quantum),
        used=state.used.quantize(quantum),
        reached=state.reached,
        held_entry_ids=sorted(state.held),
        set_by=ceiling.set_by,
        set_at=ceiling.set_at,
        approved_at=ceiling.approved_at,
        approved_by=ceiling.approved_by,
    )


async def set_ceiling(*, principal: Principal, ticket_id: int, data: schemas.CeilingSet) -> schemas.CeilingRead:
    async with in_transaction():
        ticket = await _ticket_for(principal, ticket_id, for_update=True)
        decision = ExtensionDecision(ticket.extension_decision) if ticket.extension_decision else None
        if ticket.category is None or not is_billable(Category(ticket.category), extension_decision=decision):
            raise TicketNotBillable(f"ticket {ticket.number} is not billable ({ticket.category or 'unclassified'})")
        setting: dict[str, Any] = {
            "kind": data.kind,
            "limit_value": data.limit,
            "set_by": principal.name,
            "set_by_token_id": principal.token_id,
            "set_at": dt.datetime.now(dt.UTC),
        }
        ceiling = await CostCeiling.filter(ticket_id=ticket.id).select_for_update().first()
        if ceiling is None:
            ceiling = await CostCeiling.create(ticket_id=ticket.id, **setting)
        else:  # a new revision, not approved yet
            unapproved = {"approved_at": None, "approved_by": None, "approved_by_token_id": None}
            ceiling.update_from_dict({**setting, **unapproved, "revision": ceiling.revision + 1})
            await ceiling.save()
        await audit_event(
            principal,
            "cost_ceiling.set",
            ticket,
            {"kind": data.kind, "limit": data.limit, "revision": ceiling.revision},
        )
        state = await _state(ceiling, ticket)
        await notify_if_reached(ceiling, state)
    return _read(ceiling, state)


async def get_ceiling(*, principal: Principal, ticket_id: int) -> schemas.CeilingRead:
    ticket = await _ticket_for(principal, ticket_id)
    ceiling = await CostCeiling.get_or_none(ticket_id=ticket.id)
    if ceiling is None:
        raise CeilingNotFound(f"ticket {ticket.number} has no cost ceiling")
    return _read(ceiling, await _state(ceiling, ticket))


async def approve_ceiling(*, principal: Principal, ticket_id: int, data: schemas.CeilingApprove) -> schemas.CeilingRead:
    """Record who approved work beyond the ceiling, and when: the held time becomes invoiceable."""
    async with in_transaction():
        ticket = await _ticket_for(principal, ticket_id)
        ceiling = await first_locked(
            CostCeiling.filter(ticket_id=ticket.id), CeilingNotFound(f"ticket {ticket.number} has no cost ceiling")
        )
        if ceiling.approved_at is None:
            ceiling.approved_at = dt.datetime.now(dt.UTC)
            who = principal.name if principal.is_integrator else f"{principal.name} ({principal.role}, on behalf)"
            ceiling.approved_by = (who + (f": {data.note}" if data.note else ""))[:200]
            ceiling.approved_by_token_id = principal.token_id
            await ceiling.save(update_fields=["approved_at", "approved_by", "approved_by_token_id"])
            await audit_event(
                principal, "cost_ceiling.approved", ticket, {"revision": ceiling.revision, "note": data.note}
            )
    return _read(ceiling, await _state(ceiling, ticket))
