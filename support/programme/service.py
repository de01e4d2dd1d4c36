"""Use cases of TRIP registration and partner status (SPEC §4).

- Applying: anyone (a customer or a third-party integrator) applies through Support, with an organisation,
  a contact and the acceptance of the integration policy, which the criterion for approval requires (no
  acceptance: 422). The application opens a ticket of its own kind (`partner_application`): it is never
  classified and no time on it is billed. One pending application per organisation.
- Deciding (once): staff approve or decline with a reason. Approval grants access to the interface
  documentation (a record of who got it when, revocable) and so enrols the organisation for interface change
  notices; a partner organisation becomes a registered partner. The contact is emailed the decision.
- Authorised partner status comes from an agreement (dates, with or without the right to resell).
"""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from core.auth import Principal
from core.errors import Conflict, InvalidInput, NotFound
from core.locking import first_locked
from support import access
from support.contact_mail import email_contact
from support.errors import ContactNotFound, NotAPartner, OrganisationNotFound
from support.licensing import unlicensed_applications
from support.models import (
    ClassificationState,
    Contact,
    Organisation,
    OrganisationKind,
    PartnerLevel,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
)
from support.programme import schemas
from support.programme.models import ApplicationDecision, DocumentationAccess, PartnerAgreement, PartnerApplication
from support.service import get_organisation
from support.tickets import store as ticket_store
from support.timetracking.settings import business_today

POLICY_VERSION = "integrationspolicy-2026"


class PolicyNotAccepted(InvalidInput):
    code = "integration_policy_not_accepted"
    title = "Registration requires accepting the integration policy"


class ApplicationPending(Conflict):
    code = "partner_application_pending"
    title = "The organisation already has an application awaiting a decision"


class AlreadyDecided(Conflict):
    code = "partner_application_decided"
    title = "The application has already been decided"


class PartnerApplicationNotFound(NotFound):
    code = "partner_application_not_found"


class AccessNotFound(NotFound):
    code = "documentation_access_not_found"


async def _applicant(principal: Principal, data: schemas.PartnerApplicationCreate) -> tuple[Organisation, Contact]:
    if data.organisation_id is not None:
        organisation = await Organisation.filter(
            access.visible_organisations(principal), id=data.organisation_id
        ).first()
        if organisation is None:
            raise OrganisationNotFound(f"organisation {data.organisation_id} not found")
    else:
        if principal.is_integrator:
            raise InvalidInput("an integrator applies for its own organisation (organisation_id)")
        assert data.organisation is not None
        organisation = await Organisation.create(**data.organisation.model_dump())
    if data.contact_id is not None:
        contact = await Contact.get_or_none(id=data.contact_id, organisation_id=organisation.id)
        if contact is None:
            raise ContactNotFound(f"contact {data.contact_id} not found")
    else:
        assert data.contact is not None
        contact = await Contact.get_or_none(
            organisation_id=organisation.id, email=data.contact.email
        ) or await Contact.create(organisation_id=organisation.id, **data.contact.model_dump())
    return organisation, contact


