"""The finding rules, each declared once: id, title, severity, rationale, recommendation, the
controls it maps to, and a predicate over one Flow (plus the zone trust classes from the
config and the validator's diagnostics for that flow).

A predicate returns the evidence sentence when the rule applies, else ``None``. Rules only
judge definite flag values: a ``?`` flag gives a "Not assessed" finding (rules ``NA-*``) and
no other rule reads it as empty.

Severity follows the Grundschutz ladder: an unmet Basis (MUSS) requirement is High, Standard
(SOLLTE) Medium, erhöht (H) Low; Info asks a question without stating a gap. When a specific
rule fires on a flow, the generic rules it ``supersedes`` are dropped for that flow, so one
weakness is reported once, by the rule that explains it best.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..config import Config
from ..model import ControlRef, Diagnostic, Flag, Flow, Level, RuleInfo, ZoneRef
from ..protocols import is_plaintext, is_transport_only
from .catalogue import C5, GRUNDSCHUTZ, ISO

RULESET_VERSION = "1.0"
"""Bump when a rule is added, removed, or changes what it matches or its severity."""

OUTSIDE_CLASSES: frozenset[str] = frozenset({"untrusted", "external-service"})
"""Trust classes outside the operator's own network: traffic to or from them must be
encrypted and authenticated. A contracted external service counts here too: its traffic
still leaves the operator's network."""

BELOW_MANAGEMENT: frozenset[str] = OUTSIDE_CLASSES | {"tenant"}
"""Trust classes that should not reach a management zone freely."""

MANAGEMENT_CLASS = "management"

DATASTORE_PORTS: frozenset[int] = frozenset({5432, 28015, 6379, 2379, 2380, 3306, 27017})
"""PostgreSQL, RethinkDB, Redis/Valkey/KeyDB, etcd (client, peer), MySQL, MongoDB."""

DATASTORE_WORDS = re.compile(
    r"\b(database|postgres(?:ql)?|rethinkdb|redis|valkey|keydb|etcd|mysql|mariadb|mongodb|"
    r"timescaledb)\b",
    re.IGNORECASE,
)

PLAINTEXT_PORTS: Mapping[int, str] = {
    21: "FTP",
    23: "Telnet",
    53: "DNS",
    67: "DHCP",
    68: "DHCP",
    69: "TFTP",
    80: "HTTP",
    123: "NTP",
    161: "SNMP",
    162: "SNMP",
    179: "BGP",
    514: "syslog",
    623: "IPMI",
}
"""Well-known ports of plaintext protocols, used when the table names only TCP or UDP."""

ROUTING_PROTOCOLS: frozenset[str] = frozenset({"BGP", "OSPF", "RIP", "ISIS", "IS-IS", "EIGRP"})

PROTOCOL_FLAG_CODES: frozenset[str] = frozenset(
    {
        "secure-protocol-without-c",
        "plaintext-protocol-with-c",
        "encryption-unnamed",
        "integrity-without-c",
    }
)
"""Validator codes that say the protocol and the flags of one row contradict each other."""

DIVERGENT_CODES: frozenset[str] = frozenset({"inconsistent-destination", "destination-zone-varies"})
"""Validator codes that say one destination is described differently in different rows."""


@dataclass(frozen=True, slots=True)
class Context:
    """What a predicate may look at besides the flow."""

    config: Config
    diagnostics: Mapping[str, tuple[Diagnostic, ...]]
    """Flow key -> the validator's diagnostics on that flow's row."""

    def zone_class(self, zone: ZoneRef) -> str:
        return self.config.trust_class(zone.name)

    def outside(self, zone: ZoneRef) -> bool:
        return self.zone_class(zone) in OUTSIDE_CLASSES

    def for_flow(self, flow: Flow) -> tuple[Diagnostic, ...]:
        return self.diagnostics.get(flow.key, ())


Predicate = Callable[[Flow, Context], "str | None"]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    severity: Level
    rationale: str
    recommendation: str
    controls: tuple[ControlRef, ...]
    check: Predicate
    supersedes: tuple[str, ...] = ()

    @property
    def info(self) -> RuleInfo:
        return RuleInfo(
            id=self.id,
            title=self.title,
            severity=self.severity.value,
            rationale=self.rationale,
            recommendation=self.recommendation,
            controls=self.controls,
        )


