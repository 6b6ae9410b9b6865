"""The user-visible words of the workbooks that are not column headers, in one place."""

from __future__ import annotations

from ...model import (
    ControlRef,
    Level,
)

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

LEVEL_DEFINITIONS: dict[Level, str] = {
    Level.HIGH: "A documented flow lacks a protection that its zones require; fix before "
    "relying on the setup.",
    Level.MEDIUM: "A protection is missing or weaker than expected, with compensating "
    "factors likely; plan a fix.",
    Level.LOW: "A minor gap or a documentation weakness; fix when convenient.",
    Level.INFO: "An observation for the record; no action required.",
    Level.NOT_ASSESSED: "The matrix marks the property with '?' (depends on configuration); "
    "the operator must assess it for the installation.",
}

TRUST_CLASS_MEANINGS: dict[str, str] = {
    "untrusted": "Outside the operator's control (the Internet, or a zone the page leaves open).",
    "external-service": "A service operated by a third party under contract.",
    "tenant": "Machines, firewalls and clusters run for and by tenants.",
    "management": "Control planes that administer everything else.",
    "infrastructure": "Network and storage fabric operated by the provider.",
}

NOT_RECORDED = "(not recorded)"

FRAMEWORK_LABELS: dict[str, str] = {
    "iso27001": "ISO/IEC 27001",
    "grundschutz": "IT-Grundschutz",
    "c5": "C5",
}


def control_label(ref: ControlRef) -> str:
    return f"{FRAMEWORK_LABELS.get(ref.framework, ref.framework)} {ref.id}"
