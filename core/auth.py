"""Who is calling: the authenticated principal and its role.

Roles (SPEC §3): `admin` manages everything, `support` works tickets and logs time, `finance` runs and issues
invoices, `integrator` reads its own organisation's tickets and invoices and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from starlette.requests import HTTPConnection

from core.errors import Forbidden, Unauthenticated


class Role(StrEnum):
    admin = "admin"
    support = "support"
    finance = "finance"
    integrator = "integrator"


STAFF_ROLES = (Role.admin, Role.support, Role.finance)


@dataclass(frozen=True, slots=True)
class Principal:
    token_id: int
    name: str
    role: Role
    organisation_id: int | None = None
    staff_id: int | None = None

    @property
    def is_integrator(self) -> bool:
        return self.role is Role.integrator

    def organisation_scope(self) -> int | None:
        """The only organisation this principal may see, or None for staff (who see all). Reads use it only
        through the access modules (support/access.py, billing/access.py, invoices/access.py), which turn it
        into query conditions: another organisation's row is then the same 404 as a missing one."""
        return self.organisation_id if self.is_integrator else None


def current_principal(conn: HTTPConnection) -> Principal | None:
    return conn.scope.get("state", {}).get("principal")


def require_roles(conn: HTTPConnection, roles: tuple[Role, ...]) -> Principal:
    principal = current_principal(conn)
    if principal is None:
        raise Unauthenticated()
    if roles and principal.role not in roles:
        raise Forbidden(f"role '{principal.role}' may not do this; needs one of: {', '.join(roles)}")
    return principal