def controls(iso: str = "", grundschutz: str = "", c5: str = "") -> tuple[ControlRef, ...]:
    """``controls("8.24 5.14", "NET.1.1.A7", "CRY-02")`` -> ControlRefs, frameworks in order."""
    return tuple(
        ControlRef(framework, cid)
        for framework, ids in ((ISO, iso), (GRUNDSCHUTZ, grundschutz), (C5, c5))
        for cid in ids.split()
    )


# --- facts about a flow ------------------------------------------------------------------


def route(flow: Flow) -> str:
    """``Internet → Internet (GitHub), HTTPS 443``."""
    ports = f" {flow.ports}" if flow.ports else ""
    return (
        f"{flow.source_zone.name} → {flow.destination_zone.name} ({flow.destination}), "
        f"{flow.protocol}{ports}"
    )


def plaintext_name(flow: Flow) -> str | None:
    """The plaintext protocol a flow uses, by name or (for bare TCP/UDP) by well-known port."""
    if is_plaintext(flow.protocol):
        return flow.protocol.text
    if is_transport_only(flow.protocol) and flow.ports is not None:
        for r in flow.ports.ranges:
            if r.start == r.end and r.start in PLAINTEXT_PORTS:
                return f"{PLAINTEXT_PORTS[r.start]} (by port {r.start})"
    return None


def datastore_reason(flow: Flow) -> str | None:
    if flow.ports is not None:
        for port in sorted(DATASTORE_PORTS):
            if port in flow.ports:
                return f"port {port}"
    for text in (flow.purpose, flow.destination):
        match = DATASTORE_WORDS.search(text)
        if match:
            return f"{match.group(0)!r} in the row"
    return None


def is_routing(flow: Flow) -> bool:
    if any(part in ROUTING_PROTOCOLS for part in flow.protocol.parts):
        return True
    return is_transport_only(flow.protocol) and flow.ports is not None and 179 in flow.ports


def _zone_note(flow: Flow, ctx: Context, which: tuple[ZoneRef, ...]) -> str:
    return ", ".join(f"{z.name!r} is {ctx.zone_class(z)}" for z in dict.fromkeys(which))


def _outside_sides(flow: Flow, ctx: Context) -> tuple[ZoneRef, ...]:
    return tuple(z for z in (flow.source_zone, flow.destination_zone) if ctx.outside(z))


# --- predicates ----------------------------------------------------------------------------


def _ext_clear(flow: Flow, ctx: Context) -> str | None:
    sides = _outside_sides(flow, ctx)
    if flow.confidentiality is Flag.NO and sides:
        return f"{route(flow)}: C is empty and {_zone_note(flow, ctx, sides)}"
    return None


def _auth_inbound(flow: Flow, ctx: Context) -> str | None:
    src, dst = flow.source_zone, flow.destination_zone
    if ctx.outside(src) and not ctx.outside(dst) and flow.authentication is Flag.NO:
        return f"{route(flow)}: Auth is empty; {_zone_note(flow, ctx, (src, dst))}"
    return None


def _auth_outbound(flow: Flow, ctx: Context) -> str | None:
    dst = flow.destination_zone
    if ctx.outside(dst) and flow.authentication is Flag.NO:
        return f"{route(flow)}: Auth is empty; {_zone_note(flow, ctx, (dst,))} ({flow.purpose})"
    return None


def _clear_open_path(flow: Flow, ctx: Context) -> str | None:
    if flow.confidentiality is Flag.NO and flow.trusted is Flag.NO:
        return f"{route(flow)}: C and Trust are both empty"
    return None


def _clear_cross(flow: Flow, ctx: Context) -> str | None:
    if flow.confidentiality is Flag.NO and flow.trusted is Flag.YES and flow.crosses_zones:
        return f"{route(flow)}: C is empty on a flow between two zones (Trust `x`)"
    return None


def _clear_local(flow: Flow, ctx: Context) -> str | None:
    if flow.confidentiality is Flag.NO and flow.trusted is Flag.YES and not flow.crosses_zones:
        return f"{route(flow)}: C is empty inside zone {flow.source_zone.name!r} (Trust `x`)"
    return None


