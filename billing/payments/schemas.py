"""Request and response models of payment files, payments and finance's actions on them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field

from billing.money import MoneyIn
from billing.payments.models import AllocationSource, PaymentState
from core.http import Id


class ImportResult(BaseModel):
    file_id: int
    duplicate: bool = Field(
        description="true: this file (same bytes or same bank identity) was imported before; nothing was applied now"
    )
    format: str
    payments: int = 0
    matched: int = 0
    partial: int = 0
    needs_hands: int = 0
    duplicate_payments: int = 0
    total_amount: Decimal = Decimal("0.00")


class PaymentFileRead(BaseModel):
    id: int
    format: str
    sha256: str
    identity: str
    filename: str
    bankgiro: str
    test_file: bool
    payments: int
    duplicates: int
    total_amount: Decimal
    imported_by: str
    imported_at: dt.datetime


class PaymentFilePage(BaseModel):
    items: list[PaymentFileRead]
    next_cursor: str | None = None


class PaymentRead(BaseModel):
    id: int
    file_id: int
    payment_date: dt.date
    amount: Decimal
    unallocated: Decimal
    reference: str
    payer_name: str
    payer_organisation_number: str
    sender_bankgiro: str
    bank_serial: str
    invoice_id: int | None
    invoice_number: str | None = None
    state: PaymentState
    reason: str | None
    resolution_note: str | None
    resolved_by: str | None
    resolved_date: dt.date | None


class PaymentPage(BaseModel):
    items: list[PaymentRead]
    next_cursor: str | None = None


class PaymentQuery(BaseModel):
    state: PaymentState | None = None
    file_id: Id | None = None
    invoice_id: Id | None = None
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=100)


class FileQuery(BaseModel):
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=100)


class PaymentAssign(BaseModel):
    invoice_id: Id
    amount: MoneyIn | None = Field(None, description="default: what is unapplied, at most the invoice's balance")


class PaymentRefund(BaseModel):
    note: str = Field(min_length=1, max_length=2000, description="how the money was returned (or settled)")
    refund_date: dt.date | None = None


class AllocationRead(BaseModel):
    payment_id: int | None
    amount: Decimal
    source: AllocationSource
    booked_date: dt.date
    created_by: str


class InvoiceAccount(BaseModel):
    """An issued invoice's receivable: what it was, what credit notes and payments took off, what is open."""

    invoice_id: int
    number: str | None
    due_date: dt.date | None
    gross: Decimal
    credited: Decimal
    paid: Decimal
    open: Decimal
    paid_at: dt.datetime | None
    disputed: bool
    dispute_reason: str | None
    reminders_sent: int
    last_reminder_date: dt.date | None
    allocations: list[AllocationRead]


class DisputeSet(BaseModel):
    disputed: bool
    reason: str | None = Field(None, max_length=2000)


class CollectionTermsSet(BaseModel):
    """Whether the organisation agreed in advance to pay a reminder fee (lag om ersättning för
    inkassokostnader 2 §: only then may one be charged)."""

    reminder_fee_agreed: bool


class CollectionTermsRead(BaseModel):
    organisation_id: int
    reminder_fee_agreed: bool
    updated_by: str
