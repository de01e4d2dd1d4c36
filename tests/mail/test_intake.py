"""New mail, unknown senders, machine-sent mail and size limits, against a real Dovecot on loopback."""

from __future__ import annotations

import hashlib
import io

import httpx

from core.auth import Role
from notifications.inbound.fetcher import MailFetcher
from notifications.models import FailingAddress, InboundMessage, InboundStatus, OutboxMessage
from support.attachments.models import Attachment
from support.models import Comment, Contact, Language, Ticket, TicketEvent
from tests import factories as f
from tests.mail import messages as m
from tests.mail.conftest import Mailbox
from tests.mail.tickets import admin_headers, open_ticket, requester

SUPPORT = "tripdesk support <support@tripdesk.example.se>"


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()


async def test_new_mail_from_a_contact_opens_a_classified_ticket_with_a_receipt(
    fetcher: MailFetcher, mailbox: Mailbox
) -> None:
    org = await f.organisation(name="Lappmarkens kommun")
    contact = await f.contact(org, email="eva.lund@lappmarken.example.se", language=Language.sv)
    msg = m.message(
        sender="Eva Lund <eva.lund@lappmarken.example.se>",
        to=SUPPORT,
        subject="Fel i ärendelistan efter uppdateringen",
        body="Efter patchen returnerar GET /api/arenden 500 för alla ärenden.\n\nMvh\nEva\n",
        attachments=[("fel.log", "text/plain", b"500 Internal Server Error\n")],
    )
    await mailbox.append(m.raw(msg))
    await fetcher.run_once()

    ticket = await Ticket.get()
    assert ticket.requester_id == contact.id and ticket.subject == "Fel i ärendelistan efter uppdateringen"
    assert ticket.category is not None and ticket.classification_state.value in ("suggested", "needs_triage")
    assert await TicketEvent.filter(ticket_id=ticket.id, kind="classified").exists()
    [receipt] = await OutboxMessage.filter(template="ticket_received")
    assert receipt.to_email == contact.email and receipt.dedupe_key == f"ticket:{ticket.number}:received"
    [attachment] = await Attachment.filter(ticket_id=ticket.id).prefetch_related("blob")
    assert attachment.filename == "fel.log" and attachment.uploaded_by == "email"
    assert attachment.blob.sha256 == hashlib.sha256(b"500 Internal Server Error\n").hexdigest()
    assert (await InboundMessage.get()).status == InboundStatus.processed


