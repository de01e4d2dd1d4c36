"""HTTP endpoints for time entries, timers, approval and period locks. Parse → one service call → render.

Access: admin and support log and change time; every staff role reads it; integrators read the time on
their own organisation's tickets (per ticket and per entry — another organisation's is a 404), never the
cross-ticket list. Leads (support tokens of a `Staff.is_lead`) and admins approve.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.auth import STAFF_ROLES, Principal, Role
from core.errors import InvalidInput
from core.http import JSON, operation, path_int, read_body, read_query
from support.idempotency import run_once
from support.timetracking import schemas, service, timers
from support.timetracking.models import PeriodLock, Timer

WRITERS = (Role.admin, Role.support)
READERS = tuple(Role)
TAGS = ("time",)


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


# Time entries ----------------------------------------------------------------------------------------


@operation(
    "Log time on a ticket",
    roles=WRITERS,
    body=schemas.TimeEntryCreate,
    response=schemas.TimeEntryRead,
    status=201,
    tags=TAGS,
    idempotent_create=True,
)
async def log_time(request: Request, principal: Principal) -> Response:
    """The entry keeps the ticket's current category and whether it is billable; later reclassification
    never changes it. Refused (409) on rejected, unofficial or not yet classified tickets and in locked
    months. A retry with the same `Idempotency-Key` returns the first entry."""
    data = await read_body(request, schemas.TimeEntryCreate)
    ticket_id = path_int(request)

    async def create() -> dict:
        entry = await service.log_time(principal=principal, ticket_id=ticket_id, data=data)
        return _entry(entry).model_dump(mode="json")

    status, body = await run_once(
        principal=principal,
        endpoint=f"POST /tickets/{ticket_id}/time-entries",
        key=request.headers.get("idempotency-key"),
        body=await request.body(),
        create=create,
    )
    return JSON(body, status_code=status)


@operation("List a ticket's time entries", roles=READERS, response=schemas.TimeEntryList, tags=TAGS)
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


@operation(
    "List time entries", roles=STAFF_ROLES, query=schemas.TimeEntryQuery, response=schemas.TimeEntryPage, tags=TAGS
)
async def list_entries(request: Request, principal: Principal) -> Response:
    """Newest first; filter by staff, ticket, billed organisation, work date range, approved, billable,
    invoiced and category. Pass `next_cursor` back as `cursor` for the next page."""
    query = read_query(request, schemas.TimeEntryQuery)
    rows, cursor = await service.list_entries(principal=principal, query=query)
    return JSON(schemas.TimeEntryPage(items=[_entry(r) for r in rows], next_cursor=cursor))


@operation("Get a time entry", roles=READERS, response=schemas.TimeEntryRead, tags=TAGS)
async def get_entry(request: Request, principal: Principal) -> Response:
    entry = await service.get_entry(principal=principal, entry_id=path_int(request))
    return JSON(_entry(entry))


@operation(
    "Correct a time entry", roles=WRITERS, body=schemas.TimeEntryUpdate, response=schemas.TimeEntryRead, tags=TAGS
)
async def update_entry(request: Request, principal: Principal) -> Response:
    """Work date, minutes and description only; the category is fixed. Approved or invoiced entries and
    locked months are a 409."""
    data = await read_body(request, schemas.TimeEntryUpdate)
    entry = await service.update_entry(principal=principal, entry_id=path_int(request), data=data)
    return JSON(_entry(entry))


@operation("Delete a time entry", roles=WRITERS, status=204, tags=TAGS)
async def delete_entry(request: Request, principal: Principal) -> Response:
    """Approved or invoiced entries and locked months are a 409."""
    await service.delete_entry(principal=principal, entry_id=path_int(request))
    return Response(status_code=204)


@operation(
    "Approve time entries", roles=WRITERS, body=schemas.ApproveRequest, response=schemas.ApproveResult, tags=TAGS
)
async def approve_entries(request: Request, principal: Principal) -> Response:
    """Leads and admins. All or nothing (an unknown id approves none); already approved entries are fine."""
    data = await read_body(request, schemas.ApproveRequest)
    rows, newly = await service.approve_entries(principal=principal, ids=data.ids)
    return JSON(schemas.ApproveResult(items=[_entry(r) for r in rows], newly_approved=newly))


@operation("Take back a time entry's approval", roles=WRITERS, response=schemas.TimeEntryRead, tags=TAGS)
async def unapprove_entry(request: Request, principal: Principal) -> Response:
    """Leads and admins; an invoiced entry stays approved (409)."""
    entry = await service.unapprove_entry(principal=principal, entry_id=path_int(request))
    return JSON(_entry(entry))


# Timers ----------------------------------------------------------------------------------------------


@operation(
    "Start a timer on a ticket",
    roles=WRITERS,
    body=schemas.TimerStart,
    response=schemas.TimerRead,
    status=201,
    tags=TAGS,
)
async def start_timer(request: Request, principal: Principal) -> Response:
    """For the token's staff member; one running timer each (a second start is a 409)."""
    data = await read_body(request, schemas.TimerStart)
    timer = await timers.start_timer(principal=principal, data=data)
    return JSON(_timer(timer), status_code=201)


