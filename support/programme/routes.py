"""HTTP endpoints of the partner programme and licensing reports. Parse → one service call → render."""

from __future__ import annotations

from core.auth import Role
from core.endpoints import Endpoints
from support.programme import notices, schemas, service

STAFF_WRITE = (Role.admin, Role.support)
ADMIN = (Role.admin,)
ANY = tuple(Role)
APPLICANTS = (Role.admin, Role.support, Role.integrator)

applications = Endpoints(
    tags=("partners",), reads=ANY, writes=STAFF_WRITE, id_as="application_id", prefix="/partner-applications"
)
partners = Endpoints(tags=("partners",), reads=ANY, writes=STAFF_WRITE, id_as="organisation_id")
interface_notices = Endpoints(
    tags=("interface-notices",), reads=ANY, writes=STAFF_WRITE, id_as="notice_id", prefix="/interface-notices"
)

routes = [
    partners.get(
        "/reports/unlicensed-applications",
        "Production applications without a fitting licence (integrators: their own)",
        service.unlicensed_report,
        schemas.UnlicensedReport,
        tags=("reports",),
    ),
    applications.get(
        "",
        "List TRIP applications (integrators: their own)",
        service.list_partner_applications,
        schemas.PartnerApplicationList,
    ),
    applications.create(
        "",
        "Apply to become a registered integration partner (TRIP); opens a ticket of its own kind",
        service.apply_for_partnership,
        schemas.PartnerApplicationRead,
        roles=APPLICANTS,
    ),
    applications.get(
        "/{id:int}", "Get a TRIP application", service.get_partner_application, schemas.PartnerApplicationRead
    ),
    applications.post(
        "/{id:int}/decision",
        "Approve or decline a TRIP application with a reason",
        service.decide_partner_application,
        schemas.PartnerApplicationRead,
    ),
    partners.get(
        "/organisations/{id:int}/documentation-access",
        "Who got access to the interface documentation, and when",
        service.list_access,
        schemas.AccessList,
    ),
    partners.post(
        "/documentation-access/{id:int}/revoke",
        "Revoke access to the interface documentation",
        service.revoke_access,
        schemas.AccessRead,
        id_as="access_id",
    ),
    partners.get(
        "/organisations/{id:int}/partner-agreements",
        "List a partner's agreements",
        service.list_agreements,
        schemas.AgreementList,
    ),
    partners.create(
        "/organisations/{id:int}/partner-agreements",
        "Record an authorised-partner agreement (dates, the right to resell)",
        service.create_agreement,
        schemas.AgreementRead,
        roles=ADMIN,
    ),
    interface_notices.get(
        "",
        "List and search interface change notices (integrators: those sent to them)",
        notices.list_notices,
        schemas.NoticeList,
    ),
    interface_notices.create(
        "",
        "Publish an interface change notice (emails partners and affected customers)",
        notices.publish_notice,
        schemas.NoticeRead,
    ),
    interface_notices.get("/{id:int}", "Get an interface change notice", notices.get_notice, schemas.NoticeRead),
]
