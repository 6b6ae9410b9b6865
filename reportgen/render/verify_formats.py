"""The comparison with observed traffic (``build --observed``) as each format shows it: the
rows of the workbook's sheet, the Markdown page and the PDF chapter's context. Every output
reads the same rows, so the formats cannot disagree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..bundle import ReportData
from ..verify import KIND_TITLES, KINDS, Item, ObservedFlow, Verification
from ..verify.observed import utc
from ..vocabulary import EXPOSURES, PROTECTION_NEED_LABELS, PROTECTION_NEEDS, SEVERITY_SCHEME
from .markdown import Md, escape

TITLE = "Soll-Ist-Vergleich: the documented matrix against observed traffic"
PAGE = "verify.md"
SHEET = "Soll-Ist"

HEADER: tuple[str, ...] = (
    "Kind",
    "Severity",
    "Code",
    "Flow",
    "Matrix line",
    "Observed",
    "Evidence",
    "Message",
    "Controls",
)


def _observed(item: Item) -> str:
    return "; ".join(o.label for o in item.observed)


def item_row(item: Item) -> list[str | int | None]:
    """One item as a row under :data:`HEADER`."""
    return [
        item.kind,
        item.severity.title,
        item.code,
        item.flow_id or item.flow_key or "",
        item.location.line if item.location is not None else None,
        _observed(item),
        str(item.evidence) if item.evidence is not None else "",
        item.message,
        ", ".join(c.id for c in item.controls),
    ]


def rows(verification: Verification) -> list[list[str | int | None]]:
    """The sheet's rows (after :data:`HEADER`), in the comparison's order."""
    return [item_row(i) for i in verification.items]


def _when(timestamp: float | None) -> str:
    when = utc(timestamp)
    return when.strftime("%Y-%m-%d %H:%M:%S") if when else ""


def inputs(verification: Verification) -> list[list[str | int]]:
    """One row per observed input: file, format, records, compared, skipped, from, to, hash."""
    return [
        [
            i.path,
            i.format,
            i.records,
            i.compared,
            "; ".join(f"{reason}: {n}" for reason, n in i.skipped),
            _when(i.start),
            _when(i.end),
            i.sha256,
        ]
        for i in verification.inputs
    ]


INPUT_HEADER = ("File", "Format", "Records", "Compared", "Skipped", "From (UTC)", "To (UTC)")


def introduction(data: ReportData, verification: Verification) -> str:
    counts = verification.counts()
    return (
        f"IT-Grundschutz NET.1.1.A15 asks for a regular comparison of the documented network "
        f"with the real one (Soll-Ist-Vergleich). The {len(list(data.matrix.flows))} documented "
        f"flows were compared with the traffic in {len(verification.inputs)} observed "
        f"input{'' if len(verification.inputs) == 1 else 's'}, {verification.window}: "
        f"{counts['contradiction']} contradiction(s), {counts['undocumented']} undocumented "
        f"flow(s), {counts['unobserved']} documented flow(s) not observed, "
        f"{counts['unknown-endpoint']} address(es) outside the inventory; "
        f"{len(verification.matched)} documented flow(s) were observed as documented and "
        f"{len(verification.not_covered)} cannot be recognised with the inventory in report.toml."
    )


SCHEME_TEXT = (
    "An undocumented flow, a flow on a port the matrix does not document and cleartext on a "
    "flow documented as encrypted are rated by the project's severity scheme: the exposure "
    "from the trust classes of the observed endpoints' zones, against the highest protection "
    "need declared in report.toml for those zones and components (else the default)."
)


def scheme_grid() -> tuple[list[str], list[list[str]]]:
    """The severity scheme as a table: one row per exposure, one column per protection need."""
    header = ["Exposure", *(PROTECTION_NEED_LABELS[n][0] for n in PROTECTION_NEEDS)]
    grid = [
        [
            f"{e.key}: {e.meaning}",
            *(SEVERITY_SCHEME[(e.key, n)].capitalize() for n in PROTECTION_NEEDS),
        ]
        for e in EXPOSURES
    ]
    return header, grid


def _table(header: Sequence[str], body: Sequence[Sequence[object]]) -> list[str]:
    lines = [
        "| " + " | ".join(escape(h) for h in header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
    ]
    lines += ["| " + " | ".join(escape(v) for v in row) + " |" for row in body]
    return lines


def _observed_line(o: ObservedFlow) -> str:
    payload = ", ".join(f"{kind} in {n}" for kind, n in o.payload) or "none seen"
    counts = f"{o.connections} connection(s), {o.packets} packet(s)"
    return f"{o.label}: {counts}; first payload: {payload}"


def markdown_page(data: ReportData) -> str:
    """``verify.md``: the summary, the inputs and one table per kind of item."""
    v = data.verification
    if v is None:
        raise ValueError("markdown_page needs ReportData with a verification (--observed)")
    out = [f"# {escape(TITLE)}", "", escape(introduction(data, v)), ""]
    out += ["## Observed inputs", ""]
    out += _table([*INPUT_HEADER, "SHA-256"], inputs(v))
    for kind in KINDS:
        items = v.of(kind)
        out += ["", f"## {escape(KIND_TITLES[kind])} ({len(items)})", ""]
        if not items:
            out.append("None.")
            continue
        out += _table(
            ["Severity", "Flow", "Where", "Message", "Controls"],
            [
                [
                    i.severity.title,
                    i.flow_id or i.flow_key or "",
                    i.where,
                    i.message,
                    Md("<br>".join(escape(f"{c.id} {c.title}") for c in i.controls)),
                ]
                for i in items
            ],
        )
    out += ["", f"## Observed as documented ({len(v.matched)})", ""]
    if v.matched:
        out += _table(
            ["Flow", "Observed"],
            [
                [key, Md("<br>".join(escape(_observed_line(o)) for o in flows))]
                for key, flows in v.matched
            ],
        )
    else:
        out.append("None.")
    if v.not_covered:
        out += ["", f"## Not covered by the inventory ({len(v.not_covered)})", ""]
        out += _table(["Flow", "Why"], v.not_covered)
    out += ["", "## Severity", "", escape(SCHEME_TEXT), ""]
    header, grid = scheme_grid()
    out += _table(header, grid)
    return "\n".join(out) + "\n"


def pdf_context(data: ReportData) -> dict[str, Any] | None:
    """The PDF chapter's context: the introduction, the inputs and the items by kind."""
    v = data.verification
    if v is None:
        return None
    return {
        "title": TITLE,
        "introduction": introduction(data, v),
        "input_header": INPUT_HEADER,
        "inputs": [row[:-1] for row in inputs(v)],
        "hashes": [(row[0], row[-1]) for row in inputs(v)],
        "groups": [
            {"kind": kind, "title": KIND_TITLES[kind], "items": v.of(kind)} for kind in KINDS
        ],
        "matched": [(key, [_observed_line(o) for o in flows]) for key, flows in v.matched],
        "not_covered": v.not_covered,
        "scheme_text": SCHEME_TEXT,
        "scheme": scheme_grid(),
    }
