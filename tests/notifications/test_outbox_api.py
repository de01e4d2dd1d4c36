"""Outbox admin API: list with filters and cursor, detail, retry a parked message, and the 4xx answers."""

from __future__ import annotations

from typing import Any

import httpx

from core.auth import Role
from notifications.models import OutboxMessage, OutboxStatus
from tests import factories as f
from tests.notifications.test_outbox import queue
from tests.support.test_organisations import assert_problem


async def test_list_filter_and_page(client: httpx.AsyncClient, db: str) -> None:
    admin = f.bearer(await f.token(Role.admin))
    for n in range(5):
        assert await queue("public_comment", key=f"c:{n}", to=f"p{n}@kommun.example.se")
    assert await queue("invoice_issued", key="inv", to="ekonomi@kommun.example.se")
    await OutboxMessage.filter(dedupe_key="c:0").update(status=OutboxStatus.parked, last_error="550 no such user")

    page = (await client.get("/api/v1/outbox?limit=4", headers=admin)).json()
    assert [m["dedupe_key"] for m in page["items"]] == ["inv", "c:4", "c:3", "c:2"]
    assert "text_body" not in page["items"][0] and page["next_cursor"]
    rest = (await client.get(f"/api/v1/outbox?limit=4&cursor={page['next_cursor']}", headers=admin)).json()
    assert [m["dedupe_key"] for m in rest["items"]] == ["c:1", "c:0"] and rest["next_cursor"] is None

    parked = (await client.get("/api/v1/outbox?status=parked", headers=admin)).json()["items"]
    assert [(m["dedupe_key"], m["last_error"]) for m in parked] == [("c:0", "550 no such user")]
    by_template = (await client.get("/api/v1/outbox?template=invoice_issued", headers=admin)).json()["items"]
    assert [m["dedupe_key"] for m in by_template] == ["inv"]
    by_rcpt = (await client.get("/api/v1/outbox?to_email=P3@kommun.example.se", headers=admin)).json()["items"]
    assert [m["dedupe_key"] for m in by_rcpt] == ["c:3"]

    assert_problem(await client.get("/api/v1/outbox?status=lost", headers=admin), 422)
    assert_problem(await client.get("/api/v1/outbox?limit=0", headers=admin), 422)
    assert_problem(await client.get("/api/v1/outbox?cursor=bogus", headers=admin), 422)
    assert_problem(await client.get("/api/v1/outbox?colour=red", headers=admin), 422)


async def test_detail_and_retry(client: httpx.AsyncClient, db: str) -> None:
    admin = f.bearer(await f.token(Role.admin))
    assert await queue("public_comment", key="parked")
    row = await OutboxMessage.get(dedupe_key="parked")
    await OutboxMessage.filter(id=row.id).update(status=OutboxStatus.parked, attempts=4, last_error="550 x")

    detail = (await client.get(f"/api/v1/outbox/{row.id}", headers=admin)).json()
    assert detail["status"] == "parked" and detail["message_id"] == row.message_id
    assert "Prova att förnya token." in detail["text_body"] and "<html" in detail["html_body"]
    assert detail["attachments"] == []

    retried = await client.post(f"/api/v1/outbox/{row.id}/retry", headers=admin)
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "pending" and retried.json()["attempts"] == 0
    again = await client.post(f"/api/v1/outbox/{row.id}/retry", headers=admin)
    assert assert_problem(again, 409, "outbox_message_not_parked")["current"] == "pending"

    await OutboxMessage.filter(id=row.id).update(status=OutboxStatus.sent)
    assert_problem(await client.post(f"/api/v1/outbox/{row.id}/retry", headers=admin), 409, "outbox_message_not_parked")


async def test_errors(client: httpx.AsyncClient, db: str) -> None:
    assert await queue("public_comment", key="x")
    row = await OutboxMessage.get(dedupe_key="x")
    org = await f.organisation()
    assert_problem(await client.get("/api/v1/outbox"), 401, "unauthenticated")
    assert_problem(await client.post(f"/api/v1/outbox/{row.id}/retry"), 401)
    roles: list[tuple[Role, dict[str, Any]]] = [
        (Role.support, {}),
        (Role.finance, {}),
        (Role.integrator, {"organisation": org}),
    ]
    for role, extra in roles:
        headers = f.bearer(await f.token(role, **extra))
        assert_problem(await client.get("/api/v1/outbox", headers=headers), 403, "forbidden")
        assert_problem(await client.get(f"/api/v1/outbox/{row.id}", headers=headers), 403)
        assert_problem(await client.post(f"/api/v1/outbox/{row.id}/retry", headers=headers), 403)
    admin = f.bearer(await f.token(Role.admin))
    assert_problem(await client.get("/api/v1/outbox/999999", headers=admin), 404, "outbox_message_not_found")
    assert_problem(await client.post("/api/v1/outbox/999999/retry", headers=admin), 404, "outbox_message_not_found")
    assert_problem(await client.delete(f"/api/v1/outbox/{row.id}", headers=admin), 405)
