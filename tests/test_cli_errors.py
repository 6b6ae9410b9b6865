"""The command line's error paths and outputs: ``diff --out`` for every format, a renderer
that cannot be loaded, ``build --strict --quiet`` on bad input, a mistyped format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from reportgen.build import load
from reportgen.cli import main, summary

from .conftest import FIXTURES, ROOT
from .pdf_support import without_weasyprint

OLD = "source/communication-matrix.md"
NEW = "tests/fixtures/diff/internet-flow.md"
CONFIG = ("--config", "source/report.toml")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("fmt", ["text", "md", "json", "github"])
def test_diff_out_writes_the_printed_format_to_the_file(fmt: str, tmp_path: Path) -> None:
    code, printed, _ = invoke("diff", OLD, NEW, *CONFIG, "--format", fmt)
    assert code == 0 and printed
    target = tmp_path / f"changes.{fmt}"
    code, out, _ = invoke("diff", OLD, NEW, *CONFIG, "--format", fmt, "--out", str(target))
    assert code == 0
    assert out == ""  # the file instead of standard output
    assert target.read_text(encoding="utf-8") == printed
    if fmt == "json":
        assert json.loads(target.read_text())["summary"]["regressions"] == 1


def test_diff_out_xlsx_writes_a_workbook(tmp_path: Path) -> None:
    target = tmp_path / "changes.xlsx"
    code, out, err = invoke("diff", OLD, NEW, *CONFIG, "--format", "xlsx", "--out", str(target))
    assert code == 0 and out == ""
    assert "1 regression" in err
    assert "Changes" in load_workbook(target).sheetnames


def test_diff_out_to_a_folder_that_cannot_be_written(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "deeper" / "changes.md"
    (tmp_path / "missing").write_text("a file where a folder should be")
    code, out, err = invoke("diff", OLD, NEW, *CONFIG, "--format", "md", "--out", str(target))
    assert code == 2 and out == ""
    assert str(target) in err and "cannot write" in err


def test_diff_pdf_without_weasyprint_gives_builds_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_weasyprint(monkeypatch)
    target = tmp_path / "changes.pdf"
    code, _out, err = invoke("diff", OLD, NEW, *CONFIG, "--format", "pdf", "--out", str(target))
    assert code == 2
    assert "reportgen: error: pdf: the renderer cannot be loaded:" in err
    assert "install what it needs (scripts/setup.sh)" in err
    assert "cannot write" not in err
    assert not target.exists()


def test_build_strict_quiet_on_errors_prints_the_summary(tmp_path: Path) -> None:
    source = FIXTURES / "defects.md"
    code, out, err = invoke(
        "build",
        str(source),
        "--out",
        str(tmp_path),
        "--formats",
        "json",
        "--strict",
        "-q",
        *CONFIG,
    )
    assert code == 1
    assert out == ""
    line = err.strip().splitlines()[-1]
    assert line.startswith("validation: ") and " error" in line
    assert str(tmp_path / "json" / "diagnostics.json") in line
    assert f"reportgen validate {source}" in line


def test_build_quiet_without_strict_prints_nothing(tmp_path: Path) -> None:
    code, out, err = invoke("build", "--out", str(tmp_path), "--formats", "json", "-q")
    assert (code, out, err) == (0, "", "")


def test_build_summary_points_at_the_diagnostics(tmp_path: Path) -> None:
    code, out, err = invoke("build", "--out", str(tmp_path), "--formats", "markdown")
    assert code == 0
    assert "sha256" in out  # the table of files written
    report = load(ROOT / "source" / "communication-matrix.md").report
    assert err.strip().splitlines()[-1] == (
        f"validation: {summary(report, 1)}; details by "
        "`reportgen validate source/communication-matrix.md`"
    )
    assert summary(report, 1).startswith("1 error, ")


def test_a_mistyped_format_lists_the_choices_as_words(tmp_path: Path) -> None:
    code, _out, err = invoke("build", "--out", str(tmp_path), "--formats", "pdff")
    assert code == 2
    assert "unknown format(s) pdff; choose from json, markdown, xlsx, pdf" in err
    assert "(" not in err.split("unknown format(s)")[1]
