"""Invoice lines and totals as every writer of an invoice makes them: the run (time lines, then subscription
and late-payment lines), credit notes (copies of the credited lines) and the snapshot frozen at issue.

Rules: each line amount is already rounded to öre; the net is the sum of the lines, the VAT is rounded once
per (category, rate) and summed (billing/money.py), and gross is net + VAT, so the stored totals and the
document's always agree. A line without time is one unit at its amount; a credit is quantity −1 at the
(positive) amount, as prices are never negative in an invoice (EN 16931 BR-27).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol, TypeVar

from billing.models import InvoiceLine, LineCharge
from billing.money import ZERO, round_amount, vat_breakdown
from billing.naming import row_values

TIME_FREE_UNIT = "C62"  # UN/ECE rec 20: one (a period's subscription, a charge)

# What a line records: a credit note copies these from the line it credits.
LINE_FIELDS = (
    "ticket_id",
    "ticket_number",
    "description",
    "category",
    "charge",
    "unit",
    "rate_card_name",
    "quantity",
    "total_hours",
    "prepaid_hours",
    "unit_price",
    "amount",
    "vat_category",
    "vat_rate",
)
# A time line has no charge and is counted in hours, the unit's default.
TIME_LINE_FIELDS = tuple(name for name in LINE_FIELDS if name not in ("charge", "unit"))
# What a line records of each time entry behind it (InvoiceLineEntry), written by the run, copied by a credit.
ENTRY_FIELDS = (
    "time_entry_id",
    "work_date",
    "staff_name",
    "minutes",
    "hours",
    "prepaid_hours",
    "description",
    "category",
    "rate_card_id",
)

VatRow = tuple[str, Decimal, Decimal, Decimal]


class TimeFree(Protocol):
    """Something due that becomes a line without time: a subscription period, a late-payment charge."""

    @property
    def reference(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def charge(self) -> str | None: ...


D = TypeVar("D", bound=TimeFree)


def invoice_totals(amounts: list[tuple[str, Decimal, Decimal]]) -> tuple[list[VatRow], Decimal, Decimal]:
    """From the rounded line amounts as (VAT category, rate, amount): the VAT breakdown (category, rate,
    taxable, tax), the net and the VAT of the invoice (module docstring)."""
    breakdown = vat_breakdown(amounts)
    net = round_amount(sum((amount for _, _, amount in amounts), ZERO))
    tax = round_amount(sum((row[3] for row in breakdown), ZERO))
    return breakdown, net, tax


async def add_time_free_line(
    *,
    invoice_id: int,
    line_no: int,
    reference: str,
    description: str,
    amount: Decimal,
    vat_category: str,
    vat_rate: Decimal,
    charge: str | None = None,
) -> None:
    """A line without time, in the caller's transaction: `reference` stands where a time line names its ticket
    (a licence, the invoice a charge is for); a negative `amount` is a credit (module docstring)."""
    await InvoiceLine.create(
        invoice_id=invoice_id,
        line_no=line_no,
        ticket_id=None,
        ticket_number=reference[:32],
        description=description[:300],
        category=None,
        charge=charge,
        rate_card_name="",
        unit=TIME_FREE_UNIT,
        quantity=Decimal(1 if amount > 0 else -1),
        total_hours=ZERO,
        prepaid_hours=ZERO,
        unit_price=abs(amount),
        amount=amount,
        vat_category=vat_category,
        vat_rate=vat_rate,
    )


async def store_time_free_lines(
    dues: Sequence[D], *, invoice_id: int, first_line_no: int, vat: tuple[str, Decimal], record: type[LineCharge]
) -> None:
    """Each of `dues` as a line numbered on from `first_line_no` with `vat` (category, rate), and as a `record`
    row on that line (its columns from the due by name, billing/naming.py) that keeps it from being charged
    again, in the drafting transaction."""
    for line_no, due in enumerate(dues, start=first_line_no):
        await add_time_free_line(
            invoice_id=invoice_id,
            line_no=line_no,
            reference=due.reference,
            description=due.description,
            amount=due.amount,
            vat_category=vat[0],
            vat_rate=vat[1],
            charge=due.charge,
        )
        await record.create(**row_values(record, due, invoice_id=invoice_id, line_no=line_no))
