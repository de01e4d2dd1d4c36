"""Page furniture of the invoice PDF: embedded fonts, styles, header band, footer and "Sida N av M".

Fonts are the Bitstream Vera TrueType fonts that ReportLab ships (reportlab/fonts, Bitstream Vera licence:
free to embed and redistribute), embedded as subsets so å ä ö render and extract everywhere. The page
count needs the whole document first, so the canvas keeps each page's state and draws the page numbers
when it is saved (a two-pass canvas); nothing on a page depends on the clock, so the same snapshot gives
the same bytes (ReportLab's invariant mode, creation date = the issue date).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
BAND_HEIGHT = 30 * mm
FOOTER_HEIGHT = 24 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

INK = colors.HexColor("#1d2530")
MUTED = colors.HexColor("#5d6b7a")
ACCENT = colors.HexColor("#1f3a5f")
ACCENT_LIGHT = colors.HexColor("#e8eef5")
RULE = colors.HexColor("#c9d2dc")
ZEBRA = colors.HexColor("#f6f8fa")

FONT = "Vera"
FONT_BOLD = "Vera-Bold"
FONT_ITALIC = "Vera-Italic"


@functools.lru_cache(maxsize=1)
def register_fonts() -> None:
    """Register the TrueType fonts once per process (TTFont parsing is the slow part)."""
    pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, "VeraBd.ttf"))
    pdfmetrics.registerFont(TTFont(FONT_ITALIC, "VeraIt.ttf"))
    pdfmetrics.registerFont(TTFont("Vera-BoldItalic", "VeraBI.ttf"))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic="Vera-BoldItalic")


@functools.lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=8.5, leading=11, textColor=INK)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5),
        "muted": ParagraphStyle("muted", parent=base, fontSize=7.5, leading=9.5, textColor=MUTED),
        "label": ParagraphStyle("label", parent=base, fontSize=7, leading=9, textColor=MUTED),
        "party": ParagraphStyle("party", parent=base, fontSize=10, leading=13.5),
        "party_name": ParagraphStyle("party_name", parent=base, fontName=FONT_BOLD, fontSize=10.5, leading=14),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=11,
            leading=14,
            textColor=ACCENT,
            spaceBefore=4,
            spaceAfter=4,
        ),
        "th": ParagraphStyle("th", parent=base, fontName=FONT_BOLD, fontSize=7.5, leading=9.5, textColor=ACCENT),
        "th_right": ParagraphStyle(
            "th_right", parent=base, fontName=FONT_BOLD, fontSize=7.5, leading=9.5, textColor=ACCENT, alignment=TA_RIGHT
        ),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "small_right": ParagraphStyle("small_right", parent=base, fontSize=7.5, leading=9.5, alignment=TA_RIGHT),
        "total": ParagraphStyle("total", parent=base, fontName=FONT_BOLD, fontSize=11, leading=14),
        "total_right": ParagraphStyle(
            "total_right", parent=base, fontName=FONT_BOLD, fontSize=11, leading=14, alignment=TA_RIGHT
        ),
        "notice": ParagraphStyle("notice", parent=base, fontName=FONT_BOLD, fontSize=9.5, leading=12, textColor=ACCENT),
    }


class PageDecor:
    """Draws the header band and footer on every page; the numbering is left to NumberedCanvas."""

    def __init__(self, *, seller_name: str, title: str, number: str, footer_columns: list[list[str]]) -> None:
        self.seller_name = seller_name
        self.title = title
        self.number = number
        self.footer_columns = footer_columns

    def first_page(self, canvas: Canvas, doc: Any) -> None:
        self._band(canvas, height=BAND_HEIGHT, big=True)
        self._footer(canvas)

    def later_pages(self, canvas: Canvas, doc: Any) -> None:
        self._band(canvas, height=14 * mm, big=False)
        self._footer(canvas)

    def _band(self, canvas: Canvas, *, height: float, big: bool) -> None:
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.rect(0, PAGE_HEIGHT - height, PAGE_WIDTH, height, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        baseline = PAGE_HEIGHT - height / 2 - (6 if big else 3.5)
        canvas.setFont(FONT_BOLD, 17 if big else 11)
        canvas.drawString(MARGIN, baseline, self.seller_name)
        canvas.setFont(FONT_BOLD, 17 if big else 11)
        right = f"{self.title}" if big else f"{self.title} {self.number}"
        canvas.drawRightString(PAGE_WIDTH - MARGIN, baseline, right.upper() if big else right)
        canvas.restoreState()

    def _footer(self, canvas: Canvas) -> None:
        canvas.saveState()
        top = FOOTER_HEIGHT - 2 * mm
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, top, PAGE_WIDTH - MARGIN, top)
        column_width = CONTENT_WIDTH / max(1, len(self.footer_columns))
        for i, column in enumerate(self.footer_columns):
            x = MARGIN + i * column_width
            y = top - 10
            for j, text in enumerate(column):
                canvas.setFont(FONT_BOLD if j == 0 else FONT, 7)
                canvas.setFillColor(INK if j == 0 else MUTED)
                canvas.drawString(x, y, text)
                y -= 9
        canvas.restoreState()


def numbered_canvas(page_label: Callable[[int, int], str], date_stamp: str) -> type[Canvas]:
    """A canvas class that writes "Sida N av M" on every page once the page count M is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["invariant"] = 1
            kwargs["initialFontName"] = FONT  # else ReportLab references (unembedded) Helvetica
            kwargs["initialFontSize"] = 8.5
            super().__init__(*args, **kwargs)
            self.setDateFormatter(lambda *_: date_stamp)
            self._saved_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved_pages)
            for state in self._saved_pages:
                self.__dict__.update(state)
                self.saveState()
                self.setFont(FONT, 7)
                self.setFillColor(MUTED)
                self.drawRightString(PAGE_WIDTH - MARGIN, 7 * mm, page_label(self._pageNumber, total))
                self.restoreState()
                super().showPage()
            super().save()

    return NumberedCanvas
