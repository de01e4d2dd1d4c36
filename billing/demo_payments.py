"""The walk-through's BgMax file: payments for the demo's issued, unpaid invoices, showing each outcome once —
the first invoice paid in full, the second in part, the third with 100 kr too much, and one payment with an
OCR no invoice has. Written to `<TRIPDESK_DATA_DIR>/demo-bgmax.txt` by `tripdesk demo-bgmax` (seed-demo leaves
time unbilled, so the invoices exist only after `tripdesk invoice-run --period YYYY-MM --issue`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from billing.models import Invoice, InvoiceKind, InvoiceStatus
from billing.ocr import invoice_ocr
from billing.payments import bgmax
from billing.settings import get_billing_settings

DEMO_FILE = "demo-bgmax.txt"


async def demo_bgmax_bytes(today: dt.date | None = None) -> bytes | None:
    today = today or dt.date.today()
    open_invoices = await Invoice.filter(kind=InvoiceKind.invoice, status=InvoiceStatus.issued,
                                         paid_at__isnull=True, gross_amount__gt=0).order_by("id").limit(3)
    if not open_invoices:
        return None
    payments: list[tuple[str, Decimal, str]] = []
    for n, invoice in enumerate(open_invoices):
        gross = Decimal(invoice.gross_amount)
        amount = (gross, (gross / 2).quantize(Decimal("0.01")), gross + Decimal("100"))[n]
        payments.append((invoice.ocr or "", amount, f"{invoice.id:012d}"))
    unknown = invoice_ocr(series="F", year=today.year, sequence=99999)
    payments.append((unknown, Decimal("250.00"), "999999999999"))
    return bgmax.write(bankgiro=get_billing_settings().seller_bankgiro, payment_date=today, payments=payments,
                       written_at=dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f"),
                       names={"999999999999": "Okänd Betalare AB"})


async def write_demo_bgmax(out: Path | None = None) -> Path | None:
    from support.settings import get_settings

    data = await demo_bgmax_bytes()
    if data is None:
        return None
    path = out or get_settings().data_dir / DEMO_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
