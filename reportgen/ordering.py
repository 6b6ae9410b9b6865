"""One order for ids in every output: natural order (``8.1`` before ``12.1``, ``S2`` before
``S10``), so the workbook, the site and the PDF list flows and findings alike."""

from __future__ import annotations

import re

from .model import Finding

_PARTS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key: digit runs compare as numbers, the rest case-insensitively as text."""
    return tuple(
        (0, int(part)) if part.isdecimal() else (1, part.casefold())
        for part in _PARTS.split(text)
        if part
    )


def finding_key(finding: Finding) -> tuple[object, ...]:
    """Worst severity first, then the flow's id in natural order, then the rule."""
    return (
        finding.severity.rank,
        natural_key(finding.flow_id or finding.flow_key),
        natural_key(finding.flow_key),
        finding.rule,
    )


def sorted_findings(findings: tuple[Finding, ...] | list[Finding]) -> list[Finding]:
    return sorted(findings, key=finding_key)


__all__ = ["finding_key", "natural_key", "sorted_findings"]
