"""The data model: frozen values that every stage of the pipeline passes on.

Parsing produces a :class:`Matrix`; validation a :class:`Report` of :class:`Diagnostic`;
assessment an :class:`Assessment` of :class:`Finding` and :class:`Statistics`. Renderers receive
all of it bundled as :class:`reportgen.bundle.ReportData` (which also holds a release diff, so it
stands above :mod:`reportgen.diff`). This module imports nothing of reportgen: every layer may
import it. Nothing here touches the filesystem.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A 1-based position in a source file, set once at the parse boundary."""

    path: str
    line: int
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class Flag(Enum):
    """A three-state flag cell: ``x`` (yes), empty (no) or ``?`` (not assessed)."""

    YES = "x"
    NO = ""
    UNKNOWN = "?"

    @property
    def symbol(self) -> str:
        """A glyph that reads clearly in print."""
        return {"x": "✔", "": "✘", "?": "?"}[self.value]

    @property
    def label(self) -> str:
        return {"x": "yes", "": "no", "?": "not assessed"}[self.value]


FLAG_FIELDS: tuple[str, ...] = ("confidentiality", "integrity", "authentication", "trusted")
"""The Flow attributes holding flags, in the order of the source's columns."""

FLAG_KEYS: dict[str, str] = {
    "confidentiality": "C",
    "integrity": "I",
    "authentication": "Auth",
    "trusted": "Trust",
}
"""Flow attribute -> the legend key that defines it."""


@dataclass(frozen=True, slots=True, order=True)
class PortRange:
    start: int
    end: int

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and self.start <= port <= self.end


PORT_MAX = 65535
_PORT_PART = re.compile(r"^(\d{1,6})(?:\s*-\s*(\d{1,6}))?$")


@dataclass(frozen=True, slots=True)
class PortSpec:
    """One or more ports or ranges (``443``, ``67/68``, ``30000-32767``), original text kept."""

    text: str
    ranges: tuple[PortRange, ...]

    @classmethod
    def parse(cls, text: str) -> PortSpec:
        """Parse a port cell; raise ValueError with a readable reason when it is malformed."""
        stripped = text.strip()
        if not stripped:
            raise ValueError("the port is empty")
        ranges: list[PortRange] = []
        for raw in re.split(r"\s*[/,;]\s*", stripped):
            match = _PORT_PART.match(raw)
            if not match:
                raise ValueError(f"{raw!r} is not a port number or range")
            start = int(match.group(1))
            end = int(match.group(2)) if match.group(2) else start
            for port in (start, end):
                if not 1 <= port <= PORT_MAX:
                    raise ValueError(f"port {port} is outside 1..{PORT_MAX}")
            if end < start:
                raise ValueError(f"range {start}-{end} runs backwards")
            ranges.append(PortRange(start, end))
        return cls(text=stripped, ranges=tuple(ranges))

    def __contains__(self, port: object) -> bool:
        return any(port in r for r in self.ranges)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell as written, with where it stands. ``field`` is the column's field name."""

    field: str
    text: str
    location: Location


@dataclass(frozen=True, slots=True)
class ZoneRef:
    """A zone as written in the source and its canonical name (``None`` when unknown)."""

    text: str
    canonical: str | None

    @property
    def name(self) -> str:
        """The canonical name where known, else the text as written."""
        return self.canonical if self.canonical is not None else self.text


