"""HTTP endpoints for the customer directory (organisations, contacts, applications, licences), staff
and tokens. Parse → one service call → render; no ORM here."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.auth import Principal, Role
from core.http import JSON, operation, path_int, read_body, read_query
from support import partners, schemas, service

ADMIN = (Role.admin,)
STAFF_WRITE = (Role.admin, Role.support)
ANY = tuple(Role)


@operation("List organisations", roles=ANY, query=schemas.OrganisationQuery,
           response=schemas.OrganisationPage, tags=("organisations",))
async def list_organisations(request: Request, principal: Principal) -> Response:
    """Integrators see only their own organisation."""
    query = read_query(request, schemas.OrganisationQuery)
    rows, cursor = await service.list_organisations(principal=principal, query=query)
    return JSON(schemas.OrganisationPage(items=[schemas.OrganisationRead.model_validate(r) for r in rows],
                                         next_cursor=cursor))


@operation("Create an organisation", roles=STAFF_WRITE, body=schemas.OrganisationCreate,
           response=schemas.OrganisationRead, status=201, tags=("organisations",))
async def create_organisation(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.OrganisationCreate)
    organisation = await service.create_organisation(data=data)
    return JSON(schemas.OrganisationRead.model_validate(organisation), status_code=201)


@operation("Get an organisation", roles=ANY, response=schemas.OrganisationRead, tags=("organisations",))
async def get_organisation(request: Request, principal: Principal) -> Response:
    organisation = await service.get_organisation(principal=principal, organisation_id=path_int(request))
    return JSON(schemas.OrganisationRead.model_validate(organisation))


@operation("Update an organisation", roles=STAFF_WRITE, body=schemas.OrganisationUpdate,
           response=schemas.OrganisationRead, tags=("organisations",))
async def update_organisation(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.OrganisationUpdate)
    organisation = await service.update_organisation(principal=principal, organisation_id=path_int(request),
                                                     data=data)
    return JSON(schemas.OrganisationRead.model_validate(organisation))


@operation("List an organisation's contacts", roles=ANY, response=schemas.ContactList, tags=("organisations",))
async def list_contacts(request: Request, principal: Principal) -> Response:
    rows = await service.list_contacts(principal=principal, organisation_id=path_int(request))
    return JSON(schemas.ContactList(items=[schemas.ContactRead.model_validate(r) for r in rows]))


@operation("Add a contact", roles=STAFF_WRITE, body=schemas.ContactCreate, response=schemas.ContactRead,
           status=201, tags=("organisations",))
async def create_contact(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.ContactCreate)
    contact = await service.create_contact(principal=principal, organisation_id=path_int(request), data=data)
    return JSON(schemas.ContactRead.model_validate(contact), status_code=201)


@operation("Get a contact", roles=ANY, response=schemas.ContactRead, tags=("organisations",))
async def get_contact(request: Request, principal: Principal) -> Response:
    contact = await service.get_contact(principal=principal, organisation_id=path_int(request),
                                        contact_id=path_int(request, "contact_id"))
    return JSON(schemas.ContactRead.model_validate(contact))


@operation("Update a contact", roles=STAFF_WRITE, body=schemas.ContactUpdate, response=schemas.ContactRead,
           tags=("organisations",))
async def update_contact(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.ContactUpdate)
    contact = await service.update_contact(principal=principal, organisation_id=path_int(request),
                                           contact_id=path_int(request, "contact_id"), data=data)
    return JSON(schemas.ContactRead.model_validate(contact))


@operation("List an organisation's applications", roles=ANY, response=schemas.ApplicationList,
           tags=("organisations",))
async def list_applications(request: Request, principal: Principal) -> Response:
    rows = await service.list_applications(principal=principal, organisation_id=path_int(request))
    return JSON(schemas.ApplicationList(items=rows))


@operation("Register an application", roles=STAFF_WRITE, body=schemas.ApplicationCreate,
           response=schemas.ApplicationRead, status=201, tags=("organisations",))
async def create_application(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.ApplicationCreate)
    read = await service.create_application(principal=principal, organisation_id=path_int(request), data=data)
    return JSON(read, status_code=201)


@operation("Get an application (with its licence warning)", roles=ANY, response=schemas.ApplicationRead,
           tags=("organisations",))
async def get_application(request: Request, principal: Principal) -> Response:
    read = await service.read_application(principal=principal, organisation_id=path_int(request),
                                          application_id=path_int(request, "application_id"))
    return JSON(read)


@operation("Update an application", roles=STAFF_WRITE, body=schemas.ApplicationUpdate,
           response=schemas.ApplicationRead, tags=("organisations",))
async def update_application(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.ApplicationUpdate)
    read = await service.update_application(principal=principal, organisation_id=path_int(request),
                                            application_id=path_int(request, "application_id"), data=data)
    return JSON(read)


@operation("List an organisation's licences", roles=ANY, response=schemas.LicenceList, tags=("organisations",))
async def list_licences(request: Request, principal: Principal) -> Response:
    rows = await service.list_licences(principal=principal, organisation_id=path_int(request))
    return JSON(schemas.LicenceList(items=[schemas.LicenceRead.model_validate(r) for r in rows]))


@operation("Add a licence", roles=STAFF_WRITE, body=schemas.LicenceCreate, response=schemas.LicenceRead,
           status=201, tags=("organisations",))
async def create_licence(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.LicenceCreate)
    licence = await service.create_licence(principal=principal, organisation_id=path_int(request), data=data)
    return JSON(schemas.LicenceRead.model_validate(licence), status_code=201)


@operation("List the customers a partner acts for", roles=ANY, response=schemas.PartnerCustomerList,
           tags=("organisations",))
async def list_partner_customers(request: Request, principal: Principal) -> Response:
    """Staff see every partner's customers; a partner's integrator sees its own."""
    rows = await partners.list_customers(principal=principal, partner_id=path_int(request))
    return JSON(schemas.PartnerCustomerList(items=rows))


@operation("Record a customer the partner acts for", roles=ADMIN, body=schemas.PartnerCustomerCreate,
           response=schemas.PartnerCustomerRead, status=201, tags=("organisations",))
async def add_partner_customer(request: Request, principal: Principal) -> Response:
    """From then on the partner's contacts may open tickets billed to that customer and name its
    applications."""
    data = await read_body(request, schemas.PartnerCustomerCreate)
    read = await partners.add_customer(principal=principal, partner_id=path_int(request), data=data)
    return JSON(read, status_code=201)


@operation("Stop a partner acting for a customer", roles=ADMIN, status=204, tags=("organisations",))
async def remove_partner_customer(request: Request, principal: Principal) -> Response:
    """Tickets already billed to the customer stay as they are."""
    await partners.remove_customer(principal=principal, partner_id=path_int(request),
                                   customer_id=path_int(request, "customer_id"))
    return Response(status_code=204)


@operation("List staff", roles=(Role.admin, Role.support, Role.finance), response=schemas.StaffList,
           tags=("staff",))
async def list_staff(request: Request, principal: Principal) -> Response:
    rows = await service.list_staff()
    return JSON(schemas.StaffList(items=[schemas.StaffRead.model_validate(r) for r in rows]))


@operation("Add a staff member", roles=ADMIN, body=schemas.StaffCreate, response=schemas.StaffRead,
           status=201, tags=("staff",))
async def create_staff(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.StaffCreate)
    staff = await service.create_staff(data=data)
    return JSON(schemas.StaffRead.model_validate(staff), status_code=201)


@operation("List API tokens", roles=ADMIN, response=schemas.TokenList, tags=("tokens",))
async def list_tokens(request: Request, principal: Principal) -> Response:
    rows = await service.list_tokens()
    return JSON(schemas.TokenList(items=[schemas.TokenRead.model_validate(r) for r in rows]))


@operation("Create an API token (shown once)", roles=ADMIN, body=schemas.TokenCreate,
           response=schemas.TokenCreated, status=201, tags=("tokens",))
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
