"""Tickets over the HTTP API: intake, numbering, bad input, billing to customers, listing, the state machine and
integrator scope."""

from __future__ import annotations

import httpx

from core.auth import Role
from support.models import Contact, OrganisationKind, Ticket
from tests import factories as f
from tests.support.test_organisations import assert_problem
from tests.support.ticket_helpers import open_ticket, post_ticket, world


async def test_intake_numbers_classifies_and_records_events(client: httpx.AsyncClient) -> None:
    org, requester, admin = await world()
    first = await open_ticket(client, admin, requester.id)
    second = await open_ticket(client, admin, requester.id)
    year = first["created_at"][:4]
    assert first["number"] == f"SUP-{year}-00001" and second["number"] == f"SUP-{year}-00002"
    assert first["organisation_id"] == org.id and first["bill_to_id"] == org.id
    assert first["category"] is not None and 0 <= first["classification_confidence"] <= 1
    assert first["classification_state"] in ("suggested", "needs_triage")
    events = (await client.get(f"/api/v1/tickets/{first['id']}/events", headers=admin)).json()["items"]
    assert [e["kind"] for e in events] == ["created", "classified"]
    assert events[1]["data"]["model_version"] and events[1]["to_value"] == first["category"]


async def test_numbers_continue_after_the_counter_and_grow_past_five_digits(client: httpx.AsyncClient) -> None:
    """Numbers handed out by the counter row (the SQLite path) are never reused, and the sixth digit
    is not cut off (the number is composed in SQL on PostgreSQL)."""
    from tortoise import Tortoise

    org, requester, admin = await world()
    year = (await open_ticket(client, admin, requester.id))["created_at"][:4]
    conn = Tortoise.get_connection("default")
    await conn.execute_script(f"DELETE FROM support_counter WHERE key = 'ticket:{year}'")
    await conn.execute_script(f"INSERT INTO support_counter (key, value) VALUES ('ticket:{year}', 99998)")
    await conn.execute_script(
        f"DROP SEQUENCE IF EXISTS support_ticket_number_{year}"
        if conn.capabilities.dialect == "postgres"
        else "SELECT 1"
    )
    numbers = [(await open_ticket(client, admin, requester.id))["number"] for _ in range(2)]
    assert numbers == [f"SUP-{year}-99999", f"SUP-{year}-100000"]


async def test_intake_of_an_inactive_or_foreign_requester_stores_nothing(client: httpx.AsyncClient) -> None:
    from notifications.models import OutboxMessage

    org, requester, admin = await world()
    inactive = await f.contact(org, email="gone@example.se", active=False)
    other = await f.contact(await f.organisation(name="Annan kommun"), email="annan@example.se")
    integrator = f.bearer(await f.token(Role.integrator, organisation=org))
    cases: list[tuple[Contact | int, dict[str, str], str]] = [
        (inactive, admin, "inactive"),
        (other, integrator, "not a known contact"),
        (requester.id + 1000, admin, "not a known contact"),
    ]
    for who, headers, detail in cases:
        contact_id = who if isinstance(who, int) else who.id
        response = await post_ticket(client, headers, contact_id)
        assert_problem(response, 422)
        assert detail in response.json()["detail"]
    assert await Ticket.all().count() == 0 and await OutboxMessage.all().count() == 0
    assert (await open_ticket(client, admin, requester.id))["number"].endswith("-00001")  # no number was used


async def test_ticket_bad_input(client: httpx.AsyncClient) -> None:
    org, requester, admin = await world()
    cases = [
        ({"subject": "", "requester_id": requester.id}, 422),
        ({"subject": "x" * 201, "requester_id": requester.id}, 422),
        ({"subject": "ok", "body": "x" * 100_001, "requester_id": requester.id}, 422),
        ({"subject": "ok"}, 422),
        ({"subject": "ok", "requester_id": "one"}, 422),
        ({"subject": "ok", "requester_id": requester.id, "priority": "high"}, 422),
        ({"subject": "ok", "requester_id": 99999}, 422),
        ({"subject": 5, "requester_id": requester.id}, 422),
    ]
    for body, status in cases:
        assert_problem(await client.post("/api/v1/tickets", json=body, headers=admin), status)
    assert_problem(await client.post("/api/v1/tickets", content=b"{", headers=admin), 400)
    too_big = b'{"subject": "x", "requester_id": 1, "body": "' + b"a" * 300_000 + b'"}'
    assert_problem(await client.post("/api/v1/tickets", content=too_big, headers=admin), 413)
    assert await Ticket.all().count() == 0


