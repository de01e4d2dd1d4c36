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

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from billing.money import round_amount
from billing.subscriptions import schemas
from billing.subscriptions.errors import PriceListNotFound, PriceListOverlap
from billing.subscriptions.models import BillingPeriod, LicencePrice, LicencePriceList
from core.auth import Principal
from core.locking import first_locked
from support import audit
from support.errors import InvalidReference
from support.models import LicenceKind, Organisation
from support.numbering import write_lock

_WRITE_LOCK_KEY = "lock:billing:licence-price-lists"


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


def _valid_on(day: dt.date) -> Q:
    return Q(valid_from_date__lte=day) & (Q(valid_until_date__isnull=True) | Q(valid_until_date__gte=day))


async def list_for(payer_id: int, day: dt.date) -> LicencePriceList | None:
    """The payer's agreement valid on `day`, else the default list valid on `day`."""
    own = await LicencePriceList.filter(_valid_on(day), organisation_id=payer_id).first()
    if own is not None:
        return own
    return await LicencePriceList.filter(_valid_on(day), organisation_id__isnull=True).first()


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


async def _check_overlap(
    organisation_id: int | None, valid_from: dt.date, valid_until: dt.date | None, *, exclude_id: int | None = None
) -> None:
    siblings = (
        LicencePriceList.filter(organisation_id=organisation_id)
        if organisation_id is not None
        else LicencePriceList.filter(organisation_id__isnull=True)
    )
    if exclude_id is not None:
        siblings = siblings.exclude(id=exclude_id)
    for other in await siblings.select_for_update():
        if (other.valid_until_date is None or valid_from <= other.valid_until_date) and (
            valid_until is None or other.valid_from_date <= valid_until
        ):
            raise PriceListOverlap(
                f"validity overlaps licence price list {other.id} '{other.name}' "
                f"({other.valid_from_date} – {other.valid_until_date or 'open'})"
            )


async def price_list_read(price_list: LicencePriceList) -> schemas.PriceListRead:
    prices = await LicencePrice.filter(price_list_id=price_list.id).order_by("kind", "min_population", "id")
    return schemas.PriceListRead(
        id=price_list.id,
        name=price_list.name,
        organisation_id=price_list.organisation_id,
        valid_from=price_list.valid_from_date,
        valid_until=price_list.valid_until_date,
        billing_period=BillingPeriod(price_list.billing_period),
        forwarding_percent=Decimal(price_list.forwarding_percent).quantize(Decimal("0.01")),
        prices=[
            schemas.LicencePriceItem(
                kind=LicenceKind(p.kind),
                min_population=p.min_population,
                max_population=p.max_population,
                max_applications=p.max_applications,
                annual_fee=Decimal(p.annual_fee).quantize(Decimal("0.01")),
            )
            for p in prices
        ],
    )


async def create_price_list(*, principal: Principal, data: schemas.PriceListCreate) -> schemas.PriceListRead:
    if data.organisation_id is not None and not await Organisation.exists(id=data.organisation_id):
        raise InvalidReference(f"organisation {data.organisation_id} does not exist")
    async with in_transaction() as conn:
        await write_lock(_WRITE_LOCK_KEY, conn)
        await _check_overlap(data.organisation_id, data.valid_from, data.valid_until)
        price_list = await LicencePriceList.create(
            name=data.name,
            organisation_id=data.organisation_id,
            valid_from_date=data.valid_from,
            valid_until_date=data.valid_until,
            billing_period=data.billing_period,
            forwarding_percent=data.forwarding_percent,
            created_by=principal.name,
        )
        await LicencePrice.bulk_create(
            [
                LicencePrice(
                    price_list_id=price_list.id,
                    kind=p.kind,
                    min_population=p.min_population,
                    max_population=p.max_population,
                    max_applications=p.max_applications,
                    annual_fee=p.annual_fee,
                )
                for p in data.prices
            ]
        )
        await audit.record(
            principal=principal,
            action="licence_price_list.created",
            subject_type="licence_price_list",
            subject_id=price_list.id,
            data=data.model_dump(mode="json"),
        )
    return await price_list_read(price_list)


async def end_price_list(
    *, principal: Principal, price_list_id: int, data: schemas.PriceListUpdate
) -> schemas.PriceListRead:
    """Only the end of validity changes (new prices are a new list). Periods already billed keep the fee
    they were billed at (billing/subscriptions/charges.py), so a list may end at any day."""
    async with in_transaction() as conn:
        await write_lock(_WRITE_LOCK_KEY, conn)
        price_list = await first_locked(
            LicencePriceList.filter(id=price_list_id),
            PriceListNotFound(f"licence price list {price_list_id} not found"),
        )
        if data.valid_until is not None and data.valid_until < price_list.valid_from_date:
            raise InvalidReference("valid_until is before the list's valid_from")
        await _check_overlap(
            price_list.organisation_id, price_list.valid_from_date, data.valid_until, exclude_id=price_list.id
        )
        price_list.valid_until_date = data.valid_until
        await price_list.save(update_fields=["valid_until_date"])
        await audit.record(
            principal=principal,
            action="licence_price_list.updated",
            subject_type="licence_price_list",
            subject_id=price_list.id,
            data={"valid_until": data.valid_until},
        )
    return await price_list_read(price_list)


async def get_price_list(*, price_list_id: int) -> schemas.PriceListRead:
    price_list = await LicencePriceList.get_or_none(id=price_list_id)
    if price_list is None:
        raise PriceListNotFound(f"licence price list {price_list_id} not found")
    return await price_list_read(price_list)


async def list_price_lists(
    *, organisation_id: int | None = None, valid_on: dt.date | None = None
) -> list[schemas.PriceListRead]:
    rows = LicencePriceList.all()
    if organisation_id is not None:
        rows = rows.filter(organisation_id=organisation_id)
    if valid_on is not None:
        rows = rows.filter(_valid_on(valid_on))
    return [await price_list_read(p) for p in await rows.order_by("-valid_from_date", "id").limit(500)]
