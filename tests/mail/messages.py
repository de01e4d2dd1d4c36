"""Inbound test messages as real mail clients write them (Swedish and English quoting styles)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

_n = itertools.count(1)

QUOTED_EN = "We need more information from you to move on. Please reply to this email."
QUOTED_SV = "Vi behöver mer information från er för att gå vidare. Svara på det här mejlet."

# (name, new text as the client shows it, the rest of the body: signature and quoted history)
STYLES: dict[str, tuple[str, str]] = {
    "gmail_en": (
        "Thanks, that worked. The token endpoint now answers 200.",
        "\n\nBest regards,\nJohn Smith\nAcme Integrations\n\n"
        "On Mon, 7 Dec 2026 at 10:15, tripdesk <{reply}> wrote:\n> " + QUOTED_EN + "\n>\n> Ticket {number}\n",
    ),
    "outlook_en": (
        "Here is the log you asked for. The error comes at 02:00 every night.",
        "\n\nKind regards\nJane Doe\nNorthwind Systems\n\n"
        "From: tripdesk <{reply}>\nSent: Monday, December 7, 2026 10:15 AM\nTo: Jane Doe <jane@example.com>\n"
        "Subject: [{number}] Waiting for your reply\n\n" + QUOTED_EN + "\n",
    ),
    "outlook_sv": (
        "Här kommer loggfilen ni bad om. Felet uppstår varje natt klockan två.",
        "\n\nMed vänliga hälsningar\nEva Lund\nLappmarkens kommun\n\n"
        "Från: tripdesk <{reply}>\nSkickat: den 7 december 2026 10:15\nTill: Eva Lund <eva@example.se>\n"
        "Ämne: [{number}] Väntar på svar från er\n\n" + QUOTED_SV + "\n",
    ),
    "thunderbird_sv": (
        "Det fungerar nu, tack för hjälpen!",
        "\n\nMvh\nEva\n\nDen 2026-12-07 kl. 10:15, skrev tripdesk:\n> " + QUOTED_SV + "\n",
    ),
    "gmail_sv": (
        "Vi har testat igen och får fortfarande 403 på /api/arenden.",
        "\n\n-- \nEva Lund\n070-123 45 67\n\n"
        "mån 7 dec. 2026 kl. 10:15 skrev tripdesk <{reply}>:\n> " + QUOTED_SV + "\n",
    ),
}


def message(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str = "",
    html: str | None = None,
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    msg["Message-ID"] = message_id or make_msgid(idstring=f"t{next(_n)}", domain="client.example")
    for name, value in (headers or {}).items():
        msg[name] = value
    if html is not None and not body:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(body)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def raw(msg: EmailMessage) -> bytes:
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def reply(
    style: str,
    *,
    sender: str,
    number: str,
    to: str | None = None,
    in_reply_to: str | None = None,
    subject: str | None = None,
) -> tuple[EmailMessage, str]:
    """A reply in a client's style; returns it and the new text that must become the comment."""
    new, rest = STYLES[style]
    reply_address = f"support+{number}@tripdesk.example.se"
    headers = {"In-Reply-To": in_reply_to, "References": in_reply_to} if in_reply_to else {}
    msg = message(
        sender=sender,
        to=to or reply_address,
        subject=subject or f"Re: [{number}] Waiting for your reply",
        body=new + rest.format(reply=reply_address, number=number),
        headers=headers,
    )
    return msg, new
