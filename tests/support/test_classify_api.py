"""The dry-run classification endpoint and on-demand retraining."""

from __future__ import annotations

from core.auth import Role
from tests import factories as f
from tests.support.test_organisations import assert_problem


async def test_dry_run_classifies_without_creating_a_ticket(client) -> None:  # type: ignore[no-untyped-def]
    from support.models import Ticket

    support = f.bearer(await f.token(Role.support))
    response = await client.post("/api/v1/classify", headers=support, json={
        "subject": "Vi läser direkt i er databas",
        "body": "Vår rapport kör SELECT * FROM arende direkt mot SQL Server-databasen. Vilken tabell har datumen?"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["category"] == "unofficial" and body["billing"] == "refused" and body["language"] == "sv"
    assert body["reasons"] and 0 <= body["confidence"] <= 1
    english = (await client.post("/api/v1/classify", headers=support, json={
        "subject": "Token refresh returns 401",
        "body": "How do we call the token endpoint with our client id?"})).json()
    assert english["language"] == "en"
    assert await Ticket.all().count() == 0


async def test_dry_run_bad_input_and_roles(client) -> None:  # type: ignore[no-untyped-def]
    support = f.bearer(await f.token(Role.support))
    assert_problem(await client.post("/api/v1/classify", headers=support, json={"subject": "x" * 201}), 422)
    assert_problem(await client.post("/api/v1/classify", headers=support, json={"text": "x"}), 422)
    assert_problem(await client.post("/api/v1/classify", headers=support, content=b"nope"), 400)
    integrator = f.bearer(await f.token(Role.integrator, organisation=await f.organisation()))
    assert_problem(await client.post("/api/v1/classify", headers=integrator, json={"subject": "x"}), 403)
    empty = (await client.post("/api/v1/classify", headers=support, json={})).json()
    assert empty["needs_triage"] is True


async def test_retrain_uses_staff_labels(client, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from support.classification.classifier import get_classifier, set_classifier
    from support.classification.service import record_labelled_example

    monkeypatch.setenv("TRIPDESK_DATA_DIR", str(tmp_path))
    original = get_classifier()
    before = original.model_version
    await record_labelled_example(subject="Filer i importmappen", body="Vi lägger XML-filer direkt i "
                                  "programmets importkatalog på servern.", category="unofficial",
                                  source="staff_override", ticket_id=None)
    admin = f.bearer(await f.token(Role.admin))
    response = await client.post("/api/v1/classifier/retrain", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["model_version"] != before
    set_classifier(original)        # the other tests expect the corpus model
    assert_problem(await client.post("/api/v1/classifier/retrain", headers=f.bearer(await f.token(Role.support))), 403)
