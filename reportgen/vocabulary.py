"""The project's declared vocabulary: one table per concept, read by every stage and output.

Trust classes and what they mean, protection needs (Schutzbedarf), the severity scheme that
turns exposure and protection need into a severity, finding kinds, control review statuses,
triage statuses and framework labels. Renderers print these tables; nothing retypes them.
This module imports nothing from reportgen, so any layer may use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


_K = TypeVar("_K", bound=_Keyed)


def N_(message: str) -> str:  # the gettext convention: mark a msgid, translate where printed
    """Marks a text for the catalogs (``scripts/i18n.sh``); renderers translate it with the
    report's language when they print it (``reportgen.i18n``)."""
    return message


def _by_key(items: Iterable[_K], key: str) -> _K:
    """The entry of a declared table with this key; KeyError for an unknown key."""
    for item in items:
        if item.key == key:
            return item
    raise KeyError(key)


# --- trust classes ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrustClass:
    key: str
    meaning: str
    outside: bool
    """Outside the operator's own network: traffic to or from it must be protected in transit."""


TRUST_CLASSES: tuple[TrustClass, ...] = (
    TrustClass(
        "untrusted",
        N_("outside the operator's control (the Internet, or a zone the page leaves open)"),
        outside=True,
    ),
    TrustClass(
        "external-service",
        N_(
            "a service run by a third party under contract; its traffic leaves the operator's "
            "network"
        ),
        outside=True,
    ),
    TrustClass(
        "tenant", N_("machines, firewalls and clusters run for and by tenants"), outside=False
    ),
    TrustClass(
        "management", N_("the control planes that administer everything else"), outside=False
    ),
    TrustClass(
        "infrastructure", N_("network and storage fabric operated by the provider"), outside=False
    ),
)
"""Least trusted first."""

TRUST_CLASS_KEYS: tuple[str, ...] = tuple(t.key for t in TRUST_CLASSES)
OUTSIDE_CLASSES: frozenset[str] = frozenset(t.key for t in TRUST_CLASSES if t.outside)
UNTRUSTED = "untrusted"
MANAGEMENT = "management"
TENANT = "tenant"
BELOW_MANAGEMENT: frozenset[str] = OUTSIDE_CLASSES | {TENANT}
"""Trust classes that should not reach a management zone freely."""


def trust_class(key: str) -> TrustClass:
    return _by_key(TRUST_CLASSES, key)


# --- protection need (Schutzbedarf) ----------------------------------------------------------

PROTECTION_NEEDS: tuple[str, ...] = ("normal", "high", "very-high")
"""BSI-Standard 200-2's Schutzbedarfskategorien normal / hoch / sehr hoch, lowest first."""

PROTECTION_NEED_LABELS: dict[str, tuple[str, str]] = {
    "normal": ("normal", "normal"),
    "high": ("high", "hoch"),
    "very-high": ("very high", "sehr hoch"),
}
"""Key -> (English, German)."""

DEFAULT_PROTECTION_NEED = "normal"


# --- exposure and the severity scheme ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exposure:
    key: str
    meaning: str


EXPOSURES: tuple[Exposure, ...] = (
    Exposure(
        "outside",
        N_("one end is in a zone outside the operator's network (untrusted or external service)"),
    ),
    Exposure(
        "boundary",
        N_("the flow crosses from one trust class to another inside the operator's network"),
    ),
    Exposure(
        "internal",
        N_(
            "both ends are in the same trust class inside the operator's "
            "network (one zone, or zones of one class)"
        ),
    ),
)
"""Most exposed first."""


def exposure_of(source_class: str, destination_class: str) -> str:
    """The exposure of a flow between zones of these trust classes (see :data:`EXPOSURES`)."""
    if source_class in OUTSIDE_CLASSES or destination_class in OUTSIDE_CLASSES:
        return "outside"
    return "boundary" if source_class != destination_class else "internal"


SEVERITY_SCHEME: dict[tuple[str, str], str] = {
    ("outside", "normal"): "high",
    ("outside", "high"): "high",
    ("outside", "very-high"): "high",
    ("boundary", "normal"): "medium",
    ("boundary", "high"): "high",
    ("boundary", "very-high"): "high",
    ("internal", "normal"): "low",
    ("internal", "high"): "medium",
    ("internal", "very-high"): "high",
}
"""(exposure, protection need) -> severity of a direct weakness (data or access unprotected).

A rule whose weakness is indirect (it lowers assurance rather than exposing data, e.g. an
unverified download over HTTPS) is one step lower; see :func:`scheme_severity`."""

