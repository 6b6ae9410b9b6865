"""The report as pandas DataFrames: one flat table per kind of record.

:func:`to_frames` turns a :class:`~reportgen.bundle.ReportData` into the tables a data analyst
wants in a notebook, each column a plain value (text, integer or boolean; no nested objects),
so no ``json_normalize`` is needed. The columns are documented in ``docs/api.md`` (a test
keeps the two in step) and are listed in :data:`COLUMNS`.

Only :meth:`reportgen.api.Result.to_frames` imports this module (the workbook renderer's
analytical sheets import pandas too, in ``render/xlsx/frames.py``), so ``reportgen validate``
and ``import reportgen`` never load pandas.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from .assess.catalogue import lookup
from .bundle import ReportData
from .model import (
    ControlRef,
    ControlStatus,
    Diagnostic,
    Finding,
    Flow,
    Location,
    Technology,
    ZoneRef,
)

_LOCATION = ("path", "line", "column")

COLUMNS: dict[str, tuple[str, ...]] = {
    "flows": (
        "key",
        "id",
        "section",
        "component",
        "source_zone",
        "source_zone_text",
        "source_trust",
        "protocol",
        "destination",
        "destination_zone",
        "destination_zone_text",
        "destination_trust",
        "ports",
        "confidentiality",
        "integrity",
        "authentication",
        "trusted",
        "purpose",
        "notes",
        "optional",
        "crosses_zones",
        "findings",
        "worst_severity",
        *_LOCATION,
    ),
    "technologies": ("name", "parties", "notes", "section", *_LOCATION),
    "findings": (
        "id",
        "rule",
        "kind",
        "severity",
        "title",
        "flow_key",
        "flow_id",
        "section",
        "evidence",
        "recommendation",
        "controls",
        "exposure",
        "protection_need",
        "assumptions",
        "status",
        "owner",
        "due",
        "ticket",
        "expires",
        *_LOCATION,
    ),
    "finding_controls": (
        "finding_id",
        "rule",
        "severity",
        "flow_key",
        "framework",
        "control_id",
        "control_title",
        "derived",
    ),
    "controls": (
        "framework",
        "control_id",
        "control_title",
        "level",
        "status",
        "reason",
        "findings",
        "flows",
        "unassessed",
        "worst_severity",
    ),
    "diagnostics": ("code", "severity", "message", "hint", "flow_id", *_LOCATION),
}
"""Table name -> its columns, in order."""


def _location(location: Location) -> dict[str, Any]:
    return {"path": location.path, "line": location.line, "column": location.column}


def _frame(name: str, rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(COLUMNS[name]))


def _flow_row(flow: Flow, data: ReportData) -> dict[str, Any]:
    def zone(ref: ZoneRef) -> tuple[str, str, str]:
        return ref.name, ref.text, data.config.trust_class(ref.name)

    source, source_text, source_trust = zone(flow.source_zone)
    destination, destination_text, destination_trust = zone(flow.destination_zone)
    findings = data.assessment.for_flow(flow.key)
    worst = min(findings, key=lambda f: f.severity.rank).severity.value if findings else ""
    port = flow.cell("port")
    return {
        "key": flow.key,
        "id": flow.id,
        "section": flow.section,
        "component": flow.component,
        "source_zone": source,
        "source_zone_text": source_text,
        "source_trust": source_trust,
        "protocol": flow.protocol.text,
        "destination": flow.destination,
        "destination_zone": destination,
        "destination_zone_text": destination_text,
        "destination_trust": destination_trust,
        "ports": str(flow.ports) if flow.ports is not None else (port.text if port else ""),
        **{name: value.value for name, value in flow.flags},
        "purpose": flow.purpose,
        "notes": flow.notes,
        "optional": flow.optional,
        "crosses_zones": flow.crosses_zones,
        "findings": len(findings),
        "worst_severity": worst,
        **_location(flow.location),
    }


def _technology_row(tech: Technology) -> dict[str, Any]:
    return {
        "name": tech.name,
        "parties": tech.parties,
        "notes": tech.notes,
        "section": tech.section or "",
        **_location(tech.location),
    }


def _finding_row(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.id,
        "rule": finding.rule,
        "kind": finding.kind,
        "severity": finding.severity.value,
        "title": finding.title,
        "flow_key": finding.flow_key,
        "flow_id": finding.flow_id,
        "section": finding.section,
        "evidence": finding.evidence,
        "recommendation": finding.recommendation,
        "controls": ", ".join(c.id for c in finding.controls),
        "exposure": finding.exposure,
        "protection_need": finding.protection_need,
        "assumptions": ", ".join(finding.assumptions),
        "status": finding.triage.status,
        "owner": finding.triage.owner,
        "due": finding.triage.due,
        "ticket": finding.triage.ticket,
        "expires": finding.triage.expires,
        **_location(finding.location),
    }


def _finding_control_rows(data: ReportData) -> Iterable[dict[str, Any]]:
    """One row per finding and control: the rule's mapped controls, then the Grundschutz++
    controls derived from them through the BSI's mappings (``derived``)."""
    titles = {(c.framework, c.id): c.title for c in data.assessment.catalogue}

    def title(ref: ControlRef) -> str:
        known = titles.get((ref.framework, ref.id))
        return known if known is not None else lookup(ref).title

    for finding in data.assessment.findings:
        for refs, derived in ((finding.controls, False), (finding.gspp, True)):
            for ref in refs:
                yield {
                    "finding_id": finding.id,
                    "rule": finding.rule,
                    "severity": finding.severity.value,
                    "flow_key": finding.flow_key,
                    "framework": ref.framework,
                    "control_id": ref.id,
                    "control_title": title(ref),
                    "derived": derived,
                }


def _control_row(status: ControlStatus) -> dict[str, Any]:
    return {
        "framework": status.control.framework,
        "control_id": status.control.id,
        "control_title": status.control.title,
        "level": status.control.level,
        "status": status.status,
        "reason": status.reason,
        "findings": len(status.findings),
        "flows": len(status.flows),
        "unassessed": len(status.unassessed),
        "worst_severity": status.worst.value if status.worst is not None else "",
    }


def _diagnostic_row(d: Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        "hint": d.hint or "",
        "flow_id": d.flow_id or "",
        **_location(d.location),
    }


def to_frames(data: ReportData) -> dict[str, pd.DataFrame]:
    """``flows``, ``technologies``, ``findings``, ``finding_controls``, ``controls`` and
    ``diagnostics`` as DataFrames with the columns of :data:`COLUMNS` (one row per record,
    in source order; findings in the assessment's order; controls as the assessment lists
    their status)."""
    return {
        "flows": _frame("flows", (_flow_row(f, data) for f in data.matrix.flows)),
        "technologies": _frame(
            "technologies", (_technology_row(t) for t in data.matrix.technologies)
        ),
        "findings": _frame("findings", (_finding_row(f) for f in data.assessment.findings)),
        "finding_controls": _frame("finding_controls", _finding_control_rows(data)),
        "controls": _frame("controls", (_control_row(s) for s in data.assessment.control_status)),
        "diagnostics": _frame("diagnostics", (_diagnostic_row(d) for d in data.report.diagnostics)),
    }
