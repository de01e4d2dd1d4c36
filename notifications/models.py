"""The transactional outbox: one row per email, written in the same transaction as the change that causes it,
delivered later by the worker (notifications/worker.py).

State machine: pending → sending (claimed with a lease) → sent; sending → pending (temporary failure, with
backoff; or released on shutdown; or reclaimed when the lease expired); sending → parked (permanent failure
or attempts exhausted); parked → pending (an admin retries). `sent` is final.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields

from core.records import CreatedRecord, Record
from notifications.templating import Rendered, render


class OutboxStatus(StrEnum):
    pending = "pending"  # waits for `next_attempt_at`: queued, retried after a temporary failure, or released
    sending = "sending"  # claimed by a worker (`claimed_by`) until `lease_until`, when another may reclaim it
    sent = "sent"  # delivered (final)
    parked = "parked"  # permanent failure or attempts exhausted (`last_error`): waits for an admin to retry it


class OutboxMessage(CreatedRecord):
    """One email, queued in the transaction of the change that causes it and sent later by the worker. One email per
    `dedupe_key`, ever. `message_id` is set when it is queued and kept across retries, so a repeat can be recognised."""

    dedupe_key = fields.CharField(max_length=200, unique=True)
    message_id = fields.CharField(max_length=250, unique=True)
    template = fields.CharField(max_length=64)
    language = fields.CharField(max_length=2)
    to_email = fields.CharField(max_length=254)
    to_name = fields.CharField(max_length=200)
    reply_to = fields.CharField(max_length=254, null=True)
    # Content is rendered from `template`, `language` and `context` when the message is built for delivery,
    # not in the transaction that queues it: intake stays cheap and a template error parks one message
    # instead of failing the change that caused it. Rows without a template context carry rendered content.
    context: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    stored_subject = fields.CharField(max_length=300, null=True, source_field="subject")
    stored_text = fields.TextField(null=True, source_field="text_body")
    stored_html = fields.TextField(null=True, source_field="html_body")
    status = fields.CharEnumField(OutboxStatus, max_length=10, default=OutboxStatus.pending)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    lease_until = fields.DatetimeField(null=True)
    claimed_by = fields.CharField(max_length=100, null=True)
    last_error = fields.TextField(null=True)
    sent_at = fields.DatetimeField(null=True)
    # Rows with the same key that are still pending merge into one email (`enqueue_coalesced`).
    coalesce_key = fields.CharField(max_length=200, null=True)

    attachments: fields.ReverseRelation[OutboxAttachment]

    class Meta:
        table = "notifications_outbox"
        indexes = (("status", "next_attempt_at"), ("coalesce_key", "status"))

    def content(self) -> Rendered:
        """Subject, text and HTML: as stored, or rendered from the context (once per instance)."""
        cached: Rendered | None = self.__dict__.get("_content")
        if cached is None:
            if self.stored_text is not None and self.stored_html is not None:
                cached = Rendered(subject=self.stored_subject or "", text=self.stored_text, html=self.stored_html)
            else:
                cached = render(self.template, self.language, self.context or {})
            self.__dict__["_content"] = cached
        return cached

    @property
    def subject(self) -> str:
        return self.content().subject

    @property
    def text_body(self) -> str:
        return self.content().text

    @property
    def html_body(self) -> str:
        return self.content().html


class OutboxAttachment(Record):
    """A file sent with an outbox message, stored with it when it is queued (`enqueue_email`) and deleted with it."""

    message = fields.ForeignKeyField(OutboxMessage, related_name="attachments", on_delete=fields.CASCADE)
    filename = fields.CharField(max_length=200)
    content_type = fields.CharField(max_length=100)
    data = fields.BinaryField()

    class Meta:
        table = "notifications_attachment"


class InboundStatus(StrEnum):
    claimed = "claimed"  # a fetcher is processing it (lease_until)
    retry = "retry"  # an attempt failed; the message stays in the mailbox and is tried again
    processed = "processed"  # became a comment or a ticket
    ignored = "ignored"  # auto-reply, mailing list or bounce: nothing created, nothing sent
    held = "held"  # unknown sender: waits for staff
    accepted = "accepted"  # held, then accepted by staff as a new contact's ticket
    discarded = "discarded"  # held, then discarded by staff
    failed = "failed"  # attempts exhausted: moved to the failed folder, kept


class InboundKind(StrEnum):
    personal = "personal"
    auto_reply = "auto_reply"
    mailing_list = "mailing_list"
    bounce = "bounce"


class InboundMessage(CreatedRecord):
    """One message read from the support mailbox, claimed by its key (the Message-ID, or a hash of the header
    when it has none) so that any number of fetchers process it once. The original is kept in `original`."""

    message_key = fields.CharField(max_length=250, unique=True)
    message_id = fields.CharField(max_length=250, null=True)
    status = fields.CharEnumField(InboundStatus, max_length=10, default=InboundStatus.claimed)
    kind = fields.CharEnumField(InboundKind, max_length=12, null=True)
    from_address = fields.CharField(max_length=254, default="")
    from_name = fields.CharField(max_length=200, default="")
    subject = fields.CharField(max_length=300, default="")
    size = fields.IntField(default=0)
    attempts = fields.IntField(default=0)
    claimed_by = fields.CharField(max_length=100, null=True)
    lease_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    original = fields.BinaryField(null=True)
    outcome: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    processed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notifications_inbound"
        indexes = (("status", "id"),)


class FailingAddress(Record):
    """An address that bounced: its mail fails. Staff see it, and a later personal mail from it clears it."""

    email = fields.CharField(max_length=254, unique=True)
    reason = fields.TextField(default="")
    bounces = fields.IntField(default=1)
    first_at = fields.DatetimeField(auto_now_add=True)
    last_at = fields.DatetimeField()
