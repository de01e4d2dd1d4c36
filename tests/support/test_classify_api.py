# ruff: noqa: E501  (ticket texts are prose fixtures)
"""The dry-run classification endpoint, one classifier for the API and the CLI, classification reasons on the
ticket resource, and on-demand retraining."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest

from core.auth import Role
from tests import factories as f
from tests.support.test_organisations import assert_problem
from tests.support.ticket_helpers import open_ticket, world

ACTIVATION = (
    "Aktivera Bygglov-API:et",
    "Vi får 403 och gränssnittet är inte aktiverat för oss. Kan ni aktivera det i produktion?",
)


async def classify(client: httpx.AsyncClient, headers: dict[str, str], subject: str, body: str) -> httpx.Response:
    """The dry run: how this text would be classified, without a ticket."""
    return await client.post("/api/v1/classify", headers=headers, json={"subject": subject, "body": body})


async def test_dry_run_classifies_without_creating_a_ticket(client: httpx.AsyncClient) -> None:
    from support.models import Ticket

    support = f.bearer(await f.token(Role.support))
    response = await classify(
        client,
        support,
        "Vi läser direkt i er databas",
        "Vår rapport kör SELECT * FROM arende direkt mot er SQL Server-databas. Vilken tabell har datumen?",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["category"] == "unofficial" and body["billing"] == "refused" and body["language"] == "sv"
    assert body["reasons"] and 0 <= body["confidence"] <= 1
    assert body["needs_triage"] is True  # an automatic `unofficial` is always a staff decision
    english = (
        await classify(
            client, support, "Token refresh returns 401", "How do we call the token endpoint with our client id?"
        )
    ).json()
    assert english["language"] == "en"
    assert await Ticket.all().count() == 0


async def test_dry_run_bad_input_and_roles(client: httpx.AsyncClient) -> None:
    support = f.bearer(await f.token(Role.support))
    assert_problem(await client.post("/api/v1/classify", headers=support, json={"subject": "x" * 201}), 422)
    assert_problem(await client.post("/api/v1/classify", headers=support, json={"text": "x"}), 422)
    assert_problem(await client.post("/api/v1/classify", headers=support, content=b"nope"), 400)
    integrator = f.bearer(await f.token(Role.integrator, organisation=await f.organisation()))
    assert_problem(await client.post("/api/v1/classify", headers=integrator, json={"subject": "x"}), 403)
    empty = (await client.post("/api/v1/classify", headers=support, json={})).json()
    assert empty["needs_triage"] is True


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("How do I page the invoice list?", ""),
        ("Fel i ärendelistan", "Efter patchen returnerar GET /api/arenden 500 för alla ärenden.\n\nMvh\nEva"),
        ("Slow sync", "Our nightly export takes 6 hours for 90k people; page size 50. Any tips?"),
    ],
)
async def test_cli_and_api_give_the_same_answer(client: httpx.AsyncClient, subject: str, body: str) -> None:
    """One classifier everywhere: the CLI and the API read the same model (the promoted one, else the corpus
    model) and return the same category, confidence, needs_triage and reasons for the same text."""
    from support.classification.cli import run_classify

    support = f.bearer(await f.token(Role.support))
    api = (await classify(client, support, subject, body)).json()
    out = io.StringIO()
    assert run_classify(io.StringIO(json.dumps({"subject": subject, "body": body}) + "\n"), out) == 0
    cli = json.loads(out.getvalue())
    for key in ("category", "confidence", "needs_triage", "reasons", "language", "billing"):
        assert cli[key] == api[key], key


async def test_ticket_resource_shows_its_classification_reasons(client: httpx.AsyncClient) -> None:
    _, requester, admin = await world()
    ticket = await open_ticket(client, admin, requester.id, *ACTIVATION)
    read = (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=admin)).json()
    assert read["category"] == "activation"
    assert read["classification_reasons"] == ticket["classification_reasons"]
    assert any(r.startswith("rule not_enabled") for r in read["classification_reasons"])
    assert read["classification_reasons"][-1].startswith("policy: ")

    changed = await client.post(
        f"/api/v1/tickets/{ticket['id']}/classification",
        headers=admin,
        json={"category": "assistance", "reason": "Already active; their token lacks the scope"},
    )
    assert changed.status_code == 200, changed.text
    read = (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=admin)).json()
    first, *rest = read["classification_reasons"]
    assert "changed from activation to assistance" in first and "lacks the scope" in first
    assert any(r.startswith("rule not_enabled") for r in rest)  # what the classifier saw stays visible


async def test_retrain_endpoint_reports_the_gate(
    client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retraining with no new labels gives the same model (loaded from the cache seeded here): it scores the
    same on the frozen set, so it is promoted. A worse model is refused: test_classifier_retrain.py."""
    from support.classification.model_store import set_classifier
    from support.settings import get_settings
    from tests.support.classifier_model import corpus_model, seed_cache

    original = corpus_model()
    seed_cache(tmp_path)
    monkeypatch.setenv("TRIPDESK_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    set_classifier(original)
    try:
        admin = f.bearer(await f.token(Role.admin))
        response = await client.post("/api/v1/classifier/retrain", headers=admin)
        assert response.status_code == 200, response.text
        data = response.json()
        assert data["candidate_version"] == data["model_version"] == original.model_version
        assert data["promoted"] is True and data["macro_f1_after"] == data["macro_f1_before"] > 0.5
        assert data["gate"] == "frozen_written.jsonl" and data["examples"] > 1000
        assert (tmp_path / "model" / "promoted.json").exists()
        assert_problem(
            await client.post("/api/v1/classifier/retrain", headers=f.bearer(await f.token(Role.support))), 403
        )
    finally:
        set_classifier(None)  # the other tests expect the corpus model
        get_settings.cache_clear()
