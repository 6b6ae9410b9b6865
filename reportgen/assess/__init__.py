"""Assessment: findings (rules x controls) and statistics over a normalized Matrix.

``assess(matrix, config, report)`` is the entry point. The control catalogue ships as data
in ``reportgen/assess/data`` (see its SOURCES.md); the rules live in :mod:`.rules`.
"""

from __future__ import annotations

from .catalogue import Catalogue, iso_annex_a, load_catalogue
from .docs import controls_markdown, rules_markdown
from .engine import assess, diagnostics_by_flow, findings
from .rules import RULES, RULESET_VERSION, Rule

__all__ = [
    "RULES",
    "RULESET_VERSION",
    "Catalogue",
    "Rule",
    "assess",
    "controls_markdown",
    "diagnostics_by_flow",
    "findings",
    "iso_annex_a",
    "load_catalogue",
    "rules_markdown",
]
