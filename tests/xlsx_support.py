"""Test data for the XLSX renderer: parsed sources through the real pipeline (validate,
assess), bundled as ReportData with a fixed build time."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from reportgen.assess import assess
from reportgen.bundle import ReportData
from reportgen.config import Config, load_config
from reportgen.model import BuildInfo, Matrix
from reportgen.parse import parse
from reportgen.validate import validate

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "communication-matrix.md"
CONFIG = ROOT / "source" / "report.toml"
HOSTILE = ROOT / "tests" / "fixtures" / "xlsx-hostile.md"
BUILD_TIME = datetime(2025, 10, 8, 12, 30, 0, tzinfo=UTC)


def report_data(source: Path = SOURCE, config_path: Path = CONFIG) -> ReportData:
    config = load_config(config_path)
    matrix = parse(source.read_bytes(), str(source.relative_to(ROOT)), config)
    return bundle(matrix, config)


def bundle(matrix: Matrix, config: Config) -> ReportData:
    report = validate(matrix, config)
    return ReportData(
        matrix=matrix,
        report=report,
        assessment=assess(matrix, config, report),
        config=config,
        build=BuildInfo(generator="reportgen 0.1.0", build_time=BUILD_TIME, release="v0.21.11"),
    )
