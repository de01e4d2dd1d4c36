"""The classifier reads a text attachment's first lines as part of the ticket (stack traces, status codes).

Rule: while no one from staff has decided the category (not `confirmed`) and the ticket is still `new`, a text
attachment makes the classifier look again at the subject with the body followed by the first lines of every
text attachment (those the integrator may see too). A changed suggestion is recorded like the first one (a
`classified` event); the integrator is emailed when the category they were told changes. Staff decisions are
never overridden.
"""

from __future__ import annotations

from tortoise.expressions import Q

from support import notify
from support.attachments.models import Attachment
from support.classification.model_store import get_classifier
from support.models import ClassificationState, Ticket, TicketEvent, TicketStatus
from support.tickets.service import _classification_state, classified_event

MAX_HEAD_CHARS = 4000


def ticket_text(body: str, heads: list[str]) -> str:
    """What the classifier reads: the body, then the attachments' first lines."""
    extra = "\n\n".join(heads)[:MAX_HEAD_CHARS]
    return f"{body}\n\n{extra}" if extra else body


async def text_heads(ticket_id: int, *, public_only: bool) -> list[str]:
    """The previews (first lines) of a ticket's text attachments, oldest first; `public_only` leaves out the
    files of internal comments."""
    visible = Q(comment_id=None) | Q(comment__public=True) if public_only else Q()
    rows = (
        await Attachment.filter(visible, ticket_id=ticket_id, blob__preview__not_isnull=True)
        .order_by("id")
        .values_list("blob__preview", flat=True)
    )
    return [str(r) for r in rows if r]


async def after_text_attachment(ticket: Ticket) -> None:
    """Called in the upload's transaction, with the ticket row locked."""
    if ticket.classification_state == ClassificationState.confirmed or ticket.status != TicketStatus.new:
        return
    heads = await text_heads(ticket.id, public_only=True)
    result = get_classifier().classify(ticket.subject, ticket_text(ticket.body, heads))
    state = _classification_state(result)
    confidence = round(result.confidence, 4)
    old_category, old_state = ticket.category, ticket.classification_state
    if result.category == old_category and state == old_state:
        return
    ticket.category = result.category
    ticket.classification_state = state
    ticket.classification_confidence = confidence
    event = classified_event(result, read_attachments=len(heads))
    await TicketEvent.create(ticket_id=ticket.id, from_value=old_category, **event)
    await ticket.save(update_fields=["category", "classification_state", "classification_confidence", "updated_at"])
    if state is ClassificationState.suggested and result.category != old_category:
        await notify.category_set(
            ticket=ticket, old_category=old_category, reason="the attached files were read with the ticket"
        )
