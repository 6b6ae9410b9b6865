"""Excel workbooks: one per integration (``<slug>.xlsx``) and one with every section.

Each workbook has the sheets Matrix, Technologies, Findings, Summary, Legend and Metadata,
one module each. The whole-matrix workbook keeps *one* Matrix sheet with a Section column
rather than one sheet per section: an auditor filters and sorts across all flows at once
(every flow leaving the Internet zone, every flow without C), and the per-section workbooks
share the very same column layout, so sheets from several workbooks can be stacked without
reshaping.

Safety (``cells``): every value from the source is written as a string cell (``inlineStr``),
never as a formula; text a spreadsheet would read as a formula also gets the quote prefix.

Reproducibility (``archive``): dates come from ``data.build.build_time`` only, and the zip is
rewritten with fixed entry timestamps, so equal inputs give byte-identical files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from openpyxl import Workbook

from ...model import ReportData, Section
from .. import Rendered, RenderOptions
from .archive import workbook_to_bytes
from .cells import clean
from .changes import changes_sheet
from .findings import findings_sheet
from .labels import STATUS_VALUES
from .legend import legend_sheet
from .matrix import matrix_sheet
from .metadata import metadata_sheet
from .printing import print_setup, set_properties
from .scope import Scope
from .summary import summary_sheet
from .technologies import technologies_sheet

COMBINED_NAME = "communication-matrix"


def render(data: ReportData, options: RenderOptions) -> Rendered:
    """``<slug>.xlsx`` per section and ``communication-matrix.xlsx`` with all sections."""
    del options  # no templates: the layout lives in this package
    files: Rendered = {}
    taken = {COMBINED_NAME}
    for section in data.matrix.sections:
        name = _unique(section.slug, taken)
        files[f"{name}.xlsx"] = workbook_bytes(data, (section,))
    files[f"{COMBINED_NAME}.xlsx"] = workbook_bytes(data, data.matrix.sections)
    return files


def _unique(slug: str, taken: set[str]) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", slug.casefold()).strip("-") or "section"
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}-{n}"
    taken.add(candidate)
    return candidate


def workbook_bytes(data: ReportData, sections: Sequence[Section]) -> bytes:
    """One workbook covering ``sections``, as reproducible bytes."""
    return workbook_to_bytes(build_workbook(data, sections), data.build.build_time)


def changes_workbook(data: ReportData) -> bytes:
    """``reportgen diff --format xlsx``: one Changes sheet (every change and regression of
    ``data.changes``), printed and stamped like the other workbooks."""
    if data.changes is None:
        raise ValueError("changes_workbook needs ReportData with changes (a diff)")
    scope = Scope(data.matrix.sections, combined=True)
    wb = _empty_workbook()
    changes_sheet(wb.create_sheet("Changes"), data)
    for ws in wb.worksheets:
        print_setup(ws, data, scope)
    set_properties(wb, data, scope)
    old, new = data.changes.old, data.changes.new
    wb.properties.title = clean(f"Changes from {old.label} to {new.label}")
    return workbook_to_bytes(wb, data.build.build_time)


def build_workbook(data: ReportData, sections: Sequence[Section]) -> Workbook:
    """The openpyxl workbook for ``sections`` (all of the matrix's sections = combined)."""
    scope = Scope(tuple(sections), combined=tuple(sections) == data.matrix.sections)
    findings = tuple(f for f in data.assessment.findings if f.section in scope.slugs)
    wb = _empty_workbook()
    matrix_sheet(wb.create_sheet("Matrix"), data, scope)
    technologies_sheet(wb.create_sheet("Technologies"), scope)
    findings_sheet(wb.create_sheet("Findings"), data, scope, findings)
    summary_sheet(wb.create_sheet("Summary"), data, scope, findings)
    legend_sheet(wb.create_sheet("Legend"), data)
    metadata_sheet(wb.create_sheet("Metadata"), data, scope, findings)
    if scope.combined and data.changes is not None:
        changes_sheet(wb.create_sheet("Changes"), data)
    for ws in wb.worksheets:
        print_setup(ws, data, scope)
    wb.active = 0
    set_properties(wb, data, scope)
    return wb


def _empty_workbook() -> Workbook:
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    return wb


__all__ = [
    "COMBINED_NAME",
    "STATUS_VALUES",
    "build_workbook",
    "changes_workbook",
    "render",
    "workbook_bytes",
]