@operation("Your running timer", roles=WRITERS, response=schemas.TimerRead, tags=TAGS)
async def current_timer(request: Request, principal: Principal) -> Response:
    timer = await timers.current_timer(principal=principal)
    return JSON(_timer(timer))


@operation(
    "Stop your timer and log its time",
    roles=WRITERS,
    body=schemas.TimerStop,
    response=schemas.TimeEntryRead,
    status=201,
    tags=TAGS,
)
async def stop_timer(request: Request, principal: Principal) -> Response:
    """Minutes are rounded up (at least 1); the work date is the day the timer started. Over 24 h is a 422:
    discard the timer and log the time manually."""
    data = await read_body(request, schemas.TimerStop)
    entry = await timers.stop_timer(principal=principal, data=data)
    return JSON(_entry(entry), status_code=201)


@operation("Discard your timer", roles=WRITERS, status=204, tags=TAGS)
async def discard_timer(request: Request, principal: Principal) -> Response:
    await timers.discard_timer(principal=principal)
    return Response(status_code=204)


# Period locks ----------------------------------------------------------------------------------------


@operation(
    "Lock a month",
    roles=(Role.admin, Role.finance),
    body=schemas.PeriodLockCreate,
    response=schemas.PeriodLockRead,
    status=201,
    tags=TAGS,
)
async def lock_period(request: Request, principal: Principal) -> Response:
    """No one can log, edit or delete time dated in a locked month."""
    data = await read_body(request, schemas.PeriodLockCreate)
    lock = await service.lock_period(principal=principal, month=data.month)
    return JSON(_lock(lock), status_code=201)


@operation("List locked months", roles=STAFF_ROLES, response=schemas.PeriodLockList, tags=TAGS)
async def list_period_locks(request: Request, principal: Principal) -> Response:
    rows = await service.list_period_locks()
    return JSON(schemas.PeriodLockList(items=[_lock(r) for r in rows]))


@operation("Unlock a month", roles=(Role.admin,), status=204, tags=TAGS)
async def unlock_period(request: Request, principal: Principal) -> Response:
    month = request.path_params["month"]
    try:
        schemas.PeriodLockCreate(month=month)
    except ValueError:
        raise InvalidInput("month is YYYY-MM, e.g. 2026-10") from None
    await service.unlock_period(month=month)
    return Response(status_code=204)


routes = [
    Route("/tickets/{id:int}/time-entries", log_time, methods=["POST"]),
    Route("/tickets/{id:int}/time-entries", list_ticket_entries, methods=["GET"]),
    Route("/time-entries", list_entries, methods=["GET"]),
    Route("/time-entries/approve", approve_entries, methods=["POST"]),
    Route("/time-entries/{id:int}", get_entry, methods=["GET"]),
    Route("/time-entries/{id:int}", update_entry, methods=["PATCH"]),
    Route("/time-entries/{id:int}", delete_entry, methods=["DELETE"]),
    Route("/time-entries/{id:int}/unapprove", unapprove_entry, methods=["POST"]),
    Route("/timers", start_timer, methods=["POST"]),
    Route("/timers/current", current_timer, methods=["GET"]),
    Route("/timers/current", discard_timer, methods=["DELETE"]),
    Route("/timers/current/stop", stop_timer, methods=["POST"]),
    Route("/period-locks", list_period_locks, methods=["GET"]),
    Route("/period-locks", lock_period, methods=["POST"]),
    Route("/period-locks/{month}", unlock_period, methods=["DELETE"]),
]
