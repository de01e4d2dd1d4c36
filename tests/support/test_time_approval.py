"""Time entries after logging: approval, frozen entries, period locks, lists, and the rules the demo seed
and the ticket's creation date set."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from support.models import Staff, TicketStatus
from support.policy import Category
from support.timetracking.models import PeriodLock, TimeEntry
from tests import factories as f
from tests.support.time_helpers import assert_problem, entry_body, log, make_ticket, today, world


async def test_approved_and_invoiced_entries_are_frozen(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester)
    approved = await log(client, w.support, ticket.id)
    invoiced = await log(client, w.support, ticket.id)
    response = await client.post("/api/v1/time-entries/approve", json={"ids": [approved["id"]]}, headers=w.lead_token)
    assert response.status_code == 200, response.text
    await TimeEntry.filter(id=invoiced["id"]).update(invoice_id=4711)
    for entry, code in ((approved, "time_entry_approved"), (invoiced, "time_entry_invoiced")):
        url = f"/api/v1/time-entries/{entry['id']}"
        assert_problem(await client.patch(url, json={"minutes": 5}, headers=w.support), 409, code)
        assert_problem(await client.patch(url, json={"description": "x"}, headers=w.admin), 409, code)
        assert_problem(await client.delete(url, headers=w.admin), 409, code)
    assert await TimeEntry.all().count() == 2
    assert (await TimeEntry.get(id=approved["id"])).minutes == 30
    # once unapproved it can be corrected again
    assert (
        await client.post(f"/api/v1/time-entries/{approved['id']}/unapprove", headers=w.lead_token)
    ).status_code == 200
    assert (
        await client.patch(f"/api/v1/time-entries/{approved['id']}", json={"minutes": 5}, headers=w.support)
    ).status_code == 200


async def test_approval_by_leads_and_admins_all_or_nothing(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester)
    a, b, c = [(await log(client, w.support, ticket.id))["id"] for _ in range(3)]
    url = "/api/v1/time-entries/approve"
    assert_problem(await client.post(url, json={"ids": [a]}, headers=w.support), 403, "not_an_approver")
    assert_problem(await client.post(url, json={"ids": [a]}, headers=w.shared), 403)
    assert_problem(await client.post(url, json={"ids": [a]}, headers=w.finance), 403)
    assert_problem(await client.post(url, json={"ids": [a]}, headers=w.integrator), 403)
    assert_problem(await client.post(url, json={"ids": [a]}), 401)
    bodies: list[dict[str, object]] = [{"ids": []}, {"ids": [0]}, {"ids": "1"}, {}, {"ids": [a], "all": True}]
    for body in bodies:
        assert_problem(await client.post(url, json=body, headers=w.lead_token), 422)
    assert_problem(await client.post(url, content=b"[", headers=w.lead_token), 400)

    first = await client.post(url, json={"ids": [a, b, b]}, headers=w.lead_token)
    assert first.status_code == 200, first.text
    assert first.json()["newly_approved"] == 2
    assert {e["approved_by_id"] for e in first.json()["items"]} == {w.lead.id}
    stamps = {e["id"]: e["approved_at"] for e in first.json()["items"]}
    # idempotent: already approved entries keep their first approval
    again = (await client.post(url, json={"ids": [a, b]}, headers=w.admin)).json()
    assert again["newly_approved"] == 0 and {e["id"]: e["approved_at"] for e in again["items"]} == stamps
    # all or nothing: an unknown id approves none
    assert_problem(await client.post(url, json={"ids": [c, 999999]}, headers=w.lead_token), 404)
    assert (await TimeEntry.get(id=c)).approved_at is None
    assert (await client.post(url, json={"ids": [c]}, headers=w.admin)).json()["newly_approved"] == 1

    # unapprove: leads and admins; not once invoiced
    unapprove = f"/api/v1/time-entries/{a}/unapprove"
    assert_problem(await client.post(unapprove, headers=w.support), 403)
    response = await client.post(unapprove, headers=w.lead_token)
    assert response.status_code == 200 and response.json()["approved_at"] is None
    assert response.json()["approved_by_id"] is None
    assert (await client.post(unapprove, headers=w.admin)).status_code == 200  # already unapproved: fine
    await TimeEntry.filter(id=b).update(invoice_id=99)
    assert_problem(
        await client.post(f"/api/v1/time-entries/{b}/unapprove", headers=w.admin), 409, "time_entry_invoiced"
    )
    assert (await TimeEntry.get(id=b)).approved_at is not None
    assert_problem(await client.post("/api/v1/time-entries/999999/unapprove", headers=w.admin), 404)
    # an inactive lead approves nothing
    await Staff.filter(id=w.lead.id).update(active=False)
    assert_problem(await client.post(url, json={"ids": [a]}, headers=w.lead_token), 403)


# Period locks ---------------------------------------------------------------------------------------------


async def test_period_lock(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester)
    this_month = f"{today():%Y-%m}"
    last_month_day = today().replace(day=1) - dt.timedelta(days=1)
    before_lock = await log(client, w.support, ticket.id)
    earlier = await log(client, w.support, ticket.id, work_date=last_month_day.isoformat())

    url = "/api/v1/period-locks"
    assert_problem(await client.post(url, json={"month": this_month}, headers=w.support), 403)
    assert_problem(await client.post(url, json={"month": this_month}, headers=w.integrator), 403)
    assert_problem(await client.post(url, json={"month": this_month}), 401)
    for bad in ("2026-13", "2026-1", "26-10", "2026-10-01", "", "oktober"):
        assert_problem(await client.post(url, json={"month": bad}, headers=w.admin), 422)
    assert_problem(await client.post(url, json={"month": this_month, "x": 1}, headers=w.admin), 422)
    created = await client.post(url, json={"month": this_month}, headers=w.finance)
    assert created.status_code == 201, created.text
    assert created.json()["month"] == this_month and created.json()["month_start_date"] == f"{this_month}-01"
    assert_problem(await client.post(url, json={"month": this_month}, headers=w.admin), 409, "period_already_locked")
    listed = (await client.get(url, headers=w.support)).json()["items"]
    assert [lock["month"] for lock in listed] == [this_month]
    assert_problem(await client.get(url, headers=w.integrator), 403)

    entries = f"/api/v1/tickets/{ticket.id}/time-entries"
    assert_problem(await client.post(entries, json=entry_body(), headers=w.support), 409, "period_locked")
    assert_problem(
        await client.patch(f"/api/v1/time-entries/{before_lock['id']}", json={"minutes": 5}, headers=w.support),
        409,
        "period_locked",
    )
    assert_problem(
        await client.delete(f"/api/v1/time-entries/{before_lock['id']}", headers=w.admin), 409, "period_locked"
    )
    # moving an entry into the locked month is refused too; the open month is still open
    assert_problem(
        await client.patch(
            f"/api/v1/time-entries/{earlier['id']}", json={"work_date": today().isoformat()}, headers=w.support
        ),
        409,
    )
    assert (
        await client.patch(f"/api/v1/time-entries/{earlier['id']}", json={"minutes": 10}, headers=w.support)
    ).status_code == 200
    assert await TimeEntry.filter(work_date__gte=today().replace(day=1)).count() == 1

    assert_problem(await client.delete(f"{url}/{this_month}", headers=w.finance), 403)
    assert_problem(await client.delete(f"{url}/2026-13", headers=w.admin), 422)
    assert (await client.delete(f"{url}/{this_month}", headers=w.admin)).status_code == 204
    assert_problem(await client.delete(f"{url}/{this_month}", headers=w.admin), 404, "period_lock_not_found")
    assert await PeriodLock.all().count() == 0
    await log(client, w.support, ticket.id)


# Listing ----------------------------------------------------------------------------------------------------


async def test_list_filters_and_keyset_pagination(client: httpx.AsyncClient) -> None:
    w = await world()
    customer = await f.organisation()
    mine = await make_ticket(w.org, w.requester, Category.assistance)
    billed_elsewhere = await make_ticket(w.org, w.requester, Category.defect, bill_to=customer)
    yesterday = today() - dt.timedelta(days=1)
    ids = [
        (await log(client, w.support, mine.id))["id"],
        (await log(client, w.support, mine.id, work_date=yesterday.isoformat()))["id"],
        (await log(client, w.lead_token, mine.id))["id"],
        (await log(client, w.support, billed_elsewhere.id))["id"],
        (await log(client, w.lead_token, billed_elsewhere.id, work_date=yesterday.isoformat()))["id"],
    ]
    await client.post("/api/v1/time-entries/approve", json={"ids": ids[:2]}, headers=w.admin)
    await TimeEntry.filter(id=ids[0]).update(invoice_id=1)

    async def found(**params: Any) -> list[int]:
        response = await client.get("/api/v1/time-entries", params=params, headers=w.finance)
        assert response.status_code == 200, response.text
        return [e["id"] for e in response.json()["items"]]

    assert await found() == sorted(ids, reverse=True)
    assert await found(staff_id=w.lead.id) == [ids[4], ids[2]]
    assert await found(ticket_id=billed_elsewhere.id) == [ids[4], ids[3]]
    assert await found(organisation_id=customer.id) == [ids[4], ids[3]]
    assert await found(organisation_id=w.org.id) == [ids[2], ids[1], ids[0]]
    assert await found(work_date_from=today().isoformat()) == [ids[3], ids[2], ids[0]]
    assert await found(work_date_to=yesterday.isoformat()) == [ids[4], ids[1]]
    assert await found(work_date_from=yesterday.isoformat(), work_date_to=yesterday.isoformat()) == [ids[4], ids[1]]
    assert await found(approved="true") == [ids[1], ids[0]]
    assert await found(approved="false") == [ids[4], ids[3], ids[2]]
    assert await found(invoiced="true") == [ids[0]]
    assert await found(invoiced="false", approved="true") == [ids[1]]
    assert await found(billable="false") == [ids[4], ids[3]]
    assert await found(billable="true", staff_id=w.agent.id) == [ids[1], ids[0]]
    assert await found(category="defect") == [ids[4], ids[3]]

    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/time-entries", params=params, headers=w.admin)).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)

    for bad in (
        {"cursor": "garbage!"},
        {"limit": 0},
        {"limit": 500},
        {"approved": "maybe"},
        {"work_date_from": "2026-99-01"},
        {"staff": 1},
        {"category": "free"},
        {"work_date_from": today().isoformat(), "work_date_to": yesterday.isoformat()},
    ):
        assert_problem(await client.get("/api/v1/time-entries", params=bad, headers=w.admin), 422)


async def test_openapi_documents_time_tracking(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path, method in (
        ("/api/v1/tickets/{id}/time-entries", "post"),
        ("/api/v1/time-entries", "get"),
        ("/api/v1/time-entries/{id}", "patch"),
        ("/api/v1/time-entries/approve", "post"),
        ("/api/v1/timers", "post"),
        ("/api/v1/timers/current/stop", "post"),
        ("/api/v1/period-locks", "post"),
        ("/api/v1/period-locks/{month}", "delete"),
    ):
        assert method in paths[path], (path, method)


async def test_log_time_for_staff_for_the_demo_seed(db: str) -> None:
    """No principal; dates relative to today may lie outside the API's window, the other rules hold."""
    from core.errors import DomainError
    from support.timetracking.service import log_time_for_staff

    org = await f.organisation()
    requester = await f.contact(org)
    agent, lead = await f.staff(), await f.staff(is_lead=True)
    ticket = await make_ticket(org, requester, Category.assistance)
    old = today() - dt.timedelta(days=400)
    entry = await log_time_for_staff(
        staff_id=agent.id, ticket_id=ticket.id, work_date=old, minutes=90, description="Demo", approve_by=lead.id
    )
    assert (entry.work_date, entry.billable, entry.approved_by_id) == (old, True, lead.id)
    assert entry.approved_at is not None and entry.category == Category.assistance
    unapproved = await log_time_for_staff(
        staff_id=agent.id, ticket_id=ticket.id, work_date=today(), minutes=5, description="Demo"
    )
    assert unapproved.approved_at is None

    rejected = await make_ticket(org, requester, status=TicketStatus.rejected)
    await PeriodLock.create(month_start_date=old.replace(day=1), locked_by="test")
    refusals: list[tuple[dict[str, Any], int, str | None]] = [
        (dict(ticket_id=rejected.id), 409, "ticket_rejected"),
        (dict(work_date=old), 409, "period_locked"),
        (dict(approve_by=agent.id), 422, None),
        (dict(minutes=0), 422, None),
        (dict(description=" "), 422, None),
        (dict(ticket_id=999999), 404, None),
    ]
    for overrides, status, code in refusals:
        kwargs: dict[str, Any] = dict(
            staff_id=agent.id, ticket_id=ticket.id, work_date=today(), minutes=30, description="Demo"
        )
        kwargs.update(overrides)
        try:
            await log_time_for_staff(**kwargs)
        except DomainError as exc:
            assert exc.status == status and (code is None or exc.code == code), (overrides, exc)
        else:
            raise AssertionError(f"accepted {overrides}")
    assert await TimeEntry.all().count() == 2


