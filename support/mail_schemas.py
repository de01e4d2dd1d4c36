"""Request and response models of the email-conversation API (held messages, failing addresses, a contact's
mail preference)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from core.http import Id
from notifications.models import InboundStatus
from support.models import Language
from support.schemas import Read, Strict, Text200


class InboundQuery(Strict):
    status: InboundStatus = InboundStatus.held
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=200)


class InboundRead(Read):
    id: int
    message_id: str | None
    status: InboundStatus
    kind: str | None
    from_address: str
    from_name: str
    subject: str
    size: int
    attempts: int
    last_error: str | None
    outcome: dict[str, Any] | None
    created_at: dt.datetime
    processed_at: dt.datetime | None


class InboundDetail(InboundRead):
    text: str = Field(description="the message's text (HTML-only mail converted to text)")


class InboundPage(Strict):
    items: list[InboundRead]
    next_cursor: str | None


class HeldAccept(Strict):
    organisation_id: Id = Field(description="the organisation the sender becomes a contact of")
    name: Text200 | None = Field(None, description="default: the sender's display name")
    language: Language = Language.sv


class HeldDiscard(Strict):
    reason: str | None = Field(None, max_length=2000)


class FailingAddressRead(Read):
    email: str
    reason: str
    bounces: int
    first_at: dt.datetime
    last_at: dt.datetime


class FailingAddressList(Strict):
    items: list[FailingAddressRead]


class MailPreference(Strict):
    non_essential: bool = Field(description="false: the contact gets only essential email (support/notify.py)")


class MailPreferenceRead(Strict):
    contact_id: int
    non_essential: bool
    failing: bool = Field(description="mail to the contact's address bounced")
