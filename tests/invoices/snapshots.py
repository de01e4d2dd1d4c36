"""Builders of sample invoice snapshots for the renderer tests.

Amounts are computed with billing.money exactly as issuing does (round each line half-up, sum, VAT per
category and rate on the rounded sum), so a snapshot built here is internally consistent; the tests then
check that the rendered documents keep it so (BR-CO-10…17) and say what the snapshot says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from stdnum import luhn

from billing.money import ZERO, line_amount, round_amount, vat_amount
from billing.snapshot import (
    CorrectedInvoice,
    DocumentKind,
    InvoiceLine,
    InvoiceSnapshot,
    Party,
    PrepaidBalance,
    Seller,
    TimeEntryLine,
    Totals,
    VatBreakdown,
)


def with_luhn(base: str) -> str:
    return base + luhn.calc_check_digit(base)


def address(street: str, postal_code: str, city: str, country_code: str = "SE") -> dict[str, str]:
    """A party's postal address as keyword arguments, written in the order it is printed."""
    return {"street": street, "postal_code": postal_code, "city": city, "country_code": country_code}


def contact(name: str, email: str) -> dict[str, str]:
    """Who at the party to write to, as keyword arguments."""
    return {"contact_name": name, "email": email}


SELLER = Seller(
    name="Nordvik Integration AB",
    **address("Sveavägen 44", "111 34", "Stockholm"),
    organisation_number=with_luhn("559123456"),
    vat_number=f"SE{with_luhn('559123456')}01",
    **contact("Åsa Öberg", "faktura@nordvik.example"),
    bankgiro="5050-1055",
    phone="08-123 456 78",
    website="nordvik.example",
)

MUNICIPALITY = Party(
    name="Sjöviks kommun",
    **address("Kommunalhusvägen 1", "931 85", "Skellefteå"),
    organisation_number=with_luhn("212000123"),
    **contact("Göran Ärlig", "e-faktura@sjovik.example"),
)

FOREIGN_COMPANY = Party(
    name="Müller Datentechnik GmbH",
    **address("Königstraße 12", "70173", "Stuttgart", "DE"),
    vat_number="DE123456789",
    **contact("Jürgen Weiß", "rechnung@mueller.example"),
)

NORWEGIAN_COMPANY = Party(
    name="Fjordline Data AS",
    **address("Karl Johans gate 22", "0159", "Oslo", "NO"),
    organisation_number="923609016",
    vat_number="NO923609016MVA",
    **contact("Åse Nordmann", "faktura@fjordline.example"),
)

SUBJECTS = [
    ("assistance", "Åtkomsttoken förnyas inte efter byte av certifikat"),
    ("performance", "Långsam hämtning av ärenden i batch (tidsgräns efter 30 s)"),
    ("activation", "Aktivering av gränssnittet för fakturaunderlag i produktion"),
    ("assistance", "Mappning av fält för ärendeklassificering mot vårt e-arkiv"),
    ("assistance", "Fel i vår egen klient vid sidindelning av svar"),
    ("performance", "Optimering av nattlig synkronisering för Öppna data"),
]
STAFF = ["Åsa Öberg", "Björn Ängström", "Märta Lindqvist"]
WORK = [
    "Felsökning av tokenflödet tillsammans med kundens utvecklare",
    "Granskning av loggar och förslag på ändrad återförsökslogik",
    "Genomgång av dokumentationen för sidindelning och filter",
    "Verifiering i kundens testmiljö, återkoppling per e-post",
]


@dataclass(frozen=True)
class LineSpec:
    hours: Decimal
    rate: Decimal
    category: str = "assistance"
    subject: str = "Hjälp med anrop mot det officiella gränssnittet"
    prepaid_hours_drawn: Decimal = Decimal("0")


def default_specs(count: int) -> list[LineSpec]:
    specs = []
    for i in range(count):
        category, subject = SUBJECTS[i % len(SUBJECTS)]
        hours = Decimal(1 + (i * 7) % 12) / Decimal(4) + Decimal(i % 3)  # quarter hours, varied
        rate = Decimal("1150.00") if category != "performance" else Decimal("1375.50")
        specs.append(LineSpec(hours=hours, rate=rate, category=category, subject=subject))
    return specs


