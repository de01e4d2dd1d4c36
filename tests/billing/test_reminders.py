"""Reminders: each step once, on schedule, with the invoice PDF attached, in the outbox and in the invoice's
history; never for a credited, disputed or paid invoice. And the ageing of what is still open."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from typing import cast

import httpx
import pytest

from billing import credits, schemas
from billing.models import Invoice
from billing.payments import schemas as pay_schemas
from billing.payments.collection import set_collection_terms, set_dispute
from billing.payments.settings import get_collection_settings
from billing.reminders import ageing, bucket, interest, send_reminders
from notifications.models import OutboxAttachment, OutboxMessage
from notifications.templating import render
from support.models import AuditEvent
from tests import factories
from tests.billing import builders as b
from tests.billing.payment_world import issued_invoices, pay
from tests.factories import bearer

KEEP_ISSUE_HOOKS = True  # the reminder attaches the PDF rendered at issue


async def world() -> tuple[list[Invoice], dt.date]:
    unpaid, credited, disputed, partial, paid = await issued_invoices([60, 60, 60, 120, 30])
    await credits.credit_invoice(
        principal=b.FINANCE, invoice_id=credited.id, data=schemas.CreditCreate(reason="Fel organisation")
    )
    await set_dispute(
        principal=b.FINANCE,
        invoice_id=disputed.id,
        data=pay_schemas.DisputeSet(disputed=True, reason="Kunden bestrider timmarna"),
    )
    from billing import ledger

    await ledger.mark_paid(principal=b.FINANCE, invoice_id=paid.id, data=schemas.MarkPaid())
    await pay(partial, Decimal("1000.00"), on=dt.date(2026, 3, 1))
    assert unpaid.due_date is not None
    return [unpaid, credited, disputed, partial, paid], unpaid.due_date


async def test_reminders_once_per_step_never_for_credited_or_disputed(db: str) -> None:
    (unpaid, credited, disputed, partial, paid), due = await world()
    settings = get_collection_settings()
    assert (settings.reminder_after_days, settings.reminder_interval_days, settings.reminder_max) == (7, 14, 2)

    assert (await send_reminders(as_of=due + dt.timedelta(days=6))).sent == []
    first = await send_reminders(as_of=due + dt.timedelta(days=7))
    assert sorted(cast(int, s["invoice_id"]) for s in first.sent) == sorted([unpaid.id, partial.id])
    assert {s["reason"] for s in first.skipped} == {"disputed", "fully_credited"}
    assert (await send_reminders(as_of=due + dt.timedelta(days=7))).sent == []  # same day again: nothing
    assert (await send_reminders(as_of=due + dt.timedelta(days=20))).sent == []  # interval not yet over
    second = await send_reminders(as_of=due + dt.timedelta(days=21))
    assert sorted((s["invoice_id"], s["step"]) for s in second.sent) == sorted([(unpaid.id, 2), (partial.id, 2)])
    assert (await send_reminders(as_of=due + dt.timedelta(days=90))).sent == []  # at most two

    reminders = await OutboxMessage.filter(template="invoice_reminder").order_by("id")
    assert sorted(m.dedupe_key for m in reminders) == sorted(
        f"invoice:{i}:reminder:{n}" for i in (unpaid.id, partial.id) for n in (1, 2)
    )
    for message in reminders:
        attachments = await OutboxAttachment.filter(message_id=message.id)
        assert [a.content_type for a in attachments] == ["application/pdf"]
        assert bytes(attachments[0].data).startswith(b"%PDF")
    for invoice_id in (unpaid.id, partial.id):
        history = await AuditEvent.filter(
            subject_type="invoice", subject_id=invoice_id, action="invoice.reminder_sent"
        ).order_by("id")
        assert [(e.data or {})["step"] for e in history] == [1, 2]
    for invoice_id in (credited.id, disputed.id, paid.id):
        assert not await AuditEvent.exists(subject_id=invoice_id, action="invoice.reminder_sent")
        assert not await OutboxMessage.exists(dedupe_key__startswith=f"invoice:{invoice_id}:reminder:")

    partial_first = next(m for m in reminders if m.dedupe_key == f"invoice:{partial.id}:reminder:1")
    assert partial_first.context is not None
    email = render("invoice_reminder", partial_first.language, partial_first.context)
    text = email.text
    assert email.subject.startswith("Påminnelse 1: faktura " + (partial.number or ""))
    open_amount = Decimal(partial.gross_amount) - Decimal("1000.00")
    assert f"{open_amount:.2f}".replace(".", ",") in text.replace("\u00a0", "").replace(" ", "")
    assert partial.ocr is not None
    assert partial.ocr in text


async def test_reminder_states_interest_when_enabled(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIPDESK_LATE_INTEREST", "true")
    monkeypatch.setenv("TRIPDESK_REMINDER_FEE", "60")
    get_collection_settings.cache_clear()
    try:
        (unpaid, *_), due = await world()
        await set_collection_terms(
            principal=b.FINANCE,
            organisation_id=unpaid.organisation_id,
            data=pay_schemas.CollectionTermsSet(reminder_fee_agreed=True),
        )
        run = await send_reminders(as_of=due + dt.timedelta(days=10))
        assert unpaid.id in {s["invoice_id"] for s in run.sent}
        event = await AuditEvent.get(subject_id=unpaid.id, action="invoice.reminder_sent")
        expected = interest(Decimal(unpaid.gross_amount), due, due + dt.timedelta(days=10), Decimal("10.00"))
        assert event.data is not None
        assert event.data["interest"] == str(expected) and event.data["fee"] == "60.00"
        # a fee is stated only to an organisation that agreed to it
        other = await AuditEvent.filter(action="invoice.reminder_sent").exclude(subject_id=unpaid.id).first()
        assert other is not None and other.data is not None and other.data["fee"] == ""
        assert expected == (Decimal(unpaid.gross_amount) * Decimal("0.10") * 10 / 365).quantize(Decimal("0.01"))
    finally:
        get_collection_settings.cache_clear()


async def test_ageing_buckets(client: httpx.AsyncClient, db: str) -> None:
    (unpaid, credited, disputed, partial, paid), due = await world()
    assert [bucket(d) for d in (-3, 0, 1, 30, 31, 60, 61, 90, 91)] == [
        "not_due",
        "not_due",
        "0-30",
        "0-30",
        "31-60",
        "31-60",
        "61-90",
        "61-90",
        "90+",
    ]
    report = await ageing(as_of=due + dt.timedelta(days=45))
    assert isinstance(report["items"], list)
    items = {i["invoice_id"]: i for i in report["items"]}
    assert set(items) == {unpaid.id, disputed.id, partial.id}  # credited and paid have nothing open
    assert items[partial.id]["open"] == Decimal(partial.gross_amount) - Decimal("1000.00")
    assert {i["bucket"] for i in items.values()} == {"31-60"}
    response = await client.get(
        "/api/v1/receivables/ageing",
        params={"as_of": str(due + dt.timedelta(days=95))},
        headers=bearer(await factories.token("finance")),
    )
    assert response.status_code == 200
    buckets = {row["bucket"]: row for row in response.json()["buckets"]}
    assert buckets["90+"]["count"] == 3 and buckets["0-30"]["count"] == 0
    assert Decimal(buckets["90+"]["open"]) == sum(Decimal(i["open"]) for i in items.values())


@pytest.mark.postgres_only
async def test_racing_reminder_runs_send_each_step_once(db: str) -> None:
    (unpaid, *_), due = await world()
    await asyncio.gather(*(send_reminders(as_of=due + dt.timedelta(days=8)) for _ in range(5)))
    assert await OutboxMessage.filter(template="invoice_reminder").count() == 2
    assert await AuditEvent.filter(action="invoice.reminder_sent").count() == 2
