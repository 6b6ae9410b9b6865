"""``report.toml``: document metadata, the zone vocabulary and the assessment's assumptions,
validated on load.

Trust classes, protection needs, data-store and cluster declarations are judgements: the
assessment lists each as an assumption, approved only where an ``[[approval]]`` names who
approved it, in which role and when.

Unknown keys and bad values raise :class:`~reportgen.errors.ConfigError` naming the file and
the dotted key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date as _date
from datetime import datetime
from enum import Enum
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .i18n import DEFAULT_LANGUAGE, parse_languages
from .vocabulary import DEFAULT_PROTECTION_NEED, PROTECTION_NEEDS, TRUST_CLASS_KEYS, UNTRUSTED

TRUST_CLASSES: tuple[str, ...] = TRUST_CLASS_KEYS
"""Zone trust classes, least trusted first (declared in :mod:`reportgen.vocabulary`)."""

APPROVAL_SUBJECTS: tuple[str, ...] = ("document", "assumptions")
"""What an ``[[approval]]`` approves: the document, or all assumptions in this file. An
assumption's own id (``trust-class:Machine``) approves that one alone."""

CONFIG_NAME = "report.toml"
DEFAULT_MAX_SOURCE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    version: str
    date: str
    """ISO date (``2025-11-24``); empty for the document's current version, whose date is the
    build date (one date source: SOURCE_DATE_EPOCH, else the source's commit time)."""
    author: str
    description: str


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    title: str = "Communication Matrix: Security Report"
    system: str = ""
    document_id: str = "COMM-MATRIX"
    version: str = ""
    """The document's own version (``0.1``), separate from the product release it reviews."""
    release: str = ""
    """The product release under review when neither the source nor ``--release`` names it."""
    status: str = "Draft"
    """Derived, never configured: Released once an approval of this document version is
    recorded (``[[approval]]`` with ``subject = "document"``), else Draft."""
    classification: str = "Internal"
    owner: str = ""
    author: str = ""
    """The organisation or person responsible for the content (reportgen is the generator)."""
    lang: tuple[str, ...] = (DEFAULT_LANGUAGE,)
    """The languages ``reportgen build`` writes when ``--lang`` is not given (``lang = "de"``
    or ``lang = ["de", "en"]``); each is one of :data:`reportgen.i18n.LANGUAGES`."""
    docs_base_url: str = ""
    """Where the source page is published; relative links in cells resolve against it (empty:
    relative links are shown as their text)."""
    markdown_flavor: str = "mkdocs"
    """The site generator the Markdown pages are for: ``mkdocs`` or ``docusaurus``."""
    distribution: tuple[str, ...] = ()
    changes: tuple[ChangeEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class ZoneDef:
    name: str
    trust_class: str
    aliases: tuple[str, ...] = ()
    description: str = ""
    protection_need: str | None = None
    """Declared Schutzbedarf (normal, high, very-high); None: the default applies."""
    kubernetes: bool = False
    """The zone is a Kubernetes cluster (its requirements, e.g. APP.4.4, apply to it)."""
    networks: tuple[Network, ...] = ()
    """The zone's address ranges, for ``reportgen verify`` (``networks = ["CIDR", …]``)."""


@dataclass(frozen=True, slots=True)
class ComponentDef:
    """A component the assessment needs to know more of than the matrix says."""

    name: str
    datastore: str | None = None
    """The kind of data store it is (``relational``, ``key-value``, ``document``, …)."""
    protection_need: str | None = None
    description: str = ""
    addresses: tuple[Network, ...] = ()
    """For ``reportgen verify``: where the component is found in traffic."""
    ports: tuple[int, ...] = ()
    """Where several components share an address: the ports this one listens on."""
    labels: tuple[tuple[str, str], ...] = ()
    """Kubernetes labels that all must be on a Hubble endpoint (``k8s:`` prefix dropped)."""
    zone: str | None = None
    """The canonical zone; when unset, the zone whose networks hold the address."""


@dataclass(frozen=True, slots=True)
class Approval:
    subject: str
    """``document``, ``assumptions`` (all of them) or one assumption's id."""
    name: str
    role: str
    date: str
    """ISO date, ``YYYY-MM-DD``."""
    version: str = ""
    """For the document: the document version approved (empty: the current one)."""


class ZoneMatch(Enum):
    EXACT = "exact"
    SPELLING = "spelling"
    """Same name but for case, spacing or hyphens (``internet`` for ``Internet``)."""
    ALIAS = "alias"
    """A declared alias (a name of another era, or a synonym)."""
    UNKNOWN = "unknown"


def fold(text: str) -> str:
    """Case-, spacing- and hyphen-insensitive form of a name, for lookups."""
    return re.sub(r"[\s_\-]+", " ", text).strip().casefold()


@dataclass(frozen=True, slots=True)
class Config:
    document: DocumentMeta = field(default_factory=DocumentMeta)
    zones: tuple[ZoneDef, ...] = ()
    unknown_zone_class: str = UNTRUSTED
    """Trust class assumed for a zone that is not in the vocabulary."""
    default_protection_need: str = DEFAULT_PROTECTION_NEED
    components: tuple[ComponentDef, ...] = ()
    approvals: tuple[Approval, ...] = ()
    triage: str = "findings.toml"
    """The triage file (risk decisions), relative to the config's folder."""
    max_source_bytes: int = DEFAULT_MAX_SOURCE_BYTES
    path: str | None = None

    def approvals_of(self, subject: str) -> tuple[Approval, ...]:
        return tuple(a for a in self.approvals if a.subject == subject)

    def resolve_zone(self, text: str) -> tuple[str | None, ZoneMatch]:
        """Map a zone as written to its canonical name and say how it matched."""
        stripped = text.strip()
        folded = fold(stripped)
        for zone in self.zones:
            if stripped == zone.name:
                return zone.name, ZoneMatch.EXACT
        for zone in self.zones:
            if folded == fold(zone.name):
                return zone.name, ZoneMatch.SPELLING
        for zone in self.zones:
            if any(folded == fold(alias) for alias in zone.aliases):
                return zone.name, ZoneMatch.ALIAS
        return None, ZoneMatch.UNKNOWN

    def zone(self, name: str) -> ZoneDef | None:
        for zone in self.zones:
            if zone.name == name:
                return zone
        return None

    def trust_class(self, name: str) -> str:
        """The trust class of a canonical zone name; unknown zones get ``unknown_zone_class``."""
        zone = self.zone(name)
        return zone.trust_class if zone is not None else self.unknown_zone_class

    def component(self, name: str) -> ComponentDef | None:
        folded = fold(name)
        for component in self.components:
            if fold(component.name) == folded:
                return component
        return None

    def approval_of(self, subject: str) -> Approval | None:
        """The latest approval of ``subject``; for an assumption id, its own or the blanket
        ``assumptions`` approval."""
        found = [a for a in self.approvals if a.subject == subject]
        if not found and subject != "document":
            found = [a for a in self.approvals if a.subject == "assumptions"]
        return max(found, key=lambda a: a.date) if found else None


_DOCUMENT_KEYS = {f for f in DocumentMeta.__dataclass_fields__ if f not in {"changes", "status"}}
_RETIRED_DOCUMENT_KEYS = {
    "status": "the status is derived: Draft until an [[approval]] with subject = "
    '"document" (name, role, date) is recorded, then Released',
    "approver": "record who approved, with name, role and date, as [[approval]] "
    '(subject = "document")',
}
_CHANGE_KEYS = {"version", "date", "author", "description"}
_ZONE_KEYS = {"name", "class", "aliases", "description", "protection_need", "kubernetes"}
_COMPONENT_KEYS = {"name", "datastore", "protection_need", "description"}
_ZONE_KEYS |= {"networks"}  # the inventory for verify: a zone's networks and
_COMPONENT_KEYS |= {"addresses", "ports", "labels", "zone"}  # where a component is found
_APPROVAL_KEYS = {"subject", "name", "role", "date", "version"}
_TOP_KEYS = {"document", "change", "zone", "component", "approval", "assessment", "limits"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Reader:
    """Typed access to a TOML table that reports the dotted key of every problem."""

    def __init__(self, path: str, table: Mapping[str, Any], prefix: str) -> None:
        self.path = path
        self.table = table
        self.prefix = prefix

    def fail(self, key: str, problem: str) -> ConfigError:
        dotted = f"{self.prefix}.{key}" if self.prefix else key
        return ConfigError(f"{self.path}: {dotted}: {problem}")

    def only(self, allowed: set[str]) -> None:
        for key in self.table:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                raise self.fail(key, f"unknown key (allowed here: {hint})")

    def string(self, key: str, default: str | None = None) -> str:
        if key not in self.table:
            if default is None:
                raise self.fail(key, "is required")
            return default
        value = self.table[key]
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string, not {type(value).__name__}")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "must be a list of strings")
        return tuple(value)

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def choice(self, key: str, allowed: tuple[str, ...]) -> str | None:
        if key not in self.table:
            return None
        value = self.string(key)
        if value not in allowed:
            raise self.fail(key, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def date(self, key: str) -> str:
        """A ``YYYY-MM-DD`` date, written as a TOML date or a string."""
        value = self.table.get(key)
        if value is None:
            raise self.fail(key, "is required")
        text = value.isoformat() if hasattr(value, "isoformat") else value
        if not isinstance(text, str) or not _DATE.fullmatch(text):
            raise self.fail(key, "must be a date, YYYY-MM-DD")
        return text

    def integer(self, key: str, default: int, minimum: int) -> int:
        value = self.table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(key, f"must be a whole number of at least {minimum}")
        return value

    def tables(self, key: str) -> list[Mapping[str, Any]]:
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, f"must be an array of tables ([[{key}]])")
        return value

    def iso_date(self, key: str, required: bool) -> _date | None:
        """A TOML date (``2025-11-24``) or an ISO date string."""
        if key not in self.table:
            if required:
                raise self.fail(key, "is required (an ISO date, e.g. 2025-11-24)")
            return None
        value = self.table[key]
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, _date):
            return value
        if isinstance(value, str):
            try:
                return _date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.fail(key, "must be an ISO date (2025-11-24)")

    def table_at(self, key: str) -> Mapping[str, Any]:
        value = self.table.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        return value


def parse_config(text: str, path: str = CONFIG_NAME) -> Config:
    """Parse and validate the text of a ``report.toml``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    top = _Reader(path, data, "")
    top.only(_TOP_KEYS)

    doc = _Reader(path, top.table_at("document"), "document")
    for key, why in _RETIRED_DOCUMENT_KEYS.items():
        if key in doc.table:
            raise doc.fail(key, f"no longer configured: {why}")
    doc.only(_DOCUMENT_KEYS)
    defaults = DocumentMeta()
    version = doc.string("version", "")
    changes = []
    for i, raw in enumerate(top.tables("change")):
        entry = _Reader(path, raw, f"change[{i}]")
        entry.only(_CHANGE_KEYS)
        changed = entry.string("version")
        when = entry.iso_date("date", required=changed != version)
        if when is not None and changed == version and version:
            raise entry.fail(
                "date",
                "leave it out for the current version: its date is the build date "
                "(SOURCE_DATE_EPOCH), the one date the document prints",
            )
        changes.append(
            ChangeEntry(
                version=changed,
                date=when.isoformat() if when is not None else "",
                author=entry.string("author", ""),
                description=entry.string("description"),
            )
        )
    approvals = _approvals(top)
    released = any(a.subject == "document" and a.version in ("", version) for a in approvals)
    document = DocumentMeta(
        title=doc.string("title", defaults.title),
        system=doc.string("system", ""),
        document_id=_document_id(doc),
        version=version,
        release=doc.string("release", ""),
        status="Released" if released else "Draft",
        classification=doc.string("classification", defaults.classification),
        owner=doc.string("owner", ""),
        author=doc.string("author", ""),
        lang=_languages(doc),
        docs_base_url=_base_url(doc),
        markdown_flavor=_flavor(doc),
        distribution=doc.strings("distribution"),
        changes=tuple(changes),
    )

    zones: list[ZoneDef] = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(top.tables("zone")):
        zone = _Reader(path, raw, f"zone[{i}]")
        zone.only(_ZONE_KEYS)
        name = zone.string("name")
        trust = zone.string("class")
        if trust not in TRUST_CLASSES:
            raise zone.fail("class", f"{trust!r} is not one of {', '.join(TRUST_CLASSES)}")
        aliases = zone.strings("aliases")
        for spelled in (name, *aliases):
            key = fold(spelled)
            if key in seen:
                where = "name" if spelled == name else "aliases"
                raise zone.fail(where, f"{spelled!r} is already used by zone {seen[key]!r}")
            seen[key] = name
        zones.append(
            ZoneDef(
                name,
                trust,
                aliases,
                zone.string("description", ""),
                protection_need=zone.choice("protection_need", PROTECTION_NEEDS),
                kubernetes=zone.boolean("kubernetes"),
                networks=_networks(zone, "networks"),
            )
        )

    components: list[ComponentDef] = []
    for i, raw in enumerate(top.tables("component")):
        comp = _Reader(path, raw, f"component[{i}]")
        comp.only(_COMPONENT_KEYS)
        components.append(
            ComponentDef(
                name=comp.string("name"),
                datastore=comp.string("datastore") if "datastore" in comp.table else None,
                protection_need=comp.choice("protection_need", PROTECTION_NEEDS),
                description=comp.string("description", ""),
                **_inventory(comp, zones, components),
            )
        )

    assessment = _Reader(path, top.table_at("assessment"), "assessment")
    assessment.only({"unknown_zone_class", "protection_need", "triage"})
    unknown_class = assessment.string("unknown_zone_class", UNTRUSTED)
    if unknown_class not in TRUST_CLASSES:
        raise assessment.fail("unknown_zone_class", f"{unknown_class!r} is not a trust class")
    default_need = assessment.choice("protection_need", PROTECTION_NEEDS)

    limits = _Reader(path, top.table_at("limits"), "limits")
    limits.only({"max_source_bytes"})
    max_bytes = limits.integer("max_source_bytes", DEFAULT_MAX_SOURCE_BYTES, 1)

    return Config(
        document=document,
        zones=tuple(zones),
        unknown_zone_class=unknown_class,
        default_protection_need=default_need or DEFAULT_PROTECTION_NEED,
        components=tuple(components),
        approvals=approvals,
        triage=assessment.string("triage", "findings.toml"),
        max_source_bytes=max_bytes,
        path=path,
    )


def _approvals(top: _Reader) -> tuple[Approval, ...]:
    approvals: list[Approval] = []
    for i, raw in enumerate(top.tables("approval")):
        appr = _Reader(top.path, raw, f"approval[{i}]")
        appr.only(_APPROVAL_KEYS)
        subject = appr.string("subject")
        if subject not in APPROVAL_SUBJECTS and ":" not in subject:
            raise appr.fail(
                "subject",
                f"{subject!r} is neither {' nor '.join(APPROVAL_SUBJECTS)} nor an assumption id "
                "(such as trust-class:Machine)",
            )
        for key in ("name", "role"):
            if not appr.string(key).strip():
                raise appr.fail(key, "must name a person (name) and their role (role)")
        approvals.append(
            Approval(
                subject,
                appr.string("name").strip(),
                appr.string("role").strip(),
                appr.date("date"),
                version=appr.string("version", ""),
            )
        )
    return tuple(approvals)


MARKDOWN_FLAVORS = ("mkdocs", "docusaurus")


def _flavor(doc: _Reader) -> str:
    value = doc.string("markdown_flavor", "mkdocs")
    if value not in MARKDOWN_FLAVORS:
        raise doc.fail("markdown_flavor", f"{value!r} is not one of {', '.join(MARKDOWN_FLAVORS)}")
    return value


def _base_url(doc: _Reader) -> str:
    value = doc.string("docs_base_url", "")
    if value and not re.match(r"^https?://[^/\s]+", value):
        raise doc.fail(
            "docs_base_url", "use an absolute http(s) URL, e.g. https://docs.example.org/"
        )
    return value


def _document_id(doc: _Reader) -> str:
    value = doc.string("document_id", DocumentMeta().document_id)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
        raise doc.fail("document_id", "use letters, digits, '.', '_' and '-' only (it names files)")
    return value


def _languages(doc: _Reader) -> tuple[str, ...]:
    value = doc.table.get("lang", DEFAULT_LANGUAGE)
    if not isinstance(value, str) and not (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    ):
        raise doc.fail("lang", 'must be a language ("de") or a list of them (["de", "en"])')
    try:
        return parse_languages(value)
    except ValueError as exc:
        raise doc.fail("lang", str(exc)) from None


def load_config(path: Path | str) -> Config:
    """Read and validate a ``report.toml``; raise ConfigError when it cannot be used."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config: {exc}") from exc
    return parse_config(text, str(path))


