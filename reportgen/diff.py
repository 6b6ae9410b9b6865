"""A matrix-aware diff between two versions of a communication matrix.

:func:`diff` compares two parsed and assessed inputs (anything shaped as :class:`Assessed`,
such as :class:`reportgen.bundle.ReportData`, which stands above this module) and returns a
:class:`MatrixDiff`: sections, flows and technologies that were added, removed
or changed (field by field), and the **security regressions** among those changes. It is a
pure function; the renderers in :mod:`reportgen.render.diff_formats` turn the result into
text, Markdown, JSON or GitHub annotations.

Flows are matched in four passes, each over the flows the earlier passes left unmatched:

1. by :attr:`Flow.key <reportgen.model.Flow.key>` (the id; a repeated id ``10.2`` is
   ``10.2~2`` the second time, so repeats match by position) where the flow's identity,
   (component, destination, ports), is unchanged too;
2. by identity alone: the flow kept its component, destination and ports but got another id,
   which is reported as *renumbered old -> new*;
3. by key alone: the id stayed and what the row says changed (a port moved, a flag lost);
4. what is left is added (NEW only) or removed (OLD only).

Pass 1 before 2 before 3 means an id wins whenever it still names the same flow, and an
insertion that shifts every later id of a group (``2.3`` inserted, old ``2.3`` now ``2.4``)
reads as one added flow and some renumberings, not as a cascade of rows whose every field
changed (which would raise false regressions on flows that are in fact untouched).

Every change carries a location in the NEW file, or in the OLD one for what was removed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from .assess.rules import datastore_reason
from .config import ChangeEntry, Config
from .model import (
    FLAG_FIELDS,
    FLAG_KEYS,
    Assessment,
    BuildInfo,
    Flag,
    Flow,
    Level,
    Location,
    Matrix,
    Section,
    Technology,
)
from .vocabulary import UNTRUSTED


class Assessed(Protocol):
    """What the diff reads of each side: a parsed and assessed source with its config and
    build facts. :class:`reportgen.bundle.ReportData` is one; it is declared there, above this
    module, because it also holds a diff."""

    @property
    def matrix(self) -> Matrix: ...
    @property
    def assessment(self) -> Assessment: ...
    @property
    def config(self) -> Config: ...
    @property
    def build(self) -> BuildInfo: ...


class Released(Assessed, Protocol):
    """An assessed source that may carry the diff against its previous release."""

    @property
    def changes(self) -> MatrixDiff | None: ...


_DB_WORD = re.compile(r"\bdb\b", re.IGNORECASE)
"""What a data store is comes from the rule set (``datastore_reason``: well-known database
ports and names); a diff also counts a destination or purpose naming a ``db``."""


FLOW_FIELDS: tuple[str, ...] = (
    "section",
    "component",
    "source_zone",
    "protocol",
    "destination",
    "destination_zone",
    "ports",
    *FLAG_FIELDS,
    "purpose",
    "notes",
)
"""The flow fields compared, in the order changes are reported."""

FIELD_TITLES: dict[str, str] = {
    "section": "Section",
    "component": "Component",
    "source_zone": "Source Zone",
    "protocol": "Protocol",
    "destination": "Destination",
    "destination_zone": "Destination Zone",
    "ports": "Port",
    **FLAG_KEYS,
    "purpose": "Purpose",
    "notes": "Notes",
    "name": "Technology",
    "parties": "Parties",
    "title": "Title",
}
"""Field name -> the column title a reader knows it by."""

_CELL_NAMES = {"ports": "port"}
"""Flow field -> the parser's cell field, where they differ."""


