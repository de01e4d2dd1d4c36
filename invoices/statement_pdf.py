"""The customer statement (kontoutdrag) as PDF: a pure function of the statement read model → bytes
(ReportLab, the invoice's fonts and colours). Swedish or English by the organisation's language."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from billing.settings import get_billing_settings
from billing.statements import Statement
from invoices.pdf_layout import ACCENT_LIGHT, FONT_BOLD, RULE, styles
from invoices.pdf_texts import Texts

WORDS = {
    "sv": {
        "title": "Kontoutdrag",
        "as_of": "Per",
        "invoice": "Faktura",
        "credit_note": "Kreditfaktura",
        "number": "Nummer",
        "date": "Datum",
        "due": "Förfaller",
        "amount": "Belopp",
        "credited": "Krediterat",
        "paid": "Betalt",
        "open": "Kvar",
        "payments": "Betalningar",
        "document": "Dokument",
        "invoiced": "Fakturerat",
        "balance": "Att betala",
        "overdue": "varav förfallet",
        "none": "Inga",
        "bankgiro": "Bankgiro",
    },
    "en": {
        "title": "Statement of account",
        "as_of": "As of",
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "number": "Number",
        "date": "Date",
        "due": "Due",
        "amount": "Amount",
        "credited": "Credited",
        "paid": "Paid",
        "open": "Open",
        "payments": "Payments",
        "document": "Document",
        "invoiced": "Invoiced",
        "balance": "Balance due",
        "overdue": "of which overdue",
        "none": "None",
        "bankgiro": "Bankgiro",
    },
}


def render_statement_pdf(statement: Statement) -> bytes:
    lang = statement.language if statement.language in WORDS else "sv"
    w, texts, st = WORDS[lang], Texts(lang), styles()
    seller = get_billing_settings()

    def p(text: str, style: str = "base") -> Paragraph:
        return Paragraph(escape(text), st[style])

    def table(rows: list[list[Paragraph]], widths: list[float]) -> Table:
        t = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), ACCENT_LIGHT),
                    ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
                ]
            )
        )
        return t

    story = [
        p(f"{w['title']} – {statement.organisation_name}", "h2"),
        p(
            f"{seller.seller_name} · {w['as_of']} {texts.date(statement.as_of)} · "
            f"{w['bankgiro']} {seller.seller_bankgiro}",
            "muted",
        ),
        Spacer(1, 4 * mm),
    ]
    rows = [
        [p(w[h], "th") for h in ("document", "number", "date", "due")]
        + [p(w[h], "th_right") for h in ("amount", "credited", "paid", "open")]
    ]
    for d in statement.documents:
        credit = d.kind.value == "credit_note"
        rows.append(
            [
                p(w[d.kind.value]),
                p(d.number or ""),
                p(texts.date(d.issue_date) if d.issue_date else ""),
                p(texts.date(d.due_date) if d.due_date and not credit else ""),
                p(texts.decimal(d.gross, credit=credit), "right"),
                p("" if credit else texts.decimal(d.credited), "right"),
                p("" if credit else texts.decimal(d.paid), "right"),
                p("" if credit else texts.decimal(d.open), "right"),
            ]
        )
    story.append(table(rows, [25 * mm, 25 * mm, 21 * mm, 21 * mm, 21 * mm, 21 * mm, 20 * mm, 20 * mm]))
    story += [Spacer(1, 5 * mm), p(w["payments"], "h2")]
    pay_rows = [[p(w["date"], "th"), p(w["invoice"], "th"), p(w["amount"], "th_right")]]
    pay_rows += [
        [p(texts.date(x.date)), p(x.invoice_number or ""), p(texts.decimal(x.amount), "right")]
        for x in statement.payments
    ]
    story.append(table(pay_rows, [30 * mm, 40 * mm, 30 * mm]) if statement.payments else p(w["none"], "muted"))
    story += [Spacer(1, 6 * mm)]
    totals = [
        [p(w["invoiced"]), p(texts.money(statement.invoiced), "right")],
        [p(w["credited"]), p(texts.money(-statement.credited), "right")],
        [p(w["paid"]), p(texts.money(-statement.paid), "right")],
        [p(w["balance"], "total"), p(texts.money(statement.balance), "total_right")],
        [p(w["overdue"], "muted"), p(texts.money(statement.overdue), "small_right")],
    ]
    story.append(Table(totals, colWidths=[60 * mm, 40 * mm], hAlign="RIGHT"))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{w['title']} {statement.organisation_name}",
        author=seller.seller_name,
        invariant=1,
    )
    doc.build(story)
    return buffer.getvalue()
