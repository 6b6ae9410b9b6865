"""The Legend sheet: what flags, colours, severities and trust classes mean."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from ...model import (
    FLAG_KEYS,
    Flag,
)
from ...vocabulary import SEVERITIES, TRUST_CLASSES
from .labels import STATUS_VALUES, control_label
from .layout import Blocks
from .scope import Book
from .styles import HIGH_ROW_FILL, MEDIUM_ROW_FILL, MISSING_C_FILL, UNKNOWN_C_FILL

# --- Legend ------------------------------------------------------------------------------


HIGHLIGHTS = (
    ("Red, bold", "", "The flow has a High finding (also inside one zone)."),
    ("Orange", "", "The flow's worst finding is Medium."),
    ("Light red", "", "The flow crosses zones and is not encrypted (C empty)."),
    ("Amber", "", "The flow crosses zones and its encryption is not assessed (C is ?)."),
)
HIGHLIGHT_FILLS = (HIGH_ROW_FILL, MEDIUM_ROW_FILL, MISSING_C_FILL, UNKNOWN_C_FILL)
"""A swatch for each row of ``HIGHLIGHTS`` (the rules themselves are in ``matrix``)."""


def legend_sheet(ws: Worksheet, book: Book) -> None:
    data = book.data
    for letter, width in zip("ABCDEF", (24, 16, 60, 40, 40, 40), strict=True):
        ws.column_dimensions[letter].width = width
    out = Blocks(ws)
    out.title("Legend")
    out.block(
        "Flag columns (from the source's legend)",
        ("Column", "Field", "Meaning"),
        (
            (key, name, book.text(data.matrix.legend_meaning(key) or ""))
            for name, key in FLAG_KEYS.items()
        ),
    )
    out.block(
        "Flag values",
        ("Value", "Means", "Explanation"),
        (
            ("x", Flag.YES.label, "The property holds for the flow."),
            ("(empty)", Flag.NO.label, "The property does not hold for the flow."),
            ("?", Flag.UNKNOWN.label, "Depends on the configuration; assess per installation."),
        ),
    )
    out.block(
        "Highlighting on the Matrix sheet (whole rows; the first that applies)",
        ("Colour", "", "Meaning"),
        HIGHLIGHTS,
    )
    first = out.row - 1 - len(HIGHLIGHTS)
    for r, fill in zip(range(first, out.row - 1), HIGHLIGHT_FILLS, strict=True):
        ws.cell(row=r, column=2).fill = fill
    out.block(
        "Finding severities",
        ("Severity", "", "Definition"),
        ((s.label, "", book.text(s.definition)) for s in SEVERITIES),
    )
    out.block(
        "Trust classes (least trusted first)",
        ("Class", "", "Meaning"),
        ((t.key, "", t.meaning) for t in TRUST_CLASSES),
    )
    out.block(
        "Zones (report.toml)",
        ("Zone", "Trust class", "Description", "Also written as"),
        ((z.name, z.trust_class, z.description, ", ".join(z.aliases)) for z in data.config.zones),
    )
    if data.assessment.rules:
        out.block(
            f"Rules (rule set {data.assessment.ruleset_version})",
            ("Rule", "Severity", "Title", "Rationale", "Recommendation", "Controls"),
            (
                (
                    rule.id,
                    rule.severity,
                    book.text(rule.title),
                    book.text(rule.rationale),
                    book.text(rule.recommendation),
                    "\n".join(control_label(c) for c in rule.controls),
                )
                for rule in data.assessment.rules
            ),
        )
    out.block(
        "Auditor status values (Findings sheet)",
        ("Status", "", ""),
        ((s, "", "") for s in STATUS_VALUES),
    )
