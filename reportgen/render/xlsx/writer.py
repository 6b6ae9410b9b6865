"""openpyxl's xlsx writer with a cheaper ``<sheetData>``: the same bytes, in less CPU.

openpyxl writes every cell through lxml's incremental writer, two or three nested
``xf.element`` blocks per cell (``openpyxl.cell._writer.lxml_write_cell``), the largest part
of a workbook's CPU time. ``RowWriter`` writes a row's markup as text, escaped as lxml
escapes it, straight into the sheet's buffer; the markup is the same, byte for byte
(``tests/test_xlsx_writer.py`` compares it with openpyxl's, and the golden files check the
workbooks). Only the cells the workbooks hold take this path: string and number
cells without comments. A row with anything else, or an openpyxl this was not read against,
or openpyxl without lxml, is written by openpyxl's own code. A sheet's XML is kept in
memory, not written to a temporary file and read back.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import openpyxl
from openpyxl import LXML
from openpyxl.compat.strings import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

FAST = LXML and openpyxl.__version__.startswith("3.1.")
"""Whether ``RowWriter`` reproduces the installed openpyxl (3.1's ``lxml_write_cell``)."""


_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
"""What lxml escapes in an element's text."""
_ATTRIBUTE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;",
     "\t": "&#9;"}
)  # fmt: skip
"""What lxml escapes in an attribute's value."""


class RowWriter(WorksheetWriter):
    """``WorksheetWriter`` whose rows of plain cells are written as text, in one piece.

    ``write_rows`` writes each such row's markup straight into the sheet's buffer, as lxml
    would have serialised it (``_row_markup``), between flushes of lxml's own writer; a row
    with any other cell goes through openpyxl's ``write_row``."""

    def __init__(self, ws: Any, out: Any = None) -> None:
        super().__init__(ws, out)
        self._letters: dict[int, str] = {}
        self._styles: dict[bytes, int] = {}

    def write_rows(self) -> None:
        xf: Any = self.xf.send(True)
        with xf.element("sheetData"):
            xf.flush()
            out: Any = self.out  # the BytesIO that FastExcelWriter gives
            ws: Any = self.ws
            for row_idx, row in self.rows():
                markup = self._row_markup(row, row_idx)
                if markup is None:
                    # openpyxl's own code for the whole row; the style arrays registered so
                    # far are registered again by it in the same order (no change).
                    super().write_row(xf, row, row_idx)
                    xf.flush()
                else:
                    text, hyperlinks = markup
                    ws._hyperlinks.extend(hyperlinks)
                    # as lxml writes it: ASCII, anything else as a character reference
                    out.write(text.encode("ascii", "xmlcharrefreplace"))
        self.xf.send(None)

    def _row_markup(self, row: Sequence[Any], row_idx: int) -> tuple[str, list[Any]] | None:
        """A row of plain cells as the markup ``write_row`` gives it, with its hyperlinks;
        None if a cell is not plain."""
        ws: Any = self.ws
        letters, styles = self._letters, self._styles
        head = [f'<row r="{row_idx}"']
        for key, value in ws.row_dimensions.get(row_idx, {}):
            head.append(f' {key}="{value.translate(_ATTRIBUTE)}"')
        head.append(">")
        parts = ["".join(head)]
        hyperlinks = []
        for cell in row:
            if not _plain(cell):
                return None
            value = cell._value
            style = cell._style
            styled = style is not None and any(style)  # cell.has_style
            if value is None and not styled:
                continue  # as openpyxl: no value, no style, no comment
            column = cell.column
            letter = letters.get(column)
            if letter is None:
                letter = letters[column] = get_column_letter(column)
            if styled:
                key = style.tobytes()
                style_id = styles.get(key)
                if style_id is None:
                    style_id = styles[key] = cell.style_id
                start = f'<c r="{letter}{cell.row}" s="{style_id}"'
            else:
                start = f'<c r="{letter}{cell.row}"'
            string = cell.data_type == "s"
            hyperlink = cell._hyperlink
            if hyperlink:
                hyperlinks.append(hyperlink)
            if value == "" or value is None:
                parts.append(f'{start} t="{"inlineStr" if string else "n"}"></c>')
            elif string:
                space = ' xml:space="preserve"' if value != value.strip() else ""
                parts.append(
                    f'{start} t="inlineStr"><is><t{space}>{value.translate(_TEXT)}</t></is></c>'
                )
            else:
                parts.append(f'{start} t="n"><v>{safe_string(value)}</v></c>')
        parts.append("</row>")
        return "".join(parts), hyperlinks


def _plain(cell: Any) -> bool:
    """A cell ``RowWriter`` writes as openpyxl does: a string or a number, no comment."""
    if cell._comment is not None:
        return False
    value = cell._value
    if cell.data_type == "s":
        return value is None or type(value) is str
    if cell.data_type == "n":
        return value is None or type(value) in (int, float)
    return False


class FastExcelWriter(ExcelWriter):
    """``ExcelWriter`` writing worksheets with ``RowWriter``."""

    def write_worksheet(self, ws: Any) -> None:
        if not FAST or self.workbook.write_only:
            super().write_worksheet(ws)
            return
        # ExcelWriter.write_worksheet of openpyxl 3.1, with RowWriter for WorksheetWriter and
        # the sheet's XML kept in memory rather than in a temporary file.
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer: Any = RowWriter(ws, out=io.BytesIO())
        writer.write()
        ws._rels = writer._rels
        archive: Any = self._archive  # type: ignore[attr-defined]
        archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)