async def apply_for_partnership(
    *, principal: Principal, data: schemas.PartnerApplicationCreate
) -> schemas.PartnerApplicationRead:
    if not data.accepts_integration_policy:
        raise PolicyNotAccepted("the applicant must accept the integration policy (accepts_integration_policy)")
    now = dt.datetime.now(dt.UTC)
    async with in_transaction():
        organisation, contact = await _applicant(principal, data)
        await Organisation.filter(id=organisation.id).select_for_update().first()
        if await PartnerApplication.exists(organisation_id=organisation.id, decision=ApplicationDecision.pending):
            raise ApplicationPending(f"{organisation.name} already has an application awaiting a decision")
        body = (
            f"{organisation.name} applies to become a registered integration partner (TRIP) and accepts the "
            f"integration policy ({POLICY_VERSION}).\n\n{data.motivation}"
        ).strip()
        opened = await ticket_store.open_ticket(
            contact_id=contact.id,
            organisation_scope=None,
            receipt=None,
            ticket=ticket_store.NewTicket(
                columns={
                    "kind": TicketKind.partner_application.value,
                    "subject": f"TRIP-ansökan: {organisation.name}"[:200],
                    "body": body,
                    "bill_to_id": None,
                    "application_id": None,
                    "category": None,
                    "classification_state": ClassificationState.unclassified.value,
                    "classification_confidence": None,
                    "status": TicketStatus.new.value,
                    "licence_warning": None,
                    "created_at": now,
                    "updated_at": now,
                }
            ),
            events=[
                ticket_store.NewEvent(
                    kind="created",
                    actor=principal.name,
                    actor_token_id=principal.token_id,
                    to_value=TicketStatus.new.value,
                    data={"kind": TicketKind.partner_application.value},
                )
            ],
        )
        if opened.ticket_id is None:
            raise ContactNotFound(f"contact {contact.id} may not open a ticket")
        application = await PartnerApplication.create(
            organisation_id=organisation.id,
            contact_id=contact.id,
            ticket_id=opened.ticket_id,
            motivation=data.motivation,
            policy_accepted_at=now,
            policy_version=POLICY_VERSION,
        )
    return await application_read(application)


async def application_read(application: PartnerApplication) -> schemas.PartnerApplicationRead:
    number = await Ticket.filter(id=application.ticket_id).values_list("number", flat=True)
    read = schemas.PartnerApplicationRead.model_validate(application)
    return read.model_copy(update={"ticket_number": number[0] if number else ""})


async def _application(principal: Principal, application_id: int) -> PartnerApplication:
    application = await PartnerApplication.filter(
        access.visible_partner_applications(principal), id=application_id
    ).first()
    if application is None:
        raise PartnerApplicationNotFound(f"partner application {application_id} not found")
    return application


async def get_partner_application(*, principal: Principal, application_id: int) -> schemas.PartnerApplicationRead:
    return await application_read(await _application(principal, application_id))


async def list_partner_applications(
    *, principal: Principal, query: schemas.PartnerApplicationQuery
) -> list[schemas.PartnerApplicationRead]:
    rows = PartnerApplication.filter(access.visible_partner_applications(principal))
    if query.decision is not None:
        rows = rows.filter(decision=query.decision)
    return [await application_read(a) for a in await rows.order_by("-id").limit(500)]


async def decide_partner_application(
    *, principal: Principal, application_id: int, data: schemas.PartnerDecision
) -> schemas.PartnerApplicationRead:
    """The decision of the module docstring, with its ticket event, access record and email, in one go."""
    now = dt.datetime.now(dt.UTC)
    async with in_transaction():
        await _application(principal, application_id)
        application = await PartnerApplication.filter(id=application_id).select_for_update().first()
        assert application is not None
        if application.decision != ApplicationDecision.pending:
            raise AlreadyDecided(f"application {application.id} was {application.decision} already")
        approved = data.decision == "approved"
        application.decision = ApplicationDecision(data.decision)
        application.decided_at, application.decided_by = now, principal.name
        application.reason = data.reason or None  # type: ignore[assignment]
        await application.save(update_fields=["decision", "decided_at", "decided_by", "reason"])
        organisation = await Organisation.get(id=application.organisation_id)
        if approved:
            await DocumentationAccess.create(
                organisation_id=organisation.id,
                granted_at=now,
                granted_by=principal.name,
                application_id=application.id,
            )
            if organisation.kind == OrganisationKind.partner and organisation.partner_level is None:
                organisation.partner_level = PartnerLevel.registered
                await organisation.save(update_fields=["partner_level"])
        ticket = await Ticket.get(id=application.ticket_id)
        await TicketEvent.create(
            ticket_id=ticket.id,
            kind="partner_application_decided",
            actor=principal.name,
            actor_token_id=principal.token_id,
            from_value=TicketStatus(ticket.status).value,
            to_value=TicketStatus.resolved.value,
            reason=data.reason or None,
            data={"decision": data.decision},
        )
        await Ticket.filter(id=ticket.id).update(status=TicketStatus.resolved, updated_at=now)
        contact = await Contact.get(id=application.contact_id)
        await email_contact(
            contact,
            template="partner_decision",
            dedupe_key=f"partner-application:{application.id}:decision",
            context={
                "organisation_name": organisation.name,
                "approved": approved,
                "reason": data.reason or None,
                "ticket_number": ticket.number,
            },
        )
    return await application_read(application)


