"""Who may resell licences (SPEC §4): an authorised integration partner, under an agreement valid on the day
that gives it the right to resell (sub-license) use of the interfaces for its solutions. A registered (TRIP)
partner may not, nor may a customer."""

from __future__ import annotations

import datetime as dt

from tortoise.expressions import Q

from support.models import Organisation, PartnerCustomer, PartnerLevel
from support.programme.models import PartnerAgreement


async def resale_agreement(organisation_id: int, on: dt.date) -> PartnerAgreement | None:
    return await PartnerAgreement.filter(
        Q(valid_until_date__isnull=True) | Q(valid_until_date__gte=on),
        organisation_id=organisation_id,
        valid_from_date__lte=on,
        may_resell=True,
    ).first()


async def may_resell(*, partner: Organisation, customer: Organisation, on: dt.date) -> str | None:
    """None when `partner` may license its solution to `customer` on `on`; else why not. The customer must
    be one the partner is recorded to act for (the partner–customer relation, support/partners.py)."""
    if partner.id == customer.id:
        return "a partner does not resell to itself; license it directly"
    if partner.kind != "partner" or partner.partner_level != PartnerLevel.authorized:
        return f"{partner.name} is not an authorised partner (a registered partner may not resell)"
    if await resale_agreement(partner.id, on) is None:
        return f"{partner.name} has no agreement valid on {on} with the right to resell"
    if not await PartnerCustomer.exists(partner_id=partner.id, customer_id=customer.id):
        return f"{partner.name} is not recorded to act for {customer.name}"
    return None
