"""The legend defines C, I, Auth and Trust, and the matrix headers use its keys."""

from __future__ import annotations

from collections.abc import Iterator

from ..config import Config
from ..model import FLAG_KEYS, Diagnostic, Matrix
from . import diagnostic


def check_legend(matrix: Matrix, config: Config) -> Iterator[Diagnostic]:
    if not any(True for _ in matrix.flows):
        return
    if not matrix.legend:
        yield diagnostic(
            "legend-missing",
            "the page defines no legend, so the meaning of the C, I, Auth and Trust columns "
            "is not stated",
            matrix.location,
            hint="add a '**Legend**:' paragraph followed by a list of '`C`: meaning' items",
        )
        return
    defined = {entry.key for entry in matrix.legend}
    for key in FLAG_KEYS.values():
        if key not in defined:
            yield diagnostic(
                "legend-missing-key",
                f"the legend does not define `{key}`",
                matrix.legend[-1].location,
                hint=f"add an item '`{key}`: <meaning>' to the legend",
            )
    for header in matrix.headers:
        flag_key = FLAG_KEYS.get(header.field)
        if flag_key is not None and flag_key in defined and header.text != flag_key:
            key = flag_key
            yield diagnostic(
                "header-legend-mismatch",
                f"column {header.text!r} holds the legend's `{key}` flag but is not named {key!r}",
                header.location,
                hint=f"name the column exactly as the legend does: {key}",
            )
