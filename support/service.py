"""Use cases for the customer directory: organisations, contacts, applications, licences, staff, tokens.

Licensing rule (SPEC §1, support/licensing.py): an application that uses the interfaces in production
needs a fitting licence from its production date; none is needed in development. Taking an application
into production without one emails the organisation's contacts, once.
"""

from __future__ import annotations

import datetime as dt

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core.auth import Principal, Role
from core.errors import DomainError, InvalidInput
from core.locking import M, first_or
from core.pagination import keyset_page
from support import access, schemas
from support.auth import hash_token, new_token
from support.errors import (
    ApplicationNotFound,
    ContactNotFound,
    DuplicateContact,
    DuplicateOrganisation,
    DuplicateStaff,
    InvalidReference,
    OrganisationNotFound,
    StaffNotFound,
    TokenNotFound,
)
from support.licensing import add_licence, base_licence, licence_warning_for, notify_if_unlicensed
from support.models import ApiToken, Application, Contact, Licence, Organisation, Staff
from support.tax_scheme import TaxIdentityError, check_tax_identity
from support.timetracking.settings import business_today


async def get_organisation(*, principal: Principal, organisation_id: int) -> Organisation:
    organisation = await Organisation.filter(access.visible_organisations(principal), id=organisation_id).first()
    if organisation is None:
        raise OrganisationNotFound(f"organisation {organisation_id} not found")
    return organisation


async def _organisation_row(
    principal: Principal, organisation_id: int, model: type[M], row_id: int, missing: DomainError
) -> M:
    """A row of one organisation (a contact, an application): the organisation must be one the principal
    sees, and the row must belong to it; anything else is the same 404 as a missing row."""
    await get_organisation(principal=principal, organisation_id=organisation_id)
    return await first_or(model.filter(id=row_id, organisation_id=organisation_id), missing)


async def create_organisation(*, data: schemas.OrganisationCreate) -> Organisation:
    """One organisation per organisation number and country (a unique constraint decides between racing
    creators): a second record of the same company would split its tickets, agreements and invoices."""
    number, country = data.organisation_number, data.country_code
    if number is not None and await Organisation.exists(organisation_number=number, country_code=country):
        raise DuplicateOrganisation(f"an organisation with number {number} ({country}) already exists")
    try:
        async with in_transaction():
            return await Organisation.create(**data.model_dump())
    except IntegrityError:
        raise DuplicateOrganisation(f"an organisation with number {number} ({country}) already exists") from None


async def update_organisation(
    *, principal: Principal, organisation_id: int, data: schemas.OrganisationUpdate
) -> Organisation:
    async with in_transaction():
        organisation = await get_organisation(principal=principal, organisation_id=organisation_id)
        changes = data.model_dump(exclude_unset=True)
        if (
            "population" in changes
            and organisation.kind not in ("municipality", "federation")
            and changes["population"] is not None
        ):
            raise InvalidReference("only municipalities and federations have a population")
        if "partner_level" in changes and organisation.kind != "partner":
            raise InvalidReference("only partners have a partner_level")
        if "vat_number" in changes:
            changes["vat_number"] = _checked_vat_number(organisation, changes["vat_number"])
        for key, value in changes.items():
            setattr(organisation, key, value)
        await organisation.save()
    return organisation


def _checked_vat_number(organisation: Organisation, vat_number: str | None) -> str | None:
    """The new VAT number must fit the organisation's tax scheme (an EU buyer cannot drop it): 422."""
    try:
        return check_tax_identity(organisation.country_code, organisation.organisation_number, vat_number)[1]
    except TaxIdentityError as exc:
        raise InvalidInput(str(exc), code="invalid_tax_identity") from None


async def list_organisations(
    *, principal: Principal, query: schemas.OrganisationQuery
) -> tuple[list[Organisation], str | None]:
    rows = Organisation.filter(access.visible_organisations(principal))
    if query.kind is not None:
        rows = rows.filter(kind=query.kind)
    if query.q:
        rows = rows.filter(Q(name__icontains=query.q) | Q(organisation_number__icontains=query.q))
    return await keyset_page(rows, query.limit, query.cursor)


# Contacts --------------------------------------------------------------------------------------------


async def create_contact(*, principal: Principal, organisation_id: int, data: schemas.ContactCreate) -> Contact:
    await get_organisation(principal=principal, organisation_id=organisation_id)
    try:
        async with in_transaction():
            return await Contact.create(organisation_id=organisation_id, **data.model_dump())
    except IntegrityError:
        raise DuplicateContact(f"{data.email} is already a contact of this organisation") from None


async def list_contacts(*, principal: Principal, organisation_id: int) -> list[Contact]:
    await get_organisation(principal=principal, organisation_id=organisation_id)
    return await Contact.filter(organisation_id=organisation_id).order_by("id")


async def get_contact(*, principal: Principal, organisation_id: int, contact_id: int) -> Contact:
    missing = ContactNotFound(f"contact {contact_id} not found")
    return await _organisation_row(principal, organisation_id, Contact, contact_id, missing)


async def update_contact(
    *, principal: Principal, organisation_id: int, contact_id: int, data: schemas.ContactUpdate
) -> Contact:
    contact = await get_contact(principal=principal, organisation_id=organisation_id, contact_id=contact_id)
    for key, value in data.model_dump(exclude_unset=True).items():
        setattr(contact, key, value)
    try:
        async with in_transaction():
            await contact.save()
    except IntegrityError:
        raise DuplicateContact("that email is already a contact of this organisation") from None
    return contact


