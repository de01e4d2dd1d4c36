"""HTTP endpoints for the customer directory (organisations, contacts, applications, licences), staff
and tokens. Parse → one service call → render; no ORM here."""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response

from core.auth import STAFF_ROLES, Principal, Role
from core.endpoints import Endpoints, handler
from core.http import JSON, path_int, read_body
from support import partners, schemas, service

ADMIN = (Role.admin,)
STAFF_WRITE = (Role.admin, Role.support)
ANY = tuple(Role)

orgs = Endpoints(
    tags=("organisations",), reads=ANY, writes=STAFF_WRITE, id_as="organisation_id", prefix="/organisations"
)
contacts = replace(orgs, prefix="/organisations/{id:int}/contacts")
applications = replace(orgs, prefix="/organisations/{id:int}/applications")
licences = replace(orgs, prefix="/organisations/{id:int}/licences")
partner_customers = Endpoints(
    tags=("organisations",), reads=ANY, writes=ADMIN, id_as="partner_id", prefix="/organisations/{id:int}/customers"
)
staff = Endpoints(tags=("staff",), reads=STAFF_ROLES, writes=ADMIN)
tokens = Endpoints(tags=("tokens",), reads=ADMIN)


@handler
async def create_token(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.TokenCreate)
    row, token = await service.create_token(**data.model_dump())
    read = schemas.TokenRead.model_validate(row)
    return JSON(schemas.TokenCreated(**read.model_dump(), token=token), status_code=201)


@handler
async def revoke_token(request: Request, principal: Principal) -> Response:
    row = await service.revoke_token(token_id=path_int(request))
    request.app.state.token_cache.clear()
    return JSON(schemas.TokenRead.model_validate(row))


routes = [
    orgs.get(
        "",
        "List organisations",
        service.list_organisations,
        schemas.OrganisationPage,
        doc="Integrators see only their own organisation.",
    ),
    orgs.create("", "Create an organisation", service.create_organisation, schemas.OrganisationRead),
    orgs.get("/{id:int}", "Get an organisation", service.get_organisation, schemas.OrganisationRead),
    orgs.patch("/{id:int}", "Update an organisation", service.update_organisation, schemas.OrganisationRead),
    contacts.get("", "List an organisation's contacts", service.list_contacts, schemas.ContactList),
    contacts.create("", "Add a contact", service.create_contact, schemas.ContactRead),
    contacts.get("/{contact_id:int}", "Get a contact", service.get_contact, schemas.ContactRead),
    contacts.patch("/{contact_id:int}", "Update a contact", service.update_contact, schemas.ContactRead),
    applications.get("", "List an organisation's applications", service.list_applications, schemas.ApplicationList),
    applications.create("", "Register an application", service.create_application, schemas.ApplicationRead),
    applications.get(
        "/{application_id:int}",
        "Get an application (with its licence warning)",
        service.get_application,
        schemas.ApplicationRead,
    ),
    applications.patch(
        "/{application_id:int}", "Update an application", service.update_application, schemas.ApplicationRead
    ),
    licences.get("", "List an organisation's licences", service.list_licences, schemas.LicenceList),
    licences.create("", "Add a licence", service.create_licence, schemas.LicenceRead),
    partner_customers.get(
        "",
        "List the customers a partner acts for",
        partners.list_partner_customers,
        schemas.PartnerCustomerList,
        doc="Staff see every partner's customers; a partner's integrator sees its own.",
    ),
    partner_customers.create(
        "",
        "Record a customer the partner acts for",
        partners.add_partner_customer,
        schemas.PartnerCustomerRead,
        doc="""From then on the partner's contacts may open tickets billed to that customer and name its
    applications.""",
    ),
    partner_customers.delete(
        "/{customer_id:int}",
        "Stop a partner acting for a customer",
        partners.remove_partner_customer,
        doc="Tickets already billed to the customer stay as they are.",
    ),
    staff.get("/staff", "List staff", service.list_staff, schemas.StaffList),
    staff.create("/staff", "Add a staff member", service.create_staff, schemas.StaffRead),
    tokens.get("/tokens", "List API tokens", service.list_tokens, schemas.TokenList),
    tokens.create(
        "/tokens", "Create an API token (shown once)", create_token, schemas.TokenCreated, body=schemas.TokenCreate
    ),
    tokens.post("/tokens/{id:int}/revoke", "Revoke an API token", revoke_token, schemas.TokenRead),
]
