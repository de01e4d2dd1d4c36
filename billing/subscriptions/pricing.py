"""Licence price lists: the annual fee ex VAT of a licence kind (and population tier) on a day, for the
organisation that pays (SPEC §4: "little use, lower cost; more use, higher cost").

Rule, as for rate cards (billing/rates.py): the paying organisation's own agreement list, valid on the day,
replaces the default list (organisation null) valid on that day; lists of the same organisation (or two
default lists) never overlap, so at most one of each applies on any day. A `forwarding` licence costs
`forwarding_percent` (default 50 %) of the fee of the base licence it extends. A `population` licence is
priced by the tier whose population range holds the licensee's population.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from billing import validity
from billing.money import round_amount
from billing.naming import read_model
from billing.subscriptions import schemas
from billing.subscriptions.errors import PriceListNotFound, PriceListOverlap
from billing.subscriptions.models import BillingPeriod, LicencePrice, LicencePriceList
from billing.validity import AgreementKind
from core.auth import Principal
from support.models import LicenceKind


@dataclass(frozen=True)
class Price:
    """An annual fee as a price list sets it for one licence."""

    annual_fee: Decimal
    list_id: int
    list_name: str
    billing_period: BillingPeriod
    max_applications: int | None
    tier_label: str | None = None  # population: "10 000–49 999"


def _spaced(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def tier_label(low: int | None, high: int | None) -> str:
    return f"{_spaced(low or 0)}–{_spaced(high)}" if high is not None else f"≥ {_spaced(low or 0)}"


async def list_for(payer_id: int, day: dt.date) -> LicencePriceList | None:
    """The payer's agreement valid on `day`, else the default list valid on `day`."""
    own = await LicencePriceList.filter(validity.valid_on(day), organisation_id=payer_id).first()
    if own is not None:
        return own
    return await LicencePriceList.filter(validity.valid_on(day), organisation_id__isnull=True).first()


async def price_for(
    *,
    payer_id: int,
    kind: LicenceKind,
    day: dt.date,
    population: int | None = None,
    base_kind: LicenceKind | None = None,
) -> Price | None:
    """The annual fee of a licence of `kind` on `day` for `payer_id` (module docstring), or None when no valid
    list prices it. A forwarding licence passes the kind of its base (and the population for a tier)."""
    price_list = await list_for(payer_id, day)
    if price_list is None:
        return None
    priced_kind = base_kind if kind == LicenceKind.forwarding else kind
    if priced_kind is None or priced_kind == LicenceKind.forwarding:
        return None
    rows = await LicencePrice.filter(price_list_id=price_list.id, kind=priced_kind).order_by("id")
    if priced_kind == LicenceKind.population:
        if population is None:
            return None
        rows = [
            r
            for r in rows
            if (r.min_population or 0) <= population and (r.max_population is None or population <= r.max_population)
        ]
    if not rows:
        return None
    fee = Decimal(rows[0].annual_fee)
    if kind == LicenceKind.forwarding:
        fee = round_amount(fee * Decimal(price_list.forwarding_percent) / 100)
    tier = tier_label(rows[0].min_population, rows[0].max_population) if priced_kind == LicenceKind.population else None
    return Price(
        fee, price_list.id, price_list.name, BillingPeriod(price_list.billing_period), rows[0].max_applications, tier
    )


# Admin use cases ------------------------------------------------------------------------------------------


PRICE_LISTS = AgreementKind(
    model=LicencePriceList,
    missing=lambda price_list_id: PriceListNotFound(f"licence price list {price_list_id} not found"),
    overlap=lambda other: PriceListOverlap(
        f"validity overlaps licence price list {other.id} '{other.name}' "
        f"({other.valid_from_date} – {other.valid_until_date or 'open'})"
    ),
)


async def price_list_read(price_list: LicencePriceList) -> schemas.PriceListRead:
    prices = await LicencePrice.filter(price_list_id=price_list.id).order_by("kind", "min_population", "id")
    return read_model(
        schemas.PriceListRead,
        price_list,
        billing_period=BillingPeriod(price_list.billing_period),
        forwarding_percent=Decimal(price_list.forwarding_percent).quantize(Decimal("0.01")),
        prices=[
            read_model(
                schemas.LicencePriceItem,
                p,
                kind=LicenceKind(p.kind),
                annual_fee=Decimal(p.annual_fee).quantize(Decimal("0.01")),
            )
            for p in prices
        ],
    )


async def create_price_list(*, principal: Principal, data: schemas.PriceListCreate) -> schemas.PriceListRead:
    price_list = await PRICE_LISTS.create(
        principal=principal,
        data=data,
        then=lambda price_list: LicencePrice.bulk_create(
            [LicencePrice(price_list_id=price_list.id, **p.model_dump()) for p in data.prices]
        ),
    )
    return await price_list_read(price_list)


async def end_price_list(
    *, principal: Principal, price_list_id: int, data: schemas.PriceListUpdate
) -> schemas.PriceListRead:
    """Only the end of validity changes (billing/validity.py). Periods already billed keep the fee they were
    billed at (billing/subscriptions/charges.py), so a list may end at any day."""
    return await price_list_read(
        await PRICE_LISTS.end(principal=principal, row_id=price_list_id, valid_until=data.valid_until)
    )


async def get_price_list(*, price_list_id: int) -> schemas.PriceListRead:
    return await price_list_read(await PRICE_LISTS.get(price_list_id))


async def list_price_lists(
    *, organisation_id: int | None = None, valid_on: dt.date | None = None
) -> list[schemas.PriceListRead]:
    rows = LicencePriceList.all()
    if organisation_id is not None:
        rows = rows.filter(organisation_id=organisation_id)
    if valid_on is not None:
        rows = rows.filter(validity.valid_on(valid_on))
    return [await price_list_read(p) for p in await rows.order_by("-valid_from_date", "id").limit(500)]
