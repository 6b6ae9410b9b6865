"""The workbooks' analytical tables, built with pandas (explode, groupby, pivot) and then
written with openpyxl like every other sheet.

pandas is imported only by the renderers (which are imported lazily), so ``reportgen
validate`` never pays for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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


def finding_controls_frame(findings: Sequence[Finding]) -> pd.DataFrame:
    """One row per (finding, control), in the findings' order, then the controls' order."""
    frame = pd.DataFrame(
        {
            "finding": [f.id for f in findings],
            "severity": [f.severity.title for f in findings],
            "flow_key": [f.flow_key for f in findings],
            "rule": [f.rule for f in findings],
            "control": [list(f.controls) for f in findings],
        },
        columns=["finding", "severity", "flow_key", "rule", "control"],
    )
    long = frame.explode("control", ignore_index=True).dropna(subset=["control"])
    long["framework"] = [ref.framework for ref in long["control"]]
    long["control"] = [ref.id for ref in long["control"]]
    return long[["finding", "severity", "flow_key", "rule", "framework", "control"]]


def _ports(flow: Flow) -> list[str]:
    if flow.ports is None:
        cell = flow.cell("port")
        return [cell.text if cell is not None else ""]
    return [str(r) for r in flow.ports.ranges]


def firewall_frame(flows: Iterable[Flow]) -> pd.DataFrame:
    """One row per source zone, destination zone, protocol and port (``TCP/UDP`` and
    ``67/68`` are split), with the components on either side and the flows that need it."""
    flows = list(flows)
    frame = pd.DataFrame(
        {
            "source_zone": [f.source_zone.name for f in flows],
            "destination_zone": [f.destination_zone.name for f in flows],
            "protocol": [list(f.protocol.parts) or [f.protocol.text] for f in flows],
            "port": [_ports(f) for f in flows],
            "source": [f.component for f in flows],
            "destination": [f.destination for f in flows],
            "key": [f.key for f in flows],
            "optional": [f.optional for f in flows],
        }
    )
    if frame.empty:
        return pd.DataFrame(columns=list(FIREWALL_COLUMNS))
    long = frame.explode("protocol").explode("port")

    def joined(values: pd.Series) -> str:
        return "\n".join(sorted(dict.fromkeys(str(v) for v in values if v), key=natural_key))

    grouped = long.groupby(
        ["source_zone", "destination_zone", "protocol", "port"], sort=False, dropna=False
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
            (natural_key(str(v)) for v in out["source_zone"].tolist()),
            (natural_key(str(v)) for v in out["destination_zone"].tolist()),
            (str(v) for v in out["protocol"].tolist()),
            (natural_key(str(v)) for v in out["port"].tolist()),
            strict=True,
        )
    )
    order = sorted(range(len(out)), key=keys.__getitem__)
    return out.iloc[order].reset_index(drop=True)[list(FIREWALL_COLUMNS)]


def zone_pair_frames(flows: Iterable[Flow], zone_order: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Source zone x destination zone tables: all flows, and the protection view (flows
    without C, flows without Auth; ``?`` counts as not without)."""
    flows = list(flows)
    frame = pd.DataFrame(
        {
            "source": [f.source_zone.name for f in flows],
            "destination": [f.destination_zone.name for f in flows],
            "no_c": [f.confidentiality is Flag.NO for f in flows],
            "no_auth": [f.authentication is Flag.NO for f in flows],
        }
    )
    rank = {z: i for i, z in enumerate(zone_order)}
    present = sorted(
        set(frame["source"]) | set(frame["destination"]),
        key=lambda z: (rank.get(z, len(rank)), z),
    )
    sources = [z for z in present if z in set(frame["source"])]
    targets = [z for z in present if z in set(frame["destination"])]
    out: dict[str, pd.DataFrame] = {}
    for name, values in (("flows", None), ("no_c", "no_c"), ("no_auth", "no_auth")):
        if values is None:
            table = pd.crosstab(frame["source"], frame["destination"])
        else:
            table = frame.pivot_table(
                index="source", columns="destination", values=values, aggfunc="sum", fill_value=0
            )
        out[name] = table.reindex(index=sources, columns=targets, fill_value=0).astype(int)
    return out


def trust_classes(config: Config, zones: Iterable[str]) -> dict[str, str]:
    return {z: config.trust_class(z) for z in zones}
