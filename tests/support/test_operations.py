"""Health, readiness, the OpenAPI document and the offline docs."""

from __future__ import annotations

import httpx

from core.auth import Role
from tests import factories as f


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


async def test_openapi_is_31_and_generated_from_the_models(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/openapi.json")).json()
    assert doc["openapi"].startswith("3.1")
    create = doc["paths"]["/api/v1/tickets"]["post"]
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema = doc["components"]["schemas"][ref]
    assert schema["properties"]["subject"]["maxLength"] == 200
    assert schema["additionalProperties"] is False
    assert "422" in create["responses"] and "401" in create["responses"]
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    params = {p["name"] for p in doc["paths"]["/api/v1/tickets"]["get"]["parameters"]}
    assert {"status", "category", "organisation_id", "created_from", "created_to", "q", "cursor", "limit"} <= params


async def test_docs_work_offline(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200 and "/docs/static/swagger-ui-bundle.js" in page.text
    assert "http" not in page.text.split("<script>")[0].replace("http-equiv", "")
    assert "<script>" not in page.text  # the CSP allows scripts from 'self' only, nothing inline
    init = await client.get("/docs/init.js")
    assert init.status_code == 200 and "/openapi.json" in init.text
    bundle = await client.get("/docs/static/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000


async def test_unknown_route_and_method_are_problems(client: httpx.AsyncClient) -> None:
    admin = f.bearer(await f.token(Role.admin))
    missing = await client.get("/api/v1/nothing-here", headers=admin)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
    wrong = await client.put("/api/v1/tickets", headers=admin)
    assert wrong.status_code == 405 and wrong.json()["code"] == "method_not_allowed"
