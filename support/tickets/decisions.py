"""Staff decisions on a classified ticket: the outcome of a defect investigation and the product owner's
decision on an extension wish."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from core.auth import Principal
from core.errors import Conflict
from support import notify
from support.models import ClassificationState
from support.policy import Category, DefectOutcome, ExtensionDecision
from support.tickets import schemas as ticket_schemas
from support.tickets.service import get_ticket, record_event, ticket_read


async def set_defect_outcome(
    *, principal: Principal, ticket_id: int, outcome: DefectOutcome, reason: str
) -> ticket_schemas.TicketRead:
    """`confirmed`: fixed under maintenance, stays free. `not_a_defect`: reclassified to assistance; only
    time logged from now on is billable (earlier entries keep the defect category)."""
    async with in_transaction():
        ticket = await get_ticket(principal=principal, ticket_id=ticket_id, for_update=True)
        if ticket.category != Category.defect:
            raise Conflict("only a defect ticket has a defect outcome", code="not_a_defect_ticket")
        if ticket.defect_outcome is not None:
            raise Conflict(f"the outcome is already {ticket.defect_outcome}", code="outcome_already_set")
        ticket.defect_outcome = outcome
        await record_event(ticket, principal, "defect_outcome", to_value=outcome, reason=reason)
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
        ticket = await get_ticket(principal=principal, ticket_id=ticket_id, for_update=True)
        if ticket.category != Category.extension:
            raise Conflict("only an extension ticket has a product-owner decision", code="not_an_extension")
        if ticket.extension_decision is not None:
            raise Conflict(f"the decision is already {ticket.extension_decision}", code="decision_already_set")
        ticket.extension_decision = decision
        await record_event(ticket, principal, "extension_decision", to_value=decision, reason=reason)
        await ticket.save()
        await notify.extension_decision(ticket=ticket, decision=decision, reason=reason)
    return ticket_read(ticket)
