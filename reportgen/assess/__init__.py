"""Assessment: findings (rules x controls), control statuses, assumptions and statistics over
a normalized Matrix.

``assess(matrix, config, report, triage=..., today=...)`` is the entry point. The standards
data ships unmodified in ``reportgen/assess/data`` (see its SOURCES.md); the rules live in
:mod:`.rules`, the severity scheme in :mod:`reportgen.vocabulary`.
"""

from __future__ import annotations

from .catalogue import Catalogue, iso_annex_a, load_catalogue
from .docs import controls_markdown, mappings_markdown, rules_markdown, severity_scheme_markdown
from .engine import assess, diagnostics_by_flow, findings
from .rules import RULES, RULESET_VERSION, Rule, all_controls
from .triage import TriageError, TriageFile, parse_triage

__all__ = [
    "RULES",
    "RULESET_VERSION",
    "Catalogue",
    "Rule",
    "TriageError",
    "TriageFile",
    "all_controls",
    "assess",
    "controls_markdown",
    "diagnostics_by_flow",
    "findings",
    "iso_annex_a",
    "load_catalogue",
    "mappings_markdown",
    "parse_triage",
    "rules_markdown",
    "severity_scheme_markdown",
]
