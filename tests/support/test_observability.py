"""Request ids, security headers, metrics and the body size limit."""

from __future__ import annotations

import httpx

from core.auth import Role
from tests import factories as f


async def test_request_id_is_accepted_or_generated(client: httpx.AsyncClient) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    generated = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert generated.headers["x-request-id"] != "bad id\twith spaces" and len(generated.headers["x-request-id"]) == 32


async def test_security_headers_and_no_internals_in_errors(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/tickets/1")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "Traceback" not in response.text and "SELECT" not in response.text


async def test_metrics_count_requests_by_route(client: httpx.AsyncClient) -> None:
    admin = f.bearer(await f.token(Role.admin))
    for _ in range(3):
        await client.get("/api/v1/tickets/12345", headers=admin)
    text = (await client.get("/metrics", headers=admin)).text
    assert 'tripdesk_http_requests_total{method="GET",route="/api/v1/tickets/{id:int}",status="404"} 3.0' in text
    assert "tripdesk_http_request_duration_seconds_bucket" in text
    assert "tripdesk_outbox_messages" in text


async def test_body_over_the_limit_is_refused_before_reading(client: httpx.AsyncClient) -> None:
    admin = f.bearer(await f.token(Role.admin))
    response = await client.post(
        "/api/v1/organisations", content=b"x" * 300_000, headers={**admin, "content-type": "application/json"}
    )
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


async def test_metrics_need_the_metrics_token_or_an_admin_token(db: str) -> None:

    from support.settings import SupportSettings
    from tripdesk.app import create_app

    settings = SupportSettings(DATABASE_URL=db, token_cache_seconds=0, metrics_token="scrape-secret-1")
    app = create_app(settings=settings, init_db=False, background=False)
    support = f.bearer(await f.token(Role.support))
    admin = f.bearer(await f.token(Role.admin))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        for refused in ({}, support, f.bearer("scrape-secret-2"), f.bearer("scrape-secret-1x")):
            response = await http.get("/metrics", headers=refused)
            assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
            assert "tripdesk_http_requests_total" not in response.text
        for allowed in (f.bearer("scrape-secret-1"), admin):
            response = await http.get("/metrics", headers=allowed)
            assert response.status_code == 200 and "tripdesk_http_requests_total" in response.text


async def test_metrics_without_a_configured_token_take_admin_tokens_only(client: httpx.AsyncClient) -> None:
    assert (await client.get("/metrics")).status_code == 401
    assert (await client.get("/metrics", headers={"Authorization": "Bearer "})).status_code == 401


async def test_the_root_leads_to_the_documentation(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 307 and response.headers["location"] == "/docs"
    assert (await client.get("/", follow_redirects=True)).text.startswith("<!doctype html>")
