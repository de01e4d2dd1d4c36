"""Outbox admin API: see what was sent, what is waiting and what is parked, and retry a parked message.
Parse → one service call → render; no ORM here."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.auth import Principal, Role
from core.http import JSON, operation, path_int, service_call
from notifications import schemas, service
from notifications.models import OutboxMessage

ADMIN = (Role.admin,)


def _detail(row: OutboxMessage) -> schemas.OutboxDetail:
    read = schemas.OutboxRead.model_validate(row)
    attachments = [
        schemas.AttachmentRead(id=a.id, filename=a.filename, content_type=a.content_type, size=len(a.data or b""))
        for a in row.attachments
    ]
    return schemas.OutboxDetail(
        **read.model_dump(), text_body=row.text_body, html_body=row.html_body, attachments=attachments
    )


list_outbox = service_call(
    "List outbox messages",
    service.list_outbox,
    query=schemas.OutboxQuery,
    principal=False,
    response=schemas.OutboxPage,
    item=schemas.OutboxRead,
    roles=ADMIN,
    tags=("outbox",),
    doc="Newest first; filter by status, template or recipient.",
)


@operation("Get an outbox message with its bodies", roles=ADMIN, response=schemas.OutboxDetail, tags=("outbox",))
async def get_outbox_message(request: Request, principal: Principal) -> Response:
    row = await service.get_outbox_message(message_id=path_int(request))
    return JSON(_detail(row))


@operation("Retry a parked outbox message", roles=ADMIN, response=schemas.OutboxDetail, tags=("outbox",))
async def retry_outbox_message(request: Request, principal: Principal) -> Response:
    """Only a parked message can be retried (409 otherwise); it goes back to pending with fresh attempts."""
    row = await service.retry_message(message_id=path_int(request))
    return JSON(_detail(row))


routes: list[BaseRoute] = [
    Route("/outbox", list_outbox, methods=["GET"]),
    Route("/outbox/{id:int}", get_outbox_message, methods=["GET"]),
    Route("/outbox/{id:int}/retry", retry_outbox_message, methods=["POST"]),
]
