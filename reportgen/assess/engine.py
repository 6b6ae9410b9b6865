"""Run the rules over a Matrix: findings, then statistics, bundled as an Assessment."""

from __future__ import annotations

from collections import defaultdict

from ..config import Config
from ..model import Assessment, Diagnostic, Finding, Flow, Matrix, Report
from .catalogue import Catalogue, load_catalogue
from .rules import RULES, RULESET_VERSION, Context, Rule
from .statistics import statistics


def diagnostics_by_flow(matrix: Matrix, report: Report) -> dict[str, tuple[Diagnostic, ...]]:
    """The validator's diagnostics per flow key, matched by the row's path and line."""
    rows = {(flow.location.path, flow.location.line): flow.key for flow in matrix.flows}
    found: dict[str, list[Diagnostic]] = defaultdict(list)
    for diagnostic in report.diagnostics:
        key = rows.get((diagnostic.location.path, diagnostic.location.line))
        if key is not None:
            found[key].append(diagnostic)
    return {key: tuple(items) for key, items in found.items()}


def flow_findings(flow: Flow, ctx: Context, rules: tuple[Rule, ...] = RULES) -> list[Finding]:
    """The findings of one flow, superseded generic findings removed, in rule order."""
    fired: list[tuple[Rule, str]] = []
    for r in rules:
        evidence = r.check(flow, ctx)
        if evidence is not None:
            fired.append((r, evidence))
    dropped = {sid for r, _ in fired for sid in r.supersedes}
    findings = []
    for r, evidence in fired:
        if r.id in dropped:
            continue
        location = flow.location
        for d in ctx.for_flow(flow):
            if r.id.startswith("DQ-") and f"[{d.code}]" in evidence:
                location = d.location
                break
        findings.append(
            Finding(
                id=f"{r.id}:{flow.key}",
                rule=r.id,
                title=r.title,
                severity=r.severity,
                flow_key=flow.key,
                flow_id=flow.id,
                section=flow.section,
                evidence=evidence,
                controls=r.controls,
                recommendation=r.recommendation,
                location=location,
            )
        )
    return findings


def findings(
    matrix: Matrix, config: Config, report: Report, rules: tuple[Rule, ...] = RULES
) -> tuple[Finding, ...]:
    """All findings, worst first, then in matrix order (sections, rows), then rule order."""
    ctx = Context(config=config, diagnostics=diagnostics_by_flow(matrix, report))
    order = {r.id: i for i, r in enumerate(rules)}
    ranked: list[tuple[int, int, int, Finding]] = []
    for index, flow in enumerate(matrix.flows):
        for finding in flow_findings(flow, ctx, rules):
            ranked.append((finding.severity.rank, index, order[finding.rule], finding))
    ranked.sort(key=lambda item: item[:3])
    return tuple(item[3] for item in ranked)


def assess(
    matrix: Matrix, config: Config, report: Report, catalogue: Catalogue | None = None
) -> Assessment:
    """Findings, statistics and the rule and control catalogue for one matrix."""
    catalogue = catalogue if catalogue is not None else load_catalogue()
    ctx = Context(config=config, diagnostics=diagnostics_by_flow(matrix, report))
    found = findings(matrix, config, report)
    return Assessment(
        findings=found,
        statistics=statistics(matrix, config, found, catalogue, ctx),
        rules=tuple(r.info for r in RULES),
        catalogue=catalogue.controls,
        ruleset_version=RULESET_VERSION,
        catalogue_version=catalogue.label,
    )
