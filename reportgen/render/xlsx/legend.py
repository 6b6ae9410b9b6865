"""The Legend sheet: what flags, colours, severities and trust classes mean."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from ...i18n import N_
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
    (N_("Red, bold"), "", N_("The flow has a High finding (also inside one zone).")),
    (N_("Orange"), "", N_("The flow's worst finding is Medium.")),
    (N_("Light red"), "", N_("The flow crosses zones and is not encrypted (C empty).")),
    (N_("Amber"), "", N_("The flow crosses zones and its encryption is not assessed (C is ?).")),
)
HIGHLIGHT_FILLS = (HIGH_ROW_FILL, MEDIUM_ROW_FILL, MISSING_C_FILL, UNKNOWN_C_FILL)
"""A swatch for each row of ``HIGHLIGHTS`` (the rules themselves are in ``matrix``)."""


def legend_sheet(ws: Worksheet, book: Book) -> None:
    data = book.data
    for letter, width in zip("ABCDEF", (24, 16, 60, 40, 40, 40), strict=True):
        ws.column_dimensions[letter].width = width
    out = Blocks(ws, book.gettext)
    out.title("Legend")
    out.block(
        N_("Flag columns (from the source's legend)"),
        (N_("Column"), N_("Field"), N_("Meaning")),
        (
            (key, name, book.text(data.matrix.legend_meaning(key) or ""))
            for name, key in FLAG_KEYS.items()
        ),
    )
    out.block(
        N_("Flag values"),
        (N_("Value"), N_("Means"), N_("Explanation")),
        (
            (N_("x"), Flag.YES.label, book.gettext(N_("The property holds for the flow."))),
            (
                N_("(empty)"),
                Flag.NO.label,
                book.gettext(N_("The property does not hold for the flow.")),
            ),
            (
                N_("?"),
                Flag.UNKNOWN.label,
                book.gettext(N_("Depends on the configuration; assess per installation.")),
            ),
        ),
    )
    out.block(
        N_("Highlighting on the Matrix sheet (whole rows; the first that applies)"),
        (N_("Colour"), "", N_("Meaning")),
        [(colour, "", book.gettext(meaning)) for colour, _, meaning in HIGHLIGHTS],
    )
    first = out.row - 1 - len(HIGHLIGHTS)
    for r, fill in zip(range(first, out.row - 1), HIGHLIGHT_FILLS, strict=True):
        ws.cell(row=r, column=2).fill = fill
    out.block(
        N_("Finding severities"),
        (N_("Severity"), "", N_("Definition")),
        ((s.label, "", book.text(book.gettext(s.definition))) for s in SEVERITIES),
    )
    out.block(
        N_("Trust classes (least trusted first)"),
        (N_("Class"), "", N_("Meaning")),
        ((t.key, "", book.gettext(t.meaning)) for t in TRUST_CLASSES),
    )
    out.block(
        N_("Zones (report.toml)"),
        (N_("Zone"), N_("Trust class"), N_("Description"), N_("Also written as")),
        ((z.name, z.trust_class, z.description, ", ".join(z.aliases)) for z in data.config.zones),
    )
    if data.assessment.rules:
        out.block(
            book.gettext(N_("Rules (rule set %(version)s)"))
            % {"version": data.assessment.ruleset_version},
            (
                N_("Rule"),
                N_("Severity"),
                N_("Title"),
                N_("Rationale"),
                N_("Recommendation"),
                N_("Controls"),
            ),
            (
                (
                    rule.id,
                    rule.severity,
                    book.text(book.gettext(rule.title)),
                    book.text(rule.rationale),
                    book.text(book.gettext(rule.recommendation)),
                    "\n".join(control_label(c) for c in rule.controls),
                )
                for rule in data.assessment.rules
            ),
        )
    out.block(
        N_("Auditor status values (Findings sheet)"),
        (N_("Status"), "", ""),
        ((s, "", "") for s in STATUS_VALUES),
    )