# Applications and licences ---------------------------------------------------------------------------


async def _application_read(application: Application) -> schemas.ApplicationRead:
    warning = await licence_warning_for(application)
    read = schemas.ApplicationRead.model_validate(application)
    licensed = warning is None and application.in_production
    return read.model_copy(update={"licence_warning": warning, "licensed": licensed})


async def create_application(
    *, principal: Principal, organisation_id: int, data: schemas.ApplicationCreate
) -> schemas.ApplicationRead:
    async with in_transaction():
        await get_organisation(principal=principal, organisation_id=organisation_id)
        application = Application(organisation_id=organisation_id, **data.model_dump())
        _production_date(application)
        await application.save()
        if application.in_production:
            await notify_if_unlicensed(application)
    return await _application_read(application)


def _production_date(application: Application) -> None:
    """A production date means production; production without a date records today as the date. Back to
    development clears the date (the licence is due again from the next production date)."""
    if application.production_date is not None:
        application.in_production = True
    elif application.in_production:
        application.production_date = business_today()


async def _application(*, principal: Principal, organisation_id: int, application_id: int) -> Application:
    missing = ApplicationNotFound(f"application {application_id} not found")
    return await _organisation_row(principal, organisation_id, Application, application_id, missing)


async def get_application(
    *, principal: Principal, organisation_id: int, application_id: int
) -> schemas.ApplicationRead:
    application = await _application(
        principal=principal, organisation_id=organisation_id, application_id=application_id
    )
    return await _application_read(application)


async def update_application(
    *, principal: Principal, organisation_id: int, application_id: int, data: schemas.ApplicationUpdate
) -> schemas.ApplicationRead:
    async with in_transaction():
        application = await _application(
            principal=principal, organisation_id=organisation_id, application_id=application_id
        )
        was_in_production = application.in_production
        changes = data.model_dump(exclude_unset=True)
        if changes.get("in_production") is False and "production_date" not in changes:
            changes["production_date"] = None
        for key, value in changes.items():
            setattr(application, key, value)
        _production_date(application)
        await application.save()
        if application.in_production and not was_in_production:
            await notify_if_unlicensed(application)
    return await _application_read(application)


async def list_applications(*, principal: Principal, organisation_id: int) -> list[schemas.ApplicationRead]:
    await get_organisation(principal=principal, organisation_id=organisation_id)
    return [
        await _application_read(a) for a in await Application.filter(organisation_id=organisation_id).order_by("id")
    ]


async def create_licence(*, principal: Principal, organisation_id: int, data: schemas.LicenceCreate) -> Licence:
    await get_organisation(principal=principal, organisation_id=organisation_id)
    if data.application_id is not None:
        await _application(principal=principal, organisation_id=organisation_id, application_id=data.application_id)
    if data.extends_id is not None:
        await base_licence(organisation_id=organisation_id, licence_id=data.extends_id)
    return await add_licence(organisation_id=organisation_id, **data.model_dump())


async def list_licences(*, principal: Principal, organisation_id: int) -> list[Licence]:
    await get_organisation(principal=principal, organisation_id=organisation_id)
    return await Licence.filter(organisation_id=organisation_id).order_by("id")


# Staff and tokens ------------------------------------------------------------------------------------


async def create_staff(*, data: schemas.StaffCreate) -> Staff:
    try:
        async with in_transaction():
            return await Staff.create(**data.model_dump())
    except IntegrityError:
        raise DuplicateStaff(f"{data.email} is already a staff member") from None


async def list_staff() -> list[Staff]:
    return await Staff.all().order_by("id")


async def get_staff(*, staff_id: int) -> Staff:
    staff = await Staff.get_or_none(id=staff_id)
    if staff is None:
        raise StaffNotFound(f"staff {staff_id} not found")
    return staff


async def create_token(
    *,
    name: str,
    role: Role,
    organisation_id: int | None = None,
    staff_id: int | None = None,
    expires_at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; the clear token is returned once and never stored."""
    if organisation_id is not None and not await Organisation.exists(id=organisation_id):
        raise InvalidReference(f"organisation {organisation_id} does not exist")
    if staff_id is not None and not await Staff.exists(id=staff_id):
        raise InvalidReference(f"staff {staff_id} does not exist")
    if expires_at is not None and expires_at.tzinfo is None:
        raise InvalidReference("expires_at needs a time zone (e.g. 2027-01-01T00:00:00Z)")
    token = new_token()
    row = await ApiToken.create(
        name=name,
        role=role,
        token_hash=hash_token(token),
        prefix=token[:10],
        organisation_id=organisation_id,
        staff_id=staff_id,
        expires_at=expires_at,
    )
    return row, token


async def list_tokens() -> list[ApiToken]:
    return await ApiToken.all().order_by("id")


async def revoke_token(*, token_id: int) -> ApiToken:
    async with in_transaction():
        row = await ApiToken.get_or_none(id=token_id)
        if row is None:
            raise TokenNotFound(f"token {token_id} not found")
        if row.revoked_at is None:
            row.revoked_at = dt.datetime.now(dt.UTC)
            await row.save(update_fields=["revoked_at"])
    return row
