"""Customer statements (JSON and PDF): invoices, credit notes, payments and balance per organisation; the
integrator sees its own organisation only (another is the same 404 as a missing one), finance any."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import httpx
from pypdf import PdfReader

from billing import credits, schemas
from support.models import Organisation
from tests import factories
from tests.billing import builders as b
from tests.billing.payment_world import issued_invoices, pay
from tests.factories import bearer


async def test_statement_json_and_pdf(client: httpx.AsyncClient, db: str) -> None:
    first, other = await issued_invoices([60, 30])
    org = await Organisation.get(id=first.organisation_id)
    # the statement covers `first`, paid in part, and a credit note on it
    await pay(first, Decimal("500.00"), on=dt.date(2026, 3, 1))
    note = await credits.credit_invoice(
        principal=b.FINANCE,
        invoice_id=first.id,
        data=schemas.CreditCreate(reason="Rabatt"),
        issue_date=dt.date(2026, 3, 5),
    )
    own = bearer(await factories.token("integrator", organisation=org))
    body = (
        await client.get(f"/api/v1/organisations/{org.id}/statement", headers=own, params={"as_of": "2026-04-01"})
    ).json()
    gross = Decimal(first.gross_amount)
    assert [d["number"] for d in body["documents"]] == [first.number, note.number]
    assert Decimal(body["invoiced"]) == gross and Decimal(body["credited"]) == Decimal(note.gross_amount)
    assert Decimal(body["paid"]) == Decimal("500.00")
    assert Decimal(body["balance"]) == gross - Decimal(note.gross_amount) - Decimal("500.00")
    assert [Decimal(p["amount"]) for p in body["payments"]] == [Decimal("500.00")]

    pdf = await client.get(f"/api/v1/organisations/{org.id}/statement.pdf", headers=own, params={"as_of": "2026-04-01"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Kontoutdrag" in text and (first.number or "") in text and (note.number or "") in text

    other_org = await Organisation.get(id=other.organisation_id)
    for path in (
        f"/api/v1/organisations/{other_org.id}/statement",
        f"/api/v1/organisations/{other_org.id}/statement.pdf",
        "/api/v1/organisations/999999/statement",
    ):
        response = await client.get(path, headers=own)
        assert response.status_code == 404, path
    finance = bearer(await factories.token("finance"))
    seen = (await client.get(f"/api/v1/organisations/{other_org.id}/statement", headers=finance)).json()
    assert Decimal(seen["balance"]) == Decimal(other.gross_amount)
    assert (await client.get("/api/v1/organisations/999999/statement", headers=finance)).status_code == 404
    support = bearer(await factories.token("support"))
    assert (await client.get(f"/api/v1/organisations/{org.id}/statement", headers=support)).status_code == 403
