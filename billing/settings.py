"""Billing settings from the environment: the seller on every invoice, payment terms, the billing
increment, and whether only approved time is invoiced. Defaults describe a demo vendor so a new
installation can issue a valid-looking invoice at once; production sets the TRIPDESK_SELLER_* variables."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from stdnum.se import orgnr
from stdnum.se import vat as se_vat

from billing.snapshot import Seller


def _env_flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def require_approval_default() -> bool:
    """Time tracking owns the approval setting (TRIPDESK_REQUIRE_APPROVAL, on by default); read it there
    when that module exists, else from the same environment variable."""
    try:
        from support.timetracking import settings as tt_settings  # noqa: PLC0415
    except ImportError:
        return _env_flag("TRIPDESK_REQUIRE_APPROVAL", True)
    for getter in ("get_settings", "get_timetracking_settings"):
        fn = getattr(tt_settings, getter, None)
        if fn is not None:
            value = getattr(fn(), "require_approval", None)
            if isinstance(value, bool):
                return value
    return _env_flag("TRIPDESK_REQUIRE_APPROVAL", True)


class BillingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    seller_name: str = Field("Nordvik Integration AB", alias="TRIPDESK_SELLER_NAME")
    seller_street: str = Field("Sveavägen 44", alias="TRIPDESK_SELLER_STREET")
    seller_postal_code: str = Field("111 34", alias="TRIPDESK_SELLER_POSTAL_CODE")
    seller_city: str = Field("Stockholm", alias="TRIPDESK_SELLER_CITY")
    seller_country_code: str = Field("SE", alias="TRIPDESK_SELLER_COUNTRY")
    seller_organisation_number: str = Field("5567037485", alias="TRIPDESK_SELLER_ORGANISATION_NUMBER")
    seller_vat_number: str = Field("SE556703748501", alias="TRIPDESK_SELLER_VAT_NUMBER")
    seller_f_skatt: bool = Field(True, alias="TRIPDESK_SELLER_F_SKATT")
    seller_bankgiro: str = Field("5050-1055", alias="TRIPDESK_SELLER_BANKGIRO")
    seller_email: str = Field("faktura@nordvik.example", alias="TRIPDESK_SELLER_EMAIL")
    seller_phone: str = Field("08-123 456 78", alias="TRIPDESK_SELLER_PHONE")
    seller_website: str | None = Field("nordvik.example", alias="TRIPDESK_SELLER_WEBSITE")
    seller_contact_name: str | None = Field("Fakturaavdelningen", alias="TRIPDESK_SELLER_CONTACT")
    late_payment_interest: str = Field(
        "Dröjsmålsränta enligt räntelagen (referensränta + 8 procentenheter).", alias="TRIPDESK_SELLER_LATE_PAYMENT_SV"
    )
    late_payment_interest_en: str = Field(
        "Late payment interest per the Swedish Interest Act (reference rate + 8 pp).",
        alias="TRIPDESK_SELLER_LATE_PAYMENT_EN",
    )
    payment_terms_days: int = Field(30, ge=0, le=365, alias="TRIPDESK_PAYMENT_TERMS_DAYS")
    billing_increment_minutes: int = Field(15, ge=1, le=240, alias="TRIPDESK_BILLING_INCREMENT_MINUTES")
    require_approval: bool = Field(default_factory=require_approval_default, alias="TRIPDESK_REQUIRE_APPROVAL")

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
        return Seller(
            name=self.seller_name,
            street=self.seller_street,
            postal_code=self.seller_postal_code,
            city=self.seller_city,
            country_code=self.seller_country_code,
            organisation_number=self.seller_organisation_number,
            vat_number=self.seller_vat_number,
            email=self.seller_email,
            contact_name=self.seller_contact_name,
            f_skatt=self.seller_f_skatt,
            bankgiro=self.seller_bankgiro,
            phone=self.seller_phone,
            website=self.seller_website,
            late_payment_interest=self.late_payment_interest,
            late_payment_interest_en=self.late_payment_interest_en,
        )


@lru_cache(maxsize=1)
def get_billing_settings() -> BillingSettings:
    return BillingSettings()
