"""Outbox admin API: see what was sent, what is waiting and what is parked, and retry a parked message.
Parse → one service call → render; no ORM here."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core.auth import Principal, Role
from core.endpoints import Endpoints, handler
from core.http import JSON, path_int
from notifications import schemas, service
from notifications.models import OutboxMessage

outbox = Endpoints(tags=("outbox",), reads=(Role.admin,), prefix="/outbox")


def _detail(row: OutboxMessage) -> schemas.OutboxDetail:
    read = schemas.OutboxRead.model_validate(row)
    attachments = [
        schemas.AttachmentRead(id=a.id, filename=a.filename, content_type=a.content_type, size=len(a.data or b""))
        for a in row.attachments
    ]
    return schemas.OutboxDetail(
        **read.model_dump(), text_body=row.text_body, html_body=row.html_body, attachments=attachments
    )


@handler
async def get_outbox_message(request: Request, principal: Principal) -> Response:
    row = await service.get_outbox_message(message_id=path_int(request))
    return JSON(_detail(row))


@handler
async def retry_outbox_message(request: Request, principal: Principal) -> Response:
    """Only a parked message can be retried (409 otherwise); it goes back to pending with fresh attempts."""
    row = await service.retry_message(message_id=path_int(request))
    return JSON(_detail(row))


routes = [
    outbox.get(
        "",
        "List outbox messages",
        service.list_outbox,
        schemas.OutboxPage,
        doc="Newest first; filter by status, template or recipient.",
    ),
    outbox.get("/{id:int}", "Get an outbox message with its bodies", get_outbox_message, schemas.OutboxDetail),
    outbox.post("/{id:int}/retry", "Retry a parked outbox message", retry_outbox_message, schemas.OutboxDetail),
]
