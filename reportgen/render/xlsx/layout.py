"""Sheet layout: table columns (looked up by header), styled Excel Tables, row heights
from the text a row holds, and titled blocks of rows (Summary, Legend, Metadata)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from copy import copy
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, NamedStyle
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from .cells import (
    LINK_FONT,
    TEXT,
    Link,
    cell_at,
    clean,
    fresh_cell,
    put,
    style_array,
    styled_cell,
    write,
)
from .styles import (
    BLOCK_FONT,
    BODY_FONT,
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

_COLUMN_STYLES: WeakKeyDictionary[Workbook, dict[str, NamedStyle]] = WeakKeyDictionary()
"""The named styles ``column_style`` registered, per workbook, by name."""


def column_style(wb: Workbook, column: Column, *, link: bool = False) -> NamedStyle:
    """A named cell style for a table column's data cells (number format and alignment),
    registered once per workbook. Assigning it sets every attribute in one step; setting
    alignment and number format per cell made openpyxl hash both for every cell, about a
    third of the workbooks' Python function calls (cProfile).

    The style object itself is returned (``styled_cell`` copies its style array into a
    cell): assigning it by name made openpyxl look the name up in a list for every cell."""
    kind = "wrap" if column.wrap else "center" if column.center else "top"
    name = f"reportgen {'text' if column.text else 'value'} {kind}{' link' if link else ''}"
    registered = _COLUMN_STYLES.setdefault(wb, {})
    style = registered.get(name)
    if style is None:
        style = NamedStyle(
            name=name,
            alignment=copy(COLUMN_ALIGNMENTS[kind]),
            font=copy(LINK_FONT if link else BODY_FONT),  # unnamed, LibreOffice shows a serif
            hidden=True,
        )
        if column.text:
            style.number_format = TEXT
        wb.add_named_style(style)
        registered[name] = style
    return style


_NARROW = frozenset(" .,;:!|'()[]/\\-ijlft1")
_WIDE = frozenset("MW@%mw")


@lru_cache(maxsize=8192)
def text_width(text: str, *, bold: bool = False) -> float:
    """The width of one line of ``text`` in column-width units (the width of a ``0`` in the
    default 11 pt font), an estimate that errs on the wide side.

    Capitals are wider than the ``0`` a column width counts in: ``DATASTORE-NOAUTH:S1.2``
    needs about 22 units, not 21, so rows sized at one unit per character overprinted.
    """
    width = 0.0
    for ch in text:
        if ch in _NARROW:
            width += 0.55
        elif ch in _WIDE:
            width += 1.45
        elif ch.isupper():
            width += 1.2
        else:
            width += 1.0
    return width * (1.1 if bold else 1.0)


_WORDS = re.compile(r"[^\s-]*-|\S+|\s+")
"""A paragraph's words (with a hyphen they end at) and the spaces between them."""


@lru_cache(maxsize=16384)
def text_lines(text: str, width: float, *, bold: bool = False) -> int:
    """Lines ``text`` takes when wrapped in a column ``width`` units wide.

    Excel does not grow a row for wrapped text it did not lay out itself, so rows get an
    explicit height from this count. It wraps as spreadsheets do (at spaces and after a
    hyphen; a word longer than the line is broken), with one unit of cell padding.

    Cached: the workbook per section and the combined one size the same texts.
    """
    if not text:
        return 1
    room = max(1.0, width - 1.2)
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0.0
        for word in _WORDS.findall(paragraph):
            size = text_width(word, bold=bold)
            if word.isspace():
                used += size
                continue
            if used + size <= room:
                used += size
                continue
            if used > 0:
                lines += 1
            while size > room:  # a word wider than the line is broken inside
                lines += 1
                size -= room
            used = size
        total += lines
    return total


def fitted_width(values: Iterable[object], minimum: float, maximum: float = 60) -> float:
    """A column width that shows the longest line of ``values`` unwrapped (within limits)."""
    widest = max(
        (text_width(line) for v in values if v is not None for line in str(v).split("\n")),
        default=0.0,
    )
    return round(min(maximum, max(minimum, widest + 2)), 1)


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: float
    """The minimum width; a ``fit`` column grows to its longest line."""
    wrap: bool = False
    center: bool = False
    text: bool = True
    fit: bool = False
    """Widen the column so that no line of its values is cut off or wrapped (ids, codes)."""


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


