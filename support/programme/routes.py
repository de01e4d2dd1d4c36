"""HTTP endpoints of the partner programme and licensing reports. Parse → one service call → render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.auth import Principal, Role
from core.http import JSON, operation, path_int, read_body, read_query
from support.programme import notices, schemas, service

STAFF = (Role.admin, Role.support, Role.finance)
STAFF_WRITE = (Role.admin, Role.support)
ADMIN = (Role.admin,)
ANY = tuple(Role)
APPLICANTS = (Role.admin, Role.support, Role.integrator)
TAGS = ("partners",)


@operation("Production applications without a fitting licence (integrators: their own)", roles=ANY,
           query=schemas.UnlicensedQuery, response=schemas.UnlicensedReport, tags=("reports",))
async def unlicensed_report(request: Request, principal: Principal) -> Response:
    query = read_query(request, schemas.UnlicensedQuery)
    return JSON(await service.unlicensed_report(principal=principal, query=query))


@operation("Apply to become a registered integration partner (TRIP); opens a ticket of its own kind",
           roles=APPLICANTS, body=schemas.PartnerApplicationCreate, response=schemas.PartnerApplicationRead,
           status=201, tags=TAGS)
async def apply_for_partnership(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.PartnerApplicationCreate)
    return JSON(await service.apply(principal=principal, data=data), status_code=201)


@operation("List TRIP applications (integrators: their own)", roles=ANY, query=schemas.PartnerApplicationQuery,
           response=schemas.PartnerApplicationList, tags=TAGS)
async def list_partner_applications(request: Request, principal: Principal) -> Response:
    query = read_query(request, schemas.PartnerApplicationQuery)
    return JSON(schemas.PartnerApplicationList(items=await service.list_applications(principal=principal,
                                                                                     query=query)))


@operation("Get a TRIP application", roles=ANY, response=schemas.PartnerApplicationRead, tags=TAGS)
async def get_partner_application(request: Request, principal: Principal) -> Response:
    return JSON(await service.get_application(principal=principal, application_id=path_int(request)))


@operation("Approve or decline a TRIP application with a reason", roles=STAFF_WRITE, body=schemas.PartnerDecision,
           response=schemas.PartnerApplicationRead, tags=TAGS)
async def decide_partner_application(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.PartnerDecision)
    return JSON(await service.decide(principal=principal, application_id=path_int(request), data=data))


@operation("Who got access to the interface documentation, and when", roles=ANY, response=schemas.AccessList,
           tags=TAGS)
async def list_access(request: Request, principal: Principal) -> Response:
    rows = await service.list_access(principal=principal, organisation_id=path_int(request))
    return JSON(schemas.AccessList(items=[schemas.AccessRead.model_validate(r) for r in rows]))


@operation("Revoke access to the interface documentation", roles=STAFF_WRITE, body=schemas.AccessRevoke,
           response=schemas.AccessRead, tags=TAGS)
async def revoke_access(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.AccessRevoke)
    row = await service.revoke_access(principal=principal, access_id=path_int(request), data=data)
    return JSON(schemas.AccessRead.model_validate(row))


@operation("List a partner's agreements", roles=ANY, response=schemas.AgreementList, tags=TAGS)
async def list_agreements(request: Request, principal: Principal) -> Response:
    items = await service.list_agreements(principal=principal, organisation_id=path_int(request))
    return JSON(schemas.AgreementList(items=items))


@operation("Record an authorised-partner agreement (dates, the right to resell)", roles=ADMIN,
           body=schemas.AgreementCreate, response=schemas.AgreementRead, status=201, tags=TAGS)
async def create_agreement(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.AgreementCreate)
    read = await service.create_agreement(principal=principal, organisation_id=path_int(request), data=data)
    return JSON(read, status_code=201)


@operation("Publish an interface change notice (emails partners and affected customers)", roles=STAFF_WRITE,
           body=schemas.NoticeCreate, response=schemas.NoticeRead, status=201, tags=("interface-notices",))
async def publish_notice(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.NoticeCreate)
    return JSON(await notices.publish(principal=principal, data=data), status_code=201)


@operation("List and search interface change notices (integrators: those sent to them)", roles=ANY,
           query=schemas.NoticeQuery, response=schemas.NoticeList, tags=("interface-notices",))
async def list_notices(request: Request, principal: Principal) -> Response:
    query = read_query(request, schemas.NoticeQuery)
    return JSON(schemas.NoticeList(items=await notices.list_notices(principal=principal, query=query)))


@operation("Get an interface change notice", roles=ANY, response=schemas.NoticeRead, tags=("interface-notices",))
async def get_notice(request: Request, principal: Principal) -> Response:
    return JSON(await notices.get_notice(principal=principal, notice_id=path_int(request)))


routes: list[BaseRoute] = [
    Route("/reports/unlicensed-applications", unlicensed_report, methods=["GET"]),
    Route("/partner-applications", list_partner_applications, methods=["GET"]),
    Route("/partner-applications", apply_for_partnership, methods=["POST"]),
    Route("/partner-applications/{id:int}", get_partner_application, methods=["GET"]),
    Route("/partner-applications/{id:int}/decision", decide_partner_application, methods=["POST"]),
    Route("/organisations/{id:int}/documentation-access", list_access, methods=["GET"]),
    Route("/documentation-access/{id:int}/revoke", revoke_access, methods=["POST"]),
    Route("/organisations/{id:int}/partner-agreements", list_agreements, methods=["GET"]),
    Route("/organisations/{id:int}/partner-agreements", create_agreement, methods=["POST"]),
    Route("/interface-notices", list_notices, methods=["GET"]),
    Route("/interface-notices", publish_notice, methods=["POST"]),
    Route("/interface-notices/{id:int}", get_notice, methods=["GET"]),
]
