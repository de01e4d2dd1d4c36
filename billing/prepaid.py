"""Prepaid hour packages (klippkort), SPEC §2.

Rule: billable time draws prepaid hours down before anything is invoiced at the rate. An entry can only
use a package valid on the entry's work date; among those, the one expiring first is used first (then the
oldest). Drawdowns are recorded per time entry and invoice line; a discarded draft deletes them and a
credit note releases them, so the hours return to the package. Remaining = hours − unreleased drawdowns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from billing import schemas
from billing.audit_trail import audit_event
from billing.models import PrepaidDrawdown, PrepaidPackage
from billing.naming import row_values
from core.auth import Principal
from support import access
from support.errors import OrganisationNotFound
from support.models import Organisation
from support.timetracking.settings import business_today

ZERO_HOURS = Decimal("0.0000")


@dataclass
class _Package:
    id: int
    valid_from: dt.date
    valid_until: dt.date
    remaining: Decimal


class PrepaidPool:
    """An organisation's packages with their remaining hours, drawn down in memory while a draft is built.
    Load it inside the transaction that holds the organisation's lock, so no one else draws concurrently."""

    def __init__(self, packages: list[_Package]) -> None:
        self.packages = sorted(packages, key=lambda p: (p.valid_until, p.valid_from, p.id))

    @classmethod
    async def load(cls, *, organisation_id: int, start: dt.date, end: dt.date) -> PrepaidPool:
        rows = await PrepaidPackage.filter(
            organisation_id=organisation_id, valid_from_date__lte=end, valid_until_date__gte=start
        ).values("id", "hours", "valid_from_date", "valid_until_date")
        if not rows:
            return cls([])
        used = await used_hours([r["id"] for r in rows])
        return cls(
            [
                _Package(
                    r["id"],
                    r["valid_from_date"],
                    r["valid_until_date"],
                    Decimal(r["hours"]) - used.get(r["id"], ZERO_HOURS),
                )
                for r in rows
            ]
        )

    def draw(self, work_date: dt.date, hours: Decimal) -> list[tuple[int, Decimal]]:
        """Take up to `hours` for work on `work_date`; returns (package id, hours) drawn."""
        drawn: list[tuple[int, Decimal]] = []
        wanted = hours
        for package in self.packages:
            if wanted <= 0:
                break
            if package.remaining <= 0 or not package.valid_from <= work_date <= package.valid_until:
                continue
            take = min(wanted, package.remaining)
            package.remaining -= take
            wanted -= take
            drawn.append((package.id, take))
        return drawn


async def used_hours(package_ids: list[int]) -> dict[int, Decimal]:
    """Hours drawn and not released per package, summed in the database."""
    rows = (
        await PrepaidDrawdown.filter(package_id__in=package_ids, released_at__isnull=True)
        .group_by("package_id")
        .annotate(used=Sum("hours"))
        .values("package_id", "used")
    )
    return {r["package_id"]: Decimal(r["used"] or 0) for r in rows}


async def create_prepaid(
    *, principal: Principal, organisation_id: int, data: schemas.PrepaidCreate
) -> schemas.PrepaidRead:
    if not await Organisation.exists(id=organisation_id):
        raise OrganisationNotFound(f"organisation {organisation_id} not found")
    async with in_transaction():
        package = await PrepaidPackage.create(
            **row_values(PrepaidPackage, data, organisation_id=organisation_id, created_by=principal.name)
        )
        await audit_event(
            principal, "prepaid.created", package, {"organisation_id": organisation_id, "hours": data.hours}
        )
    return _read(package, ZERO_HOURS, business_today())


def _read(package: PrepaidPackage, used: Decimal, today: dt.date) -> schemas.PrepaidRead:
    hours = Decimal(package.hours)
    return schemas.PrepaidRead(
        id=package.id,
        organisation_id=package.organisation_id,
        name=package.name,
        hours=hours.quantize(Decimal("0.01")),
        used_hours=used.quantize(Decimal("0.01")),
        remaining_hours=(hours - used).quantize(Decimal("0.01")),
        valid_from=package.valid_from_date,
        valid_until=package.valid_until_date,
        active_today=package.valid_from_date <= today <= package.valid_until_date,
    )


async def get_prepaid(*, principal: Principal, organisation_id: int) -> schemas.PrepaidSummary:
    """Staff see any organisation's packages; an integrator only its own (another organisation: 404)."""
    if not await Organisation.exists(access.visible_organisations(principal), id=organisation_id):
        raise OrganisationNotFound(f"organisation {organisation_id} not found")
    packages = await PrepaidPackage.filter(organisation_id=organisation_id).order_by("valid_until_date", "id")
    used = await used_hours([p.id for p in packages]) if packages else {}
    today = business_today()
    reads = [_read(p, used.get(p.id, ZERO_HOURS), today) for p in packages]
    remaining = sum((r.remaining_hours for r in reads if r.active_today), Decimal("0.00"))
    return schemas.PrepaidSummary(organisation_id=organisation_id, remaining_hours_today=remaining, packages=reads)
