"""Property-based API test: every operation in /openapi.json, fuzzed as every role with schemathesis.

For each role, on a database seeded with the demo data, each operation gets a bounded number of schema-valid
(positive) and schema-invalid (negative) requests. Every response must be: not a 5xx; a documented status
code with its documented content type and body schema; a rejection (4xx) for invalid input; and an RFC 9457
problem on every 4xx. The fuzzer creates, changes and deletes data as it goes; that stays in the test
database. Nothing leaves the process (httpx over ASGITransport). See tests/fuzz_support.py for the set-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.auth import Role
from support.classification.model_store import get_classifier, set_classifier
from support.models import Organisation, Staff
from tests import factories as f
from tests.fuzz_support import load_schema, run_fuzz, seed_world


@pytest.fixture(autouse=True)
def _classifier_restored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The fuzzer may call POST /classifier/retrain: the retrained model's cache goes to a temporary data
    directory, and the process-wide classifier is the corpus model again afterwards (other tests need it)."""
    original = get_classifier()
    monkeypatch.setenv("TRIPDESK_DATA_DIR", str(tmp_path))
    yield
    set_classifier(original)


@pytest.fixture
async def openapi(client: httpx.AsyncClient) -> dict:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


async def test_openapi_document_is_valid_openapi_31(openapi: dict) -> None:
    schema = load_schema(openapi)
    schema.validate()  # against the OpenAPI 3.1 meta-schema
    assert openapi["openapi"].startswith("3.1")
    labels = [result.ok().label for result in schema.get_all_operations()]
    assert len(labels) == len(set(labels)) and labels
    ids = [op["operationId"] for path in openapi["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids)), "operationIds are unique"


async def _token_for(role: Role) -> str:
    """Admin and support tokens belong to staff (support to the lead, so approval and timers are reachable);
    the integrator is scoped to the first demo organisation, which has tickets and invoices."""
    if role is Role.integrator:
        return await f.token(role, organisation=await Organisation.all().order_by("id").first())
    if role is Role.finance:
        return await f.token(role)
    member = await Staff.filter(is_lead=role is Role.support).order_by("id").first()
    return await f.token(role, staff_member=member)


async def test_every_protected_operation_needs_a_token(client: httpx.AsyncClient, openapi: dict) -> None:
    report = await run_fuzz(load_schema(openapi), client, None, "anonymous")
    assert not report.failures, "\n\n".join(report.failures)


@pytest.mark.slow
@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
async def test_api_conforms_to_its_schema(role: Role, client: httpx.AsyncClient, openapi: dict) -> None:
    await seed_world(client)
    token = await _token_for(role)
    report = await run_fuzz(load_schema(openapi), client, token, role)
    print(report.summary())
    assert not report.failures, "\n\n".join(report.failures)
