"""Replies by email, against a real Dovecot on loopback: matched to their ticket, only the new text becomes a
public comment, once, and the message is moved to the processed folder."""

from __future__ import annotations

import httpx
import pytest

from notifications.inbound.fetcher import Handled, InboundMail, MailFetcher
from notifications.models import InboundMessage, InboundStatus, OutboxMessage
from support.models import Comment, Language, Ticket, TicketEvent, TicketStatus
from tests.mail import messages as m
from tests.mail.conftest import Mailbox
from tests.mail.tickets import move, open_waiting_ticket, requester


@pytest.mark.parametrize("style", sorted(m.STYLES))
async def test_a_reply_lands_once_as_a_comment_without_quotes_or_signature(
    client: httpx.AsyncClient, fetcher: MailFetcher, mailbox: Mailbox, style: str
) -> None:
    language = Language.sv if style.endswith("sv") else Language.en
    contact = await requester("eva.lund@lappmarken.example.se", name="Eva Lund", language=language)
    ticket = await open_waiting_ticket(client, contact)
    msg, new_text = m.reply(style, sender="Eva Lund <Eva.Lund@lappmarken.example.se>", number=ticket["number"])
    await mailbox.append(m.raw(msg))
    last = await OutboxMessage.all().order_by("-id").first()
    assert last is not None
    last_queued = last.id

    await fetcher.run_once()
    await mailbox.append(m.raw(msg))  # the same message again (a client's retry, a second copy)
    await fetcher.run_once()

    [comment] = await Comment.filter(ticket_id=ticket["id"])
    assert comment.body == new_text and comment.public
    assert "wrote" not in comment.body and "skrev" not in comment.body and "Från:" not in comment.body
    stored = await Ticket.get(id=ticket["id"])
    assert stored.status == TicketStatus.in_progress  # the integrator answered
    [row] = await InboundMessage.all()
    assert row.outcome is not None and row.original is not None
    assert row.status == InboundStatus.processed and row.outcome["comment_id"] == comment.id
    assert row.outcome["matched_by"] == "plus_address" and bytes(row.original) == m.raw(msg)
    assert await mailbox.count("INBOX") == 0 and await mailbox.count("Processed") == 2
    assert not await OutboxMessage.filter(id__gt=last_queued).exists()  # nothing is sent back for the reply


async def test_reply_matched_by_references_then_by_subject(
    client: httpx.AsyncClient, fetcher: MailFetcher, mailbox: Mailbox
) -> None:
    contact = await requester("jane@northwind.example.com", language=Language.en)
    first = await open_waiting_ticket(client, contact)
    second = await open_waiting_ticket(client, contact)
    receipt = await OutboxMessage.get(dedupe_key=f"ticket:{first['number']}:received")
    by_reference, text1 = m.reply(
        "outlook_en",
        sender=contact.email,
        number=first["number"],
        to="support@tripdesk.example.se",
        in_reply_to=receipt.message_id,
        subject="Re: your ticket",
    )
    by_subject, text2 = m.reply(
        "gmail_en",
        sender=contact.email,
        number=second["number"],
        to="support@tripdesk.example.se",
        subject=f"Re: [{second['number']}] hello",
    )
    await mailbox.append(m.raw(by_reference), m.raw(by_subject))
    await fetcher.run_once()
    assert [c.body for c in await Comment.filter(ticket_id=first["id"])] == [text1]
    assert [c.body for c in await Comment.filter(ticket_id=second["id"])] == [text2]
    matched = {(r.outcome or {})["ticket_number"]: (r.outcome or {})["matched_by"] for r in await InboundMessage.all()}
    assert matched == {first["number"]: "references", second["number"]: "subject"}


async def test_html_only_reply_is_converted_to_text_without_script(
    client: httpx.AsyncClient, fetcher: MailFetcher, mailbox: Mailbox
) -> None:
    contact = await requester("dev@partner.example.com", language=Language.en)
    ticket = await open_waiting_ticket(client, contact)
    html = (
        "<html><head><style>p{color:red}</style><script>alert('x')</script></head><body>"
        "<p>The <b>new</b> token works.</p><blockquote><p>We need more information from you.</p></blockquote>"
        "</body></html>"
    )
    msg = m.message(
        sender=contact.email, to=f"support+{ticket['number']}@tripdesk.example.se", subject="Re: ticket", html=html
    )
    await mailbox.append(m.raw(msg))
    await fetcher.run_once()
    [comment] = await Comment.filter(ticket_id=ticket["id"])
    assert comment.body == "The new token works."
    assert "alert" not in comment.body and "color" not in comment.body


async def test_reply_on_a_closed_ticket_opens_a_follow_up(
    client: httpx.AsyncClient, fetcher: MailFetcher, mailbox: Mailbox
) -> None:
    contact = await requester("eva@kommun.example.se")
    ticket = await open_waiting_ticket(client, contact)
    await move(client, ticket, "resolved", "closed")
    msg, text = m.reply("outlook_sv", sender=contact.email, number=ticket["number"])
    await mailbox.append(m.raw(msg))
    await fetcher.run_once()
    assert await Comment.filter(ticket_id=ticket["id"]).count() == 0
    assert (await Ticket.get(id=ticket["id"])).status == TicketStatus.closed  # final stays final
    follow_up = await Ticket.exclude(id=ticket["id"]).get()
    assert ticket["number"] in follow_up.body and text in follow_up.body
    assert await TicketEvent.filter(ticket_id=ticket["id"], kind="follow_up", to_value=follow_up.number).exists()
    assert await OutboxMessage.filter(dedupe_key=f"ticket:{follow_up.number}:received").exists()


async def test_a_failing_message_stays_in_the_mailbox_and_is_retried(
    client: httpx.AsyncClient, fetcher: MailFetcher, mailbox: Mailbox
) -> None:
    from notifications.inbound import fetcher as fetcher_module
    from support import mail_conversations

    contact = await requester("eva@kommun.example.se")
    ticket = await open_waiting_ticket(client, contact)
    msg, text = m.reply("gmail_sv", sender=contact.email, number=ticket["number"])
    await mailbox.append(m.raw(msg))

    async def broken(mail: InboundMail) -> Handled:
        await Comment.create(ticket_id=ticket["id"], author_name="half", body="half done", public=True)
        raise RuntimeError("the database went away mid-way")

    fetcher_module.register_handler(broken)
    try:
        await fetcher.run_once()
    finally:
        mail_conversations.install()
    [row] = await InboundMessage.all()
    assert row.status == InboundStatus.retry and row.attempts == 1 and "went away" in row.last_error
    assert await Comment.filter(ticket_id=ticket["id"]).count() == 0  # rolled back with the attempt
    assert await mailbox.count("INBOX") == 1
    await fetcher.run_once()
    assert [c.body for c in await Comment.filter(ticket_id=ticket["id"])] == [text]
    assert await mailbox.count("INBOX") == 0 and await mailbox.count("Processed") == 1
