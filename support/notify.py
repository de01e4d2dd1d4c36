"""What the integrator is told by email about a ticket, queued in the caller's transaction.

PLACEHOLDER until issue 6 lands: the notifications engineer replaces these bodies with outbox writes.
The signatures are the contract the ticket service calls.
"""

from __future__ import annotations

from typing import Any

from support.models import Comment, Contact, Ticket


async def ticket_received(*, ticket: Ticket, requester: Contact, tell_billing: bool) -> None:
    return None


async def status_changed(*, ticket: Ticket, old_status: str, reason: str | None) -> None:
    return None


async def public_comment(*, ticket: Ticket, comment: Comment) -> None:
    return None


async def category_set(*, ticket: Ticket, old_category: Any, reason: str) -> None:
    return None


async def defect_outcome(*, ticket: Ticket, outcome: Any, reason: str) -> None:
    return None


async def extension_decision(*, ticket: Ticket, decision: Any, reason: str) -> None:
    return None
