"""The Matrix sheet: one row per flow, source columns then derived ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ...model import (
    FLAG_FIELDS,
    FLAG_KEYS,
    Flag,
    Flow,
    Level,
)
from ...ordering import sorted_findings
from .layout import (
    Column,
    column_letter,
    column_range,
    drop_down,
    row_rules,
    table_headers,
    table_sheet,
)
from .scope import Book
from .styles import (
    HIGH_ROW_FILL,
    HIGH_ROW_FONT,
    MEDIUM_ROW_FILL,
    MISSING_C_FILL,
    MISSING_C_FONT,
    UNKNOWN_C_FILL,
)

_KEY = Column("Key", 8, fit=True)
"""The flow's unique key (``10.2~2`` for the second flow numbered 10.2): findings link to it."""
_MATRIX_SOURCE = (
    Column("Section", 16, wrap=True),
    Column("No.", 6, fit=True),
    Column("Component", 20, wrap=True),
    Column("Source Zone", 19, wrap=True),
    Column("Protocol", 9, fit=True),
    Column("Destination", 20, wrap=True),
    Column("Destination Zone", 19, wrap=True),
    Column("Port", 11, fit=True),
    Column("C", 5, center=True),
    Column("I", 5, center=True),
    Column("Auth", 6, center=True),
    Column("Trust", 6, center=True),
    Column("Purpose", 26, wrap=True),
    Column("Notes", 36, wrap=True),
)
_DERIVED_CROSSES = 4
"""Index of "Crosses zones" in ``_MATRIX_DERIVED`` (its header may be renamed to stay unique)."""
_DERIVED_WORST = 7
"""Index of "Worst finding" in ``_MATRIX_DERIVED``."""
_MATRIX_DERIVED = (
    Column("Source zone (canonical)", 19, wrap=True),
    Column("Source trust class", 13),
    Column("Destination zone (canonical)", 19, wrap=True),
    Column("Destination trust class", 13),
    Column("Crosses zones", 8, center=True),
    Column("Optional", 9, center=True),
    Column("Findings", 20, wrap=True, fit=True),
    Column("Worst finding", 11),
    Column("Source line", 7, text=False),
)
YES, NO = "yes", "no"


def _port_text(flow: Flow) -> str:
    if flow.ports is not None:
        return flow.ports.text
    cell = flow.cell("port")
    return cell.text if cell is not None else ""


def _flag_value(flag: Flag) -> str | None:
    return flag.value or None


def matrix_sheet(ws: Worksheet, book: Book) -> None:
    data, flows = book.data, book.scope.flows
    extra_headers: list[str] = []
    for flow in flows:
        for header, _ in flow.extra:
            if header not in extra_headers:
                extra_headers.append(header)
    source_headers = [c.header for c in (_KEY, *_MATRIX_SOURCE)]
    extra_names = table_headers(source_headers, extra_headers)[len(source_headers) :]
    extra_cols = tuple(Column(name, 20, wrap=True) for name in extra_names)
    derived_headers = table_headers(
        [*source_headers, *extra_names], [c.header for c in _MATRIX_DERIVED]
    )[len(source_headers) + len(extra_names) :]
    derived_cols = tuple(
        replace(c, header=h) for h, c in zip(derived_headers, _MATRIX_DERIVED, strict=True)
    )
    columns = (_KEY, *_MATRIX_SOURCE, *extra_cols, *derived_cols)
    titles = {s.slug: s.title for s in data.matrix.sections}
    config = data.config

    rows: list[list[Any]] = []
    for flow in flows:
        found = sorted_findings(list(data.assessment.for_flow(flow.key)))
        extras = dict(flow.extra)
        rows.append(
            [
                flow.key,
                titles.get(flow.section, flow.section),
                flow.id,
                flow.component,
                flow.source_zone.text,
                flow.protocol.text,
                flow.destination,
                flow.destination_zone.text,
                _port_text(flow),
                *(_flag_value(flow.flag(name)) for name in FLAG_FIELDS),
                book.text(flow.purpose),
                book.text(flow.notes),
                *(book.text(extras.get(h, "")) for h in extra_headers),
                flow.source_zone.canonical or "",
                config.trust_class(flow.source_zone.name),
                flow.destination_zone.canonical or "",
                config.trust_class(flow.destination_zone.name),
                YES if flow.crosses_zones else NO,
                YES if flow.optional else NO,
                "\n".join(f.id for f in found),
                # The way back: the worst finding's row (a cell holds one hyperlink, and
                # LibreOffice shows a linked cell on one line).
                book.finding_link(found[0].id, found[0].severity.title) if found else "",
                flow.location.line,
            ]
        )
    last = table_sheet(ws, "Flows", columns, rows, freeze="E2", gettext=book.gettext)
    _flag_validation(ws, columns, last)
    _highlight(
        ws,
        columns,
        last,
        crosses=derived_headers[_DERIVED_CROSSES],
        worst=derived_headers[_DERIVED_WORST],
    )


def _flag_validation(ws: Worksheet, columns: Sequence[Column], last: int) -> None:
    """Flags: x, ? or empty, nothing else."""
    flag_headers = [FLAG_KEYS[name] for name in FLAG_FIELDS]
    drop_down(
        ws,
        column_range(columns, flag_headers[0], flag_headers[-1], (2, last)),
        ("x", "?"),
        "Flag",
        error="Use x (yes), ? (not assessed) or leave the cell empty (no).",
        prompt="x = yes, ? = not assessed, empty = no",
    )


def _highlight(
    ws: Worksheet, columns: Sequence[Column], last: int, *, crosses: str, worst: str
) -> None:
    """Whole rows, first rule that matches: a High or a Medium finding (also inside one
    zone), then a zone-crossing flow without C, then one whose C is not assessed."""
    target = f"A2:{get_column_letter(len(columns))}{last}"
    worst_col = column_letter(columns, worst)
    crosses_col = column_letter(columns, crosses)
    c_col = column_letter(columns, FLAG_KEYS["confidentiality"])
    rules = (
        (f'${worst_col}2="{Level.HIGH.title}"', HIGH_ROW_FILL, HIGH_ROW_FONT),
        (f'${worst_col}2="{Level.MEDIUM.title}"', MEDIUM_ROW_FILL, None),
        (f'AND(${crosses_col}2="{YES}",LEN(${c_col}2)=0)', MISSING_C_FILL, MISSING_C_FONT),
        (f'AND(${crosses_col}2="{YES}",${c_col}2="?")', UNKNOWN_C_FILL, None),
    )
    row_rules(ws, target, rules)
