"""Zones: every zone is in the vocabulary of report.toml, spelled canonically."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ..config import Config, ZoneMatch, fold
from ..model import Diagnostic, Matrix
from . import diagnostic


def check_zones(matrix: Matrix, config: Config) -> Iterator[Diagnostic]:
    if not config.zones:
        if any(True for _ in matrix.flows):
            yield diagnostic(
                "no-zone-vocabulary",
                "no zone vocabulary is configured, so zone names are not checked and every "
                f"zone is assessed as {config.unknown_zone_class!r}",
                matrix.location,
                hint="add [[zone]] tables to report.toml",
            )
        return
    vocabulary = {fold(z.name): z.name for z in config.zones}
    for zone in config.zones:
        vocabulary.update({fold(alias): zone.name for alias in zone.aliases})
    for flow in matrix.flows:
        for name in ("source_zone", "destination_zone"):
            cell = flow.cell(name)
            if cell is None or not cell.text.strip():
                continue
            canonical, how = config.resolve_zone(cell.text)
            if how is ZoneMatch.EXACT:
                continue
            if how is ZoneMatch.SPELLING:
                yield diagnostic(
                    "zone-spelling",
                    f"flow {flow.label}: zone {cell.text!r} is spelled differently from "
                    f"{canonical!r}",
                    cell.location,
                    hint=f"write {canonical!r}",
                    flow_id=flow.id,
                )
            elif how is ZoneMatch.ALIAS:
                yield diagnostic(
                    "zone-alias",
                    f"flow {flow.label}: zone {cell.text!r} is read as {canonical!r}",
                    cell.location,
                    flow_id=flow.id,
                )
            else:
                close = _suggest(fold(cell.text), vocabulary)
                hint = (
                    f"did you mean {vocabulary[close[0]]!r}?"
                    if close
                    else "add it to report.toml as a [[zone]] with its trust class"
                )
                yield diagnostic(
                    "unknown-zone",
                    f"flow {flow.label}: zone {cell.text!r} is not in the zone vocabulary; "
                    f"it is assessed as {config.unknown_zone_class!r}",
                    cell.location,
                    hint=hint,
                    flow_id=flow.id,
                )


def _suggest(folded: str, vocabulary: dict[str, str]) -> list[str]:
    """Close spellings first, then names that contain every word written (``Shoot`` ->
    ``Shoot Cluster``)."""
    close = difflib.get_close_matches(folded, list(vocabulary), n=1)
    if close:
        return close
    words = set(folded.split())
    return [name for name in sorted(vocabulary) if words and words <= set(name.split())][:1]