def _datastore_noauth(flow: Flow, ctx: Context) -> str | None:
    reason = datastore_reason(flow)
    if reason and flow.authentication is Flag.NO:
        c = "; C is empty too" if flow.confidentiality is Flag.NO else ""
        return f"{route(flow)}: a data store ({reason}) reached with Auth empty{c}"
    return None


def _datastore_clear(flow: Flow, ctx: Context) -> str | None:
    reason = datastore_reason(flow)
    if reason and flow.authentication is Flag.YES and flow.confidentiality is Flag.NO:
        return (
            f"{route(flow)}: a data store ({reason}) with Auth `x` but C empty: "
            "credentials and data travel in clear"
        )
    return None


def _proto_clear_untrusted(flow: Flow, ctx: Context) -> str | None:
    name = plaintext_name(flow)
    if name and flow.confidentiality is Flag.NO and ctx.outside(flow.source_zone):
        note = _zone_note(flow, ctx, (flow.source_zone,))
        return f"{route(flow)}: plaintext {name} from an outside zone ({note})"
    return None


def _proto_clear_cross(flow: Flow, ctx: Context) -> str | None:
    name = plaintext_name(flow)
    if (
        name
        and flow.confidentiality is Flag.NO
        and flow.crosses_zones
        and not ctx.outside(flow.source_zone)
    ):
        return f"{route(flow)}: plaintext {name} crosses from one zone to another"
    return None


def _proto_clear_local(flow: Flow, ctx: Context) -> str | None:
    name = plaintext_name(flow)
    if (
        name
        and flow.confidentiality is Flag.NO
        and flow.trusted is Flag.YES
        and not flow.crosses_zones
        and not ctx.outside(flow.source_zone)
    ):
        return (
            f"{route(flow)}: plaintext {name} inside zone {flow.source_zone.name!r}. "
            "Which compensating control protects it?"
        )
    return None


def _mgmt_exposed(flow: Flow, ctx: Context) -> str | None:
    src, dst = flow.source_zone, flow.destination_zone
    if ctx.zone_class(dst) == MANAGEMENT_CLASS and ctx.zone_class(src) in BELOW_MANAGEMENT:
        missing = [k for k, f in (("C", flow.confidentiality), ("Auth", flow.authentication))
                   if f is not Flag.YES]  # fmt: skip
        tail = f"; {' and '.join(missing)} not `x`" if missing else ""
        return f"{route(flow)}: {_zone_note(flow, ctx, (src, dst))}{tail}"
    return None


def _routing_noauth(flow: Flow, ctx: Context) -> str | None:
    if is_routing(flow) and flow.authentication is Flag.NO:
        return f"{route(flow)}: routing sessions with Auth empty"
    return None


def _trust_zone_conflict(flow: Flow, ctx: Context) -> str | None:
    sides = _outside_sides(flow, ctx)
    if flow.trusted is Flag.YES and sides:
        return (
            f"{route(flow)}: Trust is `x` (only trusted networks), but "
            f"{_zone_note(flow, ctx, sides)} in the configuration"
        )
    return None


def _diagnostics(codes: frozenset[str]) -> Predicate:
    def check(flow: Flow, ctx: Context) -> str | None:
        found = [d for d in ctx.for_flow(flow) if d.code in codes]
        if not found:
            return None
        return f"{route(flow)}: " + "; ".join(f"{d.message} [{d.code}]" for d in found)

    return check


def _unknown(name: str, key: str) -> Predicate:
    def check(flow: Flow, ctx: Context) -> str | None:
        if flow.flag(name) is Flag.UNKNOWN:
            return f"{route(flow)}: {key} is `?` (depends on configuration, not assessed)"
        return None

    return check


# --- the rule set --------------------------------------------------------------------------

_CLEAR = ("CLEAR-OPEN-PATH", "CLEAR-CROSS", "CLEAR-LOCAL")

