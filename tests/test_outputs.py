"""The output folder: file modes follow the umask, a second build leaves exactly the files its
manifest lists, and the garbage-collector switch stays inside the command-line process."""

from __future__ import annotations

import gc
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.build import build, load
from reportgen.bundle import ReportData
from reportgen.cli import main

from .conftest import ROOT, SOURCE

EPOCH = "1759881600"


@pytest.fixture(scope="module")
def data() -> ReportData:
    return load(SOURCE)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def manifest_files(folder: Path) -> set[str]:
    listed = json.loads((folder / "manifest.json").read_text())["files"]
    return {f["path"] for f in listed} | {"manifest.json"}


def test_outputs_are_0644_under_umask_022(
    data: ReportData, tmp_path: Path, umask_022: None
) -> None:
    built = build(data, tmp_path, ["json", "markdown"])
    modes = {
        w.path.relative_to(tmp_path).as_posix(): stat.S_IMODE(w.path.stat().st_mode)
        for w in built.written
    }
    assert set(modes.values()) == {0o644}, modes
    assert "manifest.json" in modes


def test_modes_follow_a_stricter_umask(data: ReportData, tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        built = build(data, tmp_path, ["json"])
    finally:
        os.umask(old)
    assert {stat.S_IMODE(w.path.stat().st_mode) for w in built.written} == {0o600}


def test_fewer_formats_remove_the_earlier_builds_files(data: ReportData, tmp_path: Path) -> None:
    first = build(data, tmp_path, ["json", "markdown"])
    assert any(w.format == "markdown" for w in first.written)
    second = build(data, tmp_path, ["json"])
    assert files_in(tmp_path) == manifest_files(tmp_path)
    assert not (tmp_path / "markdown").exists()  # emptied by the removal, so removed too
    assert sorted(p.relative_to(tmp_path).parent.as_posix() for p in second.removed) == [
        "markdown"
    ] * len([w for w in first.written if w.format == "markdown"])
    assert second.kept == ()


def test_nothing_but_listed_unchanged_files_is_removed(data: ReportData, tmp_path: Path) -> None:
    build(data, tmp_path, ["json", "markdown"])
    mine = tmp_path / "markdown" / "notes.md"  # the user's own file, in no manifest
    mine.write_text("mine\n")
    edited = tmp_path / "markdown" / "index.md"  # ours, but edited since
    edited.write_text("edited by hand\n")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("not in the output folder\n")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    digest = manifest["files"][0]["sha256"]
    manifest["files"].append({"path": f"../{outside.name}", "sha256": digest})
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))

    second = build(data, tmp_path, ["json"])

    assert mine.read_text() == "mine\n"
    assert edited.read_text() == "edited by hand\n"
    assert outside.exists()
    assert second.kept == (tmp_path / "markdown" / "index.md",)
    assert files_in(tmp_path) == manifest_files(tmp_path) | {
        "markdown/notes.md",
        "markdown/index.md",
    }


def test_an_unreadable_earlier_manifest_removes_nothing(data: ReportData, tmp_path: Path) -> None:
    build(data, tmp_path, ["json", "markdown"])
    (tmp_path / "manifest.json").write_text("{ not json")
    second = build(data, tmp_path, ["json"])
    assert second.removed == ()
    assert (tmp_path / "markdown" / "index.md").exists()


@pytest.mark.slow
def test_a_new_release_replaces_the_pdf_of_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    runner = CliRunner()
    for release in ("v1", "v2"):
        result = runner.invoke(
            main,
            [
                "build",
                "--out",
                str(tmp_path),
                "--formats",
                "pdf",
                "--release",
                release,
                "--jobs",
                "1",
            ],
        )
        assert result.exit_code == 0, result.output
    assert sorted((tmp_path / "pdf").iterdir()) == [tmp_path / "pdf" / "MST-SEC-CM-v2.pdf"]
    assert files_in(tmp_path) == manifest_files(tmp_path)
    assert "removed " in result.stdout and "MST-SEC-CM-v1.pdf" in result.stdout


def test_the_library_leaves_the_garbage_collector_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(gc, "disable", lambda: calls.append("disable"))
    load(SOURCE)
    assert calls == []
    assert gc.isenabled()


def test_the_command_line_pauses_it_and_restores_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[bool] = []
    import reportgen.build as build_module

    real_check = build_module.check

    def watched(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real_check(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "check", watched)
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 1  # the shipped page has one error
    assert seen == [False]
    assert gc.isenabled()


def test_the_build_renders_with_it_paused_and_restores_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[tuple[str, bool]] = []
    import reportgen.build as build_module

    real_render = build_module._render_one

    def watched(fmt: str, *args: object, **kwargs: object) -> object:
        seen.append((fmt, gc.isenabled()))
        return real_render(fmt, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "_render_one", watched)
    monkeypatch.chdir(ROOT)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--formats", "json,markdown", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert seen == [("json", False), ("markdown", False)]
    assert gc.isenabled()
