"""Request and response models of the partner programme: TRIP applications and decisions, documentation
access, partner agreements, interface change notices and the report of unlicensed production applications."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Self

from pydantic import BaseModel, EmailStr, Field, StringConstraints, model_validator

from core.http import MAX_ID
from core.schemas import Read, Strict
from support.models import Language, OrganisationKind
from support.programme.models import ApplicationDecision

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]


class ApplicantOrganisation(Strict):
    name: Text200
    kind: OrganisationKind = OrganisationKind.partner
    organisation_number: Annotated[str, StringConstraints(max_length=32)] | None = None
    country_code: Annotated[str, StringConstraints(pattern="^[A-Z]{2}$")] = "SE"
    language: Language = Language.sv


class ApplicantContact(Strict):
    name: Text200
    email: EmailStr
    language: Language = Language.sv


class PartnerApplicationCreate(Strict):
    """Either an existing organisation and contact (ids), or a new applicant's details."""

    organisation_id: int | None = Field(None, ge=1, le=MAX_ID)
    organisation: ApplicantOrganisation | None = None
    contact_id: int | None = Field(None, ge=1, le=MAX_ID)
    contact: ApplicantContact | None = None
    accepts_integration_policy: bool = Field(
        description="the criterion for approval: the applicant commits "
        "to working for the integration policy being followed"
    )
    motivation: OptionalText = ""

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if (self.organisation_id is None) == (self.organisation is None):
            raise ValueError("give organisation_id or organisation (a new applicant), not both")
        if (self.contact_id is None) == (self.contact is None):
            raise ValueError("give contact_id or contact (a new contact), not both")
        return self


class PartnerDecision(Strict):
    decision: Literal["approved", "declined"]
    reason: OptionalText = ""

    @model_validator(mode="after")
    def _reason(self) -> Self:
        if self.decision == "declined" and not self.reason:
            raise ValueError("a declined application needs a reason")
        return self


class PartnerApplicationRead(Read):
    id: int
    organisation_id: int
    contact_id: int
    ticket_id: int
    ticket_number: str = ""
    motivation: str
    policy_accepted_at: dt.datetime
    policy_version: str
    decision: ApplicationDecision
    decided_at: dt.datetime | None
    decided_by: str | None
    reason: str | None
    created_at: dt.datetime


class PartnerApplicationList(BaseModel):
    items: list[PartnerApplicationRead]


class PartnerApplicationQuery(Strict):
    decision: ApplicationDecision | None = None


class AccessRead(Read):
    id: int
    organisation_id: int
    granted_at: dt.datetime
    granted_by: str
    application_id: int | None
    revoked_at: dt.datetime | None
    revoked_by: str | None
    revoke_reason: str | None


class AccessList(BaseModel):
    items: list[AccessRead]


class AccessRevoke(Strict):
    reason: Reason


class AgreementCreate(Strict):
    valid_from: dt.date
    valid_until: dt.date | None = None
    may_resell: bool = False
    note: OptionalText = ""

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


class AgreementRead(BaseModel):
    id: int
    organisation_id: int
    valid_from: dt.date
    valid_until: dt.date | None
    may_resell: bool
    note: str
    created_by: str
    created_at: dt.datetime


class AgreementList(BaseModel):
    items: list[AgreementRead]


class NoticeCreate(Strict):
    interface: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    change: Reason = Field(description="what changes")
    effective_date: dt.date
    override_reason: Reason | None = Field(
        None,
        description="required when the notice is shorter than the minimum lead time (TRIPDESK_NOTICE_MIN_LEAD_DAYS)",
    )


class NoticeRead(BaseModel):
    id: int
    reference: str
    interface: str
    change: str
    effective_date: dt.date
    published_at: dt.datetime
    published_by: str
    lead_time_days: int
    override_reason: str | None
    recipients: int


class NoticeList(BaseModel):
    items: list[NoticeRead]


class NoticeQuery(Strict):
    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    interface: Annotated[str, StringConstraints(max_length=100)] | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    limit: int = Field(50, ge=1, le=200)


class UnlicensedApplication(BaseModel):
    application_id: int
    name: str
    organisation_id: int
    organisation_name: str
    production_date: dt.date | None
    forwards_data: bool
    reason: str
    notified_at: dt.datetime | None


class UnlicensedReport(BaseModel):
    on: dt.date
    items: list[UnlicensedApplication]


class UnlicensedQuery(Strict):
    organisation_id: int | None = Field(None, ge=1, le=MAX_ID)
    on: dt.date | None = None
