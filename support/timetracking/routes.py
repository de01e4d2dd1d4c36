"""HTTP endpoints for time entries, timers, approval and period locks. Parse → one service call → render.

Access: admin and support log and change time; every staff role reads it; integrators read the time on
their own organisation's tickets (per ticket and per entry — another organisation's is a 404), never the
cross-ticket list. Leads (support tokens of a `Staff.is_lead`) and admins approve.
"""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response

from core.auth import STAFF_ROLES, Principal, Role
from core.endpoints import Endpoints, handler
from core.errors import InvalidInput
from core.http import JSON, path_int, read_body
from support.idempotency import run_once
from support.timetracking import schemas, service, timers
from support.timetracking.models import PeriodLock, Timer

WRITERS = (Role.admin, Role.support)

timesheet = Endpoints(
    tags=("time",), reads=tuple(Role), writes=WRITERS, id_as="entry_id", replay=run_once, prefix="/time-entries"
)
ticket_time = replace(timesheet, prefix="/tickets/{id:int}/time-entries")
own_timer = Endpoints(tags=("time",), reads=WRITERS, prefix="/timers")
locks = Endpoints(tags=("time",), reads=STAFF_ROLES, writes=(Role.admin, Role.finance), prefix="/period-locks")


def _entry(row: object) -> schemas.TimeEntryRead:
    return schemas.TimeEntryRead.model_validate(row)


def _timer(timer: Timer) -> schemas.TimerRead:
    read = schemas.TimerRead.model_validate(timer)
    read.elapsed_seconds = timers.elapsed_seconds(timer)
    return read


def _lock(lock: PeriodLock) -> schemas.PeriodLockRead:
    return schemas.PeriodLockRead(
        month=f"{lock.month_start_date:%Y-%m}",
        month_start_date=lock.month_start_date,
        locked_by=lock.locked_by,
        locked_at=lock.locked_at,
    )


@handler
async def list_ticket_entries(request: Request, principal: Principal) -> Response:
    """Oldest work first, with totals. Integrators may read their own tickets' time."""
    rows = await service.list_ticket_entries(principal=principal, ticket_id=path_int(request))
    return JSON(
        schemas.TimeEntryList(
            items=[_entry(r) for r in rows],
            total_minutes=sum(r.minutes for r in rows),
            billable_minutes=sum(r.minutes for r in rows if r.billable),
        )
    )


@handler
async def approve_entries(request: Request, principal: Principal) -> Response:
    """Leads and admins. All or nothing (an unknown id approves none); already approved entries are fine."""
    data = await read_body(request, schemas.ApproveRequest)
    rows, newly = await service.approve_entries(principal=principal, ids=data.ids)
    return JSON(schemas.ApproveResult(items=[_entry(r) for r in rows], newly_approved=newly))


@handler
async def start_timer(request: Request, principal: Principal) -> Response:
    """For the token's staff member; one running timer each (a second start is a 409)."""
    data = await read_body(request, schemas.TimerStart)
    timer = await timers.start_timer(principal=principal, data=data)
    return JSON(_timer(timer), status_code=201)


@handler
async def current_timer(request: Request, principal: Principal) -> Response:
    timer = await timers.current_timer(principal=principal)
    return JSON(_timer(timer))


@handler
async def lock_period(request: Request, principal: Principal) -> Response:
    """No one can log, edit or delete time dated in a locked month."""
    data = await read_body(request, schemas.PeriodLockCreate)
    lock = await service.lock_period(principal=principal, month=data.month)
    return JSON(_lock(lock), status_code=201)


@handler
async def list_period_locks(request: Request, principal: Principal) -> Response:
    rows = await service.list_period_locks()
    return JSON(schemas.PeriodLockList(items=[_lock(r) for r in rows]))


@handler
async def unlock_period(request: Request, principal: Principal) -> Response:
    month = request.path_params["month"]
    try:
        schemas.PeriodLockCreate(month=month)
    except ValueError:
        raise InvalidInput("month is YYYY-MM, e.g. 2026-10") from None
    await service.unlock_period(month=month)
    return Response(status_code=204)


routes = [
    ticket_time.create(
        "",
        "Log time on a ticket",
        service.log_time,
        schemas.TimeEntryRead,
        id_as="ticket_id",
        idempotent=True,
        doc="""The entry keeps the ticket's current category and whether it is billable; later reclassification
    never changes it. Refused (409) on rejected, unofficial or not yet classified tickets and in locked
    months. A retry with the same `Idempotency-Key` returns the first entry.""",
    ),
    ticket_time.get("", "List a ticket's time entries", list_ticket_entries, schemas.TimeEntryList),
    timesheet.get(
        "",
        "List time entries",
        service.list_entries,
        schemas.TimeEntryPage,
        roles=STAFF_ROLES,
        doc="""Newest first; filter by staff, ticket, billed organisation, work date range, approved, billable,
    invoiced and category. Pass `next_cursor` back as `cursor` for the next page.""",
    ),
    timesheet.post(
        "/approve", "Approve time entries", approve_entries, schemas.ApproveResult, body=schemas.ApproveRequest
    ),
    timesheet.get("/{id:int}", "Get a time entry", service.get_entry, schemas.TimeEntryRead),
    timesheet.patch(
        "/{id:int}",
        "Correct a time entry",
        service.update_entry,
        schemas.TimeEntryRead,
        doc="""Work date, minutes and description only; the category is fixed. Approved or invoiced entries and
    locked months are a 409.""",
    ),
    timesheet.delete(
        "/{id:int}",
        "Delete a time entry",
        service.delete_entry,
        doc="Approved or invoiced entries and locked months are a 409.",
    ),
    timesheet.post(
        "/{id:int}/unapprove",
        "Take back a time entry's approval",
        service.unapprove_entry,
        schemas.TimeEntryRead,
        doc="Leads and admins; an invoiced entry stays approved (409).",
    ),
    own_timer.create("", "Start a timer on a ticket", start_timer, schemas.TimerRead, body=schemas.TimerStart),
    own_timer.get("/current", "Your running timer", current_timer, schemas.TimerRead),
    own_timer.delete("/current", "Discard your timer", timers.discard_timer),
    own_timer.create(
        "/current/stop",
        "Stop your timer and log its time",
        timers.stop_timer,
        schemas.TimeEntryRead,
        doc="""Minutes are rounded up (at least 1); the work date is the day the timer started. Over 24 h is a 422:
    discard the timer and log the time manually.""",
    ),
    locks.get("", "List locked months", list_period_locks, schemas.PeriodLockList),
    locks.create("", "Lock a month", lock_period, schemas.PeriodLockRead, body=schemas.PeriodLockCreate),
    locks.delete("/{month}", "Unlock a month", unlock_period, roles=(Role.admin,)),
]
