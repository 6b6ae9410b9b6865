"""Fonts, fills and borders shared by the sheets."""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from ...model import (
    Level,
)

# --- styles ------------------------------------------------------------------------------

FONT = "Calibri"
"""Named on every font: a font without a name falls back to a serif face in LibreOffice."""
HEADER_FONT = Font(name=FONT, bold=True, color="FFFFFF")
TITLE_FONT = Font(name=FONT, bold=True, size=13)
BLOCK_FONT = Font(name=FONT, bold=True, size=11, color="1F3864")
BOLD = Font(name=FONT, bold=True)
BODY_FONT = Font(name=FONT, size=11)
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
SUBHEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
TOP = Alignment(vertical="top")
WRAP = Alignment(vertical="top", wrap_text=True)
WRAP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
CENTER = Alignment(horizontal="center", vertical="top")
COLUMN_ALIGNMENTS = {"wrap": WRAP, "center": CENTER, "top": TOP}
THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HIGH_ROW_FILL = PatternFill("solid", fgColor="F4B6B6", bgColor="F4B6B6")
HIGH_ROW_FONT = Font(color="9C0006", bold=True)
MEDIUM_ROW_FILL = PatternFill("solid", fgColor="F8CBAD", bgColor="F8CBAD")
MISSING_C_FILL = PatternFill("solid", fgColor="FCE4E4", bgColor="FCE4E4")
MISSING_C_FONT = Font(color="9C0006")
UNKNOWN_C_FILL = PatternFill("solid", fgColor="FFE699", bgColor="FFE699")
LEVEL_FILLS: dict[Level, PatternFill] = {
    Level.HIGH: PatternFill("solid", fgColor="F4B6B6"),
    Level.MEDIUM: PatternFill("solid", fgColor="F8CBAD"),
    Level.LOW: PatternFill("solid", fgColor="FFE699"),
    Level.INFO: PatternFill("solid", fgColor="DDEBF7"),
    Level.NOT_ASSESSED: PatternFill("solid", fgColor="E7E6E6"),
}
TABLE_STYLE = "TableStyleMedium2"
LINE_HEIGHT = 15.0
"""Points per text line at the default 11 pt font."""
