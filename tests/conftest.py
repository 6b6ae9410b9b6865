from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.config import Config, load_config
from reportgen.model import Matrix
from reportgen.parse import parse

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "communication-matrix.md"
SOURCE_MAIN = ROOT / "source" / "communication-matrix.main-36d217a.md"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(ROOT / "source" / "report.toml")


def parse_file(path: Path, config: Config, name: str | None = None) -> Matrix:
    return parse(path.read_bytes(), name or path.relative_to(ROOT).as_posix(), config)


@pytest.fixture(scope="session")
def matrix(config: Config) -> Matrix:
    return parse_file(SOURCE, config)
