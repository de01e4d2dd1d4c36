"""Errors of the notifications package: domain errors (HTTP status and stable code) and the delivery
failure classification the worker acts on."""

from __future__ import annotations

from core.errors import Conflict, InvalidInput, NotFound


class InvalidRecipient(InvalidInput):
    code = "invalid_email_address"
    title = "Invalid email address"


class UnknownTemplate(InvalidInput):
    code = "unknown_email_template"
    title = "Unknown email template"


class OutboxMessageNotFound(NotFound):
    code = "outbox_message_not_found"


class NotParked(Conflict):
    code = "outbox_message_not_parked"
    title = "Only a parked message can be retried"


class DeliveryFailed(Exception):
    """A send attempt failed. SMTP semantics (RFC 5321 §4.2.1): 4xx replies and lost connections are
    temporary (retry later), 5xx replies are permanent (park the message for a human)."""

    def __init__(self, reason: str, *, temporary: bool, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary
        self.code = code


class InboundMessageNotFound(NotFound):
    code = "inbound_message_not_found"


class NotHeld(Conflict):
    code = "inbound_message_not_held"
    title = "Only a held message can be accepted or discarded"
