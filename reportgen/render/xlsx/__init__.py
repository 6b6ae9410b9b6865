"""Excel workbooks: one per integration (``<slug>.xlsx``) and one with every section.

Each workbook has the sheets of ``SHEETS`` (Matrix, Technologies, Findings, Finding
controls, Firewall view, Summary, Legend, Metadata; Controls in the whole-matrix workbook),
one module each. The whole-matrix
workbook keeps *one* Matrix sheet with a Section column rather than one sheet per section: an
auditor filters and sorts across all flows at once
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ...bundle import ReportData
from ...i18n import DEFAULT_LANGUAGE
from ...model import Section
from .. import Rendered, RenderOptions
from .archive import workbook_to_bytes
from .cells import clean
from .changes import VERIFY_SHEET, changes_sheet, verify_sheet
from .controls import controls_sheet
from .findings import finding_controls_sheet, findings_sheet
from .firewall import firewall_sheet
from .frames import Tables
from .labels import (
    CHANGES_SHEET,
    CONTROLS_SHEET,
    FINDING_CONTROLS_SHEET,
    FINDINGS_SHEET,
    FIREWALL_SHEET,
    LEGEND_SHEET,
    MATRIX_SHEET,
    METADATA_SHEET,
    STATUS_VALUES,
    SUMMARY_SHEET,
    TECHNOLOGIES_SHEET,
)
from .legend import legend_sheet
from .matrix import matrix_sheet
from .metadata import metadata_sheet
from .printing import print_setup, set_properties
from .scope import Book, Scope, scope_tables
from .summary import summary_sheet
from .technologies import technologies_sheet

COMBINED_NAME = "communication-matrix"


def render(data: ReportData, options: RenderOptions) -> Rendered:
    """``<slug>.xlsx`` per section and ``communication-matrix.xlsx`` with all sections."""
    files: Rendered = {}
    taken = {COMBINED_NAME}
    every = [(section,) for section in data.matrix.sections] + [data.matrix.sections]
    names = [_unique(section.slug, taken) for section in data.matrix.sections] + [COMBINED_NAME]
    tables = scope_tables(data, [_scope(data, sections) for sections in every])
    for index, (name, sections) in enumerate(zip(names, every, strict=True)):
        files[f"{name}.xlsx"] = workbook_bytes(data, sections, options.lang, (tables, index))
    return files


def _scope(data: ReportData, sections: Sequence[Section]) -> Scope:
    return Scope(tuple(sections), combined=tuple(sections) == data.matrix.sections)


def _unique(slug: str, taken: set[str]) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", slug.casefold()).strip("-") or "section"
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}-{n}"
    taken.add(candidate)
    return candidate


def workbook_bytes(
    data: ReportData,
    sections: Sequence[Section],
    lang: str = DEFAULT_LANGUAGE,
    shared: tuple[Tables, int] | None = None,
) -> bytes:
    """One workbook covering ``sections``, as reproducible bytes, in ``lang`` (``shared``: see
    ``build_workbook``)."""
    return workbook_to_bytes(build_workbook(data, sections, lang, shared), data.build.build_time)


def changes_workbook(data: ReportData) -> bytes:
    """``reportgen diff --format xlsx``: one Changes sheet (every change and regression of
    ``data.changes``), printed and stamped like the other workbooks."""
    if data.changes is None:
        raise ValueError("changes_workbook needs ReportData with changes (a diff)")
    scope = Scope(data.matrix.sections, combined=True)
    wb = _empty_workbook()
    changes_sheet(wb.create_sheet(CHANGES_SHEET), data)
    for ws in wb.worksheets:
        print_setup(ws, data, scope)
    set_properties(wb, data, scope)
    old, new = data.changes.old, data.changes.new
    wb.properties.title = clean(f"Changes from {old.label} to {new.label}")
    return workbook_to_bytes(wb, data.build.build_time)


SheetWriter = Callable[[Worksheet, Book], None]


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    write: SheetWriter
    combined_only: bool = False
    """Only in the whole-matrix workbook (views across all sections)."""


SHEETS: tuple[Sheet, ...] = (
    Sheet(MATRIX_SHEET, matrix_sheet),
    Sheet(TECHNOLOGIES_SHEET, technologies_sheet),
    Sheet(FINDINGS_SHEET, findings_sheet),
    Sheet(FINDING_CONTROLS_SHEET, finding_controls_sheet),
    Sheet(CONTROLS_SHEET, controls_sheet, combined_only=True),
    Sheet(FIREWALL_SHEET, firewall_sheet),
    Sheet(SUMMARY_SHEET, summary_sheet),
    Sheet(LEGEND_SHEET, legend_sheet),
    Sheet(METADATA_SHEET, metadata_sheet),
    # Further sheets (verify's observed-traffic comparison) go here: a name and a writer
    # over the Book.
)
"""The workbook's sheets in order: add a sheet by adding a row."""


def build_workbook(
    data: ReportData,
    sections: Sequence[Section],
    lang: str = DEFAULT_LANGUAGE,
    shared: tuple[Tables, int] | None = None,
) -> Workbook:
    """The openpyxl workbook for ``sections`` (all of the matrix's sections = combined).
    ``shared``: the analytical tables of a render's workbooks (``scope.scope_tables``) and
    this one's place in them; by default they are built for this workbook alone."""
    scope = _scope(data, sections)
    book = Book.of(data, scope, lang, shared)
    wb = _empty_workbook()
    for sheet in SHEETS:
        if scope.combined or not sheet.combined_only:
            sheet.write(wb.create_sheet(sheet.name), book)
    if scope.combined and data.changes is not None:
        changes_sheet(wb.create_sheet(CHANGES_SHEET), data)
    if scope.combined and data.verification is not None:
        verify_sheet(wb.create_sheet(VERIFY_SHEET), data)
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
    "SHEETS",
    "STATUS_VALUES",
    "build_workbook",
    "changes_workbook",
    "render",
    "workbook_bytes",
]
