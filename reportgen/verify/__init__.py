"""``reportgen verify``: the documented matrix against observed traffic, the
"Soll-Ist-Vergleich" of IT-Grundschutz NET.1.1.A15.

Readers take pcap and pcapng captures, Zeek conn.logs (TSV and JSON) and Hubble flow exports,
told apart by content (:mod:`.readers`); the inventory in ``report.toml`` names the addresses
(:mod:`.inventory`); :func:`.compare.compare` matches observed against documented flows and
returns a :class:`.result.Verification`. This package sits beside ``assess``: it imports the
model, the config and the catalogue, never a renderer, ``build`` or the CLI.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..config import Config
from ..model import Matrix
from .compare import SEVERITY_SCHEME, compare, severity
from .observed import Evidence, InputSummary, ObservedError, classify
from .readers import FORMATS, detect, read_observed
from .result import CODES, GATES, KIND_TITLES, KINDS, Item, ObservedFlow, Verification

__all__ = [
    "CODES",
    "FORMATS",
    "GATES",
    "KINDS",
    "KIND_TITLES",
    "SEVERITY_SCHEME",
    "Evidence",
    "InputSummary",
    "Item",
    "ObservedError",
    "ObservedFlow",
    "Verification",
    "classify",
    "compare",
    "detect",
    "read_observed",
    "severity",
    "verify",
]


def verify(
    matrix: Matrix, config: Config, observed: Sequence[Path], shown: Sequence[str] | None = None
) -> Verification:
    """Read every observed input and compare it with the matrix. ``shown`` gives the paths as
    messages print them (default: as given). Raises ObservedError for an unreadable input."""
    return compare(matrix, config, read_observed(observed, shown))
