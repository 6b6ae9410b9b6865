"""The comparison: observed flows against the documented ones.

Each observed conversation becomes (source, destination, transport, port), its endpoints named
by the inventory (a component, else a zone). A documented flow's source is its component
where the inventory lists that component, else its source zone; the same for its destination.
An observed flow *is* a documented one when both endpoints match, the flow's protocol runs
over the observed transport, and the port is among the flow's ports.

- matched, and C is ``x`` but the first payload was cleartext: a contradiction at the C cell;
- matched, and C is empty but TLS or SSH was seen: a contradiction at the C cell;
- endpoints and transport match a flow, the port does not: a contradiction at its Port cell;
- nothing matches: an undocumented flow, a finding whose severity comes from the zones'
  trust classes (:data:`SEVERITY_SCHEME`);
- a documented flow the inventory can recognise but nothing matched: unobserved
  (information, naming the capture window);
- an address the inventory does not know: an unknown endpoint, listed on its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..assess.catalogue import lookup
from ..config import Config
from ..model import Control, ControlRef, Flag, Flow, Level, Matrix
from ..vocabulary import (
    DEFAULT_PROTECTION_NEED,
    EXPOSURES,
    GRUNDSCHUTZ,
    ISO,
    PROTECTION_NEEDS,
    exposure_of,
    scheme_severity,
)
from ..vocabulary import SEVERITY_SCHEME as VOCABULARY_SCHEME
from .inventory import Endpoint, Inventory, Side
from .inventory import matches as side_matches
from .observed import (
    CLEARTEXT,
    ENCRYPTED_KINDS,
    PAYLOAD_KINDS,
    Collector,
    Conversation,
    Evidence,
    utc,
)
from .result import (
    CONTRADICTION,
    KINDS,
    MAX_ADDRESS_PAIRS,
    UNDOCUMENTED,
    UNKNOWN,
    UNOBSERVED,
    Item,
    ObservedFlow,
    Verification,
)

TCP_ONLY = frozenset(
    {
        "HTTP", "HTTPS", "TLS", "MTLS", "SSH", "SFTP", "SCP", "FTP", "FTPS", "GRPC", "GRPCS",
        "WS", "WSS", "LDAP", "LDAPS", "SMTP", "SMTPS", "IMAP", "IMAPS", "TELNET", "RSH", "BGP",
        "ISCSI", "NVME-TLS", "NVME", "POSTGRES", "POSTGRESQL", "MYSQL", "REDIS", "AMQP",
        "AMQPS", "MQTT", "NATS", "KAFKA", "ETCD",
    }
)  # fmt: skip
UDP_ONLY = frozenset(
    {
        "UDP", "DHCP", "TFTP", "NTP", "SNMP", "SNMPV1", "SNMPV2C", "SNMPV3", "VXLAN", "QUIC",
        "DTLS", "WIREGUARD", "IPMI", "GENEVE",
    }
)  # fmt: skip
_NOT_OBSERVED = frozenset({"ICMP", "IP", "ARP", "LLDP"})
"""Protocols that are not TCP or UDP: the readers compare only those two."""


def transports(parts: Iterable[str]) -> frozenset[str]:
    """The transports a flow's protocol runs over; a name we do not know may be either."""
    found: set[str] = set()
    for part in parts:
        if part == "TCP" or part in TCP_ONLY:
            found.add("TCP")
        elif part in UDP_ONLY:
            found.add("UDP")
        elif part not in _NOT_OBSERVED:
            found |= {"TCP", "UDP"}
    return frozenset(found)


# --- severity -------------------------------------------------------------------------------

SEVERITY_SCHEME: tuple[tuple[str, Level], ...] = tuple(
    (f"{e.key} ({e.meaning}), protection need {need}", Level(VOCABULARY_SCHEME[(e.key, need)]))
    for e in EXPOSURES
    for need in PROTECTION_NEEDS
)
"""The project's one severity scheme (``vocabulary``), as the reports print it: an
undocumented flow, a flow on an undocumented port and cleartext on a flow documented as
encrypted are direct weaknesses of the exposure and protection need of the observed flow."""


