"""The walk-through's BgMax file: payments for issued, unpaid invoices, showing each outcome once — the first
invoice paid in full, the second in part, the third with 100 kr too much, and one payment with an OCR no
invoice has.

`seed-demo` invoices the month before last and issues those invoices today (`issue_and_pay_month`), then
writes `<TRIPDESK_DATA_DIR>/demo-bgmax.txt` paying them: a file ready to import the moment the demo starts,
while last month's and this month's time stay unbilled for the walk-through's own invoice run. The seed's file
is the same bytes for the same day (its write time is the payment day's noon), so writing it again cannot
make a second, different file of the same payments. `tripdesk demo-bgmax` writes such a file for whatever
issued invoices are open at the time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from billing import ledger, run_scope, runs
from billing.models import Invoice, InvoiceKind, InvoiceStatus
from billing.ocr import invoice_ocr
from billing.payments import bgmax
from billing.payments.balances import balances
from billing.payments.models import Payment
from billing.settings import get_billing_settings
from core.auth import Principal, Role
from support.timetracking.settings import business_today

DEMO_FILE = "demo-bgmax.txt"
SEEDER = Principal(token_id=0, name="demo seed", role=Role.finance)


async def open_invoices(limit: int = 3) -> list[Invoice]:
    return list(
        await Invoice.filter(
            kind=InvoiceKind.invoice, status=InvoiceStatus.issued, paid_at__isnull=True, gross_amount__gt=0
        )
        .order_by("id")
        .limit(limit)
    )


async def demo_bgmax_bytes(
    today: dt.date | None = None, *, invoices: list[Invoice] | None = None, written_at: str | None = None
) -> bytes | None:
    """Payments dated `today` for `invoices` (default: the first three open ones) of their open balance: in
    full, half, +100 kr; and 250 kr to an OCR no invoice has. The bank serials continue after the payments
    already recorded, so a later file is never taken for a repeat of an earlier one. None when there is
    nothing to pay."""
    today = today or business_today()
    candidates = (await open_invoices()) if invoices is None else invoices[:3]
    owed = await balances(candidates)
    invoices = [i for i in candidates if owed[i.id].open > 0]
    if not invoices:
        return None
    serial = await Payment.all().count()
    payments: list[tuple[str, Decimal, str]] = []
    for n, invoice in enumerate(invoices, start=1):
        due = owed[invoice.id].open
        amount = (due, (due / 2).quantize(Decimal("0.01")), due + Decimal("100"))[n - 1]
        payments.append((invoice.ocr or "", amount, f"{serial + n:012d}"))
    unknown_serial = f"{serial + len(invoices) + 1:012d}"
    unknown = invoice_ocr(series="F", year=today.year, sequence=99999)
    payments.append((unknown, Decimal("250.00"), unknown_serial))
    return bgmax.write(
        bankgiro=get_billing_settings().seller_bankgiro,
        payment_date=today,
        payments=payments,
        written_at=written_at or dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f"),
        names={unknown_serial: "Okänd Betalare AB"},
    )


def demo_path(data_dir: Path | None = None) -> Path:
    from support.settings import get_settings

    return (data_dir or get_settings().data_dir) / DEMO_FILE


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


async def write_demo_bgmax(out: Path | None = None) -> Path | None:
    data = await demo_bgmax_bytes()
    return None if data is None else _write(out or demo_path(), data)


async def issue_and_pay_month(
    *, start: dt.date, end: dt.date, today: dt.date, data_dir: Path | None = None
) -> dict[str, Any]:
    """Invoice the closed month `start`–`end`, issue its drafts today, and write the BgMax file paying them.
    Called once by the seed (which stops early when its data is present), so it never issues twice."""
    run = await runs.run_invoices(started_by=SEEDER.name, period_start=start, period_end=end)
    for invoice_id in await run_scope.open_drafts(start=start, end=end):
        await ledger.issue_draft(principal=SEEDER, invoice_id=invoice_id, issue_date=today)
    issued = list(await Invoice.filter(run_id=run.id, status=InvoiceStatus.issued, gross_amount__gt=0).order_by("id"))
    data = await demo_bgmax_bytes(today, invoices=issued, written_at=f"{today:%Y%m%d}120000000000")
    summary: dict[str, Any] = {"invoices_issued": len(issued)}
    if data is not None:
        summary["bgmax_sample"] = str(_write(demo_path(data_dir), data))
    return summary