async def test_work_cannot_be_dated_before_the_ticket_was_created(client: httpx.AsyncClient) -> None:
    """Issue 15 point 8: the ticket's creation day in TRIPDESK_TIMEZONE (Stockholm) is the first loggable
    day; an earlier date is a 422 when logging and when moving an entry."""
    w = await world()
    day = today() - dt.timedelta(days=5)
    # 00:10 in Stockholm on `day` is still the day before in UTC: the business day decides.
    opened = dt.datetime.combine(day, dt.time(0, 10), ZoneInfo("Europe/Stockholm")).astimezone(dt.UTC)
    assert opened.date() == day - dt.timedelta(days=1)
    ticket = await make_ticket(w.org, w.requester, opened=opened)
    url = f"/api/v1/tickets/{ticket.id}/time-entries"
    before = (day - dt.timedelta(days=1)).isoformat()
    body = assert_problem(
        await client.post(url, json=entry_body(work_date=before), headers=w.support), 422, "work_date_before_ticket"
    )
    assert ticket.number in body["detail"] and day.isoformat() in body["detail"]
    entry = await log(client, w.support, ticket.id, work_date=day.isoformat())
    assert_problem(
        await client.patch(f"/api/v1/time-entries/{entry['id']}", json={"work_date": before}, headers=w.support),
        422,
        "work_date_before_ticket",
    )
    assert await TimeEntry.filter(ticket_id=ticket.id).count() == 1
