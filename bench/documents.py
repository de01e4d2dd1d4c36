"""Throughput of the document renderers: PDFs/s and UBL files/s, against a bare ReportLab canvas.

Run: `.venv/bin/python bench/documents.py [--seconds 3]`. For a one-page and a three-page invoice it times
- `render_pdf` (platypus, embedded TrueType fonts, two-pass page numbering),
- a baseline in the same run: a bare canvas drawing the same strings (same embedded fonts, invariant mode,
  fixed positions, no layout engine) — the cost floor of ReportLab itself,
- `render_ubl` (lxml), and the official Schematron validation for reference (tests only, not a hot path),
and prints the rate of each and the ratio of render_pdf to the baseline. Single process, single thread.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from billing.snapshot import InvoiceSnapshot  # noqa: E402
from invoices.pdf import render_pdf  # noqa: E402
from invoices.pdf_layout import FONT, FONT_BOLD, register_fonts  # noqa: E402
from invoices.pdf_texts import Texts  # noqa: E402
from invoices.ubl import render_ubl  # noqa: E402
from invoices.validation import rule_errors  # noqa: E402
from tests.invoices.snapshots import make_snapshot  # noqa: E402


def bare_canvas(snapshot: InvoiceSnapshot) -> bytes:
    """The same content as strings at fixed positions: header, parties, facts, lines, totals, time spec."""
    register_fonts()
    t = Texts(snapshot.language)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, initialFontName=FONT)
    width, height = A4
    y = height - 40

    def line(text: str, x: float = 50, *, bold: bool = False, size: float = 8.5) -> None:
        nonlocal y
        if y < 80:
            canvas.showPage()
            y = height - 50
        canvas.setFont(FONT_BOLD if bold else FONT, size)
        canvas.drawString(x, y, text)
        y -= size + 3

    s, seller = snapshot, snapshot.seller
    line(seller.name, bold=True, size=17)
    for text in (
        seller.street,
        f"{seller.postal_code} {seller.city}",
        seller.organisation_number or "",
        seller.vat_number or "",
        t["f_skatt"],
        s.buyer.name,
        s.buyer.street,
        f"{s.buyer.postal_code} {s.buyer.city}",
        s.number,
        t.date(s.issue_date),
        t.date(s.due_date),
        t.period(s.period_start, s.period_end),
        s.ocr,
        s.buyer_reference,
    ):
        line(text)
    for item in s.lines:
        line(item.description)
        unit = t["hour_unit"]
        line(f"{t.hours(item.quantity)} {unit}  {t.decimal(item.unit_price)}  {t.money(item.amount)}", 300)
    for text in (
        t.money(s.totals.net),
        t.money(s.totals.vat),
        t.money(s.totals.payable),
        seller.bankgiro,
        seller.late_payment_interest,
    ):
        line(text, bold=True)
    for item in s.lines:
        line(item.description, bold=True)
        for entry in item.entries:
            when, hours = t.date(entry.work_date), t.hours(entry.hours)
            line(f"{when}  {entry.staff_name}  {hours}  {entry.description}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def rate(fn: Callable[[], object], seconds: float) -> float:
    fn()  # warm-up: font registration, caches
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        count += 1
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    args = parser.parse_args()
    from pypdf import PdfReader

    for label, lines in (("one-page invoice", 1), ("three-page invoice", 10)):
        snapshot = make_snapshot(lines=lines)
        pages = len(PdfReader(io.BytesIO(render_pdf(snapshot))).pages)
        pdf = rate(lambda s=snapshot: render_pdf(s), args.seconds)
        base = rate(lambda s=snapshot: bare_canvas(s), args.seconds)
        ubl = rate(lambda s=snapshot: render_ubl(s), args.seconds)
        xml = render_ubl(snapshot)
        check = rate(lambda x=xml: rule_errors(x), args.seconds)
        print(f"{label} ({lines} lines, {pages} pages):")
        print(f"  render_pdf            {pdf:8.1f} PDFs/s")
        print(f"  bare canvas baseline  {base:8.1f} PDFs/s   render_pdf / baseline = {pdf / base:.2f}x")
        print(f"  render_ubl            {ubl:8.1f} UBL files/s")
        print(f"  schematron (CEN+Peppol) {check:6.1f} validations/s")


if __name__ == "__main__":
    main()
