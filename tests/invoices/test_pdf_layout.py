"""The PDF's page layout, read back from the rendered pages (pypdf's text per page, line by line): amounts
never wrap, the time specification breaks between pages by the rules of invoices/pdf_flow.py, credit notes
and zero invoices say what they are. A 200-line invoice with amounts up to 9 999 999,99 kr is the stress case
(its PNG pages were also looked at by eye, see the README's invoice section)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from billing.snapshot import DocumentKind, InvoiceSnapshot, PrepaidBalance, TimeEntryLine
from invoices.pdf import render_pdf
from invoices.pdf_texts import Texts
from tests.invoices.snapshots import NORWEGIAN_COMPANY, LineSpec, make_snapshot

pytestmark = pytest.mark.sqlite_pass  # no database: the PostgreSQL pass would only repeat it

DATE = re.compile(r"^(\d{4}-\d{2}-\d{2}|\d{1,2} [A-Z][a-z]{2} \d{4})\b")
SPEC_HEADER = {"sv": "Utfört arbete", "en": "Work done"}
SUM = {"sv": "Summa", "en": "Total"}
CONTINUED = {"sv": "(forts.)", "en": "(cont.)"}


def page_lines(pdf: bytes) -> list[list[str]]:
    return [
        [" ".join(line.replace("\u00a0", " ").split()) for line in page.extract_text().splitlines()]
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def big_snapshot(language: str, kind: DocumentKind = DocumentKind.invoice) -> InvoiceSnapshot:
    """200 lines, amounts up to 9 999 999,99 kr, and one ticket with 90 time entries (spans pages)."""
    specs = []
    for i in range(200):
        if i % 50 == 7:
            specs.append(LineSpec(Decimal("1"), Decimal("9999999.99")))
        elif i % 9 == 0:
            specs.append(LineSpec(Decimal("1000"), Decimal("9999.99")))
        else:
            specs.append(LineSpec(Decimal("2.5"), Decimal("1150")))
    snapshot = make_snapshot(lines=specs, language=language, kind=kind)
    first = snapshot.lines[2]
    long_group = first.model_copy(
        update={
            "entries": [
                TimeEntryLine(
                    entry_id=9000 + k,
                    work_date=dt.date(2026, 1, 1 + k % 28),
                    staff_name="Åsa Öberg",
                    minutes=60,
                    hours=Decimal("1"),
                    description=f"Arbete {k}",
                    category=first.category,
                )
                for k in range(90)
            ]
        }
    )
    return snapshot.model_copy(update={"lines": [*snapshot.lines[:2], long_group, *snapshot.lines[3:]]})


@pytest.fixture(scope="module", params=["sv", "en"])
def big(request: pytest.FixtureRequest) -> tuple[str, InvoiceSnapshot, list[list[str]]]:
    snapshot = big_snapshot(request.param)
    return request.param, snapshot, page_lines(render_pdf(snapshot))


def _wrapped(amount: str, pages: list[list[str]]) -> int:
    """How often `amount` is broken over two lines: occurrences in the text with the line breaks removed,
    less those within one line."""
    amount = " ".join(amount.replace("\u00a0", " ").split())
    lines = [line for page in pages for line in page]
    return "".join(lines).count(amount) - sum(line.count(amount) for line in lines)


def test_amounts_and_totals_never_wrap(big: tuple[str, InvoiceSnapshot, list[list[str]]]) -> None:
    language, snapshot, pages = big
    t = Texts(language)
    text = "\n".join(line for page in pages for line in page)
    expected = {
        t.money(snapshot.totals.net),
        t.money(snapshot.totals.vat),
        t.money(snapshot.totals.payable),
        *(t.money(line.amount) for line in snapshot.lines),
    }
    assert t.money(Decimal("9999999.99")) in expected
    for amount in expected:
        assert " ".join(amount.replace("\u00a0", " ").split()) in text.replace("\n", "")
        assert _wrapped(amount, pages) == 0, f"{amount!r} is wrapped over two lines"
    # The cases the issue found: 217 500,00 kr and 20,525.00 SEK (and their totals) on one line.
    for hours, rate in ((Decimal("150"), Decimal("1450")), (Decimal("10"), Decimal("2052.50"))):
        small = make_snapshot(lines=[LineSpec(hours, rate)], language=language)
        small_pages = page_lines(render_pdf(small))
        for total in (small.totals.net, small.totals.payable):
            assert _wrapped(t.money(total), small_pages) == 0, t.money(total)


def _spec_rows(page: list[str], language: str) -> list[tuple[str, str]] | None:
    """The time-specification rows on a page: ("heading"|"entry"|"sum", text), or None if it has none."""
    try:
        start = page.index(SPEC_HEADER[language])
    except ValueError:
        return None
    rows = []
    for line in page[start + 1 :]:
        if line.startswith("SUP-"):
            rows.append(("heading", line))
        elif DATE.match(line):
            rows.append(("entry", line))
        elif line == SUM[language]:
            rows.append(("sum", line))
    return rows


def test_time_specification_breaks_by_the_rules(big: tuple[str, InvoiceSnapshot, list[list[str]]]) -> None:
    language, _, pages = big
    spec_pages = [rows for page in pages if (rows := _spec_rows(page, language))]
    assert len(spec_pages) > 5
    continued = 0
    for number, rows in enumerate(spec_pages):
        kinds = [kind for kind, _ in rows]
        # A page never starts with a subtotal, nor with a group's entries without their heading.
        assert kinds[0] == "heading", f"time specification page {number + 1} starts with {rows[0]}"
        # A heading never ends a page; a new heading keeps its first two entries (or all) with it.
        assert kinds[-1] != "heading", f"page {number + 1} ends with a heading"
        for i, (kind, text) in enumerate(rows):
            if kind != "heading":
                continue
            entries, closed = 0, False
            for following, _ in rows[i + 1 :]:
                if following == "entry":
                    entries += 1
                    continue
                closed = following == "sum"
                break
            assert closed or entries >= 2, f"page {number + 1}: {text!r} keeps {entries} entry line(s)"
        if CONTINUED[language] in rows[0][1]:
            continued += 1
            assert number > 0
    assert continued >= 2  # the 90-entry ticket spans pages and repeats its heading each time


def test_no_page_holds_only_a_subtotal_or_totals(big: tuple[str, InvoiceSnapshot, list[list[str]]]) -> None:
    language, snapshot, pages = big
    t = Texts(language)
    payable = " ".join(t.money(snapshot.totals.payable).replace("\u00a0", " ").split())
    for number, page in enumerate(pages):
        rows = _spec_rows(page, language)
        if rows is not None:
            assert [kind for kind, _ in rows] != ["sum"], f"page {number + 1} holds only a subtotal"
        if any(payable in line for line in page) and number > 0:
            # the totals share their page with invoice lines
            assert any(line in (t["hour_unit"],) for line in page), f"totals alone on page {number + 1}"


@pytest.mark.parametrize(
    "language, label, wrong", [("sv", "Kreditfakturadatum", "Fakturadatum"), ("en", "Credit note date", "Invoice date")]
)
def test_credit_note_labels_its_date_and_prints_its_ocr(language: str, label: str, wrong: str) -> None:
    snapshot = make_snapshot(kind=DocumentKind.credit_note, language=language, lines=2)
    text = "\n".join(line for page in page_lines(render_pdf(snapshot)) for line in page)
    assert label.upper() in text.upper()
    assert wrong.upper() not in re.sub(label.upper(), "", text.upper())
    assert snapshot.ocr and snapshot.ocr in text


def test_zero_invoice_asks_for_no_payment_and_states_prepaid_hours() -> None:
    snapshot = make_snapshot(
        lines=[LineSpec(Decimal("0"), Decimal("1150"), prepaid_hours_drawn=Decimal("6"))],
        prepaid=[
            PrepaidBalance(
                package="Klippkort 2026",
                valid_until=dt.date(2026, 12, 31),
                drawn_hours=Decimal("6"),
                remaining_hours=Decimal("14"),
            )
        ],
    )
    text = "\n".join(line for page in page_lines(render_pdf(snapshot)) for line in page)
    assert "Inget att betala" in text and "ingen betalning ska göras" in text
    for absent in ("Betalningsinformation", "OCR-nummer", "Förfallodatum", "Bankgiro 5050-1055\n"):
        assert absent not in text.replace("Bankgiro 5050-1055\nE-post", "")
    assert "Förbetalda timmar" in text and "Klippkort 2026" in text and "14,00" in text


def test_outside_eu_buyer_gets_its_exemption_text() -> None:
    snapshot = make_snapshot(vat_category="O", buyer=NORWEGIAN_COMPANY, language="en", lines=2)
    text = " ".join(line for page in page_lines(render_pdf(snapshot)) for line in page)
    assert "Not subject to Swedish VAT" in text and "Article 44 of Directive 2006/112/EC" in text
    assert "VAT 25 %" not in text and "Reverse charge" not in text
    assert "NO923609016MVA" in text and "Norway" in text
