"""Email to an organisation's contact about something other than a ticket (a licence missing, a partner
application decided): in the contact's language, queued in the caller's transaction (the outbox)."""

from __future__ import annotations

from typing import Any

from notifications.service import enqueue_email
from support.models import Contact


async def email_contact(contact: Contact, *, template: str, dedupe_key: str, context: dict[str, Any]) -> bool:
    """Queue `template` to `contact`, greeting them by name (`contact_name` in the context). False, writing
    nothing, when `dedupe_key` was queued already: one event, one email."""
    return await enqueue_email(
        template=template,
        to_email=contact.email,
        to_name=contact.name,
        language=str(contact.language),
        dedupe_key=dedupe_key,
        context={"contact_name": contact.name, **context},
    )
