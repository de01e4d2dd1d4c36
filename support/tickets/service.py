"""Ticket use cases: intake with automatic classification, listing, status and assignment, comments,
staff classification, defect outcomes and extension decisions.

Business rules enforced here:
- Classification is a suggestion with a confidence; below the threshold the ticket `needs_triage` and
  the integrator is told nothing about billing until staff confirm (SPEC §1). An automatic `unofficial`
  always needs triage: only staff reject a ticket.
- Every change of status, category or assignee is a `TicketEvent` written in the same transaction.
- `unofficial` → the ticket is rejected with a public comment that cites the policy.
- Defect outcome `not_a_defect` reclassifies to `assistance`: time logged from then on is billable;
  earlier time keeps the category it was logged under (time entries store it).
- An integrator sees only tickets its organisation opened or is billed for, and their public comments
  (support/access.py); anything else is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.transactions import in_transaction

from core.auth import Principal
from core.db import is_postgres
from core.errors import Conflict, Forbidden
from core.pagination import page_of
from support import access, notify
from support.classification.classifier import CONFIDENCE_THRESHOLD, ClassificationResult
from support.classification.model_store import get_classifier
from support.classification.service import record_labelled_example
from support.errors import ApplicationNotFound, InvalidReference, OrganisationNotFound, TicketNotFound
from support.licensing import licence_warning_for
from support.models import (
    Application,
    ClassificationState,
    Comment,
    Staff,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
)
from support.policy import POLICY, Category, billing_for
from support.tickets import schemas as ticket_schemas
from support.tickets import store as ticket_store
from support.tickets.listing import TicketFilter
from support.tickets.workflow import check_transition


def ticket_read(ticket: Ticket) -> ticket_schemas.TicketRead:
    read = ticket_schemas.TicketRead.model_validate(ticket)
    if ticket.category is not None:
        read.billing = billing_for(Category(ticket.category))
    return read


async def get_ticket(*, principal: Principal, ticket_id: int, for_update: bool = False) -> Ticket:
    query = Ticket.filter(access.visible_tickets(principal), id=ticket_id)
    if for_update:
        query = query.select_for_update()
    ticket = await query.first()
    if ticket is None:
        raise TicketNotFound(f"ticket {ticket_id} not found")
    return ticket


async def record_event(
    ticket: Ticket,
    principal: Principal | None,
    kind: str,
    *,
    from_value: Any = None,
    to_value: Any = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    await TicketEvent.create(
        ticket_id=ticket.id,
        kind=kind,
        actor=principal.name if principal else "tripdesk",
        actor_token_id=principal.token_id if principal else None,
        from_value=None if from_value is None else str(from_value),
        to_value=None if to_value is None else str(to_value),
        reason=reason,
        data=data,
    )


async def _licence_warning(application_id: int | None) -> str | None:
    """The licence warning of the application the request names. Whether the requester may name it (one of
    its own organisation's or the billed one's) is decided by the statement that stores the ticket: a
    refused ticket never shows this warning."""
    if application_id is None:
        return None
    application = await Application.get_or_none(id=application_id)
    return None if application is None else await licence_warning_for(application)


def _opened(opened: ticket_store.Opened, principal: Principal, data: ticket_schemas.TicketCreate) -> None:
    """Why nothing was stored, as the caller should hear it: an integrator learns nothing about contacts
    outside its own organisation. A requester may bill only its own organisation or a customer its
    organisation is recorded to act for (support/partners.py), and name only those organisations'
    applications: any other id is the same 404 as one that does not exist."""
    requester = opened.requester
    scope = access.requester_scope(principal)
    if requester is None or (scope is not None and requester.organisation_id != scope):
        raise InvalidReference(f"requester {data.requester_id} is not a known contact")
    if not requester.active:
        raise InvalidReference(f"contact {requester.id} is inactive")
    if not opened.may_bill:
        raise OrganisationNotFound("bill_to_id: no such organisation")
    if not opened.may_name_application:
        raise ApplicationNotFound("application_id: no such application")
    assert opened.ticket_id is not None


def _classification_state(result: ClassificationResult) -> ClassificationState:
    """Below the threshold staff must confirm before the integrator hears a billing consequence. An automatic
    `unofficial` always waits for staff, whatever its confidence: refusing help wrongly is the costliest
    mistake, so only a person rejects a ticket."""
    if result.category is Category.unofficial or result.confidence < CONFIDENCE_THRESHOLD:
        return ClassificationState.needs_triage
    return ClassificationState.suggested


def classified_event(result: ClassificationResult, **read: Any) -> dict[str, Any]:
    """The `classified` event of an automatic classification (at intake, or again once an attachment is
    read): the suggested category and why, the model, its confidence to 4 places and the state it leaves
    the ticket in; `read` adds what this classification read."""
    facts = {"model_version": result.model_version, "confidence": round(result.confidence, 4)}
    return {
        "kind": "classified",
        "actor": "classifier",
        "to_value": result.category.value,
        "reason": "; ".join(result.reasons)[:2000],
        "data": {**facts, "state": _classification_state(result).value, "language": result.language, **read},
    }


async def create_ticket(*, principal: Principal, data: ticket_schemas.TicketCreate) -> ticket_schemas.TicketRead:
    """Intake: check the parties, classify, and store the ticket with its number, its `created` and
    `classified` events and the receipt email: one statement on PostgreSQL (support/tickets/store.py), and
    the licence query first when the request names an application."""
    now = dt.datetime.now(dt.UTC)
    warning = await _licence_warning(data.application_id)
    result = get_classifier().classify(data.subject, data.body)
    state = _classification_state(result)
    confidence = round(result.confidence, 4)
    decided = {
        "category": result.category.value,
        "classification_state": state.value,
        "classification_confidence": confidence,
        "status": TicketStatus.new.value,
        "licence_warning": warning,
        "created_at": now,
        "updated_at": now,
    }
    ticket = ticket_store.NewTicket(columns={**data.model_dump(), **decided})
    events = [
        ticket_store.NewEvent(
            kind="created", actor=principal.name, actor_token_id=principal.token_id, to_value=TicketStatus.new.value
        ),
        ticket_store.NewEvent(**classified_event(result, reasons=result.reasons)),
    ]
    receipt = notify.receipt(
        subject=data.subject,
        status=TicketStatus.new.value,
        category=result.category if state is ClassificationState.suggested else None,
    )
    opened = await ticket_store.open_ticket(
        contact_id=data.requester_id,
        organisation_scope=access.requester_scope(principal),
        ticket=ticket,
        events=events,
        receipt=receipt,
    )
    _opened(opened, principal, data)
    assert opened.requester is not None and opened.ticket_id is not None
    return ticket_schemas.TicketRead.model_validate(
        {
            **data.model_dump(),
            **decided,
            "id": opened.ticket_id,
            "number": opened.number,
            "organisation_id": opened.requester.organisation_id,
            "bill_to_id": opened.bill_to_id,
            "assignee_id": None,
            "defect_outcome": None,
            "extension_decision": None,
            "billing": billing_for(result.category),
            "classification_reasons": result.reasons,
        }
    )


CLASSIFICATION_EVENTS = ("classified", "category_changed", "category_confirmed")


async def read_ticket(*, principal: Principal, ticket_id: int) -> ticket_schemas.TicketRead:
    """The ticket with why it has its category: the classifier's reasons from its `classified` event and,
    when staff decided later, their decision first."""
    ticket = await get_ticket(principal=principal, ticket_id=ticket_id)
    read = ticket_read(ticket)
    events = (
        await TicketEvent.filter(ticket_id=ticket.id, kind__in=CLASSIFICATION_EVENTS)
        .order_by("-id")
        .values("kind", "actor", "from_value", "to_value", "reason", "data")
    )
    reasons: list[str] = []
    for event in events:
        if event["kind"] == "classified":
            stored = (event["data"] or {}).get("reasons")
            reasons += stored if isinstance(stored, list) else [r for r in [event["reason"]] if r]
            break
        if not reasons:  # only the latest staff decision: the one in force
            verb = "confirmed" if event["kind"] == "category_confirmed" else f"changed from {event['from_value']}"
            why = f": {event['reason']}" if event["reason"] else ""
            reasons.append(f"staff ({event['actor']}) {verb} to {event['to_value']}{why}")
    read.classification_reasons = reasons
    return read


async def list_tickets(
    *, principal: Principal, query: ticket_schemas.TicketQuery
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of `TicketSummary` fields as plain rows, newest first (support/tickets/listing.py: the filters'
    rules and the statement)."""
    wanted = TicketFilter.of(principal, query, postgres=is_postgres())
    return page_of(await wanted.rows(), query.limit)