def drop_down(
    ws: Worksheet,
    cells: str,
    values: Sequence[str],
    title: str,
    error: str = "",
    prompt: str = "",
) -> DataValidation:
    """A list validation (a drop-down of ``values``) on ``cells`` (``M2:M40``), with an
    input message when ``prompt`` is given."""
    choice = DataValidation(
        type="list",
        formula1='"' + ",".join(values) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=title,
        error=error or "Choose a value from the list.",
    )
    if prompt:
        choice.promptTitle, choice.prompt, choice.showInputMessage = title, prompt, True
    choice.add(cells)
    ws.add_data_validation(choice)
    return choice


def row_rules(ws: Worksheet, target: str, rules: Iterable[tuple[str, Any, Any]]) -> None:
    """Conditional formats on ``target``, each ``(formula, fill, font)``, the first that
    matches wins (they survive sorting and filtering, unlike fills set per cell)."""
    for formula, fill, font in rules:
        ws.conditional_formatting.add(
            target,
            FormulaRule(  # type: ignore[no-untyped-call]
                formula=[formula], fill=fill, font=font, stopIfTrue=True
            ),
        )


def _same(text: str) -> str:
    return text


def _unique(headers: Sequence[str]) -> list[str]:
    """Headers as Excel Table column names: two that a translation made equal get ``(2)``."""
    seen: set[str] = set()
    return [_unique_name(header, seen) for header in headers]


