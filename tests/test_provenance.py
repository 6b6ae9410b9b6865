"""No path of the build machine in any output: the source is named relative to its repository,
the repository is its remote without credentials (or nothing), and the outputs are the same
bytes whether SOURCE was typed relative or absolute, from inside the checkout or outside."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.provenance import public_remote, source_path

ROOT = Path(__file__).resolve().parent.parent
GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")

ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "HOME": "/nonexistent",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
    "GIT_AUTHOR_DATE": "2025-10-08T12:00:00Z",
    "GIT_COMMITTER_DATE": "2025-10-08T12:00:00Z",
    "SOURCE_DATE_EPOCH": "1759924800",
    "PYTHONPATH": str(ROOT),
}


def _git(repo: Path, *args: str) -> None:
    assert GIT is not None
    subprocess.run([GIT, "-C", str(repo), *args], check=True, capture_output=True, env=ENV)


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("build-machine-home") / "checkout"
    (repo / "docs").mkdir(parents=True)
    shutil.copy(ROOT / "source" / "communication-matrix.md", repo / "docs" / "matrix.md")
    shutil.copy(ROOT / "source" / "report.toml", repo / "docs" / "report.toml")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "remote", "add", "origin", "https://bot:s3cr3t@git.example.org/org/docs.git")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "matrix")
    return repo


def _build(cwd: Path, source: str, out: Path) -> dict[str, bytes]:
    command = [sys.executable, "-m", "reportgen", "build", source, "--out", str(out), "-q"]
    done = subprocess.run(
        [*command, "--formats", "json,markdown,xlsx"],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def test_same_bytes_from_anywhere_and_no_machine_path(checkout: Path, tmp_path: Path) -> None:
    inside = _build(checkout, "docs/matrix.md", tmp_path / "a")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outside = _build(elsewhere, str(checkout / "docs" / "matrix.md"), tmp_path / "b")
    from_sub = _build(checkout / "docs", "./matrix.md", tmp_path / "c")
    assert inside.keys() == outside.keys() == from_sub.keys()
    assert any(name.endswith(".xlsx") for name in inside)
    for name in inside:
        assert inside[name] == outside[name] == from_sub[name], name
    text = b"".join(blob for name, blob in inside.items() if not name.endswith(".xlsx")).decode(
        "utf-8"
    )
    assert str(checkout.parent) not in text and "build-machine-home" not in text
    assert "s3cr3t" not in text and "bot@" not in text
    assert "docs/matrix.md" in text  # relative to the repository root
    assert "https://git.example.org/org/docs.git" in text


def test_source_path_and_remote_rules(checkout: Path, tmp_path: Path) -> None:
    assert source_path(checkout / "docs" / "matrix.md") == "docs/matrix.md"
    loose = tmp_path / "loose.md"
    loose.write_text("# x\n", encoding="utf-8")
    assert source_path(loose) == "loose.md"  # outside any checkout and the working folder
    assert public_remote("https://u:p@host.example/org/r.git") == "https://host.example/org/r.git"
    assert public_remote("git@github.com:metal-stack/docs.git") == (
        "git@github.com:metal-stack/docs.git"
    )
    for local in ("/srv/git/docs.git", "../docs", "file:///srv/git/docs.git", "C:\\git\\x"):
        assert public_remote(local) is None, local