class Change(Enum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


class RegressionCode(Enum):
    FLAG_LOST = "flag-lost"
    UNTRUSTED_FLOW = "untrusted-flow"
    TRUST_WITHOUT_C = "trust-without-c"
    DATA_STORE_PORT = "data-store-port"
    NEW_HIGH_FINDING = "new-high-finding"

    @property
    def title(self) -> str:
        return {
            "flag-lost": "a security flag was lost",
            "untrusted-flow": "new flow from or to an untrusted zone",
            "trust-without-c": "Trust gained without C",
            "data-store-port": "port changed on a data store",
            "new-high-finding": "new High finding",
        }[self.value]


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    """The attribute name (``ports``, ``confidentiality``); :data:`FIELD_TITLES` names it."""
    old: str
    new: str
    location: Location
    """The changed cell in the NEW file."""

    @property
    def title(self) -> str:
        return FIELD_TITLES.get(self.field, self.field)


@dataclass(frozen=True, slots=True)
class SectionChange:
    change: Change
    slug: str
    title: str
    """The NEW title (the OLD one for a removal)."""
    location: Location
    old_title: str = ""
    """Set when a section kept its slug and changed its heading."""
    flows: int = 0
    technologies: int = 0


@dataclass(frozen=True, slots=True)
class FlowChange:
    """One flow added, removed or changed. What it says about the flow is read from the
    flows themselves: the NEW one, or the OLD one for a removal."""

    change: Change
    old: Flow | None = None
    new: Flow | None = None
    fields: tuple[FieldChange, ...] = ()

    @property
    def flow(self) -> Flow:
        flow = self.new if self.new is not None else self.old
        if flow is None:  # pragma: no cover - every constructor passes one
            raise ValueError("a FlowChange needs a flow")
        return flow

    @property
    def section(self) -> str:
        return self.flow.section

    @property
    def key(self) -> str:
        """The NEW key (the OLD one for a removal)."""
        return self.flow.key

    @property
    def id(self) -> str:
        return self.flow.id

    @property
    def component(self) -> str:
        return self.flow.component

    @property
    def destination(self) -> str:
        return self.flow.destination

    @property
    def location(self) -> Location:
        return self.flow.location

    @property
    def old_key(self) -> str:
        """The OLD key of a matched or removed flow (equal to ``key`` unless renumbered)."""
        return self.old.key if self.old is not None else ""

    @property
    def old_id(self) -> str:
        return self.old.id if self.old is not None else ""

    @property
    def renumbered(self) -> bool:
        return self.change is Change.CHANGED and self.old_key != self.key

    @property
    def label(self) -> str:
        return self.id or self.key


@dataclass(frozen=True, slots=True)
class TechnologyChange:
    change: Change
    section: str
    """The section slug; empty for a technology listed before any section."""
    name: str
    location: Location
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, slots=True)
class Regression:
    code: RegressionCode
    section: str
    subject: str
    """The NEW flow key (or finding id) the regression is about."""
    message: str
    location: Location
    finding: str = ""
    """The finding id, for ``new-high-finding``."""


@dataclass(frozen=True, slots=True)
class Side:
    """Which version of the matrix one side of the diff is."""

    path: str
    version: str
    sha256: str
    commit: str | None = None

    @property
    def label(self) -> str:
        return f"{self.path} ({self.version})" if self.version else self.path


@dataclass(frozen=True, slots=True)
class MatrixDiff:
    old: Side
    new: Side
    sections: tuple[SectionChange, ...]
    flows: tuple[FlowChange, ...]
    technologies: tuple[TechnologyChange, ...]
    regressions: tuple[Regression, ...]

    @property
    def changes(self) -> int:
        """How many changes there are (a renumbered flow counts once however many fields)."""
        return len(self.sections) + len(self.flows) + len(self.technologies)

    @property
    def empty(self) -> bool:
        return self.changes == 0

    @property
    def has_regressions(self) -> bool:
        return bool(self.regressions)

    def count(self, change: Change) -> dict[str, int]:
        """Sections, flows and technologies with this kind of change."""
        return {
            "sections": sum(1 for s in self.sections if s.change is change),
            "flows": sum(1 for f in self.flows if f.change is change),
            "technologies": sum(1 for t in self.technologies if t.change is change),
        }

    @property
    def renumbered(self) -> int:
        return sum(1 for f in self.flows if f.renumbered)


# --- comparing values --------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.split())


def _fold(text: str) -> str:
    return _norm(text).casefold()


def _ports_text(flow: Flow) -> str:
    return flow.ports.text if flow.ports is not None else (_cell_text(flow, "ports"))


def _cell_text(flow: Flow, field: str) -> str:
    cell = flow.cell(_CELL_NAMES.get(field, field))
    return _norm(cell.text) if cell is not None else ""


