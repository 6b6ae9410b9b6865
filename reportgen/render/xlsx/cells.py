"""Safe cells: every value from the source is a string cell, never a formula.

Text that a spreadsheet would read as a formula (leading ``=``, ``+``, ``-``, ``@``, tab, CR)
also gets Excel's "quote prefix", so that editing the cell keeps it text. Characters XML
cannot carry are replaced by U+FFFD; CR line ends become LF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Font, NamedStyle
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.styleable import StyleableObject
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ...inline import Kind, links, plain, spans

MAX_CELL_CHARS = 32767
"""Excel's limit for the text of one cell."""
TEXT = "@"
"""The number format that makes Excel treat a cell as text."""
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


LINK_FONT = Font(name="Calibri", color="0563C1", underline="single")

_new_cell = XlCell.__new__
_CELL_SLOTS_KNOWN = XlCell.__slots__ == (
    "row", "column", "_value", "data_type", "parent", "_hyperlink", "_comment"
) and StyleableObject.__slots__ == ("parent", "_style")  # fmt: skip
"""Whether ``fresh_cell`` may set a new cell's attributes itself (openpyxl 3.1's cells)."""


@dataclass(frozen=True, slots=True)
class Link:
    """A cell value with a hyperlink: ``target`` is a URL, or with ``internal`` a location in
    the workbook (``'Matrix'!A5``)."""

    text: str
    target: str
    internal: bool = False

    def __str__(self) -> str:
        return self.text


def internal_link(text: str, sheet: str, cell: str) -> Link:
    """A link to ``cell`` (``A5``) on ``sheet``."""
    return Link(text, f"'{sheet}'!{cell}", internal=True)


@lru_cache(maxsize=16384)
def markdown_value(text: str, base_url: str = "") -> str | Link:
    """A cell's inline Markdown as what the cell shows: code as plain text, a link as its
    label and the cell's hyperlink. A cell holds one hyperlink; with several links each
    label is followed by its URL in angle brackets and the cell has none.

    Cached: a workbook per section and the combined one read every flow's text twice, and
    the value (a string or a frozen :class:`Link`) cannot change."""
    items = spans(text, base_url)
    found = links(items)
    if not found:
        return plain(items)
    if len(found) == 1:
        return Link(plain(items), found[0].href)
    return "".join(
        f"{s.text} <{s.href}>" if s.kind is Kind.LINK and s.text != s.href else s.text
        for s in items
    )


@lru_cache(maxsize=65536)
def clean(text: str) -> str:
    """Text a worksheet can hold: no XML-illegal characters, LF line ends, Excel's length.

    Cached: a workbook holds the same zones, protocols, rule ids and texts many times, and
    every workbook of a build holds every flow (1,000 flows: 173,000 calls)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = ILLEGAL_XML.sub("\ufffd", text)
    if len(text) > MAX_CELL_CHARS:
        marker = " [truncated]"
        text = text[: MAX_CELL_CHARS - len(marker)] + marker
    return text


def put(ws: Worksheet, row: int, column: int, value: Any, *, text: bool = True) -> XlCell:
    """Write one cell. Strings are always string cells, never formulas.

    ``text`` also sets the text number format, so what Excel shows is what was written and a
    later edit of the cell stays text (``1.10`` stays ``1.10``, ``67/68`` never becomes a date).
    """
    cell = cell_at(ws, row, column)
    write(cell, value)
    if isinstance(value, Link):
        cell.font = LINK_FONT
    if text and (value is None or isinstance(value, str | Link)):
        cell.number_format = TEXT
    return cell


def cell_at(ws: Worksheet, row: int, column: int) -> XlCell:
    cell = ws.cell(row=row, column=column)
    if not isinstance(cell, XlCell):  # a merged cell; this module never merges
        raise TypeError(f"cell {cell.coordinate} is merged")
    return cell


def styled_cell(ws: Worksheet, row: int, column: int, style: NamedStyle) -> XlCell:
    """A new cell with the named ``style`` (registered in the workbook): what
    ``cell_at`` and then ``cell.style = style.name`` give, without openpyxl's lookup of the
    name in a list (for every cell). After that lookup openpyxl sets the cell's style array
    to a copy of the style's (``NamedStyleDescriptor.__set__``), as ``fresh_cell`` does."""
    cell = fresh_cell(ws, row, column, style.as_tuple())
    if cell is None:
        cell = cell_at(ws, row, column)
        cell.style = style
    return cell


def fresh_cell(ws: Worksheet, row: int, column: int, style: StyleArray) -> XlCell | None:
    """A new cell at ``row``, ``column`` with a copy of ``style`` (a style array whose fonts,
    fills and so on the workbook has registered), as ``ws.cell`` creates it (also keeping
    ``Worksheet._current_row``); None when the sheet has a cell there already or ``row`` is
    off the sheet (``cell_at`` then says why)."""
    if (row, column) in ws._cells or not 0 < row < 1048577:
        return None
    if _CELL_SLOTS_KNOWN:
        # XlCell(ws, row=row, column=column, style_array=style), attribute for attribute
        # (openpyxl 3.1's Cell.__init__ and StyleableObject.__init__), without their calls.
        cell: Any = _new_cell(XlCell)
        cell.parent = ws
        cell._style = StyleArray(style)
        cell.row = row
        cell.column = column
        cell._value = None
        cell._hyperlink = None
        cell.data_type = "n"
        cell._comment = None
    else:  # pragma: no cover - another openpyxl
        cell = XlCell(ws, row=row, column=column, style_array=style)
    ws._cells[(row, column)] = cell
    ws._current_row = max(row, ws._current_row)  # type: ignore[attr-defined]
    made: XlCell = cell
    return made


def style_array(cell: XlCell) -> StyleArray:
    """A copy of ``cell``'s style array (font, fill, border, number format, alignment... as
    indexes into its workbook's lists), without the quote prefix (``write`` sets it)."""
    style = StyleArray(cell._style)  # type: ignore[attr-defined]
    style.quotePrefix = 0
    return style


def write(cell: XlCell, value: Any) -> None:
    """The value of ``put``, without touching the cell's style but for the quote prefix (a
    :class:`Link` also becomes the cell's hyperlink; its font is the caller's)."""
    if isinstance(value, Link):
        write(cell, value.text)
        target = clean(value.target)
        if value.internal:
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=target, display=None)
        else:
            cell.hyperlink = Hyperlink(ref=cell.coordinate, target=target)
    elif isinstance(value, str):
        raw = value
        value = clean(value)
        # What ``cell.value = value`` and then ``data_type = "s"`` set (assigning "=..." made
        # openpyxl guess a formula). Its string check has nothing left to do after ``clean``:
        # the characters it refuses are among ``ILLEGAL_XML`` and it cuts at Excel's length.
        cell._value = value  # type: ignore[attr-defined]
        cell.data_type = "s"
        if raw.startswith(FORMULA_TRIGGERS) or value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    elif value is not None:
        cell.value = value
