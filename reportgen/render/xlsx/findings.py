"""The Findings sheet: one row per finding, with the auditor's own columns, and the long
Finding controls table (one row per finding and control, so a filter on a control is exact)."""

from __future__ import annotations

from datetime import date
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ...model import Control, ControlRef, Finding, Level
from .labels import STATUS_VALUES, TRIAGE_TO_STATUS, control_label, framework_name
from .layout import (
    Column,
    column_letter,
    column_number,
    column_range,
    drop_down,
    row_rules,
    table_sheet,
)
from .scope import Book
from .styles import LEVEL_FILLS

_FINDING_COLUMNS = (
    Column("Finding", 20, fit=True),
    Column("Severity", 12),
    Column("Kind", 12, fit=True),
    Column("Section", 18, wrap=True),
    Column("Flow key", 8, fit=True),
    Column("Component", 18, wrap=True),
    Column("Destination", 18, wrap=True),
    Column("Rule", 10, fit=True),
    Column("Title", 30, wrap=True),
    Column("Evidence", 40, wrap=True),
    Column("Controls", 40, wrap=True),
    Column("Recommendation", 40, wrap=True),
    Column("Assumptions", 30, wrap=True),
    Column("Source line", 8, text=False),
    Column("Status", 14),
    Column("Owner", 16),
    Column("Due date", 12, text=False),
    Column("Ticket", 14, wrap=True),
    Column("Comment", 30, wrap=True),
)
DEFAULT_STATUS = STATUS_VALUES[0]
"""A finding without a triage decision is Open."""


def control_titles(book: Book) -> dict[ControlRef, Control]:
    return {c.ref: c for c in book.data.assessment.catalogue}


def control_line(ref: ControlRef, catalogue: dict[ControlRef, Control], language: str) -> str:
    """``ISO/IEC 27001 8.20 Networks security`` (the official title, in the report's
    language where the catalogue has it)."""
    control = catalogue.get(ref)
    if control is None:
        return control_label(ref)
    return f"{control_label(ref)} {control_title(control, language)}".rstrip()


def control_title(control: Control, language: str) -> str:
    return control.title_de if language == "de" and control.title_de else control.title


def findings_sheet(ws: Worksheet, book: Book) -> None:
    flows = {f.key: f for f in book.scope.flows}
    titles = {s.slug: s.title for s in book.data.matrix.sections}
    catalogue = control_titles(book)
    language = book.lang
    g = book.gettext
    approved = {a.id: a.approved for a in book.data.assessment.assumptions}
    rows: list[list[Any]] = []
    for finding in book.findings:
        flow = flows.get(finding.flow_key)
        rows.append(
            [
                finding.id,
                finding.severity.title,
                finding.kind,
                titles.get(finding.section, finding.section),
                book.flow_link(finding.flow_key, finding.flow_key),
                flow.component if flow else "",
                flow.destination if flow else "",
                finding.rule,
                book.text(g(finding.title)),
                book.text(finding.evidence),
                "\n".join(control_line(c, catalogue, language) for c in finding.controls),
                book.text(g(finding.recommendation)),
                "\n".join(
                    f"{a} ({g('approved') if approved.get(a) else g('not approved')})"
                    for a in finding.assumptions
                ),
                finding.location.line,
                _status(finding),
                finding.triage.owner or None,
                _due(finding.triage.due),
                finding.triage.ticket or None,
                None,
            ]
        )
    last = table_sheet(ws, "Findings", _FINDING_COLUMNS, rows, freeze="B2", gettext=book.gettext)
    due_column = column_number(_FINDING_COLUMNS, "Due date")
    for r in range(2, last + 1):
        ws.cell(row=r, column=due_column).number_format = "yyyy-mm-dd"
    severity_rows(ws, len(_FINDING_COLUMNS), column_letter(_FINDING_COLUMNS, "Severity"), last)
    drop_down(
        ws, column_range(_FINDING_COLUMNS, "Status", "Status", (2, last)), STATUS_VALUES, "Status"
    )
    due = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="1",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Due date",
        error="Enter a date (YYYY-MM-DD).",
    )
    due.add(column_range(_FINDING_COLUMNS, "Due date", "Due date", (2, last)))
    ws.add_data_validation(due)


def _due(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _status(finding: Finding) -> str:
    """The triage file's status (Open when the finding has no entry)."""
    return TRIAGE_TO_STATUS.get(finding.status, DEFAULT_STATUS)


def severity_rows(ws: Worksheet, width: int, severity: str, last: int) -> None:
    """Fill whole rows by their severity (conditional formats: sorting keeps them)."""
    target = f"A2:{get_column_letter(width)}{last}"
    row_rules(
        ws, target, ((f'${severity}2="{level.title}"', LEVEL_FILLS[level], None) for level in Level)
    )


_FINDING_CONTROL_COLUMNS = (
    Column("Finding", 20, fit=True),
    Column("Severity", 12),
    Column("Flow key", 8, fit=True),
    Column("Rule", 10, fit=True),
    Column("Framework", 15, fit=True),
    Column("Control", 10, fit=True),
    Column("Control title", 50, wrap=True),
)


def finding_controls_sheet(ws: Worksheet, book: Book) -> None:
    """One row per (finding, control): filtering the Control column by ``8.2`` finds 8.2
    only, where a "contains" filter on a list of ids also matched 8.20 to 8.24."""
    frame = book.finding_controls()
    catalogue = control_titles(book)
    language = book.lang
    rows: list[list[Any]] = []
    for finding_id, severity, flow_key, rule, framework, control in frame.itertuples(
        index=False, name=None
    ):
        found = catalogue.get(ControlRef(framework, control))
        rows.append(
            [
                book.finding_link(finding_id, finding_id),
                severity,
                book.flow_link(flow_key, flow_key),
                rule,
                framework_name(framework),
                control,
                control_title(found, language) if found else "",
            ]
        )
    last = table_sheet(
        ws, "FindingControls", _FINDING_CONTROL_COLUMNS, rows, freeze="B2", gettext=book.gettext
    )
    severity_rows(
        ws, len(_FINDING_CONTROL_COLUMNS), column_letter(_FINDING_CONTROL_COLUMNS, "Severity"), last
    )
