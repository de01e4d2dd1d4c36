"""Builders for subscription tests: the illustrative price list of SPEC §4 and licensed organisations, plus an
independent pro-rata computation (integer öre and exact fractions, calendar from the standard library) to
check billing/subscriptions/periods.py against."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

from billing.subscriptions import pricing, schemas, service
from billing.subscriptions.models import BillingPeriod
from support.models import LicenceKind, Organisation
from tests.billing.builders import ADMIN

SPEC_PRICES = [
    {"kind": "per_application", "annual_fee": "9600"},
    {"kind": "population", "min_population": 0, "max_population": 9999, "max_applications": 5, "annual_fee": "18000"},
    {
        "kind": "population",
        "min_population": 10000,
        "max_population": 49999,
        "max_applications": 5,
        "annual_fee": "36000",
    },
    {
        "kind": "population",
        "min_population": 50000,
        "max_population": 149999,
        "max_applications": 5,
        "annual_fee": "60000",
    },
    {"kind": "population", "min_population": 150000, "max_applications": 5, "annual_fee": "96000"},
    {"kind": "xl", "annual_fee": "120000"},
]


async def price_list(
    *,
    organisation: Organisation | None = None,
    period: str = "yearly",
    valid_from: dt.date = dt.date(2020, 1, 1),
    valid_until: dt.date | None = None,
    prices: list[dict[str, object]] | None = None,
) -> schemas.PriceListRead:
    data = schemas.PriceListCreate.model_validate(
        {
            "name": "Licensprislista" if organisation is None else f"Licensavtal {organisation.name}",
            "organisation_id": organisation.id if organisation else None,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "billing_period": period,
            "prices": prices or SPEC_PRICES,
        }
    )
    return await pricing.create_price_list(principal=ADMIN, data=data)


async def subscribe(org: Organisation, kind: str, start: dt.date | None, **extra: object) -> schemas.SubscriptionRead:
    data = schemas.SubscriptionCreate.model_validate({"kind": kind, "start_date": start, **extra})
    return await service.create_subscription(principal=ADMIN, organisation_id=org.id, data=data)


def period_bounds(day: dt.date, period: BillingPeriod) -> tuple[dt.date, dt.date]:
    if period == BillingPeriod.yearly:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    quarter = (day.month - 1) // 3
    last_month = 3 * quarter + 3
    return dt.date(day.year, 3 * quarter + 1, 1), dt.date(
        day.year, last_month, calendar.monthrange(day.year, last_month)[1]
    )


def expected_ore(annual_fee: int | str, period: BillingPeriod, first: dt.date, last: dt.date) -> Decimal:
    """Annual fee ÷ periods per year × covered days ÷ days in the period, half-up to the öre, computed with
    integer öre and an exact fraction. `first`–`last` lie within one period (both days included)."""
    start, end = period_bounds(first, period)
    period_days = end.toordinal() - start.toordinal() + 1
    covered = last.toordinal() - first.toordinal() + 1
    per_year = 1 if period == BillingPeriod.yearly else 4
    ore = math.floor(Fraction(int(Decimal(annual_fee) * 100) * covered, per_year * period_days) + Fraction(1, 2))
    return Decimal(ore) / 100


KINDS = [k.value for k in LicenceKind]
