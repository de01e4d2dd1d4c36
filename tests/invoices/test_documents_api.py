"""Documents rendered once at issue, stored with their sha256, served for download, zipped per period, and
attached to the invoice email. Invoices are issued through billing's real issue flow (API or service)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from typing import Any

import httpx
import pytest
from lxml import etree

import billing.hooks
import invoices.hooks
import invoices.service
from billing import credits, ledger, runs, schemas
from billing.models import Invoice, InvoiceStatus
from billing.snapshot import InvoiceSnapshot
from core.http import MAX_ID
from invoices.models import InvoiceDocument
from notifications.models import OutboxAttachment, OutboxMessage
from support.models import Contact, Language, Organisation, Staff
from tests import factories
from tests.billing import builders
from tests.factories import bearer

JAN = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
FEB = (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


async def billed_org(**overrides: Any) -> Organisation:
    overrides.setdefault("invoice_email", "faktura@kommun.example")
    return await factories.organisation(**overrides)


async def draft(
    org: Organisation, staff: Staff, *, period: tuple[dt.date, dt.date] = JAN, minutes: int = 95
) -> Invoice:
    ticket = await builders.ticket(org)
    await builders.entry(ticket, staff, period[0] + dt.timedelta(days=9), minutes)
    await runs.run_invoices(started_by="test", period_start=period[0], period_end=period[1])
    return await Invoice.get(organisation_id=org.id, status=InvoiceStatus.draft)


async def issued(
    org: Organisation, staff: Staff, *, issue_date: dt.date = dt.date(2026, 2, 3), period: tuple[dt.date, dt.date] = JAN
) -> Invoice:
    invoice = await draft(org, staff, period=period)
    await ledger.issue_invoice(principal=builders.FINANCE, invoice_id=invoice.id, issue_date=issue_date)
    return await Invoice.get(id=invoice.id)


async def credited(invoice: Invoice, *, issue_date: dt.date) -> Invoice:
    read = await credits.credit_invoice(
        principal=builders.FINANCE,
        invoice_id=invoice.id,
        data=schemas.CreditCreate(reason="Fel timpris"),
        issue_date=issue_date,
    )
    return await Invoice.get(id=read.id)


async def token(role: str, org: Organisation | None = None) -> dict[str, str]:
    return bearer(await factories.token(role, organisation=org))


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    return body


# Issue: stored once, emailed --------------------------------------------------------------------------


async def test_issue_via_api_stores_both_documents_and_queues_the_email(
    client: httpx.AsyncClient, setup: dict[str, Any]
) -> None:
    org = await billed_org()
    invoice = await draft(org, setup["staff"])
    response = await client.post(f"/api/v1/invoices/{invoice.id}/issue", headers=await token("finance"))
    assert response.status_code == 200, response.text
    number = response.json()["number"]

    documents = {d.format.value: d for d in await InvoiceDocument.filter(invoice_id=invoice.id)}
    assert set(documents) == {"pdf", "xml"}
    pdf, xml = documents["pdf"], documents["xml"]
    assert pdf.filename == f"{number}.pdf" and xml.filename == f"{number}.xml"
    assert pdf.content_type == "application/pdf" and xml.content_type == "application/xml"
    for document in documents.values():
        assert document.sha256 == hashlib.sha256(bytes(document.content)).hexdigest()
        assert document.size == len(bytes(document.content))
    assert bytes(pdf.content).startswith(b"%PDF-")
    root = etree.fromstring(bytes(xml.content))
    assert etree.QName(root).localname == "Invoice"
    assert root.findtext("{*}ID") == number

    message = await OutboxMessage.get(dedupe_key=f"invoice:{invoice.id}:issued")
    assert message.template == "invoice_issued"
    assert message.to_email == "faktura@kommun.example"
    assert message.to_name == org.name  # a shared mailbox is greeted by the organisation's name
    assert message.language == "sv"
    assert number in message.subject
    stored = await Invoice.get(id=invoice.id)
    snapshot = InvoiceSnapshot.model_validate(stored.snapshot)
    assert snapshot.ocr is not None
    assert snapshot.ocr in message.text_body and "januari 2026" in message.text_body
    attachments = {a.filename: a for a in await OutboxAttachment.filter(message_id=message.id)}
    assert set(attachments) == {f"{number}.pdf", f"{number}.xml"}
    assert bytes(attachments[f"{number}.pdf"].data) == bytes(pdf.content)
    assert attachments[f"{number}.xml"].content_type == "application/xml"


async def test_credit_note_gets_its_own_documents_and_email(setup: dict[str, Any]) -> None:
    org = await billed_org(language=Language.en, country_code="SE")
    invoice = await issued(org, setup["staff"])
    note = await credited(invoice, issue_date=dt.date(2026, 2, 20))
    documents = await InvoiceDocument.filter(invoice_id=note.id)
    assert sorted(d.filename for d in documents) == [f"{note.number}.pdf", f"{note.number}.xml"]
    xml = next(d for d in documents if d.format.value == "xml")
    assert etree.QName(etree.fromstring(bytes(xml.content))).localname == "CreditNote"
    message = await OutboxMessage.get(dedupe_key=f"invoice:{note.id}:issued")
    assert message.language == "en"
    assert f"credits invoice {invoice.number}" in message.text_body
    assert "January 2026" in message.text_body


async def test_an_invoice_address_that_is_a_contact_is_greeted_by_name(setup: dict[str, Any]) -> None:
    org = await billed_org(invoice_email="Ekonomi@Kommun.example")
    await factories.contact(org, email="ekonomi@kommun.example", name="Eva Ekonom")
    invoice = await issued(org, setup["staff"])
    message = await OutboxMessage.get(dedupe_key=f"invoice:{invoice.id}:issued")
    assert message.to_email.lower() == "ekonomi@kommun.example" and message.to_name == "Eva Ekonom"
    assert "Eva Ekonom" in message.text_body


async def test_without_invoice_email_the_first_active_contact_gets_it(setup: dict[str, Any]) -> None:
    org = await billed_org(invoice_email=None)
    await factories.contact(org, email="inactive@kommun.example", active=False)
    first = await factories.contact(org, email="first@kommun.example", name="Första Kontakten")
    await factories.contact(org, email="second@kommun.example")
    invoice = await issued(org, setup["staff"])
    message = await OutboxMessage.get(dedupe_key=f"invoice:{invoice.id}:issued")
    assert message.to_email == first.email
    assert message.to_name == "Första Kontakten"


async def test_nobody_to_email_does_not_block_the_issue(setup: dict[str, Any]) -> None:
    org = await billed_org(invoice_email=None)
    invoice = await draft(org, setup["staff"])
    await Contact.filter(organisation_id=org.id).update(active=False)  # the ticket's requester left too
    await ledger.issue_invoice(principal=builders.FINANCE, invoice_id=invoice.id, issue_date=dt.date(2026, 2, 3))
    invoice = await Invoice.get(id=invoice.id)
    assert invoice.status == InvoiceStatus.issued
    assert await InvoiceDocument.filter(invoice_id=invoice.id).count() == 2
    assert not await OutboxMessage.exists(dedupe_key=f"invoice:{invoice.id}:issued")


# Rollback ---------------------------------------------------------------------------------------------


async def _assert_still_draft(invoice_id: int) -> None:
    after = await Invoice.get(id=invoice_id)
    assert after.status == InvoiceStatus.draft and after.number is None and after.snapshot is None
    assert not await InvoiceDocument.exists(invoice_id=invoice_id)
    assert not await OutboxMessage.exists(dedupe_key=f"invoice:{invoice_id}:issued")


async def test_a_failing_later_hook_rolls_the_issue_and_the_documents_back(
    client: httpx.AsyncClient, setup: dict[str, Any]
) -> None:
    org = await billed_org()
    invoice = await draft(org, setup["staff"])

    async def fail(invoice: Invoice, snapshot: InvoiceSnapshot) -> None:
        assert await InvoiceDocument.filter(invoice_id=invoice.id).count() == 2  # ours ran first, in the tx
        raise RuntimeError("archive unreachable")

    billing.hooks.register_issue_hook(fail)
    try:
        response = await client.post(f"/api/v1/invoices/{invoice.id}/issue", headers=await token("finance"))
    finally:
        billing.hooks.unregister_issue_hook(fail)
    problem(response, 500, "internal_error")
    await _assert_still_draft(invoice.id)

    # The same draft issues cleanly afterwards, and takes the first number (no gap).
    response = await client.post(f"/api/v1/invoices/{invoice.id}/issue", headers=await token("finance"))
    assert response.status_code == 200, response.text
    assert response.json()["number"].endswith("-00001")
    assert await InvoiceDocument.filter(invoice_id=invoice.id).count() == 2


async def test_a_rendering_failure_rolls_the_issue_back(setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    org = await billed_org()
    invoice = await draft(org, setup["staff"])

    def broken_ubl(snapshot: InvoiceSnapshot) -> bytes:
        raise ValueError("renderer exploded")

    monkeypatch.setattr(invoices.service, "render_ubl", broken_ubl)
    with pytest.raises(ValueError, match="renderer exploded"):
        await ledger.issue_invoice(principal=builders.FINANCE, invoice_id=invoice.id, issue_date=dt.date(2026, 2, 3))
    await _assert_still_draft(invoice.id)


# Downloads --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "content_type", "magic"), [("pdf", "application/pdf", b"%PDF-"), ("xml", "application/xml", b"<?xml")]
)
async def test_download_is_the_stored_document_with_etag_and_304(
    client: httpx.AsyncClient, setup: dict[str, Any], suffix: str, content_type: str, magic: bytes
) -> None:
    invoice = await issued(await billed_org(), setup["staff"])
    stored = await InvoiceDocument.get(invoice_id=invoice.id, format=suffix)
    headers = await token("finance")

    response = await client.get(f"/api/v1/invoices/{invoice.id}.{suffix}", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == content_type
    assert response.headers["content-disposition"] == f'attachment; filename="{invoice.number}.{suffix}"'
    assert response.headers["etag"] == f'"{stored.sha256}"'
    assert response.content == bytes(stored.content) and response.content.startswith(magic)

    again = await client.get(
        f"/api/v1/invoices/{invoice.id}.{suffix}", headers={**headers, "If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == response.headers["etag"]
    weak_list = await client.get(
        f"/api/v1/invoices/{invoice.id}.{suffix}", headers={**headers, "If-None-Match": f'"other", W/"{stored.sha256}"'}
    )
    assert weak_list.status_code == 304
    stale = await client.get(f"/api/v1/invoices/{invoice.id}.{suffix}", headers={**headers, "If-None-Match": '"0000"'})
    assert stale.status_code == 200


async def test_downloads_are_never_rerendered(
    client: httpx.AsyncClient, setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    invoice = await issued(await billed_org(), setup["staff"])

    def no_rendering(snapshot: InvoiceSnapshot) -> bytes:
        raise AssertionError("documents are served from storage")

    monkeypatch.setattr(invoices.service, "render_pdf", no_rendering)
    monkeypatch.setattr(invoices.service, "render_ubl", no_rendering)
    for suffix in ("pdf", "xml"):
        response = await client.get(f"/api/v1/invoices/{invoice.id}.{suffix}", headers=await token("admin"))
        assert response.status_code == 200


async def test_who_may_download(client: httpx.AsyncClient, setup: dict[str, Any]) -> None:
    own, other = await billed_org(), await billed_org()
    invoice = await issued(own, setup["staff"])
    url = f"/api/v1/invoices/{invoice.id}.pdf"

    assert (await client.get(url, headers=await token("integrator", own))).status_code == 200
    assert (await client.get(url, headers=await token("support"))).status_code == 200
    assert (await client.get(url, headers=await token("admin"))).status_code == 200
    stranger = await token("integrator", other)
    foreign = problem(await client.get(url, headers=stranger), 404, "invoice_not_found")
    unknown = problem(await client.get("/api/v1/invoices/999999.pdf", headers=stranger), 404, "invoice_not_found")
    assert foreign["title"] == unknown["title"]  # another organisation's invoice looks like no invoice
    problem(await client.get(url), 401, "unauthenticated")
    problem(await client.get(url, headers={"Authorization": "Bearer nope"}), 401, "unauthenticated")


async def test_a_draft_has_no_documents(client: httpx.AsyncClient, setup: dict[str, Any]) -> None:
    org = await billed_org()
    invoice = await draft(org, setup["staff"])
    for suffix in ("pdf", "xml"):
        response = await client.get(f"/api/v1/invoices/{invoice.id}.{suffix}", headers=await token("finance"))
        body = problem(response, 404, "invoice_document_not_issued")
        assert "draft" in body["detail"]
    # Drafts are internal: the integrator of the draft's own organisation hears exactly what a missing id
    # gets, never that a draft exists (billing/access.py).
    integrator = await token("integrator", org)
    missing = MAX_ID
    for invoice_id in (invoice.id, missing):
        body = problem(
            await client.get(f"/api/v1/invoices/{invoice_id}.pdf", headers=integrator), 404, "invoice_not_found"
        )
        assert body["detail"] == f"invoice {invoice_id} not found"


async def test_a_damaged_stored_document_is_never_served(client: httpx.AsyncClient, setup: dict[str, Any]) -> None:
    invoice = await issued(await billed_org(), setup["staff"])
    await InvoiceDocument.filter(invoice_id=invoice.id, format="pdf").update(content=b"%PDF-tampered")
    body = problem(
        await client.get(f"/api/v1/invoices/{invoice.id}.pdf", headers=await token("finance")),
        500,
        "invoice_document_corrupt",
    )
    assert "%PDF-tampered" not in str(body)  # the damaged bytes are never sent


# Period zip -------------------------------------------------------------------------------------------


def _zip_names(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


async def test_period_zip_contains_exactly_the_periods_documents(
    client: httpx.AsyncClient, setup: dict[str, Any]
) -> None:
    staff = setup["staff"]
    a = await issued(await billed_org(), staff, issue_date=dt.date(2026, 2, 3))
    b = await issued(await billed_org(), staff, issue_date=dt.date(2026, 2, 27))
    k = await credited(a, issue_date=dt.date(2026, 2, 28))
    late = await issued(await billed_org(), staff, issue_date=dt.date(2026, 3, 2), period=FEB)
    await draft(await billed_org(), staff, period=JAN)  # drafts never appear

    url = "/api/v1/invoice-documents.zip"
    response = await client.get(f"{url}?period=2026-02", headers=await token("finance"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == 'attachment; filename="invoice-documents-2026-02.zip"'
    files = _zip_names(response.content)
    numbers = [a.number, b.number, k.number]
    assert set(files) == {f"{n}.{s}" for n in numbers for s in ("pdf", "xml")} | {"SHA256SUMS"}
    for document in await InvoiceDocument.filter(invoice_id__in=[a.id, b.id, k.id]):
        assert files[document.filename] == bytes(document.content)
    sums = {name: digest for digest, name in (line.split("  ") for line in files["SHA256SUMS"].decode().splitlines())}
    assert all(hashlib.sha256(files[name]).hexdigest() == digest for name, digest in sums.items())
    assert len(sums) == 6

    march = _zip_names(
        (await client.get("/api/v1/invoice-documents.zip?period=2026-03", headers=await token("admin"))).content
    )
    assert set(march) == {f"{late.number}.pdf", f"{late.number}.xml", "SHA256SUMS"}
    by_service = _zip_names(
        (await client.get(f"{url}?period=2026-02&by=service_period", headers=await token("admin"))).content
    )
    assert set(by_service) == {f"{late.number}.pdf", f"{late.number}.xml", "SHA256SUMS"}
    assert response.headers["x-document-count"] == "3" and response.headers["x-credit-note-count"] == "1"


async def test_period_zip_counts_and_explains_an_empty_month(client: httpx.AsyncClient, setup: dict[str, Any]) -> None:
    """Issue 15 point 11: a month delivered in January but issued in February is empty by issue date; the
    answer says so (404 problem) and how many the service period finds, and `by=service` gets them."""
    staff = setup["staff"]
    late = await issued(await billed_org(), staff, issue_date=dt.date(2026, 2, 2), period=JAN)
    finance = await token("finance")
    url = "/api/v1/invoice-documents.zip"
    body = problem(await client.get(f"{url}?period=2026-01", headers=finance), 404, "no_documents_in_period")
    assert body["found"] == 0 and body["found_by_other_basis"] == 1 and body["by"] == "issue_date"
    assert "by=service" in body["detail"] and "2026-01" in body["detail"]
    by_service = await client.get(f"{url}?period=2026-01&by=service", headers=finance)
    assert by_service.status_code == 200, by_service.text
    assert by_service.headers["x-document-count"] == "1" and by_service.headers["x-period-basis"] == "service_period"
    assert set(_zip_names(by_service.content)) == {f"{late.number}.pdf", f"{late.number}.xml", "SHA256SUMS"}
    nothing = problem(await client.get(f"{url}?period=2025-12", headers=finance), 404, "no_documents_in_period")
    assert nothing["found_by_other_basis"] == 0 and "by=" not in nothing["detail"]


async def test_period_zip_far_future_is_422_not_500(client: httpx.AsyncClient, setup: dict[str, Any]) -> None:
    finance = await token("finance")
    for period in ("9999-12", "9999-01"):
        body = problem(
            await client.get(f"/api/v1/invoice-documents.zip?period={period}", headers=finance), 422, "period_in_future"
        )
        assert period in body["detail"] or body["status"] == 422


async def test_period_zip_access_and_bad_periods(client: httpx.AsyncClient, setup: dict[str, Any]) -> None:
    org = await billed_org()
    url = "/api/v1/invoice-documents.zip?period=2026-02"
    problem(await client.get(url, headers=await token("support")), 403, "forbidden")
    problem(await client.get(url, headers=await token("integrator", org)), 403, "forbidden")
    problem(await client.get(url), 401, "unauthenticated")
    finance = await token("finance")
    for bad in ("2026-13", "2026-2", "feb", "2026-02-01"):
        problem(await client.get(f"/api/v1/invoice-documents.zip?period={bad}", headers=finance), 422, "invalid_input")
    missing = problem(await client.get("/api/v1/invoice-documents.zip", headers=finance), 422, "invalid_input")
    assert any(e["loc"] == "period" for e in missing["errors"])


async def test_openapi_shows_binary_downloads(client: httpx.AsyncClient, db: str) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    pdf = paths["/api/v1/invoices/{id}.pdf"]["get"]["responses"]["200"]["content"]
    assert set(pdf) == {"application/pdf"} and pdf["application/pdf"]["schema"]["type"] == "string"
    assert "application/xml" in paths["/api/v1/invoices/{id}.xml"]["get"]["responses"]["200"]["content"]
    zip_op = paths["/api/v1/invoice-documents.zip"]["get"]
    assert "application/zip" in zip_op["responses"]["200"]["content"]
    assert {p["name"] for p in zip_op["parameters"]} == {"period", "by"}
