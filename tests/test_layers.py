"""Imports only point down the pipeline: scripts/import_graph.py reads the import graph from
the code and fails on an import from a higher layer, between entry points, or in a cycle."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import ROOT

SCRIPT = ROOT / "scripts" / "import_graph.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_graph", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def graph() -> ModuleType:
    return load_script()


def test_the_code_imports_only_downwards() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("import_graph: ") and "all down" in done.stdout


def test_model_imports_nothing_of_reportgen(graph: ModuleType) -> None:
    edges = graph.graph()
    assert [e for e in edges if e.source == "reportgen.model"] == []
    assert not [e for e in edges if e.target == "reportgen.bundle" and e.source.endswith("diff")]
    # every module of the package is in the graph's layers
    assert {graph.unit(m) for m in graph.modules()} <= {
        member for _layer, members in graph.LAYERS for member in members
    }


def test_lazy_and_type_only_imports_count(graph: ModuleType) -> None:
    edges = {(e.source, e.target) for e in graph.graph()}
    # imported inside a function body (lazily, so `validate` stays light)
    assert ("reportgen.build", "reportgen.assess") in edges
    # imported only under TYPE_CHECKING
    assert ("reportgen.bundle", "reportgen.diff") in edges


def write(root: Path, name: str, text: str) -> None:
    path = root / "reportgen" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_an_upward_import_a_cycle_and_an_unplaced_module_are_reported(
    graph: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "__init__.py", "from .api import load\n")
    write(tmp_path, "api.py", "def load():\n    from .build import build\n")
    write(
        tmp_path,
        "model.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .diff import MatrixDiff\n",
    )
    write(tmp_path, "diff.py", "from .model import Flow\n")
    write(tmp_path, "build.py", "from . import cli\n")
    write(tmp_path, "cli.py", "import reportgen.build\n")
    write(tmp_path, "render/__init__.py", "")
    write(tmp_path, "render/a.py", "from .b import x\n")
    write(tmp_path, "render/b.py", "from .a import y\n")
    write(tmp_path, "shiny.py", "")
    monkeypatch.setattr(graph, "ROOT", tmp_path)

    problems = graph.violations(graph.graph())

    assert problems == [
        "reportgen.shiny: in no layer; add it to LAYERS in scripts/import_graph.py "
        "(docs/architecture.md says which layer holds what)",
        "reportgen.build (line 1) imports reportgen.cli: layer 'entry' stands above 'build'",
        "reportgen.model (line 3) imports reportgen.diff: layer 'diff' stands above 'foundation'",
        "import cycle: build <-> cli",
        "import cycle: diff <-> model",
        "import cycle: render.a <-> render.b",
    ]
    assert graph.main([]) == 1


def test_dot_output_lists_layers_and_edges(graph: ModuleType) -> None:
    text = graph.dot(graph.graph())
    assert text.startswith("digraph reportgen {")
    assert 'subgraph "cluster_foundation"' in text
    assert '"bundle" -> "diff";' in text
    assert '"model" ->' not in text


def test_the_architecture_page_lists_the_scripts_layers(graph: ModuleType) -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = page.split("<!-- layers:start -->\n", 1)[1].split("<!-- layers:end -->", 1)[0]
    rows = [line.split(" | ") for line in table.splitlines()[2:]]
    documented = [
        (row[0].removeprefix("| "), tuple(re.findall(r"`([\w.]+)`", row[1]))) for row in rows
    ]
    declared = [
        (layer, tuple(m or "reportgen" for m in members)) for layer, members in graph.LAYERS
    ]
    assert documented == declared
