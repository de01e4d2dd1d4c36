"""A customer statement (kontoutdrag): an organisation's issued invoices and credit notes, the payments applied
to them and what is open, as of a date. The integrator reads its own organisation's; staff in finance any.
Another organisation is the same 404 as a missing one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel

from billing.models import Invoice, InvoiceKind, InvoiceStatus
from billing.money import ZERO
from billing.naming import read_model
from billing.payments.balances import balances
from billing.payments.models import AllocationSource, PaymentAllocation
from core.auth import Principal
from core.errors import NotFound
from support import access
from support.models import Organisation
from support.timetracking.settings import business_today


class StatementDocument(BaseModel):
    id: int
    kind: InvoiceKind
    number: str | None
    issue_date: dt.date | None
    due_date: dt.date | None
    gross: Decimal
    corrects_number: str | None = None
    credited: Decimal = ZERO
    paid: Decimal = ZERO
    open: Decimal = ZERO


class StatementPayment(BaseModel):
    invoice_number: str | None
    date: dt.date
    amount: Decimal
    source: AllocationSource


class Statement(BaseModel):
    organisation_id: int
    organisation_name: str
    language: str
    as_of: dt.date
    documents: list[StatementDocument]
    payments: list[StatementPayment]
    invoiced: Decimal
    credited: Decimal
    paid: Decimal
    balance: Decimal
    overdue: Decimal


async def statement(*, principal: Principal, organisation_id: int, as_of: dt.date | None = None) -> Statement:
    organisation = await Organisation.filter(access.visible_organisations(principal), id=organisation_id).first()
    if organisation is None:
        raise NotFound("organisation not found")
    as_of = as_of or business_today()
    docs = await Invoice.filter(
        organisation_id=organisation_id, status=InvoiceStatus.issued, issue_date__lte=as_of
    ).order_by("issue_date", "id")
    invoices = [d for d in docs if d.kind == InvoiceKind.invoice]
    owed = await balances(invoices)
    numbers = {d.id: d.number for d in docs}
    rows = []
    for d in docs:
        corrects = numbers.get(d.corrects_id) if d.corrects_id else None
        row = read_model(StatementDocument, d, gross=d.gross_amount, corrects_number=corrects)
        if d.id in owed:
            b = owed[d.id]
            row.credited, row.paid, row.open = b.credited, b.paid, b.open
        rows.append(row)
    allocations = await PaymentAllocation.filter(
        invoice_id__in=[i.id for i in invoices], booked_date__lte=as_of
    ).order_by("booked_date", "id")
    payments = [
        StatementPayment(invoice_number=numbers.get(a.invoice_id), date=a.booked_date, amount=a.amount, source=a.source)
        for a in allocations
    ]
    invoiced = sum((Decimal(i.gross_amount) for i in invoices), ZERO)
    credited = sum((b.credited for b in owed.values()), ZERO)
    paid = sum((p.amount for p in payments), ZERO)
    overdue = sum((r.open for r in rows if r.open > 0 and r.due_date and r.due_date < as_of), ZERO)
    return Statement(
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        language=str(getattr(organisation.language, "value", organisation.language) or "sv"),
        as_of=as_of,
        documents=rows,
        payments=payments,
        invoiced=invoiced,
        credited=credited,
        paid=paid,
        balance=invoiced - credited - paid,
        overdue=overdue,
    )
