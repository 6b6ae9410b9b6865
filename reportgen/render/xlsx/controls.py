"""The Controls sheet: the Statement of Applicability view, one row per control or
requirement in scope, with the documentation-review status from the assessment and columns
for the auditor's own status and comment."""

from __future__ import annotations

from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from ...model import ControlStatus
from ...ordering import natural_key
from ...vocabulary import CONTROL_STATUSES, FRAMEWORKS, GRUNDSCHUTZ_LEVELS
from .findings import control_title
from .labels import AUDITOR_CONTROL_VALUES, framework_name
from .layout import Column, column_range, drop_down, table_sheet
from .scope import Book

_CONTROL_COLUMNS = (
    Column("Framework", 14, fit=True),
    Column("Control", 10, fit=True),
    Column("Title", 40, wrap=True),
    Column("Level", 10),
    Column("Applicability", 14),
    Column("Reason", 44, wrap=True),
    Column("Review status", 16, fit=True),
    Column("Flows in scope", 9, text=False),
    Column("Findings", 9, text=False),
    Column("Worst severity", 12),
    Column("Auditor status", 22),
    Column("Auditor comment", 36, wrap=True),
)
APPLICABLE, NOT_APPLICABLE = "Applicable", "Not applicable"
_REVIEW_STATUS = {key: key.replace("-", " ").capitalize() for key in CONTROL_STATUSES}
"""``not-contradicted`` -> ``Not contradicted`` (the vocabulary's keys)."""


_FRAMEWORK_ORDER = {f.key: i for i, f in enumerate(FRAMEWORKS)}


def _order(status: ControlStatus) -> tuple[object, ...]:
    """The vocabulary's framework order (ISO 27001 first), then ids in natural order."""
    framework = status.control.framework
    return (
        _FRAMEWORK_ORDER.get(framework, len(FRAMEWORKS)),
        framework,
        natural_key(status.control.id),
    )


def controls_sheet(ws: Worksheet, book: Book) -> None:
    language = book.lang
    rows: list[list[Any]] = []
    for status in sorted(book.data.assessment.control_status, key=_order):
        control = status.control
        level = GRUNDSCHUTZ_LEVELS.get(control.level)
        rows.append(
            [
                framework_name(control.framework),
                control.id,
                control_title(control, language),
                (level[1] if language == "de" else level[0]) if level else "",
                NOT_APPLICABLE if status.status == "not-applicable" else APPLICABLE,
                book.text(status.reason),
                _REVIEW_STATUS.get(status.status, status.status),
                len(status.flows),
                len(status.findings),
                status.worst.title if status.worst is not None else "",
                None,
                None,
            ]
        )
    last = table_sheet(ws, "Controls", _CONTROL_COLUMNS, rows, freeze="C2", gettext=book.gettext)
    drop_down(
        ws,
        column_range(_CONTROL_COLUMNS, "Auditor status", "Auditor status", (2, last)),
        AUDITOR_CONTROL_VALUES,
        "Auditor status",
    )
