"""Test data for the Markdown renderer and the MkDocs plugin.

TEMPORARY: until ``reportgen.assess`` lands on main, findings come from two tiny hand-made
rules here; switch to ``reportgen.build.load`` then.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from reportgen.config import Config, load_config
from reportgen.model import (
    FLAG_FIELDS,
    FLAG_KEYS,
    Assessment,
    BuildInfo,
    Control,
    ControlRef,
    Finding,
    Flag,
    FlagCoverage,
    Level,
    Matrix,
    Report,
    ReportData,
    SectionStatistics,
    Statistics,
)
from reportgen.parse import parse

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "communication-matrix.md"
CONFIG = ROOT / "source" / "report.toml"
BUILD_TIME = datetime(2025, 10, 8, 12, 0, tzinfo=UTC)

CATALOGUE = (
    Control("iso27001", "A.8.24", "Use of cryptography"),
    Control("iso27001", "A.8.5", "Secure authentication"),
)


def findings_for(matrix: Matrix) -> tuple[Finding, ...]:
    out: list[Finding] = []
    for flow in matrix.flows:
        if flow.crosses_zones and flow.confidentiality is Flag.NO:
            out.append(
                Finding(
                    id=f"T-PLAIN:{flow.key}",
                    rule="T-PLAIN",
                    title="Unencrypted flow between zones",
                    severity=Level.HIGH,
                    flow_key=flow.key,
                    flow_id=flow.id,
                    section=flow.section,
                    evidence=f"C is empty for {flow.component} -> {flow.destination}",
                    controls=(ControlRef("iso27001", "A.8.24"),),
                    recommendation="Encrypt the flow (TLS).",
                    location=flow.cell_location("confidentiality"),
                )
            )
        if flow.authentication is Flag.UNKNOWN:
            out.append(
                Finding(
                    id=f"T-AUTH?:{flow.key}",
                    rule="T-AUTH?",
                    title="Authentication not assessed",
                    severity=Level.NOT_ASSESSED,
                    flow_key=flow.key,
                    flow_id=flow.id,
                    section=flow.section,
                    evidence="Auth is ?",
                    controls=(ControlRef("iso27001", "A.8.5"),),
                    recommendation="Document the authentication.",
                    location=flow.cell_location("authentication"),
                )
            )
    return tuple(out)


def _stats(
    slug: str, title: str, matrix: Matrix, findings: tuple[Finding, ...]
) -> SectionStatistics:
    flows = [f for f in matrix.flows if slug == "all" or f.section == slug]
    techs = [t for t in matrix.technologies if slug == "all" or t.section == slug]
    mine = [f for f in findings if slug == "all" or f.section == slug]
    return SectionStatistics(
        slug=slug,
        title=title,
        flows=len(flows),
        technologies=len(techs),
        flags=tuple(
            FlagCoverage(
                FLAG_KEYS[name],
                sum(1 for f in flows if f.flag(name) is Flag.YES),
                sum(1 for f in flows if f.flag(name) is Flag.NO),
                sum(1 for f in flows if f.flag(name) is Flag.UNKNOWN),
            )
            for name in FLAG_FIELDS
        ),
        findings=tuple((lv, sum(1 for f in mine if f.severity is lv)) for lv in Level),
    )


def report_data(matrix: Matrix, config: Config, report: Report | None = None) -> ReportData:
    findings = findings_for(matrix)
    stats = Statistics(
        overall=_stats("all", "All sections", matrix, findings),
        sections=tuple(_stats(s.slug, s.title, matrix, findings) for s in matrix.sections),
        zones=(),
        zone_pairs=(),
        controls=(),
    )
    return ReportData(
        matrix=matrix,
        report=report or Report(matrix.problems),
        assessment=Assessment(findings, stats, (), CATALOGUE, "test-1", "test-catalogue"),
        config=config,
        build=BuildInfo("reportgen 0.1.0", BUILD_TIME, "v0.21.11"),
    )


def metal_stack() -> ReportData:
    config = load_config(CONFIG)
    matrix = parse(SOURCE.read_bytes(), "source/communication-matrix.md", config)
    return report_data(matrix, config)


def from_text(text: str, config: Config | None = None) -> ReportData:
    config = config or Config()
    return report_data(parse(text.encode("utf-8"), "test.md", config), config)
