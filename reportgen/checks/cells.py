"""Cell-level checks: flag tokens, ports, required cells, where technology tables stand."""

from __future__ import annotations

from collections.abc import Iterator

from ..config import Config
from ..model import FLAG_FIELDS, FLAG_KEYS, Diagnostic, Matrix, PortSpec
from ..parse import FLAG_TOKENS, column_title
from . import diagnostic

REQUIRED_TEXT = ("component", "source_zone", "protocol", "destination", "destination_zone")


def check_flags(matrix: Matrix, config: Config) -> Iterator[Diagnostic]:
    for flow in matrix.flows:
        for name in FLAG_FIELDS:
            cell = flow.cell(name)
            if cell is None or cell.text.strip() in FLAG_TOKENS:
                continue
            key = FLAG_KEYS[name]
            hint = "write `x` for yes, `?` for not assessed, and leave the cell empty for no"
            if cell.text.strip().casefold() == "x":
                hint = "use a lower-case `x`"
            yield diagnostic(
                "unknown-flag-value",
                f"flow {flow.label}: the {key} cell holds {cell.text!r}; only `x`, `?` or "
                "nothing are defined (recorded as not assessed)",
                cell.location,
                hint=hint,
                flow_id=flow.id,
            )


def check_ports(matrix: Matrix, config: Config) -> Iterator[Diagnostic]:
    for flow in matrix.flows:
        if flow.ports is not None:
            continue
        cell = flow.cell("port")
        if cell is None:
            continue
        try:
            PortSpec.parse(cell.text)
        except ValueError as exc:
            reason = str(exc)
        else:  # pragma: no cover - the parser and this check use the same function
            continue
        code = "port-out-of-range" if "outside" in reason else "malformed-port"
        yield diagnostic(
            code,
            f"flow {flow.label}: port {cell.text!r}: {reason}",
            cell.location,
            hint="write one port (443), several separated by '/' (67/68) or a range "
            "(30000-32767), each 1..65535",
            flow_id=flow.id,
        )


def check_required_cells(matrix: Matrix, config: Config) -> Iterator[Diagnostic]:
    for flow in matrix.flows:
        for name in REQUIRED_TEXT:
            cell = flow.cell(name)
            if cell is not None and not cell.text.strip():
                yield diagnostic(
                    "empty-cell",
                    f"flow {flow.label}: the {column_title(name)} cell is empty",
                    cell.location,
                    flow_id=flow.id,
                )


def check_technology_placement(matrix: Matrix, config: Config) -> Iterator[Diagnostic]:
    for tech in matrix.orphan_technologies:
        yield diagnostic(
            "technology-outside-section",
            f"technology {tech.name!r} is listed before any '##' section, so it belongs to "
            "no integration",
            tech.location,
            hint="move the 'Used Technologies' table under the section it describes",
        )
