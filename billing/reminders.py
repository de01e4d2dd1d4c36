"""Payment reminders (påminnelser) and the ageing of receivables.

The rule: an issued invoice with something open, not disputed, gets reminder 1 when it is
`reminder_after_days` past due, and reminder n+1 `reminder_interval_days` after reminder n, up to
`reminder_max` reminders. A fully credited or paid invoice has nothing open and is never reminded. Each step is
sent once: the invoice row is locked while deciding, the outbox row's dedupe key is `invoice:{id}:reminder:{n}`,
and the step is recorded on the invoice (collection state) and in its history (audit event
`invoice.reminder_sent`) in the same transaction as the email.

Late-payment interest (räntelagen 6 §: the reference rate + 8 percentage points, per day since the due date)
and a reminder fee (at most 60 kr, and only where agreed) are off by default; when on they are stated in the
reminder, and the next invoice run charges them (billing/payments/late_charges.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from tortoise.transactions import in_transaction

from billing.hooks import reminder_sender
from billing.models import Invoice, InvoiceKind, InvoiceStatus
from billing.money import ZERO, money_str, round_amount
from billing.payments.balances import balance_of, balances
from billing.payments.collection import collection_of
from billing.payments.models import CollectionTerms
from billing.payments.settings import CollectionSettings, get_collection_settings
from support import audit
from support.models import Organisation
from support.timetracking.settings import business_today

log = logging.getLogger("tripdesk.billing.reminders")


@dataclass
class ReminderRun:
    as_of: dt.date
    sent: list[dict[str, object]] = field(default_factory=list)
    skipped: list[dict[str, object]] = field(default_factory=list)


def interest(open_amount: Decimal, due: dt.date, as_of: dt.date, rate_percent: Decimal) -> Decimal:
    """Simple interest on the open amount for the days since the due date (365-day year)."""
    days = max((as_of - due).days, 0)
    return round_amount(open_amount * rate_percent / Decimal(100) * Decimal(days) / Decimal(365))


def step_due(*, due: dt.date, sent: int, last: dt.date | None, as_of: dt.date, settings: CollectionSettings) -> bool:
    if sent >= settings.reminder_max:
        return False
    if sent == 0:
        return as_of >= due + dt.timedelta(days=settings.reminder_after_days)
    return last is not None and as_of >= last + dt.timedelta(days=settings.reminder_interval_days)


async def send_reminders(*, as_of: dt.date | None = None, actor: str = "tripdesk send-reminders") -> ReminderRun:
    """Send every reminder step that is due on `as_of` (default today). Safe to run concurrently and often."""
    settings = get_collection_settings()
    as_of = as_of or business_today()
    result = ReminderRun(as_of=as_of)
    last_due = as_of - dt.timedelta(days=settings.reminder_after_days)
    candidates = (
        await Invoice.filter(
            kind=InvoiceKind.invoice, status=InvoiceStatus.issued, paid_at__isnull=True, due_date__lte=last_due
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    for invoice_id in candidates:
        await _remind_one(int(invoice_id), as_of, settings, actor, result)  # type: ignore[call-overload]
    return result


async def _remind_one(
    invoice_id: int, as_of: dt.date, settings: CollectionSettings, actor: str, result: ReminderRun
) -> None:
    async with in_transaction():
        invoice = await Invoice.filter(id=invoice_id).select_for_update().first()
        if invoice is None or invoice.due_date is None or invoice.paid_at is not None:
            return
        state = await collection_of(invoice.id)
        balance = await balance_of(invoice)
        why = (
            "disputed"
            if state.disputed
            else "fully_credited"
            if balance.fully_credited
            else "nothing_open"
            if balance.open <= 0
            else None
        )
        if why is not None:
            result.skipped.append({"invoice_id": invoice.id, "number": invoice.number, "reason": why})
            return
        if not step_due(
            due=invoice.due_date,
            sent=state.reminders_sent,
            last=state.last_reminder_date,
            as_of=as_of,
            settings=settings,
        ):
            return
        step = state.reminders_sent + 1
        charged = (
            interest(balance.open, invoice.due_date, as_of, settings.interest_rate) if settings.late_interest else ZERO
        )
        fee = (
            settings.reminder_fee
            if settings.reminder_fee
            and await CollectionTerms.exists(organisation_id=invoice.organisation_id, reminder_fee_agreed=True)
            else ZERO
        )
        facts = {
            "step": str(step),
            "open": str(balance.open),
            "interest": str(charged) if charged else "",
            "interest_rate": str(settings.interest_rate),
            "fee": money_str(fee) if fee else "",
            "as_of": as_of.isoformat(),
        }
        sender = reminder_sender()
        if sender is None or not await sender(invoice, step, facts):
            result.skipped.append({"invoice_id": invoice.id, "number": invoice.number, "reason": "no_recipient"})
            return
        state.reminders_sent = step
        state.last_reminder_date = as_of
        await state.save(update_fields=["reminders_sent", "last_reminder_date"])
        await audit.record(
            principal=None,
            actor=actor,
            action="invoice.reminder_sent",
            subject_type="invoice",
            subject_id=invoice.id,
            data={**facts, "step": step},
        )
        result.sent.append({"invoice_id": invoice.id, "number": invoice.number, "step": step, "open": balance.open})


# Ageing ---------------------------------------------------------------------------------------------------

BUCKETS = ("not_due", "0-30", "31-60", "61-90", "90+")


def bucket(days_overdue: int) -> str:
    if days_overdue <= 0:
        return "not_due"
    if days_overdue <= 30:
        return "0-30"
    if days_overdue <= 60:
        return "31-60"
    return "61-90" if days_overdue <= 90 else "90+"


async def ageing(*, as_of: dt.date | None = None, organisation_id: int | None = None) -> dict[str, object]:
    """Open receivables by days overdue on `as_of`: totals per bucket and the invoices behind them."""
    as_of = as_of or business_today()
    query = Invoice.filter(kind=InvoiceKind.invoice, status=InvoiceStatus.issued, paid_at__isnull=True)
    if organisation_id is not None:
        query = query.filter(organisation_id=organisation_id)
    invoices = await query.order_by("due_date", "id")
    open_by_id = {i: b.open for i, b in (await balances(invoices)).items()}
    names = (
        dict(await Organisation.filter(id__in={i.organisation_id for i in invoices}).values_list("id", "name"))
        if invoices
        else {}
    )
    counts = dict.fromkeys(BUCKETS, 0)
    sums = dict.fromkeys(BUCKETS, ZERO)
    items = []
    for invoice in invoices:
        open_amount = open_by_id[invoice.id]
        if open_amount <= 0 or invoice.due_date is None:
            continue
        days = (as_of - invoice.due_date).days
        name = bucket(days)
        counts[name] += 1
        sums[name] += open_amount
        items.append(
            {
                "invoice_id": invoice.id,
                "number": invoice.number,
                "organisation_id": invoice.organisation_id,
                "organisation_name": names.get(invoice.organisation_id),
                "due_date": invoice.due_date,
                "days_overdue": max(days, 0),
                "bucket": name,
                "open": open_amount,
            }
        )
    return {
        "as_of": as_of,
        "buckets": [{"bucket": n, "count": counts[n], "open": sums[n]} for n in BUCKETS],
        "items": items,
        "total_open": sum(sums.values(), ZERO),
    }
