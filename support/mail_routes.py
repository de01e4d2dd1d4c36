"""HTTP endpoints of email conversations: held and failed inbound mail, failing addresses, and a contact's
mail preference. Parse → one service call → render; no ORM here."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.auth import Principal, Role
from core.http import JSON, operation, path_int, read_body, read_query
from notifications.inbound import service as inbound
from support import mail_held, mail_schemas

STAFF = (Role.admin, Role.support)
ANY = tuple(Role)


@operation(
    "List inbound mail (held by default)",
    roles=STAFF,
    query=mail_schemas.InboundQuery,
    response=mail_schemas.InboundPage,
    tags=("mail",),
)
async def list_inbound(request: Request, principal: Principal) -> Response:
    """Held messages come from unknown senders and were not answered; `status=failed` lists messages that
    could not be processed (kept in the failed folder)."""
    query = read_query(request, mail_schemas.InboundQuery)
    rows, cursor = await inbound.list_inbound(status=query.status, limit=query.limit, cursor=query.cursor)
    return JSON(
        mail_schemas.InboundPage(items=[mail_schemas.InboundRead.model_validate(r) for r in rows], next_cursor=cursor)
    )


@operation("Get an inbound message with its text", roles=STAFF, response=mail_schemas.InboundDetail, tags=("mail",))
async def get_inbound(request: Request, principal: Principal) -> Response:
    return JSON(await mail_held.inbound_detail(inbound_id=path_int(request)))


@operation(
    "Accept a held message as a new contact's ticket",
    roles=STAFF,
    body=mail_schemas.HeldAccept,
    response=mail_schemas.InboundRead,
    tags=("mail",),
)
async def accept_held(request: Request, principal: Principal) -> Response:
    """The sender becomes a contact of `organisation_id` and the message opens a classified ticket with a
    receipt; a message that is not held is a 409."""
    data = await read_body(request, mail_schemas.HeldAccept)
    row = await mail_held.accept_held(principal=principal, inbound_id=path_int(request), data=data)
    return JSON(mail_schemas.InboundRead.model_validate(row))


@operation(
    "Discard a held message",
    roles=STAFF,
    body=mail_schemas.HeldDiscard,
    response=mail_schemas.InboundRead,
    tags=("mail",),
)
async def discard_held(request: Request, principal: Principal) -> Response:
    data = await read_body(request, mail_schemas.HeldDiscard)
    row = await mail_held.discard_held(principal=principal, inbound_id=path_int(request), reason=data.reason)
    return JSON(mail_schemas.InboundRead.model_validate(row))


@operation("List addresses whose mail bounced", roles=STAFF, response=mail_schemas.FailingAddressList, tags=("mail",))
async def list_failing(request: Request, principal: Principal) -> Response:
    rows = await mail_held.list_failing()
    return JSON(
        mail_schemas.FailingAddressList(items=[mail_schemas.FailingAddressRead.model_validate(r) for r in rows])
    )


@operation("Get a contact's mail preference", roles=ANY, response=mail_schemas.MailPreferenceRead, tags=("mail",))
async def get_preference(request: Request, principal: Principal) -> Response:
    return JSON(
        await mail_held.get_mail_preference(
            principal=principal, organisation_id=path_int(request), contact_id=path_int(request, "contact_id")
        )
    )


@operation(
    "Opt a contact in or out of non-essential email",
    roles=ANY,
    body=mail_schemas.MailPreference,
    response=mail_schemas.MailPreferenceRead,
    tags=("mail",),
)
async def set_preference(request: Request, principal: Principal) -> Response:
    """Essential mail (receipts, questions, rejections, category and billing, comments) is always sent."""
    data = await read_body(request, mail_schemas.MailPreference)
    return JSON(
        await mail_held.set_mail_preference(
            principal=principal,
            organisation_id=path_int(request),
            contact_id=path_int(request, "contact_id"),
            data=data,
        )
    )


routes = [
    Route("/mail/inbound", list_inbound, methods=["GET"]),
    Route("/mail/inbound/{id:int}", get_inbound, methods=["GET"]),
    Route("/mail/inbound/{id:int}/accept", accept_held, methods=["POST"]),
    Route("/mail/inbound/{id:int}/discard", discard_held, methods=["POST"]),
    Route("/mail/failing-addresses", list_failing, methods=["GET"]),
    Route("/organisations/{id:int}/contacts/{contact_id:int}/mail-preference", get_preference, methods=["GET"]),
    Route("/organisations/{id:int}/contacts/{contact_id:int}/mail-preference", set_preference, methods=["PUT"]),
]