def _ports_key(flow: Flow) -> str:
    if flow.ports is not None:
        return ",".join(str(r) for r in sorted(flow.ports.ranges))
    return _fold(_cell_text(flow, "ports"))


def _display(flow: Flow, field: str) -> str:
    """A field's value as a reader sees it (zones by canonical name)."""
    if field == "ports":
        return _ports_text(flow)
    if field in ("source_zone", "destination_zone"):
        zone = flow.source_zone if field == "source_zone" else flow.destination_zone
        return zone.name
    if field == "protocol":
        return flow.protocol.text
    if field in FLAG_FIELDS:
        return flow.flag(field).value
    value = getattr(flow, field)
    return _norm(str(value))


def _compared(flow: Flow, field: str) -> object:
    """The value a field is compared by: layout, case of a protocol, zone spellings and
    port notation (``67/68`` vs ``67, 68``) do not count as changes."""
    if field == "ports":
        return _ports_key(flow)
    if field == "protocol":
        return flow.protocol.parts
    if field in FLAG_FIELDS:
        return flow.flag(field)
    return _display(flow, field)


def _identity(flow: Flow) -> tuple[str, str, str]:
    return (_fold(flow.component), _fold(flow.destination), _ports_key(flow))


def flow_fields(old: Flow, new: Flow) -> tuple[FieldChange, ...]:
    """What changed between two versions of one flow, field by field, NEW cell locations."""
    return tuple(
        FieldChange(
            field=name,
            old=_display(old, name),
            new=_display(new, name),
            location=new.cell_location(_CELL_NAMES.get(name, name))
            if name != "section"
            else new.location,
        )
        for name in FLOW_FIELDS
        if _compared(old, name) != _compared(new, name)
    )


# --- matching ----------------------------------------------------------------------------


def _pair(
    olds: list[Flow],
    news: list[Flow],
    key: Callable[[Flow], object],
    accept: Callable[[Flow, Flow], bool] = lambda _o, _n: True,
) -> list[tuple[Flow, Flow]]:
    """Pair flows with equal ``key``, first with first (so repeats pair by position); the
    pairs leave ``olds`` and ``news``."""
    waiting: dict[object, list[Flow]] = {}
    for flow in news:
        waiting.setdefault(key(flow), []).append(flow)
    pairs: list[tuple[Flow, Flow]] = []
    for old in olds:
        candidates = waiting.get(key(old), [])
        for index, new in enumerate(candidates):
            if accept(old, new):
                pairs.append((old, new))
                del candidates[index]
                break
    matched_old = {id(o) for o, _ in pairs}
    matched_new = {id(n) for _, n in pairs}
    olds[:] = [f for f in olds if id(f) not in matched_old]
    news[:] = [f for f in news if id(f) not in matched_new]
    return pairs


def match_flows(
    old: Sequence[Flow], new: Sequence[Flow]
) -> tuple[list[tuple[Flow, Flow]], list[Flow], list[Flow]]:
    """(matched pairs, removed, added); see the module docstring for the passes."""
    olds, news = list(old), list(new)
    pairs = _pair(olds, news, lambda f: f.key, lambda o, n: _identity(o) == _identity(n))
    pairs += _pair(olds, news, _identity)
    pairs += _pair(olds, news, lambda f: f.key)
    return pairs, olds, news


# --- regressions -------------------------------------------------------------------------


def is_data_store(flow: Flow) -> bool:
    """A flow to a database: a well-known database port, or a purpose or destination that
    names one (the rule set's definition, plus ``db``)."""
    if datastore_reason(flow) is not None:
        return True
    return bool(_DB_WORD.search(flow.purpose) or _DB_WORD.search(flow.destination))


def _untrusted_zones(flow: Flow, data: Assessed) -> list[str]:
    zones = [flow.source_zone.name, flow.destination_zone.name]
    return [z for z in dict.fromkeys(zones) if data.config.trust_class(z) == UNTRUSTED]


def _flag_text(flag: Flag) -> str:
    return {"x": "x", "": "empty", "?": "?"}[flag.value]


