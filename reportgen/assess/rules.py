"""The finding rules, each declared once: id, title, kind, the flows it examines (scope), the
flags it reads, the gap it looks for, and the controls it maps to, each mapping with one
sentence on why it applies and the condition under which it does.

How a rule runs on a flow (see :mod:`.engine`):

1. ``scope`` says whether the rule examines the flow at all (e.g. only flows to a data store).
   In-scope flows are what a control's "not contradicted by N flows" counts.
2. If a flag the rule ``reads`` is ``?``, the rule does not judge the flow: the flow makes the
   rule's controls "not assessable", and an ``NA-*`` finding names the flag.
3. ``gap`` returns :class:`Evidence` when the documented flags show the weakness.

Severity is never declared per rule. Security findings take it from the one scheme in
:mod:`reportgen.vocabulary` (exposure from the zones' trust classes x protection need, one
step lower for an indirect weakness); data-quality findings are Info; ``?`` flags are Not
assessed. Trust classes, protection needs, data-store and cluster declarations come from
``report.toml`` and are assumptions (see :mod:`.assumptions`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..config import Config
from ..i18n import N_
from ..model import (
    ControlRef,
    Diagnostic,
    Flag,
    Flow,
    Location,
    MappingInfo,
    RuleInfo,
    ZoneRef,
)
from ..protocols import is_plaintext, is_transport_only
from ..vocabulary import (
    BELOW_MANAGEMENT,
    DEFAULT_PROTECTION_NEED,
    GRUNDSCHUTZ,
    ISO,
    MANAGEMENT,
    OUTSIDE_CLASSES,
    PROTECTION_NEEDS,
    UNTRUSTED,
    exposure_of,
)

RULESET_VERSION = "2.0"
"""Bump when a rule is added, removed, or changes what it matches, its mappings or its kind."""

DATASTORE_PORTS: Mapping[int, tuple[str, str]] = {
    5432: ("PostgreSQL", "relational"),
    3306: ("MySQL/MariaDB", "relational"),
    28015: ("RethinkDB", "document"),
    27017: ("MongoDB", "document"),
    6379: ("Redis protocol (Redis, Valkey, KeyDB)", "key-value"),
    2379: ("etcd client", "key-value"),
    2380: ("etcd peer", "key-value"),
}
"""Ports whose protocol is a data store's own wire protocol: port -> (protocol, kind)."""

DATASTORE_HINT = re.compile(
    r"\b(database|postgres(?:ql)?|rethinkdb|redis|valkey|keydb|etcd|mysql|mariadb|mongodb|"
    r"timescaledb)\b",
    re.IGNORECASE,
)
"""Words in purpose or notes that only *support* a data-store reading; alone they never make
a flow a data-store flow (an API in front of a database is not a data store)."""

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
INFRASTRUCTURE_SERVICES: frozenset[str] = frozenset({"DHCP", "DNS", "NTP"})
"""Network infrastructure services in the sense of Grundschutz NET.1.1.A19."""
NETWORK_MANAGEMENT: frozenset[str] = frozenset({"SSH", "SNMP", "TELNET", "NETCONF", "GNMI"})
"""Protocols used to administer network components (NET.1.2 is about their management)."""
SOFTWARE_FETCH = re.compile(r"\b(update|updater|self-update|download|firmware|image)s?\b", re.I)
"""Purposes that fetch software to run: an update check, a self-update, an image pull."""

PROTOCOL_FLAG_CODES: frozenset[str] = frozenset(
    {"secure-protocol-without-c", "plaintext-protocol-with-c", "encryption-unnamed"}
)
"""Validator codes that say the protocol and the C flag of one row contradict each other."""

