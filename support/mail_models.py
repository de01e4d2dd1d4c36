"""Tables of email conversations: a contact's mail preference. Files that arrive by email go to the ticket
attachments store (support/attachments), under the same limits and visibility as uploads."""

from __future__ import annotations

from tortoise import fields

from core.records import Record
from support.models import Contact


class ContactMailPreference(Record):
    """A contact who opted out of non-essential email (support/notify.py says which mail that is)."""

    contact = fields.OneToOneField(Contact, related_name="mail_preference", on_delete=fields.CASCADE)
    non_essential = fields.BooleanField(default=True)
    updated_at = fields.DatetimeField(auto_now=True)


async def wants_non_essential(contact_id: int) -> bool:
    """True unless the contact opted out."""
    preference = await ContactMailPreference.get_or_none(contact_id=contact_id)
    return preference is None or preference.non_essential
