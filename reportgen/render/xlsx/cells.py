"""Safe cells: every value from the source is a string cell, never a formula.

Text that a spreadsheet would read as a formula (leading ``=``, ``+``, ``-``, ``@``, tab, CR)
also gets Excel's "quote prefix", so that editing the cell keeps it text. Characters XML
cannot carry are replaced by U+FFFD; CR line ends become LF.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl.cell.cell import Cell as XlCell
from openpyxl.worksheet.worksheet import Worksheet

MAX_CELL_CHARS = 32767
"""Excel's limit for the text of one cell."""
TEXT = "@"
"""The number format that makes Excel treat a cell as text."""
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """Text a worksheet can hold: no XML-illegal characters, LF line ends, Excel's length."""
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
    if text and (value is None or isinstance(value, str)):
        cell.number_format = TEXT
    return cell


def cell_at(ws: Worksheet, row: int, column: int) -> XlCell:
    cell = ws.cell(row=row, column=column)
    if not isinstance(cell, XlCell):  # a merged cell; this module never merges
        raise TypeError(f"cell {cell.coordinate} is merged")
    return cell


def write(cell: XlCell, value: Any) -> None:
    """The value of ``put``, without touching the cell's style but for the quote prefix."""
    if isinstance(value, str):
        raw = value
        value = clean(value)
        cell.value = value
        cell.data_type = "s"  # assigning "=..." makes openpyxl guess a formula; undo that
        if raw.startswith(FORMULA_TRIGGERS) or value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    elif value is not None:
        cell.value = value
