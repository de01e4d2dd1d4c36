"""HTTP endpoints of email conversations: held and failed inbound mail, failing addresses, and a contact's
mail preference. Parse → one service call → render; no ORM here."""

from __future__ import annotations

from core.auth import Role
from core.endpoints import Endpoints
from notifications.inbound import service as inbound
from support import mail_held, mail_schemas

mail = Endpoints(tags=("mail",), reads=(Role.admin, Role.support), id_as="inbound_id", prefix="/mail")
preference = Endpoints(
    tags=("mail",),
    reads=tuple(Role),
    id_as="organisation_id",
    prefix="/organisations/{id:int}/contacts/{contact_id:int}/mail-preference",
)


routes = [
    mail.get(
        "/inbound",
        "List inbound mail (held by default)",
        inbound.list_inbound,
        mail_schemas.InboundPage,
        query=mail_schemas.InboundQuery,
        spread=True,
        doc="""Held messages come from unknown senders and were not answered; `status=failed` lists messages that
    could not be processed (kept in the failed folder).""",
    ),
    mail.get(
        "/inbound/{id:int}", "Get an inbound message with its text", mail_held.get_inbound, mail_schemas.InboundDetail
    ),
    mail.post(
        "/inbound/{id:int}/accept",
        "Accept a held message as a new contact's ticket",
        mail_held.accept_held,
        mail_schemas.InboundRead,
        doc="""The sender becomes a contact of `organisation_id` and the message opens a classified ticket with a
    receipt; a message that is not held is a 409.""",
    ),
    mail.post(
        "/inbound/{id:int}/discard",
        "Discard a held message",
        mail_held.discard_held,
        mail_schemas.InboundRead,
        body=mail_schemas.HeldDiscard,
        spread=True,
    ),
    mail.get(
        "/failing-addresses",
        "List addresses whose mail bounced",
        mail_held.list_failing,
        mail_schemas.FailingAddressList,
    ),
    preference.get("", "Get a contact's mail preference", mail_held.get_preference, mail_schemas.MailPreferenceRead),
    preference.put(
        "",
        "Opt a contact in or out of non-essential email",
        mail_held.set_preference,
        mail_schemas.MailPreferenceRead,
        doc="Essential mail (receipts, questions, rejections, category and billing, comments) is always sent.",
    ),
]
