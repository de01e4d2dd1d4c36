"""Tickets after intake, over the HTTP API: comments, staff classification and decisions, idempotent and
concurrent intake, search by number, the automatic unofficial rule."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import httpx
import pytest

from core.auth import Role
from support.models import Ticket
from tests import factories as f
from tests.support.test_organisations import assert_problem
from tests.support.ticket_helpers import open_ticket, world


async def test_comments_public_and_internal(client: httpx.AsyncClient) -> None:
    org, requester, admin = await world()
    ticket = await open_ticket(client, admin, requester.id)
    url = f"/api/v1/tickets/{ticket['id']}/comments"
    await client.post(url, json={"body": "Intern anteckning"}, headers=admin)
    await client.post(url, json={"body": "Vi tittar på det", "public": True}, headers=admin)
    integrator = f.bearer(await f.token(Role.integrator, organisation=org))
    visible = (await client.get(url, headers=integrator)).json()["items"]
    assert [c["body"] for c in visible] == ["Vi tittar på det"]
    assert len((await client.get(url, headers=admin)).json()["items"]) == 2
    assert_problem(await client.post(url, json={"body": "x", "public": False}, headers=integrator), 403)
    assert (await client.post(url, json={"body": "Tack!", "public": True}, headers=integrator)).status_code == 201
    # an integrator's comment without `public` is public (staff's stays internal, as above)
    plain = await client.post(url, json={"body": "Det fungerar nu"}, headers=integrator)
    assert plain.status_code == 201 and plain.json()["public"] is True
    assert [c["body"] for c in (await client.get(url, headers=integrator)).json()["items"]][-1] == "Det fungerar nu"
    assert (await client.get(url, headers=admin)).json()["items"][0]["public"] is False
    assert_problem(await client.post(url, json={"body": "   "}, headers=admin), 422)
    finance = f.bearer(await f.token(Role.finance))
    assert_problem(await client.post(url, json={"body": "x"}, headers=finance), 403)


async def test_staff_classification_override_and_unofficial_rejection(client: httpx.AsyncClient) -> None:
    from support.classification.models import LabelledExample

    org, requester, admin = await world()
    ticket = await open_ticket(client, admin, requester.id)
    url = f"/api/v1/tickets/{ticket['id']}"
    assert_problem(await client.post(f"{url}/classification", json={"category": "defect"}, headers=admin), 422)
    assert_problem(
        await client.post(f"{url}/classification", json={"category": "bug", "reason": "x"}, headers=admin), 422
    )
    changed = await client.post(
        f"{url}/classification", json={"category": "unofficial", "reason": "läser databasen direkt"}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["category"] == "unofficial" and body["status"] == "rejected" and body["billing"] == "refused"
    assert body["classification_state"] == "confirmed"
    comments = (await client.get(f"{url}/comments", headers=admin)).json()["items"]
    assert comments[-1]["public"] and "integrationspolicyn" in comments[-1]["body"]
    events = (await client.get(f"{url}/events", headers=admin)).json()["items"]
    change = next(e for e in events if e["kind"] in ("category_changed", "category_confirmed"))
    assert change["reason"] == "läser databasen direkt" and change["to_value"] == "unofficial"
    assert await LabelledExample.filter(ticket_id=ticket["id"], category="unofficial").exists()
    assert_problem(
        await client.post(f"{url}/classification", json={"category": "assistance", "reason": "x"}, headers=admin), 409
    )


async def test_defect_outcome_and_extension_decision(client: httpx.AsyncClient) -> None:
    org, requester, admin = await world()
    ticket = await open_ticket(client, admin, requester.id)
    url = f"/api/v1/tickets/{ticket['id']}"
    await client.post(f"{url}/classification", json={"category": "defect", "reason": "fel efter patch"}, headers=admin)
    assert_problem(
        await client.post(f"{url}/extension-decision", json={"decision": "roadmap", "reason": "x"}, headers=admin), 409
    )
    outcome = await client.post(
        f"{url}/defect-outcome", json={"outcome": "not_a_defect", "reason": "fel i er kod"}, headers=admin
    )
    assert outcome.json()["category"] == "assistance" and outcome.json()["defect_outcome"] == "not_a_defect"
    assert_problem(
        await client.post(f"{url}/defect-outcome", json={"outcome": "confirmed", "reason": "x"}, headers=admin), 409
    )

    wish = await open_ticket(
        client,
        admin,
        requester.id,
        subject="Önskemål om nytt fält",
        body="Kan ni lägga till fältet telefonnummer i API:et?",
    )
    wurl = f"/api/v1/tickets/{wish['id']}"
    await client.post(f"{wurl}/classification", json={"category": "extension", "reason": "önskemål"}, headers=admin)
    decided = await client.post(
        f"{wurl}/extension-decision", json={"decision": "customer_funded", "reason": "offert"}, headers=admin
    )
    assert decided.json()["extension_decision"] == "customer_funded"
    kinds = [e["kind"] for e in (await client.get(f"{wurl}/events", headers=admin)).json()["items"]]
    assert "extension_decision" in kinds


async def test_idempotency_key_returns_first_result(client: httpx.AsyncClient) -> None:
    org, requester, admin = await world()
    payload = {"subject": "Samma ärende", "requester_id": requester.id}
    headers = {**admin, "Idempotency-Key": "retry-123"}
    first = await client.post("/api/v1/tickets", json=payload, headers=headers)
    again = await client.post("/api/v1/tickets", json=payload, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert await Ticket.all().count() == 1
    assert_problem(
        await client.post("/api/v1/tickets", json={**payload, "subject": "Annat"}, headers=headers),
        409,
        "idempotency_key_reused",
    )
    assert_problem(
        await client.post("/api/v1/tickets", json=payload, headers={**admin, "Idempotency-Key": "k" * 201}), 422
    )


@pytest.mark.postgres_only
async def test_concurrent_idempotent_retries_create_one_ticket(client: httpx.AsyncClient) -> None:
    org, requester, admin = await world()
    headers = {**admin, "Idempotency-Key": "storm"}
    payload = {"subject": "Parallellt", "requester_id": requester.id}
    responses = await asyncio.gather(
        *[client.post("/api/v1/tickets", json=payload, headers=headers) for _ in range(10)]
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert await Ticket.all().count() == 1


@pytest.mark.postgres_only
async def test_concurrent_intake_numbers_without_duplicates(client: httpx.AsyncClient) -> None:
    org, requester, admin = await world()
    responses = await asyncio.gather(
        *[
            client.post("/api/v1/tickets", json={"subject": f"T{i}", "requester_id": requester.id}, headers=admin)
            for i in range(30)
        ]
    )
    assert all(r.status_code == 201 for r in responses)
    numbers = sorted(int(r.json()["number"].rsplit("-", 1)[1]) for r in responses)
    assert numbers == list(range(1, 31))


async def test_search_by_ticket_number(client: httpx.AsyncClient) -> None:
    org, requester, admin = await world()
    made = [await open_ticket(client, admin, requester.id, subject=f"Fråga {i}") for i in range(3)]
    exact = (await client.get("/api/v1/tickets", params={"q": made[1]["number"].lower()}, headers=admin)).json()
    assert [t["id"] for t in exact["items"]] == [made[1]["id"]]
    year = made[0]["number"].split("-")[1]
    last_year = await open_ticket(client, admin, requester.id, subject="Förra året")
    await Ticket.filter(id=last_year["id"]).update(number=f"SUP-{int(year) - 1}-00007")
    await Ticket.filter(id=made[0]["id"]).update(number=f"SUP-{year}-123456")  # a sixth digit, still a number

    def search(q: str, **params: Any) -> Awaitable[httpx.Response]:
        return client.get("/api/v1/tickets", params={"q": q, **params}, headers=admin)

    assert [t["id"] for t in (await search(f"SUP-{year}-123456")).json()["items"]] == [made[0]["id"]]
    # a year's tickets, newest first, page by page (PostgreSQL: filtered on the number's year, ordered by id + 0)
    first = (await search(f"SUP-{year}", limit=2)).json()
    rest = (await search(f"SUP-{year}", limit=2, cursor=first["next_cursor"])).json()
    assert [t["id"] for t in first["items"] + rest["items"]] == [t["id"] for t in reversed(made)]
    assert rest["next_cursor"] is None
    assert [t["id"] for t in (await search(f"SUP-{int(year) - 1}")).json()["items"]] == [last_year["id"]]
    assert len((await search(f"SUP-{year[:2]}")).json()["items"]) == 4  # a shorter prefix spans the years


async def test_automatic_unofficial_waits_for_staff_before_refusing(client: httpx.AsyncClient) -> None:
    from notifications.models import OutboxMessage
    from notifications.service import complete_context

    org, requester, admin = await world()
    ticket = await open_ticket(
        client,
        admin,
        requester.id,
        subject="Vi läser direkt i er databas",
        body="Vår rapport kör SELECT * FROM dbo.arende direkt mot er SQL Server-databas. "
        "Efter uppgraderingen saknas kolumnen reg_datum, vilken tabell ligger den i nu?",
    )
    assert ticket["category"] == "unofficial"
    assert ticket["classification_state"] == "needs_triage" and ticket["status"] == "new"
    receipt = await complete_context(await OutboxMessage.get(dedupe_key=f"ticket:{ticket['number']}:received"))
    assert "avvisas" not in receipt.text_body and "ingen assistans" not in receipt.text_body
    confirmed = await client.post(
        f"/api/v1/tickets/{ticket['id']}/classification",
        headers=admin,
        json={"category": "unofficial", "reason": "direkt databasåtkomst"},
    )
    assert confirmed.json()["status"] == "rejected"
