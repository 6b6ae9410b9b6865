"""The user-visible words of the workbooks that are not column headers, in one place."""

from __future__ import annotations

from ...model import ControlRef
from ...vocabulary import framework_label

MATRIX_SHEET = "Matrix"
TECHNOLOGIES_SHEET = "Technologies"
FINDINGS_SHEET = "Findings"
FINDING_CONTROLS_SHEET = "Finding controls"
CONTROLS_SHEET = "Controls"
FIREWALL_SHEET = "Firewall view"
SUMMARY_SHEET = "Summary"
LEGEND_SHEET = "Legend"
METADATA_SHEET = "Metadata"
CHANGES_SHEET = "Changes"

STATUS_VALUES: tuple[str, ...] = (
    "Open",
    "In progress",
    "Mitigated",
    "Risk accepted",
    "False positive",
    "Closed",
)
"""Values the auditor's Status column accepts (a data validation list)."""

AUDITOR_CONTROL_VALUES: tuple[str, ...] = (
    "Implemented",
    "Partially implemented",
    "Not implemented",
    "Not applicable",
    "Not yet checked",
)
"""Values of the Controls sheet's Auditor status column (as a Grundschutz-Check records the
implementation status: yes, partially, no, dispensable)."""

NOT_RECORDED = "(not recorded)"


def framework_name(key: str) -> str:
    """The short label of a framework (``ISO 27001``, ``Grundschutz``), from the vocabulary."""
    try:
        return framework_label(key).short
    except KeyError:
        return key


def control_label(ref: ControlRef) -> str:
    return f"{framework_name(ref.framework)} {ref.id}"


TRIAGE_TO_STATUS: dict[str, str] = {
    "open": "Open",
    "in-progress": "In progress",
    "mitigated": "Mitigated",
    "accepted": "Risk accepted",
    "false-positive": "False positive",
}
"""The triage file's statuses (vocabulary.TRIAGE_STATUSES) -> the Status drop-down's words."""
