"""Plain async builders for test data. Each returns the created row (and tokens return the clear token)."""

from __future__ import annotations

import itertools
from typing import Any

from stdnum import luhn

from core.auth import Role
from support import service
from support.models import Application, Contact, Language, Organisation, OrganisationKind, PartnerLevel, Staff

_seq = itertools.count(1)

# Valid Swedish organisation numbers (Luhn), a new one per call: an organisation number is unique.
_ORG_NUMBERS = (base + luhn.calc_check_digit(base) for base in (f"556{n:06d}" for n in itertools.count(677880)))


async def organisation(**overrides: Any) -> Organisation:
    n = next(_seq)
    data: dict[str, Any] = dict(
        name=f"Testkommun {n}",
        kind=OrganisationKind.municipality,
        population=10_000 + n,
        organisation_number=next(_ORG_NUMBERS),
        street="Storgatan 1",
        postal_code="123 45",
        city="Småstad",
        buyer_reference=f"REF-{n}",
    )
    data.update(overrides)
    if data["kind"] is not OrganisationKind.municipality:
        data["population"] = overrides.get("population")
    if data["kind"] is OrganisationKind.partner:
        data.setdefault("partner_level", PartnerLevel.registered)
    return await Organisation.create(**data)


async def contact(org: Organisation, **overrides: Any) -> Contact:
    n = next(_seq)
    data: dict[str, Any] = dict(name=f"Kontakt {n}", email=f"kontakt{n}@example.se", language=Language.sv)
    data.update(overrides)
    return await Contact.create(organisation=org, **data)


async def staff(**overrides: Any) -> Staff:
    n = next(_seq)
    data: dict[str, Any] = dict(name=f"Handläggare {n}", email=f"staff{n}@tripdesk.example.se")
    data.update(overrides)
    return await Staff.create(**data)


async def application(org: Organisation, **overrides: Any) -> Application:
    data: dict[str, Any] = dict(name=f"App {next(_seq)}", purpose="test", in_production=False)
    data.update(overrides)
    return await Application.create(organisation=org, **data)


async def token(
    role: Role | str, *, organisation: Organisation | None = None, staff_member: Staff | None = None, **overrides: Any
) -> str:
    _, clear = await service.create_token(
        name=overrides.pop("name", f"{role} token"),
        role=Role(role),
        organisation_id=organisation.id if organisation else None,
        staff_id=staff_member.id if staff_member else None,
        **overrides,
    )
    return clear


def bearer(clear_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {clear_token}"}
