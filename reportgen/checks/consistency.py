"""The table against itself: protocols against flags, and one destination described the
same way wherever it appears."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ..config import Config, fold
from ..model import FLAG_KEYS, Diagnostic, Flag, Flow, Matrix
from ..protocols import is_encrypting, is_plaintext, is_transport_only, names_encryption
from . import diagnostic


def check_protocol_flags(matrix: Matrix, config: Config) -> Iterator[Diagnostic]:
    for flow in matrix.flows:
        c = flow.confidentiality
        where = flow.cell_location("confidentiality")
        if is_encrypting(flow.protocol) and c is Flag.NO:
            yield diagnostic(
                "secure-protocol-without-c",
                f"flow {flow.label}: {flow.protocol} encrypts, but C is empty",
                where,
                hint="mark C (and I) with `x`, or name the protocol actually used",
                flow_id=flow.id,
            )
        elif is_plaintext(flow.protocol) and c is Flag.YES:
            yield diagnostic(
                "plaintext-protocol-with-c",
                f"flow {flow.label}: {flow.protocol} carries data in clear, but C is marked",
                where,
                hint="name the encrypting protocol (e.g. HTTPS) or clear C",
                flow_id=flow.id,
            )
        elif (
            is_transport_only(flow.protocol)
            and c is Flag.YES
            and not names_encryption(f"{flow.purpose} {flow.notes}")
        ):
            yield diagnostic(
                "encryption-unnamed",
                f"flow {flow.label}: C is marked but the protocol {flow.protocol} names no "
                "encryption",
                flow.cell_location("protocol"),
                hint="name it, e.g. 'TLS' or 'TCP (TLS)', so a reader can verify the claim",
                flow_id=flow.id,
            )
        if c is Flag.NO and flow.integrity is Flag.YES:
            yield diagnostic(
                "integrity-without-c",
                f"flow {flow.label}: I is marked but C is empty; integrity without TLS needs "
                "a mechanism the table does not name",
                flow.cell_location("integrity"),
                flow_id=flow.id,
            )


def _destination_key(flow: Flow) -> tuple[str, tuple[str, ...]]:
    return fold(flow.destination), flow.protocol.parts


def check_destinations(matrix: Matrix, config: Config) -> Iterator[Diagnostic]:
    """Rows naming the same destination, zone and protocol should agree on port and C/I/Auth;
    the same destination, protocol and port should not stand in different zones."""
    groups: dict[tuple[object, ...], list[Flow]] = defaultdict(list)
    by_port: dict[tuple[object, ...], list[Flow]] = defaultdict(list)
    for flow in matrix.flows:
        if not flow.destination.strip():
            continue
        name, parts = _destination_key(flow)
        groups[(name, parts, flow.destination_zone.name)].append(flow)
        by_port[(name, parts, flow.ports.text if flow.ports else "")].append(flow)

    for flows in groups.values():
        first = flows[0]
        for flow in flows[1:]:
            if first.ports and flow.ports and set(first.ports.ranges) != set(flow.ports.ranges):
                yield diagnostic(
                    "inconsistent-destination",
                    f"flow {flow.label}: {flow.destination} ({flow.protocol}) is reached on "
                    f"port {flow.ports} here but on {first.ports} in flow {first.label} "
                    f"(line {first.location.line})",
                    flow.cell_location("port"),
                    hint="if both are right, say why in the notes; otherwise correct one",
                    flow_id=flow.id,
                )
            for name in ("confidentiality", "integrity", "authentication"):
                mine, theirs = flow.flag(name), first.flag(name)
                if Flag.UNKNOWN in (mine, theirs) or mine is theirs:
                    continue
                yield diagnostic(
                    "inconsistent-destination",
                    f"flow {flow.label}: {flow.destination} ({flow.protocol}) has "
                    f"{FLAG_KEYS[name]} {_says(mine)} here but {_says(theirs)} in flow "
                    f"{first.label} (line {first.location.line})",
                    flow.cell_location(name),
                    hint="one service is normally reached with the same protection",
                    flow_id=flow.id,
                )

    for flows in by_port.values():
        first = flows[0]
        reported = {first.destination_zone.name}
        for flow in flows[1:]:
            if flow.destination_zone.name not in reported:
                reported.add(flow.destination_zone.name)
                yield diagnostic(
                    "destination-zone-varies",
                    f"flow {flow.label}: {flow.destination} ({flow.protocol} "
                    f"{flow.ports.text if flow.ports else '?'}) stands in zone "
                    f"{flow.destination_zone.name!r} here but in "
                    f"{first.destination_zone.name!r} in flow {first.label} "
                    f"(line {first.location.line})",
                    flow.cell_location("destination_zone"),
                    hint="if these are different instances, name them apart (e.g. add the "
                    "cluster or site to the name); otherwise correct the zone",
                    flow_id=flow.id,
                )


def _says(flag: Flag) -> str:
    return "`x`" if flag is Flag.YES else "empty"
