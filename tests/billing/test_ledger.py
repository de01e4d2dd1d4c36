"""Issuing, immutability, credit notes, payment and visibility of invoices over HTTP."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx
import pytest

from billing import hooks
from billing.models import Invoice, InvoiceStatus, PrepaidDrawdown
from billing.ocr import is_valid_ocr
from billing.snapshot import InvoiceSnapshot
from support.models import Organisation
from support.timetracking.models import TimeEntry
from support.timetracking.settings import business_today
from tests import factories
from tests.billing import builders as b
from tests.factories import bearer

PERIOD = {"period_start": "2026-01-01", "period_end": "2026-01-31"}
YEAR = business_today().year


class World:
    finance: dict[str, str]
    admin: dict[str, str]
    support: dict[str, str]
    org: Organisation
    foreign: Organisation
    org_token: dict[str, str]
    other_token: dict[str, str]


@pytest.fixture
async def world(db: str) -> World:
    w = World()
    await b.card()
    w.org = await factories.organisation(name="Norrvikens kommun", invoice_email="faktura@norrvik.example.se")
    w.foreign = await b.finnish_company()
    other = await factories.organisation()
    staff = await factories.staff(name="Karin Berg")
    t1 = await b.ticket(w.org, subject="Token förnyas inte")
    t2 = await b.ticket(w.org, category="performance", subject="Långsam batch")
    t3 = await b.ticket(w.foreign, subject="Paging duplicates")
    await b.entry(t1, staff, dt.date(2026, 1, 5), 50, description="Felsökning")
    await b.entry(t1, staff, dt.date(2026, 1, 6), 10, description="Uppföljning")
    await b.entry(t2, staff, dt.date(2026, 1, 7), 95, description="Analys")
    await b.entry(t3, staff, dt.date(2026, 1, 8), 120, description="Investigation")
    w.finance = bearer(await factories.token("finance"))
    w.admin = bearer(await factories.token("admin"))
    w.support = bearer(await factories.token("support"))
    w.org_token = bearer(await factories.token("integrator", organisation=w.org))
    w.other_token = bearer(await factories.token("integrator", organisation=other))
    return w


async def run(client: httpx.AsyncClient, w: World) -> dict[str, Any]:
    response = await client.post("/api/v1/invoice-runs", json=PERIOD, headers=w.finance)
    assert response.status_code == 201, response.text
    return response.json()


async def drafts(client: httpx.AsyncClient, w: World) -> tuple[dict[str, Any], dict[str, Any]]:
    body = await run(client, w)
    by_org = {i["organisation_id"]: i for i in body["invoices"]}
    return by_org[w.org.id], by_org[w.foreign.id]


async def test_run_preview_issue(client: httpx.AsyncClient, world: World) -> None:
    w = world
    body = await run(client, w)
    assert body["invoices_created"] == 2 and body["organisations_considered"] == 2
    assert (await client.get(f"/api/v1/invoice-runs/{body['id']}", headers=w.finance)).json()["id"] == body["id"]
    draft = next(i for i in body["invoices"] if i["organisation_id"] == w.org.id)
    preview = (await client.get(f"/api/v1/invoices/{draft['id']}", headers=w.finance)).json()
    assert preview["status"] == "draft" and preview["number"] is None and preview["snapshot"] is None
    assert [(ln["quantity"], ln["amount"]) for ln in preview["lines"]] == [("1.2500", "1562.50"), ("1.7500", "2537.50")]
    assert all(len(ln["entry_ids"]) == len(ln["entries"]) for ln in preview["lines"])

    issued = await client.post(f"/api/v1/invoices/{draft['id']}/issue", headers=w.finance)
    assert issued.status_code == 200, issued.text
    inv = issued.json()
    assert inv["status"] == "issued" and inv["number"] == f"F{YEAR}-00001"
    assert is_valid_ocr(inv["ocr"])
    assert dt.date.fromisoformat(inv["due_date"]) - dt.date.fromisoformat(inv["issue_date"]) == dt.timedelta(30)
    snap = InvoiceSnapshot.model_validate(inv["snapshot"])
    assert snap.number == inv["number"] and snap.ocr == inv["ocr"] and snap.kind == "invoice"
    assert snap.seller.organisation_number == "5567037485" and snap.seller.vat_number == "SE556703748501"
    assert snap.seller.bankgiro and snap.seller.f_skatt
    assert snap.buyer.name == "Norrvikens kommun" and snap.buyer.email == "faktura@norrvik.example.se"
    assert snap.buyer_reference and not snap.reverse_charge
    assert snap.totals.net == Decimal("4100.00") and snap.totals.vat == Decimal("1025.00")
    assert snap.totals.payable == Decimal("5125.00")
    assert [(v.category, v.rate, v.taxable_amount) for v in snap.vat] == [("S", Decimal("25"), Decimal("4100.00"))]
    assert [e.staff_name for e in snap.lines[0].entries] == ["Karin Berg", "Karin Berg"]
    assert [e.hours for e in snap.lines[0].entries] == [Decimal("1"), Decimal("0.25")]
    assert sum(line.amount for line in snap.lines) == snap.totals.net
    assert (snap.period_start, snap.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))

    # Issued is immutable.
    again = await client.post(f"/api/v1/invoices/{draft['id']}/issue", headers=w.finance)
    assert again.status_code == 409 and again.json()["code"] == "invoice_already_issued"
    assert (await client.delete(f"/api/v1/invoices/{draft['id']}", headers=w.finance)).status_code == 409
    patched = await client.patch(f"/api/v1/invoices/{draft['id']}", json={"note": "x"}, headers=w.finance)
    assert patched.status_code == 409 and patched.json()["code"] == "invoice_immutable"


async def test_reverse_charge_outside_sweden(client: httpx.AsyncClient, world: World) -> None:
    _, foreign = await drafts(client, world)
    inv = (await client.post(f"/api/v1/invoices/{foreign['id']}/issue", headers=world.finance)).json()
    snap = InvoiceSnapshot.model_validate(inv["snapshot"])
    assert snap.reverse_charge and snap.language == "en" and snap.buyer.vat_number == "FI20774740"
    assert [(ln.vat_category, ln.vat_rate) for ln in snap.lines] == [("AE", Decimal("0"))]
    assert snap.totals.vat == Decimal("0.00") and snap.totals.payable == Decimal("2500.00")
    assert snap.vat[0].category == "AE"


async def test_discard_releases_entries_and_discarded_cannot_be_issued(client: httpx.AsyncClient, world: World) -> None:
    w = world
    draft, _ = await drafts(client, w)
    assert await TimeEntry.filter(invoice_id=draft["id"]).count() == 3
    assert (await client.delete(f"/api/v1/invoices/{draft['id']}", headers=w.finance)).status_code == 204
    assert await TimeEntry.filter(invoice_id=draft["id"]).count() == 0
    issued = await client.post(f"/api/v1/invoices/{draft['id']}/issue", headers=w.finance)
    assert issued.status_code == 409 and issued.json()["code"] == "invoice_not_draft"
    assert (await client.delete(f"/api/v1/invoices/{draft['id']}", headers=w.finance)).status_code == 409
    # The released time goes on the next run's draft.
    body = await run(client, w)
    assert [i["organisation_id"] for i in body["invoices"]] == [w.org.id]


async def test_open_draft_blocks_a_second_draft_for_the_period(client: httpx.AsyncClient, world: World) -> None:
    w = world
    await drafts(client, w)
    staff = await factories.staff()
    await b.entry(await b.ticket(w.org), staff, dt.date(2026, 1, 20), 60)
    body = await run(client, w)
    assert body["invoices_created"] == 0
    assert body["skipped"][0]["reason"] == "open_draft_exists"


async def test_issue_hook_runs_inside_the_transaction_and_can_roll_back(
    client: httpx.AsyncClient, world: World
) -> None:
    w = world
    seen: list[tuple[int, str]] = []

    async def record(invoice: Invoice, snapshot: InvoiceSnapshot) -> None:
        seen.append((invoice.id, snapshot.number))
        assert await Invoice.filter(id=invoice.id, status=InvoiceStatus.issued).exists()

    async def explode(invoice: Invoice, snapshot: InvoiceSnapshot) -> None:
        raise RuntimeError("renderer down")

    draft, foreign = await drafts(client, w)
    hooks.register_issue_hook(record)
    hooks.register_issue_hook(explode)
    failed = await client.post(f"/api/v1/invoices/{draft['id']}/issue", headers=w.finance)
    assert failed.status_code == 500
    row = await Invoice.get(id=draft["id"])
    assert row.status == InvoiceStatus.draft and row.number is None and row.snapshot is None
    hooks.unregister_issue_hook(explode)
    ok = (await client.post(f"/api/v1/invoices/{foreign['id']}/issue", headers=w.finance)).json()
    assert ok["number"] == f"F{YEAR}-00001"  # the failed issue used no number
    assert seen[-1] == (foreign["id"], ok["number"])


async def test_credit_whole_and_partial(client: httpx.AsyncClient, world: World) -> None:
    w = world
    draft, _ = await drafts(client, w)
    inv = (await client.post(f"/api/v1/invoices/{draft['id']}/issue", headers=w.finance)).json()
    line1, line2 = inv["lines"]
    credit = await client.post(
        f"/api/v1/invoices/{inv['id']}/credit",
        json={"line_ids": [line2["id"]], "reason": "Fel kategori"},
        headers=w.finance,
    )
    assert credit.status_code == 201, credit.text
    note = credit.json()
    assert note["kind"] == "credit_note" and note["number"] == f"K{YEAR}-00001" and note["corrects_id"] == inv["id"]
    assert note["net_amount"] == "2537.50" and note["vat_amount"] == "634.38"
    snap = InvoiceSnapshot.model_validate(note["snapshot"])
    assert snap.kind == "credit_note" and snap.corrects and snap.corrects.number == inv["number"]
    assert "Fel kategori" in (snap.note or "")
    assert note["lines"][0]["credited_line_id"] == line2["id"]
    # The credited line's entries are free again; the other line's stay locked.
    assert await TimeEntry.filter(id__in=line2["entry_ids"], invoice_id__isnull=True).count() == len(line2["entry_ids"])
    assert await TimeEntry.filter(id__in=line1["entry_ids"], invoice_id=inv["id"]).count() == len(line1["entry_ids"])

    twice = await client.post(
        f"/api/v1/invoices/{inv['id']}/credit", json={"line_ids": [line2["id"]], "reason": "igen"}, headers=w.finance
    )
    assert twice.status_code == 409 and twice.json()["code"] == "already_credited"
    rest = await client.post(f"/api/v1/invoices/{inv['id']}/credit", json={"reason": "Resten"}, headers=w.finance)
    assert rest.status_code == 201 and [ln["credited_line_id"] for ln in rest.json()["lines"]] == [line1["id"]]
    assert rest.json()["number"] == f"K{YEAR}-00002"
    nothing_left = await client.post(f"/api/v1/invoices/{inv['id']}/credit", json={"reason": "x"}, headers=w.finance)
    assert nothing_left.status_code == 409
    of_note = await client.post(f"/api/v1/invoices/{note['id']}/credit", json={"reason": "x"}, headers=w.finance)
    assert of_note.status_code == 409 and of_note.json()["code"] == "credit_not_allowed"
    unknown_line = await client.post(
        f"/api/v1/invoices/{inv['id']}/credit", json={"line_ids": [999999], "reason": "x"}, headers=w.finance
    )
    assert unknown_line.status_code == 422
    # The released time can be corrected and invoiced again.
    again = await run(client, w)
    assert again["invoices_created"] == 1 and again["invoices"][0]["net_amount"] == "4100.00"
    got = (await client.get(f"/api/v1/invoices/{inv['id']}", headers=w.finance)).json()
    assert got["credit_note_ids"] == [note["id"], rest.json()["id"]]
    assert {ln["credited_by_line_id"] is not None for ln in got["lines"]} == {True}


async def test_crediting_a_draft_is_409(client: httpx.AsyncClient, world: World) -> None:
    draft, _ = await drafts(client, world)
    response = await client.post(f"/api/v1/invoices/{draft['id']}/credit", json={"reason": "x"}, headers=world.finance)
    assert response.status_code == 409 and response.json()["code"] == "credit_not_allowed"
    assert (
        await client.post(f"/api/v1/invoices/{draft['id']}/credit", json={}, headers=world.finance)
    ).status_code == 422


async def test_credit_releases_prepaid_hours(client: httpx.AsyncClient, world: World) -> None:
    w = world
    await b.package(w.org, "2")
    draft, _ = await drafts(client, w)
    inv = (await client.post(f"/api/v1/invoices/{draft['id']}/issue", headers=w.finance)).json()
    assert await PrepaidDrawdown.filter(invoice_id=inv["id"], released_at__isnull=True).count() > 0
    before = (await client.get(f"/api/v1/organisations/{w.org.id}/prepaid", headers=w.finance)).json()
    assert before["packages"][0]["remaining_hours"] == "0.00"
    await client.post(f"/api/v1/invoices/{inv['id']}/credit", json={"reason": "Fel"}, headers=w.finance)
    after = (await client.get(f"/api/v1/organisations/{w.org.id}/prepaid", headers=w.finance)).json()
    assert after["packages"][0]["remaining_hours"] == "2.00"
    assert await PrepaidDrawdown.filter(invoice_id=inv["id"], released_at__isnull=True).count() == 0


async def test_mark_paid_and_list_filters(client: httpx.AsyncClient, world: World) -> None:
    w = world
    draft, foreign = await drafts(client, w)
    issued = (await client.post(f"/api/v1/invoices/{draft['id']}/issue", headers=w.finance)).json()
    paid = await client.post(
        f"/api/v1/invoices/{draft['id']}/mark-paid", json={"paid_on": issued["issue_date"]}, headers=w.finance
    )
    assert paid.status_code == 200 and paid.json()["paid_at"].startswith(issued["issue_date"])
    assert (
        await client.post(f"/api/v1/invoices/{draft['id']}/mark-paid", json={}, headers=w.finance)
    ).status_code == 409
    assert (
        await client.post(f"/api/v1/invoices/{foreign['id']}/mark-paid", json={}, headers=w.finance)
    ).status_code == 409

    async def ids(**params: Any) -> list[int]:
        response = await client.get("/api/v1/invoices", params=params, headers=w.finance)
        assert response.status_code == 200, response.text
        return [i["id"] for i in response.json()["items"]]

    assert await ids() == [foreign["id"], draft["id"]]
    assert await ids(status="draft") == [foreign["id"]]
    assert await ids(organisation_id=w.org.id) == [draft["id"]]
    assert await ids(unpaid="true") == []
    assert await ids(kind="credit_note") == []
    assert await ids(period_start="2026-02-01") == []
    assert await ids(period_end="2026-01-15") == [foreign["id"], draft["id"]]
    page = (await client.get("/api/v1/invoices", params={"limit": 1}, headers=w.finance)).json()
    assert [i["id"] for i in page["items"]] == [foreign["id"]] and page["next_cursor"]
    page2 = (
        await client.get("/api/v1/invoices", params={"limit": 1, "cursor": page["next_cursor"]}, headers=w.finance)
    ).json()
    assert [i["id"] for i in page2["items"]] == [draft["id"]]
    assert (await client.get("/api/v1/invoices", params={"status": "bogus"}, headers=w.finance)).status_code == 422


async def test_integrators_see_only_their_issued_documents(client: httpx.AsyncClient, world: World) -> None:
    w = world
    draft, foreign = await drafts(client, w)
    assert (await client.get(f"/api/v1/invoices/{draft['id']}", headers=w.org_token)).status_code == 404
    await client.post(f"/api/v1/invoices/{draft['id']}/issue", headers=w.finance)
    await client.post(f"/api/v1/invoices/{foreign['id']}/issue", headers=w.finance)
    own = await client.get(f"/api/v1/invoices/{draft['id']}", headers=w.org_token)
    assert own.status_code == 200 and own.json()["status"] == "issued"
    assert (await client.get(f"/api/v1/invoices/{draft['id']}", headers=w.other_token)).status_code == 404
    assert (await client.get(f"/api/v1/invoices/{foreign['id']}", headers=w.org_token)).status_code == 404
    listed = (await client.get("/api/v1/invoices", headers=w.org_token)).json()["items"]
    assert [i["id"] for i in listed] == [draft["id"]]
    assert (await client.get("/api/v1/invoices", headers=w.other_token)).json()["items"] == []


async def test_roles_and_auth(client: httpx.AsyncClient, world: World) -> None:
    w = world
    assert (await client.post("/api/v1/invoice-runs", json=PERIOD)).status_code == 401
    assert (await client.post("/api/v1/invoice-runs", json=PERIOD, headers=w.support)).status_code == 403
    assert (await client.post("/api/v1/invoice-runs", json=PERIOD, headers=w.org_token)).status_code == 403
    draft, _ = await drafts(client, w)
    for path in (f"/api/v1/invoices/{draft['id']}/issue", f"/api/v1/invoices/{draft['id']}/credit"):
        assert (await client.post(path, json={"reason": "x"}, headers=w.org_token)).status_code == 403
        assert (await client.post(path, json={"reason": "x"}, headers=w.support)).status_code == 403
    assert (await client.delete(f"/api/v1/invoices/{draft['id']}", headers=w.org_token)).status_code == 403
    assert (await client.get("/api/v1/invoices/999999", headers=w.finance)).status_code == 404
    admin_issue = await client.post(f"/api/v1/invoices/{draft['id']}/issue", headers=w.admin)
    assert admin_issue.status_code == 200


async def test_bad_run_periods(client: httpx.AsyncClient, world: World) -> None:
    for body in (
        {"period_start": "2026-02-01", "period_end": "2026-01-01"},
        {"period_start": "2026-01-01"},
        {"period_start": "2020-01-01", "period_end": "2026-01-01"},
        {"period_start": "2026-13-01", "period_end": "2026-12-31"},
    ):
        assert (await client.post("/api/v1/invoice-runs", json=body, headers=world.finance)).status_code == 422


async def test_idempotent_run(client: httpx.AsyncClient, world: World) -> None:
    headers = {**world.finance, "Idempotency-Key": "run-jan"}
    first = await client.post("/api/v1/invoice-runs", json=PERIOD, headers=headers)
    second = await client.post("/api/v1/invoice-runs", json=PERIOD, headers=headers)
    assert first.json() == second.json() and await Invoice.all().count() == 2
