"""Bounded input and faults while writing: a full disk, a folder that refuses files, an
interrupt. After any of them the output folder holds exactly what it held before (byte for
byte, no temporary file), and the error names the file and the cause.

Tests run as root in CI, where ``chmod`` does not stop writes, so refusals are simulated by
making the filesystem calls raise the OSError the kernel would raise.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reportgen.build import build, load
from reportgen.bundle import ReportData
from reportgen.cli import main
from reportgen.errors import OutputError, SourceError

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "communication-matrix.md"
CONFIG = ROOT / "source" / "report.toml"
FORMATS = ("json", "markdown", "xlsx")


def generate(flows: int) -> str:
    """``benchmarks/generate.py``'s synthetic matrix (benchmarks is not a package)."""
    spec = importlib.util.spec_from_file_location("_generate", ROOT / "benchmarks/generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text: str = module.generate(flows)
    return text


# --- the size limit comes from the config ---------------------------------------------------


def _limited_config(tmp_path: Path, limit: int) -> Path:
    config = tmp_path / "limits.toml"
    config.write_text(CONFIG.read_text() + f"\n[limits]\nmax_source_bytes = {limit}\n")
    return config


def test_a_source_over_the_configured_limit_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "matrix.md"
    source.write_bytes(generate(5).encode())
    size = source.stat().st_size
    assert load(source, _limited_config(tmp_path, size)).matrix.sections  # at the limit: fine
    with pytest.raises(SourceError) as caught:
        load(source, _limited_config(tmp_path, size - 1))
    message = str(caught.value)
    assert str(source) in message
    assert f"the file is {size:,} bytes, over the limit of {size - 1:,} bytes" in message
    assert "max_source_bytes" in message


def test_the_cli_refuses_it_with_exit_2(tmp_path: Path) -> None:
    source = tmp_path / "matrix.md"
    source.write_bytes(generate(5).encode())
    config = _limited_config(tmp_path, 1000)
    for command in ("validate", "build"):
        args = [command, str(source), "--config", str(config)]
        if command == "build":
            args += ["--out", str(tmp_path / "out"), "--formats", "json", "--quiet"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, (command, result.output)
        assert "over the limit of 1,000 bytes" in result.stderr
        assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


# --- faults while writing -------------------------------------------------------------------


@pytest.fixture(scope="module")
def data() -> ReportData:
    return load(SOURCE, CONFIG, release="v1")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden and temporary ones included) with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture()
def earlier(data: ReportData, tmp_path: Path) -> tuple[Path, dict[str, bytes], ReportData]:
    """An output folder from an earlier build, and data whose outputs differ from it."""
    out = tmp_path / "output"
    build(data, out, FORMATS)
    before = snapshot(out)
    assert len(before) > 10 and not any(name.endswith(".tmp") for name in before)
    newer = replace(data, build=replace(data.build, release="v2"))
    return out, before, newer


class _FullDisk:
    """A file object that takes part of the payload and then fails like a full disk."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def write(self, payload: bytes) -> int:
        self.handle.write(payload[: len(payload) // 2])
        self.handle.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self) -> None:
        self.handle.flush()

    def fileno(self) -> int:
        return int(self.handle.fileno())


def _on_call(n: int, real: Callable[..., Any], fault: Callable[..., Any]) -> Callable[..., Any]:
    """``real`` for the first n-1 calls, ``fault`` from the n-th on."""
    calls = [0]

    def patched(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return fault(*args, **kwargs) if calls[0] >= n else real(*args, **kwargs)

    return patched


def _full_disk_from(n: int) -> Callable[..., Any]:
    real = os.fdopen
    return _on_call(n, real, lambda *a, **k: _FullDisk(real(*a, **k)))


def _raise(exc: BaseException) -> Callable[..., Any]:
    def fault(*args: Any, **kwargs: Any) -> Any:
        raise exc

    return fault


def test_a_full_disk_replaces_nothing(
    earlier: tuple[Path, dict[str, bytes], ReportData], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before, newer = earlier
    monkeypatch.setattr(os, "fdopen", _full_disk_from(4))  # the fourth file fails half-way
    with pytest.raises(OutputError) as caught:
        build(newer, out, FORMATS)
    message = str(caught.value)
    assert "No space left on device" in message
    assert message.startswith(str(out / "json")) or message.startswith(str(out / "markdown"))
    assert "earlier outputs left as they were" in message
    assert snapshot(out) == before


def test_a_folder_that_refuses_new_files_replaces_nothing(
    earlier: tuple[Path, dict[str, bytes], ReportData], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``chmod 0o500`` on a format folder does for a non-root user: creating the
    temporary file fails with EACCES."""
    out, before, newer = earlier
    denied = PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    monkeypatch.setattr(tempfile, "mkstemp", _on_call(3, tempfile.mkstemp, _raise(denied)))
    with pytest.raises(OutputError) as caught:
        build(newer, out, FORMATS)
    assert "cannot write: Permission denied" in str(caught.value)
    assert snapshot(out) == before


def test_a_refused_rename_leaves_no_temporary_file(
    earlier: tuple[Path, dict[str, bytes], ReportData], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before, newer = earlier
    denied = PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    monkeypatch.setattr(Path, "replace", _raise(denied))
    with pytest.raises(OutputError) as caught:
        build(newer, out, FORMATS)
    assert "Permission denied" in str(caught.value)
    assert snapshot(out) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_for_real(
    earlier: tuple[Path, dict[str, bytes], ReportData],
) -> None:
    out, before, newer = earlier
    (out / "markdown").chmod(0o500)
    try:
        with pytest.raises(OutputError) as caught:
            build(newer, out, FORMATS)
    finally:
        (out / "markdown").chmod(0o700)
    assert "Permission denied" in str(caught.value)
    assert snapshot(out) == before


def test_an_interrupt_while_rendering_writes_nothing(
    earlier: tuple[Path, dict[str, bytes], ReportData], monkeypatch: pytest.MonkeyPatch
) -> None:
    import reportgen.render.xlsx as xlsx

    out, before, newer = earlier
    monkeypatch.setattr(xlsx, "render", _raise(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        build(newer, out, FORMATS)
    assert snapshot(out) == before


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 3.0])
def test_an_interrupt_stops_the_pdf_workers(
    earlier: tuple[Path, dict[str, bytes], ReportData],
    monkeypatch: pytest.MonkeyPatch,
    delay: float,
) -> None:
    """With --jobs 2 the PDF's parts are laid out in worker processes while the other
    formats render here (the Markdown pages) or in a worker after the parts (the
    workbooks); an interrupt here (before the parts are handed over, or while the workers
    lay them out) ends the build with no worker left running and nothing written."""
    import multiprocessing
    import time

    import reportgen.render.markdown as markdown

    def interrupted(*args: object) -> object:
        time.sleep(delay)
        raise KeyboardInterrupt

    out, before, newer = earlier
    monkeypatch.setattr(markdown, "render", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(newer, out, (*FORMATS, "pdf"), jobs=2)
    assert multiprocessing.active_children() == []
    assert snapshot(out) == before


@pytest.mark.parametrize("at", [1, 5])
def test_an_interrupt_while_writing_replaces_nothing(
    earlier: tuple[Path, dict[str, bytes], ReportData],
    monkeypatch: pytest.MonkeyPatch,
    at: int,
) -> None:
    out, before, newer = earlier
    monkeypatch.setattr(os, "fsync", _on_call(at, os.fsync, _raise(KeyboardInterrupt())))
    with pytest.raises(KeyboardInterrupt):
        build(newer, out, FORMATS)
    assert snapshot(out) == before


def test_a_fresh_folder_stays_empty_after_a_fault(
    data: ReportData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "fresh"
    monkeypatch.setattr(os, "fdopen", _full_disk_from(2))
    with pytest.raises(OutputError):
        build(data, out, FORMATS)
    assert snapshot(out) == {}


def test_the_cli_reports_a_full_disk_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "output"
    args = ["build", str(SOURCE), "--config", str(CONFIG), "--out", str(out), "--quiet"]
    assert CliRunner().invoke(main, [*args, "--formats", "json"]).exit_code == 0
    before = snapshot(out)
    monkeypatch.setattr(os, "fdopen", _full_disk_from(3))
    result = CliRunner().invoke(main, [*args, "--formats", "json,markdown", "--release", "v9"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"reportgen: error: {out}/")
    assert "cannot write: No space left on device" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(out) == before
