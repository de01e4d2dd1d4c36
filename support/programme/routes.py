"""HTTP endpoints of the partner programme and licensing reports. Parse → one service call → render."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from core.auth import Role
from core.http import service_call
from support.programme import notices, schemas, service

STAFF = (Role.admin, Role.support, Role.finance)
STAFF_WRITE = (Role.admin, Role.support)
ADMIN = (Role.admin,)
ANY = tuple(Role)
APPLICANTS = (Role.admin, Role.support, Role.integrator)
TAGS = ("partners",)


NOTICES = ("interface-notices",)

unlicensed_report = service_call(
    "Production applications without a fitting licence (integrators: their own)",
    service.unlicensed_report,
    query=schemas.UnlicensedQuery,
    response=schemas.UnlicensedReport,
    roles=ANY,
    tags=("reports",),
)
apply_for_partnership = service_call(
    "Apply to become a registered integration partner (TRIP); opens a ticket of its own kind",
    service.apply,
    body=schemas.PartnerApplicationCreate,
    response=schemas.PartnerApplicationRead,
    status=201,
    roles=APPLICANTS,
    tags=TAGS,
    name="apply_for_partnership",
)
list_partner_applications = service_call(
    "List TRIP applications (integrators: their own)",
    service.list_applications,
    query=schemas.PartnerApplicationQuery,
    response=schemas.PartnerApplicationList,
    roles=ANY,
    tags=TAGS,
    name="list_partner_applications",
)
get_partner_application = service_call(
    "Get a TRIP application",
    service.get_application,
    path_id="application_id",
    response=schemas.PartnerApplicationRead,
    roles=ANY,
    tags=TAGS,
    name="get_partner_application",
)
decide_partner_application = service_call(
    "Approve or decline a TRIP application with a reason",
    service.decide,
    path_id="application_id",
    body=schemas.PartnerDecision,
    response=schemas.PartnerApplicationRead,
    roles=STAFF_WRITE,
    tags=TAGS,
    name="decide_partner_application",
)
list_access = service_call(
    "Who got access to the interface documentation, and when",
    service.list_access,
    path_id="organisation_id",
    response=schemas.AccessList,
    item=schemas.AccessRead,
    roles=ANY,
    tags=TAGS,
)
revoke_access = service_call(
    "Revoke access to the interface documentation",
    service.revoke_access,
    path_id="access_id",
    body=schemas.AccessRevoke,
    response=schemas.AccessRead,
    roles=STAFF_WRITE,
    tags=TAGS,
)
list_agreements = service_call(
    "List a partner's agreements",
    service.list_agreements,
    path_id="organisation_id",
    response=schemas.AgreementList,
    roles=ANY,
    tags=TAGS,
)
create_agreement = service_call(
    "Record an authorised-partner agreement (dates, the right to resell)",
    service.create_agreement,
    path_id="organisation_id",
    body=schemas.AgreementCreate,
    response=schemas.AgreementRead,
    status=201,
    roles=ADMIN,
    tags=TAGS,
)
publish_notice = service_call(
    "Publish an interface change notice (emails partners and affected customers)",
    notices.publish,
    body=schemas.NoticeCreate,
    response=schemas.NoticeRead,
    status=201,
    roles=STAFF_WRITE,
    tags=NOTICES,
    name="publish_notice",
)
list_notices = service_call(
    "List and search interface change notices (integrators: those sent to them)",
    notices.list_notices,
    query=schemas.NoticeQuery,
    response=schemas.NoticeList,
    roles=ANY,
    tags=NOTICES,
)
get_notice = service_call(
    "Get an interface change notice",
    notices.get_notice,
    path_id="notice_id",
    response=schemas.NoticeRead,
    roles=ANY,
    tags=NOTICES,
)


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