def _pair_regressions(
    old: Flow, new: Flow, old_data: Assessed, new_data: Assessed
) -> Iterable[Regression]:
    section, key = new.section, new.key
    for name in FLAG_FIELDS:
        before, after = old.flag(name), new.flag(name)
        if before is Flag.YES and after is not Flag.YES:
            yield Regression(
                RegressionCode.FLAG_LOST,
                section,
                key,
                f"{FLAG_KEYS[name]} went from x to {_flag_text(after)} on {new.label} "
                f"({new.component} -> {new.destination})",
                new.cell_location(name),
            )
    if (
        new.trusted is Flag.YES
        and old.trusted is not Flag.YES
        and new.confidentiality is not Flag.YES
    ):
        yield Regression(
            RegressionCode.TRUST_WITHOUT_C,
            section,
            key,
            f"Trust is now x on {new.label} ({new.component} -> {new.destination}) while C is "
            f"{_flag_text(new.confidentiality)}",
            new.cell_location("trusted"),
        )
    was = _untrusted_zones(old, old_data)
    now = [z for z in _untrusted_zones(new, new_data) if z not in was]
    if now and not was:
        yield Regression(
            RegressionCode.UNTRUSTED_FLOW,
            section,
            key,
            f"{new.label} ({new.component} -> {new.destination}) now runs from or to the "
            f"untrusted zone {', '.join(now)}",
            new.location,
        )
    if _ports_key(old) != _ports_key(new) and (is_data_store(old) or is_data_store(new)):
        yield Regression(
            RegressionCode.DATA_STORE_PORT,
            section,
            key,
            f"port of data store flow {new.label} ({new.component} -> {new.destination}) "
            f"changed from {_ports_text(old)} to {_ports_text(new)}",
            new.cell_location("port"),
        )


def _added_regressions(new: Flow, data: Assessed) -> Iterable[Regression]:
    zones = _untrusted_zones(new, data)
    if zones:
        yield Regression(
            RegressionCode.UNTRUSTED_FLOW,
            new.section,
            new.key,
            f"new flow {new.label} ({new.component} -> {new.destination}) runs from or to the "
            f"untrusted zone {', '.join(zones)}",
            new.location,
        )


def _finding_regressions(
    old: Assessed, new: Assessed, renamed: dict[str, str]
) -> Iterable[Regression]:
    """High findings of NEW that OLD did not have; an old finding on a renumbered flow
    counts as the same finding under the flow's new key."""
    before = {
        (f.rule, renamed.get(f.flow_key, f"\0{f.flow_key}") if f.flow_key else f.id)
        for f in old.assessment.findings
        if f.severity is Level.HIGH
    }
    for f in new.assessment.findings:
        if f.severity is not Level.HIGH:
            continue
        if (f.rule, f.flow_key if f.flow_key else f.id) in before:
            continue
        yield Regression(
            RegressionCode.NEW_HIGH_FINDING,
            f.section,
            f.flow_key or f.id,
            f"new High finding {f.id}: {f.title}",
            f.location,
            finding=f.id,
        )


# --- sections and technologies -----------------------------------------------------------


def _section_changes(old: Sequence[Section], new: Sequence[Section]) -> list[SectionChange]:
    olds = {s.slug: s for s in old}
    news = {s.slug: s for s in new}
    changes: list[SectionChange] = []
    for s in new:
        before = olds.get(s.slug)
        if before is None:
            changes.append(
                SectionChange(
                    Change.ADDED,
                    s.slug,
                    s.title,
                    s.location,
                    flows=len(s.flows),
                    technologies=len(s.technologies),
                )
            )
        elif _norm(before.title) != _norm(s.title):
            changes.append(
                SectionChange(Change.CHANGED, s.slug, s.title, s.location, old_title=before.title)
            )
    changes.extend(
        SectionChange(
            Change.REMOVED,
            s.slug,
            s.title,
            s.location,
            flows=len(s.flows),
            technologies=len(s.technologies),
        )
        for s in old
        if s.slug not in news
    )
    return changes


