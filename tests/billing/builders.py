"""Builders for billing tests: tickets and time entries created directly (independent of ticket intake and
the time-tracking API), rate cards, and ready-made scenarios."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from billing import rates, schemas
from billing.models import PrepaidPackage
from core.auth import Principal, Role
from support.models import ClassificationState, Contact, Organisation, Staff, Ticket, TicketStatus
from support.policy import Category
from support.timetracking.models import TimeEntry
from tests import factories

_seq = itertools.count(1)
ADMIN = Principal(token_id=0, name="test admin", role=Role.admin)
FINANCE = Principal(token_id=0, name="test finance", role=Role.finance)

DEFAULT_RATES = {"assistance": "1250.00", "performance": "1450.00", "activation": "1250.00", "extension": "1250.00"}


async def ticket(
    bill_to: Organisation,
    *,
    organisation: Organisation | None = None,
    category: str = "assistance",
    subject: str | None = None,
    **overrides: Any,
) -> Ticket:
    requester_org = organisation or bill_to
    requester = await factories.contact(requester_org)
    n = next(_seq)
    data: dict[str, Any] = dict(
        number=f"SUP-2026-{n:05d}",
        subject=subject or f"Hjälp med anrop {n}",
        body="…",
        requester_id=requester.id,
        organisation_id=requester_org.id,
        bill_to_id=bill_to.id,
        category=Category(category),
        classification_state=ClassificationState.confirmed,
        status=TicketStatus.in_progress,
    )
    data.update(overrides)
    return await Ticket.create(**data)


async def finnish_company(name: str = "Nordic Data Oy") -> Organisation:
    """A Finnish company (an EU VAT number, no Swedish organisation number, English): invoiced with reverse
    charge."""
    return await factories.organisation(
        name=name, kind="company", country_code="FI", vat_number="FI20774740", organisation_number=None, language="en"
    )


async def entry(
    ticket_: Ticket,
    staff: Staff,
    work_date: dt.date,
    minutes: int,
    *,
    category: str | None = None,
    billable: bool | None = None,
    approved: bool = True,
    description: str = "Arbete",
) -> TimeEntry:
    category = category or str(ticket_.category)
    if billable is None:
        billable = category in ("assistance", "performance", "activation")
    return await TimeEntry.create(
        ticket_id=ticket_.id,
        staff_id=staff.id,
        work_date=work_date,
        minutes=minutes,
        description=description,
        category=Category(category),
        billable=billable,
        approved_at=dt.datetime.now(dt.UTC) if approved else None,
        approved_by_id=staff.id if approved else None,
    )


async def card(
    *,
    organisation: Organisation | None = None,
    name: str | None = None,
    valid_from: dt.date = dt.date(2020, 1, 1),
    valid_until: dt.date | None = None,
    rates_: dict[str, str] | None = None,
) -> schemas.RateCardRead:
    data = schemas.RateCardCreate(
        name=name or ("Standardprislista" if organisation is None else f"Avtal {organisation.name}"),
        organisation_id=organisation.id if organisation else None,
        valid_from=valid_from,
        valid_until=valid_until,
        rates={Category(k): Decimal(v) for k, v in (rates_ or DEFAULT_RATES).items()},
    )
    return await rates.create_rate_card(principal=ADMIN, data=data)


async def package(
    org: Organisation,
    hours: str,
    *,
    valid_from: dt.date = dt.date(2020, 1, 1),
    valid_until: dt.date = dt.date(2030, 12, 31),
    name: str = "Klippkort",
) -> PrepaidPackage:
    return await PrepaidPackage.create(
        organisation_id=org.id,
        name=name,
        hours=Decimal(hours),
        valid_from_date=valid_from,
        valid_until_date=valid_until,
    )


def _assistance(_n: int) -> Category:
    return Category.assistance


async def bulk_tickets(
    organisation_ids: Sequence[int],
    per_organisation: int,
    *,
    prefix: str,
    category: Callable[[int], Category] = _assistance,
) -> None:
    """A contact for each organisation and `per_organisation` confirmed tickets in progress, billed to it,
    inserted in bulk (the n-th ticket of each gets `category(n)`)."""
    await Contact.bulk_create(
        [Contact(organisation_id=o, name="C", email=f"c{o}@example.se") for o in organisation_ids], batch_size=2000
    )
    contact = dict(await Contact.all().values_list("organisation_id", "id"))
    await Ticket.bulk_create(
        [
            Ticket(
                number=f"{prefix}-{o}-{t}",
                subject=f"Ärende {t}",
                body="",
                requester_id=contact[o],
                organisation_id=o,
                bill_to_id=o,
                category=category(t),
                classification_state=ClassificationState.confirmed,
                status=TicketStatus.in_progress,
            )
            for o in organisation_ids
            for t in range(per_organisation)
        ],
        batch_size=5000,
    )
