"""Test data for the Markdown renderer and the MkDocs plugin: the real pipeline (parse,
validate, assess) with a fixed build time."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from reportgen.assess import assess
from reportgen.bundle import ReportData
from reportgen.config import Config, load_config
from reportgen.model import BuildInfo, Matrix, Report
from reportgen.parse import parse
from reportgen.validate import validate

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "communication-matrix.md"
CONFIG = ROOT / "source" / "report.toml"
BUILD_TIME = datetime(2025, 10, 8, 12, 0, tzinfo=UTC)


def report_data(matrix: Matrix, config: Config, report: Report | None = None) -> ReportData:
    report = report if report is not None else validate(matrix, config)
    return ReportData(
        matrix=matrix,
        report=report,
        assessment=assess(matrix, config, report),
        config=config,
        build=BuildInfo("reportgen test", BUILD_TIME, matrix.source.version or "v0.21.11"),
    )


@cache
def metal_stack() -> ReportData:
    config = load_config(CONFIG)
    matrix = parse(SOURCE.read_bytes(), "source/communication-matrix.md", config)
    return report_data(matrix, config)


def from_text(text: str, config: Config | None = None) -> ReportData:
    config = config or load_config(CONFIG)
    return report_data(parse(text.encode("utf-8"), "test.md", config), config)
