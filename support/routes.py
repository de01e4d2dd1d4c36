"""HTTP endpoints for the customer directory (organisations, contacts, applications, licences), staff
and tokens. Parse → one service call → render; no ORM here."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.auth import Principal, Role
from core.http import JSON, operation, path_int, read_body, service_call
from support import partners, schemas, service

ADMIN = (Role.admin,)
STAFF_WRITE = (Role.admin, Role.support)
ANY = tuple(Role)


ORGS = ("organisations",)
ORG_ID = "organisation_id"

list_organisations = service_call(
    "List organisations",
    service.list_organisations,
    query=schemas.OrganisationQuery,
    response=schemas.OrganisationPage,
    item=schemas.OrganisationRead,
    roles=ANY,
    tags=ORGS,
    doc="Integrators see only their own organisation.",
)
create_organisation = service_call(
    "Create an organisation",
    service.create_organisation,
    body=schemas.OrganisationCreate,
    principal=False,
    response=schemas.OrganisationRead,
    status=201,
    roles=STAFF_WRITE,
    tags=ORGS,
)
get_organisation = service_call(
    "Get an organisation",
    service.get_organisation,
    path_id=ORG_ID,
    response=schemas.OrganisationRead,
    roles=ANY,
    tags=ORGS,
)
update_organisation = service_call(
    "Update an organisation",
    service.update_organisation,
    path_id=ORG_ID,
    body=schemas.OrganisationUpdate,
    response=schemas.OrganisationRead,
    roles=STAFF_WRITE,
    tags=ORGS,
)
list_contacts = service_call(
    "List an organisation's contacts",
    service.list_contacts,
    path_id=ORG_ID,
    response=schemas.ContactList,
    item=schemas.ContactRead,
    roles=ANY,
    tags=ORGS,
)
create_contact = service_call(
    "Add a contact",
    service.create_contact,
    path_id=ORG_ID,
    body=schemas.ContactCreate,
    response=schemas.ContactRead,
    status=201,
    roles=STAFF_WRITE,
    tags=ORGS,
)
get_contact = service_call(
    "Get a contact",
    service.get_contact,
    path_id=ORG_ID,
    path_ids=("contact_id",),
    response=schemas.ContactRead,
    roles=ANY,
    tags=ORGS,
)
update_contact = service_call(
    "Update a contact",
    service.update_contact,
    path_id=ORG_ID,
    path_ids=("contact_id",),
    body=schemas.ContactUpdate,
    response=schemas.ContactRead,
    roles=STAFF_WRITE,
    tags=ORGS,
)
list_applications = service_call(
    "List an organisation's applications",
    service.list_applications,
    path_id=ORG_ID,
    response=schemas.ApplicationList,
    roles=ANY,
    tags=ORGS,
)
create_application = service_call(
    "Register an application",
    service.create_application,
    path_id=ORG_ID,
    body=schemas.ApplicationCreate,
    response=schemas.ApplicationRead,
    status=201,
    roles=STAFF_WRITE,
    tags=ORGS,
)
get_application = service_call(
    "Get an application (with its licence warning)",
    service.read_application,
    path_id=ORG_ID,
    path_ids=("application_id",),
    response=schemas.ApplicationRead,
    roles=ANY,
    tags=ORGS,
    name="get_application",
)
update_application = service_call(
    "Update an application",
    service.update_application,
    path_id=ORG_ID,
    path_ids=("application_id",),
    body=schemas.ApplicationUpdate,
    response=schemas.ApplicationRead,
    roles=STAFF_WRITE,
    tags=ORGS,
)
list_licences = service_call(
    "List an organisation's licences",
    service.list_licences,
    path_id=ORG_ID,
    response=schemas.LicenceList,
    item=schemas.LicenceRead,
    roles=ANY,
    tags=ORGS,
)
create_licence = service_call(
    "Add a licence",
    service.create_licence,
    path_id=ORG_ID,
    body=schemas.LicenceCreate,
    response=schemas.LicenceRead,
    status=201,
    roles=STAFF_WRITE,
    tags=ORGS,
)
list_partner_customers = service_call(
    "List the customers a partner acts for",
    partners.list_customers,
    path_id="partner_id",
    response=schemas.PartnerCustomerList,
    roles=ANY,
    tags=ORGS,
    name="list_partner_customers",
    doc="Staff see every partner's customers; a partner's integrator sees its own.",
)
add_partner_customer = service_call(
    "Record a customer the partner acts for",
    partners.add_customer,
    path_id="partner_id",
    body=schemas.PartnerCustomerCreate,
    response=schemas.PartnerCustomerRead,
    status=201,
    roles=ADMIN,
    tags=ORGS,
    name="add_partner_customer",
    doc="""From then on the partner's contacts may open tickets billed to that customer and name its
    applications.""",
)
remove_partner_customer = service_call(
    "Stop a partner acting for a customer",
    partners.remove_customer,
    path_id="partner_id",
    path_ids=("customer_id",),
    status=204,
    roles=ADMIN,
    tags=ORGS,
    name="remove_partner_customer",
    doc="Tickets already billed to the customer stay as they are.",
)
list_staff = service_call(
    "List staff",
    service.list_staff,
    principal=False,
    response=schemas.StaffList,
    item=schemas.StaffRead,
    roles=(Role.admin, Role.support, Role.finance),
    tags=("staff",),
)
create_staff = service_call(
    "Add a staff member",
    service.create_staff,
    body=schemas.StaffCreate,
    principal=False,
    response=schemas.StaffRead,
    status=201,
    roles=ADMIN,
    tags=("staff",),
)
list_tokens = service_call(
    "List API tokens",
    service.list_tokens,
    principal=False,
    response=schemas.TokenList,
    item=schemas.TokenRead,
    roles=ADMIN,
    tags=("tokens",),
)


@operation(
    "Create an API token (shown once)",
    roles=ADMIN,
    body=schemas.TokenCreate,
    response=schemas.TokenCreated,
    status=201,
    tags=("tokens",),
)
async def create_token(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.TokenCreate)
    row, token = await service.create_token(**data.model_dump())
    read = schemas.TokenRead.model_validate(row)
    return JSON(schemas.TokenCreated(**read.model_dump(), token=token), status_code=201)


@operation("Revoke an API token", roles=ADMIN, response=schemas.TokenRead, tags=("tokens",))
async def revoke_token(request: Request, principal: Principal) -> Response:
    row = await service.revoke_token(token_id=path_int(request))
    request.app.state.token_cache.clear()
    return JSON(schemas.TokenRead.model_validate(row))


routes = [
    Route("/organisations", list_organisations, methods=["GET"]),
    Route("/organisations", create_organisation, methods=["POST"]),
    Route("/organisations/{id:int}", get_organisation, methods=["GET"]),
    Route("/organisations/{id:int}", update_organisation, methods=["PATCH"]),
    Route("/organisations/{id:int}/contacts", list_contacts, methods=["GET"]),
    Route("/organisations/{id:int}/contacts", create_contact, methods=["POST"]),
    Route("/organisations/{id:int}/contacts/{contact_id:int}", get_contact, methods=["GET"]),
    Route("/organisations/{id:int}/contacts/{contact_id:int}", update_contact, methods=["PATCH"]),
    Route("/organisations/{id:int}/applications", list_applications, methods=["GET"]),
    Route("/organisations/{id:int}/applications", create_application, methods=["POST"]),
    Route("/organisations/{id:int}/applications/{application_id:int}", get_application, methods=["GET"]),
    Route("/organisations/{id:int}/applications/{application_id:int}", update_application, methods=["PATCH"]),
    Route("/organisations/{id:int}/licences", list_licences, methods=["GET"]),
    Route("/organisations/{id:int}/licences", create_licence, methods=["POST"]),
    Route("/organisations/{id:int}/customers", list_partner_customers, methods=["GET"]),
    Route("/organisations/{id:int}/customers", add_partner_customer, methods=["POST"]),
    Route("/organisations/{id:int}/customers/{customer_id:int}", remove_partner_customer, methods=["DELETE"]),
    Route("/staff", list_staff, methods=["GET"]),
    Route("/staff", create_staff, methods=["POST"]),
    Route("/tokens", list_tokens, methods=["GET"]),
    Route("/tokens", create_token, methods=["POST"]),
    Route("/tokens/{id:int}/revoke", revoke_token, methods=["POST"]),
]
