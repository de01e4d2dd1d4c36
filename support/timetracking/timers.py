"""Timers: one running timer per staff member; stopping it logs the elapsed time as an entry, rounded to
whole minutes."""

from __future__ import annotations

import datetime as dt
import math

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.auth import Principal
from core.errors import InvalidInput
from core.locking import first_locked
from support.tickets.service import get_ticket
from support.timetracking import schemas
from support.timetracking.errors import StaffRequired, TimerAlreadyRunning, TimerNotFound, TimerTooLong
from support.timetracking.models import TimeEntry, Timer
from support.timetracking.rules import ensure_loggable, ensure_open_period
from support.timetracking.service import create_entry, ensure_active_staff, now_utc
from support.timetracking.settings import business_date, business_today


def _timer_owner(principal: Principal) -> int:
    if principal.staff_id is None:
        raise StaffRequired("timers belong to a staff member and this token has none")
    return principal.staff_id


async def start_timer(*, principal: Principal, data: schemas.TimerStart) -> Timer:
    staff_id = _timer_owner(principal)
    await ensure_active_staff(staff_id)
    if await Timer.exists(staff_id=staff_id):
        raise TimerAlreadyRunning("you already have a running timer: stop or discard it first")
    try:
        async with in_transaction():
            ticket = await get_ticket(principal=principal, ticket_id=data.ticket_id)
            ensure_loggable(ticket)
            await ensure_open_period(business_today())
            timer = await Timer.create(
                staff_id=staff_id, ticket_id=ticket.id, description=data.description, started_at=now_utc()
            )
    except IntegrityError:
        # A concurrent start for the same staff member won; the unique constraint decided.
        raise TimerAlreadyRunning("you already have a running timer: stop or discard it first") from None
    return timer


async def current_timer(*, principal: Principal) -> Timer:
    timer = await Timer.get_or_none(staff_id=_timer_owner(principal))
    if timer is None:
        raise TimerNotFound("no timer is running")
    return timer


def elapsed_seconds(timer: Timer, now: dt.datetime | None = None) -> int:
    return max(0, int(((now or now_utc()) - timer.started_at).total_seconds()))


def timer_minutes(started_at: dt.datetime, stopped_at: dt.datetime) -> int:
    """Whole minutes, rounded up, at least one."""
    return max(1, math.ceil((stopped_at - started_at).total_seconds() / 60))


async def stop_timer(*, principal: Principal, data: schemas.TimerStop) -> TimeEntry:
    """Turns the running timer into a time entry and deletes it, in one transaction."""
    staff_id = _timer_owner(principal)
    async with in_transaction():
        timer = await first_locked(Timer.filter(staff_id=staff_id), TimerNotFound("no timer is running"))
        minutes = timer_minutes(timer.started_at, now_utc())
        if minutes > schemas.MAX_MINUTES:
            raise TimerTooLong(
                f"the timer ran for {minutes} minutes (more than 24 h): discard it "
                "(DELETE /timers/current) and log the time manually",
                minutes=minutes,
            )
        description = data.description or timer.description.strip()
        if not description:
            raise InvalidInput(
                "the timer has no description: send one when stopping",
                errors=[{"loc": "description", "msg": "required", "type": "missing"}],
            )
        ticket = await get_ticket(
            principal=principal,
            ticket_id=timer.ticket_id,  # type: ignore[attr-defined]
            for_update=True,
        )
        work = schemas.Work(work_date=business_date(timer.started_at), minutes=minutes, description=description[:2000])
        entry = await create_entry(ticket=ticket, staff_id=staff_id, work=work, token_id=principal.token_id)
        if await Timer.filter(id=timer.id).delete() != 1:
            raise TimerNotFound("the timer was stopped by another request")
    return entry


async def discard_timer(*, principal: Principal) -> None:
    if await Timer.filter(staff_id=_timer_owner(principal)).delete() == 0:
        raise TimerNotFound("no timer is running")
