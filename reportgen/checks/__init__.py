"""Validation checks: one module per family, each a generator of Diagnostics.

Every diagnostic code reportgen can emit is declared once in :data:`CODES` with its severity
and a one-line explanation; the README's table is generated from it and a test keeps the two
in step, and a check cannot emit a code that is not declared here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..config import Config
from ..model import Diagnostic, Location, Matrix, Severity


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    severity: Severity
    summary: str
    why: str = ""


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

LOSES_INPUT: frozenset[str] = frozenset(
    {
        "binary-content",
        "not-utf8",
        "no-matrix",
        "column-count",
        "missing-column",
        "malformed-port",
        "port-out-of-range",
    }
)
"""Error codes that mean part of the source was not read (flows skipped, cells lost or a
port unknown). A CI gate never passes on such input unless told to explicitly."""


def unread(diagnostics: tuple[Diagnostic, ...]) -> tuple[Diagnostic, ...]:
    """The diagnostics that say the source was not read in full."""
    return tuple(d for d in diagnostics if d.code in LOSES_INPUT)


CODES: dict[str, Code] = {
    c.code: c
    for c in (
        # reading and structure (from the parser)
        Code("binary-content", _E, "the file holds NUL bytes: it is not a Markdown page"),
        Code("not-utf8", _E, "the file is not valid UTF-8 (location of the first bad byte)"),
        Code(
            "front-matter-unreadable",
            _W,
            "the front matter is not a YAML mapping; its keys (title, version) are not read",
        ),
        Code("no-matrix", _E, "no communication matrix table was found"),
        Code(
            "column-count",
            _E,
            "a table row has more or fewer cells than its header",
            "cells past the header are lost and missing ones are read as empty, which would "
            "silently turn a flag into 'no'",
        ),
        Code("missing-column", _E, "a matrix table lacks a required column; its rows are skipped"),
        Code("duplicate-column", _W, "a column header appears twice"),
        Code("unrecognized-table", _I, "a table is neither a matrix nor a technology table"),
        Code("table-outside-section", _W, "a matrix table stands before any '##' section"),
        Code("technology-outside-section", _W, "a 'Used Technologies' table outside any section"),
        Code("legend-entry-unreadable", _W, "a legend item is not of the form `KEY`: meaning"),
        # legend
        Code("legend-missing", _E, "the page has no legend defining C, I, Auth and Trust"),
        Code("legend-missing-key", _E, "the legend does not define one of C, I, Auth, Trust"),
        Code("header-legend-mismatch", _W, "a flag column's header differs from its legend key"),
        # flags
        Code(
            "unknown-flag-value",
            _E,
            "a flag cell holds something other than `x`, `?` or nothing",
            "the legend defines only `x`; reading `X`, `yes` or a tick as yes or no would be "
            "a guess, so the flow is recorded as not assessed until the cell is fixed",
        ),
        # ids
        Code(
            "duplicate-flow-id",
            _E,
            "two flows share one id",
            "ids are how findings, auditors' comments and release diffs refer to a flow; a "
            "shared id makes every such reference ambiguous",
        ),
        Code("empty-flow-id", _W, "a flow has no id"),
        Code("flow-id-gap", _W, "the numbering skips an id (a row deleted or never written)"),
        Code("flow-id-format", _I, "an id does not follow the `[prefix]major.minor` pattern"),
        # ports
        Code("malformed-port", _E, "a port cell is not a port, a list (`67/68`) or a range"),
        Code("port-out-of-range", _E, "a port is outside 1..65535"),
        # zones
        Code("unknown-zone", _W, "a zone is not in the vocabulary of report.toml"),
        Code("zone-spelling", _W, "a zone differs from its canonical name by case or spacing"),
        Code("zone-alias", _I, "a zone is written by one of its declared aliases"),
        Code("no-zone-vocabulary", _I, "no zone vocabulary is configured; zones are not checked"),
        # cells
        Code("empty-cell", _W, "a required cell (component, zone, protocol, …) is empty"),
        # consistency
        Code("secure-protocol-without-c", _W, "an encrypting protocol (HTTPS, TLS, SSH…) lacks C"),
        Code("plaintext-protocol-with-c", _W, "a plaintext protocol (HTTP, TFTP…) is marked C"),
        Code(
            "encryption-unnamed",
            _W,
            "C is marked but neither the protocol (TCP, UDP) nor the purpose or notes name an "
            "encrypting protocol",
        ),
        Code("integrity-without-c", _I, "I is marked on a flow whose C is empty"),
        Code(
            "inconsistent-destination",
            _W,
            "one destination and protocol described with different ports or flags",
        ),
        Code(
            "destination-zone-varies",
            _I,
            "one destination name, protocol and port in several zones (often different "
            "instances, e.g. one kube-apiserver per cluster; never compared as one)",
        ),
        # the triage file (reported by assess)
        Code(
            "triage-stale",
            _W,
            "a triage entry names a finding the assessment no longer reports",
        ),
    )
}


def diagnostic(
    code: str,
    message: str,
    location: Location,
    *,
    hint: str | None = None,
    flow_id: str | None = None,
) -> Diagnostic:
    """Build a Diagnostic for a declared code (its severity comes from the declaration)."""
    return Diagnostic(code, CODES[code].severity, message, location, hint, flow_id)


Check = Callable[[Matrix, Config], Iterator[Diagnostic]]


def codes_markdown() -> str:
    """The diagnostics table of the README and the docs, generated from :data:`CODES`."""
    rows = ["| code | severity | meaning |", "| --- | --- | --- |"]
    for code in CODES.values():
        meaning = (code.summary + (f". Why: {code.why}" if code.why else "")).replace("|", "\\|")
        rows.append(f"| `{code.code}` | {code.severity.value} | {meaning} |")
    return "\n".join(rows) + "\n"