def severity(
    config: Config,
    source_zone: str | None,
    destination_zone: str | None,
    names: Iterable[str] = (),
) -> Level:
    """The scheme's severity for a flow between these zones (an address in no zone counts as
    ``[assessment] unknown_zone_class``), at the highest protection need declared for the
    zones or the components ``names`` (else the default)."""
    exposure = exposure_of(
        config.trust_class(source_zone or ""), config.trust_class(destination_zone or "")
    )
    needs = [config.default_protection_need or DEFAULT_PROTECTION_NEED]
    for zone in (source_zone, destination_zone):
        zdef = config.zone(zone) if zone else None
        if zdef is not None and zdef.protection_need:
            needs.append(zdef.protection_need)
    for name in names:
        cdef = config.component(name)
        if cdef is not None and cdef.protection_need:
            needs.append(cdef.protection_need)
    return Level(scheme_severity(exposure, max(needs, key=PROTECTION_NEEDS.index)))


def _severity(config: Config, o: ObservedFlow) -> Level:
    names = (*o.source_names, *o.destination_names)
    return severity(config, o.source_zone, o.destination_zone, names)


UNDOCUMENTED_CONTROLS = (
    ControlRef(GRUNDSCHUTZ, "NET.1.1.A15"),
    ControlRef(ISO, "8.20"),
    ControlRef(ISO, "8.22"),
)
CRYPTO_CONTROLS = (
    ControlRef(GRUNDSCHUTZ, "NET.1.1.A15"),
    ControlRef(ISO, "8.24"),
    ControlRef(ISO, "8.20"),
)
UNOBSERVED_CONTROLS = (ControlRef(GRUNDSCHUTZ, "NET.1.1.A15"),)
UNKNOWN_CONTROLS = (ControlRef(GRUNDSCHUTZ, "NET.1.1.A15"), ControlRef(ISO, "5.9"))


# --- observed flows ---------------------------------------------------------------------------


def _observed_flow(
    source: Endpoint, destination: Endpoint, convs: list[Conversation]
) -> ObservedFlow:
    first = min(convs, key=lambda c: (c.first_seen, str(c.evidence)))
    payload: dict[str, int] = defaultdict(int)
    samples: dict[str, tuple[float, str, Evidence]] = {}
    for conv in convs:
        for kind, count in conv.payload.items():
            payload[kind] += count
        for kind, (text, where) in conv.samples.items():
            rank = (conv.first_seen, text, where)
            if kind not in samples or (rank[0], rank[1]) < (samples[kind][0], samples[kind][1]):
                samples[kind] = rank
    pairs = sorted({(c.client, c.server) for c in convs})
    return ObservedFlow(
        source=source.label,
        source_names=source.names,
        source_zone=source.zone,
        destination=destination.label,
        destination_names=destination.names,
        destination_zone=destination.zone,
        transport=first.transport,
        port=first.port,
        connections=sum(c.connections for c in convs),
        packets=sum(c.packets for c in convs),
        inferred=sum(c.inferred for c in convs),
        first_seen=min(c.first_seen for c in convs),
        last_seen=max(c.last_seen for c in convs),
        evidence=first.evidence,
        payload=tuple((k, payload[k]) for k in PAYLOAD_KINDS if payload.get(k)),
        samples=tuple((k, samples[k][1], samples[k][2]) for k in PAYLOAD_KINDS if k in samples),
        addresses=tuple(pairs[:MAX_ADDRESS_PAIRS]),
        address_pairs=len(pairs),
    )


def _connections(o: ObservedFlow) -> str:
    n = o.connections
    return f"{n} connection{'' if n == 1 else 's'}" if n else f"{o.packets} packets"


def _seen(o: ObservedFlow, at: bool = True) -> str:
    first = utc(o.first_seen)
    when = first.strftime("%Y-%m-%d %H:%M:%S UTC") if first else "?"
    return f"{_connections(o)}, first {when}" + (f" at {o.evidence}" if at else "")


def _zones(o: ObservedFlow) -> str:
    return f"{o.source_zone or 'no zone'} → {o.destination_zone or 'no zone'}"


# --- the comparison ---------------------------------------------------------------------------


