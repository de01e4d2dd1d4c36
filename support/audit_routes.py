"""Reading the audit trail of money-moving actions (finance and admins)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.auth import Principal, Role
from core.http import JSON, MAX_ID, operation, read_query
from core.pagination import PageQuery
from core.schemas import Read
from support import audit


class AuditQuery(PageQuery):
    action: Annotated[str, StringConstraints(max_length=60)] | None = None
    subject_type: Annotated[str, StringConstraints(max_length=40)] | None = None
    subject_id: int | None = Field(None, ge=1, le=MAX_ID)


class AuditEventRead(Read):
    id: int
    action: str
    actor: str
    subject_type: str
    subject_id: int | None
    data: dict[str, Any] | None
    created_at: dt.datetime


class AuditPage(BaseModel):
    items: list[AuditEventRead]
    next_cursor: str | None = None


@operation(
    "The audit trail of money-moving actions",
    roles=(Role.admin, Role.finance),
    query=AuditQuery,
    response=AuditPage,
    tags=("billing",),
)
async def list_audit_events(request: Request, principal: Principal) -> Response:
    """Newest first. Actions: time_entries.approved/unapproved, rate_card.created/updated/deleted,
    prepaid.created, cost_ceiling.set/approved, invoice_run.started/finished, invoice.issued,
    credit_note.issued, invoice.discarded/credited/marked_paid."""
    query = read_query(request, AuditQuery)
    rows, cursor = await audit.list_events(
        action=query.action,
        subject_type=query.subject_type,
        subject_id=query.subject_id,
        limit=query.limit,
        cursor=query.cursor,
    )
    return JSON(AuditPage(items=[AuditEventRead.model_validate(r) for r in rows], next_cursor=cursor))


routes = [Route("/audit-events", list_audit_events, methods=["GET"])]
