"""Input at the edges: the last and first dates there are, instants with no UTC value, and values that
only look like the type asked for (`true` for an id, Arabic-Indic digits for hours). Each is a clear 4xx or
works, never a 500."""

from __future__ import annotations

import httpx
import pytest

from core.auth import Role
from tests import factories as f
from tests.support.test_organisations import assert_problem
from tests.support.ticket_helpers import open_ticket


async def test_the_widest_creation_date_range_works(client: httpx.AsyncClient) -> None:
    org = await f.organisation()
    requester = await f.contact(org)
    admin = f.bearer(await f.token(Role.admin))
    ticket = await open_ticket(client, admin, requester.id)
    for query in (
        {"created_to": "9999-12-31"},
        {"created_from": "0001-01-01", "created_to": "9999-12-31"},
        {"created_from": "0001-01-01"},
        {"created_to": "9999-12-31", "q": "Fel"},
    ):
        response = await client.get("/api/v1/tickets", params=query, headers=admin)
        assert response.status_code == 200, (query, response.text)
        assert [t["id"] for t in response.json()["items"]] == [ticket["id"]]
    assert (await client.get("/api/v1/tickets", params={"created_from": "9999-12-31"}, headers=admin)).json()[
        "items"
    ] == []


@pytest.mark.parametrize(
    "expires_at",
    [
        "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
        "9999-12-31T23:59:59-14:00",  # after year 9999 in UTC
        "2027-01-01T00:00:00",  # no time zone
        "10000-01-01T00:00:00Z",
        "2027-02-30T00:00:00Z",
    ],
)
async def test_a_token_expiry_without_a_utc_value_is_422(client: httpx.AsyncClient, expires_at: str) -> None:
    admin = f.bearer(await f.token(Role.admin))
    response = await client.post(
        "/api/v1/tokens", headers=admin, json={"name": "kort", "role": "support", "expires_at": expires_at}
    )
    body = assert_problem(response, 422)
    assert [e["loc"] for e in body["errors"]] == ["expires_at"]


async def test_a_token_expiring_at_the_edge_of_time_works(client: httpx.AsyncClient) -> None:
    admin = f.bearer(await f.token(Role.admin))
    response = await client.post(
        "/api/v1/tokens", headers=admin, json={"name": "lång", "role": "support", "expires_at": "9999-12-31T23:59:59Z"}
    )
    assert response.status_code == 201, response.text
    assert (await client.get("/api/v1/tickets", headers=f.bearer(response.json()["token"]))).status_code == 200


@pytest.mark.parametrize("requester_id", [True, "1", 1.0, [1], "١"])
async def test_an_id_is_a_json_integer(client: httpx.AsyncClient, requester_id: object) -> None:
    """`true` is not contact 1, nor is `"1"` or `1.0`."""
    from support.models import Ticket

    org = await f.organisation()
    requester = await f.contact(org)
    assert requester.id == 1
    admin = f.bearer(await f.token(Role.admin))
    response = await client.post(
        "/api/v1/tickets", headers=admin, json={"subject": "Hej", "requester_id": requester_id}
    )
    body = assert_problem(response, 422, "invalid_input")
    assert [e["loc"] for e in body["errors"]] == ["requester_id"]
    assert await Ticket.all().count() == 0


async def test_a_flag_is_a_json_boolean(client: httpx.AsyncClient) -> None:
    org = await f.organisation()
    admin = f.bearer(await f.token(Role.admin))
    for flag in (1, "true", "yes"):
        response = await client.post(
            f"/api/v1/organisations/{org.id}/applications", headers=admin, json={"name": "App", "in_production": flag}
        )
        assert_problem(response, 422, "invalid_input")


@pytest.mark.parametrize("hours", ["١٢", "１２", "12\u0660", "۱۲.5"])
async def test_hours_are_ascii_digits(client: httpx.AsyncClient, hours: str) -> None:
    org = await f.organisation()
    admin = f.bearer(await f.token(Role.admin))
    response = await client.post(
        f"/api/v1/organisations/{org.id}/prepaid",
        headers=admin,
        json={"name": "Klippkort", "hours": hours, "valid_from": "2026-01-01", "valid_until": "2026-12-31"},
    )
    body = assert_problem(response, 422, "invalid_input")
    assert [e["loc"] for e in body["errors"]] == ["hours"]
    plain = await client.post(
        f"/api/v1/organisations/{org.id}/prepaid",
        headers=admin,
        json={"name": "Klippkort", "hours": "12.5", "valid_from": "2026-01-01", "valid_until": "2026-12-31"},
    )
    assert plain.status_code == 201, plain.text
