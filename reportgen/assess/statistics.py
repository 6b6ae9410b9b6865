"""Statistics over a matrix and its findings: flag coverage, findings by severity, the
zone-pair matrix, and the finding counts kept apart (security by severity, data quality, not
assessed, flows with a Medium or High finding)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from ..config import Config
from ..model import (
    FLAG_FIELDS,
    FLAG_KEYS,
    Finding,
    FindingCounts,
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
    today: str = "",
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

    return Statistics(
        overall=overall,
        sections=sections,
        zones=zones,
        zone_pairs=zone_pairs,
        counts=counts(found, today),
    )


SECURITY_LEVELS: tuple[Level, ...] = (Level.HIGH, Level.MEDIUM, Level.LOW)


def counts(found: Iterable[Finding], today: str = "") -> FindingCounts:
    """Security findings per severity, data-quality issues and not-assessed items apart."""
    items = list(found)
    security = [f for f in items if f.kind == "security"]
    per_level = Counter(f.severity for f in security)
    return FindingCounts(
        security=tuple((level, per_level[level]) for level in SECURITY_LEVELS),
        data_quality=sum(1 for f in items if f.kind == "data-quality"),
        not_assessed=sum(1 for f in items if f.kind == "not-assessed"),
        flows_medium_or_high=len(
            {f.flow_key for f in security if f.severity in (Level.HIGH, Level.MEDIUM)}
        ),
        decided=sum(1 for f in security if f.triage.in_force(today)),
    )
