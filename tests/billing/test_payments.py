"""BgMax payment files: matching by OCR, partial and over-payments, what needs finance's hands, a file applied
once (also when imports race) and a malformed file refused whole. On both backends."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest
from tortoise import Tortoise

from billing.models import Invoice
from billing.payments import bgmax
from billing.payments.models import Payment, PaymentAllocation, PaymentFile
from billing.payments.service import import_file
from billing.settings import get_billing_settings
from support.models import AuditEvent
from tests import factories
from tests.billing import builders as b
from tests.billing.payment_world import gross, issued_invoices
from tests.factories import bearer

PAID_ON = dt.date(2026, 3, 2)
UNKNOWN_OCR = "120260099920"  # F2026-00999: valid check and length digits, but no such invoice


def a_file(invoices: list[Invoice], *, written_at: str = "20260302061500000000") -> bytes:
    full, partial, over, again = invoices[:4]
    return bgmax.write(
        bankgiro=get_billing_settings().seller_bankgiro,
        payment_date=PAID_ON,
        written_at=written_at,
        payments=[
            (full.ocr or "", gross(full), "000000000001"),
            (partial.ocr or "", Decimal("500.00"), "000000000002"),
            (over.ocr or "", gross(over) + Decimal("100.00"), "000000000003"),
            (again.ocr or "", gross(again), "000000000004"),
            (again.ocr or "", gross(again), "000000000005"),  # paid twice: the second waits for finance
            (UNKNOWN_OCR, Decimal("42.00"), "000000000006"),
            ("12345", Decimal("10.00"), "000000000007"),  # fails the check digit
        ],
        names={"000000000006": "Okänd Betalare AB"},
    )


def test_unknown_ocr_is_valid_luhn() -> None:
    from billing.ocr import is_valid_ocr

    assert is_valid_ocr(UNKNOWN_OCR) and not is_valid_ocr("12345")


async def test_file_settles_invoices_and_lists_what_needs_hands(client: httpx.AsyncClient, db: str) -> None:
    invoices = await issued_invoices([60, 120, 30, 90])
    finance = bearer(await factories.token("finance"))
    data = a_file(invoices)
    response = await client.post(
        "/api/v1/payment-files",
        content=data,
        headers={**finance, "Content-Type": "application/octet-stream", "X-Filename": "bgmax-20260302.txt"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["payments"], body["matched"], body["partial"], body["needs_hands"]) == (7, 3, 1, 4)
    assert body["duplicate"] is False

    full, partial, over, again = [await Invoice.get(id=i.id) for i in invoices]
    assert full.paid_at is not None and over.paid_at is not None and again.paid_at is not None
    assert partial.paid_at is None
    account = (await client.get(f"/api/v1/invoices/{partial.id}/account", headers=finance)).json()
    assert Decimal(account["paid"]) == Decimal("500.00")
    assert Decimal(account["open"]) == gross(partial) - Decimal("500.00")

    listed = (await client.get("/api/v1/payments?state=needs_hands", headers=finance)).json()["items"]
    reasons = sorted((p["reason"], Decimal(p["unallocated"])) for p in listed)
    assert reasons == sorted(
        [
            ("overpaid", Decimal("100.00")),
            ("invoice_paid", gross(again)),
            ("unknown_ocr", Decimal("42.00")),
            ("invalid_ocr", Decimal("10.00")),
        ]
    )
    unknown = next(p for p in listed if p["reason"] == "unknown_ocr")
    assert unknown["payer_name"] == "Okänd Betalare AB"

    # the same file again: a no-op
    again_response = await client.post("/api/v1/payment-files", content=data, headers=finance)
    assert again_response.status_code == 200 and again_response.json()["duplicate"] is True
    assert await Payment.all().count() == 7
    assert await PaymentAllocation.all().count() == 4
    assert await PaymentFile.all().count() == 1

    # finance puts the unknown payment on the partly paid invoice, and notes a refund of the excess
    assigned = await client.post(
        f"/api/v1/payments/{unknown['id']}/assign", json={"invoice_id": partial.id}, headers=finance
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["state"] == "matched"
    over_payment = next(p for p in listed if p["reason"] == "overpaid")
    refunded = await client.post(
        f"/api/v1/payments/{over_payment['id']}/refund",
        json={"note": "Återbetalt till avsändarens bankgiro"},
        headers=finance,
    )
    assert refunded.status_code == 200 and refunded.json()["state"] == "resolved"
    twice = await client.post(f"/api/v1/payments/{over_payment['id']}/refund", json={"note": "igen"}, headers=finance)
    assert twice.status_code == 409
    remaining = (await client.get("/api/v1/payments?state=needs_hands", headers=finance)).json()["items"]
    assert sorted(p["reason"] for p in remaining) == ["invalid_ocr", "invoice_paid"]
    history = [
        str(a)
        for a in await AuditEvent.filter(subject_type="invoice", subject_id=partial.id).values_list("action", flat=True)
    ]
    assert history.count("invoice.payment_received") == 1 and "invoice.payment_assigned" in history


async def test_payment_in_a_later_file_is_not_applied_twice(db: str) -> None:
    invoices = await issued_invoices([60, 60, 60, 60])
    await import_file(principal=b.FINANCE, data=a_file(invoices))
    later = a_file(invoices, written_at="20260303061500000000")  # another file repeating the same payments
    result = await import_file(principal=b.FINANCE, data=later)
    assert not result.duplicate and result.payments == 0 and result.duplicate_payments == 7
    assert await PaymentAllocation.all().count() == 4


@pytest.mark.parametrize(
    "damage, line",
    [
        (lambda lines: lines.__setitem__(3, lines[3][:40] + "X" + lines[3][41:]), 4),  # amount not digits
        (lambda lines: lines.__setitem__(-2, lines[-2][:71] + "00000099" + lines[-2][79:]), 11),  # deposit count
        (lambda lines: lines.pop(-1), None),  # no end record
        (lambda lines: lines.insert(2, "99" + " " * 78), 3),  # unknown record type
    ],
)
async def test_corrupt_file_is_refused_whole(
    client: httpx.AsyncClient, db: str, damage: Callable[[list[str]], object], line: int | None
) -> None:
    invoices = await issued_invoices([60, 60, 60, 60])
    lines = a_file(invoices).decode("latin-1").split("\r\n")[:-1]
    damage(lines)
    data = ("\r\n".join(lines) + "\r\n").encode("latin-1")
    response = await client.post(
        "/api/v1/payment-files", content=data, headers=bearer(await factories.token("finance"))
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "payment_file_invalid"
    if line is not None:
        assert problem["line"] == line and f"line {line}:" in problem["detail"]
    assert await Payment.all().count() == 0 and await PaymentFile.all().count() == 0
    assert await PaymentAllocation.all().count() == 0
    assert all(i.paid_at is None for i in await Invoice.all())


async def test_roles_and_formats(client: httpx.AsyncClient, db: str) -> None:
    support = bearer(await factories.token("support"))
    assert (await client.post("/api/v1/payment-files", content=b"01BGMAX", headers=support)).status_code == 403
    finance = bearer(await factories.token("finance"))
    camt = b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"/>'
    response = await client.post("/api/v1/payment-files", content=camt, headers=finance)
    assert response.status_code == 422 and response.json()["code"] == "payment_file_unsupported"
    invoices = await issued_invoices([60, 60, 60, 60])
    multipart = await client.post(
        "/api/v1/payment-files", files={"file": ("bg.txt", a_file(invoices))}, headers=finance
    )
    assert multipart.status_code == 201, multipart.text
    files = (await client.get("/api/v1/payment-files", headers=finance)).json()["items"]
    assert [f["filename"] for f in files] == ["bg.txt"]


@pytest.mark.postgres_only
async def test_racing_imports_apply_the_file_once(db: str) -> None:
    invoices = await issued_invoices([60, 120, 30, 90])
    data = a_file(invoices)
    results = await asyncio.gather(*(import_file(principal=b.FINANCE, data=data) for _ in range(6)))
    assert sorted(r.duplicate for r in results) == [False] + [True] * 5
    assert await PaymentFile.all().count() == 1
    assert await Payment.all().count() == 7
    assert await PaymentAllocation.all().count() == 4
    conn = Tortoise.get_connection("default")
    rows = await conn.execute_query_dict(
        "SELECT count(DISTINCT pid) AS n FROM pg_stat_activity WHERE datname = current_database()"
    )
    assert rows[0]["n"] >= 2  # the imports really ran on parallel connections


async def test_paid_by_hand_or_dated_before_issue_waits_for_finance(db: str) -> None:
    from billing import ledger, schemas

    by_hand, early = await issued_invoices([60, 60])
    await ledger.mark_paid(
        principal=b.FINANCE, invoice_id=by_hand.id, data=schemas.MarkPaid(paid_on=dt.date(2026, 2, 20))
    )
    data = bgmax.write(
        bankgiro=get_billing_settings().seller_bankgiro,
        payment_date=dt.date(2026, 2, 1),
        payments=[(by_hand.ocr or "", gross(by_hand), "000000000011"), (early.ocr or "", gross(early), "000000000012")],
    )
    result = await import_file(principal=b.FINANCE, data=data)
    assert (result.payments, result.matched, result.needs_hands) == (2, 0, 2)
    reasons = dict(await Payment.all().values_list("invoice_id", "reason"))
    assert reasons == {by_hand.id: "invoice_paid", early.id: "payment_date_invalid"}
    assert (await Invoice.get(id=early.id)).paid_at is None
    assert await PaymentAllocation.filter(invoice_id=early.id).count() == 0
