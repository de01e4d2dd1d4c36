"""The invoice or credit note as PDF: a pure function from an `InvoiceSnapshot` to bytes.

What a Swedish VAT invoice must show (mervärdesskattelagen, SPEC §2), and where it is on the page:
- seller name, address, organisation number, VAT number and "Godkänd för F-skatt": the seller block
  under the header band, and again in the footer of every page with bankgiro and email;
- buyer name and address (and the buyer's VAT number under reverse charge): the buyer box;
- invoice number and date, delivery period, due date, OCR, references: the facts strip;
- per line the description, quantity in hours, unit, unit price ex VAT and amount: the lines table,
  whose header row repeats on every page it runs over;
- VAT rate and amount per rate, total ex VAT, VAT and total to pay: the totals block;
- bankgiro, OCR, due date and late-payment interest terms: the payment box;
- "Omvänd betalningsskyldighet" with the legal reference when the buyer accounts for the VAT;
- the time specification: per ticket each time entry (date, who, hours, what was done) and the category
  that made it billable, so every amount traces back to its time.
A credit note is titled "Kreditfaktura", dates itself "Kreditfakturadatum", names the invoice it corrects,
prints its OCR reference (to quote when it is offset) and shows its amounts negative. An invoice of 0 (hours
drawn from prepaid packages) has no payment slip: it says there is nothing to pay. A buyer outside the EU
gets the "not subject to Swedish VAT" statement instead of a VAT rate. How tables break across pages is in
invoices/pdf_flow.py; the long sections are built in invoices/pdf_sections.py.
Same snapshot, same bytes: no clock, no random ids (see invoices/pdf_layout.py).
"""

from __future__ import annotations

import io
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate, Spacer, Table

from billing.snapshot import DocumentKind, InvoiceSnapshot
from invoices.pdf_layout import (
    ACCENT,
    ACCENT_LIGHT,
    BAND_HEIGHT,
    CONTENT_WIDTH,
    FONT_BOLD,
    FOOTER_HEIGHT,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    PageDecor,
    numbered_canvas,
)
from invoices.pdf_sections import column_width, lines_with_totals, prepaid_statement, time_specification
from invoices.pdf_sections import e as _e
from invoices.pdf_sections import p as _p
from invoices.pdf_sections import table_style as _style
from invoices.pdf_texts import Texts