def find_config(source: Path, explicit: Path | None = None) -> Config:
    """The config given explicitly, else ``report.toml`` beside the source, else defaults."""
    if explicit is not None:
        return load_config(explicit)
    candidate = source.parent / CONFIG_NAME
    if candidate.is_file():
        return load_config(candidate)
    return Config()


# --- the inventory for ``reportgen verify``: zone networks, component addresses ---------------

Network = IPv4Network | IPv6Network


def _networks(reader: _Reader, key: str) -> tuple[Network, ...]:
    found = []
    for text in reader.strings(key):
        try:
            found.append(ip_network(text.strip()))
        except ValueError as exc:
            raise reader.fail(key, f"{text!r} is not an address or CIDR network: {exc}") from None
    return tuple(found)


def _inventory(comp: _Reader, zones: list[ZoneDef], before: list[ComponentDef]) -> dict[str, Any]:
    """A ``[[component]]``'s addresses, ports, Kubernetes labels and zone, checked."""
    name = comp.string("name")
    if any(fold(c.name) == fold(name) for c in before):
        raise comp.fail("name", f"{name!r} is already a [[component]]")
    ports = comp.table.get("ports", [])
    if not isinstance(ports, list) or not all(
        isinstance(p, int) and not isinstance(p, bool) and 1 <= p <= 65535 for p in ports
    ):
        raise comp.fail("ports", "must be a list of port numbers (1..65535)")
    labels = comp.table_at("labels")
    if not all(isinstance(v, str) for v in labels.values()):
        raise comp.fail("labels", 'must be a table of strings (label = "value")')
    zone = None
    if "zone" in comp.table:
        zone, _how = Config(zones=tuple(zones)).resolve_zone(comp.string("zone"))
        if zone is None:
            raise comp.fail("zone", f"{comp.string('zone')!r} is not a [[zone]] name")
    return {
        "addresses": _networks(comp, "addresses"),
        "ports": tuple(ports),
        "labels": tuple(sorted(labels.items())),
        "zone": zone,
    }
