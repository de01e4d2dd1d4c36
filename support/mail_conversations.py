"""Email conversations: what an inbound email from a person becomes (notifications fetches, parses and
claims it, then calls `handle_mail` in the transaction that marks it processed).

Business rules:
- A message is matched to its ticket by the plus address (`support+SUP-2026-00042@…`), then by
  `In-Reply-To`/`References` against the Message-IDs of the emails tripdesk sent about the ticket, then by a
  ticket number in the subject.
- A reply from a contact of the ticket's organisation (or of the organisation billed) becomes a public
  comment holding only the new text; its files are stored within the size and type limits (a refused file is
  recorded on the ticket, the text is kept). A reply on a `waiting_on_customer` ticket moves it back to
  `in_progress`; on a `resolved` ticket it reopens it (`in_progress`). A reply on a `closed` or `rejected`
  ticket opens a follow-up ticket (final states stay final), which refers to the earlier one.
- New mail (no ticket found) from a known, active contact opens a ticket: classified like any intake, with
  the receipt. A sender who is no contact, or a contact of several organisations, or a contact writing about
  another organisation's ticket, is held for staff and never answered.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

from pydantic import ValidationError

from core.auth import Principal, Role
from core.errors import DomainError
from notifications.inbound.fetcher import Handled
from notifications.inbound.parse import InboundMail
from notifications.models import InboundStatus, OutboxMessage
from notifications.service import reply_address_affixes
from support.attachments.service import store_attachment
from support.classification.model_store import load_classifier_async
from support.models import Comment, Contact, Ticket, TicketEvent, TicketStatus
from support.policy import Category
from support.tickets import schemas as ticket_schemas
from support.tickets import service as tickets

NUMBER = re.compile(r"\b(SUP-\d{4}-\d{5,})\b", re.IGNORECASE)
MAIL_ACTOR = "email"


def _number_in_address(address: str) -> str | None:
    prefix, suffix = reply_address_affixes()
    address = address.lower()
    if address.startswith(prefix.lower()) and address.endswith(suffix.lower()):
        found = NUMBER.fullmatch(address[len(prefix) : -len(suffix)])
        return found.group(1).upper() if found else None
    return None


async def match_ticket(mail: InboundMail) -> tuple[Ticket | None, str | None]:
    """(ticket, how it was found: plus_address | references | subject)."""
    for recipient in mail.recipients:
        number = _number_in_address(recipient)
        if number and (ticket := await Ticket.get_or_none(number=number)) is not None:
            return ticket, "plus_address"
    if mail.references:
        sent = await OutboxMessage.filter(message_id__in=list(mail.references)).values_list("reply_to", flat=True)
        for reply_to in sent:
            number = _number_in_address(str(reply_to or ""))
            if number and (ticket := await Ticket.get_or_none(number=number)) is not None:
                return ticket, "references"
    found = NUMBER.search(mail.subject or "")
    if found and (ticket := await Ticket.get_or_none(number=found.group(1).upper())) is not None:
        return ticket, "subject"
    return None, None


def _held(reason: str, **extra: Any) -> Handled:
    return Handled(InboundStatus.held, {"reason": reason, **extra})


async def handle_mail(mail: InboundMail) -> Handled:
    contacts = (
        await Contact.filter(email__iexact=mail.from_address, active=True).order_by("id") if mail.from_address else []
    )
    ticket, matched_by = await match_ticket(mail)
    if ticket is not None:
        parties = {ticket.organisation_id, ticket.bill_to_id}
        contact = next((c for c in contacts if c.id == ticket.requester_id), None) or next(
            (c for c in contacts if c.organisation_id in parties), None
        )
        if contact is None:
            return _held("sender_not_on_ticket", ticket_number=ticket.number)
        return await reply_to_ticket(ticket=ticket, contact=contact, mail=mail, matched_by=matched_by or "")
    if not contacts:
        return _held("unknown_sender")
    if len({c.organisation_id for c in contacts}) > 1:
        return _held("ambiguous_sender")
    return await open_ticket_from_mail(contact=contacts[0], mail=mail)


def _mail_principal(contact: Contact) -> Principal:
    return Principal(token_id=0, name=f"{MAIL_ACTOR}: {contact.email}", role=Role.support)


def _comment_text(mail: InboundMail) -> str:
    text = (mail.reply_text or mail.text).strip()
    if not text and mail.attachments:
        text = "(" + ", ".join(a.filename for a in mail.attachments) + ")"
    return text[:50_000] or "(empty message)"


async def _bytes_of(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _store_files(ticket: Ticket, comment_id: int | None, mail: InboundMail) -> list[int]:
    """Files go to the ticket's attachments store under the uploads' rules (type, executables, scanner, ticket
    total); what the parser or the store refuses is recorded on the ticket, and the message's text is kept."""
    stored, refused = [], [(r.filename, r.content_type, r.size, r.reason) for r in mail.refused]
    for a in mail.attachments:
        try:
            stored.append(
                (
                    await store_attachment(
                        ticket_id=ticket.id,
                        comment_id=comment_id,
                        filename=a.filename,
                        stream=_bytes_of(a.data),
                        uploaded_by=MAIL_ACTOR,
                    )
                ).id
            )
        except DomainError as error:
            refused.append((a.filename, a.content_type, len(a.data), error.code))
    for filename, content_type, size, reason in refused:
        await TicketEvent.create(
            ticket_id=ticket.id,
            kind="mail_attachment_refused",
            actor=MAIL_ACTOR,
            reason=reason,
            data={"filename": filename, "content_type": content_type, "size": size},
        )
    return stored