DIVERGENT_CODES: frozenset[str] = frozenset({"inconsistent-destination"})
"""Validator codes that say one destination *in one zone* is described differently. Its
sibling ``destination-zone-varies`` is not one: a component name in different zones names
different instances (each cluster has its own kube-apiserver)."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a rule found, as data: the sentence, and where it points when not at the row."""

    text: str
    location: Location | None = None


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

    def exposure(self, flow: Flow) -> str:
        return exposure_of(
            self.zone_class(flow.source_zone), self.zone_class(flow.destination_zone)
        )

    def need_sources(self, flow: Flow) -> tuple[tuple[str, str], ...]:
        """(assumption id, protection need) declared for the flow's zones and components."""
        found: list[tuple[str, str]] = []
        for zone in (flow.source_zone, flow.destination_zone):
            zdef = self.config.zone(zone.name)
            if zdef is not None and zdef.protection_need:
                found.append((f"protection-need:{zdef.name}", zdef.protection_need))
        for name in (flow.component, flow.destination):
            cdef = self.config.component(name)
            if cdef is not None and cdef.protection_need:
                found.append((f"protection-need:{cdef.name}", cdef.protection_need))
        return tuple(dict.fromkeys(found))

    def protection_need(self, flow: Flow) -> tuple[str, tuple[str, ...]]:
        """The highest declared protection need of the flow, and the assumptions it rests on."""
        declared = self.need_sources(flow)
        default = self.config.default_protection_need or DEFAULT_PROTECTION_NEED
        needs = [need for _, need in declared] + [default]
        worst = max(needs, key=PROTECTION_NEEDS.index)
        ids = tuple(i for i, need in declared if need == worst) or ("protection-need:default",)
        return worst, ids

    def datastore(self, flow: Flow) -> tuple[str, str, str | None] | None:
        """(what, kind, assumption id) when the flow reaches a data store: its destination is
        declared one in report.toml, or its port is a data store's wire protocol."""
        cdef = self.config.component(flow.destination)
        if cdef is not None and cdef.datastore:
            return f"{cdef.name} (declared)", cdef.datastore, f"datastore:{cdef.name}"
        if flow.ports is not None:
            for port in sorted(DATASTORE_PORTS):
                if port in flow.ports:
                    name, kind = DATASTORE_PORTS[port]
                    return f"{name} on port {port}", kind, None
        return None

    def kubernetes(self, zone: ZoneRef) -> bool:
        zdef = self.config.zone(zone.name)
        return zdef is not None and zdef.kubernetes


Predicate = Callable[[Flow, Context], bool]
Gap = Callable[[Flow, Context], "Evidence | None"]


@dataclass(frozen=True, slots=True)
class Condition:
    text: str
    test: Predicate
    assumption: Callable[[Flow], str] | None = None
    """The assumption the condition rests on, if it reads a declaration in report.toml."""


@dataclass(frozen=True, slots=True)
class ControlMapping:
    ref: ControlRef
    rationale: str
    condition: Condition | None = None

    @property
    def info(self) -> MappingInfo:
        return MappingInfo(self.ref, self.rationale, self.condition.text if self.condition else "")


def iso(cid: str, rationale: str, when: Condition | None = None) -> ControlMapping:
    return ControlMapping(ControlRef(ISO, cid), rationale, when)


