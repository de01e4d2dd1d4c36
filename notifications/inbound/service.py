"""Inbound mail that waits for staff, and addresses that bounce.

- A held message (unknown sender) is never answered automatically: staff list it, accept it (support turns
  it into a new contact's ticket) or discard it. Each decision is taken once: a conditional update from
  `held`, so two staff members cannot both accept it.
- An address whose mail bounced is failing until a personal message from it arrives; staff see the list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tortoise.expressions import F

from core.locking import first_or
from core.pagination import keyset_page
from notifications.errors import InboundMessageNotFound, NotHeld
from notifications.models import FailingAddress, InboundMessage, InboundStatus
from notifications.service import utcnow


async def mark_failing(addresses: Iterable[str], *, reason: str) -> list[str]:
    """Record a bounce for each address (in the caller's transaction); returns the addresses marked."""
    marked: list[str] = []
    now = utcnow()
    for address in dict.fromkeys(a.strip().lower() for a in addresses if a and "@" in a):
        updated = await FailingAddress.filter(email=address).update(
            bounces=F("bounces") + 1, last_at=now, reason=reason[:2000]
        )
        if not updated:
            await FailingAddress.bulk_create(
                [FailingAddress(email=address, reason=reason[:2000], last_at=now)], ignore_conflicts=True
            )
        marked.append(address)
    return marked


async def clear_failing(address: str) -> None:
    """A person wrote from the address: it works again."""
    if address:
        await FailingAddress.filter(email=address.lower()).delete()


async def failing_addresses(emails: Iterable[str] | None = None) -> list[FailingAddress]:
    rows = FailingAddress.all()
    if emails is not None:
        rows = rows.filter(email__in=[e.lower() for e in emails])
    return await rows.order_by("email")


async def list_inbound(
    *, status: InboundStatus, limit: int, cursor: str | None
) -> tuple[list[InboundMessage], str | None]:
    return await keyset_page(InboundMessage.filter(status=status), limit, cursor)


async def get_inbound(*, inbound_id: int, for_update: bool = False) -> InboundMessage:
    return await first_or(
        InboundMessage.filter(id=inbound_id),
        InboundMessageNotFound(f"inbound message {inbound_id} not found"),
        for_update=for_update,
    )


async def decide_held(*, inbound_id: int, status: InboundStatus, outcome: dict[str, Any]) -> InboundMessage:
    """Move a held message to `accepted` or `discarded` (in the caller's transaction); 409 if it is not held."""
    updated = await InboundMessage.filter(id=inbound_id, status=InboundStatus.held).update(
        status=status, outcome=outcome, processed_at=utcnow()
    )
    row = await get_inbound(inbound_id=inbound_id)
    if not updated:
        raise NotHeld(
            f"inbound message {inbound_id} is {row.status}; only a held message can be decided", current=str(row.status)
        )
    return row
