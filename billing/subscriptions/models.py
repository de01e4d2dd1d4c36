"""Tables of the integration subscriptions: licence price lists (default and per-organisation agreements, with
validity dates like rate cards), the subscription behind each billed licence, and the charges billed for it.

Invariants:
- A charge is one amount billed (or credited, negative) for one subscription and one billing period;
  `seq` numbers the charges of a period, and (subscription, period_start, seq) is unique: two invoice runs
  that race cannot both store the same period's next charge.
- A charge with `invoice` null does not exist: charges are stored in the transaction that drafts the invoice
  and deleted with it when the draft is discarded.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from billing.models import LineCharge, PriceList, carried_on
from core.records import CreatedRecord, Record
from support.models import LicenceKind


class BillingPeriod(StrEnum):
    yearly = "yearly"
    quarterly = "quarterly"


class LicencePriceList(PriceList):
    """Annual licence fees ex VAT, valid from–until (inclusive, open-ended when until is null).
    `organisation` null is the default list, an organisation's agreement overrides it while valid, and
    sets its billing period (yearly unless the agreement says quarterly)."""

    organisation: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "support.Organisation", related_name="licence_price_lists", null=True, on_delete=fields.RESTRICT
    )
    organisation_id: int | None
    billing_period = fields.CharEnumField(BillingPeriod, max_length=10, default=BillingPeriod.yearly)
    forwarding_percent = fields.DecimalField(max_digits=6, decimal_places=2, default=50)

    class Meta:
        indexes = (("organisation_id", "valid_from_date"),)


class LicencePrice(Record):
    """One annual fee of a price list: per_application and xl have one each, population has one per tier
    (population from–to, inclusive), with the number of production applications the tier covers."""

    price_list = fields.ForeignKeyField(LicencePriceList, related_name="prices", on_delete=fields.CASCADE)
    price_list_id: int
    kind = fields.CharEnumField(LicenceKind, max_length=20)
    min_population = fields.IntField(null=True)
    max_population = fields.IntField(null=True)
    max_applications = fields.IntField(null=True)
    annual_fee = fields.DecimalField(max_digits=14, decimal_places=2)


class Subscription(CreatedRecord):
    """The billing side of one licence: who pays (the licensee, or the authorised partner that resold it),
    from which day (the production or start date) and until which day (set by cancelling: the end of a
    billing period, by a change of tier: the day before the new licence starts)."""

    licence: fields.OneToOneRelation = fields.OneToOneField(
        "support.Licence", related_name="subscription", on_delete=fields.RESTRICT
    )
    licence_id: int
    payer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "support.Organisation", related_name="paid_subscriptions", on_delete=fields.RESTRICT
    )
    payer_id: int
    billing_period = fields.CharEnumField(BillingPeriod, max_length=10, default=BillingPeriod.yearly)
    start_date = fields.DateField()
    end_date = fields.DateField(null=True)
    label = fields.CharField(max_length=200)
    replaced_by: fields.ForeignKeyNullableRelation[Subscription] = fields.ForeignKeyField(
        "billing.Subscription", related_name="replaces", null=True, on_delete=fields.RESTRICT
    )
    replaced_by_id: int | None
    cancelled_at = fields.DatetimeField(null=True)
    created_by = fields.CharField(max_length=200, default="")

    class Meta:
        indexes = (("payer_id", "start_date"),)


class SubscriptionCharge(LineCharge):
    """An amount billed (positive) or credited (negative) for the days `covered_from`–`covered_until` of one
    billing period, on one invoice line. `annual_fee` is the fee the period is billed at (fixed by its first
    charge, so a later change in the price list does not re-price a billed period)."""

    subscription = fields.ForeignKeyField(Subscription, related_name="charges", on_delete=fields.RESTRICT)
    subscription_id: int
    period_start_date = fields.DateField()
    period_end_date = fields.DateField()
    seq = fields.IntField(default=0)
    covered_from_date = fields.DateField()
    covered_until_date = fields.DateField()
    annual_fee = fields.DecimalField(max_digits=14, decimal_places=2)
    invoice = carried_on("subscription_charges")

    class Meta:
        unique_together = (("subscription", "period_start_date", "seq"),)
        indexes = (("invoice_id",),)
