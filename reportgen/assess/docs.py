"""Markdown tables generated from the rule declarations and the catalogue (for the README and
the docs site), so the documentation cannot drift from the code."""

from __future__ import annotations

from ..model import ControlRef
from .catalogue import FRAMEWORKS, GRUNDSCHUTZ, load_catalogue
from .rules import RULES, RULESET_VERSION

RULES_START = "<!-- rules:start -->"
RULES_END = "<!-- rules:end -->"
_FRAMEWORK_HEADINGS = {"iso27001": "ISO 27001", "grundschutz": "Grundschutz", "c5": "C5"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _refs(refs: tuple[ControlRef, ...], framework: str) -> str:
    return ", ".join(r.id for r in refs if r.framework == framework)


def rules_markdown() -> str:
    """The rules table: id, severity, title and controls per framework, one row per rule."""
    head = ["Rule", "Severity", "Title", *(_FRAMEWORK_HEADINGS[f] for f in FRAMEWORKS)]
    lines = [
        f"Rule set {RULESET_VERSION}; finding ids are `RULE:flow` (e.g. `AUTH-OUTBOUND:1.3`).",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join(" --- " for _ in head) + "|",
    ]
    for r in RULES:
        cells = [
            f"`{r.id}`",
            r.severity.title,
            _cell(r.title),
            *(_refs(r.controls, f) for f in FRAMEWORKS),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def controls_markdown() -> str:
    """The control catalogue: framework, id, title (German title), Grundschutz level."""
    catalogue = load_catalogue()
    lines = [
        f"Control catalogue {catalogue.label}.",
        "",
        "| Framework | Control | Title | Title (de) | Level |",
        "| --- | --- | --- | --- | --- |",
    ]
    for c in catalogue.controls:
        level = c.level if c.framework == GRUNDSCHUTZ else ""
        fw = _FRAMEWORK_HEADINGS[c.framework]
        lines.append(f"| {fw} | {c.id} | {_cell(c.title)} | {_cell(c.title_de)} | {level} |")
    return "\n".join(lines) + "\n"