async def list_access(*, principal: Principal, organisation_id: int) -> list[DocumentationAccess]:
    await get_organisation(principal=principal, organisation_id=organisation_id)
    return await DocumentationAccess.filter(organisation_id=organisation_id).order_by("id")


async def revoke_access(*, principal: Principal, access_id: int, data: schemas.AccessRevoke) -> DocumentationAccess:
    async with in_transaction():
        access = await first_locked(
            DocumentationAccess.filter(id=access_id), AccessNotFound(f"documentation access {access_id} not found")
        )
        if access.revoked_at is None:
            access.revoked_at, access.revoked_by = dt.datetime.now(dt.UTC), principal.name
            access.revoke_reason = data.reason
            await access.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return access


AGREEMENT_COLUMNS = {"valid_from": "valid_from_date", "valid_until": "valid_until_date"}
"""The agreement's fields stored under another name (the columns of dates end in `_date`)."""


def _agreement_read(row: PartnerAgreement) -> schemas.AgreementRead:
    fields = schemas.AgreementRead.model_fields
    return schemas.AgreementRead.model_validate({f: getattr(row, AGREEMENT_COLUMNS.get(f, f)) for f in fields})


async def create_agreement(
    *, principal: Principal, organisation_id: int, data: schemas.AgreementCreate
) -> schemas.AgreementRead:
    """An agreement makes a partner organisation an authorised partner (the right to resell as it says)."""
    async with in_transaction():
        organisation = await first_locked(
            Organisation.filter(id=organisation_id), OrganisationNotFound(f"organisation {organisation_id} not found")
        )
        if organisation.kind != OrganisationKind.partner:
            raise NotAPartner(f"{organisation.name} is a {organisation.kind}, not a partner organisation")
        columns = {AGREEMENT_COLUMNS.get(name, name): value for name, value in data.model_dump().items()}
        row = await PartnerAgreement.create(organisation_id=organisation_id, created_by=principal.name, **columns)
        if organisation.partner_level != PartnerLevel.authorized:
            organisation.partner_level = PartnerLevel.authorized
            await organisation.save(update_fields=["partner_level"])
    return _agreement_read(row)


async def list_agreements(*, principal: Principal, organisation_id: int) -> list[schemas.AgreementRead]:
    await get_organisation(principal=principal, organisation_id=organisation_id)
    rows = await PartnerAgreement.filter(organisation_id=organisation_id).order_by("valid_from_date", "id")
    return [_agreement_read(r) for r in rows]


async def unlicensed_report(*, principal: Principal, query: schemas.UnlicensedQuery) -> schemas.UnlicensedReport:
    """Production applications without a fitting licence (support/licensing.py); integrators: their own."""
    if query.organisation_id is not None:
        await get_organisation(principal=principal, organisation_id=query.organisation_id)
    on = query.on or business_today()
    found = await unlicensed_applications(
        within=access.visible_applications(principal), organisation_id=query.organisation_id, on=on
    )
    names: dict[int, str] = dict(
        await Organisation.filter(id__in=list({a.organisation_id for a, _ in found})).values_list("id", "name")
    )
    return schemas.UnlicensedReport(
        on=on,
        items=[
            schemas.UnlicensedApplication(
                application_id=a.id,
                name=a.name,
                organisation_id=a.organisation_id,
                organisation_name=names.get(a.organisation_id, ""),
                production_date=a.production_date,
                forwards_data=a.forwards_data,
                reason=reason,
                notified_at=a.unlicensed_notified_at,
            )
            for a, reason in found
        ],
    )
