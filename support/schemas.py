"""Request and response models of the support API. They validate input and generate the OpenAPI document.

The ticket models (tickets, comments, events, staff decisions) are in support/tickets/schemas.py."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Self

from babel import Locale
from pydantic import AfterValidator, BaseModel, EmailStr, Field, StringConstraints, computed_field, model_validator

from core.auth import Role
from core.http import MAX_ID, Instant, unchanged
from core.pagination import PageQuery
from core.schemas import Read, Strict
from support.models import Language, LicenceKind, OrganisationKind, PartnerLevel
from support.tax_scheme import TaxIdentityError, TaxScheme, check_tax_identity, tax_scheme

_COUNTRIES = frozenset(str(code) for code in Locale("en").territories if len(str(code)) == 2 and str(code).isalpha())


def _country(value: str) -> str:
    value = value.upper()
    if value not in _COUNTRIES:
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
    return value


SINGLE_LINE = r"^[^\x00-\x1f\x7f]*$"
"""Names, addresses and references hold no control characters: they are printed on PDF invoices and sent in
Peppol XML, which cannot carry them. (Long free text — ticket bodies with log output — may.)"""
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=SINGLE_LINE)]
OptText200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200, pattern=SINGLE_LINE)]
Line20 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20, pattern=SINGLE_LINE)]
Line40 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40, pattern=SINGLE_LINE)]
Line100 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100, pattern=SINGLE_LINE)]
LongText = Annotated[str, StringConstraints(max_length=100_000)]
OrgNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20, pattern=SINGLE_LINE)]
VatNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20, pattern=SINGLE_LINE)]
"""Checked against the organisation's country by support/tax_scheme.py (Swedish, EU or outside the EU)."""
Country = Annotated[str, StringConstraints(min_length=2, max_length=2), AfterValidator(_country)]


# Organisations ---------------------------------------------------------------------------------------


class OrganisationCreate(Strict):
    name: Text200
    kind: OrganisationKind
    partner_level: PartnerLevel | None = None
    population: int | None = Field(None, ge=1, le=20_000_000)
    organisation_number: OrgNumber | None = None
    vat_number: VatNumber | None = None
    street: OptText200 = ""
    postal_code: Line20 = ""
    city: Line100 = ""
    country_code: Country = "SE"
    invoice_email: EmailStr | None = None
    buyer_reference: Line100 | None = None
    language: Language = Language.sv

    @model_validator(mode="after")
    def _policy_shape(self) -> Self:
        if self.kind is OrganisationKind.partner and self.partner_level is None:
            raise ValueError("a partner needs partner_level: registered or authorized")
        if self.kind is not OrganisationKind.partner and self.partner_level is not None:
            raise ValueError("only partners have a partner_level")
        if self.kind is not OrganisationKind.municipality and self.population is not None:
            raise ValueError("only municipalities have a population")
        try:
            self.organisation_number, self.vat_number = check_tax_identity(
                self.country_code, self.organisation_number, self.vat_number
            )
        except TaxIdentityError as exc:
            raise ValueError(str(exc)) from None
        return self


class OrganisationUpdate(Strict):
    """Left out: unchanged. Null clears the nullable fields only (`X | None`); the rest are NOT NULL."""

    name: Text200 = unchanged()
    partner_level: PartnerLevel = unchanged()
    population: int | None = Field(None, ge=1, le=20_000_000)
    vat_number: VatNumber | None = None
    street: OptText200 = unchanged()
    postal_code: Line20 = unchanged()
    city: Line100 = unchanged()
    invoice_email: EmailStr | None = None
    buyer_reference: Line100 | None = None
    language: Language = unchanged()


class OrganisationRead(Read):
    id: int
    name: str
    kind: OrganisationKind
    partner_level: PartnerLevel | None
    population: int | None
    organisation_number: str | None
    vat_number: str | None
    street: str
    postal_code: str
    city: str
    country_code: str
    invoice_email: str | None
    buyer_reference: str | None
    language: Language
    created_at: dt.datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def tax_scheme(self) -> TaxScheme:
        """domestic (25 % VAT), eu_reverse_charge or outside_eu (not subject to Swedish VAT)."""
        return tax_scheme(self.country_code)


class OrganisationQuery(PageQuery):
    kind: OrganisationKind | None = None
    q: Annotated[str, StringConstraints(max_length=200)] | None = None


class OrganisationPage(BaseModel):
    items: list[OrganisationRead]
    next_cursor: str | None = None


class PartnerCustomerCreate(Strict):
    customer_id: int = Field(ge=1, le=MAX_ID, description="A customer organisation the partner acts for")


class PartnerCustomerRead(BaseModel):
    partner_id: int
    customer_id: int
    customer_name: str
    created_at: dt.datetime


class PartnerCustomerList(BaseModel):
    items: list[PartnerCustomerRead]