def _unique_name(name: str, seen: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)`` … when ``seen`` (casefolded) has it; the result
    is added to ``seen``. Excel compares table column names without case."""
    candidate, n = name, 1
    while candidate.casefold() in seen:
        n += 1
        candidate = f"{name} ({n})"
    seen.add(candidate.casefold())
    return candidate


def table_sheet(
    ws: Worksheet,
    name: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    freeze: str = "A2",
    gettext: Callable[[str], str] = _same,
) -> int:
    """Header + rows as a styled Excel Table with autofilter and a frozen header row. The
    headers are printed through ``gettext`` (the workbook's language); code looks columns up
    by their English header.

    Returns the last row of the table. An empty table keeps one blank row (Excel cannot open a
    table without a data row).
    """
    columns = [
        replace(column, width=fitted_width((row[c] for row in rows), column.width))
        if column.fit
        else column
        for c, column in enumerate(columns)
    ]
    headers = _unique([gettext(column.header) for column in columns])
    # The header cells (all text) share one style: the first new one is styled attribute by
    # attribute, the next ones get a copy of its style array (the quote prefix is write's).
    header_style: StyleArray | None = None
    for c, column in enumerate(columns, start=1):
        fresh = None if header_style is None else fresh_cell(ws, 1, c, header_style)
        if fresh is not None:
            write(fresh, headers[c - 1])
        else:
            new = (1, c) not in ws._cells
            cell = put(ws, 1, c, headers[c - 1])
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            if new and header_style is None:
                header_style = style_array(cell)
        ws.column_dimensions[get_column_letter(c)].width = column.width
    wb = ws.parent
    assert wb is not None
    styles = [column_style(wb, column) for column in columns]
    link_styles = [column_style(wb, column, link=True) for column in columns]
    for r, values in enumerate(rows, start=2):
        lines = 1
        for c, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            cell = styled_cell(
                ws, r, c, (link_styles if isinstance(value, Link) else styles)[c - 1]
            )
            write(cell, value)
            if column.wrap and isinstance(value, str | Link):
                lines = max(lines, text_lines(str(value), column.width))
        if lines > 1:
            ws.row_dimensions[r].height = lines * LINE_HEIGHT
    header_lines = max(
        text_lines(h, c.width, bold=True) for h, c in zip(headers, columns, strict=True)
    )
    ws.row_dimensions[1].height = max(2, header_lines) * LINE_HEIGHT
    last = max(2, len(rows) + 1)
    ref = f"A1:{get_column_letter(len(columns))}{last}"
    # The columns and filter openpyxl's writer would give the table (write_tables), named by
    # the header cells: it read them from ws[ref], every cell of the table.
    table_columns = [
        TableColumn(id=c, name=str(cell_at(ws, 1, c).value)) for c in range(1, len(columns) + 1)
    ]
    table = Table(
        displayName=name, ref=ref, tableColumns=table_columns, autoFilter=AutoFilter(ref=ref)
    )
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
    return [
        *base,
        *(_unique_name(re.sub(r"\s+", " ", clean(h)).strip() or "Column", seen) for h in extra),
    ]


# --- Summary -----------------------------------------------------------------------------


class Blocks:
    """Writes titled blocks of rows down a sheet."""

    def __init__(self, ws: Worksheet, gettext: Callable[[str], str] = _same) -> None:
        self.ws = ws
        self.row = 1
        self._ = gettext
        self._styles: dict[tuple[object, ...], StyleArray] = {}

    def title(self, text: str) -> None:
        put(self.ws, self.row, 1, self._(text)).font = TITLE_FONT
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
        last row bold. The title, the header and a row's first cell (its label) are printed
        through ``gettext``: a label that is not a msgid (data) stays as it is."""
        _ = self._
        header = [_(h) if h else h for h in header]
        rows = [
            (_(v[0]), *v[1:]) if v and isinstance(v[0], str) and v[0] else tuple(v) for v in rows
        ]
        put(self.ws, self.row, 1, _(title)).font = BLOCK_FONT
        self.row += 1
        widths = [self.ws.column_dimensions[get_column_letter(c)].width or 10 for c in range(1, 16)]
        header_lines = max(text_lines(t, widths[c], bold=True) for c, t in enumerate(header[:15]))
        if header_lines > 1:
            self.ws.row_dimensions[self.row].height = header_lines * LINE_HEIGHT
        for c, text in enumerate(header, start=1):
            self._put(c, text, True, "header", _header_style)
        self.row += 1
        first = self.row
        row_style = _left_style if left else _row_style
        for values in rows:
            lines = 1
            for c, value in enumerate(values, start=1):
                self._put(c, value, isinstance(value, str | Link), left, row_style)
                if isinstance(value, str | Link) and c <= len(widths):
                    lines = max(lines, text_lines(str(value), widths[c - 1]))
            if lines > 1:
                self.ws.row_dimensions[self.row].height = lines * LINE_HEIGHT
            self.row += 1
        if total and self.row > first:
            for c in range(1, len(header) + 1):
                self.ws.cell(row=self.row - 1, column=c).font = BOLD
        self.row += 1

    def _put(
        self, column: int, value: Any, text: bool, kind: object, style: Callable[[XlCell], None]
    ) -> None:
        """``put`` (``text`` as there) on the current row, then ``style`` the cell.

        A new cell's style array depends only on ``kind``, on whether ``put`` gave it the text
        number format and on whether ``value`` is a link: the first such cell of the sheet is
        styled attribute by attribute, the next ones get a copy of its style array (each
        attribute made openpyxl hash a font, fill, border or alignment again). The quote
        prefix is ``write``'s, as before."""
        ws, row = self.ws, self.row
        is_link = isinstance(value, Link)
        key = (kind, text and (value is None or isinstance(value, str) or is_link), is_link)
        known = self._styles.get(key)
        fresh = None if known is None else fresh_cell(ws, row, column, known)
        if fresh is not None:
            write(fresh, value)
            return
        new = (row, column) not in ws._cells
        cell = put(ws, row, column, value, text=text)
        style(cell)
        if new and known is None:
            self._styles[key] = style_array(cell)


def _header_style(cell: XlCell) -> None:
    cell.font = BOLD
    cell.fill = SUBHEADER_FILL
    cell.border = BOX
    cell.alignment = WRAP


def _row_style(cell: XlCell) -> None:
    cell.border = BOX
    cell.alignment = WRAP


def _left_style(cell: XlCell) -> None:
    cell.border = BOX
    cell.alignment = WRAP_LEFT