async def reply_to_ticket(*, ticket: Ticket, contact: Contact, mail: InboundMail, matched_by: str) -> Handled:
    locked = await Ticket.filter(id=ticket.id).select_for_update().first()
    assert locked is not None
    ticket = locked
    if ticket.status in (TicketStatus.closed, TicketStatus.rejected):
        return await open_ticket_from_mail(contact=contact, mail=mail, follow_up_of=ticket)
    comment = await Comment.create(
        ticket_id=ticket.id,
        author_name=f"{contact.name} (email)"[:200],
        author_token_id=None,
        body=_comment_text(mail),
        public=True,
    )
    files = await _store_files(ticket, comment.id, mail)
    await TicketEvent.create(
        ticket_id=ticket.id,
        kind="mail_received",
        actor=contact.email,
        data={"message_id": mail.message_id, "comment_id": comment.id, "matched_by": matched_by, "attachments": files},
    )
    if (
        ticket.status in (TicketStatus.waiting_on_customer, TicketStatus.resolved)
        and ticket.category != Category.unofficial
    ):  # an unofficial ticket can only be rejected
        reason = "the integrator replied by email"
        await tickets._change_status(ticket, None, TicketStatus.in_progress, reason=reason)
        await ticket.save()
    return Handled(
        InboundStatus.processed,
        {
            "ticket_id": ticket.id,
            "ticket_number": ticket.number,
            "comment_id": comment.id,
            "matched_by": matched_by,
            "attachments": files,
        },
    )


async def open_ticket_from_mail(*, contact: Contact, mail: InboundMail, follow_up_of: Ticket | None = None) -> Handled:
    """A new ticket from an email, through the same intake as the API (classification, receipt)."""
    await load_classifier_async()  # trained or loaded off the event loop before intake classifies
    subject = " ".join((mail.subject or "").split())[:200] or "(no subject)"
    body = (mail.text or "").strip()
    if follow_up_of is not None:
        body = f"Follow-up to {follow_up_of.number}.\n\n{mail.reply_text or body}"
    try:
        data = ticket_schemas.TicketCreate(subject=subject, body=body[:100_000], requester_id=contact.id)
    except ValidationError:
        data = ticket_schemas.TicketCreate(subject="(no subject)", body=body[:100_000], requester_id=contact.id)
    created = await tickets.create_ticket(principal=_mail_principal(contact), data=data)
    ticket = await Ticket.get(id=created.id)
    files = await _store_files(ticket, None, mail)
    outcome: dict[str, Any] = {"ticket_id": created.id, "ticket_number": created.number, "attachments": files}
    await TicketEvent.create(
        ticket_id=created.id,
        kind="mail_received",
        actor=contact.email,
        data={
            "message_id": mail.message_id,
            "attachments": files,
            "follow_up_of": follow_up_of.number if follow_up_of else None,
        },
    )
    if follow_up_of is not None:
        await TicketEvent.create(
            ticket_id=follow_up_of.id,
            kind="follow_up",
            actor=MAIL_ACTOR,
            to_value=created.number,
            reason="a reply to a final ticket opened a new one",
        )
        outcome["follow_up_of"] = follow_up_of.number
    return Handled(InboundStatus.processed, outcome)


def install() -> None:
    """Let the mail fetcher hand personal messages to this module; the composition root calls this."""
    from notifications.inbound.fetcher import register_handler

    register_handler(handle_mail)
