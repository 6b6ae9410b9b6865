"""``report.toml``: document metadata and the zone vocabulary, validated on load.

Unknown keys and bad values raise :class:`~reportgen.errors.ConfigError` naming the file and
the dotted key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .i18n import DEFAULT_LANGUAGE, parse_languages

TRUST_CLASSES: tuple[str, ...] = (
    "untrusted",
    "external-service",
    "tenant",
    "management",
    "infrastructure",
)
"""Zone trust classes, least trusted first."""

UNTRUSTED_CLASSES: frozenset[str] = frozenset({"untrusted"})

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


APPROVAL_SUBJECTS: tuple[str, ...] = ("document", "assumptions")
"""What an ``[[approval]]`` approves: the document (its status becomes Released) or the
assessment's assumptions (trust classes, protection needs)."""


@dataclass(frozen=True, slots=True)
class Approval:
    """A recorded approval: a named person, their role and the date. reportgen never
    invents one; without any, the document is a Draft and its assumptions unapproved."""

    subject: str
    name: str
    role: str
    date: date
    version: str = ""
    """For the document: the document version approved (empty: the current one)."""


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
    distribution: tuple[str, ...] = ()
    changes: tuple[ChangeEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class ZoneDef:
    name: str
    trust_class: str
    aliases: tuple[str, ...] = ()
    description: str = ""


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
    unknown_zone_class: str = "untrusted"
    """Trust class assumed for a zone that is not in the vocabulary."""
    max_source_bytes: int = DEFAULT_MAX_SOURCE_BYTES
    path: str | None = None
    approvals: tuple[Approval, ...] = ()

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


_DOCUMENT_KEYS = {f for f in DocumentMeta.__dataclass_fields__ if f not in {"changes", "status"}}
_RETIRED_DOCUMENT_KEYS = {
    "status": "the status is derived: Draft until an [[approval]] with subject = "
    '"document" (name, role, date) is recorded, then Released',
    "approver": "record who approved, with name, role and date, as [[approval]] "
    '(subject = "document")',
}
_CHANGE_KEYS = {"version", "date", "author", "description"}
_APPROVAL_KEYS = {"subject", "name", "role", "date", "version"}
_ZONE_KEYS = {"name", "class", "aliases", "description"}
_TOP_KEYS = {"document", "change", "approval", "zone", "assessment", "limits"}


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

    def date(self, key: str, required: bool) -> date | None:
        """A TOML date (``2025-11-24``) or an ISO date string."""
        if key not in self.table:
            if required:
                raise self.fail(key, "is required (an ISO date, e.g. 2025-11-24)")
            return None
        value = self.table[key]
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
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
        when = entry.date("date", required=changed != version)
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
    approvals = []
    for i, raw in enumerate(top.tables("approval")):
        entry = _Reader(path, raw, f"approval[{i}]")
        entry.only(_APPROVAL_KEYS)
        subject = entry.string("subject")
        if subject not in APPROVAL_SUBJECTS:
            raise entry.fail("subject", f"{subject!r} is not one of {', '.join(APPROVAL_SUBJECTS)}")
        for key in ("name", "role"):
            if not entry.string(key).strip():
                raise entry.fail(key, "must name a person (name) and their role (role)")
        when = entry.date("date", required=True)
        assert when is not None
        approvals.append(
            Approval(
                subject=subject,
                name=entry.string("name").strip(),
                role=entry.string("role").strip(),
                date=when,
                version=entry.string("version", ""),
            )
        )
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
        zones.append(ZoneDef(name, trust, aliases, zone.string("description", "")))

    assessment = _Reader(path, top.table_at("assessment"), "assessment")
    assessment.only({"unknown_zone_class"})
    unknown_class = assessment.string("unknown_zone_class", "untrusted")
    if unknown_class not in TRUST_CLASSES:
        raise assessment.fail("unknown_zone_class", f"{unknown_class!r} is not a trust class")

    limits = _Reader(path, top.table_at("limits"), "limits")
    limits.only({"max_source_bytes"})
    max_bytes = limits.integer("max_source_bytes", DEFAULT_MAX_SOURCE_BYTES, 1)

    return Config(
        document=document,
        zones=tuple(zones),
        unknown_zone_class=unknown_class,
        max_source_bytes=max_bytes,
        path=path,
        approvals=tuple(approvals),
    )


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
