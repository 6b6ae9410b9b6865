"""The Firewall view, for the network team: one row per source zone, destination zone,
protocol and port, as a firewall change request lists them. No audit columns."""

from __future__ import annotations

from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from .layout import Column, table_sheet
from .scope import Book

_FIREWALL_COLUMNS = (
    Column("Source zone", 16, wrap=True),
    Column("Sources", 26, wrap=True),
    Column("Destination zone", 16, wrap=True),
    Column("Destinations", 26, wrap=True),
    Column("Protocol", 9, fit=True),
    Column("Port", 8, fit=True),
    Column("Flows", 9, wrap=True, fit=True),
    Column("Optional", 9, center=True),
)


def firewall_sheet(ws: Worksheet, book: Book) -> None:
    frame = book.firewall()
    rows: list[list[Any]] = [
        [
            source_zone,
            sources,
            destination_zone,
            destinations,
            protocol,
            port,
            flows,
            "yes" if optional else "no",
        ]
        for (
            source_zone,
            destination_zone,
            protocol,
            port,
            sources,
            destinations,
            flows,
            optional,
        ) in frame.itertuples(index=False, name=None)
    ]
    table_sheet(ws, "Firewall", _FIREWALL_COLUMNS, rows, freeze="A2", gettext=book.gettext)