SEVERITY_STEPS: tuple[str, ...] = ("high", "medium", "low")


def scheme_severity(exposure: str, need: str, indirect: bool = False) -> str:
    """The severity the scheme gives; an indirect weakness is one step lower (never below low)."""
    base = SEVERITY_SCHEME[(exposure, need)]
    if not indirect:
        return base
    return SEVERITY_STEPS[min(SEVERITY_STEPS.index(base) + 1, len(SEVERITY_STEPS) - 1)]


@dataclass(frozen=True, slots=True)
class SeverityDef:
    key: str
    label: str
    definition: str


SEVERITIES: tuple[SeverityDef, ...] = (
    SeverityDef(
        "high",
        N_("High"),
        N_(
            "A security finding whose direct weakness sits on a flow that reaches outside the "
            "operator's network, or crosses a trust boundary with high protection need, or stays "
            "internal with very high protection need (see the severity scheme)."
        ),
    ),
    SeverityDef(
        "medium",
        N_("Medium"),
        N_(
            "A security finding on a flow that crosses a trust boundary with normal protection "
            "need, or stays internal with high protection need; or an indirect weakness one step "
            "below High."
        ),
    ),
    SeverityDef(
        "low",
        N_("Low"),
        N_(
            "A security finding on a flow inside one trust class with normal protection need; or "
            "an indirect weakness one step below Medium."
        ),
    ),
    SeverityDef(
        "info",
        N_("Info"),
        N_(
            "Not a security finding: a data-quality issue (the documentation contradicts itself or "
            "the zone model) to be resolved before the row can be assessed."
        ),
    ),
    SeverityDef(
        "not-assessed",
        N_("Not assessed"),
        N_("A flag is `?` (depends on the installation): excluded from every statement."),
    ),
)


def severity_def(key: str) -> SeverityDef:
    return _by_key(SEVERITIES, key)


# --- finding kinds, control statuses, triage ---------------------------------------------------

FINDING_KINDS: dict[str, str] = {
    "security": N_("a weakness the documented flags show on a flow"),
    "data-quality": N_("the documentation contradicts itself or the zone model"),
    "not-assessed": N_("a flag is `?`; the flow cannot be judged on it"),
}

CONTROL_STATUSES: dict[str, str] = {
    "contradicted": N_("the documentation shows at least one flow that contradicts the control"),
    "not-contradicted": N_("no documented flow in scope contradicts the control"),
    "not-assessable": N_(
        "flows in scope have `?` flags the control depends on, and none contradicts it"
    ),
    "not-applicable": N_("no documented flow is of the kind the control covers"),
}
"""Documentation-review status of a control. None of them says a control is met: a desk
review of documentation cannot show that."""

TRIAGE_STATUSES: tuple[str, ...] = (
    "open",
    "in-progress",
    "mitigated",
    "accepted",
    "false-positive",
)
DECIDED_STATUSES: frozenset[str] = frozenset({"accepted", "false-positive"})
"""Risk decisions that take a finding out of the ``--fail-on`` gate until they expire."""

# --- frameworks ------------------------------------------------------------------------------

ISO = "iso27001"
GRUNDSCHUTZ = "grundschutz"
GSPP = "gspp"


@dataclass(frozen=True, slots=True)
class FrameworkLabel:
    key: str
    short: str
    name: str
    name_de: str


FRAMEWORKS: tuple[FrameworkLabel, ...] = (
    FrameworkLabel(ISO, "ISO 27001", "ISO/IEC 27001:2022 Annex A", "ISO/IEC 27001:2022 Anhang A"),
    FrameworkLabel(
        GRUNDSCHUTZ,
        "Grundschutz",
        "BSI IT-Grundschutz-Kompendium, Edition 2023",
        "BSI IT-Grundschutz-Kompendium, Edition 2023",
    ),
    FrameworkLabel(
        GSPP,
        "Grundschutz++",
        "BSI Grundschutz++ (Stand-der-Technik Kernel)",
        "BSI Grundschutz++ (Stand-der-Technik-Kernel)",
    ),
)


def framework_label(key: str) -> FrameworkLabel:
    return _by_key(FRAMEWORKS, key)


GRUNDSCHUTZ_LEVELS: dict[str, tuple[str, str]] = {
    "B": ("Basic", "Basis"),
    "S": ("Standard", "Standard"),
    "H": ("Elevated", "erhöht"),
}
"""Requirement level -> (English, German)."""
