"""``render.json_.dumps`` (orjson) writes the bytes the standard library's indented encoder
wrote, for every JSON file reportgen makes: the JSON and OSCAL outputs of the shipped source
and of a synthetic matrix, and the manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reportgen.build import build, load
from reportgen.render.json_ import dumps

from .conftest import ROOT, SOURCE
from .test_faults import generate


def _standard(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    files: list[Path] = []
    synthetic = tmp_path_factory.mktemp("src") / "matrix.md"
    synthetic.write_text(generate(60), encoding="utf-8")
    for name, source in (("shipped", SOURCE), ("synthetic", synthetic)):
        out = tmp_path_factory.mktemp(name)
        build(load(source, ROOT / "source" / "report.toml"), out, ["json", "oscal"])
        files += sorted(out.rglob("*.json"))
    return files


def test_every_json_output_has_the_standard_librarys_bytes(outputs: list[Path]) -> None:
    names = {p.name for p in outputs}
    assert {"records.json", "findings.json", "manifest.json", "assessment-results.json"} <= names
    for path in outputs:
        raw = path.read_bytes()
        assert raw == _standard(json.loads(raw)), path


@pytest.mark.parametrize(
    "value",
    [
        {"text": 'é\u2028\x00\x1f\t"\\/<>&', "empty": [], "none": {}, "nested": [[], {}]},
        {1: "an integer key", "2": None},
        [0.1, 1.0, -0.0, 1e16, 1.5e300, 123456789.125],
        2**70,  # beyond orjson's 64 bits: the standard library writes it
        None,
    ],
)
def test_dumps_matches_the_standard_library(value: Any) -> None:
    assert dumps(value) == _standard(value)


def test_the_one_known_difference_is_the_notation_of_tiny_floats() -> None:
    # orjson writes 1e-05 as 0.00001: the same number. No output of reportgen has such a
    # float; this test keeps the difference in view.
    assert dumps(1e-05) == b"0.00001\n"
    assert json.loads(dumps(1e-05)) == 1e-05
