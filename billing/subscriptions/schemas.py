"""Request and response models of licence price lists and integration subscriptions. Money is validated here
(strings or integers, öre precision), before the ORM."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from billing.money import MoneyIn
from billing.subscriptions.models import BillingPeriod
from core.http import MAX_ID
from core.schemas import Strict
from support.models import LicenceKind

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Purpose = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Percent = Annotated[Decimal, Field(ge=0, le=1000, max_digits=6, decimal_places=2)]


class LicencePriceItem(Strict):
    kind: LicenceKind
    min_population: int | None = Field(None, ge=0, description="population tier: from (inclusive)")
    max_population: int | None = Field(None, ge=0, description="population tier: to (inclusive); null: no limit")
    max_applications: int | None = Field(
        None, ge=1, le=10_000, description="population tier: production applications covered"
    )
    annual_fee: MoneyIn = Field(description="SEK per year ex VAT")

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.kind == LicenceKind.forwarding:
            raise ValueError("forwarding is priced as forwarding_percent of the base licence, not on its own")
        tiered = self.min_population is not None or self.max_population is not None
        if tiered != (self.kind == LicenceKind.population):
            raise ValueError("population tiers (and only they) have min_population/max_population")
        if (
            self.min_population is not None
            and self.max_population is not None
            and self.max_population < self.min_population
        ):
            raise ValueError("max_population is below min_population")
        return self


class PriceListCreate(Strict):
    name: Text200
    organisation_id: int | None = Field(None, ge=1, le=MAX_ID, description="null: the default price list")
    valid_from: dt.date
    valid_until: dt.date | None = Field(None, description="inclusive; null: open-ended")
    billing_period: BillingPeriod = BillingPeriod.yearly
    forwarding_percent: Percent = Decimal("50")
    prices: list[LicencePriceItem] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _valid(self) -> Self:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("validity: the end date is before the start date")
        return self


class PriceListUpdate(Strict):
    valid_until: dt.date | None = Field(description="new last day of validity (inclusive); null: open-ended")


class PriceListRead(BaseModel):
    id: int
    name: str
    organisation_id: int | None
    valid_from: dt.date
    valid_until: dt.date | None
    billing_period: BillingPeriod
    forwarding_percent: Decimal
    prices: list[LicencePriceItem]


class PriceListList(BaseModel):
    items: list[PriceListRead]


class PriceListQuery(Strict):
    organisation_id: int | None = Field(None, ge=1, le=MAX_ID)
    valid_on: dt.date | None = None


class SubscriptionCreate(Strict):
    kind: LicenceKind
    application_id: int | None = Field(None, ge=1, le=MAX_ID, description="per_application: the application")
    extends_licence_id: int | None = Field(None, ge=1, le=MAX_ID, description="forwarding: the base licence it extends")
    purpose: Purpose | None = Field(
        None, description="per_application: the application's purpose (default: as recorded on the application)"
    )
    start_date: dt.date | None = Field(None, description="default: the application's production date, or today")
    reseller_id: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="resale: the authorised partner that licenses its solution to this customer and is billed for it",
    )

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if (self.kind == LicenceKind.per_application) != (self.application_id is not None):
            raise ValueError("a per_application licence (and only one) names its application_id")
        if (self.kind == LicenceKind.forwarding) != (self.extends_licence_id is not None):
            raise ValueError("a forwarding licence (and only one) names extends_licence_id")
        return self


class SubscriptionChange(Strict):
    kind: LicenceKind = Field(description="the new licence kind (or population: the tier now due)")
    application_id: int | None = Field(None, ge=1, le=MAX_ID)
    effective_date: dt.date = Field(description="the first day of the new licence")

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.kind == LicenceKind.forwarding:
            raise ValueError("a forwarding licence is added, not changed into")
        if (self.kind == LicenceKind.per_application) != (self.application_id is not None):
            raise ValueError("a per_application licence (and only one) names its application_id")
        return self


class SubscriptionCancel(Strict):
    on: dt.date | None = Field(
        None,
        description="the day notice is given (default today): the subscription "
        "ends at the end of the billing period containing it",
    )


class ChargeRead(BaseModel):
    period_start: dt.date
    period_end: dt.date
    covered_from: dt.date
    covered_until: dt.date
    annual_fee: Decimal
    amount: Decimal
    invoice_id: int
    line_no: int


class SubscriptionRead(BaseModel):
    id: int
    licence_id: int
    licensee_id: int
    payer_id: int
    reseller_id: int | None
    kind: LicenceKind
    application_id: int | None
    label: str
    billing_period: BillingPeriod
    start_date: dt.date
    end_date: dt.date | None
    replaced_by_id: int | None
    cancelled_at: dt.datetime | None
    charges: list[ChargeRead] = []


class SubscriptionList(BaseModel):
    items: list[SubscriptionRead]
    next_cursor: str | None = None


class SubscriptionQuery(Strict):
    organisation_id: int | None = Field(None, ge=1, le=MAX_ID, description="licensee or payer")
    active_on: dt.date | None = None
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=64)
