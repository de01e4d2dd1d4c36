"""The partner–customer relation: which customer organisations a partner organisation acts for (SPEC §1).

Business rules:
- Only a partner (`registered` or `authorized`) acts for customers, and only for customer organisations
  (municipalities, federations, companies), never for itself or another partner.
- Admins record and remove the relation; staff and the partner's own integrators may read it.
- Ticket intake lets a requester bill only its own organisation or one its organisation is recorded to act
  for, and name only those organisations' applications (support/tickets/intake_sql.py enforces it in the statements
  that store the ticket, on both backends).
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.auth import Principal
from support import schemas
from support.errors import DuplicatePartnerCustomer, InvalidReference, NotAPartner, PartnerCustomerNotFound
from support.models import Organisation, OrganisationKind, PartnerCustomer
from support.service import get_organisation


async def _partner(principal: Principal, partner_id: int) -> Organisation:
    partner = await get_organisation(principal=principal, organisation_id=partner_id)
    if partner.kind != OrganisationKind.partner:
        raise NotAPartner(f"organisation {partner_id} is not a partner; only partners act for customers")
    return partner


def _read(link: PartnerCustomer, customer: Organisation) -> schemas.PartnerCustomerRead:
    return schemas.PartnerCustomerRead(
        partner_id=link.partner_id, customer_id=customer.id, customer_name=customer.name, created_at=link.created_at
    )


async def list_partner_customers(*, principal: Principal, partner_id: int) -> list[schemas.PartnerCustomerRead]:
    await _partner(principal, partner_id)
    links = await PartnerCustomer.filter(partner_id=partner_id).select_related("customer").order_by("customer_id")
    return [_read(link, link.customer) for link in links]


async def add_partner_customer(
    *, principal: Principal, partner_id: int, data: schemas.PartnerCustomerCreate
) -> schemas.PartnerCustomerRead:
    async with in_transaction():
        await _partner(principal, partner_id)
        customer = await Organisation.get_or_none(id=data.customer_id)
        if customer is None:
            raise InvalidReference(f"organisation {data.customer_id} does not exist")
        if customer.kind == OrganisationKind.partner:
            raise InvalidReference("a partner acts for customer organisations, not for partners")
        if await PartnerCustomer.exists(partner_id=partner_id, customer_id=customer.id):
            raise DuplicatePartnerCustomer(f"partner {partner_id} already acts for organisation {customer.id}")
    try:
        async with in_transaction():
            link = await PartnerCustomer.create(partner_id=partner_id, customer_id=customer.id)
    except IntegrityError:  # a concurrent add of the same pair
        raise DuplicatePartnerCustomer(f"partner {partner_id} already acts for organisation {customer.id}") from None
    return _read(link, customer)


async def remove_partner_customer(*, principal: Principal, partner_id: int, customer_id: int) -> None:
    """Tickets already billed to the customer stay billed to it; only new intake is refused."""
    await _partner(principal, partner_id)
    removed = await PartnerCustomer.filter(partner_id=partner_id, customer_id=customer_id).delete()
    if not removed:
        raise PartnerCustomerNotFound(f"partner {partner_id} does not act for organisation {customer_id}")
