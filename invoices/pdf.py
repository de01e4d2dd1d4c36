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
A credit note is titled "Kreditfaktura", names the invoice it corrects and shows its amounts negative.
Same snapshot, same bytes: no clock, no random ids (see invoices/pdf_layout.py).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from billing.snapshot import DocumentKind, InvoiceSnapshot
from invoices.pdf_layout import (
    ACCENT,
    ACCENT_LIGHT,
    BAND_HEIGHT,
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
    FOOTER_HEIGHT,
    INK,
    MARGIN,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    ZEBRA,
    PageDecor,
    numbered_canvas,
    styles,
)
from invoices.pdf_texts import Texts


def _p(text: str, style: str) -> Paragraph:
    return Paragraph(text, styles()[style])


def _style(commands: Sequence[tuple[Any, ...]]) -> TableStyle:
    """Table style with the embedded font as cell font (ReportLab's default would pull in Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def _fit(text: str, width: float, style: str = "small") -> str | Paragraph:
    """A plain string when it fits on one line of the cell (cheap), else a wrapping Paragraph."""
    st = styles()[style]
    if stringWidth(text, st.fontName, st.fontSize) <= width - 12:  # 2 x 6 pt default cell padding
        return text
    return Paragraph(escape(text), st)


def _e(text: str | None) -> str:
    return escape(text or "")


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
        box.setStyle(_style([
            ("BOX", (0, 0), (-1, -1), 0.6, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), 9), ("RIGHTPADDING", (0, 0), (-1, -1), 9),
            ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("TOPPADDING", (0, 0), (-1, 0), 7), ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
        ]))
        return box

    def header(self) -> list[Flowable]:
        top = Table([[self.seller_block(), self.buyer_block()]], colWidths=[CONTENT_WIDTH - 88 * mm, 88 * mm])
        top.setStyle(_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]))
        return [top, Spacer(1, 7 * mm), self.facts()]

    def facts(self) -> Flowable:
        s, t = self.s, self.t
        items: list[tuple[str, str]] = [
            (t["credit_number"] if self.credit else t["number"], s.number),
            (t["date"], t.date(s.issue_date)),
        ]
        if not self.credit:
            items.append((t["due_date"], t.date(s.due_date)))
        elif s.corrects is not None:
            items.append((t["corrected_invoice"], s.corrects.number))
        items.append((t["period"], t.period(s.period_start, s.period_end)))
        if not self.credit:
            items.append((t["ocr"], s.ocr))
        items.append((t["buyer_reference"], s.buyer_reference))
        if s.your_reference:
            items.append((t["your_reference"], s.your_reference))
        if s.our_reference:
            items.append((t["our_reference"], s.our_reference))
        per_row = 4
        cells = [[_p(_e(label).upper(), "label"), _p(f"<b>{_e(value)}</b>", "base")]
                 for label, value in items]
        while len(cells) % per_row:
            cells.append([_p("", "label"), _p("", "base")])
        data = []
        for start in range(0, len(cells), per_row):
            chunk = cells[start:start + per_row]
            data.append([c[0] for c in chunk])
            data.append([c[1] for c in chunk])
        wide = 52 * mm  # the last column holds the delivery period, the longest value
        table = Table(data, colWidths=[(CONTENT_WIDTH - wide) / (per_row - 1)] * (per_row - 1) + [wide])
        style = [
            ("BACKGROUND", (0, 0), (-1, -1), ACCENT_LIGHT),
            ("LEFTPADDING", (0, 0), (-1, -1), 7), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        for row in range(0, len(data), 2):
            style += [("TOPPADDING", (0, row), (-1, row), 6),
                      ("BOTTOMPADDING", (0, row + 1), (-1, row + 1), 6)]
        table.setStyle(_style(style))
        return table

    def correction_notice(self) -> list[Flowable]:
        if not (self.credit and self.s.corrects):
            return []
        text = self.t["corrects"].format(number=_e(self.s.corrects.number),
                                         date=_e(self.t.date(self.s.corrects.issue_date)))
        return [Spacer(1, 4 * mm), _p(text, "notice")]

    # -- lines and totals --------------------------------------------------------------------------
    def lines_table(self) -> Flowable:
        t = self.t
        widths = [CONTENT_WIDTH - 84 * mm, 18 * mm, 13 * mm, 25 * mm, 28 * mm]
        data: list[list[Any]] = [[
            _p(t["description"], "th"), _p(t["quantity"], "th_right"), _p(t["unit"], "th"),
            _p(t["unit_price"], "th_right"), _p(t["amount"], "th_right"),
        ]]
        for line in self.s.lines:
            detail = (f"{t['category']}: {_e(t.category(line.category))}" if line.ticket_id is not None
                      else _e(t.category(line.category)))
            if line.prepaid_hours_drawn:
                detail += " · " + t["prepaid"].format(hours=_e(t.hours(line.prepaid_hours_drawn)))
            # Single-line cells are plain strings: a Paragraph costs ~10x more to lay out and draw.
            data.append([
                [_p(_e(line.description), "base"), _p(detail, "muted")],
                t.hours(line.quantity),
                t["hour_unit"] if line.unit == "HUR" else t["piece_unit"] if line.unit == "C62" else line.unit,
                t.decimal(line.unit_price),
                t.money(line.amount, credit=self.credit),
            ])
        table = Table(data, colWidths=widths, repeatRows=1)
        style = [
            ("FONTSIZE", (0, 1), (-1, -1), 8.5), ("TEXTCOLOR", (0, 1), (-1, -1), INK),
            ("ALIGN", (1, 1), (1, -1), "RIGHT"), ("ALIGN", (3, 1), (4, -1), "RIGHT"),
            ("BACKGROUND", (0, 0), (-1, 0), ACCENT_LIGHT),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
            ("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
        style += [("BACKGROUND", (0, r), (-1, r), ZEBRA) for r in range(2, len(data), 2)]
        table.setStyle(_style(style))
        return table

    def totals(self) -> Flowable:
        s, t = self.s, self.t
        rows = [[_p(t["net"], "base"), _p(self.money(s.totals.net), "right")]]
        for vat in s.vat:
            label = t["vat_rate"].format(rate=_e(t.rate(vat.rate)))
            label += f" ({t['vat_base'].lower()} {self.money(vat.taxable_amount)})"
            if vat.category == "AE":
                label += f"<br/>{t['reverse_charge']}"
            rows.append([_p(label, "base"), _p(self.money(vat.tax_amount), "right")])
        if len(s.vat) > 1:
            rows.append([_p(t["vat"], "base"), _p(self.money(s.totals.vat), "right")])
        final = t["to_credit"] if self.credit else t["to_pay"]
        rows.append([_p(final, "total"), _p(self.money(s.totals.payable), "total_right")])
        table = Table(rows, colWidths=[70 * mm, 34 * mm], hAlign="RIGHT")
        table.setStyle(_style([
            ("LINEABOVE", (0, -1), (-1, -1), 1.2, ACCENT),
            ("BACKGROUND", (0, -1), (-1, -1), ACCENT_LIGHT),
            ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, -1), (-1, -1), 6), ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]))
        return table

    def payment(self) -> list[Flowable]:
        s, t = self.s, self.t
        terms = s.seller.late_payment_interest if t.lang == "sv" else s.seller.late_payment_interest_en
        if self.credit:
            return [_p(t["credit_text"], "base")]
        facts = [(t["bankgiro"], s.seller.bankgiro), (t["ocr"], s.ocr), (t["due_date"], t.date(s.due_date)),
                 (t["to_pay"], t.money(s.totals.payable))]
        data = [[_p(_e(label).upper(), "label") for label, _ in facts],
                [_p(f"<b>{_e(value)}</b>", "party") for _, value in facts]]
        box = Table(data, colWidths=[CONTENT_WIDTH / 4] * 4)
        box.setStyle(_style([
            ("BOX", (0, 0), (-1, -1), 1, ACCENT),
            ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, 0), 6), ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
            ("TOPPADDING", (0, 1), (-1, 1), 0), ("BOTTOMPADDING", (0, 0), (-1, 0), 1),
        ]))
        title = _p(t["payment"], "h2")
        return [KeepTogether([title, box, Spacer(1, 2 * mm), _p(_e(terms), "muted")])]

    def reverse_charge(self) -> list[Flowable]:
        if not self.s.reverse_charge:
            return []
        t, buyer = self.t, self.s.buyer
        text = f"<b>{t['reverse_charge']}.</b> {t['reverse_charge_text']}"
        if buyer.vat_number:
            text += f" {t['buyer_vat']}: {_e(buyer.vat_number)}."
        return [Spacer(1, 4 * mm), _p(text, "base")]

    # -- time specification ------------------------------------------------------------------------
    def time_specification(self) -> list[Flowable]:
        t = self.t
        if all(line.ticket_id is None for line in self.s.lines):
            return []  # subscriptions only: nothing was billed by the hour
        widths = [22 * mm, 34 * mm, 16 * mm, CONTENT_WIDTH - 72 * mm]
        data: list[list[Flowable | str]] = [[
            _p(t["work_date"], "th"), _p(t["staff"], "th"), _p(t["hours"], "th_right"), _p(t["work"], "th"),
        ]]
        style = [
            ("BACKGROUND", (0, 0), (-1, 0), ACCENT_LIGHT),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]
        for line in self.s.lines:
            if line.ticket_id is None:
                continue  # a subscription line is time-free: its text is its specification
            row = len(data)
            heading = (f"<b>{_e(line.description)}</b> <font color='#{MUTED.hexval()[2:]}'>·"
                       f" {t['billable_as']} {_e(t.category(line.category))}</font>")
            data.append([_p(heading, "base"), "", "", ""])
            style += [("SPAN", (0, row), (-1, row)), ("LINEABOVE", (0, row), (-1, row), 0.6, RULE),
                      ("TOPPADDING", (0, row), (-1, row), 6)]
            for entry in line.entries:
                work = entry.description
                if entry.category != line.category:
                    work += f" ({t.category(entry.category)})"
                data.append([
                    t.date(entry.work_date), _fit(entry.staff_name, widths[1]),
                    t.hours(entry.hours), _fit(work, widths[3]),
                ])
            total = sum((e.hours for e in line.entries), Decimal(0))
            style.append(("FONTNAME", (1, len(data)), (2, len(data)), FONT_BOLD))
            data.append(["", t["sum_hours"], t.hours(total), ""])
        style += [("FONTSIZE", (0, 1), (-1, -1), 7.5), ("TEXTCOLOR", (0, 1), (-1, -1), INK),
                  ("ALIGN", (2, 1), (2, -1), "RIGHT")]
        table = Table(data, colWidths=widths, repeatRows=1)
        table.setStyle(_style(style))
        heading = _p(t["time_spec"], "h2")
        heading.keepWithNext = True
        intro = _p(t["time_spec_intro"], "muted")
        intro.keepWithNext = True
        # Start on a new page rather than leave the heading alone at the foot of one.
        return [CondPageBreak(45 * mm), heading, intro, Spacer(1, 2 * mm), table]

    def story(self) -> list[Flowable]:
        story: list[Flowable] = [*self.header(), *self.correction_notice(), Spacer(1, 7 * mm),
                                 self.lines_table(), Spacer(1, 4 * mm), self.totals(), *self.reverse_charge()]
        if self.s.note:
            story += [Spacer(1, 4 * mm), _p(_e(self.s.note), "base")]
        story += [Spacer(1, 6 * mm), *self.payment(), Spacer(1, 8 * mm), *self.time_specification()]
        return story

    def footer_columns(self) -> list[list[str]]:
        seller, t = self.s.seller, self.t
        columns = [
            [seller.name, seller.street, f"{seller.postal_code} {seller.city}"],
            [t["org_nr"] + " " + _orgnr(seller.organisation_number or ""),
             t["vat_nr"] + " " + (seller.vat_number or ""), t["f_skatt"] if seller.f_skatt else ""],
            [f"{t['bankgiro']} {seller.bankgiro}", f"{t['email']} {seller.email or ''}",
             f"{t['phone']} {seller.phone}" if seller.phone else (seller.website or "")],
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
    decor = PageDecor(seller_name=snapshot.seller.name, title=title, number=snapshot.number,
                      footer_columns=document.footer_columns())
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN, bottomMargin=FOOTER_HEIGHT, title=f"{title} {snapshot.number}",
        author=snapshot.seller.name, subject=f"{title} {snapshot.number} – {snapshot.buyer.name}",
        creator="tripdesk", invariant=1, lang="sv-SE" if t.lang == "sv" else "en-GB",
    )
    bottom = FOOTER_HEIGHT + 2 * mm
    first = Frame(MARGIN, bottom, PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - BAND_HEIGHT - 8 * mm - bottom,
                  id="first", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    later = Frame(MARGIN, bottom, PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - 14 * mm - 8 * mm - bottom,
                  id="later", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([
        PageTemplate(id="First", frames=[first], onPage=decor.first_page, autoNextPageTemplate="Later"),
        PageTemplate(id="Later", frames=[later], onPage=decor.later_pages),
    ])
    stamp = f"D:{snapshot.issue_date:%Y%m%d}000000+00'00'"
    doc.build(document.story(),
              canvasmaker=numbered_canvas(lambda n, m: t["page"].format(page=n, pages=m), stamp))
    return buffer.getvalue()

