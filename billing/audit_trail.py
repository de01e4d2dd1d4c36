"""Audit events of billing's actions, written to the trail support keeps (support/audit.py) in the caller's
transaction. The subject of an event is the row acted on, named by its entity: its table without the
package's prefix (`billing_rate_card` → `rate_card`, `support_ticket` → `ticket`), after the house's table
naming (ARCHITECTURE.md)."""

from __future__ import annotations

from typing import Any

from tortoise.models import Model

from core.auth import Principal
from support import audit


def entity(model: type[Model] | Model) -> str:
    """The entity a model stores: `rate_card` for the table `billing_rate_card`."""
    return str(model._meta.db_table).split("_", 1)[1]


async def audit_event(
    principal: Principal | None,
    action: str,
    subject: Model,
    data: dict[str, Any] | None = None,
    *,
    actor: str | None = None,
) -> None:
    """Record `action` on `subject` by `principal` (or, with no principal at hand, by `actor`)."""
    await audit.record(
        principal=principal, action=action, subject_type=entity(subject), subject_id=subject.pk, data=data, actor=actor
    )
