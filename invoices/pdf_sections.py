"""The long parts of the invoice PDF: the lines with the totals under them, the time specification and the
prepaid-hours statement. They run over pages by the rules of invoices/pdf_flow.py.

Amount columns are as wide as their widest value (at least their usual width), so a total such as
"9 999 999,99 kr" or "20,525.00 SEK" is never wrapped; the description column gives up the room.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table, TableStyle

from billing.snapshot import DocumentKind, InvoiceSnapshot
from invoices.pdf_flow import Row, RuledTable
from invoices.pdf_layout import ACCENT, ACCENT_LIGHT, CONTENT_WIDTH, FONT, FONT_BOLD, INK, MUTED, RULE, ZEBRA, styles
from invoices.pdf_texts import Texts

PADDING = 12  # ReportLab's default cell padding, 6 pt each side


def p(text: str, style: str) -> Paragraph:
    return Paragraph(text, styles()[style])


def e(text: str | None) -> str:
    return escape(text or "")


def table_style(commands: Sequence[tuple[Any, ...]]) -> TableStyle:
    """Table style with the embedded font as cell font (ReportLab's default would pull in Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def fit(text: str, width: float, style: str = "small") -> str | Paragraph:
    """A plain string when it fits on one line of the cell (cheap), else a wrapping Paragraph."""
    st = styles()[style]
    if stringWidth(text, st.fontName, st.fontSize) <= width - PADDING:
        return text
    return Paragraph(escape(text), st)


def column_width(texts: Sequence[str], *, font: str = FONT, size: float = 8.5, least: float = 0) -> float:
    """Room for the widest text on one line (plus cell padding), at least `least`."""
    widest = max((stringWidth(text, font, size) for text in texts), default=0)
    return max(least, widest + PADDING + 2)


def lines_with_totals(snapshot: InvoiceSnapshot, t: Texts) -> Flowable:
    """The invoice lines; the totals block hangs under the last lines and never stands alone on a page."""
    credit = snapshot.kind == DocumentKind.credit_note
    quantities = [t.hours(line.quantity) for line in snapshot.lines]
    prices = [t.decimal(line.unit_price) for line in snapshot.lines]
    amounts = [t.money(line.amount, credit=credit) for line in snapshot.lines]
    header_size = styles()["th"].fontSize
    widths = [
        0.0,
        column_width(quantities, least=max(18 * mm, stringWidth(t["quantity"], FONT_BOLD, header_size) + PADDING)),
        13 * mm,
        column_width(prices, least=25 * mm),
        column_width(amounts, least=28 * mm),
    ]
    widths[0] = CONTENT_WIDTH - sum(widths[1:])
    header = Row(
        [
            p(t["description"], "th"),
            p(t["quantity"], "th_right"),
            p(t["unit"], "th"),
            p(t["unit_price"], "th_right"),
            p(t["amount"], "th_right"),
        ],
        styles=[("BACKGROUND", 0, -1, ACCENT_LIGHT), ("LINEBELOW", 0, -1, 0.8, ACCENT)],
    )
    rows = []
    for n, (line, quantity, price, amount) in enumerate(zip(snapshot.lines, quantities, prices, amounts, strict=True)):
        detail = (
            f"{t['category']}: {e(t.category(line.category))}"
            if line.ticket_id is not None
            else e(t.category(line.category))
        )  # a subscription line: "invoiced in advance"
        if line.prepaid_hours_drawn:
            detail += " · " + t["prepaid"].format(hours=e(t.hours(line.prepaid_hours_drawn)))
        # Single-line cells are plain strings: a Paragraph costs ~10x more to lay out and draw.
        rows.append(
            Row(
                [
                    [p(e(line.description), "base"), p(detail, "muted")],
                    quantity,
                    t["hour_unit"] if line.unit == "HUR" else t["piece_unit"] if line.unit == "C62" else line.unit,
                    price,
                    amount,
                ],
                styles=[("BACKGROUND", 0, -1, ZEBRA)] if n % 2 else [],
            )
        )
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 1), (-1, -1), 8.5),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("ALIGN", (1, 1), (1, -1), "RIGHT"),
        ("ALIGN", (3, 1), (4, -1), "RIGHT"),
        ("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    return RuledTable(header, rows, widths=widths, style=style, tail=totals(snapshot, t), tail_gap=4 * mm)


def totals(snapshot: InvoiceSnapshot, t: Texts) -> Table:
    credit = snapshot.kind == DocumentKind.credit_note

    def money(value: Decimal) -> str:
        return e(t.money(value, credit=credit))

    rows = [[p(t["net"], "base"), p(money(snapshot.totals.net), "right")]]
    for vat in snapshot.vat:
        if vat.category in ("O", "E"):
            label = t["outside_scope" if vat.category == "O" else "late_charges_vat"]
            label += f" ({t['vat_base'].lower()} {money(vat.taxable_amount)})"
        else:
            label = t["vat_rate"].format(rate=e(t.rate(vat.rate)))
            label += f" ({t['vat_base'].lower()} {money(vat.taxable_amount)})"
        if vat.category == "AE":
            label += f"<br/>{t['reverse_charge']}"
        rows.append([p(label, "base"), p(money(vat.tax_amount), "right")])
    if len(snapshot.vat) > 1:
        rows.append([p(t["vat"], "base"), p(money(snapshot.totals.vat), "right")])
    final = t["to_credit"] if credit else t["to_pay"]
    rows.append([p(final, "total"), p(money(snapshot.totals.payable), "total_right")])
    values = [t.money(v, credit=credit) for v in (snapshot.totals.net, snapshot.totals.vat)]
    value_width = max(
        column_width(values, least=34 * mm),
        column_width([t.money(snapshot.totals.payable, credit=credit)], font=FONT_BOLD, size=11),
    )
    table = Table(rows, colWidths=[min(78 * mm, CONTENT_WIDTH - value_width), value_width], hAlign="RIGHT")
    table.setStyle(
        table_style(
            [
                ("LINEABOVE", (0, -1), (-1, -1), 1.2, ACCENT),
                ("BACKGROUND", (0, -1), (-1, -1), ACCENT_LIGHT),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, -1), (-1, -1), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def time_specification(snapshot: InvoiceSnapshot, t: Texts) -> list[Flowable]:
    """Per line (ticket) its time entries and their sum. A ticket continued on the next page repeats its
    heading there; a heading never ends a page alone; a sum never starts one. Subscription lines are
    time-free: an invoice of subscriptions only has no time specification."""
    if all(line.ticket_id is None for line in snapshot.lines):
        return []
    widths = [22 * mm, 34 * mm, 16 * mm, CONTENT_WIDTH - 72 * mm]
    header = Row(
        [p(t["work_date"], "th"), p(t["staff"], "th"), p(t["hours"], "th_right"), p(t["work"], "th")],
        styles=[("BACKGROUND", 0, -1, ACCENT_LIGHT), ("LINEBELOW", 0, -1, 0.8, ACCENT)],
    )
    heading_styles: list[tuple[Any, ...]] = [("SPAN", 0, -1), ("LINEABOVE", 0, -1, 0.6, RULE), ("TOPPADDING", 0, -1, 6)]
    rows: list[Row] = []
    for group, line in enumerate(snapshot.lines):
        if line.ticket_id is None:
            continue  # a subscription line is time-free: its text is its specification
        muted = f"<font color='#{MUTED.hexval()[2:]}'>· {t['billable_as']} {e(t.category(line.category))}</font>"
        heading = f"<b>{e(line.description)}</b> {muted}"
        again = f"<b>{e(line.description)}</b> ({t['continued']}) {muted}"
        repeat = Row([p(again, "base"), "", "", ""], kind="heading", group=group, styles=heading_styles)
        repeat.continued = repeat  # a ticket may run over several pages
        rows.append(
            Row([p(heading, "base"), "", "", ""], kind="heading", group=group, styles=heading_styles, continued=repeat)
        )
        for entry in line.entries:
            work = entry.description
            if entry.category != line.category:
                work += f" ({t.category(entry.category)})"
            rows.append(
                Row(
                    [
                        t.date(entry.work_date),
                        fit(entry.staff_name, widths[1]),
                        t.hours(entry.hours),
                        fit(work, widths[3]),
                    ],
                    group=group,
                )
            )
        total = sum((entry.hours for entry in line.entries), Decimal(0))
        rows.append(
            Row(
                ["", t["sum_hours"], t.hours(total), ""],
                kind="sum",
                group=group,
                styles=[("FONTNAME", 1, 2, FONT_BOLD)],
            )
        )
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("FONTSIZE", (0, 1), (-1, -1), 7.5),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("ALIGN", (2, 1), (2, -1), "RIGHT"),
    ]
    heading = p(t["time_spec"], "h2")
    heading.keepWithNext = True
    intro = p(t["time_spec_intro"], "muted")
    intro.keepWithNext = True
    # Start on a new page rather than leave the heading alone at the foot of one.
    return [
        CondPageBreak(45 * mm),
        heading,
        intro,
        Spacer(1, 2 * mm),
        RuledTable(header, rows, widths=widths, style=style),
    ]


def prepaid_statement(snapshot: InvoiceSnapshot, t: Texts) -> list[Flowable]:
    """Per prepaid package this invoice drew from: hours drawn now and hours left."""
    if not snapshot.prepaid:
        return []
    data: list[list[Any]] = [
        [
            p(t["prepaid_package"], "th"),
            p(t["valid_until"], "th"),
            p(t["prepaid_drawn"], "th_right"),
            p(t["prepaid_left"], "th_right"),
        ]
    ]
    for balance in snapshot.prepaid:
        data.append(
            [
                fit(balance.package, CONTENT_WIDTH - 110 * mm, "base"),
                t.date(balance.valid_until),
                t.hours(balance.drawn_hours),
                t.hours(balance.remaining_hours),
            ]
        )
    table = Table(data, colWidths=[CONTENT_WIDTH - 110 * mm, 30 * mm, 40 * mm, 40 * mm])
    table.setStyle(
        table_style(
            [
                ("BACKGROUND", (0, 0), (-1, 0), ACCENT_LIGHT),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                ("FONTSIZE", (0, 1), (-1, -1), 8.5),
                ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE),
            ]
        )
    )
    title = p(t["prepaid_statement"], "h2")
    title.keepWithNext = True
    return [Spacer(1, 6 * mm), title, table]