_DECLARED: tuple[Rule, ...] = (
    Rule(
        id="PROTO-CLEAR-UNTRUSTED",
        title="Plaintext protocol from an untrusted zone",
        severity=Level.HIGH,
        rationale=(
            "A plaintext protocol (HTTP, TFTP, DHCP, DNS, NTP, IPMI, BGP, SNMP, Telnet, FTP, "
            "syslog…) accepted from a zone outside the operator's control can be read and "
            "forged by anyone on the path (NET.1.1.A11, Basis)."
        ),
        recommendation=(
            "Do not accept this protocol from outside zones; offer an encrypting and "
            "authenticating variant, or terminate it in a filtered transfer zone."
        ),
        controls=controls("8.20 8.21 8.24", "NET.1.1.A11 NET.1.1.A9 CON.1.A3", "COS-04 CRY-02"),
        check=_proto_clear_untrusted,
        supersedes=("EXT-CLEAR", *_CLEAR),
    ),
    Rule(
        id="EXT-CLEAR",
        title="Unencrypted flow to or from an untrusted zone",
        severity=Level.HIGH,
        rationale=(
            "Data crossing a zone outside the operator's control without encryption can be "
            "read and altered on the way (NET.1.1.A7 and NET.1.1.A9, Basis)."
        ),
        recommendation=(
            "Encrypt the flow end to end (TLS 1.2+ or a VPN) and mark C once it is; if the "
            "zone is in fact trusted, correct its class in report.toml."
        ),
        controls=controls("8.24 5.14 8.20", "NET.1.1.A7 NET.1.1.A9 CON.1.A3", "CRY-02 COS-08"),
        check=_ext_clear,
        supersedes=_CLEAR,
    ),
    Rule(
        id="AUTH-INBOUND",
        title="Unauthenticated inbound flow from an untrusted zone",
        severity=Level.HIGH,
        rationale=(
            "A service inside the operator's network that anyone outside can reach without "
            "authentication is open to misuse (NET.1.1.A11, Basis)."
        ),
        recommendation=(
            "Require authentication (mTLS, tokens) for every connection from outside zones, "
            "or block the flow at the perimeter."
        ),
        controls=controls("8.5 5.15 8.20", "NET.1.1.A11 NET.1.1.A9 NET.3.2.A2", "COS-04 COS-01"),
        check=_auth_inbound,
    ),
    Rule(
        id="AUTH-OUTBOUND",
        title="Unauthenticated flow to an untrusted zone",
        severity=Level.MEDIUM,
        rationale=(
            "Fetching code or data from an outside zone without authenticating what is "
            "fetched (e.g. a self-update from the Internet) trusts whoever controls the "
            "endpoint or its distribution path."
        ),
        recommendation=(
            "Verify what is fetched (signatures or pinned checksums of releases), pin the "
            "endpoint, and document the dependency on the external service."
        ),
        controls=controls("8.5 5.23 8.32", "NET.1.1.A9 NET.3.2.A2", "COS-08 COS-04"),
        check=_auth_outbound,
    ),
    Rule(
        id="DATASTORE-NOAUTH",
        title="Data store reached without authentication",
        severity=Level.HIGH,
        rationale=(
            "A database or key-value store that accepts unauthenticated connections lets any "
            "host in reach read and change its data (NET.1.1.A7, Basis)."
        ),
        recommendation=(
            "Enable authentication on the data store (passwords or client certificates) "
            "and restrict which hosts may connect."
        ),
        controls=controls("5.15 8.5", "NET.1.1.A7 NET.3.2.A2", "COS-02 COS-06"),
        check=_datastore_noauth,
        supersedes=("CLEAR-CROSS", "CLEAR-LOCAL"),
    ),
    Rule(
        id="CLEAR-OPEN-PATH",
        title="Unencrypted flow over networks not marked trusted",
        severity=Level.HIGH,
        rationale=(
            "C and Trust are both empty: the data travels in clear over networks the page "
            "itself does not call trusted (NET.1.1.A7, Basis)."
        ),
        recommendation="Encrypt the flow (TLS or a VPN), or confine it to trusted networks.",
        controls=controls("8.24 8.20 5.14", "NET.1.1.A7 CON.1.A3", "CRY-02 COS-08"),
        check=_clear_open_path,
    ),
    Rule(
        id="DATASTORE-CLEAR",
        title="Data store access in clear",
        severity=Level.MEDIUM,
        rationale=(
            "The data store requires authentication but the connection is not encrypted, so "
            "credentials and data can be read on the network (CON.1.A3, Standard)."
        ),
        recommendation=(
            "Enable TLS on the data store connection (e.g. PostgreSQL sslmode=verify-full, "
            "RethinkDB/Redis TLS) and mark C."
        ),
        controls=controls("8.24 8.5", "CON.1.A3 NET.1.1.A7", "CRY-02 COS-02"),
        check=_datastore_clear,
        supersedes=("CLEAR-CROSS", "CLEAR-LOCAL"),
    ),
    Rule(
        id="PROTO-CLEAR-CROSS",
        title="Plaintext protocol crossing zones",
        severity=Level.MEDIUM,
        rationale=(
            "A plaintext protocol carried from one zone to another can be read and forged "
            "at every hop between them (CON.1.A3, Standard)."
        ),
        recommendation=(
            "Use the protocol's secure variant (HTTPS, NTS, DNS over TLS, IPMI over a "
            "dedicated management network, BGP with TCP-AO), or document the compensating "
            "control and the risk acceptance."
        ),
        controls=controls("8.21 8.24 8.20", "CON.1.A3 NET.1.2.A9 NET.1.2.A31", "CRY-02 COS-02"),
        check=_proto_clear_cross,
        supersedes=("CLEAR-CROSS", "CLEAR-LOCAL"),
    ),
    Rule(
        id="CLEAR-CROSS",
        title="Unencrypted flow between trusted zones",
        severity=Level.MEDIUM,
        rationale=(
            "Traffic between zones passes routers and firewalls where it can be read; "
            "marking the networks trusted does not encrypt it (CON.1.A3, Standard)."
        ),
        recommendation="Encrypt the flow (TLS), or document why the path is protected otherwise.",
        controls=controls("8.24 8.22 5.14", "CON.1.A3 NET.1.1.A4", "CRY-02 COS-06"),
        check=_clear_cross,
    ),
    Rule(
        id="MGMT-EXPOSED",
        title="Management zone reached from a tenant or untrusted zone",
        severity=Level.MEDIUM,
        rationale=(
            "Management systems should sit in a zone that less-trusted zones cannot reach "
            "freely (NET.1.1.A21, Standard); each such flow widens the attack surface of "
            "the control plane."
        ),
        recommendation=(
            "Expose only the needed endpoint through a filtering proxy or firewall, require "
            "C and Auth, and record the flow in the firewall rule set."
        ),
        controls=controls("8.22 8.20", "NET.1.1.A21 APP.4.4.A7 SYS.1.6.A5", "COS-05 COS-06"),
        check=_mgmt_exposed,
    ),
    Rule(
        id="ROUTING-NOAUTH",
        title="Routing protocol without authentication",
        severity=Level.MEDIUM,
        rationale=(
            "Unauthenticated routing sessions let a neighbour inject or divert routes "
            "(NET.3.1.A20, Standard)."
        ),
        recommendation=(
            "Authenticate routing sessions (BGP TCP-AO or MD5, GTSM/TTL security) and "
            "filter the prefixes each peer may announce."
        ),
        controls=controls("8.20 8.21", "NET.3.1.A20", "COS-01 COS-02"),
        check=_routing_noauth,
    ),
    Rule(
        id="CLEAR-LOCAL",
        title="Unencrypted flow inside one trusted zone",
        severity=Level.LOW,
        rationale=(
            "Acceptable for normal protection needs, but NET.1.2.A31 (erhöht) asks for "
            "secure protocols also inside zones; without them it needs a documented risk "
            "acceptance."
        ),
        recommendation=(
            "Encrypt the flow where the component supports TLS; otherwise record the risk "
            "acceptance and the zone's isolation."
        ),
        controls=controls("8.24 5.14", "NET.1.2.A31 CON.1.A3", "CRY-01 CRY-02"),
        check=_clear_local,
    ),
    Rule(
        id="TRUST-ZONE-CONFLICT",
        title="Trust marked for a flow touching an untrusted zone",
        severity=Level.LOW,
        rationale=(
            "The row says only trusted networks are involved, while the configuration "
            "classes one of its zones as untrusted: the documentation and the zone model "
            "disagree (NET.1.1.A2)."
        ),
        recommendation=(
            "Either clear Trust in the table or name the zone (and class it) in report.toml "
            "so the page and the zone model agree."
        ),
        controls=controls("5.9 8.20", "NET.1.1.A2 NET.1.1.A15", "COS-07"),
        check=_trust_zone_conflict,
    ),
    Rule(
        id="DQ-PROTOCOL-FLAGS",
        title="Protocol and flags contradict each other",
        severity=Level.LOW,
        rationale=(
            "The row's protocol and its C/I flags do not agree (an encrypting protocol "
            "without C, a plaintext one with C, or C on bare TCP): the documentation cannot "
            "be relied on for this flow (NET.1.1.A2)."
        ),
        recommendation="Correct the flags or name the protocol actually used.",
        controls=controls("5.9 8.24", "NET.1.1.A2 NET.1.1.A15", "COS-07"),
        check=_diagnostics(PROTOCOL_FLAG_CODES),
    ),
    Rule(
        id="DQ-DIVERGENT",
        title="One destination described differently",
        severity=Level.LOW,
        rationale=(
            "The same destination appears with different ports, flags or zones in different "
            "rows: at least one description is wrong or the instances need distinct names "
            "(NET.1.1.A2)."
        ),
        recommendation="Align the rows, or name the different instances apart.",
        controls=controls("5.9 8.9", "NET.1.1.A2 NET.1.1.A15", "COS-07"),
        check=_diagnostics(DIVERGENT_CODES),
    ),
    Rule(
        id="PROTO-CLEAR-LOCAL",
        title="Plaintext protocol inside a trusted zone",
        severity=Level.INFO,
        rationale=(
            "Protocols like DHCP, DNS or NTP are commonly plaintext; inside a trusted zone "
            "this is usual, but an auditor will ask which compensating control protects it "
            "(NET.1.2.A31, erhöht)."
        ),
        recommendation=(
            "Name the compensating control (DHCP snooping, DNSSEC validation, NTS or "
            "authenticated NTP, a dedicated VLAN) in the notes."
        ),
        controls=controls("8.21 8.20", "NET.1.2.A31 NET.1.1.A4", "COS-02"),
        check=_proto_clear_local,
        supersedes=("CLEAR-LOCAL",),
    ),
    Rule(
        id="NA-C",
        title="Confidentiality not assessed",
        severity=Level.NOT_ASSESSED,
        rationale=(
            "C is `?`: whether the flow is encrypted depends on the installation. It is "
            "excluded from any conformity statement until the operator assesses it."
        ),
        recommendation="Assess the flow for the installation and record C in its own matrix.",
        controls=controls("8.24 8.9", "CON.1.A3 NET.1.1.A1", "CRY-02"),
        check=_unknown("confidentiality", "C"),
    ),
    Rule(
        id="NA-I",
        title="Integrity not assessed",
        severity=Level.NOT_ASSESSED,
        rationale=(
            "I is `?`: whether the flow protects integrity depends on the installation. It "
            "is excluded from any conformity statement until the operator assesses it."
        ),
        recommendation="Assess the flow for the installation and record I in its own matrix.",
        controls=controls("8.24 8.9", "CON.1.A1 NET.1.1.A1", "CRY-02"),
        check=_unknown("integrity", "I"),
    ),
    Rule(
        id="NA-AUTH",
        title="Authentication not assessed",
        severity=Level.NOT_ASSESSED,
        rationale=(
            "Auth is `?`: whether the parties authenticate depends on the installation. It "
            "is excluded from any conformity statement until the operator assesses it."
        ),
        recommendation="Assess the flow for the installation and record Auth in its own matrix.",
        controls=controls("8.5 8.9", "NET.1.1.A9 NET.1.1.A1", "COS-04"),
        check=_unknown("authentication", "Auth"),
    ),
    Rule(
        id="NA-TRUST",
        title="Network trust not assessed",
        severity=Level.NOT_ASSESSED,
        rationale=(
            "Trust is `?`: which networks the flow crosses depends on the installation. It "
            "is excluded from any conformity statement until the operator assesses it."
        ),
        recommendation="Assess the path for the installation and record Trust in its own matrix.",
        controls=controls("8.20 8.22", "NET.1.1.A4 NET.1.1.A1", "COS-06"),
        check=_unknown("trusted", "Trust"),
    ),
)

RULES: tuple[Rule, ...] = tuple(sorted(_DECLARED, key=lambda r: r.severity.rank))
"""Every rule, worst severity first, else as declared (specific before generic): the order
of the README table and of findings of equal severity on one flow."""


def rule(rule_id: str) -> Rule:
    for r in RULES:
        if r.id == rule_id:
            return r
    raise KeyError(rule_id)
