"""The report bundle: everything a renderer receives for one build.

:class:`ReportData` holds the parsed matrix, its validation report, the assessment, the
configuration, the build's facts and, with ``build --previous``, the diff against an earlier
release; with ``build --observed``, the comparison with observed traffic. Because it holds
that diff it stands above :mod:`reportgen.diff` in the layers (see ``docs/architecture.md``);
:mod:`reportgen.model` below it imports nothing of reportgen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .config import Config
from .model import Assessment, BuildInfo, Matrix, Report

if TYPE_CHECKING:  # only types here; importing these modules costs `validate` time
    from .diff import MatrixDiff
    from .verify import Verification


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything a renderer may use. Renderers are pure: data in, bytes out."""

    matrix: Matrix
    report: Report
    assessment: Assessment
    config: Config
    build: BuildInfo
    changes: MatrixDiff | None = None
    """The diff against a previous release (``reportgen build --previous OLD``), if asked for."""
    verification: Verification | None = None
    """The matrix against observed traffic (``reportgen build --observed FILE``), if asked for."""


__all__ = ["ReportData"]
