"""What is still owed on an issued invoice: gross − issued credit notes − payments applied. Reads only.

A credit note lowers what the customer owes; a payment allocation (billing/payments/models.py) records what
was paid. An invoice whose open balance is zero is settled (`paid_at` set by the ledger's `record_payment`),
or fully credited when the credit notes alone bring it to zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from billing.models import Invoice, InvoiceKind, InvoiceStatus
from billing.money import ZERO
from billing.payments.models import PaymentAllocation


@dataclass(frozen=True)
class Balance:
    gross: Decimal
    credited: Decimal
    paid: Decimal

    @property
    def open(self) -> Decimal:
        return self.gross - self.credited - self.paid

    @property
    def fully_credited(self) -> bool:
        return self.credited > ZERO and self.credited >= self.gross


async def balances(invoices: Iterable[Invoice]) -> dict[int, Balance]:
    """Balances of issued invoices (two queries, whatever their number)."""
    rows = {i.id: i for i in invoices}
    if not rows:
        return {}
    credited: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for corrects_id, gross in await Invoice.filter(
        corrects_id__in=list(rows), kind=InvoiceKind.credit_note, status=InvoiceStatus.issued
    ).values_list("corrects_id", "gross_amount"):
        credited[corrects_id] += Decimal(gross)
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for invoice_id, amount in await PaymentAllocation.filter(invoice_id__in=list(rows)).values_list(
        "invoice_id", "amount"
    ):
        paid[invoice_id] += Decimal(amount)
    return {i: Balance(gross=Decimal(inv.gross_amount), credited=credited[i], paid=paid[i]) for i, inv in rows.items()}


async def balance_of(invoice: Invoice) -> Balance:
    return (await balances([invoice]))[invoice.id]
