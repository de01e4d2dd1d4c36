"""The issued invoice or credit note, frozen: everything a document needs, nothing looked up later.

At issue, billing builds an `InvoiceSnapshot` and stores it as JSON on the invoice row; from then on the
PDF, the Peppol UBL file, the email and any re-rendering use only this snapshot (Bokföringslagen: the
document must not change when the customer's address or a rate card changes later).

Amounts are Decimal with 2 decimals. A credit note carries positive amounts (as UBL CreditNote does);
renderers show them as a credit. `corrects` names the invoice a credit note corrects.

An invoice whose lines were all drawn from prepaid hours totals 0: it documents the delivery (numbered in
the invoice series, archived like any invoice) but asks for no payment: no OCR reference, no payment slip
(`nothing_to_pay`). `prepaid` states, per package drawn, the hours drawn on this invoice and those left.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class DocumentKind(StrEnum):
    invoice = "invoice"
    credit_note = "credit_note"


class Party(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country_code: str = "SE"
    organisation_number: str | None = None  # 10 digits, e.g. "5560360793" (no dash)
    vat_number: str | None = None  # e.g. "SE556036079301"
    email: str | None = None
    contact_name: str | None = None


class Seller(Party):
    f_skatt: bool = True  # "Godkänd för F-skatt"
    bankgiro: str = ""  # e.g. "5050-1055"
    phone: str | None = None
    website: str | None = None
    late_payment_interest: str = "Dröjsmålsränta enligt räntelagen (referensränta + 8 procentenheter)."
    late_payment_interest_en: str = "Late payment interest per the Swedish Interest Act (reference rate + 8 pp)."


class TimeEntryLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    entry_id: int
    work_date: dt.date
    staff_name: str
    minutes: int  # as worked
    hours: Decimal  # as billed (rounded up to the increment)
    description: str
    category: str  # the category in force when the work was done


class InvoiceLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    line_no: int
    ticket_id: int | None  # None: a subscription line (time-free, no entries)
    ticket_number: str  # a subscription line: the licence reference "LIC-00012"
    description: str  # "SUP-2026-00042 Token refresh fails"
    category: str  # a subscription line: "subscription"
    quantity: Decimal  # hours, 4 dp (a subscription line: 1, or −1 for a credit)
    unit: str = "HUR"  # UN/ECE rec 20: hour (C62 "one" for a subscription line)
    unit_price: Decimal  # SEK per hour ex VAT
    amount: Decimal  # quantity × unit price, rounded half-up to öre
    vat_category: str = "S"  # S standard, AE reverse charge, O not subject to VAT
    vat_rate: Decimal = Decimal("25")
    prepaid_hours_drawn: Decimal = Decimal("0")
    entries: list[TimeEntryLine] = []


class VatBreakdown(BaseModel):
    model_config = ConfigDict(frozen=True)

    category: str  # S, AE or O
    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal


class Totals(BaseModel):
    model_config = ConfigDict(frozen=True)

    net: Decimal  # sum of line amounts (LineExtensionAmount)
    vat: Decimal
    gross: Decimal  # net + vat (TaxInclusiveAmount)
    payable: Decimal


class CorrectedInvoice(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: str
    issue_date: dt.date


class PrepaidBalance(BaseModel):
    model_config = ConfigDict(frozen=True)

    package: str  # the package's name ("Klippkort 2026")
    valid_until: dt.date
    drawn_hours: Decimal  # drawn by this invoice
    remaining_hours: Decimal  # left in the package after this invoice


class InvoiceSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: DocumentKind
    invoice_id: int
    number: str  # e.g. "F2026-00017" or "K2026-00003"
    issue_date: dt.date
    due_date: dt.date
    period_start: dt.date
    period_end: dt.date
    currency: str = "SEK"
    language: str = "sv"  # buyer's language: "sv" or "en"
    ocr: str | None = None  # OCR reference with Luhn check digit; none when nothing to pay
    buyer_reference: str  # BT-10, mandatory in Peppol
    your_reference: str | None = None  # "Er referens"
    our_reference: str | None = None  # "Vår referens"
    seller: Seller
    buyer: Party
    reverse_charge: bool = False
    lines: list[InvoiceLine]
    vat: list[VatBreakdown]
    totals: Totals
    corrects: CorrectedInvoice | None = None
    note: str | None = None
    prepaid: list[PrepaidBalance] = []

    @property
    def nothing_to_pay(self) -> bool:
        """An invoice (not a credit note) of 0: no payment is asked for."""
        return self.kind == DocumentKind.invoice and self.totals.payable == 0
