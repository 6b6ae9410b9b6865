"""JSON for machines: the normalized records, the diagnostics, findings and statistics.

Keys keep a fixed order and lists the source's order, so the same input gives the same bytes.
``records.schema.json`` (JSON Schema 2020-12) describes ``records.json`` and ships beside it.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import orjson

from ..bundle import ReportData
from ..model import (
    Assessment,
    Cell,
    Diagnostic,
    Finding,
    Flow,
    Location,
    SectionStatistics,
    Statistics,
    Technology,
    ZoneRef,
)
from . import Rendered, RenderOptions

RECORDS_FORMAT = 1
"""Bumped when records.json changes incompatibly."""


_ORJSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE


def dumps(value: Any) -> bytes:
    """``value`` as UTF-8 JSON indented by two spaces, with a final newline: the bytes of
    ``json.dumps(value, indent=2, ensure_ascii=False) + "\\n"`` for the values reportgen
    writes (``tests/test_json_encoding.py`` compares them), from orjson.

    The standard library encodes indented JSON in Python, not C: at 1,000 flows the JSON
    and OSCAL outputs took 1.1 s to encode, orjson takes 0.05 s. A value orjson refuses
    (an integer beyond 64 bits) falls back to the standard library."""
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def location(loc: Location) -> dict[str, Any]:
    return {"path": loc.path, "line": loc.line, "column": loc.column}


def _zone(zone: ZoneRef, data: ReportData) -> dict[str, Any]:
    return {
        "text": zone.text,
        "canonical": zone.canonical,
        "trust_class": data.config.trust_class(zone.name),
    }


def _cells(cells: tuple[Cell, ...]) -> dict[str, Any]:
    return {c.field: {"text": c.text, **location(c.location)} for c in cells}


def flow_record(flow: Flow, data: ReportData) -> dict[str, Any]:
    return {
        "key": flow.key,
        "id": flow.id,
        "section": flow.section,
        "component": flow.component,
        "source_zone": _zone(flow.source_zone, data),
        "protocol": {"text": flow.protocol.text, "parts": list(flow.protocol.parts)},
        "destination": flow.destination,
        "destination_zone": _zone(flow.destination_zone, data),
        "ports": None
        if flow.ports is None
        else {"text": flow.ports.text, "ranges": [[r.start, r.end] for r in flow.ports.ranges]},
        "confidentiality": flow.confidentiality.value,
        "integrity": flow.integrity.value,
        "authentication": flow.authentication.value,
        "trusted": flow.trusted.value,
        "purpose": flow.purpose,
        "notes": flow.notes,
        "optional": flow.optional,
        "extra": dict(flow.extra),
        "location": location(flow.location),
        "cells": _cells(flow.cells),
    }


def technology_record(tech: Technology) -> dict[str, Any]:
    return {
        "name": tech.name,
        "parties": tech.parties,
        "notes": tech.notes,
        "section": tech.section,
        "location": location(tech.location),
        "cells": _cells(tech.cells),
    }


def source_record(data: ReportData) -> dict[str, Any]:
    src = data.matrix.source
    return {
        "path": src.path,
        "sha256": src.sha256,
        "size": src.size,
        "repository": src.repository,
        "commit": src.commit,
        "commit_time": src.commit_time.isoformat() if src.commit_time else None,
        "version": src.version,
    }


def records(data: ReportData) -> dict[str, Any]:
    matrix = data.matrix
    return {
        "$schema": "records.schema.json",
        "format": RECORDS_FORMAT,
        "generator": data.build.generator,
        "release": data.build.release,
        "source": source_record(data),
        "title": matrix.title,
        "legend": [
            {"key": e.key, "meaning": e.meaning, "location": location(e.location)}
            for e in matrix.legend
        ],
        "sections": [
            {
                "slug": s.slug,
                "title": s.title,
                "location": location(s.location),
                "flows": [flow_record(f, data) for f in s.flows],
                "technologies": [technology_record(t) for t in s.technologies],
            }
            for s in matrix.sections
        ],
        "unsectioned_technologies": [technology_record(t) for t in matrix.orphan_technologies],
    }


def diagnostic_record(d: Diagnostic) -> dict[str, Any]:
    return d.to_dict()


def finding_record(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "rule": f.rule,
        "title": f.title,
        "severity": f.severity.value,
        "flow_key": f.flow_key,
        "flow_id": f.flow_id,
        "section": f.section,
        "kind": f.kind,
        "exposure": f.exposure,
        "protection_need": f.protection_need,
        "evidence": f.evidence,
        "controls": [{"framework": c.framework, "id": c.id} for c in f.controls],
        "gspp": [c.id for c in f.gspp],
        "assumptions": list(f.assumptions),
        "recommendation": f.recommendation,
        "location": location(f.location),
        "triage": {
            "status": f.triage.status,
            "owner": f.triage.owner,
            "due": f.triage.due,
            "ticket": f.triage.ticket,
            "justification": f.triage.justification,
            "decided_by": f.triage.decided_by,
            "decided_on": f.triage.decided_on,
            "expires": f.triage.expires,
        },
    }


def findings(data: ReportData) -> dict[str, Any]:
    a: Assessment = data.assessment
    return {
        "generator": data.build.generator,
        "release": data.build.release,
        "source": {"path": data.matrix.source.path, "sha256": data.matrix.source.sha256},
        "ruleset_version": a.ruleset_version,
        "catalogue_version": a.catalogue_version,
        "counts": counts_record(a),
        "assumptions": [
            {
                "id": x.id,
                "subject": x.subject,
                "value": x.value,
                "statement": x.statement,
                "approved_by": x.approved_by or None,
                "role": x.role or None,
                "approved_on": x.approved_on or None,
            }
            for x in a.assumptions
        ],
        "findings": [finding_record(f) for f in a.findings],
        "controls": [
            {
                "framework": c.control.framework,
                "id": c.control.id,
                "title": c.control.title,
                "title_de": c.control.title_de,
                "level": c.control.level,
                "status": c.status,
                "reason": c.reason,
                "findings": list(c.findings),
                "flows_in_scope": list(c.flows),
                "not_assessable_flows": list(c.unassessed),
                "worst": c.worst.value if c.worst else None,
            }
            for c in a.control_status
        ],
    }


def counts_record(a: Assessment) -> dict[str, Any]:
    c = a.statistics.counts
    return {
        "security": {level.value: n for level, n in c.security},
        "data_quality": c.data_quality,
        "not_assessed": c.not_assessed,
        "flows_with_medium_or_high": c.flows_medium_or_high,
        "security_with_decision_in_force": c.decided,
    }


def _section_stats(s: SectionStatistics) -> dict[str, Any]:
    return {
        "slug": s.slug,
        "title": s.title,
        "flows": s.flows,
        "technologies": s.technologies,
        "flags": {
            c.flag: {"x": c.yes, "empty": c.no, "?": c.unknown, "total": c.total} for c in s.flags
        },
        "findings": {level.value: count for level, count in s.findings},
    }


def statistics(data: ReportData) -> dict[str, Any]:
    st: Statistics = data.assessment.statistics
    return {
        "generator": data.build.generator,
        "release": data.build.release,
        "overall": _section_stats(st.overall),
        "sections": [_section_stats(s) for s in st.sections],
        "zones": list(st.zones),
        "zone_pairs": [
            {
                "source": p.source,
                "destination": p.destination,
                "flows": p.flows,
                "worst": p.worst.value if p.worst else None,
            }
            for p in st.zone_pairs
        ],
        "counts": counts_record(data.assessment),
    }


def records_json(data: ReportData) -> bytes:
    return dumps(records(data))


def diagnostics_json(data: ReportData) -> bytes:
    return dumps([diagnostic_record(d) for d in data.report.diagnostics])


def findings_json(data: ReportData) -> bytes:
    return dumps(findings(data))


def statistics_json(data: ReportData) -> bytes:
    return dumps(statistics(data))


def verify_json(data: ReportData) -> bytes:
    """``verify.json``: the matrix against observed traffic (``reportgen verify``)."""
    if data.verification is None:
        raise ValueError("verify_json needs ReportData with a verification (--observed)")
    return dumps(
        {
            "generator": data.build.generator,
            "release": data.build.release,
            "source": {"path": data.matrix.source.path, "sha256": data.matrix.source.sha256},
            **data.verification.to_dict(),
        }
    )


def records_schema() -> bytes:
    return resources.files("reportgen").joinpath("schema/records.schema.json").read_bytes()


def render(data: ReportData, options: RenderOptions) -> Rendered:
    out = {
        "records.json": records_json(data),
        "records.schema.json": records_schema(),
        "diagnostics.json": diagnostics_json(data),
        "findings.json": findings_json(data),
        "statistics.json": statistics_json(data),
    }
    if data.verification is not None:
        out["verify.json"] = verify_json(data)
    return out
