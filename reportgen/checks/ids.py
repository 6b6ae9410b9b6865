"""Flow ids: present, unique, and numbered without gaps."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..config import Config
from ..model import Diagnostic, Flow, Matrix
from . import diagnostic

ID_PATTERN = re.compile(r"^([A-Za-z]*)(\d+)\.(\d+)$")


def check_ids(matrix: Matrix, config: Config) -> Iterator[Diagnostic]:
    first: dict[str, Flow] = {}
    for flow in matrix.flows:
        cell_location = flow.cell_location("id")
        if not flow.id:
            yield diagnostic(
                "empty-flow-id",
                f"a flow of section {flow.section!r} has no id "
                f"({flow.component} -> {flow.destination}); it is reported as {flow.key}",
                cell_location,
                hint="give every flow an id so findings and diffs can refer to it",
            )
            continue
        earlier = first.get(flow.id)
        if earlier is None:
            first[flow.id] = flow
            continue
        yield diagnostic(
            "duplicate-flow-id",
            f"flow id {flow.id} is used again (first at line {earlier.location.line}: "
            f"{earlier.component} -> {earlier.destination}); this one "
            f"({flow.component} -> {flow.destination}) is reported as {flow.key}",
            cell_location,
            hint="renumber one of them",
            flow_id=flow.id,
        )
    yield from _gaps(matrix)


def _gaps(matrix: Matrix) -> Iterator[Diagnostic]:
    for section in matrix.sections:
        previous: tuple[str, int, int] | None = None
        for flow in section.flows:
            if not flow.id:
                continue
            match = ID_PATTERN.match(flow.id)
            if match is None:
                yield diagnostic(
                    "flow-id-format",
                    f"flow id {flow.id!r} does not follow the [prefix]major.minor pattern; "
                    "its numbering is not checked",
                    flow.cell_location("id"),
                    flow_id=flow.id,
                )
                continue
            prefix, major, minor = match.group(1), int(match.group(2)), int(match.group(3))
            expected: str | None = None
            if previous is None or previous[0] != prefix:
                if major != 1 or minor != 1:
                    expected = f"{prefix}1.1" if previous is None else None
            elif major == previous[1]:
                if minor > previous[2] + 1:
                    missing = f"{prefix}{major}.{previous[2] + 1}"
                    if minor > previous[2] + 2:
                        missing += f" to {prefix}{major}.{minor - 1}"
                    expected = missing
            elif major > previous[1] + 1:
                expected = f"{prefix}{previous[1] + 1}.x"
                if major > previous[1] + 2:
                    expected += f" to {prefix}{major - 1}.x"
            elif major == previous[1] + 1 and minor != 1:
                expected = f"{prefix}{major}.1"
                if minor > 2:
                    expected += f" to {prefix}{major}.{minor - 1}"
            if expected is not None:
                after = f"after {prefix}{previous[1]}.{previous[2]} " if previous else ""
                yield diagnostic(
                    "flow-id-gap",
                    f"numbering in section {section.slug!r} jumps {after}to {flow.id}: "
                    f"{expected} missing",
                    flow.cell_location("id"),
                    hint="renumber, or note why the id was retired",
                    flow_id=flow.id,
                )
            previous = (prefix, major, minor)
