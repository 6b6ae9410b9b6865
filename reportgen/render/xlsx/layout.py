"""Sheet layout: table columns (looked up by header), styled Excel Tables, row heights
from the text a row holds, and titled blocks of rows (Summary, Legend, Metadata)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, NamedStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from .cells import TEXT, cell_at, clean, put, write
from .styles import (
    BLOCK_FONT,
    BOLD,
    BOX,
    COLUMN_ALIGNMENTS,
    HEADER_FILL,
    HEADER_FONT,
    LINE_HEIGHT,
    SUBHEADER_FILL,
    TABLE_STYLE,
    TITLE_FONT,
    WRAP,
    WRAP_LEFT,
)


def column_style(wb: Workbook, column: Column) -> str:
    """A named cell style for a table column's data cells (number format and alignment),
    registered once per workbook. Assigning it sets every attribute in one step; setting
    alignment and number format per cell made openpyxl hash both for every cell, about a
    third of the workbooks' Python function calls (cProfile)."""
    kind = "wrap" if column.wrap else "center" if column.center else "top"
    name = f"reportgen {'text' if column.text else 'value'} {kind}"
    if name not in wb.named_styles:
        style = NamedStyle(name=name, alignment=copy(COLUMN_ALIGNMENTS[kind]), hidden=True)
        if column.text:
            style.number_format = TEXT
        wb.add_named_style(style)
    return name


def text_lines(text: str, width: float, *, bold: bool = False) -> int:
    """Estimated wrapped lines of ``text`` in a column ``width`` characters wide.

    Excel does not grow a row for wrapped text it did not lay out itself, so rows get an
    explicit height from this estimate (proportional text fits ~1.25 characters per width
    unit, bold ~1.0).
    """
    per_line = max(1, int(width * (1.0 if bold else 1.25)) - 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n")) if text else 1


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: float
    wrap: bool = False
    center: bool = False
    text: bool = True


def column_number(columns: Sequence[Column], header: str) -> int:
    """The 1-based column of ``header`` in a table laid out as ``columns``."""
    for c, column in enumerate(columns, start=1):
        if column.header == header:
            return c
    raise KeyError(header)


def column_letter(columns: Sequence[Column], header: str) -> str:
    """The column letter of ``header`` in a table laid out as ``columns``."""
    return get_column_letter(column_number(columns, header))


def column_range(columns: Sequence[Column], first: str, last: str, rows: tuple[int, int]) -> str:
    """``A2:D9``: the cells from column ``first`` to column ``last`` (headers), in ``rows``."""
    top, bottom = rows
    return f"{column_letter(columns, first)}{top}:{column_letter(columns, last)}{bottom}"


def table_sheet(
    ws: Worksheet,
    name: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    freeze: str = "A2",
) -> int:
    """Header + rows as a styled Excel Table with autofilter and a frozen header row.

    Returns the last row of the table. An empty table keeps one blank row (Excel cannot open a
    table without a data row).
    """
    for c, column in enumerate(columns, start=1):
        cell = put(ws, 1, c, column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = column.width
    wb = ws.parent
    assert wb is not None
    styles = [column_style(wb, column) for column in columns]
    for r, values in enumerate(rows, start=2):
        lines = 1
        for c, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            cell = cell_at(ws, r, c)
            cell.style = styles[c - 1]
            write(cell, value)
            if column.wrap and isinstance(value, str):
                lines = max(lines, text_lines(value, column.width))
        if lines > 1:
            ws.row_dimensions[r].height = lines * LINE_HEIGHT
    header_lines = max(text_lines(c.header, c.width, bold=True) for c in columns)
    ws.row_dimensions[1].height = max(2, header_lines) * LINE_HEIGHT
    last = max(2, len(rows) + 1)
    table = Table(displayName=name, ref=f"A1:{get_column_letter(len(columns))}{last}")
    table.tableStyleInfo = TableStyleInfo(
        name=TABLE_STYLE, showRowStripes=True, showColumnStripes=False
    )
    ws.add_table(table)
    ws.freeze_panes = freeze
    ws.print_title_rows = "1:1"
    return last


def table_headers(base: Sequence[str], extra: Iterable[str]) -> list[str]:
    """``base`` plus ``extra`` headers made unique and single-line (Table column names)."""
    seen = {h.casefold() for h in base}
    out = list(base)
    for header in extra:
        name = re.sub(r"\s+", " ", clean(header)).strip() or "Column"
        candidate, n = name, 1
        while candidate.casefold() in seen:
            n += 1
            candidate = f"{name} ({n})"
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


# --- Summary -----------------------------------------------------------------------------


class Blocks:
    """Writes titled blocks of rows down a sheet."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 1

    def title(self, text: str) -> None:
        put(self.ws, self.row, 1, text).font = TITLE_FONT
        self.row += 2

    def block(
        self,
        title: str,
        header: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        left: bool = False,
        total: bool = False,
    ) -> None:
        """A titled block; ``left`` aligns numbers left (key/value lists), ``total`` makes the
        last row bold."""
        put(self.ws, self.row, 1, title).font = BLOCK_FONT
        self.row += 1
        widths = [self.ws.column_dimensions[get_column_letter(c)].width or 10 for c in range(1, 16)]
        header_lines = max(text_lines(t, widths[c], bold=True) for c, t in enumerate(header[:15]))
        if header_lines > 1:
            self.ws.row_dimensions[self.row].height = header_lines * LINE_HEIGHT
        for c, text in enumerate(header, start=1):
            cell = put(self.ws, self.row, c, text)
            cell.font = BOLD
            cell.fill = SUBHEADER_FILL
            cell.border = BOX
            cell.alignment = WRAP
        self.row += 1
        first = self.row
        for values in rows:
            lines = 1
            for c, value in enumerate(values, start=1):
                cell = put(self.ws, self.row, c, value, text=isinstance(value, str))
                cell.border = BOX
                cell.alignment = WRAP_LEFT if left else WRAP
                if isinstance(value, str) and c <= len(widths):
                    lines = max(lines, text_lines(value, widths[c - 1]))
            if lines > 1:
                self.ws.row_dimensions[self.row].height = lines * LINE_HEIGHT
            self.row += 1
        if total and self.row > first:
            for c in range(1, len(header) + 1):
                self.ws.cell(row=self.row - 1, column=c).font = BOLD
        self.row += 1
