"""Request and response models of the billing API. Money is validated here, before the ORM (which would
silently round extra digits and accept floats): strings or integers only, at most öre precision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from billing.models import CeilingKind, InvoiceKind, InvoiceStatus
from billing.money import HoursIn, MoneyIn, RateIn
from core.http import MAX_ID, Id
from core.pagination import PageQuery
from core.schemas import Strict
from support.policy import Category

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


def _check_range(start: dt.date | None, end: dt.date | None, what: str) -> None:
    if start is not None and end is not None and end < start:
        raise ValueError(f"{what}: the end date is before the start date")


# Rate cards ------------------------------------------------------------------------------------------


class RateCardCreate(Strict):
    name: Text200
    organisation_id: int | None = Field(None, ge=1, le=MAX_ID, description="null: the default card")
    valid_from: dt.date
    valid_until: dt.date | None = Field(None, description="inclusive; null: open-ended")
    rates: dict[Category, RateIn] = Field(
        description="SEK per hour ex VAT, per category; a category without a rate cannot be invoiced under this card"
    )

    @model_validator(mode="after")
    def _valid(self) -> Self:
        _check_range(self.valid_from, self.valid_until, "validity")
        if not self.rates:
            raise ValueError("a rate card needs at least one rate")
        if Category.unofficial in self.rates:
            raise ValueError("unofficial integrations are never billed; they have no rate")
        return self


class RateCardUpdate(Strict):
    valid_until: dt.date | None = Field(description="new last day of validity (inclusive); null: open-ended")


class RateCardRead(BaseModel):
    id: int
    name: str
    organisation_id: int | None
    valid_from: dt.date
    valid_until: dt.date | None
    rates: dict[str, Decimal]
    in_use: bool = False


class RateCardQuery(PageQuery):
    organisation_id: int | None = Field(None, ge=1, le=MAX_ID)
    default: bool | None = None
    valid_on: dt.date | None = None


class RateCardPage(BaseModel):
    items: list[RateCardRead]
    next_cursor: str | None = None


class RateQuote(BaseModel):
    organisation_id: int | None
    category: Category
    work_date: dt.date
    hourly_rate: Decimal | None
    rate_card: str | None


class RateQuoteQuery(Strict):
    organisation_id: int | None = Field(None, ge=1, le=MAX_ID)
    category: Category
    work_date: dt.date | None = None


# Prepaid hours ------------------------------------------------------------------------------------------


class PrepaidCreate(Strict):
    name: Text200
    hours: HoursIn
    valid_from: dt.date
    valid_until: dt.date

    @model_validator(mode="after")
    def _valid(self) -> Self:
        _check_range(self.valid_from, self.valid_until, "validity")
        return self


class PrepaidRead(BaseModel):
    id: int
    organisation_id: int
    name: str
    hours: Decimal
    used_hours: Decimal
    remaining_hours: Decimal
    valid_from: dt.date
    valid_until: dt.date
    active_today: bool


class PrepaidSummary(BaseModel):
    organisation_id: int
    remaining_hours_today: Decimal
    packages: list[PrepaidRead]


# Cost ceilings ------------------------------------------------------------------------------------------


class CeilingSet(Strict):
    kind: CeilingKind
    limit: MoneyIn = Field(description="hours (kind hours) or SEK ex VAT (kind amount), at most 2 decimals")

    @model_validator(mode="after")
    def _positive(self) -> Self:
        if self.limit <= 0:
            raise ValueError("a ceiling must be above zero")
        return self


class CeilingApprove(Strict):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class CeilingRead(BaseModel):
    ticket_id: int
    kind: CeilingKind
    limit: Decimal
    used: Decimal
    reached: bool
    held_entry_ids: list[int]
    set_by: str
    set_at: dt.datetime
    approved_at: dt.datetime | None
    approved_by: str | None


# Reports ------------------------------------------------------------------------------------------------


class TimeReportQuery(Strict):
    period_start: dt.date
    period_end: dt.date
    organisation_id: int | None = Field(None, ge=1, le=MAX_ID)
    format: Literal["json", "csv"] = "json"

    @model_validator(mode="after")
    def _valid(self) -> Self:
        _check_range(self.period_start, self.period_end, "period")
        if (self.period_end - self.period_start).days > 3 * 366:
            raise ValueError("a report covers at most three years")
        return self


class TimeReportRow(BaseModel):
    organisation_id: int
    organisation_name: str
    category: str
    month: str
    staff_id: int
    staff_name: str
    entries: int
    worked_hours: Decimal
    billable_hours: Decimal
    free_hours: Decimal
    prepaid_hours: Decimal
    invoiced_hours: Decimal
    amount: Decimal


class TimeReport(BaseModel):
    period_start: dt.date
    period_end: dt.date
    organisation_id: int | None
    rows: list[TimeReportRow]
    totals: dict[str, Decimal]


# Invoice runs and invoices --------------------------------------------------------------------------------


class InvoiceRunCreate(Strict):
    period_start: dt.date
    period_end: dt.date
    allow_open_period: bool = Field(
        False,
        description="a period that has not ended yet (today or later in the business time zone) is "
        "refused (422 period_not_finished) unless this is true",
    )

    @model_validator(mode="after")
    def _valid(self) -> Self:
        _check_range(self.period_start, self.period_end, "period")
        if (self.period_end - self.period_start).days > 366:
            raise ValueError("an invoice run covers at most one year")
        return self


class InvoiceSummary(BaseModel):
    id: int
    kind: InvoiceKind
    status: InvoiceStatus
    organisation_id: int
    organisation_name: str | None = None
    number: str | None
    period_start: dt.date
    period_end: dt.date
    issue_date: dt.date | None
    due_date: dt.date | None
    net_amount: Decimal
    vat_amount: Decimal
    gross_amount: Decimal
    reverse_charge: bool
    corrects_id: int | None
    paid_at: dt.datetime | None
    created_at: dt.datetime


class InvoiceRunRead(BaseModel):
    id: int
    period_start: dt.date
    period_end: dt.date
    started_by: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: Literal["running", "finished", "abandoned"] = Field(
        description="abandoned: the process stopped before it finished (counts are what it did)"
    )
    heartbeat_at: dt.datetime | None = None
    organisations_considered: int
    organisations_done: int = 0
    invoices_created: int
    skipped: list[dict[str, object]]
    invoices: list[InvoiceSummary]


class LineEntryRead(BaseModel):
    time_entry_id: int
    work_date: dt.date
    staff_name: str
    minutes: int
    hours: Decimal
    prepaid_hours: Decimal
    description: str
    category: str


class InvoiceLineRead(BaseModel):
    id: int
    line_no: int
    ticket_id: int | None = Field(description="null: a subscription line (ticket_number is the licence)")
    ticket_number: str
    description: str
    category: str | None
    unit: str = "HUR"
    rate_card: str
    quantity: Decimal
    total_hours: Decimal
    prepaid_hours: Decimal
    unit_price: Decimal
    amount: Decimal
    vat_category: str
    vat_rate: Decimal
    credited_line_id: int | None
    credited_by_line_id: int | None = None
    entry_ids: list[int]
    entries: list[LineEntryRead]


class InvoiceRead(InvoiceSummary):
    ocr: str | None
    currency: str
    note: str | None
    your_reference: str | None
    reason: str | None
    issued_at: dt.datetime | None
    lines: list[InvoiceLineRead]
    credit_note_ids: list[int] = []
    snapshot: dict[str, object] | None = None


class InvoiceQuery(PageQuery):
    period_start: dt.date | None = Field(None, description="invoices whose period ends on or after this date")
    period_end: dt.date | None = Field(None, description="invoices whose period starts on or before this date")
    organisation_id: int | None = Field(None, ge=1, le=MAX_ID)
    status: InvoiceStatus | None = None
    kind: InvoiceKind | None = None
    unpaid: bool | None = Field(None, description="true: issued invoices not yet marked paid")


class InvoicePage(BaseModel):
    items: list[InvoiceSummary]
    next_cursor: str | None = None


class InvoiceUpdate(Strict):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    your_reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None


class CreditCreate(Strict):
    line_ids: list[Id] | None = Field(
        None, min_length=1, max_length=1000, description="lines to credit; omitted: every line not yet credited"
    )
    reason: Reason


class MarkPaid(Strict):
    paid_on: dt.date | None = None
