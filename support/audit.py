"""The audit trail for money-moving actions (see `AuditEvent`). Billing and time approval call `record`
inside the transaction that performs the action; finance and admins read it through the API."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from core.auth import Principal
from core.pagination import keyset_page
from support.models import AuditEvent


def _plain(value: Any) -> Any:
    """JSON-safe copy: Decimals as strings (never floats), dates in ISO 8601."""
    return json.loads(json.dumps(value, default=lambda v: str(v) if isinstance(v, Decimal | dt.date) else repr(v)))


async def record(
    *,
    principal: Principal | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    data: dict[str, Any] | None = None,
    actor: str | None = None,
) -> None:
    """Write the audit row in the caller's transaction. `actor` names who acted when no principal is at hand."""
    await AuditEvent.create(
        action=action,
        actor=actor or (principal.name if principal else "system"),
        actor_token_id=principal.token_id if principal else None,
        subject_type=subject_type,
        subject_id=subject_id,
        data=_plain(data) if data else None,
    )


async def list_audit_events(
    *, action: str | None, subject_type: str | None, subject_id: int | None, limit: int, cursor: str | None
) -> tuple[list[AuditEvent], str | None]:
    rows = AuditEvent.all()
    if action:
        rows = rows.filter(action=action)
    if subject_type:
        rows = rows.filter(subject_type=subject_type)
    if subject_id is not None:
        rows = rows.filter(subject_id=subject_id)
    return await keyset_page(rows, limit, cursor)