def _entries(line_no: int, spec: LineSpec, period_start: dt.date) -> list[TimeEntryLine]:
    """Split a line's hours into 1–3 time entries (quarter-hour multiples) on dates in the period."""
    quarters = int(spec.hours * 4)
    parts = max(1, min(3, quarters))
    sizes = [quarters // parts + (1 if k < quarters % parts else 0) for k in range(parts)]
    entries = []
    for k, size in enumerate(sizes):
        hours = Decimal(size) / Decimal(4)
        entries.append(
            TimeEntryLine(
                entry_id=line_no * 10 + k,
                work_date=period_start + dt.timedelta(days=(line_no * 3 + k * 5) % 28),
                staff_name=STAFF[(line_no + k) % len(STAFF)],
                minutes=max(1, size * 15 - (k % 2) * 7),
                hours=hours,
                description=WORK[(line_no + k) % len(WORK)],
                category=spec.category,
            )
        )
    return entries


def make_snapshot(
    *,
    lines: int | Sequence[LineSpec] = 4,
    kind: DocumentKind = DocumentKind.invoice,
    language: str = "sv",
    buyer: Party = MUNICIPALITY,
    seller: Seller = SELLER,
    reverse_charge: bool = False,
    number: str | None = None,
    note: str | None = None,
    issue_date: dt.date = dt.date(2026, 2, 3),
    vat_category: str | None = None,
    prepaid: Sequence[PrepaidBalance] = (),
) -> InvoiceSnapshot:
    """`vat_category` "O" (outside the EU) or "AE" (same as `reverse_charge`); default S at 25 %."""
    specs = default_specs(lines) if isinstance(lines, int) else list(lines)
    period_start = dt.date(2026, 1, 1)
    vat_category = vat_category or ("AE" if reverse_charge else "S")
    vat_rate = Decimal("25") if vat_category == "S" else Decimal("0")
    invoice_lines = []
    for i, spec in enumerate(specs, start=1):
        ticket_number = f"SUP-2026-{100 + i:05d}"
        invoice_lines.append(
            InvoiceLine(
                line_no=i,
                ticket_id=100 + i,
                ticket_number=ticket_number,
                description=f"{ticket_number} {spec.subject}",
                category=spec.category,
                quantity=spec.hours,
                unit_price=spec.rate,
                amount=line_amount(spec.hours, spec.rate),
                vat_category=vat_category,
                vat_rate=vat_rate,
                prepaid_hours_drawn=spec.prepaid_hours_drawn,
                entries=_entries(i, spec, period_start),
            )
        )
    net = round_amount(sum((line.amount for line in invoice_lines), ZERO))
    tax = vat_amount(net, vat_rate)
    credit = kind == DocumentKind.credit_note
    nothing_to_pay = not credit and net + tax == 0
    return InvoiceSnapshot(
        kind=kind,
        invoice_id=17,
        number=number or ("K2026-00003" if credit else "F2026-00017"),
        issue_date=issue_date,
        due_date=issue_date if nothing_to_pay else issue_date + dt.timedelta(days=30),
        period_start=period_start,
        period_end=dt.date(2026, 1, 31),
        language=language,
        ocr=None if nothing_to_pay else with_luhn("20260001700" if not credit else "20260000300"),
        buyer_reference="KS-2026-0042 Åsa",
        your_reference=buyer.contact_name,
        our_reference=seller.contact_name,
        seller=seller,
        buyer=buyer,
        reverse_charge=vat_category == "AE",
        lines=invoice_lines,
        vat=[VatBreakdown(category=vat_category, rate=vat_rate, taxable_amount=net, tax_amount=tax)],
        totals=Totals(net=net, vat=tax, gross=net + tax, payable=net + tax),
        corrects=CorrectedInvoice(number="F2026-00011", issue_date=dt.date(2026, 1, 5)) if credit else None,
        note=note,
        prepaid=list(prepaid),
    )
