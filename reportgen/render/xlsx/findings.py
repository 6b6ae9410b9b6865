"""The Findings sheet: one row per finding, with the auditor's own columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ...model import (
    Finding,
    ReportData,
)
from .labels import STATUS_VALUES, control_label
from .layout import Column, column_number, column_range, table_sheet
from .scope import Scope
from .styles import LEVEL_FILLS

# --- Findings ----------------------------------------------------------------------------

_FINDING_COLUMNS = (
    Column("Finding", 20, wrap=True),
    Column("Severity", 12),
    Column("Section", 18),
    Column("Flow", 7),
    Column("Component", 18, wrap=True),
    Column("Destination", 18, wrap=True),
    Column("Rule", 10),
    Column("Title", 30, wrap=True),
    Column("Evidence", 40, wrap=True),
    Column("Controls", 22, wrap=True),
    Column("Recommendation", 40, wrap=True),
    Column("Source line", 8, text=False),
    Column("Status", 13),
    Column("Owner", 16),
    Column("Due date", 12, text=False),
    Column("Comment", 30, wrap=True),
)


def findings_sheet(
    ws: Worksheet, data: ReportData, scope: Scope, findings: Sequence[Finding]
) -> None:
    flows = {f.key: f for f in scope.flows}
    titles = {s.slug: s.title for s in data.matrix.sections}
    rows: list[list[Any]] = []
    for finding in findings:
        flow = flows.get(finding.flow_key)
        rows.append(
            [
                finding.id,
                finding.severity.title,
                titles.get(finding.section, finding.section),
                finding.flow_id,
                flow.component if flow else "",
                flow.destination if flow else "",
                finding.rule,
                finding.title,
                finding.evidence,
                "\n".join(control_label(c) for c in finding.controls),
                finding.recommendation,
                finding.location.line,
                None,
                None,
                None,
                None,
            ]
        )
    last = table_sheet(ws, "Findings", _FINDING_COLUMNS, rows, freeze="B2")
    severity_column = column_number(_FINDING_COLUMNS, "Severity")
    due_column = column_number(_FINDING_COLUMNS, "Due date")
    for r, finding in enumerate(findings, start=2):
        ws.cell(row=r, column=severity_column).fill = LEVEL_FILLS[finding.severity]
    for r in range(2, last + 1):
        ws.cell(row=r, column=due_column).number_format = "yyyy-mm-dd"
    status = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUS_VALUES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Status",
        error="Choose a status from the list.",
    )
    status.add(column_range(_FINDING_COLUMNS, "Status", "Status", (2, last)))
    ws.add_data_validation(status)
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
