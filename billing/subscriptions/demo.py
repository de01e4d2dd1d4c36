"""The subscriptions' part of the demo data, run after `seed_partner_demo`: the illustrative licence price
list of SPEC §4, the demo's recorded licences billed as subscriptions, and one licence of every other kind
(a federation's population tier, a forwarding licence on the XL licence, and a licence an authorised partner
resells to a customer). One production application stays without a forwarding licence, so the report of
unlicensed production applications has something to show. A second run changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from billing.subscriptions import pricing, schemas, service
from billing.subscriptions.models import LicencePriceList, Subscription
from core.auth import Principal, Role
from support.models import Application, Licence, LicenceKind, Organisation
from support.programme.demo import RESOLD_APP
from support.timetracking.settings import business_today

SEEDER = Principal(token_id=0, name="demo seed", role=Role.admin)
PRICES: list[dict[str, Any]] = [
    {"kind": "per_application", "annual_fee": Decimal("9600")},
    {
        "kind": "population",
        "min_population": 0,
        "max_population": 9_999,
        "max_applications": 5,
        "annual_fee": Decimal("18000"),
    },
    {
        "kind": "population",
        "min_population": 10_000,
        "max_population": 49_999,
        "max_applications": 5,
        "annual_fee": Decimal("36000"),
    },
    {
        "kind": "population",
        "min_population": 50_000,
        "max_population": 149_999,
        "max_applications": 5,
        "annual_fee": Decimal("60000"),
    },
    {"kind": "population", "min_population": 150_000, "max_applications": 5, "annual_fee": Decimal("96000")},
    {"kind": "xl", "annual_fee": Decimal("120000")},
]


async def seed_subscription_demo() -> dict[str, Any]:
    if await LicencePriceList.exists():
        return {"subscriptions": "demo data already present"}
    today = business_today()
    await pricing.create_price_list(
        principal=SEEDER,
        data=schemas.PriceListCreate.model_validate(
            {
                "name": "Licensprislista (illustrativ)",
                "valid_from": dt.date(2020, 1, 1),
                "prices": PRICES,
                "forwarding_percent": Decimal("50"),
            }
        ),
    )
    for licence in await Licence.filter(subscription=None).order_by("id"):
        application = await Application.get_or_none(id=licence.application_id)  # type: ignore[attr-defined]
        await Subscription.create(
            licence_id=licence.id,
            payer_id=licence.organisation_id,
            start_date=licence.valid_from_date,
            created_by=SEEDER.name,
            label=application.name if application is not None else "XL",
        )
    federation = await Organisation.get(name="Kommunalförbundet Västra Dalen")
    await service.create_subscription(
        principal=SEEDER,
        organisation_id=federation.id,
        data=schemas.SubscriptionCreate(kind=LicenceKind.population, start_date=today.replace(month=1, day=1)),
    )
    xl = await Licence.get(kind=LicenceKind.xl)
    await service.create_subscription(
        principal=SEEDER,
        organisation_id=xl.organisation_id,
        data=schemas.SubscriptionCreate(
            kind=LicenceKind.forwarding, extends_licence_id=xl.id, start_date=today - dt.timedelta(days=20)
        ),
    )
    resold = await Application.get(name=RESOLD_APP)
    partner = await Organisation.get(name="Integrationshuset i Sundsvall AB")
    resale = schemas.SubscriptionCreate(
        kind=LicenceKind.per_application, application_id=resold.id, reseller_id=partner.id
    )
    await service.create_subscription(principal=SEEDER, organisation_id=resold.organisation_id, data=resale)
    return {"licence_price_lists": 1, "subscriptions": await Subscription.all().count()}