async def update_ticket(
    *, principal: Principal, ticket_id: int, data: ticket_schemas.TicketUpdate
) -> ticket_schemas.TicketRead:
    async with in_transaction():
        ticket = await get_ticket(principal=principal, ticket_id=ticket_id, for_update=True)
        if data.assignee_id is not None or data.unassign:
            if data.assignee_id is not None and not await Staff.exists(id=data.assignee_id, active=True):
                raise InvalidReference(f"staff {data.assignee_id} does not exist or is inactive")
            new_assignee = None if data.unassign else data.assignee_id
            if new_assignee != ticket.assignee_id:  # type: ignore[attr-defined]
                await record_event(
                    ticket,
                    principal,
                    "assignee_changed",
                    from_value=ticket.assignee_id,  # type: ignore[attr-defined]
                    to_value=new_assignee,
                    reason=data.reason,
                )
                ticket.assignee_id = new_assignee
        if data.status is not None and data.status != ticket.status:
            await _change_status(ticket, principal, data.status, reason=data.reason)
        await ticket.save()
    return ticket_read(ticket)


async def _change_status(
    ticket: Ticket, principal: Principal | None, target: TicketStatus, *, reason: str | None
) -> None:
    check_transition(TicketStatus(ticket.status), target)
    if target is not TicketStatus.rejected and ticket.category == Category.unofficial:
        raise Conflict(
            "an unofficial integration gets no assistance; the ticket can only be rejected", code="unofficial_ticket"
        )
    old = ticket.status
    ticket.status = target
    await record_event(ticket, principal, "status_changed", from_value=old, to_value=target, reason=reason)
    await notify.status_changed(ticket=ticket, old_status=str(old), reason=reason)


