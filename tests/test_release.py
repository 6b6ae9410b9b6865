"""Release-time reports: --previous adds the changes to every output; the manifest, the
PDF and the workbooks carry the same provenance figures; builds are reproducible."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from reportgen.build import build, load
from reportgen.bundle import ReportData
from reportgen.cli import main
from reportgen.diff import change_history

from .conftest import ROOT, SOURCE

NEW = ROOT / "tests" / "fixtures" / "diff" / "flag-lost.md"
CONFIG = ROOT / "source" / "report.toml"
EPOCH = "1759881600"


@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture(scope="module")
def high_need_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped config with the control plane's protection need declared very high, so
    that Auth lost on its data store (flow 2.1 in NEW) is a new High finding."""
    zone = 'name = "Metal Control Plane"\n'
    text = CONFIG.read_text(encoding="utf-8")
    assert zone in text
    path = tmp_path_factory.mktemp("config") / "report.toml"
    path.write_text(text.replace(zone, zone + 'protection_need = "very-high"\n'), "utf-8")
    return path


@pytest.fixture(scope="module")
def with_changes(high_need_config: Path) -> ReportData:
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        return load(NEW, high_need_config, release="v0.22.0", previous=SOURCE)
    finally:
        mp.undo()


def test_change_history_gains_an_entry_from_the_diff(with_changes: ReportData) -> None:
    history = change_history(with_changes)
    assert history[:-1] == with_changes.config.document.changes
    last = history[-1]
    assert (last.version, last.date) == ("v0.22.0", "2025-10-08")
    assert last.description == (
        "Changes since v0.21.11: 0 flows added, 0 removed, 4 changed; 5 security regressions."
    )


def test_markdown_gets_a_changes_page(with_changes: ReportData, tmp_path: Path) -> None:
    build(with_changes, tmp_path, ["markdown"])
    changes = (tmp_path / "markdown" / "changes.md").read_text()
    assert "Security regressions: 5." in changes
    assert "new High finding DATASTORE-NOAUTH:2.1" in changes
    assert "[changes page](changes.md)" in (tmp_path / "markdown" / "index.md").read_text()


def test_combined_workbook_gets_a_changes_sheet(with_changes: ReportData, tmp_path: Path) -> None:
    build(with_changes, tmp_path, ["xlsx"])
    combined = openpyxl.load_workbook(tmp_path / "xlsx" / "communication-matrix.xlsx")
    sheet = combined["Changes"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    kinds = [r[0] for r in rows]
    assert kinds.count("regression") == 5
    assert kinds.count("change") == 4
    assert any("DATASTORE-NOAUTH:2.1" in str(r[3] or "") for r in rows)
    section = openpyxl.load_workbook(tmp_path / "xlsx" / "plain.xlsx")
    assert "Changes" not in section.sheetnames


@pytest.mark.slow
def test_pdf_gets_a_changes_chapter(with_changes: ReportData, tmp_path: Path) -> None:
    written = build(with_changes, tmp_path, ["pdf"]).written
    pdf = next(w.path for w in written if w.format == "pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "3 Changes since v0.21.11" in text
    assert "flag-lost" in text and "new-high-finding" in text
    flat = re.sub(r"\s+", " ", text)
    assert "Changes since v0.21.11: 0 flows added, 0 removed, 4" in flat  # document control


def test_manifest_and_workbook_metadata_carry_the_same_figures(tmp_path: Path) -> None:
    data = load(SOURCE, CONFIG)
    build(data, tmp_path, ["json", "xlsx"])
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    sheet = openpyxl.load_workbook(tmp_path / "xlsx" / "communication-matrix.xlsx")["Metadata"]
    values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert values["Source sha256"] == manifest["source"]["sha256"]
    assert values["Release"] == manifest["release"] == "v0.21.11"
    assert values["Generator"] == manifest["generator"]
    assert values["Rule set version"] == manifest["ruleset_version"]
    assert str(values["Build time (UTC)"]).startswith("2025-10-08")
    assert manifest["build_time"] == "2025-10-08T00:00:00+00:00"
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    import hashlib

    for path, digest in listed.items():
        assert hashlib.sha256((tmp_path / path).read_bytes()).hexdigest() == digest


def test_two_builds_give_the_same_manifest_byte_for_byte(tmp_path: Path) -> None:
    for out in ("a", "b"):
        result = CliRunner().invoke(
            main,
            [
                "build",
                str(SOURCE),
                "--out",
                str(tmp_path / out),
                "--formats",
                "json,markdown,xlsx",
                "--quiet",
            ],
        )
        assert result.exit_code == 0, result.output
    assert (tmp_path / "a/manifest.json").read_bytes() == (
        tmp_path / "b/manifest.json"
    ).read_bytes()


def test_cli_build_with_previous(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "build",
            str(NEW),
            "--previous",
            str(SOURCE),
            "--config",
            str(CONFIG),
            "--out",
            str(tmp_path),
            "--formats",
            "markdown",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "markdown" / "changes.md").is_file()
    missing = CliRunner().invoke(main, ["build", str(NEW), "--previous", "nope.md", "--quiet"])
    assert missing.exit_code == 2
    assert "nope.md: cannot read the source" in missing.stderr


def test_diff_as_a_workbook_and_a_pdf(tmp_path: Path, high_need_config: Path) -> None:
    args = ["diff", str(SOURCE), str(NEW), "--config", str(high_need_config)]
    for name in ("a.xlsx", "b.xlsx"):
        result = CliRunner().invoke(
            main, [*args, "--format", "xlsx", "--out", str(tmp_path / name)]
        )
        assert result.exit_code == 0, result.output
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert book.sheetnames == ["Changes"]
    kinds = [row[0] for row in book["Changes"].iter_rows(min_row=2, values_only=True)]
    assert kinds.count("regression") == 5 and kinds.count("change") == 4

    result = CliRunner().invoke(main, [*args, "--format", "pdf", "--out", str(tmp_path / "c.pdf")])
    assert result.exit_code == 0, result.output
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "c.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Changes since v0.21.11" in text
    assert "new-high-finding" in text and "DATASTORE-NOAUTH:2.1" in text
    assert "page 1 of 1" in text

    missing = CliRunner().invoke(main, [*args, "--format", "pdf"])
    assert missing.exit_code == 2
    assert "--format pdf writes a file: give it with --out FILE" in missing.stderr