def _technology_changes(
    old: Iterable[Technology], new: Iterable[Technology]
) -> list[TechnologyChange]:
    def key(t: Technology) -> tuple[str, str]:
        return (t.section or "", _fold(t.name))

    waiting: dict[tuple[str, str], list[Technology]] = {}
    for t in old:
        waiting.setdefault(key(t), []).append(t)
    changes: list[TechnologyChange] = []
    for t in new:
        candidates = waiting.get(key(t))
        if not candidates:
            changes.append(TechnologyChange(Change.ADDED, t.section or "", t.name, t.location))
            continue
        before = candidates.pop(0)
        fields = tuple(
            FieldChange(
                name, _norm(getattr(before, name)), _norm(getattr(t, name)), _tech_loc(t, name)
            )
            for name in ("name", "parties", "notes")
            if _norm(getattr(before, name)) != _norm(getattr(t, name))
        )
        if fields:
            changes.append(
                TechnologyChange(Change.CHANGED, t.section or "", t.name, t.location, fields)
            )
    for candidates in waiting.values():
        changes.extend(
            TechnologyChange(Change.REMOVED, t.section or "", t.name, t.location)
            for t in candidates
        )
    return changes


def _tech_loc(tech: Technology, name: str) -> Location:
    for cell in tech.cells:
        if cell.field == name:
            return cell.location
    return tech.location


# --- the diff ----------------------------------------------------------------------------


def side(data: Assessed) -> Side:
    source = data.matrix.source
    return Side(
        path=source.path,
        version=data.build.release or source.version or "",
        sha256=source.sha256,
        commit=source.commit,
    )


def diff(old: Assessed, new: Assessed) -> MatrixDiff:
    """Everything that changed from OLD to NEW, and the security regressions among it."""
    old_flows, new_flows = list(old.matrix.flows), list(new.matrix.flows)
    pairs, removed, added = match_flows(old_flows, new_flows)
    order = {f.key: i for i, f in enumerate(new_flows)}
    old_order = {f.key: i for i, f in enumerate(old_flows)}

    flows: list[tuple[tuple[int, int], FlowChange]] = []
    regressions: list[Regression] = []
    for before, after in pairs:
        fields = flow_fields(before, after)
        if fields or before.key != after.key:
            flows.append(
                (
                    (0, order[after.key]),
                    FlowChange(Change.CHANGED, old=before, new=after, fields=fields),
                )
            )
        regressions.extend(_pair_regressions(before, after, old, new))
    for after in added:
        flows.append(
            (
                (0, order[after.key]),
                FlowChange(Change.ADDED, new=after),
            )
        )
        regressions.extend(_added_regressions(after, new))
    for before in removed:
        flows.append(
            (
                (1, old_order[before.key]),
                FlowChange(Change.REMOVED, old=before),
            )
        )
    renamed = {before.key: after.key for before, after in pairs}
    regressions.extend(_finding_regressions(old, new, renamed))
    regressions.sort(
        key=lambda r: (r.location.path, r.location.line, r.location.column, r.code.value)
    )
    return MatrixDiff(
        old=side(old),
        new=side(new),
        sections=tuple(_section_changes(old.matrix.sections, new.matrix.sections)),
        flows=tuple(change for _, change in sorted(flows, key=lambda item: item[0])),
        technologies=tuple(_technology_changes(old.matrix.technologies, new.matrix.technologies)),
        regressions=tuple(regressions),
    )


def change_history(data: Released) -> tuple[ChangeEntry, ...]:
    """The document-control change history: the entries of ``report.toml`` and, when the
    build was asked for the changes since a previous release, one entry summing them up."""
    history = data.config.document.changes
    d = data.changes
    if d is None:
        return history
    added, removed, changed = (d.count(c)["flows"] for c in Change)
    parts = [f"{added} flows added, {removed} removed, {changed} changed"]
    if d.renumbered:
        parts.append(f"{d.renumbered} renumbered")
    tech = sum(d.count(c)["technologies"] for c in Change)
    if tech:
        parts.append(f"{tech} technology rows changed")
    sections = sum(d.count(c)["sections"] for c in Change)
    if sections:
        parts.append(f"{sections} sections added or removed")
    parts.append(f"{len(d.regressions)} security regressions")
    entry = ChangeEntry(
        version=data.build.release or d.new.version,
        date=data.build.build_time.strftime("%Y-%m-%d"),
        author=data.build.generator,
        description=f"Changes since {d.old.version or d.old.path}: " + "; ".join(parts) + ".",
    )
    return (*history, entry)
