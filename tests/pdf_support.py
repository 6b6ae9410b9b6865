"""Test data for the PDF renderer: the real pipeline with a fixed build time, so that
renders compare byte for byte whatever SOURCE_DATE_EPOCH or git say."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reportgen.build import load
from reportgen.bundle import ReportData

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "communication-matrix.md"
CONFIG = ROOT / "source" / "report.toml"
BUILD_TIME = datetime(2025, 10, 8, 12, 0, tzinfo=UTC)


def load_report_data(source: Path = SOURCE, config_path: Path = CONFIG) -> ReportData:
    data = load(source, config_path, release="v0.21.11")
    return replace(data, build=replace(data.build, build_time=BUILD_TIME))


LAYOUTS = ("parts", "one piece")
"""The two ways the production path lays a report out (``assembly.ONE_PIECE_FLOWS``)."""


def force_layout(patch: object, layout: str) -> None:
    """Make ``assemble`` cut even a small report into parts, or lay any report out whole."""
    from reportgen.render.pdf import assembly

    flows = 0 if layout == "parts" else 10**9
    patch.setattr(assembly, "ONE_PIECE_FLOWS", flows)  # type: ignore[attr-defined]


def check_layout(parts: int, layout: str) -> None:
    assert (parts > 1) if layout == "parts" else (parts == 1), (layout, parts)


def without_weasyprint(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine without Pango: importing WeasyPrint, and so the PDF renderer, fails
    (until ``monkeypatch`` undoes it)."""
    for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
        monkeypatch.delitem(sys.modules, name)
    for name in [m for m in sys.modules if m.startswith("reportgen.render.pdf")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "weasyprint", None)