@dataclass(frozen=True, slots=True)
class Protocol:
    """A protocol as written (``TCP/UDP``) and its normalized parts (``("TCP", "UDP")``)."""

    text: str
    parts: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Protocol:
        parts = tuple(p.upper() for p in re.split(r"\s*[/,+]\s*|\s+", text.strip()) if p)
        return cls(text=text.strip(), parts=parts)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Flow:
    """One row of a communication matrix table."""

    key: str
    """Unique within the matrix: the id, disambiguated (``10.2~2``) when ids repeat, or
    ``<section>-row<N>`` when the id is empty. Finding ids and anchors use it."""
    id: str
    section: str
    component: str
    source_zone: ZoneRef
    protocol: Protocol
    destination: str
    destination_zone: ZoneRef
    ports: PortSpec | None
    """``None`` when the port cell is malformed (the validator says why)."""
    confidentiality: Flag
    integrity: Flag
    authentication: Flag
    trusted: Flag
    purpose: str
    notes: str
    optional: bool
    location: Location
    cells: tuple[Cell, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()
    """Columns the tool does not know, as (header, text), so no source data is lost."""

    def cell(self, name: str) -> Cell | None:
        for c in self.cells:
            if c.field == name:
                return c
        return None

    def cell_location(self, name: str) -> Location:
        c = self.cell(name)
        return c.location if c is not None else self.location

    def flag(self, name: str) -> Flag:
        value: Flag = getattr(self, name)
        return value

    @property
    def flags(self) -> tuple[tuple[str, Flag], ...]:
        return tuple((name, self.flag(name)) for name in FLAG_FIELDS)

    @property
    def crosses_zones(self) -> bool:
        return self.source_zone.name != self.destination_zone.name

    @property
    def label(self) -> str:
        return self.id or self.key


@dataclass(frozen=True, slots=True)
class Technology:
    """One row of a "Used Technologies" table."""

    name: str
    parties: str
    notes: str
    section: str | None
    location: Location
    cells: tuple[Cell, ...] = ()


@dataclass(frozen=True, slots=True)
class LegendEntry:
    key: str
    meaning: str
    location: Location


@dataclass(frozen=True, slots=True)
class Section:
    """An integration: the flows and technologies under one ``##`` heading."""

    title: str
    slug: str
    location: Location
    intro: str = ""
    flows: tuple[Flow, ...] = ()
    technologies: tuple[Technology, ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    """Where the matrix came from. ``text`` is the decoded source, kept for attachments."""

    path: str
    sha256: str
    size: int
    text: str = field(repr=False, default="")
    repository: str | None = None
    commit: str | None = None
    commit_time: datetime | None = None
    version: str | None = None
    tag: str | None = None
    """The git tag whose tree holds this source, where git knows one."""


class Severity(Enum):
    """Severity of a validation diagnostic."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    location: Location
    hint: str | None = None
    flow_id: str | None = None

    def format(self) -> str:
        text = f"{self.location}: {self.severity.value} {self.code}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "path": self.location.path,
            "line": self.location.line,
            "column": self.location.column,
            "flow_id": self.flow_id,
            "hint": self.hint,
        }


@dataclass(frozen=True, slots=True)
class Matrix:
    title: str
    legend: tuple[LegendEntry, ...]
    sections: tuple[Section, ...]
    source: Source
    location: Location
    """Where the title stands (or the top of the file)."""
    front_matter: tuple[tuple[str, str], ...] = ()
    disclaimer: str = ""
    """The page's own introduction, quoted in the report's scope chapter."""
    orphan_technologies: tuple[Technology, ...] = ()
    """Technology rows found before any ``##`` section."""
    problems: tuple[Diagnostic, ...] = ()
    """What the parser could not make sense of; :func:`reportgen.validate.validate` reports it."""
    headers: tuple[Cell, ...] = ()
    """The header cells of every matrix table, as written (``field`` is the column's field)."""

    @property
    def flows(self) -> Iterator[Flow]:
        for section in self.sections:
            yield from section.flows

    @property
    def technologies(self) -> Iterator[Technology]:
        yield from self.orphan_technologies
        for section in self.sections:
            yield from section.technologies

    def section(self, slug: str) -> Section:
        for s in self.sections:
            if s.slug == slug:
                return s
        raise KeyError(slug)

    def legend_meaning(self, key: str) -> str | None:
        for entry in self.legend:
            if entry.key == key:
                return entry.meaning
        return None


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of validation."""

    diagnostics: tuple[Diagnostic, ...]

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    @property
    def valid(self) -> bool:
        return self.errors == 0


# --- assessment -------------------------------------------------------------------------


class Level(Enum):
    """Severity of a finding, worst first. ``NOT_ASSESSED`` marks a ``?`` flag."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"
    NOT_ASSESSED = "not-assessed"

    @property
    def rank(self) -> int:
        """0 is worst; sorts findings worst first."""
        return list(Level).index(self)

    @property
    def title(self) -> str:
        return "Not assessed" if self is Level.NOT_ASSESSED else self.value.capitalize()


@dataclass(frozen=True, slots=True, order=True)
class ControlRef:
    framework: str
    """``iso27001``, ``grundschutz`` (Kompendium 2023) or ``gspp`` (Grundschutz++ Kernel)."""
    id: str

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True, slots=True)
class Control:
    framework: str
    id: str
    title: str
    title_de: str = ""
    level: str = ""
    """Grundschutz requirement level: B (Basis), S (Standard), H (erhöht)."""
    description: str = ""

    @property
    def ref(self) -> ControlRef:
        return ControlRef(self.framework, self.id)


@dataclass(frozen=True, slots=True)
class Triage:
    """A risk decision about one finding, from the triage file (``source/findings.toml``)."""

    status: str = "open"
    """open, in-progress, mitigated, accepted or false-positive."""
    owner: str = ""
    due: str = ""
    ticket: str = ""
    justification: str = ""
    decided_by: str = ""
    decided_on: str = ""
    expires: str = ""
    """ISO date after which an acceptance no longer holds; empty: no expiry."""
    location: Location | None = None
    """The entry in the triage file; None when the finding has no entry."""

    def in_force(self, today: str) -> bool:
        """An accepted or false-positive decision that has not expired on ``today``."""
        return self.status in ("accepted", "false-positive") and (
            not self.expires or today <= self.expires
        )

    def expired(self, today: str) -> bool:
        return (
            self.status in ("accepted", "false-positive")
            and bool(self.expires)
            and (today > self.expires)
        )


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    """Stable across runs and releases: ``RULE-ID:flow-key`` (the key is the flow's id as
    written, ``10.2~2`` for the second flow numbered 10.2)."""
    rule: str
    title: str
    severity: Level
    flow_key: str
    flow_id: str
    section: str
    evidence: str
    controls: tuple[ControlRef, ...]
    """ISO 27001 Annex A and Grundschutz 2023 references whose condition holds for the flow."""
    recommendation: str
    location: Location
    """Where the evidence is: the row, or the diagnostic's cell for data-quality findings."""
    kind: str = "security"
    """security, data-quality or not-assessed (see vocabulary.FINDING_KINDS)."""
    exposure: str = ""
    """outside, boundary or internal: from the zones' trust classes (security findings)."""
    protection_need: str = ""
    """normal, high or very-high: the highest declared for the flow's zones and components."""
    assumptions: tuple[str, ...] = ()
    """Ids of the assumptions (report.toml) this finding depends on."""
    gspp: tuple[ControlRef, ...] = ()
    """Grundschutz++ Kernel controls, derived from ``controls`` through the BSI's mappings."""
    triage: Triage = field(default_factory=Triage)

    @property
    def status(self) -> str:
        return self.triage.status


@dataclass(frozen=True, slots=True)
class FlagCoverage:
    flag: str
    """The legend key: C, I, Auth or Trust."""
    yes: int
    no: int
    unknown: int

    @property
    def total(self) -> int:
        return self.yes + self.no + self.unknown


@dataclass(frozen=True, slots=True)
class SectionStatistics:
    slug: str
    """``all`` for the overall figures."""
    title: str
    flows: int
    technologies: int
    flags: tuple[FlagCoverage, ...]
    findings: tuple[tuple[Level, int], ...]
    """Findings per level, every level present, worst first."""


@dataclass(frozen=True, slots=True)
class ZonePair:
    source: str
    destination: str
    flows: int
    worst: Level | None


@dataclass(frozen=True, slots=True)
class ControlStatus:
    """The documentation-review status of one control or requirement in scope. It never says
    that a control is met: a desk review of documentation cannot show that."""

    control: Control
    status: str
    """contradicted, not-contradicted, not-assessable or not-applicable."""
    reason: str
    """One sentence built from the counts below (or the reason it does not apply)."""
    findings: tuple[str, ...]
    """Security finding ids raised against the control."""
    flows: tuple[str, ...]
    """Keys of the flows in the control's scope (a mapped rule examines them)."""
    unassessed: tuple[str, ...]
    """Keys of in-scope flows whose flags the control depends on are ``?``."""
    worst: Level | None


@dataclass(frozen=True, slots=True)
class Assumption:
    """A judgement the assessment rests on, with its approval or None."""

    id: str
    """``trust-class:Machine``, ``protection-need:default``, ``datastore:metal-db``, …"""
    subject: str
    value: str
    statement: str
    approved_by: str = ""
    role: str = ""
    approved_on: str = ""

    @property
    def approved(self) -> bool:
        return bool(self.approved_by)


@dataclass(frozen=True, slots=True)
class FindingCounts:
    """Counts kept apart, as an auditor reads them."""

    security: tuple[tuple[Level, int], ...]
    """Security findings per severity (High, Medium, Low), every level present."""
    data_quality: int
    not_assessed: int
    flows_medium_or_high: int
    """Distinct flows carrying at least one Medium or High security finding."""
    decided: int = 0
    """Security findings with a risk decision in force (accepted or false positive)."""

    @property
    def security_total(self) -> int:
        return sum(n for _, n in self.security)


@dataclass(frozen=True, slots=True)
class Statistics:
    overall: SectionStatistics
    sections: tuple[SectionStatistics, ...]
    zones: tuple[str, ...]
    zone_pairs: tuple[ZonePair, ...]
    counts: FindingCounts


@dataclass(frozen=True, slots=True)
class MappingInfo:
    """Why one control applies to a rule's findings, and when."""

    ref: ControlRef
    rationale: str
    condition: str = ""
    """Empty: always; else the condition on the flow under which the control applies."""


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What a rule is, for documentation and reports (the predicates stay in the rule)."""

    id: str
    title: str
    severity: str
    """How the rule's severity is set: ``scheme`` (exposure x protection need), ``scheme,
    indirect`` (one step lower), ``info`` or ``not-assessed``."""
    rationale: str
    recommendation: str
    controls: tuple[ControlRef, ...]
    kind: str = "security"
    mappings: tuple[MappingInfo, ...] = ()
    scope: str = ""
    """Which flows the rule examines."""


@dataclass(frozen=True, slots=True)
class Assessment:
    findings: tuple[Finding, ...]
    statistics: Statistics
    rules: tuple[RuleInfo, ...]
    catalogue: tuple[Control, ...]
    """The controls in scope: every control a rule maps to, titles from the standards data."""
    ruleset_version: str
    catalogue_version: str
    control_status: tuple[ControlStatus, ...] = ()
    assumptions: tuple[Assumption, ...] = ()
    triage_diagnostics: tuple[Diagnostic, ...] = ()
    """Problems of the triage file: stale entries (warnings); malformed ones raise instead."""
    today: str = ""
    """The date (ISO) triage expiries are judged against: the build date."""
    _by_flow: dict[str, tuple[Finding, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        # An index built once: renderers ask for every flow, and a scan per call made
        # rendering quadratic in the number of flows.
        grouped: dict[str, list[Finding]] = {}
        for f in self.findings:
            grouped.setdefault(f.flow_key, []).append(f)
        object.__setattr__(self, "_by_flow", {k: tuple(v) for k, v in grouped.items()})

    def for_flow(self, key: str) -> tuple[Finding, ...]:
        return self._by_flow.get(key, ())


# --- build facts ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """Facts about this build that every output stamps."""

    generator: str
    """``reportgen <version>``."""
    build_time: datetime
    """UTC; from SOURCE_DATE_EPOCH, else the source's commit time, else now."""
    release: str
    """The release the report is for (``v0.21.11``); may be empty when unknown."""
