"""Staff decisions on held inbound mail (never answered automatically), failing addresses, and a contact's
mail preference. Accepting makes the sender a contact of the organisation staff choose and opens a ticket
from the message exactly as if a known contact had written it (classified, receipt sent)."""

from __future__ import annotations

from email.utils import parseaddr

from tortoise.transactions import in_transaction

from core.auth import Principal
from notifications.inbound import service as inbound
from notifications.inbound.fetcher import own_addresses
from notifications.inbound.parse import parse_message
from notifications.models import FailingAddress, InboundMessage, InboundStatus
from notifications.settings import get_inbound_settings
from support import mail_schemas, schemas, service
from support.mail_conversations import open_ticket_from_mail
from support.mail_models import ContactMailPreference, wants_non_essential
from support.models import Contact


def _parsed(row: InboundMessage):
    return parse_message(bytes(row.original or b""), settings=get_inbound_settings(), own_addresses=own_addresses())


async def get_inbound(*, inbound_id: int) -> mail_schemas.InboundDetail:
    row = await inbound.get_inbound(inbound_id=inbound_id)
    read = mail_schemas.InboundRead.model_validate(row)
    text = _parsed(row).text if row.original else ""
    return mail_schemas.InboundDetail(**read.model_dump(), text=text)


async def accept_held(*, principal: Principal, inbound_id: int, data: mail_schemas.HeldAccept) -> InboundMessage:
    async with in_transaction():
        row = await inbound.get_inbound(inbound_id=inbound_id, for_update=True)
        mail = _parsed(row)
        _, address = parseaddr(mail.from_address)
        contact = await Contact.get_or_none(organisation_id=data.organisation_id, email__iexact=address)
        if contact is None:
            contact = await service.create_contact(
                principal=principal,
                organisation_id=data.organisation_id,
                data=schemas.ContactCreate(
                    name=data.name or mail.from_name or address, email=address, language=data.language
                ),
            )
        handled = await open_ticket_from_mail(contact=contact, mail=mail)
        outcome = {**(row.outcome or {}), **handled.outcome, "contact_id": contact.id, "decided_by": principal.name}
        return await inbound.decide_held(inbound_id=inbound_id, status=InboundStatus.accepted, outcome=outcome)


async def discard_held(*, principal: Principal, inbound_id: int, reason: str | None) -> InboundMessage:
    async with in_transaction():
        row = await inbound.get_inbound(inbound_id=inbound_id, for_update=True)
        outcome = {**(row.outcome or {}), "decided_by": principal.name, "discard_reason": reason}
        return await inbound.decide_held(inbound_id=inbound_id, status=InboundStatus.discarded, outcome=outcome)


async def list_failing() -> list[FailingAddress]:
    return await inbound.failing_addresses()


async def set_preference(
    *, principal: Principal, organisation_id: int, contact_id: int, data: mail_schemas.MailPreference
) -> mail_schemas.MailPreferenceRead:
    """Integrators may set their own organisation's contacts' preference (another organisation's is a 404)."""
    contact = await service.get_contact(principal=principal, organisation_id=organisation_id, contact_id=contact_id)
    async with in_transaction():
        updated = await ContactMailPreference.filter(contact_id=contact.id).update(non_essential=data.non_essential)
        if not updated:
            await ContactMailPreference.create(contact_id=contact.id, non_essential=data.non_essential)
    return await get_preference(principal=principal, organisation_id=organisation_id, contact_id=contact_id)


async def get_preference(
    *, principal: Principal, organisation_id: int, contact_id: int
) -> mail_schemas.MailPreferenceRead:
    contact = await service.get_contact(principal=principal, organisation_id=organisation_id, contact_id=contact_id)
    failing = bool(await inbound.failing_addresses([contact.email]))
    return mail_schemas.MailPreferenceRead(
        contact_id=contact.id, non_essential=await wants_non_essential(contact.id), failing=failing
    )
