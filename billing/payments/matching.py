"""What one incoming payment does to the invoice its reference names (a rule, decided without the database).

- The reference must be a valid OCR (Luhn mod 10 and length digit, billing/ocr.py) of an issued invoice
  (not a credit note); otherwise the whole payment waits for finance: `no_reference`, `invalid_ocr`,
  `unknown_ocr`.
- Up to the open balance is applied: the whole payment when it is no more than the balance (a partial payment
  leaves the rest open); the balance when it is more (`overpaid`: the excess waits for finance).
- Nothing is applied to an invoice with nothing open: `invoice_credited` (credit notes cover it) or
  `invoice_paid` (a duplicate or late payment).
- A deduction (TK21) or a payment split over several references (TK22/23) always waits for finance.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from billing.ocr import is_valid_ocr
from billing.payments.balances import Balance


@dataclass(frozen=True)
class Decision:
    apply: Decimal  # to the invoice
    remainder: Decimal  # waits for finance
    reason: str | None  # why something waits (None: fully applied)


def needs_invoice(reference: str, *, kind: str, extra_references: int) -> str | None:
    """Why the payment cannot be matched before any invoice is looked up, or None to look it up by OCR."""
    if kind == "deduction":
        return "deduction"
    if extra_references:
        return "several_references"
    if not reference:
        return "no_reference"
    if not is_valid_ocr(reference):
        return "invalid_ocr"
    return None


def decide(amount: Decimal, balance: Balance | None) -> Decision:
    if balance is None:
        return Decision(apply=Decimal("0.00"), remainder=amount, reason="unknown_ocr")
    if balance.open <= 0:
        reason = "invoice_credited" if balance.fully_credited else "invoice_paid"
        return Decision(apply=Decimal("0.00"), remainder=amount, reason=reason)
    if amount <= balance.open:
        return Decision(apply=amount, remainder=Decimal("0.00"), reason=None)
    return Decision(apply=balance.open, remainder=amount - balance.open, reason="overpaid")
