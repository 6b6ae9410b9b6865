"""Run every check over a Matrix and collect what they find into a Report."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .checks import CODES, Check, diagnostic
from .checks.cells import (
    check_flags,
    check_ports,
    check_required_cells,
    check_technology_placement,
)
from .checks.consistency import check_destinations, check_protocol_flags
from .checks.ids import check_ids
from .checks.legend import check_legend
from .checks.zones import check_zones
from .config import Config
from .model import Diagnostic, Matrix, Report

CHECKS: tuple[Check, ...] = (
    check_legend,
    check_flags,
    check_ids,
    check_ports,
    check_zones,
    check_required_cells,
    check_technology_placement,
    check_protocol_flags,
    check_destinations,
)


def _structure(matrix: Matrix, config: Config) -> Iterator[Diagnostic]:
    yield from matrix.problems
    readable = not any(p.code in {"binary-content", "not-utf8"} for p in matrix.problems)
    recognized = any(p.code == "missing-column" for p in matrix.problems)
    if readable and not recognized and not any(section.flows for section in matrix.sections):
        yield diagnostic(
            "no-matrix",
            "no communication matrix table was found (a table whose header names at least "
            "two of Source Zone, Protocol, Destination, Destination Zone, Port)",
            matrix.location,
        )


def validate(matrix: Matrix, config: Config, checks: Sequence[Check] = CHECKS) -> Report:
    """All diagnostics of all checks, sorted by location then code (stable output)."""
    found: list[Diagnostic] = list(_structure(matrix, config))
    for check in checks:
        found.extend(check(matrix, config))
    for item in found:
        if item.code not in CODES:  # a programming error, not a data problem
            raise AssertionError(f"undeclared diagnostic code {item.code!r}")
    found.sort(
        key=lambda d: (d.location.path, d.location.line, d.location.column, d.code, d.message)
    )
    return Report(diagnostics=tuple(found))
