"""The rules a time entry must satisfy before it is stored or changed (SPEC §1–2): the ticket accepts time,
the month is not locked, and the work does not predate the ticket."""

from __future__ import annotations

import datetime as dt

from support.models import ClassificationState, Ticket, TicketStatus
from support.policy import Category
from support.timetracking.errors import PeriodLocked, TicketNotLoggable, WorkBeforeTicket
from support.timetracking.models import PeriodLock
from support.timetracking.settings import business_date

UNSETTLED = (ClassificationState.unclassified, ClassificationState.needs_triage)


def ensure_loggable(ticket: Ticket) -> None:
    """The ticket must accept time: not rejected, not unofficial, and its category settled."""
    if ticket.status == TicketStatus.rejected:
        raise TicketNotLoggable(
            f"ticket {ticket.number} is rejected: no time can be logged on it", code="ticket_rejected"
        )
    if ticket.category == Category.unofficial:
        raise TicketNotLoggable(
            f"ticket {ticket.number} is an unofficial integration: no assistance is "
            "given and no time can be logged on it",
            code="ticket_unofficial",
        )
    if ticket.category is None or ticket.classification_state in UNSETTLED:
        raise TicketNotLoggable(
            f"ticket {ticket.number} has no confirmed category: classify it first "
            "(POST /tickets/{id}/classification)",
            code="ticket_unclassified",
        )


async def ensure_open_period(*dates: dt.date) -> None:
    months = sorted({d.replace(day=1) for d in dates})
    locked = await PeriodLock.filter(month_start_date__in=months).order_by("month_start_date").first()
    if locked is not None:
        raise PeriodLocked(
            f"{locked.month_start_date:%Y-%m} is locked: no time can be logged, edited or deleted in it",
            month=f"{locked.month_start_date:%Y-%m}",
        )


def ensure_not_before_ticket(ticket: Ticket, work_date: dt.date) -> None:
    """Work on a ticket cannot predate the ticket (its creation day in the business time zone): such time
    would be billed for work no one had asked for yet. 422."""
    opened = business_date(ticket.created_at)
    if work_date < opened:
        raise WorkBeforeTicket(
            f"work_date {work_date.isoformat()} is before ticket {ticket.number} was created ({opened.isoformat()})"
        )
