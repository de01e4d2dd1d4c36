"""Interface change notices (SPEC §4: the official interfaces do not change without notice in good time).

Rule: staff publish a notice (interface, what changes, effective date). A notice with less lead time than
TRIPDESK_NOTICE_MIN_LEAD_DAYS (default 90) needs an explicit override with a reason (else 422). Publishing
emails, through the outbox in the same transaction, every active contact of
- registered partners (an unrevoked documentation access, or a partner organisation at a partner level) and
  authorised partners, and
- customers with an application in production that uses the interface,
each once, in the contact's language. Integrators list the notices sent to their organisation; staff list all.
"""

from __future__ import annotations

import datetime as dt

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core.auth import Principal
from core.errors import InvalidInput, NotFound
from notifications.service import enqueue_email
from support import access
from support.models import Application, Contact, Organisation, OrganisationKind
from support.programme import schemas
from support.programme.models import DocumentationAccess, InterfaceNotice, NoticeRecipient
from support.settings import get_settings
from support.timetracking.settings import business_today

TEMPLATE = "interface_notice"


class LeadTimeTooShort(InvalidInput):
    code = "notice_lead_time_too_short"
    title = "Less notice than the minimum lead time needs an override with a reason"


class NoticeNotFound(NotFound):
    code = "interface_notice_not_found"


def _reference(notice: InterfaceNotice) -> str:
    return f"N-{notice.id}"


def notice_read(notice: InterfaceNotice) -> schemas.NoticeRead:
    return schemas.NoticeRead(
        id=notice.id,
        reference=_reference(notice),
        interface=notice.interface,
        change=notice.change,
        effective_date=notice.effective_date,
        published_at=notice.published_at,
        published_by=notice.published_by,
        lead_time_days=notice.lead_time_days,
        override_reason=notice.override_reason,
        recipients=notice.recipients,
    )


async def _recipients(interface: str) -> dict[int, str]:
    """Organisation id → why it is told ("partner" wins over "customer")."""
    found: dict[int, str] = {}
    for app in await Application.filter(in_production=True).values("organisation_id", "interfaces"):
        if interface.casefold() in {str(i).casefold() for i in (app["interfaces"] or [])}:
            found[app["organisation_id"]] = "customer"
    registered = await DocumentationAccess.filter(revoked_at__isnull=True).values_list("organisation_id", flat=True)
    partners = await Organisation.filter(
        Q(id__in=list(registered)) | Q(kind=OrganisationKind.partner, partner_level__isnull=False)
    ).values_list("id", flat=True)
    for organisation_id in partners:
        found[int(organisation_id)] = "partner"  # type: ignore[call-overload]
    return found


async def publish_notice(
    *, principal: Principal, data: schemas.NoticeCreate, today: dt.date | None = None, min_lead_days: int | None = None
) -> schemas.NoticeRead:
    today = today or business_today()
    minimum = get_settings().notice_min_lead_days if min_lead_days is None else min_lead_days
    lead = (data.effective_date - today).days
    if lead < minimum and not data.override_reason:
        raise LeadTimeTooShort(
            f"{lead} days of notice is less than the minimum {minimum}; give override_reason to publish it anyway"
        )
    async with in_transaction():
        notice = await InterfaceNotice.create(
            interface=data.interface,
            change=data.change,
            effective_date=data.effective_date,
            published_at=dt.datetime.now(dt.UTC),
            published_by=principal.name,
            lead_time_days=lead,
            override_reason=data.override_reason if lead < minimum else None,
        )
        recipients = await _recipients(data.interface)
        await NoticeRecipient.bulk_create(
            [
                NoticeRecipient(notice_id=notice.id, organisation_id=org, reason=why)
                for org, why in sorted(recipients.items())
            ]
        )
        facts = {
            "reference": _reference(notice),
            "interface": notice.interface,
            "change": notice.change,
            "effective_date": notice.effective_date.isoformat(),
        }
        sent = 0
        contacts = await Contact.filter(organisation_id__in=list(recipients), active=True).order_by("id")
        for contact in contacts:
            sent += await enqueue_email(
                template=TEMPLATE,
                to_email=contact.email,
                to_name=contact.name,
                language=str(contact.language),
                dedupe_key=f"notice:{notice.id}:{contact.id}",
                context={"contact_name": contact.name, "notice": facts, "reason": recipients[contact.organisation_id]},
            )
        notice.recipients = sent
        await notice.save(update_fields=["recipients"])
    return notice_read(notice)


async def list_notices(*, principal: Principal, query: schemas.NoticeQuery) -> list[schemas.NoticeRead]:
    rows = InterfaceNotice.filter(access.visible_notices(principal))
    if query.q:
        rows = rows.filter(Q(interface__icontains=query.q) | Q(change__icontains=query.q))
    if query.interface:
        rows = rows.filter(interface__iexact=query.interface)
    if query.effective_from:
        rows = rows.filter(effective_date__gte=query.effective_from)
    if query.effective_to:
        rows = rows.filter(effective_date__lte=query.effective_to)
    return [notice_read(n) for n in await rows.order_by("-effective_date", "-id").limit(query.limit)]


async def get_notice(*, principal: Principal, notice_id: int) -> schemas.NoticeRead:
    notice = await InterfaceNotice.filter(access.visible_notices(principal), id=notice_id).first()
    if notice is None:
        raise NoticeNotFound(f"interface notice {notice_id} not found")
    return notice_read(notice)
