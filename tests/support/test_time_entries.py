"""Time entries over the HTTP API: category snapshot, billability, validation, access, approval, period locks.

Tickets are created directly (not through intake) so that each test chooses the category deterministically.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from core.auth import Role
from support.models import ClassificationState, TicketStatus
from support.policy import Category
from support.timetracking.models import TimeEntry
from tests import factories as f
from tests.support.time_helpers import assert_problem, entry_body, log, make_ticket, today, world


async def test_entry_keeps_category_and_billability_of_the_ticket(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester, Category.performance)
    entry = await log(client, w.support, ticket.id, minutes=45)
    assert entry["ticket_id"] == ticket.id and entry["staff_id"] == w.agent.id
    assert entry["category"] == "performance" and entry["billable"] is True
    assert entry["minutes"] == 45 and entry["work_date"] == today().isoformat()
    assert entry["approved_at"] is None and entry["invoice_id"] is None
    free = await make_ticket(w.org, w.requester, Category.defect)
    assert (await log(client, w.support, free.id))["billable"] is False
    listed = (await client.get(f"/api/v1/tickets/{ticket.id}/time-entries", headers=w.support)).json()
    assert [e["id"] for e in listed["items"]] == [entry["id"]]
    assert listed["total_minutes"] == 45 and listed["billable_minutes"] == 45


async def test_reclassification_never_changes_past_entries(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester, Category.assistance)
    before = await log(client, w.support, ticket.id, minutes=60)
    response = await client.post(
        f"/api/v1/tickets/{ticket.id}/classification",
        json={"category": "defect", "reason": "a fault after all"},
        headers=w.admin,
    )
    assert response.status_code == 200, response.text
    after = await log(client, w.support, ticket.id, minutes=15)
    assert (after["category"], after["billable"]) == ("defect", False)
    again = (await client.get(f"/api/v1/time-entries/{before['id']}", headers=w.support)).json()
    assert (again["category"], again["billable"]) == ("assistance", True)
    stored = await TimeEntry.get(id=before["id"])
    assert stored.category == Category.assistance and stored.billable is True
    listed = (await client.get(f"/api/v1/tickets/{ticket.id}/time-entries", headers=w.admin)).json()
    assert listed["total_minutes"] == 75 and listed["billable_minutes"] == 60


async def test_not_a_defect_makes_only_later_time_billable(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester, Category.defect)
    investigation = await log(client, w.support, ticket.id, minutes=90, description="Utredning")
    assert investigation["billable"] is False
    response = await client.post(
        f"/api/v1/tickets/{ticket.id}/defect-outcome",
        json={"outcome": "not_a_defect", "reason": "own code"},
        headers=w.admin,
    )
    assert response.status_code == 200 and response.json()["category"] == "assistance", response.text
    help_ = await log(client, w.support, ticket.id, minutes=30, description="Hjälp med anropet")
    assert (help_["category"], help_["billable"]) == ("assistance", True)
    first = (await client.get(f"/api/v1/time-entries/{investigation['id']}", headers=w.admin)).json()
    assert (first["category"], first["billable"]) == ("defect", False)


async def test_extension_is_billable_only_once_customer_funded(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester, Category.extension)
    evaluation = await log(client, w.support, ticket.id)
    assert (evaluation["category"], evaluation["billable"]) == ("extension", False)
    response = await client.post(
        f"/api/v1/tickets/{ticket.id}/extension-decision",
        json={"decision": "customer_funded", "reason": "accepted"},
        headers=w.admin,
    )
    assert response.status_code == 200, response.text
    assert (await log(client, w.support, ticket.id))["billable"] is True
    roadmap = await make_ticket(w.org, w.requester, Category.extension, extension_decision="roadmap")
    assert (await log(client, w.support, roadmap.id))["billable"] is False


async def test_no_time_on_rejected_unofficial_or_unclassified_tickets(client: httpx.AsyncClient) -> None:
    w = await world()
    cases = [
        (await make_ticket(w.org, w.requester, status=TicketStatus.rejected), "ticket_rejected"),
        (await make_ticket(w.org, w.requester, Category.unofficial, status=TicketStatus.new), "ticket_unofficial"),
        (await make_ticket(w.org, w.requester, Category.unofficial, status=TicketStatus.rejected), "ticket_rejected"),
        (await make_ticket(w.org, w.requester, None), "ticket_unclassified"),
        (
            await make_ticket(w.org, w.requester, Category.assistance, state=ClassificationState.needs_triage),
            "ticket_unclassified",
        ),
    ]
    for ticket, code in cases:
        response = await client.post(f"/api/v1/tickets/{ticket.id}/time-entries", json=entry_body(), headers=w.support)
        assert_problem(response, 409, code)
    # a confident automatic suggestion (the integrator was told the billing) is settled enough
    suggested = await make_ticket(w.org, w.requester, Category.activation, state=ClassificationState.suggested)
    assert (await log(client, w.support, suggested.id))["billable"] is True
    # staff classifying the unofficial ticket rejects it; time stays refused
    ticket = await make_ticket(w.org, w.requester, Category.assistance)
    await client.post(
        f"/api/v1/tickets/{ticket.id}/classification",
        json={"category": "unofficial", "reason": "reads the database"},
        headers=w.admin,
    )
    assert_problem(
        await client.post(f"/api/v1/tickets/{ticket.id}/time-entries", json=entry_body(), headers=w.support),
        409,
        "ticket_rejected",
    )
    assert await TimeEntry.all().count() == 1


# Validation -------------------------------------------------------------------------------------------------


async def test_bad_input_is_refused(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester)
    url = f"/api/v1/tickets/{ticket.id}/time-entries"
    year_ago = today() - dt.timedelta(days=366)
    bad: list[dict[str, Any]] = [
        entry_body(minutes=-30),
        entry_body(minutes=0),
        entry_body(minutes=1441),
        entry_body(minutes=100_000),
        entry_body(minutes=30.5),
        entry_body(minutes="30"),
        entry_body(minutes=True),
        entry_body(minutes=None),
        entry_body(work_date=(today() + dt.timedelta(days=1)).isoformat()),
        entry_body(work_date="2999-01-01"),
        entry_body(work_date=year_ago.isoformat()),
        entry_body(work_date="1999-12-31"),
        entry_body(work_date="2026-02-30"),
        entry_body(work_date="igår"),
        entry_body(description=""),
        entry_body(description="   "),
        entry_body(description="x" * 2001),
        entry_body(category="defect"),
        entry_body(billable=False),
        entry_body(staff_id=0),
        {"minutes": 30, "description": "x"},
        {"work_date": today().isoformat(), "description": "x"},
        {"work_date": today().isoformat(), "minutes": 30},
    ]
    for body in bad:
        assert_problem(await client.post(url, json=body, headers=w.support), 422)
    assert_problem(await client.post(url, json=[1, 2], headers=w.support), 422)
    assert_problem(await client.post(url, content=b'{"minutes": 30,', headers=w.support), 400, "malformed_json")
    assert await TimeEntry.all().count() == 0
    # the boundaries themselves are fine
    await log(client, w.support, ticket.id, minutes=1)
    await log(client, w.support, ticket.id, minutes=1440, description="y" * 2000)
    await log(client, w.support, ticket.id, work_date=(today() - dt.timedelta(days=364)).isoformat())
    assert await TimeEntry.all().count() == 3


async def test_access_and_visibility(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester)
    url = f"/api/v1/tickets/{ticket.id}/time-entries"
    assert_problem(await client.post(url, json=entry_body()), 401)
    assert_problem(await client.post(url, json=entry_body(), headers={"Authorization": "Bearer nope"}), 401)
    assert_problem(await client.post(url, json=entry_body(), headers=w.finance), 403)
    assert_problem(await client.post(url, json=entry_body(), headers=w.integrator), 403)
    assert_problem(await client.post("/api/v1/tickets/999999/time-entries", json=entry_body(), headers=w.support), 404)
    entry = await log(client, w.support, ticket.id)
    # integrators read their own organisation's tickets' time, nothing else
    own = await client.get(url, headers=w.integrator)
    assert own.status_code == 200 and [e["id"] for e in own.json()["items"]] == [entry["id"]]
    assert (await client.get(f"/api/v1/time-entries/{entry['id']}", headers=w.integrator)).status_code == 200
    assert_problem(await client.get(url, headers=w.stranger), 404, "ticket_not_found")
    assert_problem(await client.get(f"/api/v1/time-entries/{entry['id']}", headers=w.stranger), 404)
    assert_problem(await client.get("/api/v1/time-entries", headers=w.integrator), 403)
    assert_problem(
        await client.patch(f"/api/v1/time-entries/{entry['id']}", json={"minutes": 5}, headers=w.integrator), 403
    )
    assert_problem(await client.delete(f"/api/v1/time-entries/{entry['id']}", headers=w.finance), 403)
    assert (await client.get("/api/v1/time-entries", headers=w.finance)).status_code == 200
    assert_problem(await client.get("/api/v1/time-entries/999999", headers=w.admin), 404)
    assert_problem(await client.get(url), 401)


async def test_who_the_time_belongs_to(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester)
    url = f"/api/v1/tickets/{ticket.id}/time-entries"
    # a support token without a staff member must name one
    assert_problem(await client.post(url, json=entry_body(), headers=w.shared), 422, "staff_required")
    assert (await log(client, w.shared, ticket.id, staff_id=w.agent.id))["staff_id"] == w.agent.id
    # a support token bound to a staff member cannot log for someone else
    assert_problem(await client.post(url, json=entry_body(staff_id=w.lead.id), headers=w.support), 403)
    assert (await log(client, w.support, ticket.id, staff_id=w.agent.id))["staff_id"] == w.agent.id
    # admins may name anyone; without a staff member of their own they must
    assert (await log(client, w.admin, ticket.id, staff_id=w.lead.id))["staff_id"] == w.lead.id
    assert_problem(await client.post(url, json=entry_body(), headers=w.admin), 422, "staff_required")
    assert_problem(await client.post(url, json=entry_body(staff_id=999999), headers=w.admin), 422)
    gone = await f.staff(active=False)
    assert_problem(await client.post(url, json=entry_body(staff_id=gone.id), headers=w.admin), 422)


async def test_idempotency_key_returns_the_first_entry(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester)
    url = f"/api/v1/tickets/{ticket.id}/time-entries"
    headers = {**w.support, "Idempotency-Key": "entry-1"}
    first = await client.post(url, json=entry_body(), headers=headers)
    second = await client.post(url, json=entry_body(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"] and await TimeEntry.all().count() == 1
    assert_problem(await client.post(url, json=entry_body(minutes=31), headers=headers), 409)


# Editing, deleting, approval ------------------------------------------------------------------------------


async def test_edit_and_delete(client: httpx.AsyncClient) -> None:
    w = await world()
    ticket = await make_ticket(w.org, w.requester)
    entry = await log(client, w.support, ticket.id)
    url = f"/api/v1/time-entries/{entry['id']}"
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    response = await client.patch(
        url, json={"minutes": 75, "description": "Rättat", "work_date": yesterday}, headers=w.support
    )
    assert response.status_code == 200, response.text
    assert (response.json()["minutes"], response.json()["description"], response.json()["work_date"]) == (
        75,
        "Rättat",
        yesterday,
    )
    assert response.json()["category"] == "assistance"
    for body in (
        {"category": "defect"},
        {"billable": False},
        {"minutes": 0},
        {"minutes": 1441},
        {"minutes": None},
        {"description": ""},
        {"work_date": "2999-01-01"},
        {"invoice_id": 1},
        {"approved_at": "2026-01-01T00:00:00Z"},
    ):
        assert_problem(await client.patch(url, json=body, headers=w.support), 422)
    assert_problem(await client.patch(url, content=b"{nope", headers=w.support), 400)
    stored = await TimeEntry.get(id=entry["id"])
    assert (stored.minutes, stored.category, stored.billable) == (75, Category.assistance, True)
    # another staff member's support token may not touch it; admins and shared support tokens may
    other = f.bearer(await f.token(Role.support, staff_member=await f.staff()))
    assert_problem(await client.patch(url, json={"minutes": 5}, headers=other), 403)
    assert_problem(await client.delete(url, headers=other), 403)
    assert (await client.patch(url, json={"minutes": 80}, headers=w.admin)).json()["minutes"] == 80
    assert (await client.delete(url, headers=w.support)).status_code == 204
    assert_problem(await client.get(url, headers=w.support), 404, "time_entry_not_found")
    assert_problem(await client.delete(url, headers=w.support), 404)
    assert_problem(await client.patch("/api/v1/time-entries/999999", json={"minutes": 5}, headers=w.admin), 404)