async def _comment(ticket: Ticket, principal: Principal, body: str, *, public: bool) -> Comment:
    """A comment signed by the principal that writes it (its name, and its token for the audit)."""
    return await Comment.create(
        ticket_id=ticket.id, author_name=principal.name, author_token_id=principal.token_id, body=body, public=public
    )


async def add_comment(*, principal: Principal, ticket_id: int, data: ticket_schemas.CommentCreate) -> Comment:
    """Integrators may only add public comments (the default for them; staff comments are internal unless
    `public` says otherwise); a staff member's public comment is emailed to the requester."""
    internal_allowed = access.sees_internal(principal)
    public = not internal_allowed if data.public is None else data.public
    if not internal_allowed and not public:
        raise Forbidden("integrators' comments are always public; leave public out or send public: true")
    async with in_transaction():
        ticket = await get_ticket(principal=principal, ticket_id=ticket_id)
        comment = await _comment(ticket, principal, data.body, public=public)
        if public and internal_allowed:  # a staff member's public comment
            await notify.public_comment(ticket=ticket, comment=comment)
    return comment


async def list_comments(*, principal: Principal, ticket_id: int) -> list[Comment]:
    ticket = await get_ticket(principal=principal, ticket_id=ticket_id)
    return await Comment.filter(access.visible_comments(principal), ticket_id=ticket.id).order_by("id")


async def list_events(*, principal: Principal, ticket_id: int) -> list[TicketEvent]:
    ticket = await get_ticket(principal=principal, ticket_id=ticket_id)
    return await TicketEvent.filter(ticket_id=ticket.id).order_by("id")


async def set_classification(
    *, principal: Principal, ticket_id: int, data: ticket_schemas.ClassificationSet
) -> ticket_schemas.TicketRead:
    """Staff confirm or override the category. The decision is stored as a labelled example for retraining.
    `unofficial` rejects the ticket with the policy text; the integrator is told the billing consequence."""
    async with in_transaction():
        ticket = await get_ticket(principal=principal, ticket_id=ticket_id, for_update=True)
        if ticket.status in (TicketStatus.closed, TicketStatus.rejected):
            raise Conflict(f"a {ticket.status} ticket cannot be reclassified", code="ticket_final")
        if ticket.kind != TicketKind.support:
            # A TRIP application is decided, not classified; unclassified, no time can be logged on it.
            raise Conflict(f"a {ticket.kind} ticket is not classified under the policy", code="ticket_not_classified")
        old = ticket.category
        changed = old != data.category
        ticket.category = data.category
        ticket.classification_state = ClassificationState.confirmed
        await record_event(
            ticket,
            principal,
            "category_changed" if changed else "category_confirmed",
            from_value=old,
            to_value=data.category,
            reason=data.reason,
        )
        await record_labelled_example(
            subject=ticket.subject,
            body=ticket.body,
            category=data.category,
            source="staff_override" if changed else "staff_confirmation",
            ticket_id=ticket.id,
        )
        if data.category is Category.unofficial and ticket.status != TicketStatus.rejected:
            await _reject_unofficial(ticket, principal)
        await ticket.save()
        await notify.category_set(ticket=ticket, old_category=old, reason=data.reason)
    return ticket_read(ticket)


async def _reject_unofficial(ticket: Ticket, principal: Principal) -> None:
    rule = POLICY[Category.unofficial]
    ticket.status = TicketStatus.rejected
    await record_event(
        ticket,
        principal,
        "status_changed",
        to_value=TicketStatus.rejected,
        reason="unofficial integration: no assistance under the integration policy",
    )
    await _comment(ticket, principal, f"{rule.rule_sv}\n\n{rule.rule_en}", public=True)