async def test_huge_body_and_odd_unicode_are_accepted(client: httpx.AsyncClient) -> None:
    org, requester, admin = await world()
    body = ("Stacktrace 🚨 \u200b\u202e ÅÄÖ 中文 \u0000 " * 2000)[:100_000]
    ticket = await open_ticket(client, admin, requester.id, subject="Fråga 🙂 om \u202eAPI", body=body)
    got = (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=admin)).json()
    assert got["body"] == body.replace("\u0000", "\ufffd") and got["subject"] == "Fråga 🙂 om \u202eAPI"


async def test_partner_may_bill_a_customer_but_a_customer_may_not(client: httpx.AsyncClient) -> None:
    customer = await f.organisation()
    partner = await f.organisation(kind=OrganisationKind.partner, name="Partner AB")
    consultant = await f.contact(partner)
    admin = f.bearer(await f.token(Role.admin))
    await client.post(f"/api/v1/organisations/{partner.id}/customers", json={"customer_id": customer.id}, headers=admin)
    ticket = await open_ticket(client, admin, consultant.id, bill_to_id=customer.id)
    assert ticket["organisation_id"] == partner.id and ticket["bill_to_id"] == customer.id
    customer_contact = await f.contact(customer)
    assert_problem(await post_ticket(client, admin, customer_contact.id, bill_to_id=partner.id), 404)
    # the billed customer's integrator sees the ticket; a third organisation does not
    billed = f.bearer(await f.token(Role.integrator, organisation=customer))
    assert (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=billed)).status_code == 200
    third = f.bearer(await f.token(Role.integrator, organisation=await f.organisation()))
    assert_problem(await client.get(f"/api/v1/tickets/{ticket['id']}", headers=third), 404)


async def test_external_reference_is_kept_returned_and_found(client: httpx.AsyncClient) -> None:
    """The integrator's own reference: set at intake, returned by read and list, matched exactly by the list
    (another organisation's ticket with the same reference stays invisible to the integrator)."""
    org, requester, admin = await world()
    ticket = await open_ticket(client, admin, requester.id, external_reference="  ORD-2026/0042 ")
    await open_ticket(client, admin, requester.id, external_reference="ORD-2026/00421")
    await open_ticket(client, admin, requester.id)
    other = await f.organisation()
    await open_ticket(client, admin, (await f.contact(other)).id, external_reference="ORD-2026/0042")
    assert ticket["external_reference"] == "ORD-2026/0042"
    read = (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=admin)).json()
    assert read["external_reference"] == "ORD-2026/0042"
    integrator = f.bearer(await f.token(Role.integrator, organisation=org))
    found = (
        await client.get("/api/v1/tickets", params={"external_reference": "ORD-2026/0042"}, headers=integrator)
    ).json()["items"]
    assert [(t["id"], t["external_reference"]) for t in found] == [(ticket["id"], "ORD-2026/0042")]
    assert (
        len(
            (await client.get("/api/v1/tickets", params={"external_reference": "ORD-2026/0042"}, headers=admin)).json()[
                "items"
            ]
        )
        == 2
    )
    assert_problem(await post_ticket(client, admin, requester.id, external_reference="x" * 101), 422)


async def test_licence_warning_on_ticket(client: httpx.AsyncClient) -> None:
    org, requester, admin = await world()
    app = await f.application(org, in_production=True)
    ticket = await open_ticket(client, admin, requester.id, application_id=app.id)
    assert "without a valid licence" in ticket["licence_warning"]
    other_app = await f.application(await f.organisation())
    assert_problem(await post_ticket(client, admin, requester.id, application_id=other_app.id), 404)


