"""Statistics over a matrix and its findings: flag coverage, findings by severity, the
zone-pair matrix, and the control traceability table."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..config import Config
from ..model import (
    FLAG_FIELDS,
    FLAG_KEYS,
    ControlRef,
    ControlTrace,
    Finding,
    Flag,
    FlagCoverage,
    Flow,
    Level,
    Matrix,
    SectionStatistics,
    Statistics,
    Technology,
    ZonePair,
)
from .catalogue import Catalogue
from .rules import MANAGEMENT_CLASS, Context, controls, is_routing, plaintext_name


@dataclass(frozen=True, slots=True)
class Evidence:
    """A kind of documentation in a row that evidences controls (the "evidenced by" column of
    the traceability table). A row evidences a control when it documents the property the
    control asks for; it says nothing about whether the property holds in an installation."""

    name: str
    description: str
    applies: Callable[[Flow, Context], bool]
    controls: tuple[ControlRef, ...]


def _yes(flow: Flow, *names: str) -> bool:
    return all(flow.flag(n) is Flag.YES for n in names)


def _purpose(pattern: str) -> Callable[[Flow, Context], bool]:
    regex = re.compile(pattern, re.IGNORECASE)
    return lambda flow, ctx: bool(regex.search(f"{flow.purpose} {flow.notes}"))


def _known_zones(flow: Flow, ctx: Context) -> bool:
    return flow.source_zone.canonical is not None and flow.destination_zone.canonical is not None


EVIDENCE: tuple[Evidence, ...] = (
    Evidence(
        "documented",
        "the row names both zones, the protocol and the port",
        lambda f, ctx: _known_zones(f, ctx) and f.ports is not None,
        controls("5.9", "NET.1.1.A2 NET.3.2.A2", "COS-07"),
    ),
    Evidence(
        "encrypted",
        "C is `x`",
        lambda f, ctx: _yes(f, "confidentiality"),
        controls("8.24 5.14", "CON.1.A3 NET.1.1.A7 NET.1.2.A31", "CRY-02 COS-08"),
    ),
    Evidence(
        "authenticated",
        "Auth is `x`",
        lambda f, ctx: _yes(f, "authentication"),
        controls("8.5 5.15", "", "COS-02"),
    ),
    Evidence(
        "segregated",
        "the flow crosses between two zones of the zone model",
        lambda f, ctx: _known_zones(f, ctx) and f.crosses_zones,
        controls("8.22", "NET.1.1.A4", "COS-06"),
    ),
    Evidence(
        "outside-protected",
        "a flow to or from an outside zone with C and Auth `x`",
        lambda f, ctx: (
            (ctx.outside(f.source_zone) or ctx.outside(f.destination_zone))
            and _yes(f, "confidentiality", "authentication")
        ),
        controls("8.20 5.23", "NET.1.1.A9", "COS-04"),
    ),
    Evidence(
        "inbound-protected",
        "a flow from an outside zone into the network with C and Auth `x`",
        lambda f, ctx: (
            ctx.outside(f.source_zone)
            and not ctx.outside(f.destination_zone)
            and _yes(f, "confidentiality", "authentication")
        ),
        controls("", "NET.1.1.A11", "COS-01"),
    ),
    Evidence(
        "management-protected",
        "a management zone reached with C and Auth `x`",
        lambda f, ctx: (
            ctx.zone_class(f.destination_zone) == MANAGEMENT_CLASS
            and _yes(f, "confidentiality", "authentication")
        ),
        controls("", "NET.1.1.A21 NET.1.2.A9", "COS-05"),
    ),
    Evidence(
        "routing-authenticated",
        "a routing protocol with Auth `x`",
        lambda f, ctx: is_routing(f) and _yes(f, "authentication"),
        controls("", "NET.3.1.A20", ""),
    ),
    Evidence(
        "time",
        "the flow synchronises clocks",
        lambda f, ctx: (
            (plaintext_name(f) or "").startswith("NTP")
            or bool(re.search(r"\btime\b", f.purpose, re.IGNORECASE))
        ),
        controls("8.17", "", ""),
    ),
    Evidence(
        "monitoring",
        "the flow carries monitoring data",
        _purpose(r"\b(monitoring|metrics)\b"),
        controls("8.16", "", "COS-03"),
    ),
    Evidence(
        "logging",
        "the flow carries logs or audit events",
        _purpose(r"\b(audit\w*|logs?|logging)\b"),
        controls("8.15", "", ""),
    ),
    Evidence(
        "updates",
        "the flow delivers software updates",
        _purpose(r"\b(update\w*|updater)\b"),
        controls("8.32", "", ""),
    ),
)


def _coverage(flows: list[Flow]) -> tuple[FlagCoverage, ...]:
    result = []
    for name in FLAG_FIELDS:
        counts = Counter(flow.flag(name) for flow in flows)
        result.append(
            FlagCoverage(FLAG_KEYS[name], counts[Flag.YES], counts[Flag.NO], counts[Flag.UNKNOWN])
        )
    return tuple(result)


def _levels(found: Iterable[Finding]) -> tuple[tuple[Level, int], ...]:
    counts = Counter(f.severity for f in found)
    return tuple((level, counts[level]) for level in Level)


def _section_stats(
    slug: str, title: str, flows: list[Flow], techs: list[Technology], found: list[Finding]
) -> SectionStatistics:
    return SectionStatistics(
        slug=slug,
        title=title,
        flows=len(flows),
        technologies=len(techs),
        flags=_coverage(flows),
        findings=_levels(found),
    )


def zone_order(matrix: Matrix, config: Config) -> tuple[str, ...]:
    """Zones that flows name: the configuration's order first, then others alphabetically."""
    used = {z.name for f in matrix.flows for z in (f.source_zone, f.destination_zone)}
    declared = [z.name for z in config.zones if z.name in used]
    return (*declared, *sorted(used - set(declared), key=lambda n: (n.casefold(), n)))


