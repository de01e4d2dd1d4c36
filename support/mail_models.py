"""Tables of email conversations: a contact's mail preference and the files that arrived by email.

`MailAttachment` is this package's own small store for files received by mail (the ticket attachments store
of another change may replace it: callers go through `store_mail_attachment`)."""

from __future__ import annotations

import hashlib

from tortoise import fields
from tortoise.models import Model


class ContactMailPreference(Model):
    """A contact who opted out of non-essential email (support/notify.py says which mail that is)."""

    id = fields.IntField(primary_key=True)
    contact: fields.OneToOneRelation = fields.OneToOneField(
        "support.Contact", related_name="mail_preference", on_delete=fields.CASCADE)
    non_essential = fields.BooleanField(default=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "support_contact_mail_preference"


class MailAttachment(Model):
    """A file that came with an email on a ticket (within the size and type limits)."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "support.Ticket", related_name="mail_attachments", on_delete=fields.CASCADE)
    comment_id = fields.IntField(null=True)
    inbound_id = fields.IntField(null=True)
    filename = fields.CharField(max_length=200)
    content_type = fields.CharField(max_length=100)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    data = fields.BinaryField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "support_mail_attachment"
        indexes = (("ticket_id", "id"),)


async def wants_non_essential(contact_id: int) -> bool:
    """True unless the contact opted out."""
    preference = await ContactMailPreference.get_or_none(contact_id=contact_id)
    return preference is None or preference.non_essential


async def store_mail_attachment(*, ticket_id: int, comment_id: int | None, filename: str, content_type: str,
                                data: bytes) -> MailAttachment:
    return await MailAttachment.create(ticket_id=ticket_id, comment_id=comment_id, filename=filename[:200],
                                       content_type=content_type[:100], size=len(data),
                                       sha256=hashlib.sha256(data).hexdigest(), data=data)
