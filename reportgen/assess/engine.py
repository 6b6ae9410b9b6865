"""Run the rules over a Matrix: findings, control statuses and statistics, as an Assessment.

Per flow and rule the engine records one of: out of scope, in scope but not judged (a flag
the rule reads is ``?``), in scope and judged (no gap), or a finding. Control statuses are
counted from those records, so "not contradicted by N flows" names exactly the flows a
mapped rule judged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from ..config import Config
from ..model import (
    Assessment,
    ControlRef,
    ControlStatus,
    Diagnostic,
    Finding,
    Flag,
    Flow,
    Level,
    Matrix,
    Report,
    Triage,
)
from ..vocabulary import scheme_severity
from .assumptions import assumptions as list_assumptions
from .catalogue import Catalogue, load_catalogue
from .rules import RULES, RULESET_VERSION, Context, Evidence, Rule, all_controls
from .statistics import statistics
from .triage import TriageFile, stale_entries

_C_FLIP = {"secure-protocol-without-c": Flag.YES, "plaintext-protocol-with-c": Flag.NO}
"""For a protocol/C contradiction: the C value the protocol implies (the other reading)."""


def diagnostics_by_flow(matrix: Matrix, report: Report) -> dict[str, tuple[Diagnostic, ...]]:
    """The validator's diagnostics per flow key, matched by the row's path and line."""
    rows = {(flow.location.path, flow.location.line): flow.key for flow in matrix.flows}
    found: dict[str, list[Diagnostic]] = defaultdict(list)
    for diagnostic in report.diagnostics:
        key = rows.get((diagnostic.location.path, diagnostic.location.line))
        if key is not None:
            found[key].append(diagnostic)
    return {key: tuple(items) for key, items in found.items()}


@dataclass(slots=True)
class _Coverage:
    """Per rule: the flows in its scope, and those it could not judge (``?`` flags)."""

    in_scope: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    unjudged: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def _fire(
    flow: Flow, ctx: Context, rules: tuple[Rule, ...], coverage: _Coverage | None
) -> list[tuple[Rule, Evidence]]:
    fired: list[tuple[Rule, Evidence]] = []
    for r in rules:
        if not r.scope(flow, ctx):
            continue
        if coverage is not None:
            coverage.in_scope[r.id].append(flow.key)
        if any(flow.flag(name) is Flag.UNKNOWN for name in r.reads):
            if coverage is not None:
                coverage.unjudged[r.id].append(flow.key)
            continue
        evidence = r.gap(flow, ctx)
        if evidence is not None:
            fired.append((r, evidence))
    return fired


def _security_reading(flow: Flow, ctx: Context, rules: tuple[Rule, ...]) -> str:
    """The security findings one reading of a row gives, as ``RULE (Severity)``, or 'none'."""
    names = []
    fired = _fire(flow, ctx, rules, None)
    dropped = {sid for r, _ in fired for sid in r.supersedes if r.kind == "security"}
    for r, _ in fired:
        if r.kind == "security" and r.id not in dropped:
            names.append(f"{r.id} ({_severity(r, flow, ctx).title})")
    return ", ".join(names) or "no security finding"


def _readings(flow: Flow, ctx: Context, rules: tuple[Rule, ...]) -> str:
    """For a protocol/C contradiction, what each reading of the row would give."""
    codes = [d.code for d in ctx.for_flow(flow) if d.code in _C_FLIP]
    if not codes:
        return ""
    implied = _C_FLIP[codes[0]]
    as_written = _security_reading(flow, ctx, rules)
    as_protocol = _security_reading(replace(flow, confidentiality=implied), ctx, rules)
    return (
        f". Reading the C flag as written: {as_written}. Reading the protocol "
        f"({flow.protocol}) as right, C would be {'`x`' if implied is Flag.YES else 'empty'}: "
        f"{as_protocol}"
    )


def _severity(r: Rule, flow: Flow, ctx: Context) -> Level:
    if r.kind == "security":
        need, _ = ctx.protection_need(flow)
        return Level(scheme_severity(ctx.exposure(flow), need, r.indirect))
    return Level.INFO if r.kind == "data-quality" else Level.NOT_ASSESSED


def _zone_assumption(ctx: Context, name: str) -> str:
    return f"trust-class:{name}" if ctx.config.zone(name) is not None else "unknown-zone-class"


def _finding(
    r: Rule,
    evidence: Evidence,
    flow: Flow,
    ctx: Context,
    rules: tuple[Rule, ...],
    triage: Mapping[str, Triage],
) -> Finding:
    controls: list[ControlRef] = []
    depends: list[str] = []
    for m in r.mappings:
        if m.condition is None or m.condition.test(flow, ctx):
            controls.append(m.ref)
            if m.condition is not None and m.condition.assumption is not None:
                depends.append(m.condition.assumption(flow))
    if r.trust_dependent:
        depends += [
            _zone_assumption(ctx, z.name) for z in (flow.source_zone, flow.destination_zone)
        ]
    exposure = need = ""
    if r.kind == "security":
        exposure = ctx.exposure(flow)
        need, need_ids = ctx.protection_need(flow)
        depends += need_ids
        found = ctx.datastore(flow)
        if found is not None and found[2] is not None and "datastore" in r.scope_text:
            depends.append(found[2])
    text = evidence.text
    if r.id == "DQ-PROTOCOL-FLAGS":
        text += _readings(flow, ctx, rules)
    fid = f"{r.id}:{flow.key}"
    return Finding(
        id=fid,
        rule=r.id,
        title=r.title,
        severity=_severity(r, flow, ctx),
        flow_key=flow.key,
        flow_id=flow.id,
        section=flow.section,
        evidence=text,
        controls=tuple(controls),
        recommendation=r.recommendation,
        location=evidence.location or flow.location,
        kind=r.kind,
        exposure=exposure,
        protection_need=need,
        assumptions=tuple(dict.fromkeys(depends)),
        gspp=Catalogue.gspp_for(controls),
        triage=triage.get(fid, Triage()),
    )


def flow_findings(
    flow: Flow,
    ctx: Context,
    rules: tuple[Rule, ...] = RULES,
    triage: Mapping[str, Triage] | None = None,
    coverage: _Coverage | None = None,
) -> list[Finding]:
    """The findings of one flow, superseded findings removed, in rule order."""
    fired = _fire(flow, ctx, rules, coverage)
    dropped = {sid for r, _ in fired for sid in r.supersedes}
    return [
        _finding(r, evidence, flow, ctx, rules, triage or {})
        for r, evidence in fired
        if r.id not in dropped
    ]


def _rank(found: list[Finding], matrix: Matrix, rules: tuple[Rule, ...]) -> tuple[Finding, ...]:
    """Worst first, then in matrix order (sections, rows), then rule order."""
    order = {r.id: i for i, r in enumerate(rules)}
    index = {flow.key: i for i, flow in enumerate(matrix.flows)}
    return tuple(sorted(found, key=lambda f: (f.severity.rank, index[f.flow_key], order[f.rule])))


def findings(
    matrix: Matrix,
    config: Config,
    report: Report,
    rules: tuple[Rule, ...] = RULES,
    triage: Mapping[str, Triage] | None = None,
) -> tuple[Finding, ...]:
    """All findings, worst first, then in matrix order, then rule order."""
    ctx = Context(config=config, diagnostics=diagnostics_by_flow(matrix, report))
    found = [f for flow in matrix.flows for f in flow_findings(flow, ctx, rules, triage)]
    return _rank(found, matrix, rules)


def _control_status(
    catalogue: Catalogue,
    matrix: Matrix,
    ctx: Context,
    found: tuple[Finding, ...],
    coverage: _Coverage,
    rules: tuple[Rule, ...],
    today: str,
) -> tuple[ControlStatus, ...]:
    flows = {flow.key: flow for flow in matrix.flows}
    order = {flow.key: i for i, flow in enumerate(matrix.flows)}
    result = []
    for control in catalogue.controls:
        ref = control.ref
        in_scope: set[str] = set()
        unjudged: set[str] = set()
        scopes: list[str] = []
        for r in rules:
            for m in r.mappings:
                if m.ref != ref:
                    continue
                scope = r.scope_text + (f", where {m.condition.text}" if m.condition else "")
                scopes.append(scope)
                for key in coverage.in_scope.get(r.id, ()):
                    if m.condition is None or m.condition.test(flows[key], ctx):
                        in_scope.add(key)
                        if key in coverage.unjudged.get(r.id, ()):
                            unjudged.add(key)
        against = [f for f in found if ref in f.controls]
        worst = min((f.severity for f in against), key=lambda lv: lv.rank, default=None)
        hit = {f.flow_key for f in against}
        n = len(in_scope)
        if against:
            status = "contradicted"
            decided = sum(1 for f in against if f.triage.in_force(today))
            reason = (
                f"{len(against)} finding(s) on {len(hit)} of the {n} flow(s) in scope "
                "contradict it" + (f"; {decided} with a risk decision in force" if decided else "")
            )
        elif unjudged:
            status = "not-assessable"
            reason = (
                f"none of the {n} flow(s) in scope contradicts it, but {len(unjudged)} have "
                "`?` flags it depends on"
            )
        elif in_scope:
            status = "not-contradicted"
            reason = f"not contradicted by the {n} documented flow(s) in scope"
        else:
            status = "not-applicable"
            reason = "no documented flow is in scope (" + "; ".join(dict.fromkeys(scopes)) + ")"
        result.append(
            ControlStatus(
                control=control,
                status=status,
                reason=reason,
                findings=tuple(f.id for f in against),
                flows=tuple(sorted(in_scope, key=order.__getitem__)),
                unassessed=tuple(sorted(unjudged, key=order.__getitem__)),
                worst=worst,
            )
        )
    return tuple(result)


def assess(
    matrix: Matrix,
    config: Config,
    report: Report,
    catalogue: Catalogue | None = None,
    triage: TriageFile | None = None,
    today: str = "",
) -> Assessment:
    """Findings, control statuses, assumptions and statistics for one matrix.

    ``triage`` holds the risk decisions (see :mod:`.triage`); ``today`` (ISO date) is the day
    their expiries are judged on."""
    catalogue = catalogue if catalogue is not None else load_catalogue(all_controls())
    ctx = Context(config=config, diagnostics=diagnostics_by_flow(matrix, report))
    coverage = _Coverage()
    entries = triage.entries if triage is not None else {}
    found = _rank(
        [f for flow in matrix.flows for f in flow_findings(flow, ctx, RULES, entries, coverage)],
        matrix,
        RULES,
    )
    status = _control_status(catalogue, matrix, ctx, found, coverage, RULES, today)
    stale = stale_entries(triage, (f.id for f in found)) if triage is not None else ()
    return Assessment(
        findings=found,
        statistics=statistics(matrix, config, found, today),
        rules=tuple(r.info for r in RULES),
        catalogue=catalogue.controls,
        ruleset_version=RULESET_VERSION,
        catalogue_version=catalogue.label,
        control_status=status,
        assumptions=list_assumptions(config),
        triage_diagnostics=stale,
        today=today,
    )
