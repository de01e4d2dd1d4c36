"""A table that breaks across pages by the rules of a readable invoice (ReportLab splits anywhere).

Rules, checked at every page break (tests/invoices/test_pdf_layout.py reads them back from the PDF):
- the column header repeats on every page the table runs over;
- a group heading (a ticket in the time specification) is never the last row of a page: it keeps at least
  its first `min_with_heading` rows with it (all of them when the group is smaller), or moves to the next page;
- a group continued on a later page starts there with its heading again, marked "(forts.)"/"(cont.)";
- a subtotal row never starts a page: the row before it moves along;
- a `tail` (the totals under the lines table) is drawn under the last rows and never stands alone on a page:
  at least `min_with_tail` rows go with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from reportlab.platypus import Flowable, Table, TableStyle

RowKind = Literal["heading", "entry", "sum"]
PAGE_ROWS = 64  # rows measured at first for a page; doubled while they do not fill it


@dataclass
class Row:
    """One table row. `styles` are (command, first column, last column, *arguments) for this row only."""

    cells: list[Any]
    kind: RowKind = "entry"
    group: int = -1
    styles: list[tuple[Any, ...]] = field(default_factory=list)
    continued: Row | None = None  # a heading's repeat on a later page


class RuledTable(Flowable):
    def __init__(
        self,
        header: Row,
        rows: Sequence[Row],
        *,
        widths: Sequence[float],
        style: Sequence[tuple[Any, ...]],
        tail: Flowable | None = None,
        tail_gap: float = 0,
        min_with_heading: int = 2,
        min_with_tail: int = 2,
    ) -> None:
        super().__init__()
        self.header, self.rows, self.widths = header, list(rows), list(widths)
        self.style, self.tail, self.tail_gap = list(style), tail, tail_gap
        self.min_with_heading, self.min_with_tail = min_with_heading, min_with_tail
        self._pushed = False
        self._table: Table | None = None
        self._tail_size = (0.0, 0.0)

    def _build(self, rows: Sequence[Row]) -> Table:
        commands = list(self.style)
        for index, row in enumerate([self.header, *rows]):
            for name, first, last, *args in row.styles:
                commands.append((name, (first, index), (last, index), *args))
        table = Table([row.cells for row in [self.header, *rows]], colWidths=self.widths)
        table.setStyle(TableStyle(commands))
        return table

    def _copy(self, rows: Sequence[Row], *, tail: Flowable | None) -> RuledTable:
        return RuledTable(
            self.header,
            rows,
            widths=self.widths,
            style=self.style,
            tail=tail,
            tail_gap=self.tail_gap,
            min_with_heading=self.min_with_heading,
            min_with_tail=self.min_with_tail,
        )

    def _measure(self, avail_width: float, avail_height: float) -> Table:
        """A table of the leading rows, as many as fill `avail_height` (or all of them), wrapped: taller than
        `avail_height` when rows are left out. Row heights do not depend on other rows (the column widths are
        fixed), so a page is decided on its own rows: what a page break builds is bounded by a page, not by the
        whole table."""
        count = PAGE_ROWS
        while True:
            table = self._build(self.rows[:count])
            _, height = table.wrap(avail_width, avail_height)
            if count >= len(self.rows) or height > avail_height:
                return table
            count *= 2

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (ReportLab)
        self._table = self._measure(availWidth, availHeight)
        height = self._table._height  # noqa: SLF001 (known after wrap); over availHeight when rows are left out
        if self.tail is not None:
            self._tail_size = self.tail.wrap(availWidth, availHeight)
            height += self.tail_gap + self._tail_size[1]
        self.width, self.height = availWidth, height
        return availWidth, height

    def draw(self) -> None:
        assert self._table is not None
        tail_height = self.tail_gap + self._tail_size[1] if self.tail is not None else 0
        self._table.drawOn(self.canv, 0, tail_height)
        if self.tail is not None:
            self.tail.drawOn(self.canv, self.width - self._tail_size[0], 0)

    def _heading_before(self, n: int) -> int | None:
        group = self.rows[n - 1].group
        for index in range(n - 1, -1, -1):
            if self.rows[index].kind == "heading" and self.rows[index].group == group:
                return index
        return None

    def _legal(self, n: int) -> int:
        """The largest count ≤ n of leading rows that may end a page under the rules above."""
        while n > 0:
            before = n
            if self.tail is not None and len(self.rows) - n < min(self.min_with_tail, len(self.rows)):
                n = len(self.rows) - min(self.min_with_tail, len(self.rows))
            if 0 < n < len(self.rows) and self.rows[n].kind == "sum":
                n -= 1
            if n > 0:
                heading = self._heading_before(n)
                if heading is not None:
                    group = self.rows[heading].group
                    size = sum(1 for r in self.rows if r.group == group and r.kind == "entry")
                    here = sum(1 for r in self.rows[heading + 1 : n] if r.kind == "entry")
                    if here < min(self.min_with_heading, size):
                        n = heading
            if n == before:
                return n
        return 0

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 (ReportLab)
        table = self._measure(availWidth, availHeight)
        heights = table._rowHeights  # noqa: SLF001 (known after wrap)
        room, fitting = availHeight - heights[0], 0
        for height in heights[1:]:
            if height > room:
                break
            room -= height
            fitting += 1
        n = self._legal(fitting)
        if n <= 0:
            if not self._pushed:
                self._pushed = True  # try the next page, where the whole unit fits
                return []
            n = fitting  # even a fresh page is too small for the rules: split where it fits
            if n <= 0:
                return []
        rest = self.rows[n:]
        if rest and rest[0].kind != "heading":
            heading = self._heading_before(n)
            repeat = self.rows[heading].continued if heading is not None else None
            if repeat is not None:
                rest = [repeat, *rest]
        return [self._copy(self.rows[:n], tail=None), self._copy(rest, tail=self.tail)]
