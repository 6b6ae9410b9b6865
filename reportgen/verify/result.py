"""The comparison's result: observed flows, the items it found (each with its place in the
matrix or in the observed input) and the inputs it read; and their JSON and text forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..model import Control, Level, Location
from .observed import Evidence, InputSummary, utc

CONTRADICTION, UNDOCUMENTED, UNOBSERVED, UNKNOWN = (
    "contradiction",
    "undocumented",
    "unobserved",
    "unknown-endpoint",
)
KINDS: tuple[str, ...] = (CONTRADICTION, UNDOCUMENTED, UNOBSERVED, UNKNOWN)
"""The kinds of item, in the order reports list them."""

KIND_TITLES: dict[str, str] = {
    CONTRADICTION: "Contradictions",
    UNDOCUMENTED: "Undocumented flows",
    UNOBSERVED: "Unobserved flows",
    UNKNOWN: "Unknown endpoints",
}

GATES: dict[str, str] = {
    "undocumented": UNDOCUMENTED,
    "contradiction": CONTRADICTION,
    "unobserved": UNOBSERVED,
    "unknown": UNKNOWN,
}
"""``--fail-on`` value -> the kind of item that trips it."""

CODES: dict[str, str] = {
    "cleartext-observed": "C is marked (x), but the first payload bytes are cleartext",
    "encryption-observed": "C is empty, but TLS or SSH was observed",
    "port-differs": "the flow was observed on a port the matrix does not document for it",
    "undocumented-flow": "a flow was observed that the matrix does not document",
    "unobserved-flow": "a documented flow was not observed in the capture window",
    "unknown-endpoint": "an observed address is in no zone network and no component's addresses",
}
"""Every item code and what it means (docs/verify.md lists them)."""


@dataclass(frozen=True, slots=True)
class ObservedFlow:
    """The connections between two endpoints on one transport and server port, the
    endpoints as the inventory names them."""

    source: str
    """The component(s), else the zone, else the address (see ``Endpoint.label``)."""
    source_names: tuple[str, ...]
    source_zone: str | None
    destination: str
    destination_names: tuple[str, ...]
    destination_zone: str | None
    transport: str
    port: int
    connections: int
    packets: int
    inferred: int
    first_seen: float
    last_seen: float
    evidence: Evidence
    payload: tuple[tuple[str, int], ...]
    """(payload kind, connections), in the order of ``observed.PAYLOAD_KINDS``."""
    samples: tuple[tuple[str, str, Evidence], ...]
    """(payload kind, first sample, where it was seen)."""
    addresses: tuple[tuple[str, str], ...]
    """(client, server) address pairs, sorted; at most ``MAX_ADDRESS_PAIRS``."""
    address_pairs: int

    @property
    def label(self) -> str:
        return f"{self.source} → {self.destination} {self.transport} {self.port}"

    def kinds(self) -> set[str]:
        return {kind for kind, _ in self.payload}

    def sample(self, kind: str) -> tuple[str, Evidence] | None:
        for k, text, where in self.samples:
            if k == kind:
                return text, where
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "source_components": list(self.source_names),
            "source_zone": self.source_zone,
            "destination": self.destination,
            "destination_components": list(self.destination_names),
            "destination_zone": self.destination_zone,
            "transport": self.transport,
            "port": self.port,
            "connections": self.connections,
            "packets": self.packets,
            "inferred_direction": self.inferred,
            "first_seen": _iso(utc(self.first_seen)),
            "last_seen": _iso(utc(self.last_seen)),
            "evidence": self.evidence.to_dict(),
            "payload": dict(self.payload),
            "samples": [
                {"kind": kind, "text": text, "evidence": where.to_dict()}
                for kind, text, where in self.samples
            ],
            "addresses": [{"client": c, "server": s} for c, s in self.addresses],
            "address_pairs": self.address_pairs,
        }


MAX_ADDRESS_PAIRS = 10


@dataclass(frozen=True, slots=True)
class Item:
    """One result of the comparison: a contradiction, an undocumented or unobserved flow, or
    an unknown endpoint."""

    kind: str
    code: str
    severity: Level
    message: str
    location: Location | None
    """Where the matrix documents it (the cell in question), or None when it does not."""
    evidence: Evidence | None
    """Where the observed inputs show it, or None (an unobserved flow)."""
    flow_key: str | None = None
    flow_id: str | None = None
    section: str | None = None
    observed: tuple[ObservedFlow, ...] = ()
    controls: tuple[Control, ...] = ()

    @property
    def where(self) -> str:
        if self.location is not None:
            return str(self.location)
        return str(self.evidence) if self.evidence is not None else ""

    def format(self) -> str:
        """One line: ``where: severity code: message [controls]``."""
        controls = ", ".join(c.id for c in self.controls)
        return f"{self.where}: {self.severity.value} {self.code}: {self.message} [{controls}]"

    def to_dict(self) -> dict[str, Any]:
        loc = self.location
        return {
            "kind": self.kind,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "flow_key": self.flow_key,
            "flow_id": self.flow_id,
            "section": self.section,
            "location": None
            if loc is None
            else {"path": loc.path, "line": loc.line, "column": loc.column},
            "evidence": None if self.evidence is None else self.evidence.to_dict(),
            "observed": [o.to_dict() for o in self.observed],
            "controls": [
                {"framework": c.framework, "id": c.id, "title": c.title} for c in self.controls
            ],
        }


@dataclass(frozen=True, slots=True)
class Verification:
    """The documented matrix against observed traffic (NET.1.1.A15's Soll-Ist-Vergleich)."""

    inputs: tuple[InputSummary, ...]
    start: datetime | None
    end: datetime | None
    """The capture window: the first and the last record of all inputs (UTC)."""
    items: tuple[Item, ...]
    """In the order of :data:`KINDS`, then worst first, then matrix or observed order."""
    observed: tuple[ObservedFlow, ...]
    """Every observed flow whose endpoints the inventory knows."""
    matched: tuple[tuple[str, tuple[ObservedFlow, ...]], ...]
    """(flow key, the observed flows that are it), in matrix order."""
    not_covered: tuple[tuple[str, str], ...]
    """(flow key, why) for documented flows the inventory cannot recognise in traffic."""
    severity_scheme: tuple[tuple[str, Level], ...]

    def of(self, kind: str) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.kind == kind)

    def counts(self) -> dict[str, int]:
        return {kind: len(self.of(kind)) for kind in KINDS}

    def tripped(self, gates: tuple[str, ...]) -> bool:
        """Whether any ``--fail-on`` gate (``undocumented``, ``contradiction``, …) trips."""
        return any(self.of(GATES[g]) for g in gates)

    @property
    def window(self) -> str:
        """The capture window as the reports print it."""
        if self.start is None or self.end is None:
            return "which hold no packets or records"
        return f"{self.start:%Y-%m-%d %H:%M:%S} to {self.end:%Y-%m-%d %H:%M:%S} UTC"

    def summary(self) -> str:
        counts = self.counts()

        def n(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        records = sum(i.records for i in self.inputs)
        return (
            f"{n(counts[CONTRADICTION], 'contradiction')}, "
            f"{n(counts[UNDOCUMENTED], 'undocumented flow')}, "
            f"{n(counts[UNOBSERVED], 'unobserved flow')}, "
            f"{n(counts[UNKNOWN], 'unknown endpoint')}; "
            f"{n(len(self.matched), 'documented flow')} observed, "
            f"{len(self.not_covered)} not covered by the inventory; "
            f"{n(records, 'record')} in {n(len(self.inputs), 'input')}, {self.window}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "window": {"start": _iso(self.start), "end": _iso(self.end)},
            "summary": {
                **self.counts(),
                "matched": len(self.matched),
                "not_covered": len(self.not_covered),
                "observed_flows": len(self.observed),
            },
            "inputs": [
                {
                    "path": i.path,
                    "format": i.format,
                    "size": i.size,
                    "sha256": i.sha256,
                    "records": i.records,
                    "compared": i.compared,
                    "skipped": dict(i.skipped),
                    "start": _iso(utc(i.start)),
                    "end": _iso(utc(i.end)),
                }
                for i in self.inputs
            ],
            "severity_scheme": [
                {"condition": text, "severity": level.value} for text, level in self.severity_scheme
            ],
            "items": [i.to_dict() for i in self.items],
            "matched": [
                {"flow_key": key, "observed": [o.to_dict() for o in flows]}
                for key, flows in self.matched
            ],
            "not_covered": [{"flow_key": key, "reason": why} for key, why in self.not_covered],
        }


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.strftime("%Y-%m-%dT%H:%M:%SZ")
