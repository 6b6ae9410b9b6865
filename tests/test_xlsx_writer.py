"""The XLSX writer's faster rows (``render.xlsx.writer``) give openpyxl's own bytes."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.writer.excel import ExcelWriter

from reportgen.render.xlsx import writer
from reportgen.render.xlsx.cells import put


def _workbook() -> Workbook:
    wb = Workbook()
    # Both writers write the same document properties; pinned, so that two writes a second
    # apart do not differ in their timestamps.
    wb.properties.created = wb.properties.modified = datetime.datetime(2026, 1, 1)
    ws = wb.active
    assert ws is not None
    values: list[str | float | None] = [
        "plain",
        " leading space",
        "trailing space ",
        "line\nbreak",
        "a & b < c > d \"quoted\" 'single'",
        "",
        None,
        0,
        -12,
        3.25,
        float("nan"),
        1e300,
        "ünïcödé ✓ \ufffd 😀",
        "=1+1",
        "tab\there",
    ]
    for r, value in enumerate(values, start=1):
        put(ws, r, 1, value)  # text cell (number format @)
        cell = ws.cell(row=r, column=2, value=value if not isinstance(value, str) else None)
        if r % 3 == 0:
            cell.font = Font(bold=True)
        if r % 4 == 0:
            cell.alignment = Alignment(wrap_text=True)
    ws.cell(row=3, column=5).font = Font(italic=True)  # styled, no value
    ws.cell(row=4, column=6)  # neither value nor style: not written
    ws.row_dimensions[20].height = 30  # a row with no cells
    ws.row_dimensions[2].height = 45
    ws.cell(row=22, column=1, value="carriage\rreturn & <tags>")  # plain, not cleaned by put
    link = put(ws, 21, 1, "link")
    link.hyperlink = Hyperlink(ref=link.coordinate, target="https://example.org/")
    # Rows the fast path leaves to openpyxl: a bool, a date, a comment, a formula.
    ws.cell(row=30, column=1, value=True)
    ws.cell(row=31, column=1, value=datetime.date(2026, 1, 2))
    ws.cell(row=32, column=1, value="noted").comment = Comment("a comment", "me")
    ws.cell(row=33, column=1, value="=SUM(B1:B3)")
    # ... also after plain cells of the row (a new style, a hyperlink) were seen.
    linked = put(ws, 34, 1, "before the bool")
    linked.font = Font(underline="single", color="0563C1")
    linked.hyperlink = Hyperlink(ref=linked.coordinate, location="'Second'!A1")
    ws.cell(row=34, column=2, value=False).font = Font(strike=True)
    second = wb.create_sheet("Second")
    second.cell(row=1, column=1, value="other sheet").font = Font(bold=True)
    return wb


def _bytes(wb: Workbook, cls: type[ExcelWriter]) -> dict[str, bytes]:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        cls(wb, archive).save()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.skipif(not writer.FAST, reason="openpyxl's own writer is used")
def test_fast_rows_are_openpyxls_bytes() -> None:
    expected = _bytes(_workbook(), ExcelWriter)
    actual = _bytes(_workbook(), writer.FastExcelWriter)
    assert actual.keys() == expected.keys()
    for name in expected:
        assert actual[name] == expected[name], name


def test_a_fresh_cell_is_the_cell_openpyxl_makes() -> None:
    from openpyxl.cell.cell import Cell
    from openpyxl.styles.cell_style import StyleArray

    from reportgen.render.xlsx.cells import fresh_cell

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    style = StyleArray([1, 2, 0, 3, 0, 0, 0, 0, 0])
    made = fresh_cell(ws, 4, 3, style)
    assert made is not None and ws._cells[(4, 3)] is made
    reference = Cell(ws, row=4, column=3, style_array=style)
    for name in ("row", "column", "_value", "data_type", "parent", "_hyperlink", "_comment"):
        assert getattr(made, name) == getattr(reference, name), name
    assert made._style == reference._style and made._style is not style  # type: ignore[attr-defined]
    assert fresh_cell(ws, 4, 3, style) is None  # taken
