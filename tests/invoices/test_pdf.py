"""The PDF renderer: every mandatory field in the text pypdf extracts; pagination; determinism."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pytest
from babel.numbers import format_currency, format_decimal
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from billing.snapshot import DocumentKind, InvoiceSnapshot, Party
from invoices.pdf import render_pdf
from tests.invoices.snapshots import FOREIGN_COMPANY, MUNICIPALITY, SELLER, LineSpec, make_snapshot

pytestmark = pytest.mark.sqlite_pass  # no database: the PostgreSQL pass would only repeat it


def _norm(text: str) -> str:
    """Collapse whitespace (wrapped lines, no-break spaces) so phrases compare as written."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def pages_text(pdf: bytes) -> list[str]:
    return [_norm(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def full_text(pdf: bytes) -> str:
    return " ".join(pages_text(pdf))


def sek(value: Decimal, *, credit: bool = False) -> str:
    return _norm(format_currency(-value if credit else value, "SEK", locale="sv_SE"))


def hours(value: Decimal) -> str:
    return _norm(format_decimal(value, format="#,##0.00", locale="sv_SE"))


def orgnr(value: str) -> str:
    return f"{value[:6]}-{value[6:]}"


def test_pdf_contains_every_mandatory_field() -> None:
    snapshot = make_snapshot(lines=5)
    text = full_text(render_pdf(snapshot))
    folded = text.casefold()
    seller, buyer = snapshot.seller, snapshot.buyer
    for expected in (
        seller.name,
        seller.street,
        f"{seller.postal_code} {seller.city}",
        f"Org.nr {orgnr(seller.organisation_number or '')}",
        f"Momsreg.nr {seller.vat_number}",
        "Godkänd för F-skatt",
        f"Bankgiro {seller.bankgiro}",
        seller.email,
        buyer.name,
        buyer.street,
        f"{buyer.postal_code} {buyer.city}",
        snapshot.number,
        "2026-02-03",
        "2026-01-01 – 2026-01-31",
        "2026-03-05",
        snapshot.ocr,
        snapshot.buyer_reference,
        snapshot.your_reference,
        snapshot.our_reference,
        "Summa exkl. moms",
        sek(snapshot.totals.net),
        "Moms 25 %",
        sek(snapshot.totals.vat),
        "Att betala",
        sek(snapshot.totals.payable),
        seller.late_payment_interest,
        "Tidsspecifikation",
    ):
        assert expected and _norm(expected) in text, expected
    for label in (
        "Fakturanummer",
        "Fakturadatum",
        "Förfallodatum",
        "Leveransperiod",
        "OCR-nummer",
        "Er referens",
        "Vår referens",
        "Bankgiro",
    ):
        assert label.casefold() in folded, label
    for line in snapshot.lines:
        assert _norm(line.description) in text
        price = _norm(format_decimal(line.unit_price, format="#,##0.00", locale="sv_SE"))
        row = f"{hours(line.quantity)} tim {price}"
        assert f"{row} {sek(line.amount)}" in text, row
        for entry in line.entries:
            assert f"{entry.work_date.isoformat()} {entry.staff_name} {hours(entry.hours)}" in text
            assert entry.description in text
    assert "debiterbar som Assistans" in text and "debiterbar som Prestanda" in text


def test_amounts_use_swedish_formatting() -> None:
    snapshot = make_snapshot(lines=[LineSpec(Decimal("1.5"), Decimal("1000.10"))])
    text = full_text(render_pdf(snapshot))
    assert "1 500,15 kr" in text  # quantity × price, space as thousands separator, comma decimals
    assert "375,04 kr" in text  # 25 % VAT, rounded half-up
    assert "1 875,19 kr" in text  # to pay
    assert "1,50 tim 1 000,10" in text


def test_english_invoice_with_reverse_charge() -> None:
    snapshot = make_snapshot(lines=3, language="en", reverse_charge=True, buyer=FOREIGN_COMPANY)
    text = full_text(render_pdf(snapshot))
    for expected in (
        "INVOICE",
        "Approved for F-tax",
        "Reverse charge",
        f"Buyer VAT number {FOREIGN_COMPANY.vat_number}",
        "Germany",
        "3 Feb 2026",
        "Amount due",
        "Page 1 of",
        "Time specification",
        _norm(format_currency(snapshot.totals.payable, "SEK", format="#,##0.00\u00a0¤", locale="en_GB")),
    ):
        assert expected in text, expected
    assert "Omvänd" not in text and "Sida" not in text


def test_credit_note_says_so_and_names_the_corrected_invoice() -> None:
    snapshot = make_snapshot(lines=2, kind=DocumentKind.credit_note)
    assert snapshot.corrects is not None
    text = full_text(render_pdf(snapshot))
    assert "KREDITFAKTURA" in text
    assert f"korrigerar faktura {snapshot.corrects.number} daterad {snapshot.corrects.issue_date.isoformat()}" in text
    assert f"Att kreditera {sek(snapshot.totals.payable, credit=True)}" in text
    for line in snapshot.lines:
        assert sek(line.amount, credit=True) in text
    assert "Att betala" not in text
    invoice_text = full_text(render_pdf(make_snapshot(lines=2)))
    assert "KREDITFAKTURA" not in invoice_text and "korrigerar" not in invoice_text


def test_two_hundred_lines_paginate_with_repeated_headers_and_page_numbers() -> None:
    snapshot = make_snapshot(lines=200)
    pages = pages_text(render_pdf(snapshot))
    count = len(pages)
    assert count > 3
    for number, page in enumerate(pages, start=1):
        assert f"Sida {number} av {count}" in page
        assert snapshot.seller.name in page and f"Org.nr {orgnr(SELLER.organisation_number or '')}" in page
    lines_end = next(i for i, page in enumerate(pages) if "Summa exkl. moms" in page)
    spec_start = next(i for i, page in enumerate(pages) if "Tidsspecifikation" in page)
    assert lines_end >= 2 and spec_start >= lines_end
    for page in pages[: lines_end + 1]:
        assert "Beskrivning Antal Enhet À-pris Belopp" in page
    for page in pages[spec_start:]:
        assert "Datum Utfört av Timmar Utfört arbete" in page
    text = " ".join(pages)
    for line in snapshot.lines:
        assert _norm(line.description) in text


P = TypeVar("P", bound=Party)


def _with_letters(party: P, odd: str, **fields: str) -> P:
    return party.model_copy(update={name: f"{value} {odd}" for name, value in fields.items()})


def _swedish_everywhere() -> InvoiceSnapshot:
    odd = "åäö ÅÄÖ"
    seller = _with_letters(
        SELLER, odd, name="Ångström & Öhman AB", street="Östra Ågatan 1", city="Västerås", contact_name="Örjan Åkesson"
    )
    buyer = _with_letters(
        MUNICIPALITY, odd, name="Härjedalens kommun", street="Ödegatan 2", city="Sveg", contact_name="Åke Ärlig"
    )
    base = make_snapshot(lines=2, seller=seller, buyer=buyer, note=f"Tack för förtroendet {odd}")
    lines = [
        line.model_copy(
            update={
                "description": f"{line.ticket_number} Ärende om åtkomst {odd}",
                "entries": [
                    e.model_copy(update={"staff_name": f"Märta Ölund {odd}", "description": f"Åtgärd {odd}"})
                    for e in line.entries
                ],
            }
        )
        for line in base.lines
    ]
    return base.model_copy(
        update={
            "lines": lines,
            "buyer_reference": f"Ärende {odd}",
            "your_reference": f"Åsa {odd}",
            "our_reference": f"Örjan {odd}",
        }
    )


def test_swedish_letters_render_in_every_field() -> None:
    snapshot = _swedish_everywhere()
    text = full_text(render_pdf(snapshot))
    fields = [
        snapshot.seller.name,
        snapshot.seller.street,
        snapshot.seller.city,
        snapshot.buyer.name,
        snapshot.buyer.street,
        snapshot.buyer.city,
        snapshot.buyer_reference,
        snapshot.your_reference,
        snapshot.our_reference,
        snapshot.note,
    ]
    fields += [line.description for line in snapshot.lines]
    fields += [e.staff_name for line in snapshot.lines for e in line.entries]
    fields += [e.description for line in snapshot.lines for e in line.entries]
    for value in fields:
        assert value and _norm(value) in text, value


def test_fonts_are_embedded_truetype() -> None:
    reader = PdfReader(io.BytesIO(render_pdf(make_snapshot(lines=1))))
    fonts = {}
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        assert isinstance(resources, DictionaryObject)
        font_map = resources["/Font"].get_object()
        assert isinstance(font_map, DictionaryObject)
        for ref in font_map.values():
            font = ref.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        descriptor = font["/FontDescriptor"].get_object() if "/FontDescriptor" in font else None
        assert descriptor is not None and "/FontFile2" in descriptor, f"{name} not embedded"


def test_same_snapshot_gives_identical_bytes() -> None:
    snapshot = make_snapshot(lines=6)
    first = render_pdf(snapshot)
    assert render_pdf(snapshot) == first
    assert render_pdf(make_snapshot(lines=6)) == first
    assert render_pdf(make_snapshot(lines=6, number="F2026-00018")) != first


def test_bytes_are_identical_across_processes() -> None:
    """No process-global state (font subset names, object ids) leaks into the document."""
    repo = Path(__file__).resolve().parents[2]
    script = (
        "import hashlib, sys; sys.path.insert(0, sys.argv[1]);"
        "from tests.invoices.snapshots import make_snapshot; from invoices.pdf import render_pdf;"
        "print(hashlib.sha256(render_pdf(make_snapshot(lines=4))).hexdigest())"
    )
    out = subprocess.run([sys.executable, "-c", script, str(repo)], capture_output=True, text=True, check=True)
    # render something else first in this process so any per-process counter would have moved on
    render_pdf(make_snapshot(lines=9, language="en"))
    assert out.stdout.strip() == hashlib.sha256(render_pdf(make_snapshot(lines=4))).hexdigest()


@pytest.mark.parametrize("language", ["sv", "en"])
def test_document_metadata(language: str) -> None:
    reader = PdfReader(io.BytesIO(render_pdf(make_snapshot(lines=1, language=language))))
    meta = reader.metadata
    assert meta is not None and meta.title is not None and "F2026-00017" in meta.title
    assert meta.get("/CreationDate", "").startswith("D:20260203")
