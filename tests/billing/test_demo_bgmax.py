"""seed-demo leaves a BgMax file for the walk-through: the month before last is invoiced and issued by the seed,
and the file pays those invoices in full, in part, with too much, plus a payment with an unknown OCR.
Importing it through the API settles, leaves open and lists for finance's hands; importing it again is a
no-op; seeding again changes nothing. Last month's time stays unbilled for the walk-through's own run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import httpx

from billing.demo import seed_billing_demo
from billing.models import Invoice, InvoiceStatus
from billing.payments.models import Payment, PaymentFile
from support.demo import seed_demo
from support.timetracking.models import TimeEntry
from support.timetracking.settings import business_today
from tests import factories
from tests.factories import bearer


async def test_seed_writes_a_bgmax_file_that_settles_its_invoices(
    client: httpx.AsyncClient, db: str, tmp_path: Path
) -> None:
    await seed_demo()
    summary = await seed_billing_demo(data_dir=tmp_path)
    sample = tmp_path / "demo-bgmax.txt"
    assert summary["invoices_issued"] == 3 and summary["bgmax_sample"] == str(sample)
    data = sample.read_bytes()
    assert data.startswith(b"01BGMAX")
    issued = list(await Invoice.filter(status=InvoiceStatus.issued).order_by("id"))
    assert len(issued) == 3 and all(i.ocr for i in issued)
    full, partial, over = issued
    # the walk-through's months still have work: nothing after the seeded month is on an invoice
    first_of_last_month = (business_today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assert await TimeEntry.filter(work_date__gte=first_of_last_month, invoice_id__isnull=False).count() == 0
    assert await TimeEntry.filter(work_date__gte=first_of_last_month, billable=True).count() >= 8

    assert await seed_billing_demo(data_dir=tmp_path) == {"billing": "demo data already present"}
    assert sample.read_bytes() == data and await Invoice.all().count() == 3

    finance = bearer(await factories.token("finance"))
    response = await client.post(
        "/api/v1/payment-files", content=data, headers={**finance, "X-Filename": "demo-bgmax.txt"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["payments"], body["matched"], body["partial"], body["needs_hands"]) == (4, 2, 1, 2)

    accounts = {i.id: (await client.get(f"/api/v1/invoices/{i.id}/account", headers=finance)).json() for i in issued}
    assert Decimal(accounts[full.id]["open"]) == 0 and (await Invoice.get(id=full.id)).paid_at is not None
    half = (Decimal(partial.gross_amount) / 2).quantize(Decimal("0.01"))
    assert Decimal(accounts[partial.id]["paid"]) == half
    assert Decimal(accounts[partial.id]["open"]) == Decimal(partial.gross_amount) - half
    assert (await Invoice.get(id=partial.id)).paid_at is None
    assert Decimal(accounts[over.id]["open"]) == 0

    listed = (await client.get("/api/v1/payments?state=needs_hands", headers=finance)).json()["items"]
    assert sorted((p["reason"], Decimal(p["unallocated"])) for p in listed) == [
        ("overpaid", Decimal("100.00")),
        ("unknown_ocr", Decimal("250.00")),
    ]

    again = await client.post("/api/v1/payment-files", content=data, headers=finance)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert await Payment.all().count() == 4 and await PaymentFile.all().count() == 1
    assert (
        Decimal((await client.get(f"/api/v1/invoices/{partial.id}/account", headers=finance)).json()["open"])
        == Decimal(partial.gross_amount) - half
    )