async def test_state_machine_and_events(client: httpx.AsyncClient) -> None:
    org, requester, admin = await world()
    agent = await f.staff()
    ticket = await open_ticket(client, admin, requester.id)
    url = f"/api/v1/tickets/{ticket['id']}"
    assert_problem(await client.patch(url, json={"status": "resolved"}, headers=admin), 409, "illegal_transition")
    for status in ("triaged", "in_progress", "waiting_on_customer", "in_progress", "resolved", "closed"):
        response = await client.patch(url, json={"status": status, "reason": f"to {status}"}, headers=admin)
        assert response.status_code == 200, response.text
    assert_problem(await client.patch(url, json={"status": "in_progress"}, headers=admin), 409)
    assert_problem(await client.patch(url, json={"status": "open"}, headers=admin), 422)
    assigned = await client.patch(url, json={"assignee_id": agent.id}, headers=admin)
    assert assigned.json()["assignee_id"] == agent.id
    assert_problem(await client.patch(url, json={"assignee_id": 424242}, headers=admin), 422)
    kinds = [e["kind"] for e in (await client.get(f"{url}/events", headers=admin)).json()["items"]]
    assert kinds.count("status_changed") == 6 and kinds[-1] == "assignee_changed"


async def test_list_filters_and_stable_pagination(client: httpx.AsyncClient) -> None:
    org, requester, admin = await world()
    other_org = await f.organisation()
    other_requester = await f.contact(other_org)
    ids = [(await open_ticket(client, admin, requester.id, subject=f"Ärende {i} token"))["id"] for i in range(7)]
    await open_ticket(client, admin, other_requester.id, subject="Annat")
    await client.patch(f"/api/v1/tickets/{ids[0]}", json={"status": "triaged"}, headers=admin)

    seen, cursor = [], None
    while True:
        params = {"limit": 3, "organisation_id": org.id, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/tickets", params=params, headers=admin)).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)
    triaged = (await client.get("/api/v1/tickets", params={"status": "triaged"}, headers=admin)).json()["items"]
    assert [t["id"] for t in triaged] == [ids[0]]
    found = (await client.get("/api/v1/tickets", params={"q": "Ärende 3"}, headers=admin)).json()["items"]
    assert [t["id"] for t in found] == [ids[3]]
    today = ticket_date = (await client.get(f"/api/v1/tickets/{ids[0]}", headers=admin)).json()["created_at"][:10]
    dated = (
        await client.get(
            "/api/v1/tickets", params={"created_from": today, "created_to": ticket_date, "limit": 200}, headers=admin
        )
    ).json()["items"]
    assert len(dated) == 8
    none = (
        await client.get(
            "/api/v1/tickets", params={"created_from": "2001-01-01", "created_to": "2001-01-02"}, headers=admin
        )
    ).json()["items"]
    assert none == []
    for bad in (
        {"limit": 0},
        {"limit": 1000},
        {"status": "nope"},
        {"cursor": "garbage!"},
        {"created_from": "yesterday"},
        {"organisation_id": "x"},
    ):
        assert_problem(await client.get("/api/v1/tickets", params=bad, headers=admin), 422)


async def test_integrator_scope_on_lists_and_writes(client: httpx.AsyncClient) -> None:
    org, requester, admin = await world()
    other = await f.contact(await f.organisation())
    mine = await open_ticket(client, admin, requester.id)
    theirs = await open_ticket(client, admin, other.id)
    integrator = f.bearer(await f.token(Role.integrator, organisation=org))
    listed = (await client.get("/api/v1/tickets", headers=integrator)).json()["items"]
    assert [t["id"] for t in listed] == [mine["id"]]
    assert_problem(await client.get(f"/api/v1/tickets/{theirs['id']}", headers=integrator), 404)
    assert_problem(await client.get(f"/api/v1/tickets/{theirs['id']}/comments", headers=integrator), 404)
    assert_problem(
        await client.patch(f"/api/v1/tickets/{mine['id']}", json={"status": "triaged"}, headers=integrator), 403
    )
    assert_problem(await post_ticket(client, integrator, other.id), 422)
    own = await post_ticket(client, integrator, requester.id, "Hjälp")
    assert own.status_code == 201
