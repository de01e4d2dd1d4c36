"""Timers over the HTTP API: one per staff member (race-safe), stop → time entry in one transaction."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import httpx
import pytest

from core.auth import Role
from support.models import ClassificationState, TicketStatus
from support.policy import Category
from support.timetracking.models import PeriodLock, TimeEntry, Timer
from support.timetracking.settings import business_date, business_today
from support.timetracking.timers import timer_minutes
from tests import factories as f
from tests.support.time_helpers import assert_problem, make_ticket, world

START = "/api/v1/timers"
CURRENT = "/api/v1/timers/current"
STOP = "/api/v1/timers/current/stop"


async def rewind(staff_id: int, by: dt.timedelta) -> dt.datetime:
    """Pretend the staff member's timer started `by` earlier than now."""
    started = dt.datetime.now(dt.UTC) - by
    await Timer.filter(staff_id=staff_id).update(started_at=started)
    return started


async def test_start_stop_creates_entry_and_removes_timer(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester, Category.assistance)
    started = await client.post(START, json={"ticket_id": ticket.id, "description": "Felsöker"}, headers=w.support)
    assert started.status_code == 201, started.text
    assert started.json()["staff_id"] == w.agent.id and started.json()["ticket_id"] == ticket.id
    current = await client.get(CURRENT, headers=w.support)
    assert current.status_code == 200 and current.json()["id"] == started.json()["id"]
    assert current.json()["elapsed_seconds"] >= 0
    # one running timer per staff member, also on another ticket
    other = await make_ticket(w.org, w.requester, Category.performance)
    assert_problem(
        await client.post(START, json={"ticket_id": other.id}, headers=w.support), 409, "timer_already_running"
    )
    # someone else has their own
    assert (await client.post(START, json={"ticket_id": other.id}, headers=w.lead_token)).status_code == 201

    stopped = await client.post(STOP, headers=w.support)
    assert stopped.status_code == 201, stopped.text
    entry = stopped.json()
    assert entry["minutes"] == 1 and entry["staff_id"] == w.agent.id and entry["ticket_id"] == ticket.id
    assert (entry["category"], entry["billable"]) == ("assistance", True)
    assert entry["description"] == "Felsöker" and entry["work_date"] == business_today().isoformat()
    assert_problem(await client.get(CURRENT, headers=w.support), 404, "timer_not_found")
    assert_problem(await client.post(STOP, headers=w.support), 404)
    assert await TimeEntry.all().count() == 1 and await Timer.filter(staff_id=w.agent.id).count() == 0
    assert (await client.get(CURRENT, headers=w.lead_token)).status_code == 200
    # a new one can be started once the first is stopped
    assert (await client.post(START, json={"ticket_id": other.id}, headers=w.support)).status_code == 201


async def test_minutes_round_up_and_description_can_be_given_at_stop(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester, Category.defect)
    assert (await client.post(START, json={"ticket_id": ticket.id}, headers=w.support)).status_code == 201
    await rewind(w.agent.id, dt.timedelta(minutes=61, seconds=1))
    # no description at start and none at stop → 422, timer kept
    assert_problem(await client.post(STOP, headers=w.support), 422)
    assert_problem(await client.post(STOP, json={"description": ""}, headers=w.support), 422)
    assert_problem(await client.post(STOP, json={"description": "x", "minutes": 5}, headers=w.support), 422)
    assert_problem(await client.post(STOP, content=b"{", headers=w.support), 400)
    assert (await client.get(CURRENT, headers=w.support)).status_code == 200
    stopped = await client.post(STOP, json={"description": "Utredde felet"}, headers=w.support)
    assert stopped.status_code == 201, stopped.text
    assert stopped.json()["minutes"] == 62 and stopped.json()["description"] == "Utredde felet"
    assert stopped.json()["billable"] is False


def test_timer_arithmetic() -> None:
    stockholm = ZoneInfo("Europe/Stockholm")
    start = dt.datetime(2026, 3, 10, 23, 50, tzinfo=stockholm)
    assert timer_minutes(start, start + dt.timedelta(seconds=1)) == 1
    assert timer_minutes(start, start) == 1
    assert timer_minutes(start, start + dt.timedelta(minutes=30)) == 30
    assert timer_minutes(start, start + dt.timedelta(minutes=30, microseconds=1)) == 31
    # over midnight (and in UTC already the 10th → 11th boundary differs): the start's business date counts
    assert business_date(start + dt.timedelta(minutes=30)) == dt.date(2026, 3, 11)
    assert business_date(start) == dt.date(2026, 3, 10)
    assert business_date(dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 3, 11)


async def test_work_date_is_the_day_the_timer_started(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester)
    assert (
        await client.post(START, json={"ticket_id": ticket.id, "description": "Natt"}, headers=w.support)
    ).status_code == 201
    started = await rewind(w.agent.id, dt.timedelta(hours=23))
    stopped = await client.post(STOP, headers=w.support)
    assert stopped.status_code == 201, stopped.text
    assert stopped.json()["work_date"] == business_date(started).isoformat()
    assert stopped.json()["minutes"] in (23 * 60, 23 * 60 + 1)


