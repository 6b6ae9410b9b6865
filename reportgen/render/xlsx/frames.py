"""The workbooks' analytical tables, built with pandas (explode, groupby, pivot) and then
written with openpyxl like every other sheet.

pandas is imported only by the renderers (which are imported lazily), so ``reportgen
validate`` never pays for it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import cast

import pandas as pd

from ...config import Config
from ...model import Finding, Flag, Flow
from ...ordering import natural_key

FIREWALL_COLUMNS = (
    "source_zone",
    "destination_zone",
    "protocol",
    "port",
    "sources",
    "destinations",
    "flows",
    "optional",
)


def finding_controls_frames(scopes: Sequence[Sequence[Finding]]) -> list[pd.DataFrame]:
    """For each of ``scopes`` (each a workbook's findings): one row per (finding, control),
    in the findings' order, then the controls' order. Built from one frame of them all: one
    explode for every workbook of a render."""
    rows = [(i, f) for i, findings in enumerate(scopes) for f in findings]
    frame = pd.DataFrame(
        {
            "scope": [i for i, _ in rows],
            "finding": [f.id for _, f in rows],
            "severity": [f.severity.title for _, f in rows],
            "flow_key": [f.flow_key for _, f in rows],
            "rule": [f.rule for _, f in rows],
            "control": [list(f.controls) for _, f in rows],
        },
        columns=["scope", "finding", "severity", "flow_key", "rule", "control"],
    )
    long = frame.explode("control", ignore_index=True).dropna(subset=["control"])
    long["framework"] = [ref.framework for ref in long["control"]]
    long["control"] = [ref.id for ref in long["control"]]
    columns = ["finding", "severity", "flow_key", "rule", "framework", "control"]
    return _cut(long, len(scopes), columns)


def _cut(frame: pd.DataFrame, scopes: int, columns: list[str]) -> list[pd.DataFrame]:
    """``frame``'s rows cut by its ``scope`` column (0 .. ``scopes`` - 1, each scope's rows
    together and in order), as one frame per scope of ``columns``, numbered from 0."""
    where = frame["scope"].tolist()
    out: list[pd.DataFrame] = []
    start = 0
    for scope in range(scopes):
        end = bisect_right(where, scope, lo=start)
        out.append(frame.iloc[start:end][columns].reset_index(drop=True))
        start = end
    return out


def _ports(flow: Flow) -> list[str]:
    if flow.ports is None:
        cell = flow.cell("port")
        return [cell.text if cell is not None else ""]
    return [str(r) for r in flow.ports.ranges]


def firewall_frames(scopes: Sequence[Sequence[Flow]]) -> list[pd.DataFrame]:
    """For each of ``scopes`` (each a workbook's flows): one row per source zone,
    destination zone, protocol and port (``TCP/UDP`` and ``67/68`` are split), with the
    components on either side and the flows that need it. Built from one frame of them all,
    with the scope as the first grouping key: one explode and one grouping for every
    workbook of a render. pandas' cost per call, not per row, dominated these tables:
    at 100 flows a section of 3 flows took 8 ms, the whole matrix 24 ms."""
    rows = [(i, f) for i, flows in enumerate(scopes) for f in flows]
    frame = pd.DataFrame(
        {
            "scope": [i for i, _ in rows],
            "source_zone": [f.source_zone.name for _, f in rows],
            "destination_zone": [f.destination_zone.name for _, f in rows],
            "protocol": [list(f.protocol.parts) or [f.protocol.text] for _, f in rows],
            "port": [_ports(f) for _, f in rows],
            "source": [f.component for _, f in rows],
            "destination": [f.destination for _, f in rows],
            "key": [f.key for _, f in rows],
            "optional": [f.optional for _, f in rows],
        }
    )
    if frame.empty:
        return [pd.DataFrame(columns=list(FIREWALL_COLUMNS)) for _ in scopes]
    long = frame.explode("protocol").explode("port")

    def joined(values: pd.Series) -> str:
        return "\n".join(sorted(dict.fromkeys(str(v) for v in values if v), key=natural_key))

    grouped = long.groupby(
        ["scope", "source_zone", "destination_zone", "protocol", "port"], sort=False, dropna=False
    ).agg(
        sources=("source", joined),
        destinations=("destination", joined),
        flows=("key", joined),
        optional=("optional", "all"),
    )
    out = grouped.reset_index()
    # The sort keys from plain lists: out.at[i, column] per row and key cost more than the
    # grouping itself.
    keys = list(
        zip(
            out["scope"].tolist(),
            (natural_key(str(v)) for v in out["source_zone"].tolist()),
            (natural_key(str(v)) for v in out["destination_zone"].tolist()),
            (str(v) for v in out["protocol"].tolist()),
            (natural_key(str(v)) for v in out["port"].tolist()),
            strict=True,
        )
    )
    order = sorted(range(len(out)), key=keys.__getitem__)
    cut = _cut(out.iloc[order], len(scopes), list(FIREWALL_COLUMNS))
    return [
        part if len(flows) else pd.DataFrame(columns=list(FIREWALL_COLUMNS))
        for part, flows in zip(cut, scopes, strict=True)
    ]


_ZONE_VALUES = ("flows", "no_c", "no_auth")


def zone_pair_frames_each(
    scopes: Sequence[Sequence[Flow]], zone_order: Sequence[str]
) -> list[dict[str, pd.DataFrame]]:
    """For each of ``scopes`` (each a workbook's flows): source zone x destination zone
    tables of all flows and the protection view (flows without C, flows without Auth; ``?``
    counts as not without). Built from one grouping of them all by scope, source zone and
    destination zone."""
    rows = [(i, f) for i, flows in enumerate(scopes) for f in flows]
    frame = pd.DataFrame(
        {
            "scope": [i for i, _ in rows],
            "source": [f.source_zone.name for _, f in rows],
            "destination": [f.destination_zone.name for _, f in rows],
            "flows": [1] * len(rows),
            "no_c": [f.confidentiality is Flag.NO for _, f in rows],
            "no_auth": [f.authentication is Flag.NO for _, f in rows],
        }
    )
    sums = frame.groupby(["scope", "source", "destination"], sort=False)[list(_ZONE_VALUES)].sum()
    wide = sums.unstack("destination", fill_value=0) if len(sums) else None
    rank = {z: i for i, z in enumerate(zone_order)}
    out: list[dict[str, pd.DataFrame]] = []
    for scope, flows in enumerate(scopes):
        has_source = {f.source_zone.name for f in flows}
        has_destination = {f.destination_zone.name for f in flows}
        present = sorted(has_source | has_destination, key=lambda z: (rank.get(z, len(rank)), z))
        sources = [z for z in present if z in has_source]
        targets = [z for z in present if z in has_destination]
        if wide is None or not flows:
            empty = pd.DataFrame(0, index=sources, columns=targets)
            out.append(dict.fromkeys(_ZONE_VALUES, empty))
            continue
        # Rows: this scope's source zones; columns: (value, destination zone).
        mine = cast(pd.DataFrame, wide.loc[scope])
        tables: dict[str, pd.DataFrame] = {}
        for name in _ZONE_VALUES:
            table = cast(pd.DataFrame, mine[name])
            tables[name] = table.reindex(index=sources, columns=targets, fill_value=0).astype(int)
        out.append(tables)
    return out


class Tables:
    """The analytical tables of several workbooks (one render's), each kind built for all of
    them at once on its first use (``firewall_frames``, ``zone_pair_frames_each``,
    ``finding_controls_frames``): workbook ``i`` reads ``firewall(i)`` and so on. At 100
    flows the six workbooks' tables took 218 ms one workbook at a time, 70 ms together."""

    def __init__(
        self,
        flows: Sequence[Sequence[Flow]],
        findings: Sequence[Sequence[Finding]],
        zone_order: Sequence[str],
    ) -> None:
        self.flows = tuple(tuple(f) for f in flows)
        self.findings = tuple(tuple(f) for f in findings)
        self._zone_order = tuple(zone_order)
        self._firewall: list[pd.DataFrame] | None = None
        self._zone_pairs: list[dict[str, pd.DataFrame]] | None = None
        self._finding_controls: list[pd.DataFrame] | None = None

    def firewall(self, i: int) -> pd.DataFrame:
        if self._firewall is None:
            self._firewall = firewall_frames(self.flows)
        return self._firewall[i]

    def zone_pairs(self, i: int) -> dict[str, pd.DataFrame]:
        if self._zone_pairs is None:
            self._zone_pairs = zone_pair_frames_each(self.flows, self._zone_order)
        return self._zone_pairs[i]

    def finding_controls(self, i: int) -> pd.DataFrame:
        if self._finding_controls is None:
            self._finding_controls = finding_controls_frames(self.findings)
        return self._finding_controls[i]


def trust_classes(config: Config, zones: Iterable[str]) -> dict[str, str]:
    return {z: config.trust_class(z) for z in zones}
