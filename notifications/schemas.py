"""Request and response models of the outbox admin API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from core.pagination import Page, PageQuery
from core.schemas import Read
from notifications.models import OutboxStatus


class OutboxQuery(PageQuery):
    status: OutboxStatus | None = None
    template: str | None = Field(None, max_length=64)
    to_email: str | None = Field(None, max_length=254)


class AttachmentRead(Read):
    id: int
    filename: str
    content_type: str
    size: int


class OutboxAddress(BaseModel):
    """How one outbox email is known and addressed: its dedupe key (one key, one email, ever) and Message-ID,
    the template and language it renders in, its recipient and its reply-to. An email being queued
    (`PreparedEmail`) and the admin API's view of a stored one both carry it."""

    dedupe_key: str
    message_id: str
    template: str
    language: str
    to_email: str
    to_name: str
    reply_to: str | None


class Identified(Read):
    id: int


class OutboxRead(OutboxAddress, Identified):
    """An email in the outbox: how it is addressed, and how far its delivery has come."""

    subject: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: dt.datetime
    lease_until: dt.datetime | None
    claimed_by: str | None
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


class OutboxDetail(OutboxRead):
    text_body: str
    html_body: str
    attachments: list[AttachmentRead] = []


class OutboxPage(Page[OutboxRead]):
    pass
