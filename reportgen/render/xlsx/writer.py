"""openpyxl's xlsx writer with a cheaper ``<sheetData>``: the same bytes, in less CPU.

openpyxl writes every cell through lxml's incremental writer, two or three nested
``xf.element`` blocks per cell (``openpyxl.cell._writer.lxml_write_cell``), the largest part
of a workbook's CPU time. ``RowWriter`` builds a row's cells as one element and writes it at
once; the markup is the same, attribute for attribute (``tests/test_xlsx.py`` and the golden
files check the bytes). Only the cells the workbooks hold take this path: string and number
cells without comments. A row with anything else, or an openpyxl this was not read against,
or openpyxl without lxml, is written by openpyxl's own code. A sheet's XML is kept in
memory, not written to a temporary file and read back.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import openpyxl
from openpyxl import LXML
from openpyxl.compat.strings import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.constants import XML_NS
from openpyxl.xml.functions import Element, SubElement

FAST = LXML and openpyxl.__version__.startswith("3.1.")
"""Whether ``RowWriter`` reproduces the installed openpyxl (3.1's ``lxml_write_cell``)."""

_SPACE = f"{{{XML_NS}}}space"


class RowWriter(WorksheetWriter):
    """``WorksheetWriter`` whose ``write_row`` writes a row of plain cells in one piece."""

    def __init__(self, ws: Any, out: Any = None) -> None:
        super().__init__(ws, out)
        self._letters: dict[int, str] = {}
        self._styles: dict[bytes, int] = {}

    def write_row(self, xf: Any, row: Iterable[Any], row_idx: int) -> None:
        ws: Any = self.ws  # a Worksheet (not write-only): its private lists are read
        attrs = {"r": f"{row_idx}"}
        attrs.update(ws.row_dimensions.get(row_idx, {}))
        element = Element("row", attrs)
        element.text = ""  # "<row ...></row>" and "<c ...></c>", as the incremental writer
        letters, styles = self._letters, self._styles
        hyperlinks = []
        for cell in row:
            if not _plain(cell):
                # openpyxl's own code for the whole row; the style arrays registered so far
                # are registered again by it in the same order (no change), the hyperlinks
                # not yet kept are kept by it.
                super().write_row(xf, row, row_idx)
                return
            value = cell._value
            style = cell._style
            styled = style is not None and any(style)  # cell.has_style
            if value is None and not styled:
                continue  # as openpyxl: no value, no style, no comment
            column = cell.column
            letter = letters.get(column)
            if letter is None:
                letter = letters[column] = get_column_letter(column)
            c_attrs = {"r": f"{letter}{cell.row}"}
            if styled:
                # cell.style_id (registers the array in the workbook), once per distinct array
                key = style.tobytes()
                style_id = styles.get(key)
                if style_id is None:
                    style_id = styles[key] = cell.style_id
                c_attrs["s"] = f"{style_id}"
            string = cell.data_type == "s"
            c_attrs["t"] = "inlineStr" if string else "n"
            hyperlink = cell._hyperlink
            if hyperlink:
                hyperlinks.append(hyperlink)
            c = SubElement(element, "c", c_attrs)
            if value == "" or value is None:
                c.text = ""
            elif string:
                inline = SubElement(c, "is")
                space = {_SPACE: "preserve"} if value != value.strip() else {}
                SubElement(inline, "t", space).text = value
            else:
                SubElement(c, "v").text = safe_string(value)
        ws._hyperlinks.extend(hyperlinks)
        xf.write(element)


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