# Contacts, applications, licences, staff ------------------------------------------------------------


class ContactCreate(Strict):
    name: Text200
    email: EmailStr
    language: Language = Language.sv
    phone: Line40 | None = None


class ContactUpdate(Strict):
    name: Text200 = unchanged()
    email: EmailStr = unchanged()
    language: Language = unchanged()
    phone: Line40 | None = None
    active: bool = unchanged()


class ContactRead(Read):
    id: int
    organisation_id: int
    name: str
    email: str
    language: Language
    phone: str | None
    active: bool
    created_at: dt.datetime


class ContactList(BaseModel):
    items: list[ContactRead]


InterfaceName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ApplicationCreate(Strict):
    name: Text200
    purpose: Annotated[str, StringConstraints(max_length=2000)] = ""
    in_production: bool = False
    production_date: dt.date | None = Field(
        None, description="the day it went into production; setting it means in production (default: today)"
    )
    interfaces: list[InterfaceName] | None = Field(None, max_length=50, description="the official interfaces it uses")
    forwards_data: bool = False


class ApplicationUpdate(Strict):
    name: Text200 = unchanged()
    purpose: Annotated[str, StringConstraints(max_length=2000)] = unchanged()
    in_production: bool = unchanged()
    production_date: dt.date | None = None
    interfaces: list[InterfaceName] | None = Field(None, max_length=50)
    forwards_data: bool = unchanged()


class ApplicationRead(Read):
    id: int
    organisation_id: int
    name: str
    purpose: str
    in_production: bool
    production_date: dt.date | None = None
    interfaces: list[str] | None = None
    forwards_data: bool
    unlicensed_notified_at: dt.datetime | None = None
    licensed: bool = False
    licence_warning: str | None = None
    created_at: dt.datetime


class ApplicationList(BaseModel):
    items: list[ApplicationRead]


class LicenceCreate(Strict):
    kind: LicenceKind
    application_id: int | None = Field(None, ge=1, le=MAX_ID)
    extends_id: int | None = Field(None, ge=1, le=MAX_ID, description="forwarding: the base licence it extends")
    covers_forwarding: bool = False
    covers_applications: int | None = Field(
        None, ge=1, le=10_000, description="population tier: how many production applications"
    )
    valid_from_date: dt.date
    valid_until_date: dt.date | None = None

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.kind is LicenceKind.per_application and self.application_id is None:
            raise ValueError("a per_application licence names its application_id")
        if self.kind is not LicenceKind.per_application and self.application_id is not None:
            raise ValueError("only a per_application licence names an application; leave application_id out")
        if (self.kind is LicenceKind.forwarding) != (self.extends_id is not None):
            raise ValueError("a forwarding licence (and only one) names the base licence it extends (extends_id)")
        if self.valid_until_date is not None and self.valid_until_date < self.valid_from_date:
            raise ValueError("valid_until_date is before valid_from_date")
        return self


class LicenceRead(Read):
    id: int
    organisation_id: int
    kind: LicenceKind
    application_id: int | None
    covers_forwarding: bool
    covers_applications: int | None = None
    extends_id: int | None = None
    reseller_id: int | None = None
    purpose: str | None = None
    valid_from_date: dt.date
    valid_until_date: dt.date | None
    created_at: dt.datetime


class LicenceList(BaseModel):
    items: list[LicenceRead]


class StaffCreate(Strict):
    name: Text200
    email: EmailStr
    is_lead: bool = False


class StaffRead(Read):
    id: int
    name: str
    email: str
    is_lead: bool
    active: bool


class StaffList(BaseModel):
    items: list[StaffRead]


# Tokens ----------------------------------------------------------------------------------------------

STAFF_ID = (
    "The staff member the token acts as: time it logs and approves is theirs. A support or admin token "
    "without one cannot log or approve time."
)


class TokenCreate(Strict):
    name: Text200
    role: Role
    organisation_id: int | None = Field(None, ge=1, le=MAX_ID)
    staff_id: int | None = Field(None, ge=1, le=MAX_ID, description=STAFF_ID)
    expires_at: Instant | None = None

    @model_validator(mode="after")
    def _scope(self) -> Self:
        if self.role is Role.integrator and self.organisation_id is None:
            raise ValueError("an integrator token is scoped to one organisation: give organisation_id")
        if self.role is not Role.integrator and self.organisation_id is not None:
            raise ValueError("only integrator tokens are scoped to an organisation")
        return self


class TokenRead(Read):
    id: int
    name: str
    role: Role
    prefix: str
    organisation_id: int | None
    staff_id: int | None = Field(description=STAFF_ID)
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenRead):
    token: str = Field(description="The bearer token. Shown once; only its hash is stored.")


class TokenList(BaseModel):
    items: list[TokenRead]
