"""Finance at the edges (issue 15): foreign buyers by tax scheme, issue dates in the business time zone,
runs of an unfinished month, payment dates, zero invoices and a run that dies half-way. Over HTTP with the
real issue hooks (PDF, Peppol UBL, email), on SQLite and PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from lxml import etree

from billing import ledger, run_state, runs
from billing.commands import cmd_invoice_run
from billing.models import Invoice, InvoiceRun, InvoiceStatus, RunStatus
from billing.snapshot import InvoiceSnapshot
from invoices.models import InvoiceDocument
from invoices.validation import validate
from notifications.models import OutboxMessage
from support.models import Organisation
from support.timetracking.settings import business_today
from tests import factories
from tests.billing import builders as b
from tests.factories import bearer
from tests.peppol import HAVE_PEPPOL, needs_peppol

KEEP_ISSUE_HOOKS = True  # issue with the real PDF/UBL rendering and email, as production does
JAN = {"period_start": "2026-01-01", "period_end": "2026-01-31"}
NORWAY = {
    "name": "Fjordline Data AS",
    "kind": "company",
    "country_code": "NO",
    "vat_number": "NO 923 609 016 MVA",
    "street": "Karl Johans gate 22",
    "postal_code": "0159",
    "city": "Oslo",
    "language": "en",
    "invoice_email": "faktura@fjordline.example",
    "buyer_reference": "PO-77",
}
DENMARK = {
    "name": "Dansk Integration ApS",
    "kind": "company",
    "country_code": "DK",
    "street": "Vesterbrogade 1",
    "postal_code": "1620",
    "city": "København V",
    "language": "en",
    "buyer_reference": "DK-1",
}


@pytest.fixture
async def tokens(db: str) -> dict[str, dict[str, str]]:
    await b.card()
    return {"admin": bearer(await factories.token("admin")), "finance": bearer(await factories.token("finance"))}


async def billable(org: Organisation, *, minutes: int = 120, day: dt.date = dt.date(2026, 1, 12)) -> None:
    staff = await factories.staff()
    await b.entry(await b.ticket(org, subject=f"Hjälp för {org.name}"), staff, day, minutes)


async def run_and_issue(client: httpx.AsyncClient, finance: dict[str, str], org_id: int) -> httpx.Response:
    response = await client.post("/api/v1/invoice-runs", json=JAN, headers=finance)
    assert response.status_code == 201, response.text
    draft = next(i for i in response.json()["invoices"] if i["organisation_id"] == org_id)
    return await client.post(f"/api/v1/invoices/{draft['id']}/issue", headers=finance)


async def stored_xml(invoice_id: int) -> bytes:
    return bytes((await InvoiceDocument.get(invoice_id=invoice_id, format="xml")).content)


# 6. Foreign buyers ------------------------------------------------------------------------------------------


async def test_danish_company_without_vat_number_is_refused_at_save(
    client: httpx.AsyncClient, tokens: dict[str, dict[str, str]]
) -> None:
    admin = tokens["admin"]
    refused = await client.post("/api/v1/organisations", json=DENMARK, headers=admin)
    assert refused.status_code == 422, refused.text
    assert "reverse charge" in refused.text and "VAT number" in refused.text
    wrong_country = await client.post(
        "/api/v1/organisations", json={**DENMARK, "vat_number": "FI20774740"}, headers=admin
    )
    assert wrong_country.status_code == 422 and "DK" in wrong_country.text
    saved = await client.post("/api/v1/organisations", json={**DENMARK, "vat_number": "DK 13 58 56 28"}, headers=admin)
    assert saved.status_code == 201, saved.text
    assert saved.json()["vat_number"] == "DK13585628" and saved.json()["tax_scheme"] == "eu_reverse_charge"
    cleared = await client.patch(
        f"/api/v1/organisations/{saved.json()['id']}", json={"vat_number": None}, headers=admin
    )
    assert cleared.status_code == 422 and cleared.json()["code"] == "invalid_tax_identity"


@needs_peppol
async def test_norwegian_company_is_accepted_and_invoiced_outside_the_scope(
    client: httpx.AsyncClient, tokens: dict[str, dict[str, str]]
) -> None:
    saved = await client.post("/api/v1/organisations", json=NORWAY, headers=tokens["admin"])
    assert saved.status_code == 201, saved.text
    body = saved.json()
    assert (body["vat_number"], body["organisation_number"], body["tax_scheme"]) == (
        "NO923609016MVA",
        "923609016",
        "outside_eu",
    )
    org = await Organisation.get(id=body["id"])
    await billable(org)
    issued = await run_and_issue(client, tokens["finance"], org.id)
    assert issued.status_code == 200, issued.text
    invoice = issued.json()
    assert invoice["vat_amount"] == "0.00" and not invoice["reverse_charge"]
    assert {line["vat_category"] for line in invoice["lines"]} == {"O"}
    xml = await stored_xml(invoice["id"])
    assert validate(xml) == []  # XSD + CEN + Peppol rules, warnings included
    root = etree.fromstring(xml)
    assert root.xpath("//*[local-name()='TaxExemptionReasonCode']/text()") == ["VATEX-EU-O"]
    pdf = bytes((await InvoiceDocument.get(invoice_id=invoice["id"], format="pdf")).content)
    from tests.invoices.test_pdf import full_text

    assert "Not subject to Swedish VAT" in full_text(pdf)


@needs_peppol
async def test_danish_company_with_vat_number_is_reverse_charge_and_passes_the_rules(
    client: httpx.AsyncClient, tokens: dict[str, dict[str, str]]
) -> None:
    saved = await client.post(
        "/api/v1/organisations", json={**DENMARK, "vat_number": "DK13585628"}, headers=tokens["admin"]
    )
    org = await Organisation.get(id=saved.json()["id"])
    await billable(org)
    issued = await run_and_issue(client, tokens["finance"], org.id)
    assert issued.status_code == 200, issued.text
    assert issued.json()["reverse_charge"] and {ln["vat_category"] for ln in issued.json()["lines"]} == {"AE"}
    assert validate(await stored_xml(issued.json()["id"])) == []


# 3. A legacy foreign buyer without a VAT number: 409, never a 500 ---------------------------------------------


async def test_legacy_eu_buyer_without_vat_number_is_skipped_and_cannot_be_issued(
    client: httpx.AsyncClient, tokens: dict[str, dict[str, str]]
) -> None:
    finance = tokens["finance"]
    # Saved before the rule existed (straight into the table): Danish, no VAT number.
    legacy = await factories.organisation(
        kind="company", country_code="DK", organisation_number=None, population=None, name="Gammel Kunde ApS"
    )
    await billable(legacy)
    run = (await client.post("/api/v1/invoice-runs", json=JAN, headers=finance)).json()
    assert run["invoices_created"] == 0
    assert run["skipped"] == [
        {"organisation_id": legacy.id, "reason": "buyer_tax_identity_invalid", "detail": run["skipped"][0]["detail"]}
    ]
    assert "needs its VAT number" in run["skipped"][0]["detail"]
    # A draft made while the number was there, then the number lost: issuing is a 409 naming the fix.
    await Organisation.filter(id=legacy.id).update(vat_number="DK13585628")
    run = (await client.post("/api/v1/invoice-runs", json=JAN, headers=finance)).json()
    draft_id = run["invoices"][0]["id"]
    await Organisation.filter(id=legacy.id).update(vat_number=None)
    for _ in range(2):  # every retry is the same clear answer
        refused = await client.post(f"/api/v1/invoices/{draft_id}/issue", headers=finance)
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "buyer_tax_identity_invalid" and "update the organisation" in refused.text
    assert (await Invoice.get(id=draft_id)).status == InvoiceStatus.draft


# 8. Dates ----------------------------------------------------------------------------------------------------


async def test_issue_date_is_the_business_day_in_stockholm(tokens: dict[str, dict[str, str]]) -> None:
    """Issued at 00:30 on 1 January in Stockholm (23:30 UTC on 31 December): the new year and its series."""
    org = await factories.organisation()
    await billable(org)
    await runs.run_invoices(started_by="t", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31))
    draft = await Invoice.get(organisation_id=org.id)
    moment = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    issued = await ledger.issue_draft(principal=b.FINANCE, invoice_id=draft.id, now=moment)
    assert issued.issue_date == dt.date(2027, 1, 1)
    assert issued.number == "F2027-00001" and issued.due_date == dt.date(2027, 1, 31)


async def test_a_run_of_an_unfinished_month_needs_the_flag(
    client: httpx.AsyncClient, tokens: dict[str, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    today = business_today()
    month = {"period_start": today.replace(day=1).isoformat(), "period_end": today.isoformat()}
    refused = await client.post("/api/v1/invoice-runs", json=month, headers=tokens["finance"])
    assert refused.status_code == 422 and refused.json()["code"] == "period_not_finished"
    assert "allow_open_period" in refused.json()["detail"]
    assert await InvoiceRun.all().count() == 0
    allowed = await client.post(
        "/api/v1/invoice-runs", json={**month, "allow_open_period": True}, headers=tokens["finance"]
    )
    assert allowed.status_code == 201, allowed.text

    @contextlib.asynccontextmanager
    async def already_open() -> AsyncIterator[None]:
        yield

    args = argparse.Namespace(period=runs_period(today), issue=False, quiet=True, allow_open_period=False)
    assert await asyncio.to_thread(cmd_invoice_run, args, already_open) == 1
    assert "--allow-open-period" in capsys.readouterr().err
    # Last month is over: no flag needed.
    with pytest.raises(Exception) as excinfo:
        run_state.refuse_open_period(today, allow_open_period=False)
    assert getattr(excinfo.value, "code", "") == "period_not_finished"
    run_state.refuse_open_period(today.replace(day=1) - dt.timedelta(days=1), allow_open_period=False)


def runs_period(day: dt.date) -> tuple[dt.date, dt.date]:
    from billing.commands import parse_period

    return parse_period(f"{day:%Y-%m}")


# 5. Payment dates ---------------------------------------------------------------------------------------------


async def test_mark_paid_refuses_a_date_before_the_invoice_existed(
    client: httpx.AsyncClient, tokens: dict[str, dict[str, str]]
) -> None:
    finance = tokens["finance"]
    org = await factories.organisation()
    await billable(org)
    invoice = (await run_and_issue(client, finance, org.id)).json()
    issue_date = dt.date.fromisoformat(invoice["issue_date"])
    url = f"/api/v1/invoices/{invoice['id']}/mark-paid"
    early = await client.post(url, json={"paid_on": (issue_date - dt.timedelta(days=1)).isoformat()}, headers=finance)
    assert early.status_code == 422 and early.json()["code"] == "invalid_payment_date", early.text
    future = await client.post(
        url, json={"paid_on": (business_today() + dt.timedelta(days=2)).isoformat()}, headers=finance
    )
    assert future.status_code == 422 and future.json()["code"] == "invalid_payment_date"
    assert (await Invoice.get(id=invoice["id"])).paid_at is None
    paid = await client.post(url, json={"paid_on": issue_date.isoformat()}, headers=finance)
    assert paid.status_code == 200 and paid.json()["paid_at"].startswith(issue_date.isoformat())


# 9. Zero invoices ---------------------------------------------------------------------------------------------


async def test_an_invoice_drawn_wholly_from_prepaid_hours_asks_for_no_payment(
    client: httpx.AsyncClient, tokens: dict[str, dict[str, str]]
) -> None:
    finance = tokens["finance"]
    org = await factories.organisation(invoice_email="faktura@kommun.example.se")
    await b.package(org, "10", name="Klippkort 10 timmar")
    await billable(org, minutes=120)
    invoice = (await run_and_issue(client, finance, org.id)).json()
    assert invoice["status"] == "issued" and invoice["gross_amount"] == "0.00"
    assert invoice["number"].startswith("F") and invoice["ocr"] is None
    snapshot = InvoiceSnapshot.model_validate(invoice["snapshot"])
    assert snapshot.nothing_to_pay and snapshot.ocr is None
    assert [(p.package, p.drawn_hours, p.remaining_hours) for p in snapshot.prepaid] == [
        ("Klippkort 10 timmar", Decimal("2"), Decimal("8"))
    ]
    message = await OutboxMessage.get(dedupe_key=f"invoice:{invoice['id']}:issued")
    assert "Inget att betala" in message.text_body and "8,00 tim kvar" in message.text_body
    assert "OCR" not in message.text_body and "Förfallodatum" not in message.text_body
    pdf = bytes((await InvoiceDocument.get(invoice_id=invoice["id"], format="pdf")).content)
    from tests.invoices.test_pdf import full_text

    text = full_text(pdf)
    assert "Inget att betala" in text and "Betalningsinformation" not in text and "OCR" not in text
    if HAVE_PEPPOL:
        assert validate(await stored_xml(invoice["id"])) == []
    refused = await client.post(f"/api/v1/invoices/{invoice['id']}/mark-paid", json={}, headers=finance)
    assert refused.status_code == 409 and refused.json()["code"] == "nothing_to_pay"
    unpaid = (await client.get("/api/v1/invoices", params={"unpaid": "true"}, headers=finance)).json()
    assert invoice["id"] not in [i["id"] for i in unpaid["items"]]


# 5. A run that dies half-way ------------------------------------------------------------------------------------


class Died(BaseException):
    """Stands for the process dying (kill -9 is tested with a real process in tests/billing/test_races.py)."""


async def test_a_run_that_dies_leaves_true_counts_and_is_later_abandoned(
    client: httpx.AsyncClient, tokens: dict[str, dict[str, str]]
) -> None:
    for _ in range(5):
        await billable(await factories.organisation())
    seen: list[Any] = []

    def die_after_three(outcome: runs.DraftOutcome) -> None:
        seen.append(outcome)
        if len(seen) == 3:
            raise Died

    with pytest.raises(Died):
        await runs.run_invoices(
            started_by="t", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31), progress=die_after_three
        )
    run = await InvoiceRun.get()
    assert await Invoice.filter(run_id=run.id).count() == 3
    assert (run.invoices_created, run.organisations_considered, run.organisations_done) == (3, 5, 3)
    assert run.status == RunStatus.running and run.finished_at is None
    shown = (await client.get(f"/api/v1/invoice-runs/{run.id}", headers=tokens["finance"])).json()
    assert shown["status"] == "running" and shown["invoices_created"] == 3

    later = dt.datetime.now(dt.UTC) + run_state.STALE_AFTER + dt.timedelta(minutes=1)
    assert run_state.status_of(run, now=later) == RunStatus.abandoned
    assert await run_state.abandon_stale_runs(now=later) == [run.id]
    shown = (await client.get(f"/api/v1/invoice-runs/{run.id}", headers=tokens["finance"])).json()
    assert shown["status"] == "abandoned" and shown["invoices_created"] == 3 and shown["finished_at"] is None
    # The next run finishes the job and says so.
    rerun = (await client.post("/api/v1/invoice-runs", json=JAN, headers=tokens["finance"])).json()
    assert rerun["status"] == "finished" and rerun["invoices_created"] == 2
