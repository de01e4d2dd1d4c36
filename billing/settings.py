"""Billing settings from the environment: the seller on every invoice, payment terms, the billing
increment, and whether only approved time is invoiced. Defaults describe a demo vendor so a new
installation can issue a valid-looking invoice at once; production sets the TRIPDESK_SELLER_* variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings
from stdnum.se import orgnr
from stdnum.se import vat as se_vat

from billing.snapshot import Seller
from core.settings import from_environment
from support.timetracking.settings import get_timetracking_settings


def require_approval_default() -> bool:
    """Time tracking owns the approval setting (TRIPDESK_REQUIRE_APPROVAL, on by default): invoicing follows it
    unless the billing settings are given a value of their own."""
    return get_timetracking_settings().require_approval


class BillingSettings(BaseSettings):
    model_config = from_environment("TRIPDESK_")

    seller_name: str = "Nordvik Integration AB"
    seller_street: str = "Sveavägen 44"
    seller_postal_code: str = "111 34"
    seller_city: str = "Stockholm"
    seller_country_code: str = Field("SE", alias="TRIPDESK_SELLER_COUNTRY")
    seller_organisation_number: str = "5567037485"
    seller_vat_number: str = "SE556703748501"
    seller_f_skatt: bool = True
    seller_bankgiro: str = "5050-1055"
    seller_email: str = "faktura@nordvik.example"
    seller_phone: str = "08-123 456 78"
    seller_website: str | None = "nordvik.example"
    seller_contact_name: str | None = Field("Fakturaavdelningen", alias="TRIPDESK_SELLER_CONTACT")
    seller_late_payment_interest: str = Field(
        Seller.model_fields["late_payment_interest"].default, alias="TRIPDESK_SELLER_LATE_PAYMENT_SV"
    )
    seller_late_payment_interest_en: str = Field(
        Seller.model_fields["late_payment_interest_en"].default, alias="TRIPDESK_SELLER_LATE_PAYMENT_EN"
    )
    payment_terms_days: int = Field(30, ge=0, le=365)
    billing_increment_minutes: int = Field(15, ge=1, le=240)
    require_approval: bool = Field(default_factory=require_approval_default)

    @field_validator("seller_organisation_number")
    @classmethod
    def _orgnr(cls, value: str) -> str:
        if not orgnr.is_valid(value):
            raise ValueError("seller organisation number fails the Luhn check")
        return orgnr.compact(value)

    @field_validator("seller_vat_number")
    @classmethod
    def _vat(cls, value: str) -> str:
        compact = se_vat.compact(value)
        if not (se_vat.is_valid(compact) and compact.endswith("01")):
            raise ValueError("seller VAT number must be SE + organisation number + 01")
        return "SE" + compact

    def seller(self) -> Seller:
        """The seller as invoices state it: each `seller_<field>` setting is that field of `Seller`."""
        return Seller(**{name[len("seller_") :]: getattr(self, name) for name in SELLER_SETTINGS})


SELLER_SETTINGS = tuple(name for name in BillingSettings.model_fields if name.startswith("seller_"))


@lru_cache(maxsize=1)
def get_billing_settings() -> BillingSettings:
    return BillingSettings()
