"""The transactional outbox: one row per email, written in the same transaction as the change that causes it,
delivered later by the worker (notifications/worker.py).

State machine: pending → sending (claimed with a lease) → sent; sending → pending (temporary failure, with
backoff; or released on shutdown; or reclaimed when the lease expired); sending → parked (permanent failure
or attempts exhausted); parked → pending (an admin retries). `sent` is final.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    parked = "parked"


class OutboxMessage(Model):
    id = fields.IntField(primary_key=True)
    dedupe_key = fields.CharField(max_length=200, unique=True)
    message_id = fields.CharField(max_length=250, unique=True)
    template = fields.CharField(max_length=64)
    language = fields.CharField(max_length=2)
    to_email = fields.CharField(max_length=254)
    to_name = fields.CharField(max_length=200)
    reply_to = fields.CharField(max_length=254, null=True)
    subject = fields.CharField(max_length=300)
    text_body = fields.TextField()
    html_body = fields.TextField()
    status = fields.CharEnumField(OutboxStatus, max_length=10, default=OutboxStatus.pending)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    lease_until = fields.DatetimeField(null=True)
    claimed_by = fields.CharField(max_length=100, null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    attachments: fields.ReverseRelation[OutboxAttachment]

    class Meta:
        table = "notifications_outbox"
        indexes = (("status", "next_attempt_at"),)


class OutboxAttachment(Model):
    id = fields.IntField(primary_key=True)
    message: fields.ForeignKeyRelation[OutboxMessage] = fields.ForeignKeyField(
        "notifications.OutboxMessage", related_name="attachments", on_delete=fields.CASCADE
    )
    filename = fields.CharField(max_length=200)
    content_type = fields.CharField(max_length=100)
    data = fields.BinaryField()

    class Meta:
        table = "notifications_attachment"
