"""The Summary sheet: counts that reconcile with the other sheets."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from openpyxl.worksheet.worksheet import Worksheet

from ...model import (
    Finding,
    Flow,
    Level,
    ReportData,
)
from .layout import Blocks
from .scope import Scope, scope_statistics


def summary_sheet(
    ws: Worksheet, data: ReportData, scope: Scope, findings: Sequence[Finding]
) -> None:
    for letter, width in zip("ABCDEFGHIJKLMNO", (26, 14, 14, 14, 14, 14, 14, 14), strict=False):
        ws.column_dimensions[letter].width = width
    flows = scope.flows
    out = Blocks(ws)
    out.title(f"Summary: {scope.title}")
    stats = scope_statistics(data, scope)
    out.block(
        "Overview",
        ("Figure", "Count"),
        (
            ("Flows", len(flows)),
            ("Technologies", len(scope.technologies)),
            ("Findings", len(findings)),
            ("Zone-crossing flows", sum(1 for f in flows if f.crosses_zones)),
            ("Optional flows", sum(1 for f in flows if f.optional)),
        ),
        left=True,
    )
    if stats is not None:
        out.block(
            "Flag coverage",
            ("Flag", "Yes (x)", "No (empty)", "Not assessed (?)", "Total", "Yes share"),
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
        "Findings by severity",
        ("Severity", "Findings"),
        ((level.title, by_level.get(level, 0)) for level in Level),
    )
    if scope.combined:
        per_section = {s.slug: s for s in data.assessment.statistics.sections}
        out.block(
            "Per section",
            ("Section", "Flows", "Technologies", *(level.title for level in Level)),
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
    _zone_grid(out, data, flows)


def _share(part: int, total: int) -> float:
    return part / total if total else 0.0


def _zone_grid(out: Blocks, data: ReportData, flows: Sequence[Flow]) -> None:
    counts = Counter((f.source_zone.name, f.destination_zone.name) for f in flows)
    order = {z: i for i, z in enumerate(data.assessment.statistics.zones)}
    present = {z for pair in counts for z in pair}
    zones = sorted(present, key=lambda z: (order.get(z, len(order)), z))
    sources = [z for z in zones if any(s == z for s, _ in counts)]
    targets = [z for z in zones if any(d == z for _, d in counts)]
    out.block(
        "Flows by zone pair (rows: source zone, columns: destination zone)",
        ("Source \\ Destination", *targets, "Total"),
        (
            (
                src,
                *(counts.get((src, dst)) or None for dst in targets),
                sum(counts.get((src, dst), 0) for dst in targets),
            )
            for src in sources
        ),
    )
