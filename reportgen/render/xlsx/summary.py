"""The Summary sheet: counts that reconcile with the other sheets."""

from __future__ import annotations

from collections import Counter

from openpyxl.worksheet.worksheet import Worksheet

from ...i18n import N_
from ...model import (
    Level,
)
from .layout import Blocks
from .scope import Book, scope_statistics


def summary_sheet(ws: Worksheet, book: Book) -> None:
    data, scope, findings = book.data, book.scope, book.findings
    for letter, width in zip("ABCDEFGHIJKLMNO", (26, 14, 14, 14, 14, 14, 14, 14), strict=False):
        ws.column_dimensions[letter].width = width
    flows = scope.flows
    out = Blocks(ws, book.gettext)
    title = book.gettext(N_("All sections")) if scope.combined else scope.title
    out.title(book.gettext(N_("Summary: %(scope)s")) % {"scope": title})
    stats = scope_statistics(data, scope)
    out.block(
        N_("Overview"),
        (N_("Figure"), N_("Count")),
        (
            (N_("Flows"), len(flows)),
            (N_("Technologies"), len(scope.technologies)),
            (N_("Findings"), len(findings)),
            (N_("Zone-crossing flows"), sum(1 for f in flows if f.crosses_zones)),
            (N_("Optional flows"), sum(1 for f in flows if f.optional)),
        ),
        left=True,
    )
    if stats is not None:
        out.block(
            N_("Flag coverage"),
            (
                N_("Flag"),
                N_("Yes (x)"),
                N_("No (empty)"),
                N_("Not assessed (?)"),
                N_("Total"),
                N_("Yes share"),
            ),
            (
                (cov.flag, cov.yes, cov.no, cov.unknown, cov.total, _share(cov.yes, cov.total))
                for cov in stats.flags
            ),
        )
        for r in range(out.row - 1 - len(stats.flags), out.row - 1):
            ws.cell(row=r, column=6).number_format = "0.0%"
        by_level = dict(stats.findings)
    else:
        counts = Counter(f.severity for f in findings)
        by_level = {level: counts.get(level, 0) for level in Level}
    out.block(
        N_("Findings by severity"),
        (N_("Severity"), N_("Findings")),
        ((level.title, by_level.get(level, 0)) for level in Level),
    )
    if scope.combined:
        per_section = {s.slug: s for s in data.assessment.statistics.sections}
        out.block(
            N_("Per section"),
            (N_("Section"), "Flows", "Technologies", *(level.title for level in Level)),
            (
                (
                    s.title,
                    len(s.flows),
                    len(s.technologies),
                    *(
                        dict(per_section[s.slug].findings).get(level, 0)
                        if s.slug in per_section
                        else sum(1 for f in findings if f.section == s.slug and f.severity is level)
                        for level in Level
                    ),
                )
                for s in scope.sections
            ),
        )
    _zone_grid(out, book)


def _share(part: int, total: int) -> float:
    return part / total if total else 0.0


_ZONE_TABLES = (
    ("flows", N_("Flows by zone pair (rows: source zone, columns: destination zone)")),
    ("no_c", N_("Protection: flows without C (not encrypted), by zone pair")),
    ("no_auth", N_("Protection: flows without Auth (not authenticated), by zone pair")),
)


def _zone_grid(out: Blocks, book: Book) -> None:
    frames = book.zone_pairs()
    for name, title in _ZONE_TABLES:
        table = frames[name]
        out.block(
            title,
            (N_("Source \\ Destination"), *(str(c) for c in table.columns), "Total"),
            (
                (
                    str(source),
                    *(int(v) or None for v in values),
                    int(sum(values)),
                )
                for source, values in zip(table.index, table.to_numpy().tolist(), strict=True)
            ),
        )
