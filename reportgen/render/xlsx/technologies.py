"""The Technologies sheet: the "Used Technologies" tables."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from .layout import Column, table_sheet
from .scope import Book

# --- Technologies ------------------------------------------------------------------------

_TECH_COLUMNS = (
    Column("Section", 18),
    Column("Technology", 30, wrap=True),
    Column("Parties", 26, wrap=True),
    Column("Notes", 70, wrap=True),
    Column("Source line", 8, text=False),
)


def technologies_sheet(ws: Worksheet, book: Book) -> None:
    rows = [
        [
            section.title,
            tech.name,
            book.text(tech.parties),
            book.text(tech.notes),
            tech.location.line,
        ]
        for section, tech in book.scope.technologies
    ]
    table_sheet(ws, "Technologies", _TECH_COLUMNS, rows, freeze="C2", gettext=book.gettext)