def gs(cid: str, rationale: str, when: Condition | None = None) -> ControlMapping:
    return ControlMapping(ControlRef(GRUNDSCHUTZ, cid), rationale, when)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    kind: str
    """security, data-quality or not-assessed."""
    scope_text: str
    scope: Predicate
    reads: tuple[str, ...]
    """Flow flag attributes the gap reads: a ``?`` there leaves the flow unjudged."""
    gap: Gap
    rationale: str
    recommendation: str
    mappings: tuple[ControlMapping, ...] = ()
    indirect: bool = False
    """The weakness lowers assurance rather than exposing data or access: one step lower."""
    supersedes: tuple[str, ...] = ()
    trust_dependent: bool = True
    """Whether the finding rests on the zones' trust classes (security findings do)."""

    @property
    def controls(self) -> tuple[ControlRef, ...]:
        return tuple(m.ref for m in self.mappings)

    @property
    def severity_text(self) -> str:
        if self.kind == "security":
            return "scheme, indirect" if self.indirect else "scheme"
        return "info" if self.kind == "data-quality" else "not-assessed"

    @property
    def info(self) -> RuleInfo:
        return RuleInfo(
            id=self.id,
            title=self.title,
            severity=self.severity_text,
            rationale=self.rationale,
            recommendation=self.recommendation,
            controls=self.controls,
            kind=self.kind,
            mappings=tuple(m.info for m in self.mappings),
            scope=self.scope_text,
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


def _protocol_names(flow: Flow) -> set[str]:
    names = set(flow.protocol.parts)
    if is_transport_only(flow.protocol) and flow.ports is not None:
        names |= {
            PLAINTEXT_PORTS[r.start].upper()
            for r in flow.ports.ranges
            if r.start == r.end and r.start in PLAINTEXT_PORTS
        }
        if 22 in flow.ports:
            names.add("SSH")
    return names


def is_routing(flow: Flow) -> bool:
    return bool(_protocol_names(flow) & ROUTING_PROTOCOLS)


def datastore_reason(flow: Flow, config: Config | None = None) -> str | None:
    """Why a flow reaches a data store, or None (used by the diff's regression check)."""
    found = Context(config or Config(), {}).datastore(flow)
    return found[0] if found else None


def _zone_note(ctx: Context, which: tuple[ZoneRef, ...]) -> str:
    return ", ".join(f"{z.name!r} is {ctx.zone_class(z)}" for z in dict.fromkeys(which))


def _outside_sides(flow: Flow, ctx: Context) -> tuple[ZoneRef, ...]:
    return tuple(z for z in (flow.source_zone, flow.destination_zone) if ctx.outside(z))


# --- scopes ----------------------------------------------------------------------------------


def _any_outside(flow: Flow, ctx: Context) -> bool:
    return bool(_outside_sides(flow, ctx))


def _inbound(flow: Flow, ctx: Context) -> bool:
    return ctx.outside(flow.source_zone) and not ctx.outside(flow.destination_zone)


def _outbound(flow: Flow, ctx: Context) -> bool:
    return ctx.outside(flow.destination_zone)


def _inside(flow: Flow, ctx: Context) -> bool:
    return not _outside_sides(flow, ctx)


def _to_datastore(flow: Flow, ctx: Context) -> bool:
    return ctx.datastore(flow) is not None


def _plaintext_inbound(flow: Flow, ctx: Context) -> bool:
    return plaintext_name(flow) is not None and ctx.outside(flow.source_zone)


def _plaintext_inside_cross(flow: Flow, ctx: Context) -> bool:
    return plaintext_name(flow) is not None and _inside(flow, ctx) and flow.crosses_zones


def _plaintext_inside_local(flow: Flow, ctx: Context) -> bool:
    return plaintext_name(flow) is not None and _inside(flow, ctx) and not flow.crosses_zones


def _into_management(flow: Flow, ctx: Context) -> bool:
    return (
        ctx.zone_class(flow.destination_zone) == MANAGEMENT
        and ctx.zone_class(flow.source_zone) in BELOW_MANAGEMENT
    )


def _everything(flow: Flow, ctx: Context) -> bool:
    return True


# --- conditions on mappings --------------------------------------------------------------------

FROM_UNTRUSTED = Condition(
    "the source zone is untrusted (the Internet or a zone the page leaves open)",
    lambda f, ctx: ctx.zone_class(f.source_zone) == UNTRUSTED,
)
TO_UNTRUSTED = Condition(
    "the destination zone is untrusted (the Internet or a zone the page leaves open)",
    lambda f, ctx: ctx.zone_class(f.destination_zone) == UNTRUSTED,
)
FETCHES_SOFTWARE = Condition(
    "the purpose or notes say the flow fetches software (update, download, firmware, image)",
    lambda f, ctx: bool(SOFTWARE_FETCH.search(f"{f.purpose} {f.notes}")),
)
LEAVES_ZONE_OR_UNTRUSTED_PATH = Condition(
    "the flow leaves its zone, or Trust is not `x` (NET.1.1.A7 exempts dedicated trusted segments)",
    lambda f, ctx: f.crosses_zones or f.trusted is not Flag.YES,
)
RELATIONAL = Condition(
    "the data store is a relational database (PostgreSQL/MySQL port, or declared relational)",
    lambda f, ctx: (found := ctx.datastore(f)) is not None and found[1] == "relational",
)
INFRA_SERVICE = Condition(
    "the protocol is a network infrastructure service (DHCP, DNS, NTP)",
    lambda f, ctx: bool(_protocol_names(f) & INFRASTRUCTURE_SERVICES),
)
NETWORK_MGMT = Condition(
    "the protocol administers network components (SSH, SNMP, Telnet, NETCONF, gNMI) and the "
    "destination zone is of class infrastructure",
    lambda f, ctx: (
        bool(_protocol_names(f) & NETWORK_MANAGEMENT)
        and ctx.zone_class(f.destination_zone) == "infrastructure"
    ),
)
HIGH_NEED = Condition(
    "the flow's protection need is high or very high (an H-level requirement)",
    lambda f, ctx: ctx.protection_need(f)[0] != "normal",
)
KUBERNETES_DESTINATION = Condition(
    "the destination zone is declared a Kubernetes cluster in report.toml",
    lambda f, ctx: ctx.kubernetes(f.destination_zone),
    assumption=lambda f: f"kubernetes:{f.destination_zone.name}",
)


# --- gaps ------------------------------------------------------------------------------------


def _ext_clear(flow: Flow, ctx: Context) -> Evidence | None:
    if flow.confidentiality is Flag.NO:
        note = _zone_note(ctx, _outside_sides(flow, ctx))
        return Evidence(f"{route(flow)}: C is empty and {note}")
    return None


def _auth_inbound(flow: Flow, ctx: Context) -> Evidence | None:
    if flow.authentication is Flag.NO:
        note = _zone_note(ctx, (flow.source_zone, flow.destination_zone))
        return Evidence(f"{route(flow)}: Auth is empty; {note}")
    return None


def _auth_outbound(flow: Flow, ctx: Context) -> Evidence | None:
    if flow.authentication is Flag.NO:
        note = _zone_note(ctx, (flow.destination_zone,))
        return Evidence(f"{route(flow)}: Auth is empty; {note}; purpose: {flow.purpose}")
    return None


def _clear_open_path(flow: Flow, ctx: Context) -> Evidence | None:
    if flow.confidentiality is Flag.NO and flow.trusted is Flag.NO:
        return Evidence(f"{route(flow)}: C and Trust are both empty")
    return None


def _clear_cross(flow: Flow, ctx: Context) -> Evidence | None:
    if flow.confidentiality is Flag.NO and flow.trusted is Flag.YES and flow.crosses_zones:
        return Evidence(f"{route(flow)}: C is empty on a flow from one zone to another")
    return None


def _clear_local(flow: Flow, ctx: Context) -> Evidence | None:
    if flow.confidentiality is Flag.NO and flow.trusted is Flag.YES and not flow.crosses_zones:
        return Evidence(f"{route(flow)}: C is empty inside zone {flow.source_zone.name!r}")
    return None


def _datastore_noauth(flow: Flow, ctx: Context) -> Evidence | None:
    found = ctx.datastore(flow)
    if found and flow.authentication is Flag.NO:
        c = "; C is empty too" if flow.confidentiality is Flag.NO else ""
        return Evidence(f"{route(flow)}: a data store ({found[0]}) reached with Auth empty{c}")
    return None


def _datastore_clear(flow: Flow, ctx: Context) -> Evidence | None:
    found = ctx.datastore(flow)
    if found and flow.authentication is Flag.YES and flow.confidentiality is Flag.NO:
        return Evidence(
            f"{route(flow)}: a data store ({found[0]}) with Auth marked but C empty: "
            "credentials and data travel unencrypted"
        )
    return None


def _plaintext_clear(where: str) -> Gap:
    def gap(flow: Flow, ctx: Context) -> Evidence | None:
        name = plaintext_name(flow)
        if name and flow.confidentiality is Flag.NO:
            return Evidence(f"{route(flow)}: plaintext {name} {where}")
        return None

    return gap


def _mgmt_exposed(flow: Flow, ctx: Context) -> Evidence | None:
    missing = [
        k
        for k, f in (("C", flow.confidentiality), ("Auth", flow.authentication))
        if f is not Flag.YES
    ]
    tail = f"; {' and '.join(missing)} not marked" if missing else ""
    note = _zone_note(ctx, (flow.source_zone, flow.destination_zone))
    return Evidence(f"{route(flow)}: {note}{tail}")


def _routing_noauth(flow: Flow, ctx: Context) -> Evidence | None:
    if is_routing(flow) and flow.authentication is Flag.NO:
        return Evidence(f"{route(flow)}: routing sessions with Auth empty")
    return None


def _trust_zone_conflict(flow: Flow, ctx: Context) -> Evidence | None:
    if flow.trusted is Flag.YES:
        note = _zone_note(ctx, _outside_sides(flow, ctx))
        return Evidence(
            f"{route(flow)}: Trust is `x` (only trusted networks), but {note} in report.toml"
        )
    return None


def _diagnostics(codes: frozenset[str]) -> Gap:
    def gap(flow: Flow, ctx: Context) -> Evidence | None:
        found = [d for d in ctx.for_flow(flow) if d.code in codes]
        if not found:
            return None
        text = f"{route(flow)}: " + "; ".join(d.message for d in found)
        return Evidence(text, location=found[0].location)

    return gap


def _unknown(name: str, key: str) -> Gap:
    def gap(flow: Flow, ctx: Context) -> Evidence | None:
        if flow.flag(name) is Flag.UNKNOWN:
            return Evidence(f"{route(flow)}: {key} is `?` (depends on the installation)")
        return None

    return gap


# --- the rule set --------------------------------------------------------------------------

_CLEAR = ("CLEAR-OPEN-PATH", "CLEAR-CROSS", "CLEAR-LOCAL")
C = ("confidentiality",)
C_TRUST = ("confidentiality", "trusted")

_ISO_824 = iso(
    "8.24", "The flow carries data without the cryptographic protection the rule set asks for."
)
_GS_A7 = gs(
    "NET.1.1.A7",
    "Schützenswerte Informationen must be protected in transit over networks that are not a "
    "dedicated trusted segment.",
    LEAVES_ZONE_OR_UNTRUSTED_PATH,
)
_GS_A9 = gs(
    "NET.1.1.A9",
    "Communication with networks that are not trusted needs basic protection.",
)

_ISO_821 = iso("8.21", "The network service uses a protocol without security mechanisms.")
_ISO_89 = iso("8.9", "The documented configuration of the network contradicts itself.")
_GS_A2 = gs("NET.1.1.A2", "The network documentation must be correct and complete.")
_GS_A19 = gs(
    "NET.1.1.A19", "Infrastructure services should be separated and protected.", INFRA_SERVICE
)
_GS_A34 = gs(
    "NET.1.1.A34",
    "With high protection needs, cryptography is used on the network level as well.",
    HIGH_NEED,
)

RULES: tuple[Rule, ...] = (
    Rule(
        id="PROTO-CLEAR-UNTRUSTED",
        title=N_("Plaintext protocol accepted from an untrusted zone"),
        kind="security",
        scope_text="flows of a plaintext protocol whose source zone is outside the "
        "operator's network",
        scope=_plaintext_inbound,
        reads=C,
        gap=_plaintext_clear("from an outside zone"),
        rationale="A plaintext protocol accepted from outside the operator's control can be "
        "read and forged by anyone on the path.",
        recommendation=N_(
            "Do not accept this protocol from outside zones; offer an encrypting and "
            "authenticating variant, or terminate it in a filtered transfer zone."
        ),
        mappings=(
            iso(
                "8.21",
                "A network service offered to an outside zone lacks the protocol's "
                "security mechanisms.",
            ),
            _ISO_824,
            gs(
                "NET.1.1.A11",
                "Inbound communication from the Internet into the internal "
                "network must be secured.",
                FROM_UNTRUSTED,
            ),
            _GS_A9,
        ),
        supersedes=("EXT-CLEAR", *_CLEAR),
    ),
    Rule(
        id="EXT-CLEAR",
        title=N_("Unencrypted flow to or from an untrusted zone"),
        kind="security",
        scope_text="flows with an end in a zone outside the operator's network",
        scope=_any_outside,
        reads=C,
        gap=_ext_clear,
        rationale="Data crossing a zone outside the operator's control without encryption can "
        "be read and altered on the way.",
        recommendation=N_(
            "Encrypt the flow end to end (TLS 1.2+ or a VPN) and mark C once it is; "
            "if the zone is in fact trusted, correct its class in report.toml."
        ),
        mappings=(
            _ISO_824,
            iso(
                "5.14",
                "Information transferred to a party outside the operator's network "
                "needs agreed protection.",
            ),
            _GS_A7,
            _GS_A9,
        ),
        supersedes=_CLEAR,
    ),
    Rule(
        id="AUTH-INBOUND",
        title=N_("Unauthenticated inbound flow from an untrusted zone"),
        kind="security",
        scope_text="flows from a zone outside the operator's network into it",
        scope=_inbound,
        reads=("authentication",),
        gap=_auth_inbound,
        rationale="A service inside the operator's network that anyone outside can reach "
        "without authentication is open to misuse.",
        recommendation=N_(
            "Require authentication (mTLS, tokens) for every connection from outside "
            "zones, or block the flow at the perimeter."
        ),
        mappings=(
            iso("8.5", "The service is reached without authenticating the party."),
            iso("5.15", "Access from outside is not restricted to authenticated parties."),
            gs(
                "NET.1.1.A11",
                "Inbound communication from the Internet into the internal "
                "network must be secured.",
                FROM_UNTRUSTED,
            ),
            _GS_A9,
        ),
    ),
    Rule(
        id="DATASTORE-NOAUTH",
        title=N_("Data store reached without authentication"),
        kind="security",
        scope_text="flows to a data store (a data-store port, or a destination declared a data "
        "store in report.toml)",
        scope=_to_datastore,
        reads=("authentication",),
        gap=_datastore_noauth,
        rationale="A database or key-value store that accepts unauthenticated connections lets "
        "any host that reaches it read and change its data.",
        recommendation=N_(
            "Enable authentication on the data store (passwords or client "
            "certificates), or bind it to a local socket, and restrict which hosts may connect."
        ),
        mappings=(
            iso("8.5", "The data store is reached without authenticating the client."),
            iso("5.15", "Nothing restricts which party may read or change the stored data."),
        ),
        supersedes=_CLEAR,
    ),
    Rule(
        id="CLEAR-OPEN-PATH",
        title=N_("Unencrypted flow over networks not marked trusted"),
        kind="security",
        scope_text="flows inside the operator's network",
        scope=_inside,
        reads=C_TRUST,
        gap=_clear_open_path,
        rationale="C and Trust are both empty: the data travels unencrypted over networks the "
        "page itself does not call trusted.",
        recommendation=N_("Encrypt the flow (TLS or a VPN), or confine it to trusted networks."),
        mappings=(
            _ISO_824,
            iso("5.14", "The transfer crosses networks the documentation does not trust."),
            _GS_A7,
        ),
    ),
    Rule(
        id="DATASTORE-CLEAR",
        title=N_("Data store reached with credentials but without encryption"),
        kind="security",
        scope_text="flows to a data store",
        scope=_to_datastore,
        reads=("confidentiality", "authentication"),
        gap=_datastore_clear,
        rationale="The data store requires authentication but the connection is not "
        "encrypted, so credentials and data can be read on the network.",
        recommendation=N_(
            "Enable TLS on the data store connection (e.g. PostgreSQL "
            "sslmode=verify-full, RethinkDB/Redis TLS) and mark C."
        ),
        mappings=(
            _ISO_824,
            iso("8.5", "Credentials sent unencrypted weaken the authentication."),
            gs(
                "APP.4.3.A16",
                "The connection to a database management system should be encrypted.",
                RELATIONAL,
            ),
            _GS_A7,
        ),
        supersedes=_CLEAR,
    ),
    Rule(
        id="PROTO-CLEAR-CROSS",
        title=N_("Plaintext protocol crossing zones"),
        kind="security",
        scope_text="flows of a plaintext protocol between two zones inside the operator's network",
        scope=_plaintext_inside_cross,
        reads=C,
        gap=_plaintext_clear("crosses from one zone to another"),
        rationale="A plaintext protocol carried from one zone to another can be read and "
        "forged at every hop between them.",
        recommendation=N_(
            "Use the protocol's secure variant (HTTPS, NTS, DNS over TLS, SNMPv3, "
            "BGP with TCP-AO), or document the compensating control and the risk decision."
        ),
        mappings=(
            _ISO_821,
            _ISO_824,
            _GS_A7,
            _GS_A19,
            gs("NET.1.2.A9", "Network management communication must be protected.", NETWORK_MGMT),
        ),
        supersedes=_CLEAR,
    ),
    Rule(
        id="CLEAR-CROSS",
        title=N_("Unencrypted flow between trusted zones"),
        kind="security",
        scope_text="flows between two zones inside the operator's network",
        scope=lambda f, ctx: _inside(f, ctx) and f.crosses_zones,
        reads=C_TRUST,
        gap=_clear_cross,
        rationale="Traffic between zones passes routers and firewalls where it can be read; "
        "marking the networks trusted does not encrypt it.",
        recommendation=N_(
            "Encrypt the flow (TLS), or document why the path is protected otherwise."
        ),
        mappings=(
            _ISO_824,
            iso("5.14", "Information transferred between zones is not protected in transit."),
            _GS_A7,
        ),
    ),
    Rule(
        id="MGMT-EXPOSED",
        title=N_("Management zone reached from a tenant or untrusted zone"),
        kind="security",
        scope_text="flows from a tenant or outside zone into a management zone",
        scope=_into_management,
        reads=(),
        gap=_mgmt_exposed,
        rationale="Management systems should sit in a zone that less-trusted zones cannot "
        "reach freely; each such flow widens the attack surface of the control plane. The "
        "weakness is indirect (segmentation): what the flow itself exposes is judged by the "
        "C and Auth rules.",
        recommendation=N_(
            "Expose only the needed endpoint through a filtering proxy or firewall, "
            "require C and Auth, and record the flow in the firewall rule set."
        ),
        mappings=(
            iso("8.22", "A less trusted network segment reaches the management segment."),
            iso("8.20", "The network lets a less trusted zone reach management systems."),
            gs("NET.1.1.A21", "The management area should be separated from other zones."),
            gs(
                "APP.4.4.A7",
                "A Kubernetes cluster's networks should be separated.",
                KUBERNETES_DESTINATION,
            ),
            gs(
                "SYS.1.6.A5",
                "A container platform's administration and access networks should be separated.",
                KUBERNETES_DESTINATION,
            ),
        ),
        indirect=True,
    ),
    Rule(
        id="AUTH-OUTBOUND",
        title=N_("Unauthenticated flow to an untrusted zone"),
        kind="security",
        scope_text="flows into a zone outside the operator's network",
        scope=_outbound,
        reads=("authentication",),
        gap=_auth_outbound,
        rationale="Fetching code or data from an outside zone without authenticating what is "
        "fetched trusts whoever controls the endpoint or its distribution path. HTTPS "
        "authenticates the server, so the weakness is indirect: what is fetched is not "
        "verified.",
        recommendation=N_(
            "Verify what is fetched (signatures or pinned checksums of releases), "
            "pin the endpoint, and document the dependency on the external service."
        ),
        mappings=(
            iso("8.5", "Neither party of the flow is authenticated."),
            iso(
                "8.19",
                "Software installed from the flow is not verified before it runs.",
                FETCHES_SOFTWARE,
            ),
            iso(
                "5.21",
                "The software supply chain reaches an unauthenticated source.",
                FETCHES_SOFTWARE,
            ),
            gs(
                "NET.1.1.A12",
                "Outbound communication to the Internet must be secured.",
                TO_UNTRUSTED,
            ),
            gs(
                "OPS.1.1.3.A10",
                "The integrity and authenticity of software packages should be checked.",
                FETCHES_SOFTWARE,
            ),
        ),
        indirect=True,
    ),
    Rule(
        id="ROUTING-NOAUTH",
        title=N_("Routing protocol without authentication"),
        kind="security",
        scope_text="flows of a routing protocol (BGP, OSPF, …)",
        scope=lambda f, ctx: is_routing(f),
        reads=("authentication",),
        gap=_routing_noauth,
        rationale="Unauthenticated routing sessions let a neighbour inject or divert routes.",
        recommendation=N_(
            "Authenticate routing sessions (BGP TCP-AO or MD5, GTSM/TTL security) "
            "and filter the prefixes each peer may announce."
        ),
        mappings=(
            iso("8.20", "Routing sessions between network devices are not authenticated."),
            gs("NET.3.1.A20", "Routing protocols must be secured (authentication of peers)."),
        ),
    ),
    Rule(
        id="PROTO-CLEAR-LOCAL",
        title=N_("Plaintext protocol inside one zone"),
        kind="security",
        scope_text="flows of a plaintext protocol inside one zone of the operator's network",
        scope=_plaintext_inside_local,
        reads=C,
        gap=_plaintext_clear("inside one zone"),
        rationale="Protocols like DHCP, DNS or NTP are commonly plaintext; inside one zone "
        "this is usual, and the risk rests on the zone's isolation.",
        recommendation=N_(
            "Name the compensating control (DHCP snooping, DNSSEC validation, NTS "
            "or authenticated NTP, a dedicated VLAN) in the notes."
        ),
        mappings=(
            _ISO_821,
            _GS_A19,
            _GS_A34,
        ),
        supersedes=("CLEAR-LOCAL",),
    ),
    Rule(
        id="CLEAR-LOCAL",
        title=N_("Unencrypted flow inside one trusted zone"),
        kind="security",
        scope_text="flows inside one zone of the operator's network",
        scope=lambda f, ctx: _inside(f, ctx) and not f.crosses_zones,
        reads=C_TRUST,
        gap=_clear_local,
        rationale="Acceptable for normal protection needs, where the zone is a dedicated "
        "trusted segment; with high protection needs encryption is expected inside zones too.",
        recommendation=N_(
            "Encrypt the flow where the component supports TLS; otherwise record "
            "the risk decision and the zone's isolation."
        ),
        mappings=(
            _ISO_824,
            _GS_A34,
        ),
    ),
    Rule(
        id="DQ-PROTOCOL-FLAGS",
        title=N_("Protocol and C flag contradict each other"),
        kind="data-quality",
        scope_text="every flow",
        scope=_everything,
        reads=(),
        gap=_diagnostics(PROTOCOL_FLAG_CODES),
        rationale="The row's protocol and its C flag disagree (an encrypting protocol without "
        "C, a plaintext one with C, or C on bare TCP): the row cannot be judged on "
        "confidentiality until one is corrected. Both readings are named.",
        recommendation=N_("Correct the flag or name the protocol actually used."),
        mappings=(
            _ISO_89,
            _GS_A2,
        ),
        supersedes=(
            "EXT-CLEAR",
            "PROTO-CLEAR-UNTRUSTED",
            "PROTO-CLEAR-CROSS",
            "PROTO-CLEAR-LOCAL",
            "DATASTORE-CLEAR",
            *_CLEAR,
        ),
        trust_dependent=False,
    ),
    Rule(
        id="DQ-DIVERGENT",
        title=N_("One destination described differently"),
        kind="data-quality",
        scope_text="every flow",
        scope=_everything,
        reads=(),
        gap=_diagnostics(DIVERGENT_CODES),
        rationale="The same destination in the same zone appears with different ports or flags "
        "in different rows: at least one description is wrong.",
        recommendation=N_("Align the rows, or name the different instances apart."),
        mappings=(
            _ISO_89,
            _GS_A2,
        ),
        trust_dependent=False,
    ),
    Rule(
        id="TRUST-ZONE-CONFLICT",
        title=N_("Trust marked for a flow touching an untrusted zone"),
        kind="data-quality",
        scope_text="flows with an end in a zone outside the operator's network",
        scope=_any_outside,
        reads=("trusted",),
        gap=_trust_zone_conflict,
        rationale="The row says only trusted networks are involved, while report.toml classes "
        "one of its zones as outside the operator's network: the documentation and the zone "
        "model disagree.",
        recommendation=N_(
            "Either clear Trust in the table or class the zone in report.toml so "
            "the page and the zone model agree."
        ),
        mappings=(
            iso("8.9", "The documented configuration of the network contradicts the zone model."),
            _GS_A2,
        ),
    ),
    *(
        Rule(
            id=f"NA-{key.upper()}",
            title=title,
            kind="not-assessed",
            scope_text="every flow",
            scope=_everything,
            reads=(),
            gap=_unknown(name, key),
            rationale=f"{key} is `?`: it depends on the installation. The flow is excluded from "
            "every statement on the controls that read it until the operator assesses it.",
            recommendation=recommendation,
            trust_dependent=False,
        )
        for name, key, title, recommendation in (
            (
                "confidentiality",
                "C",
                N_("Confidentiality not assessed"),
                N_("Assess the flow for the installation and record C in its own matrix."),
            ),
            (
                "integrity",
                "I",
                N_("Integrity not assessed"),
                N_("Assess the flow for the installation and record I in its own matrix."),
            ),
            (
                "authentication",
                "Auth",
                N_("Authentication not assessed"),
                N_("Assess the flow for the installation and record Auth in its own matrix."),
            ),
            (
                "trusted",
                "Trust",
                N_("Network trust not assessed"),
                N_("Assess the flow for the installation and record Trust in its own matrix."),
            ),
        )
    ),
)
"""Every rule: security rules (specific before generic), data-quality, not-assessed. This is
the order of the rules reference and of findings of equal severity on one flow."""


def rule(rule_id: str) -> Rule:
    for r in RULES:
        if r.id == rule_id:
            return r
    raise KeyError(rule_id)


def all_controls() -> tuple[ControlRef, ...]:
    """Every control any rule maps to, in declaration order without repeats."""
    return tuple(dict.fromkeys(ref for r in RULES for ref in r.controls))