async def test_an_unknown_sender_is_held_never_answered_then_accepted_or_discarded(
    client: httpx.AsyncClient, fetcher: MailFetcher, mailbox: Mailbox
) -> None:
    org = await f.organisation()
    stranger = m.message(
        sender="Nils Ny <nils@okand.example.se>",
        to=SUPPORT,
        subject="Hur aktiverar vi API:et?",
        body="Vi vill aktivera ärende-API:et i vår installation. Hur gör vi?",
    )
    spam = m.message(sender="deals@spam.example.com", to=SUPPORT, subject="Cheap", body="Buy now")
    await mailbox.append(m.raw(stranger), m.raw(spam))
    await fetcher.run_once()
    assert await Ticket.all().count() == 0 and await OutboxMessage.all().count() == 0  # never answered
    assert await mailbox.count("INBOX") == 0

    admin = f.bearer(await f.token(Role.admin))
    held = (await client.get("/api/v1/mail/inbound", headers=admin)).json()["items"]
    assert {h["from_address"] for h in held} == {"nils@okand.example.se", "deals@spam.example.com"}
    assert all(h["outcome"]["reason"] == "unknown_sender" for h in held)
    by_sender = {h["from_address"]: h["id"] for h in held}
    detail = (await client.get(f"/api/v1/mail/inbound/{by_sender['nils@okand.example.se']}", headers=admin)).json()
    assert "aktivera" in detail["text"]

    r = await client.post(
        f"/api/v1/mail/inbound/{by_sender['nils@okand.example.se']}/accept",
        headers=admin,
        json={"organisation_id": org.id, "language": "sv"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted"
    contact = await Contact.get(email="nils@okand.example.se")
    assert contact.organisation_id == org.id and contact.name == "Nils Ny"
    ticket = await Ticket.get(requester_id=contact.id)
    assert ticket.subject == "Hur aktiverar vi API:et?"
    assert await OutboxMessage.filter(template="ticket_received", to_email=contact.email).count() == 1
    again = await client.post(
        f"/api/v1/mail/inbound/{by_sender['nils@okand.example.se']}/accept",
        headers=admin,
        json={"organisation_id": org.id},
    )
    assert again.status_code == 409 and again.json()["code"] == "inbound_message_not_held"

    r = await client.post(
        f"/api/v1/mail/inbound/{by_sender['deals@spam.example.com']}/discard", headers=admin, json={"reason": "spam"}
    )
    assert r.status_code == 200 and r.json()["status"] == "discarded"
    assert (await client.get("/api/v1/mail/inbound", headers=admin)).json()["items"] == []
    integrator = f.bearer(await f.token(Role.integrator, organisation=org))
    assert (await client.get("/api/v1/mail/inbound", headers=integrator)).status_code == 403


async def test_auto_replies_lists_and_bounces_create_nothing_and_send_nothing(
    client: httpx.AsyncClient, fetcher: MailFetcher, mailbox: Mailbox
) -> None:
    contact = await requester("eva@kommun.example.se")
    number = (await open_ticket(client, contact, "Hur autentiserar vi?", "OAuth-token, vilka scopes?"))["number"]
    queued = await OutboxMessage.all().count()
    reply_to = f"support+{number}@tripdesk.example.se"
    out_of_office = m.message(
        sender=contact.email,
        to=reply_to,
        subject=f"Autosvar: [{number}] Vi har tagit emot",
        body="Jag är på semester till och med 3 januari.",
        headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
    )
    exchange_ooo = m.message(
        sender=contact.email,
        to=SUPPORT,
        subject="Automatic reply: hello",
        body="I am out of the office.",
        headers={"Precedence": "auto_reply"},
    )
    mailing_list = m.message(
        sender=contact.email,
        to=SUPPORT,
        subject="[dev-list] weekly digest",
        body="Digest",
        headers={"List-Id": "<dev.lists.example.se>", "Precedence": "list"},
    )
    bounce = dsn(failed="eva@kommun.example.se", number=number)
    await mailbox.append(*(m.raw(x) for x in (out_of_office, exchange_ooo, mailing_list)), bounce)
    await fetcher.run_once()

    assert await Comment.all().count() == 0 and await Ticket.all().count() == 1
    assert await OutboxMessage.all().count() == queued  # no receipt, no answer
    kinds = sorted((r.kind.value, r.status.value) for r in await InboundMessage.all())
    assert kinds == [
        ("auto_reply", "ignored"),
        ("auto_reply", "ignored"),
        ("bounce", "ignored"),
        ("mailing_list", "ignored"),
    ]
    [failing] = await FailingAddress.all()
    assert failing.email == "eva@kommun.example.se"
    headers = await admin_headers()
    listed = (await client.get("/api/v1/mail/failing-addresses", headers=headers)).json()["items"]
    assert [x["email"] for x in listed] == ["eva@kommun.example.se"]
    pref = await client.get(
        f"/api/v1/organisations/{contact.organisation_id}/contacts/{contact.id}/mail-preference", headers=headers
    )
    assert pref.json()["failing"] is True


def dsn(*, failed: str, number: str) -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes it."""
    boundary = "dsn-boundary-1"
    return (
        "From: MAILER-DAEMON@mx.kommun.example.se (Mail Delivery System)\r\n"
        "To: support@tripdesk.example.se\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-{number}@mx.kommun.example.se>\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could"
        " not be delivered.\r\n\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.kommun.example.se\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: tripdesk <support@tripdesk.example.se>\r\nSubject: [{number}] Vi har tagit emot ert ärende\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()


async def test_a_20_mb_attachment_is_refused_and_the_message_kept(
    client: httpx.AsyncClient, fetcher: MailFetcher, mailbox: Mailbox
) -> None:
    contact = await requester("eva@kommun.example.se")
    ticket = await open_ticket(client, contact, "Hur autentiserar vi?", "OAuth-token?")
    big = bytes(range(256)) * (20 * 1024 * 1024 // 256)
    msg = m.message(
        sender=contact.email,
        to=f"support+{ticket['number']}@tripdesk.example.se",
        subject="Re: dump",
        body="Här är databasdumpen och en skärmbild.\n\nMvh\nEva",
        attachments=[("dump.bin", "application/octet-stream", big), ("skarm.png", "image/png", PNG)],
    )
    await mailbox.append(m.raw(msg))
    await fetcher.run_once()

    [comment] = await Comment.filter(ticket_id=ticket["id"])
    assert comment.body == "Här är databasdumpen och en skärmbild."
    [kept] = await Attachment.filter(ticket_id=ticket["id"])
    assert kept.filename == "skarm.png" and kept.comment_id == comment.id
    [refused] = await TicketEvent.filter(ticket_id=ticket["id"], kind="mail_attachment_refused")
    assert refused.data is not None
    assert refused.reason == "too_large" and refused.data["filename"] == "dump.bin"
    assert refused.data["size"] == len(big)
    row = await InboundMessage.get()
    assert row.status == InboundStatus.processed and row.size > 20 * 1024 * 1024
    assert row.original is not None and row.outcome is not None
    assert len(bytes(row.original)) < 1024 * 1024 and b"skarm.png" in bytes(row.original)  # stored without it
    assert row.outcome["refused_attachments"][0]["reason"] == "too_large"
    assert await mailbox.count("Processed") == 1  # the whole original stays in the mailbox
