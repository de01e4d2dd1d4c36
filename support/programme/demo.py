"""The partner programme's part of the demo data, run after support's `seed_demo`: production dates and
interfaces of the demo applications, a federation's population, a customer application a partner resells, the
authorised partner's agreement (with the right to resell), an approved TRIP registration, a TRIP application
awaiting a decision, and a published interface change notice. Dates are relative to today; a second run
changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.auth import Principal, Role
from support.models import Application, Contact, Organisation
from support.programme import notices, schemas, service
from support.programme.models import InterfaceNotice, PartnerAgreement
from support.timetracking.settings import business_today

SEEDER = Principal(token_id=0, name="demo seed", role=Role.admin)
RESOLD_APP = "Ärendeportalen (Integrationshuset)"
# application name → (days in production before today, official interfaces it uses)
PRODUCTION: dict[str, tuple[int, list[str]]] = {
    "Bygglovsportalen": (400, ["Ärende-API", "Dokument-API"]),
    "Skolskjuts": (200, ["Ärende-API"]),
    "Mätarportal": (700, ["Mätvärdes-API"]),
    "Nordic Sync": (90, ["Ärende-API"]),
}


async def seed_partner_demo() -> dict[str, Any]:
    if await PartnerAgreement.exists():
        return {"partners": "demo data already present"}
    today = business_today()
    for name, (days_ago, interfaces) in PRODUCTION.items():
        await Application.filter(name=name).update(
            production_date=today - dt.timedelta(days=days_ago), interfaces=interfaces
        )
    await Application.filter(name="Diariekoppling").update(interfaces=["Diarie-API"])
    federation = await Organisation.get(name="Kommunalförbundet Västra Dalen")
    federation.population = 61_240
    await federation.save(update_fields=["population"])
    # the authorised partner acts for this municipality (support's demo records it) and resells to it
    municipality = await Organisation.get(name="Norrvikens kommun")
    await Application.create(
        organisation=municipality,
        name=RESOLD_APP,
        in_production=True,
        production_date=today - dt.timedelta(days=45),
        interfaces=["Ärende-API"],
        purpose="Partnerns e-tjänsteportal som visar kommunens ärenden för invånarna",
    )
    partner = await Organisation.get(name="Integrationshuset i Sundsvall AB")
    await service.create_agreement(
        principal=SEEDER,
        organisation_id=partner.id,
        data=schemas.AgreementCreate(
            valid_from=today.replace(month=1, day=1),
            may_resell=True,
            note="Auktoriserat partneravtal med rätt att vidareförsälja licenser",
        ),
    )
    registered = await Organisation.get(name="Kodverkstaden Nord AB")
    contact = await Contact.filter(organisation_id=registered.id).order_by("id").first()
    assert contact is not None
    approved = await service.apply_for_partnership(
        principal=SEEDER,
        data=schemas.PartnerApplicationCreate(
            organisation_id=registered.id,
            contact_id=contact.id,
            accepts_integration_policy=True,
            motivation="Vi utvecklar e-tjänster åt flera kommuner.",
        ),
    )
    await service.decide_partner_application(
        principal=SEEDER,
        application_id=approved.id,
        data=schemas.PartnerDecision(
            decision="approved", reason="Åtar sig att arbeta för att integrationspolicyn följs."
        ),
    )
    pending = await service.apply_for_partnership(
        principal=SEEDER,
        data=schemas.PartnerApplicationCreate.model_validate(
            {
                "organisation": {"name": "Appfabriken Syd AB", "organisation_number": "559234-5672"},
                "contact": {"name": "Nils Persson", "email": "nils.persson@appfabriken.example.se"},
                "accepts_integration_policy": True,
                "motivation": "Vi vill bygga en app för bokning av lokaler på era officiella gränssnitt.",
            }
        ),
    )
    if not await InterfaceNotice.exists():
        await notices.publish_notice(
            principal=SEEDER,
            data=schemas.NoticeCreate(
                interface="Ärende-API",
                effective_date=today + dt.timedelta(days=120),
                change="Fältet diarienummer blir obligatoriskt i POST /arenden, och det gamla datumformatet "
                "(ÅÅÅÅMMDD) slutar accepteras; använd ISO 8601.",
            ),
        )
    return {"partner_applications": 2, "pending_partner_application": pending.id, "interface_notices": 1}