def compare(matrix: Matrix, config: Config, collector: Collector) -> Verification:
    """Compare the matrix with what the collector read."""

    def controls(refs: tuple[ControlRef, ...]) -> tuple[Control, ...]:
        return tuple(lookup(ref) for ref in refs)

    inventory = Inventory(config)
    grouped: dict[tuple[object, ...], tuple[Endpoint, Endpoint, list[Conversation]]] = {}
    unknown: dict[str, list[tuple[Endpoint, Endpoint, Conversation]]] = defaultdict(list)
    for conv in collector.conversations.values():
        client = inventory.resolve(conv.client, None, conv.client_labels)
        server = inventory.resolve(conv.server, conv.port, conv.server_labels)
        if not client.known or not server.known:
            for ep in (client, server):
                if not ep.known:
                    unknown[ep.address].append((client, server, conv))
            continue
        key = (client.names, client.zone, server.names, server.zone, conv.transport, conv.port)
        if key not in grouped:
            grouped[key] = (client, server, [])
        grouped[key][2].append(conv)
    observed = sorted(
        (_observed_flow(c, s, convs) for c, s, convs in grouped.values()),
        key=lambda o: (o.source, o.destination, o.transport, o.port),
    )

    flows = list(matrix.flows)
    order = {f.key: i for i, f in enumerate(flows)}
    sides: dict[str, tuple[Side, Side]] = {
        f.key: (
            inventory.side(f.component, f.source_zone.name),
            inventory.side(f.destination, f.destination_zone.name),
        )
        for f in flows
    }
    runs_over = {f.key: transports(f.protocol.parts) for f in flows}
    covered: list[Flow] = []
    not_covered: list[tuple[str, str]] = []
    for f in flows:
        lacking = [
            f"{name} ({kind})"
            for kind, name in sides[f.key]
            if not inventory.observable((kind, name))
        ]
        if not runs_over[f.key]:
            not_covered.append((f.key, f"{f.protocol.text} is neither TCP nor UDP"))
        elif lacking:
            not_covered.append((f.key, "the inventory has no address for " + " and ".join(lacking)))
        else:
            covered.append(f)

    matched: dict[str, list[ObservedFlow]] = defaultdict(list)
    other_port: dict[str, list[ObservedFlow]] = defaultdict(list)
    undocumented: list[ObservedFlow] = []
    for o in observed:
        candidates = [
            f
            for f in covered
            if o.transport in runs_over[f.key]
            and side_matches(o.source_names, o.source_zone, sides[f.key][0])
            and side_matches(o.destination_names, o.destination_zone, sides[f.key][1])
        ]
        exact = [f for f in candidates if f.ports is None or o.port in f.ports]
        for f in exact:
            matched[f.key].append(o)
        if not exact and candidates:
            other_port[candidates[0].key].append(o)
        elif not candidates:
            undocumented.append(o)

    items: list[tuple[int, int, int, Item]] = []

    def add(item: Item, position: int) -> None:
        items.append((KINDS.index(item.kind), item.severity.rank, position, item))

    for f in flows:
        seen = matched.get(f.key, [])
        c_cell = f.cell_location("confidentiality")
        clear = [o for o in seen if CLEARTEXT in o.kinds()]
        if f.confidentiality is Flag.YES and clear:
            o = clear[0]
            text, where = o.sample(CLEARTEXT) or ("", o.evidence)
            add(
                Item(
                    CONTRADICTION,
                    "cleartext-observed",
                    _severity(config, o),
                    f"flow {f.label} marks C (x), but {o.label} carried cleartext: "
                    f"{text!r} ({where})",
                    c_cell,
                    where,
                    f.key,
                    f.id,
                    f.section,
                    tuple(clear),
                    controls(CRYPTO_CONTROLS),
                ),
                order[f.key],
            )
        encrypted = [o for o in seen if o.kinds() & ENCRYPTED_KINDS]
        if f.confidentiality is Flag.NO and encrypted:
            o = encrypted[0]
            kind = sorted(o.kinds() & ENCRYPTED_KINDS)[0]
            text, where = o.sample(kind) or ("", o.evidence)
            add(
                Item(
                    CONTRADICTION,
                    "encryption-observed",
                    Level.INFO,
                    f"flow {f.label} leaves C empty, but {o.label} carried {kind.upper()} "
                    f"({text}, {where}): the documentation understates the protection",
                    c_cell,
                    where,
                    f.key,
                    f.id,
                    f.section,
                    tuple(encrypted),
                    controls(CRYPTO_CONTROLS),
                ),
                order[f.key],
            )
        if f.key in other_port:
            found = other_port[f.key]
            ports = ", ".join(f"{o.transport} {o.port}" for o in found)
            add(
                Item(
                    CONTRADICTION,
                    "port-differs",
                    min((_severity(config, o) for o in found), key=lambda lv: lv.rank),
                    f"flow {f.label} documents port {f.ports}, but {found[0].source} → "
                    f"{found[0].destination} was observed on {ports} ({_seen(found[0])})",
                    f.cell_location("port"),
                    found[0].evidence,
                    f.key,
                    f.id,
                    f.section,
                    tuple(found),
                    controls(UNDOCUMENTED_CONTROLS),
                ),
                order[f.key],
            )

    for position, o in enumerate(undocumented):
        add(
            Item(
                UNDOCUMENTED,
                "undocumented-flow",
                _severity(config, o),
                f"{o.label} ({_zones(o)}) is not in the matrix: {_seen(o, at=False)}",
                None,
                o.evidence,
                observed=(o,),
                controls=controls(UNDOCUMENTED_CONTROLS),
            ),
            position,
        )

    start = min((i.start for i in collector.inputs if i.start is not None), default=None)
    end = max((i.end for i in collector.inputs if i.end is not None), default=None)
    window = (
        f"between {utc(start):%Y-%m-%d %H:%M:%S} and {utc(end):%Y-%m-%d %H:%M:%S} UTC"
        if start is not None and end is not None
        else "(the inputs hold no TCP or UDP records)"
    )
    for f in covered:
        if f.key in matched or f.key in other_port:
            continue
        src, dst = sides[f.key]
        optional = " (the matrix marks it optional)" if f.optional else ""
        add(
            Item(
                UNOBSERVED,
                "unobserved-flow",
                Level.INFO,
                f"flow {f.label} ({src[1]} → {dst[1]} {f.protocol} {f.ports}) was not observed "
                f"{window}{optional}",
                f.location,
                None,
                f.key,
                f.id,
                f.section,
                controls=controls(UNOBSERVED_CONTROLS),
            ),
            order[f.key],
        )

    for position, address in enumerate(sorted(unknown, key=_address_order)):
        entries = unknown[address]
        peers = sorted(
            {
                (
                    f"{(s if c.address == address else c).label} "
                    f"({'server' if c.address == address else 'client'})",
                    conv.transport,
                    conv.port,
                )
                for c, s, conv in entries
            }
        )
        count = sum(conv.connections for _, _, conv in entries)
        first = min(entries, key=lambda e: (e[2].first_seen, str(e[2].evidence)))[2]
        talked = "; ".join(f"{peer} {t} {p}" for peer, t, p in peers[:5])
        more = f" and {len(peers) - 5} more" if len(peers) > 5 else ""
        add(
            Item(
                UNKNOWN,
                "unknown-endpoint",
                Level.INFO,
                f"{address} is in no zone network and no component's addresses: "
                f"{count} connection{'' if count == 1 else 's'} with {talked}{more}",
                None,
                first.evidence,
                controls=controls(UNKNOWN_CONTROLS),
            ),
            position,
        )

    items.sort(key=lambda entry: entry[:3])
    return Verification(
        inputs=tuple(collector.inputs),
        start=utc(start),
        end=utc(end),
        items=tuple(entry[3] for entry in items),
        observed=tuple(observed),
        matched=tuple((f.key, tuple(matched[f.key])) for f in flows if f.key in matched),
        not_covered=tuple(not_covered),
        severity_scheme=SEVERITY_SCHEME,
    )


def _address_order(address: str) -> tuple[int, str]:
    return (address.count(":") > 0, address)