class _Document:
    """Builds the story (the list of flowables) for one snapshot."""

    def __init__(self, snapshot: InvoiceSnapshot) -> None:
        self.s = snapshot
        self.t = Texts(snapshot.language)
        self.credit = snapshot.kind == DocumentKind.credit_note

    def money(self, value: Decimal) -> str:
        return _e(self.t.money(value, credit=self.credit))

    # -- the parties and the facts -----------------------------------------------------------------
    def seller_block(self) -> Flowable:
        seller, t = self.s.seller, self.t
        lines = [f"<b>{_e(seller.name)}</b>", _e(seller.street), _e(f"{seller.postal_code} {seller.city}")]
        if seller.organisation_number:
            lines.append(f"{t['org_nr']} {_e(_orgnr(seller.organisation_number))}")
        if seller.vat_number:
            lines.append(f"{t['vat_nr']} {_e(seller.vat_number)}")
        if seller.f_skatt:
            lines.append(t["f_skatt"])
        return _p("<br/>".join(line for line in lines if line.strip()), "small")

    def buyer_block(self) -> Flowable:
        buyer, t = self.s.buyer, self.t
        rows = [_p(t["buyer"].upper(), "label"), _p(_e(buyer.name), "party_name")]
        address = [_e(buyer.street), _e(f"{buyer.postal_code} {buyer.city}")]
        if buyer.country_code.upper() != "SE":
            address.append(_e(self.t.country(buyer.country_code)))
        rows.append(_p("<br/>".join(a for a in address if a.strip()), "party"))
        ids = []
        if buyer.organisation_number:
            ids.append(f"{t['org_nr']} {_e(_orgnr(buyer.organisation_number))}")
        if buyer.vat_number and (self.s.reverse_charge or buyer.country_code.upper() != "SE"):
            ids.append(f"{t['buyer_vat']} {_e(buyer.vat_number)}")
        if ids:
            rows.append(_p("<br/>".join(ids), "muted"))
        box = Table([[r] for r in rows], colWidths=[88 * mm])
        box.setStyle(
            _style(
                [
                    ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                    ("LEFTPADDING", (0, 0), (-1, -1), 9),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 9),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                    ("TOPPADDING", (0, 0), (-1, 0), 7),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
                ]
            )
        )
        return box

    def header(self) -> list[Flowable]:
        top = Table([[self.seller_block(), self.buyer_block()]], colWidths=[CONTENT_WIDTH - 88 * mm, 88 * mm])
        top.setStyle(
            _style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        return [top, Spacer(1, 7 * mm), self.facts()]

    def facts(self) -> Flowable:
        s, t = self.s, self.t
        items: list[tuple[str, str]] = [
            (t["credit_number"] if self.credit else t["number"], s.number),
            (t["credit_date"] if self.credit else t["date"], t.date(s.issue_date)),
        ]
        if not self.credit and not s.nothing_to_pay:
            items.append((t["due_date"], t.date(s.due_date)))
        elif s.corrects is not None:
            items.append((t["corrected_invoice"], s.corrects.number))
        reference = (t["buyer_reference"], s.buyer_reference)
        if len(items) == 2:  # nothing to pay: the reference keeps the period in the wide fourth column
            items.append(reference)
        items.append((t["period"], t.period(s.period_start, s.period_end)))
        if s.ocr:
            items.append((t["ocr"], s.ocr))
        if reference not in items:
            items.append(reference)
        if s.your_reference:
            items.append((t["your_reference"], s.your_reference))
        if s.our_reference:
            items.append((t["our_reference"], s.our_reference))
        per_row = 4
        cells = [[_p(_e(label).upper(), "label"), _p(f"<b>{_e(value)}</b>", "base")] for label, value in items]
        while len(cells) % per_row:
            cells.append([_p("", "label"), _p("", "base")])
        data = []
        for start in range(0, len(cells), per_row):
            chunk = cells[start : start + per_row]
            data.append([c[0] for c in chunk])
            data.append([c[1] for c in chunk])
        wide = 52 * mm  # the last column holds the delivery period, the longest value
        table = Table(data, colWidths=[(CONTENT_WIDTH - wide) / (per_row - 1)] * (per_row - 1) + [wide])
        style = [
            ("BACKGROUND", (0, 0), (-1, -1), ACCENT_LIGHT),
            ("LEFTPADDING", (0, 0), (-1, -1), 7),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        for row in range(0, len(data), 2):
            style += [("TOPPADDING", (0, row), (-1, row), 6), ("BOTTOMPADDING", (0, row + 1), (-1, row + 1), 6)]
        table.setStyle(_style(style))
        return table

    def correction_notice(self) -> list[Flowable]:
        if not (self.credit and self.s.corrects):
            return []
        text = self.t["corrects"].format(
            number=_e(self.s.corrects.number), date=_e(self.t.date(self.s.corrects.issue_date))
        )
        return [Spacer(1, 4 * mm), _p(text, "notice")]

    # -- payment ---------------------------------------------------------------------------------------
    def payment(self) -> list[Flowable]:
        s, t = self.s, self.t
        terms = s.seller.late_payment_interest if t.lang == "sv" else s.seller.late_payment_interest_en
        if self.credit:
            text = t["credit_text"]
            if s.ocr:
                text += " " + t["credit_ocr_text"].format(ocr=_e(s.ocr))
            return [_p(text, "base")]
        if s.nothing_to_pay:
            return [KeepTogether([_p(t["nothing_to_pay"], "h2"), _p(_e(t["nothing_to_pay_text"]), "base")])]
        facts = [
            (t["bankgiro"], s.seller.bankgiro),
            (t["ocr"], s.ocr or ""),
            (t["due_date"], t.date(s.due_date)),
            (t["to_pay"], t.money(s.totals.payable)),
        ]
        data = [
            [_p(_e(label).upper(), "label") for label, _ in facts],
            [_p(f"<b>{_e(value)}</b>", "party") for _, value in facts],
        ]
        last = column_width([t.money(s.totals.payable)], font=FONT_BOLD, size=10, least=CONTENT_WIDTH / 4)
        box = Table(data, colWidths=[(CONTENT_WIDTH - last) / 3] * 3 + [last])
        box.setStyle(
            _style(
                [
                    ("BOX", (0, 0), (-1, -1), 1, ACCENT),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, 0), 6),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
                    ("TOPPADDING", (0, 1), (-1, 1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, 0), 1),
                ]
            )
        )
        title = _p(t["payment"], "h2")
        return [KeepTogether([title, box, Spacer(1, 2 * mm), _p(_e(terms), "muted")])]

    def reverse_charge(self) -> list[Flowable]:
        if any(vat.category == "O" for vat in self.s.vat):
            return [Spacer(1, 4 * mm), _p(f"<b>{self.t['outside_scope']}.</b> {self.t['outside_scope_text']}", "base")]
        if not self.s.reverse_charge:
            return []
        t, buyer = self.t, self.s.buyer
        text = f"<b>{t['reverse_charge']}.</b> {t['reverse_charge_text']}"
        if buyer.vat_number:
            text += f" {t['buyer_vat']}: {_e(buyer.vat_number)}."
        return [Spacer(1, 4 * mm), _p(text, "base")]

    def story(self) -> list[Flowable]:
        story: list[Flowable] = [
            *self.header(),
            *self.correction_notice(),
            Spacer(1, 7 * mm),
            lines_with_totals(self.s, self.t),
            *self.reverse_charge(),
        ]
        if self.s.note:
            story += [Spacer(1, 4 * mm), _p(_e(self.s.note), "base")]
        story += [
            Spacer(1, 6 * mm),
            *self.payment(),
            *prepaid_statement(self.s, self.t),
            Spacer(1, 8 * mm),
            *time_specification(self.s, self.t),
        ]
        return story

    def footer_columns(self) -> list[list[str]]:
        seller, t = self.s.seller, self.t
        columns = [
            [seller.name, seller.street, f"{seller.postal_code} {seller.city}"],
            [
                t["org_nr"] + " " + _orgnr(seller.organisation_number or ""),
                t["vat_nr"] + " " + (seller.vat_number or ""),
                t["f_skatt"] if seller.f_skatt else "",
            ],
            [
                f"{t['bankgiro']} {seller.bankgiro}",
                f"{t['email']} {seller.email or ''}",
                f"{t['phone']} {seller.phone}" if seller.phone else (seller.website or ""),
            ],
        ]
        return [[c for c in column if c.strip()] for column in columns]


