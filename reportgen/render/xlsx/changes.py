"""The Changes sheet (``diff --format xlsx`` and the combined workbook with --previous)."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from ...bundle import ReportData
from .layout import Column, table_sheet

# --- Changes since a previous release (combined workbook, with --previous) ---------------

_CHANGE_COLUMNS = (
    Column("Kind", 14),
    Column("Change", 26, wrap=True),
    Column("Source line", 8, text=False),
    Column("Details", 90, wrap=True),
)


def changes_sheet(ws: Worksheet, data: ReportData) -> None:
    """One row per change and per regression, in the diff's order."""
    from ..diff_formats import entries

    if data.changes is None:
        return
    rows = [[kind, title, loc.line, message] for kind, loc, title, message in entries(data.changes)]
    table_sheet(ws, "Changes", _CHANGE_COLUMNS, rows, freeze="A2")
