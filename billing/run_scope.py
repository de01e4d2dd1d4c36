"""What an invoice run covers: the organisations with billable work in the period, the time entries it bills,
and the drafts it left open."""

from __future__ import annotations

import datetime as dt
from typing import Any

from billing.models import Invoice, InvoiceStatus
from billing.settings import BillingSettings
from support.timetracking.models import TimeEntry


def open_key(organisation_id: int, start: dt.date, end: dt.date) -> str:
    return f"{organisation_id}:{start.isoformat()}:{end.isoformat()}"


def entry_filter(*, start: dt.date, end: dt.date, settings: BillingSettings) -> dict[str, Any]:
    filters: dict[str, Any] = dict(invoice_id__isnull=True, billable=True, work_date__gte=start, work_date__lte=end)
    if settings.require_approval:
        filters["approved_at__isnull"] = False
    return filters


async def candidate_organisations(*, start: dt.date, end: dt.date, settings: BillingSettings) -> list[int]:
    """Organisations billed for at least one entry that might be invoiced (one query)."""
    ids = (
        await TimeEntry.filter(**entry_filter(start=start, end=end, settings=settings))
        .distinct()
        .values_list("ticket__bill_to_id", flat=True)
    )
    return sorted({int(i) for i in ids})  # type: ignore[call-overload]


async def open_drafts(*, start: dt.date, end: dt.date) -> list[int]:
    return list(
        await Invoice.filter(status=InvoiceStatus.draft, period_start_date=start, period_end_date=end)  # type: ignore[arg-type]
        .order_by("id")
        .values_list("id", flat=True)
    )
