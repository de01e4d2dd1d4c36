"""Late-payment charges on the next invoice (a legal rule: räntelagen and lag om ersättning för
inkassokostnader). Off by default: interest with TRIPDESK_LATE_INTEREST, the reminder fee with
TRIPDESK_REMINDER_FEE above 0 and only for an organisation that agreed to it (`CollectionTerms`).

- Interest (räntelagen 6 §): the reference rate + 8 percentage points a year, simple interest for each day
  after the due date on what was then still owed (gross − credit notes − payments booked before that day,
  never the earlier late charges on the same invoice: no interest on interest), days × amount × rate / 365,
  rounded half-up to öre per line (billing/money.py). It accrues until the day the invoice is settled, or
  until the run's date while it stays unpaid. A disputed invoice is not charged while disputed; once the
  dispute is cleared (the customer owed the money after all) the days since the last charge are charged.
  Each day is charged once: a charge records the days it covered, and the next one starts after them.
- Reminder fee: the configured fee (at most 60 kr) once per reminder sent (billing/reminders.py).
- The charges only join an invoice the run makes anyway: they never make an invoice on their own.

Exactly once: computed and stored in the transaction that drafts the organisation's invoice, under the
organisation's row lock (billing/runs.py), and (late invoice, kind, seq) is unique, so a racing run's
transaction rolls back and its retry sees the charge. A discarded draft deletes its charges.

VAT: interest and a reminder fee are compensation for late payment, not consideration for a supply, so
they are outside the scope of VAT (no VAT is charged on them). See `billing.vat.late_charge_vat` for the
category they carry on the document.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from billing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus
from billing.money import ZERO, round_amount
from billing.payments.models import CollectionTerms, InvoiceCollection, LateCharge, LateChargeKind, PaymentAllocation
from billing.payments.settings import CollectionSettings, get_collection_settings
from support.models import Organisation
from support.timetracking.settings import business_date

TEXTS = {
    "sv": {
        "late_interest": "Dröjsmålsränta {rate} % på faktura {number}, {start} – {end}",
        "reminder_fee": "Påminnelseavgift, påminnelse {step} för faktura {number}",
    },
    "en": {
        "late_interest": "Late-payment interest {rate} % on invoice {number}, {start} – {end}",
        "reminder_fee": "Reminder fee, reminder {step} for invoice {number}",
    },
}


@dataclass
class DueLateCharge:
    late_invoice_id: int
    reference: str  # the late invoice's number
    kind: LateChargeKind
    seq: int
    amount: Decimal
    description: str
    from_date: dt.date | None = None
    until_date: dt.date | None = None
    rate: Decimal | None = None

    @property
    def charge(self) -> str:
        return self.kind.value


def accrued_interest(
    *, owed: Decimal, changes: list[tuple[dt.date, Decimal]], after: dt.date, until: dt.date, rate_percent: Decimal
) -> Decimal:
    """Interest for the days after `after` up to and including `until` on `owed`, lowered by each (day,
    amount) change from that day's end on (a payment on day d still counts day d, as paying on the due date
    owes nothing). Rounded once, to öre."""
    balance = owed - sum((a for d, a in changes if d <= after), ZERO)
    day_amounts = ZERO
    cursor = after
    for day, change in sorted((d, a) for d, a in changes if after < d <= until):
        day_amounts += max(balance, ZERO) * (day - cursor).days
        balance -= change
        cursor = day
    day_amounts += max(balance, ZERO) * max((until - cursor).days, 0)
    return round_amount(day_amounts * rate_percent / Decimal(100) / Decimal(365))


async def due_late_charges(
    *, organisation: Organisation, end: dt.date, settings: CollectionSettings | None = None
) -> list[DueLateCharge]:
    """The organisation's late charges not yet charged, for the days up to the run's period end (today at the
    latest, in TRIPDESK_TIMEZONE) (module docstring)."""
    settings = settings or get_collection_settings()
    as_of = min(end, business_date(dt.datetime.now(dt.UTC)))
    fee_agreed = settings.reminder_fee > 0 and await CollectionTerms.exists(
        organisation_id=organisation.id, reminder_fee_agreed=True
    )
    if not settings.late_interest and not fee_agreed:
        return []
    invoices = await Invoice.filter(
        organisation_id=organisation.id,
        kind=InvoiceKind.invoice,
        status=InvoiceStatus.issued,
        gross_amount__gt=0,
        due_date__lt=as_of,
    ).order_by("id")
    if not invoices:
        return []
    ids = [i.id for i in invoices]
    charged: dict[tuple[int, str], list[LateCharge]] = defaultdict(list)
    for row in await LateCharge.filter(late_invoice_id__in=ids).order_by("seq"):
        charged[(row.late_invoice_id, str(row.kind))].append(row)
    states = {c.invoice_id: c for c in await InvoiceCollection.filter(invoice_id__in=ids)}
    texts = TEXTS.get(str(organisation.language or "sv"), TEXTS["sv"])
    due: list[DueLateCharge] = []
    for invoice in invoices:
        state = states.get(invoice.id) or InvoiceCollection(invoice_id=invoice.id)
        if settings.late_interest and not state.disputed:
            charge = await _interest(
                invoice,
                charged[(invoice.id, LateChargeKind.late_interest.value)],
                as_of,
                settings.interest_rate,
                texts["late_interest"],
            )
            if charge is not None:
                due.append(charge)
        if fee_agreed:
            fees = charged[(invoice.id, LateChargeKind.reminder_fee.value)]
            for step in range(len(fees) + 1, state.reminders_sent + 1):
                due.append(
                    DueLateCharge(
                        invoice.id,
                        invoice.number or "",
                        LateChargeKind.reminder_fee,
                        step,
                        settings.reminder_fee,
                        texts["reminder_fee"].format(step=step, number=invoice.number),
                    )
                )
    return due


async def _interest(
    invoice: Invoice, earlier: list[LateCharge], as_of: dt.date, rate: Decimal, text: str
) -> DueLateCharge | None:
    assert invoice.due_date is not None
    after = max([invoice.due_date] + [c.until_date for c in earlier if c.until_date is not None])
    until = as_of
    if invoice.paid_at is not None:
        until = min(until, invoice.paid_at.date())
    if until <= after:
        return None
    credited = sum(
        (
            Decimal(g)
            for g in await Invoice.filter(
                corrects_id=invoice.id, kind=InvoiceKind.credit_note, status=InvoiceStatus.issued
            ).values_list("gross_amount", flat=True)
        ),
        ZERO,
    )
    own_charges = sum(
        (
            Decimal(a)
            for a in await InvoiceLine.filter(invoice_id=invoice.id, charge__isnull=False).values_list(
                "amount", flat=True
            )
        ),
        ZERO,
    )
    payments = [
        (d, Decimal(a))
        for d, a in await PaymentAllocation.filter(invoice_id=invoice.id).values_list("booked_date", "amount")
    ]
    # a payment pays the principal first, in the customer's favour: interest runs on the principal still owed
    amount = accrued_interest(
        owed=Decimal(invoice.gross_amount) - credited - own_charges,
        changes=payments,
        after=after,
        until=until,
        rate_percent=rate,
    )
    if amount <= 0:
        return None
    return DueLateCharge(
        invoice.id,
        invoice.number or "",
        LateChargeKind.late_interest,
        len(earlier) + 1,
        amount,
        text.format(
            rate=format(rate.normalize(), "f"),
            number=invoice.number,
            start=(after + dt.timedelta(days=1)).isoformat(),
            end=until.isoformat(),
        ),
        from_date=after + dt.timedelta(days=1),
        until_date=until,
        rate=rate,
    )


async def release_late_charges(*, invoice_id: int) -> None:
    """A discarded draft gives its late charges back to the next run."""
    await LateCharge.filter(invoice_id=invoice_id).delete()