def statistics(
    matrix: Matrix,
    config: Config,
    found: tuple[Finding, ...],
    catalogue: Catalogue,
    ctx: Context,
) -> Statistics:
    by_section: dict[str, list[Finding]] = defaultdict(list)
    by_flow: dict[str, list[Finding]] = defaultdict(list)
    for finding in found:
        by_section[finding.section].append(finding)
        by_flow[finding.flow_key].append(finding)

    flows = list(matrix.flows)
    sections = tuple(
        _section_stats(
            s.slug, s.title, list(s.flows), list(s.technologies), by_section.get(s.slug, [])
        )
        for s in matrix.sections
    )
    overall = _section_stats("all", "All sections", flows, list(matrix.technologies), list(found))

    zones = zone_order(matrix, config)
    rank = {name: i for i, name in enumerate(zones)}
    pair_flows: Counter[tuple[str, str]] = Counter()
    pair_worst: dict[tuple[str, str], Level] = {}
    for flow in flows:
        pair = (flow.source_zone.name, flow.destination_zone.name)
        pair_flows[pair] += 1
        for finding in by_flow.get(flow.key, []):
            current = pair_worst.get(pair)
            if current is None or finding.severity.rank < current.rank:
                pair_worst[pair] = finding.severity
    zone_pairs = tuple(
        ZonePair(src, dst, pair_flows[(src, dst)], pair_worst.get((src, dst)))
        for src, dst in sorted(pair_flows, key=lambda p: (rank[p[0]], rank[p[1]]))
    )

    evidenced: dict[ControlRef, list[str]] = defaultdict(list)
    for flow in flows:
        refs = {ref for e in EVIDENCE if e.applies(flow, ctx) for ref in e.controls}
        for ref in refs:
            evidenced[ref].append(flow.key)
    against: dict[ControlRef, list[str]] = defaultdict(list)
    for finding in found:
        for ref in finding.controls:
            against[ref].append(finding.id)
    traces = tuple(
        ControlTrace(
            control=c,
            evidenced_by=tuple(evidenced.get(c.ref, ())),
            findings=tuple(against.get(c.ref, ())),
        )
        for c in catalogue.controls
    )
    return Statistics(
        overall=overall,
        sections=sections,
        zones=zones,
        zone_pairs=zone_pairs,
        controls=traces,
    )
