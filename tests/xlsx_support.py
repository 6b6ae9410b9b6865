"""Test data for the XLSX renderer: parsed sources bundled as ReportData.

Uses ``reportgen.assess.assess`` and ``reportgen.validate.validate`` when they are on the
branch; until then a small hand-made assessment (two rules) stands in, so the renderer is
exercised with real flows, real findings and statistics that reconcile with them.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from reportgen.config import Config, load_config
from reportgen.model import (
    FLAG_FIELDS,
    FLAG_KEYS,
    Assessment,
    BuildInfo,
    ControlRef,
    Finding,
    Flag,
    FlagCoverage,
    Flow,
    Level,
    Matrix,
    Report,
    ReportData,
    RuleInfo,
    SectionStatistics,
    Statistics,
    ZonePair,
)
from reportgen.parse import parse

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "communication-matrix.md"
CONFIG = ROOT / "source" / "report.toml"
HOSTILE = ROOT / "tests" / "fixtures" / "xlsx-hostile.md"
BUILD_TIME = datetime(2025, 10, 8, 12, 30, 0, tzinfo=UTC)

_RULES = (
    RuleInfo(
        "HM-C",
        "Zone-crossing flow without encryption",
        "high",
        "Traffic leaving its zone can be read on the way.",
        "Encrypt the flow (TLS).",
        (ControlRef("iso27001", "A.8.24"),),
    ),
    RuleInfo(
        "HM-Q",
        "Protection not assessed",
        "not-assessed",
        "The page marks a flag with '?'.",
        "Assess the flag for the installation.",
        (ControlRef("iso27001", "A.8.20"),),
    ),
)


def _hand_made_findings(matrix: Matrix) -> tuple[Finding, ...]:
    out: list[Finding] = []
    for flow in matrix.flows:
        if flow.crosses_zones and flow.confidentiality is Flag.NO:
            out.append(_finding("HM-C", Level.HIGH, flow, "C is empty on a zone-crossing flow."))
        if any(flow.flag(n) is Flag.UNKNOWN for n in FLAG_FIELDS):
            out.append(_finding("HM-Q", Level.NOT_ASSESSED, flow, "A flag is '?'."))
    return tuple(sorted(out, key=lambda f: f.severity.rank))


def _finding(rule: str, level: Level, flow: Flow, evidence: str) -> Finding:
    info = next(r for r in _RULES if r.id == rule)
    return Finding(
        id=f"{rule}:{flow.key}",
        rule=rule,
        title=info.title,
        severity=level,
        flow_key=flow.key,
        flow_id=flow.id,
        section=flow.section,
        evidence=evidence,
        controls=info.controls,
        recommendation=info.recommendation,
        location=flow.location,
    )


def _section_stats(
    slug: str, title: str, flows: list[Flow], techs: int, findings: list[Finding]
) -> SectionStatistics:
    flags = tuple(
        FlagCoverage(
            FLAG_KEYS[name],
            sum(1 for f in flows if f.flag(name) is Flag.YES),
            sum(1 for f in flows if f.flag(name) is Flag.NO),
            sum(1 for f in flows if f.flag(name) is Flag.UNKNOWN),
        )
        for name in FLAG_FIELDS
    )
    levels = Counter(f.severity for f in findings)
    return SectionStatistics(
        slug, title, len(flows), techs, flags, tuple((lv, levels.get(lv, 0)) for lv in Level)
    )


def hand_made_assessment(matrix: Matrix, config: Config) -> Assessment:
    findings = _hand_made_findings(matrix)
    sections = tuple(
        _section_stats(
            s.slug,
            s.title,
            list(s.flows),
            len(s.technologies),
            [f for f in findings if f.section == s.slug],
        )
        for s in matrix.sections
    )
    overall = _section_stats(
        "all", "All sections", list(matrix.flows), len(list(matrix.technologies)), list(findings)
    )
    pairs = Counter((f.source_zone.name, f.destination_zone.name) for f in matrix.flows)
    zones = tuple(z.name for z in config.zones)
    return Assessment(
        findings=findings,
        statistics=Statistics(
            overall=overall,
            sections=sections,
            zones=zones,
            zone_pairs=tuple(ZonePair(s, d, n, None) for (s, d), n in sorted(pairs.items())),
            controls=(),
        ),
        rules=_RULES,
        catalogue=(),
        ruleset_version="hand-made-1",
        catalogue_version="none",
    )


def report_data(source: Path = SOURCE, config_path: Path = CONFIG) -> ReportData:
    config = load_config(config_path)
    matrix = parse(source.read_bytes(), str(source.relative_to(ROOT)), config)
    return bundle(matrix, config)


def _in_checkout(module: str) -> bool:
    """True when ``module`` exists in this checkout (an editable install of another checkout
    in site-packages must not answer for it)."""
    spec = importlib.util.find_spec(module)
    origin = spec.origin if spec is not None else None
    return origin is not None and Path(origin).resolve().is_relative_to(ROOT)


def bundle(matrix: Matrix, config: Config) -> ReportData:
    if _in_checkout("reportgen.validate"):
        from reportgen.validate import validate

        report = validate(matrix, config)
    else:
        report = Report(diagnostics=matrix.problems)
    if _in_checkout("reportgen.assess"):
        from reportgen.assess import assess

        assessment = assess(matrix, config, report)
    else:
        assessment = hand_made_assessment(matrix, config)
    return ReportData(
        matrix=matrix,
        report=report,
        assessment=assessment,
        config=config,
        build=BuildInfo(generator="reportgen 0.1.0", build_time=BUILD_TIME, release="v0.21.11"),
    )