async def test_over_24_hours_must_be_logged_manually(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester)
    assert (
        await client.post(START, json={"ticket_id": ticket.id, "description": "Glömd"}, headers=w.support)
    ).status_code == 201
    await rewind(w.agent.id, dt.timedelta(hours=24, minutes=2))
    body = assert_problem(await client.post(STOP, headers=w.support), 422, "timer_too_long")
    assert "manually" in body["detail"]
    assert await TimeEntry.all().count() == 0
    assert (await client.get(CURRENT, headers=w.support)).status_code == 200
    assert (await client.delete(CURRENT, headers=w.support)).status_code == 204
    assert_problem(await client.get(CURRENT, headers=w.support), 404)
    assert_problem(await client.delete(CURRENT, headers=w.support), 404)
    assert await TimeEntry.all().count() == 0


async def test_stop_in_a_locked_period_keeps_the_timer(client: httpx.AsyncClient) -> None:
    """The entry and the timer's deletion are one transaction: a refused entry leaves the timer running."""
    w = await world()
    ticket = await make_ticket(w.org, w.requester)
    assert (
        await client.post(START, json={"ticket_id": ticket.id, "description": "x"}, headers=w.support)
    ).status_code == 201
    await PeriodLock.create(month_start_date=business_today().replace(day=1), locked_by="test")
    assert_problem(await client.post(STOP, headers=w.support), 409, "period_locked")
    assert (await client.get(CURRENT, headers=w.support)).status_code == 200
    assert await TimeEntry.all().count() == 0
    # and no new timer can be started into the locked month
    assert (await client.delete(CURRENT, headers=w.support)).status_code == 204
    assert_problem(await client.post(START, json={"ticket_id": ticket.id}, headers=w.support), 409, "period_locked")


async def test_timer_rules_and_bad_input(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester)
    refused = [
        (await make_ticket(w.org, w.requester, status=TicketStatus.rejected), "ticket_rejected"),
        (await make_ticket(w.org, w.requester, Category.unofficial, status=TicketStatus.new), "ticket_unofficial"),
        (await make_ticket(w.org, w.requester, None), "ticket_unclassified"),
        (await make_ticket(w.org, w.requester, state=ClassificationState.needs_triage), "ticket_unclassified"),
    ]
    for bad_ticket, code in refused:
        response = await client.post(START, json={"ticket_id": bad_ticket.id}, headers=w.support)
        assert_problem(response, 409, code)
    assert_problem(await client.post(START, json={"ticket_id": 999999}, headers=w.support), 404)
    for body in (
        {},
        {"ticket_id": 0},
        {"ticket_id": "x"},
        {"ticket_id": ticket.id, "staff_id": w.lead.id},
        {"ticket_id": ticket.id, "description": "x" * 2001},
    ):
        assert_problem(await client.post(START, json=body, headers=w.support), 422)
    assert_problem(await client.post(START, content=b'{"ticket_id":', headers=w.support), 400)
    assert_problem(await client.post(START, json={"ticket_id": ticket.id}), 401)
    assert_problem(await client.post(START, json={"ticket_id": ticket.id}, headers=w.integrator), 403)
    assert_problem(await client.post(START, json={"ticket_id": ticket.id}, headers=w.finance), 403)
    assert_problem(await client.get(CURRENT, headers=w.integrator), 403)
    assert_problem(await client.post(STOP, headers=w.finance), 403)
    assert_problem(await client.delete(CURRENT), 401)
    # timers belong to a staff member: a token without one cannot have a timer
    assert_problem(await client.post(START, json={"ticket_id": ticket.id}, headers=w.shared), 422, "staff_required")
    assert_problem(await client.get(CURRENT, headers=w.admin), 422, "staff_required")
    assert await Timer.all().count() == 0
    # an admin bound to a staff member has a timer like anyone else
    admin_staff = f.bearer(await f.token(Role.admin, staff_member=await f.staff()))
    assert (await client.post(START, json={"ticket_id": ticket.id}, headers=admin_staff)).status_code == 201


@pytest.mark.postgres_only
async def test_concurrent_starts_yield_exactly_one_timer(client: httpx.AsyncClient) -> None:
    w = await world()
    tickets = [await make_ticket(w.org, w.requester) for _ in range(10)]
    responses = await asyncio.gather(
        *[client.post(START, json={"ticket_id": t.id, "description": "race"}, headers=w.support) for t in tickets]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 9, [r.text for r in responses]
    assert all(r.json()["code"] == "timer_already_running" for r in responses if r.status_code == 409)
    assert await Timer.filter(staff_id=w.agent.id).count() == 1


@pytest.mark.postgres_only
async def test_concurrent_stops_log_the_time_once(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester)
    assert (
        await client.post(START, json={"ticket_id": ticket.id, "description": "race"}, headers=w.support)
    ).status_code == 201
    responses = await asyncio.gather(*[client.post(STOP, headers=w.support) for _ in range(8)])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [404] * 7, [r.text for r in responses]
    assert await TimeEntry.all().count() == 1 and await Timer.all().count() == 0
