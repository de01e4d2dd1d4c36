"""Staff decisions on a classified ticket: the outcome of a defect investigation and the product owner's
decision on an extension wish."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from core.auth import Principal
from core.errors import Conflict
from support import notify
from support.models import ClassificationState, Ticket
from support.policy import Category, DefectOutcome, ExtensionDecision
from support.tickets import schemas as ticket_schemas
from support.tickets.service import get_ticket, record_event, ticket_read


@dataclass(frozen=True, slots=True)
class _Decision:
    """A decision staff take once, and only on a ticket of one category: the ticket column
    `<category>_<noun>` keeps it, and the event that records it has the same name."""

    category: Category
    noun: str
    other_category: str  # the 409 on a ticket of another category, and its code
    other_category_code: str

    @property
    def field(self) -> str:
        return f"{self.category.value}_{self.noun}"


DEFECT_OUTCOME = _Decision(
    Category.defect, "outcome", "only a defect ticket has a defect outcome", "not_a_defect_ticket"
)
EXTENSION_DECISION = _Decision(
    Category.extension, "decision", "only an extension ticket has a product-owner decision", "not_an_extension"
)


async def _take(decision: _Decision, principal: Principal, ticket_id: int, value: Any, reason: str) -> Ticket:
    """The ticket, locked for the caller's transaction, with `decision` taken and its event recorded (not yet
    saved). A decision is taken once: a second one, or one on a ticket of another category, is a 409."""
    ticket = await get_ticket(principal=principal, ticket_id=ticket_id, for_update=True)
    if ticket.category != decision.category:
        raise Conflict(decision.other_category, code=decision.other_category_code)
    if (taken := getattr(ticket, decision.field)) is not None:
        raise Conflict(f"the {decision.noun} is already {taken}", code=f"{decision.noun}_already_set")
    setattr(ticket, decision.field, value)
    await record_event(ticket, principal, decision.field, to_value=value, reason=reason)
    return ticket


async def set_defect_outcome(
    *, principal: Principal, ticket_id: int, outcome: DefectOutcome, reason: str
) -> ticket_schemas.TicketRead:
    """`confirmed`: fixed under maintenance, stays free. `not_a_defect`: reclassified to assistance; only
    time logged from now on is billable (earlier entries keep the defect category)."""
    async with in_transaction():
        ticket = await _take(DEFECT_OUTCOME, principal, ticket_id, outcome, reason)
        if outcome is DefectOutcome.not_a_defect:
            ticket.category = Category.assistance
            ticket.classification_state = ClassificationState.confirmed
            await record_event(
                ticket,
                principal,
                "category_changed",
                from_value=Category.defect,
                to_value=Category.assistance,
                reason=f"not a defect: {reason}",
            )
        await ticket.save()
        await notify.defect_outcome(ticket=ticket, outcome=outcome, reason=reason)
    return ticket_read(ticket)


async def set_extension_decision(
    *, principal: Principal, ticket_id: int, decision: ExtensionDecision, reason: str
) -> ticket_schemas.TicketRead:
    """The product owner's decision: `roadmap` (free, built into a coming version), `customer_funded`
    (time becomes billable once the customer accepts the offer), `declined`."""
    async with in_transaction():
        ticket = await _take(EXTENSION_DECISION, principal, ticket_id, decision, reason)
        await ticket.save()
        await notify.extension_decision(ticket=ticket, decision=decision, reason=reason)
    return ticket_read(ticket)
