"""Markdown generated from the rule declarations, the severity scheme and the catalogue (for
the README, the docs site's rules reference and the report's method chapter), so the
documentation cannot drift from the code."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import ControlRef, RuleInfo
from ..vocabulary import (
    EXPOSURES,
    GRUNDSCHUTZ,
    ISO,
    PROTECTION_NEED_LABELS,
    PROTECTION_NEEDS,
    SEVERITY_SCHEME,
    framework_label,
)
from .catalogue import Catalogue, load_catalogue
from .rules import RULES, RULESET_VERSION, all_controls

RULES_START = "<!-- rules:start -->"
RULES_END = "<!-- rules:end -->"
FRAMEWORKS = (ISO, GRUNDSCHUTZ)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _refs(refs: Iterable[ControlRef], framework: str) -> str:
    return ", ".join(r.id for r in refs if r.framework == framework)


_SEVERITY_TEXT = {
    "scheme": "scheme",
    "scheme, indirect": "scheme, one step lower",
    "info": "Info",
    "not-assessed": "Not assessed",
}


def rules_markdown(rules: Iterable[RuleInfo] | None = None) -> str:
    """The rules table: id, kind, how severity is set, title, controls per framework."""
    infos = tuple(rules) if rules is not None else tuple(r.info for r in RULES)
    head = ["Rule", "Kind", "Severity", "Title", *(framework_label(f).short for f in FRAMEWORKS)]
    lines = [
        f"Rule set {RULESET_VERSION}; finding ids are `RULE:flow` (e.g. `AUTH-OUTBOUND:1.3`).",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join(" --- " for _ in head) + "|",
    ]
    for r in infos:
        cells = [
            f"`{r.id}`",
            r.kind,
            _SEVERITY_TEXT[r.severity],
            _cell(r.title),
            *(_refs(r.controls, f) for f in FRAMEWORKS),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def severity_scheme_markdown() -> str:
    """The one severity scheme: exposure x protection need -> severity."""
    head = ["Exposure", *(PROTECTION_NEED_LABELS[n][0] for n in PROTECTION_NEEDS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    for exp in EXPOSURES:
        cells = [f"**{exp.key}**: {exp.meaning}"]
        cells += [SEVERITY_SCHEME[(exp.key, n)].capitalize() for n in PROTECTION_NEEDS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def mappings_markdown(
    rules: Iterable[RuleInfo] | None = None, catalogue: Catalogue | None = None
) -> str:
    """One row per (rule, control): the control's official title, why it applies, and when."""
    infos = tuple(rules) if rules is not None else tuple(r.info for r in RULES)
    cat = catalogue if catalogue is not None else load_catalogue(all_controls())
    lines = [
        "| Rule | Control | Title | Why it applies | Applies when |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in infos:
        for m in r.mappings:
            c = cat.get(m.ref)
            label = framework_label(m.ref.framework).short
            level = f" ({c.level})" if c.level else ""
            lines.append(
                f"| `{r.id}` | {label} {c.id}{level} | {_cell(c.title)} | {_cell(m.rationale)} "
                f"| {_cell(m.condition) if m.condition else 'always'} |"
            )
    return "\n".join(lines) + "\n"


def controls_markdown(catalogue: Catalogue | None = None) -> str:
    """The controls in scope: framework, id, title (German title), level, Grundschutz++."""
    cat = catalogue if catalogue is not None else load_catalogue(all_controls())
    lines = [
        f"Controls in scope; titles from {cat.label}.",
        "",
        "| Framework | Control | Title | Title (de) | Level | Grundschutz++ (BSI mapping) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for c in cat.controls:
        fw = framework_label(c.framework).short
        gspp = ", ".join(r.id for r in Catalogue.gspp_for((c.ref,))) or "none mapped"
        lines.append(
            f"| {fw} | {c.id} | {_cell(c.title)} | {_cell(c.title_de)} | {c.level} | {gspp} |"
        )
    return "\n".join(lines) + "\n"
