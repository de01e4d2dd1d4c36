"""Organisations, contacts, applications and licences over the HTTP API, with their bad inputs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from core.auth import Role
from tests import factories as f

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["type"].startswith("urn:tripdesk:problem:")
    if code is not None:
        assert body["code"] == code
    return body


MUNICIPALITY = {
    "name": "Åsele kommun",
    "kind": "municipality",
    "population": 2800,
    "organisation_number": "212000-2627",
    "street": "Torget 1",
    "postal_code": "919 80",
    "city": "Åsele",
}


async def test_create_get_update_and_list_organisation(client: httpx.AsyncClient) -> None:
    admin = f.bearer(await f.token(Role.admin))
    created = await client.post("/api/v1/organisations", json=MUNICIPALITY, headers=admin)
    assert created.status_code == 201, created.text
    org = created.json()
    assert org["organisation_number"] == "212000-2627" and org["population"] == 2800

    got = await client.get(f"/api/v1/organisations/{org['id']}", headers=admin)
    assert got.json()["name"] == "Åsele kommun"

    patched = await client.patch(f"/api/v1/organisations/{org['id']}", json={"population": 2750}, headers=admin)
    assert patched.status_code == 200 and patched.json()["population"] == 2750

    listed = await client.get("/api/v1/organisations", params={"q": "Åsele"}, headers=admin)
    assert [o["id"] for o in listed.json()["items"]] == [org["id"]]


async def test_a_second_organisation_with_the_same_number_is_a_conflict(client: httpx.AsyncClient) -> None:
    from support.models import Organisation

    admin = f.bearer(await f.token(Role.admin))
    assert (await client.post("/api/v1/organisations", json=MUNICIPALITY, headers=admin)).status_code == 201
    for spelling in ("212000-2627", "2120002627", " 212000-2627 "):
        again = {**MUNICIPALITY, "name": "Åsele kommun (dubblett)", "organisation_number": spelling}
        assert_problem(
            await client.post("/api/v1/organisations", json=again, headers=admin), 409, "duplicate_organisation"
        )
    assert await Organisation.all().count() == 1


@pytest.mark.postgres_only
async def test_racing_creators_of_one_organisation_number_get_one_row(client: httpx.AsyncClient) -> None:
    import asyncio

    from support.models import Organisation

    admin = f.bearer(await f.token(Role.admin))
    responses = await asyncio.gather(
        *[
            client.post("/api/v1/organisations", json={**MUNICIPALITY, "name": f"Åsele {i}"}, headers=admin)
            for i in range(8)
        ]
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    assert await Organisation.all().count() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"organisation_number": "212000-2628"}, "organisation_number"),  # bad check digit
        ({"kind": "partner"}, "partner_level"),  # partner without level
        ({"population": -5}, "population"),
        ({"name": "x" * 201}, "name"),
        ({"country_code": "XX"}, "country_code"),
        ({"vat_number": "SE123"}, "vat_number"),
        ({"invoice_email": "not-an-email"}, "invoice_email"),
        ({"unknown_field": 1}, "unknown_field"),
        ({"population": "many"}, "population"),
    ],
)
async def test_organisation_bad_input_is_422(client: httpx.AsyncClient, change: dict[str, Any], field: str) -> None:
    admin = f.bearer(await f.token(Role.admin))
    body = assert_problem(
        await client.post("/api/v1/organisations", json={**MUNICIPALITY, **change}, headers=admin), 422
    )
    assert "errors" in body


async def test_missing_fields_and_malformed_json(client: httpx.AsyncClient) -> None:
    admin = f.bearer(await f.token(Role.admin))
    body = assert_problem(await client.post("/api/v1/organisations", json={"kind": "company"}, headers=admin), 422)
    assert any(e["loc"] == "name" for e in body["errors"])
    assert_problem(
        await client.post("/api/v1/organisations", content=b'{"name": ', headers=admin), 400, "malformed_json"
    )
    assert_problem(await client.post("/api/v1/organisations", content=b"[1, 2]", headers=admin), 422)
    assert_problem(
        await client.post("/api/v1/organisations", content=b"x", headers={**admin, "content-type": "text/plain"}), 415
    )


async def test_auth_failures(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/organisations"), 401, "unauthenticated")
    assert_problem(await client.get("/api/v1/organisations", headers=f.bearer("td_not-a-token")), 401)
    assert_problem(await client.get("/api/v1/organisations", headers={"Authorization": "Basic abc"}), 401)
    finance = f.bearer(await f.token(Role.finance))
    assert_problem(await client.post("/api/v1/organisations", json=MUNICIPALITY, headers=finance), 403, "forbidden")


async def test_integrator_sees_only_its_own_organisation(client: httpx.AsyncClient) -> None:
    mine, other = await f.organisation(), await f.organisation()
    integrator = f.bearer(await f.token(Role.integrator, organisation=mine))
    assert (await client.get(f"/api/v1/organisations/{mine.id}", headers=integrator)).status_code == 200
    assert_problem(await client.get(f"/api/v1/organisations/{other.id}", headers=integrator), 404)
    assert_problem(await client.get(f"/api/v1/organisations/{other.id}/contacts", headers=integrator), 404)
    listed = await client.get("/api/v1/organisations", headers=integrator)
    assert [o["id"] for o in listed.json()["items"]] == [mine.id]
    assert_problem(await client.patch(f"/api/v1/organisations/{mine.id}", json={"name": "x"}, headers=integrator), 403)


async def test_unknown_ids_are_404(client: httpx.AsyncClient) -> None:
    admin = f.bearer(await f.token(Role.admin))
    assert_problem(await client.get("/api/v1/organisations/999999", headers=admin), 404, "organisation_not_found")
    org = await f.organisation()
    assert_problem(await client.get(f"/api/v1/organisations/{org.id}/contacts/999", headers=admin), 404)
    assert_problem(await client.get("/api/v1/organisations/abc", headers=admin), 404)


async def test_contacts_crud_and_duplicate(client: httpx.AsyncClient) -> None:
    admin = f.bearer(await f.token(Role.admin))
    org = await f.organisation()
    url = f"/api/v1/organisations/{org.id}/contacts"
    created = await client.post(
        url, json={"name": "Britt Ström", "email": "britt@kommun.se", "language": "en"}, headers=admin
    )
    assert created.status_code == 201, created.text
    assert created.json()["language"] == "en"
    assert_problem(await client.post(url, json={"name": "B", "email": "britt@kommun.se"}, headers=admin), 409)
    assert_problem(await client.post(url, json={"name": "B", "email": "b@x.se", "language": "de"}, headers=admin), 422)
    contact_id = created.json()["id"]
    patched = await client.patch(f"{url}/{contact_id}", json={"active": False}, headers=admin)
    assert patched.json()["active"] is False
    assert [c["id"] for c in (await client.get(url, headers=admin)).json()["items"]] == [contact_id]


async def test_application_licence_warning(client: httpx.AsyncClient) -> None:
    admin = f.bearer(await f.token(Role.admin))
    org = await f.organisation()
    base = f"/api/v1/organisations/{org.id}"
    app = (
        await client.post(
            f"{base}/applications", json={"name": "Portal", "in_production": True, "forwards_data": True}, headers=admin
        )
    ).json()
    assert app["licence_warning"] and "without a valid licence" in app["licence_warning"]
    lic = await client.post(
        f"{base}/licences",
        json={"kind": "per_application", "application_id": app["id"], "valid_from_date": "2026-01-01"},
        headers=admin,
    )
    assert lic.status_code == 201, lic.text
    again = (await client.get(f"{base}/applications/{app['id']}", headers=admin)).json()
    assert "forwarding" in again["licence_warning"]  # forwarding needs special licensing
    await client.post(
        f"{base}/licences",
        json={"kind": "xl", "covers_forwarding": True, "valid_from_date": "2026-01-01"},
        headers=admin,
    )
    assert (await client.get(f"{base}/applications/{app['id']}", headers=admin)).json()["licence_warning"] is None
    dev = (await client.post(f"{base}/applications", json={"name": "Dev"}, headers=admin)).json()
    assert dev["licence_warning"] is None  # no licence needed in development


async def test_a_forwarding_licence_from_the_api_is_stored_as_a_subscription_stores_it(
    client: httpx.AsyncClient,
) -> None:
    """The directory's API and billing's subscriptions store licences the same way (licensing.add_licence): a
    forwarding licence covers forwarding, and it extends only a base licence of the same organisation."""
    admin = f.bearer(await f.token(Role.admin))
    org, other = await f.organisation(), await f.organisation()
    base = f"/api/v1/organisations/{org.id}"
    app = (
        await client.post(
            f"{base}/applications", json={"name": "Hub", "in_production": True, "forwards_data": True}, headers=admin
        )
    ).json()
    xl = await client.post(f"{base}/licences", json={"kind": "xl", "valid_from_date": "2026-01-01"}, headers=admin)
    assert xl.status_code == 201, xl.text
    assert xl.json()["covers_forwarding"] is False
    assert (
        "forwarding" in (await client.get(f"{base}/applications/{app['id']}", headers=admin)).json()["licence_warning"]
    )
    forwarding = {"kind": "forwarding", "extends_id": xl.json()["id"], "valid_from_date": "2026-01-01"}
    foreign = await client.post(f"/api/v1/organisations/{other.id}/licences", json=forwarding, headers=admin)
    assert_problem(foreign, 422)
    created = await client.post(f"{base}/licences", json=forwarding, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["covers_forwarding"] is True
    assert_problem(
        await client.post(f"{base}/licences", json={**forwarding, "extends_id": created.json()["id"]}, headers=admin),
        422,
    )
    assert (await client.get(f"{base}/applications/{app['id']}", headers=admin)).json()["licence_warning"] is None


async def test_licence_bad_input(client: httpx.AsyncClient) -> None:
    admin = f.bearer(await f.token(Role.admin))
    org, other = await f.organisation(), await f.organisation()
    foreign_app = await f.application(other)
    base = f"/api/v1/organisations/{org.id}/licences"
    assert_problem(
        await client.post(base, json={"kind": "per_application", "valid_from_date": "2026-01-01"}, headers=admin), 422
    )
    assert_problem(
        await client.post(
            base, json={"kind": "xl", "valid_from_date": "2026-05-01", "valid_until_date": "2026-01-01"}, headers=admin
        ),
        422,
    )
    assert_problem(
        await client.post(
            base,
            json={"kind": "per_application", "application_id": foreign_app.id, "valid_from_date": "2026-01-01"},
            headers=admin,
        ),
        404,
    )


async def test_tokens_are_shown_once_and_revocable(client: httpx.AsyncClient) -> None:
    admin = f.bearer(await f.token(Role.admin))
    created = await client.post("/api/v1/tokens", json={"name": "support bot", "role": "support"}, headers=admin)
    assert created.status_code == 201
    clear = created.json()["token"]
    listed = (await client.get("/api/v1/tokens", headers=admin)).json()["items"]
    assert all("token" not in t for t in listed) and clear not in str(listed)
    assert (await client.get("/api/v1/tickets", headers=f.bearer(clear))).status_code == 200
    await client.post(f"/api/v1/tokens/{created.json()['id']}/revoke", headers=admin)
    assert_problem(await client.get("/api/v1/tickets", headers=f.bearer(clear)), 401)
    assert_problem(await client.post("/api/v1/tokens", json={"name": "i", "role": "integrator"}, headers=admin), 422)


async def test_expired_token_is_refused(client: httpx.AsyncClient) -> None:
    import datetime as dt

    clear = await f.token(Role.support, expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    assert_problem(await client.get("/api/v1/tickets", headers=f.bearer(clear)), 401)


async def test_stored_token_is_only_a_hash(db: str) -> None:
    from support.models import ApiToken

    clear = await f.token(Role.admin)
    row = await ApiToken.get(prefix=clear[:10])
    assert clear not in (row.token_hash, row.name) and len(row.token_hash) == 64
