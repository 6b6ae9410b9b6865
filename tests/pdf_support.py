"""Report data for the PDF tests and benchmark.

PLACEHOLDER (pdf helper): until ``reportgen.build.load`` and ``reportgen.assess`` land on
main, :func:`placeholder_assessment` builds a small, hand-made Assessment from the parsed
matrix so the renderer has findings, statistics and control traces to lay out. Its rules are
illustrative only (ids start with ``PH-``); :func:`load_report_data` switches to the real
pipeline as soon as ``reportgen.build.load`` is importable.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from reportgen.config import Config, load_config
from reportgen.model import (
    FLAG_KEYS,
    Assessment,
    BuildInfo,
    Control,
    ControlTrace,
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
BUILD_TIME = datetime(2025, 10, 8, 12, 0, 0, tzinfo=UTC)

_CONTROLS = (
    Control("iso27001", "A.8.20", "Networks security"),
    Control("iso27001", "A.8.24", "Use of cryptography"),
    Control("iso27001", "A.8.5", "Secure authentication"),
    Control("grundschutz", "NET.1.1.A5", "Client-Server-Segmentierung", level="B"),
    Control("c5", "KRY-02", "Encryption of data in transit"),
)
_REF = {c.id: c.ref for c in _CONTROLS}

_RULES = (
    RuleInfo(
        "PH-UNAUTH-UNTRUSTED",
        "Unauthenticated flow touching an untrusted zone",
        "high",
        "Either end lies in an untrusted zone and the flow does not authenticate.",
        "Require mutual authentication or document why none is needed.",
        (_REF["A.8.5"], _REF["A.8.20"]),
    ),
    RuleInfo(
        "PH-PLAINTEXT",
        "Flow without encryption",
        "medium",
        "Confidentiality is not marked.",
        "Use TLS or document the compensating control.",
        (_REF["A.8.24"], _REF["KRY-02"]),
    ),
    RuleInfo(
        "PH-NO-AUTH",
        "Flow without authentication",
        "low",
        "Authentication is not marked.",
        "Authenticate the client.",
        (_REF["A.8.5"], _REF["NET.1.1.A5"]),
    ),
    RuleInfo(
        "PH-UNKNOWN",
        "Security property not assessed",
        "not-assessed",
        "A flag is '?'.",
        "Assess the flag for the installation.",
        (_REF["A.8.20"],),
    ),
)


def _finding(rule: RuleInfo, flow: Flow, evidence: str) -> Finding:
    return Finding(
        id=f"{rule.id}:{flow.key}",
        rule=rule.id,
        title=rule.title,
        severity=Level(rule.severity),
        flow_key=flow.key,
        flow_id=flow.id,
        section=flow.section,
        evidence=evidence,
        controls=rule.controls,
        recommendation=rule.recommendation,
        location=flow.location,
    )


def _findings(matrix: Matrix, config: Config) -> list[Finding]:
    out: list[Finding] = []
    high, plain, noauth, unknown = _RULES
    for flow in matrix.flows:
        classes = {
            config.trust_class(flow.source_zone.name),
            config.trust_class(flow.destination_zone.name),
        }
        if flow.authentication is Flag.NO and "untrusted" in classes:
            out.append(_finding(high, flow, "Auth is empty and a zone is untrusted."))
        if flow.confidentiality is Flag.NO:
            out.append(_finding(plain, flow, "C is empty."))
        if flow.authentication is Flag.NO and "untrusted" not in classes:
            out.append(_finding(noauth, flow, "Auth is empty."))
        unknown_flags = [FLAG_KEYS[n] for n, f in flow.flags if f is Flag.UNKNOWN]
        if unknown_flags:
            out.append(_finding(unknown, flow, "'?' in " + ", ".join(unknown_flags) + "."))
    out.sort(key=lambda f: (f.severity.rank, f.id))
    return out


def _section_stats(
    slug: str, title: str, flows: list[Flow], techs: int, findings: list[Finding]
) -> SectionStatistics:
    flags = []
    for name, key in FLAG_KEYS.items():
        values = [f.flag(name) for f in flows]
        flags.append(
            FlagCoverage(
                key,
                values.count(Flag.YES),
                values.count(Flag.NO),
                values.count(Flag.UNKNOWN),
            )
        )
    per_level = tuple((lvl, sum(1 for f in findings if f.severity is lvl)) for lvl in Level)
    return SectionStatistics(slug, title, len(flows), techs, tuple(flags), per_level)


def placeholder_assessment(matrix: Matrix, config: Config) -> Assessment:
    """PLACEHOLDER: replace with ``reportgen.assess.assess`` once it is on main."""
    findings = _findings(matrix, config)
    flows = list(matrix.flows)
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
    overall = _section_stats("all", "All sections", flows, len(list(matrix.technologies)), findings)
    zones = sorted({f.source_zone.name for f in flows} | {f.destination_zone.name for f in flows})
    pairs: dict[tuple[str, str], list[Flow]] = {}
    for flow in flows:
        pairs.setdefault((flow.source_zone.name, flow.destination_zone.name), []).append(flow)
    zone_pairs = []
    for (src, dst), members in sorted(pairs.items()):
        levels = [f.severity for fl in members for f in findings if f.flow_key == fl.key]
        worst = min(levels, key=lambda lv: lv.rank) if levels else None
        zone_pairs.append(ZonePair(src, dst, len(members), worst))
    traces = []
    for control in _CONTROLS:
        against = tuple(f.id for f in findings if control.ref in f.controls)
        evidenced = tuple(
            fl.key
            for fl in flows
            if (fl.confidentiality is Flag.YES and control.id in {"A.8.24", "KRY-02"})
            or (fl.authentication is Flag.YES and control.id in {"A.8.5", "NET.1.1.A5"})
            or (fl.trusted is Flag.YES and control.id == "A.8.20")
        )
        traces.append(ControlTrace(control, evidenced, against))
    stats = Statistics(overall, sections, tuple(zones), tuple(zone_pairs), tuple(traces))
    return Assessment(
        findings=tuple(findings),
        statistics=stats,
        rules=_RULES,
        catalogue=_CONTROLS,
        ruleset_version="placeholder-0",
        catalogue_version="placeholder-0",
    )


def load_report_data(source: Path = SOURCE, config_path: Path = CONFIG) -> ReportData:
    """The real pipeline when it is on main, else parse + the placeholder assessment."""
    # Only this checkout's pipeline counts (an editable install of another checkout may
    # otherwise supply reportgen.build).
    if (ROOT / "reportgen" / "build.py").is_file() and (ROOT / "reportgen" / "assess").is_dir():
        from reportgen.build import load

        data: ReportData = load(source, config_path, release="v0.21.11")
        # A fixed build time, whatever SOURCE_DATE_EPOCH or git say, so renders compare.
        return replace(data, build=replace(data.build, build_time=BUILD_TIME))
    config = load_config(config_path)
    shown = source.relative_to(ROOT) if source.is_relative_to(ROOT) else source
    matrix = parse(source.read_bytes(), str(shown), config)
    return ReportData(
        matrix=matrix,
        report=Report(diagnostics=matrix.problems),
        assessment=placeholder_assessment(matrix, config),
        config=config,
        build=BuildInfo(generator="reportgen 0.1.0", build_time=BUILD_TIME, release="v0.21.11"),
    )
