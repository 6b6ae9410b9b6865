"""The Changes sheet (``diff --format xlsx`` and the combined workbook with --previous) and the
Soll-Ist sheet (the combined workbook with --observed)."""

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


# --- Soll-Ist: the matrix against observed traffic (combined workbook, with --observed) ------

VERIFY_SHEET = "Soll-Ist"
_VERIFY_WIDTHS = {"Matrix line": 8, "Observed": 30, "Evidence": 30, "Message": 70, "Controls": 20}


def verify_sheet(ws: Worksheet, data: ReportData) -> None:
    """One row per item of the comparison (``render.verify_formats.rows``)."""
    from ..verify_formats import HEADER, rows

    if data.verification is None:
        return
    columns = [
        Column(h, _VERIFY_WIDTHS.get(h, 14), wrap=h in _VERIFY_WIDTHS, text=h != "Matrix line")
        for h in HEADER
    ]
    table_sheet(ws, "SollIst", columns, rows(data.verification), freeze="A2")