def _orgnr(value: str) -> str:
    """Swedish organisation numbers are written NNNNNN-NNNN."""
    digits = "".join(ch for ch in value if ch.isdigit())
    return f"{digits[:6]}-{digits[6:]}" if len(digits) == 10 else value


def render_pdf(snapshot: InvoiceSnapshot) -> bytes:
    """The PDF for `snapshot`: A4, fonts embedded, "Sida N av M", deterministic bytes."""
    document = _Document(snapshot)
    t = document.t
    title = t["credit_note"] if document.credit else t["invoice"]
    decor = PageDecor(
        seller_name=snapshot.seller.name, title=title, number=snapshot.number, footer_columns=document.footer_columns()
    )
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=FOOTER_HEIGHT,
        title=f"{title} {snapshot.number}",
        author=snapshot.seller.name,
        subject=f"{title} {snapshot.number} – {snapshot.buyer.name}",
        creator="tripdesk",
        invariant=1,
        lang="sv-SE" if t.lang == "sv" else "en-GB",
    )
    bottom = FOOTER_HEIGHT + 2 * mm
    first = Frame(
        MARGIN,
        bottom,
        PAGE_WIDTH - 2 * MARGIN,
        PAGE_HEIGHT - BAND_HEIGHT - 8 * mm - bottom,
        id="first",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    later = Frame(
        MARGIN,
        bottom,
        PAGE_WIDTH - 2 * MARGIN,
        PAGE_HEIGHT - 14 * mm - 8 * mm - bottom,
        id="later",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates(
        [
            PageTemplate(id="First", frames=[first], onPage=decor.first_page, autoNextPageTemplate="Later"),
            PageTemplate(id="Later", frames=[later], onPage=decor.later_pages),
        ]
    )
    stamp = f"D:{snapshot.issue_date:%Y%m%d}000000+00'00'"
    doc.build(document.story(), canvasmaker=numbered_canvas(lambda n, m: t["page"].format(page=n, pages=m), stamp))
    return buffer.getvalue()
