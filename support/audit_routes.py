"""Reading the audit trail of money-moving actions (finance and admins)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from core.auth import Role
from core.endpoints import Endpoints
from core.http import MAX_ID
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


audit_trail = Endpoints(tags=("billing",), reads=(Role.admin, Role.finance))
routes = [
    audit_trail.get(
        "/audit-events",
        "The audit trail of money-moving actions",
        audit.list_audit_events,
        AuditPage,
        query=AuditQuery,
        spread=True,
        doc="""Newest first. Actions: time_entries.approved/unapproved, rate_card.created/updated/deleted,
    prepaid.created, cost_ceiling.set/approved, invoice_run.started/finished, invoice.issued,
    credit_note.issued, invoice.discarded/credited/marked_paid.""",
    )
]
