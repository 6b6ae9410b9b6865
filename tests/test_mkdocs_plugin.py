"""The MkDocs plugin in a temporary docs project: only mkdocs.yml, a source and report.toml."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

_PROBE = (
    "from importlib.metadata import entry_points as e; "
    "raise SystemExit(0 if 'reportgen' in {p.name for p in e(group='mkdocs.plugins')} else 1)"
)
# Probe from a neutral folder: run from the checkout, a stray reportgen.egg-info in the
# working folder would make the entry point look installed when it is not.
if subprocess.run([sys.executable, "-c", _PROBE], cwd="/", check=False).returncode != 0:
    pytest.skip(
        "the reportgen package is not installed (entry point missing)", allow_module_level=True
    )


class Rows(HTMLParser):
    """Counts body rows of the first table and collects all <td> texts of its first column."""

    def __init__(self) -> None:
        super().__init__()
        self.tables = 0
        self.first: list[str] = []
        self._body = False
        self._col = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables += 1
        elif tag == "tbody" and self.tables == 1:
            self._body = True
        elif tag == "tr" and self._body:
            self._col = 0
        elif tag == "td" and self._body:
            self._col += 1
            self._cell = [] if self._col == 1 else None

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.first.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tbody":
            self._body = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _project(tmp_path: Path, extra: str = "", source: str | None = None) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "about.md").write_text("# About\n\nHand-written page.\n")
    src = tmp_path / "matrix-src"
    src.mkdir()
    if source is None:
        shutil.copy(ROOT / "source" / "communication-matrix.md", src / "matrix.md")
    else:
        (src / "matrix.md").write_text(source, encoding="utf-8")
    shutil.copy(ROOT / "source" / "report.toml", src / "report.toml")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Test\n"
        "plugins:\n"
        "  - search\n"
        "  - reportgen:\n"
        "      source: matrix-src/matrix.md\n"
        "      folder: published\n" + extra,
        encoding="utf-8",
    )
    return tmp_path


def _build(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *args],
        cwd=project,
        capture_output=True,
        text=True,
        # PYTHONPATH: the checkout's reportgen wins over another installed copy, as in pytest
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "SOURCE_DATE_EPOCH": "1759924800",
            "NO_MKDOCS_2_WARNING": "1",
            "HOME": str(project),
        },
        check=False,
    )


@pytest.mark.slow
def test_builds_the_section_pages(tmp_path: Path) -> None:
    project = _project(tmp_path, "      fail_on: never\n")
    result = _build(project, "--strict")
    assert result.returncode == 0, result.stderr
    site = project / "site" / "published"
    counts = {"plain": 52, "sonic": 9, "gardener": 13, "cluster-api": 3, "lightbits": 6}
    for slug, count in counts.items():
        parser = Rows()
        parser.feed((site / slug / "index.html").read_text(encoding="utf-8"))
        assert len(parser.first) == count, slug
    parser = Rows()
    parser.feed((site / "sonic" / "index.html").read_text(encoding="utf-8"))
    assert parser.first[:3] == ["S1.1", "S1.2", "S2.1"]
    assert (site / "index.html").is_file() and (site / "findings" / "index.html").is_file()
    assert not list((project / "docs").glob("published*")), "nothing written into docs/"
    index = json.loads((project / "site" / "search" / "search_index.json").read_text())
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    for slug in counts:
        assert f"published/{slug}/" in locations
    assert "published/findings/" in locations
    titles = {doc["title"] for doc in index["docs"]}
    assert "With SONiC" in titles


class Navigation(HTMLParser):
    """Links inside the Material theme's primary navigation and its table of contents."""

    def __init__(self) -> None:
        super().__init__()
        self.depth: dict[str, int] = {"primary": 0, "toc": 0}
        self.links: dict[str, list[str]] = {"primary": [], "toc": []}
        self.hidden = False
        self._stack: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "img", "input", "meta", "link", "hr", "path"}:
            return
        classes = (dict(attrs).get("class") or "").split()
        kind = (
            "primary"
            if "md-sidebar--primary" in classes
            else "toc"
            if "md-sidebar--secondary" in classes
            else None
        )
        if kind and "hidden" in dict(attrs):
            self.hidden = True
        self._stack.append(kind)
        if kind:
            self.depth[kind] += 1
        if tag == "a":
            for name, depth in self.depth.items():
                if depth:
                    self.links[name].append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"br", "img", "input", "meta", "link", "hr", "path"} or not self._stack:
            return
        kind = self._stack.pop()
        if kind:
            self.depth[kind] -= 1


@pytest.mark.slow
def test_section_pages_keep_the_navigation(tmp_path: Path) -> None:
    """With the Material theme (as the project's own site), a section page keeps the site
    navigation (links to the other pages) and its table of contents."""
    project = _project(tmp_path, "      fail_on: never\ntheme:\n  name: material\n")
    result = _build(project)
    assert result.returncode == 0, result.stderr
    page = (project / "site" / "published" / "plain" / "index.html").read_text(encoding="utf-8")
    nav = Navigation()
    nav.feed(page)
    assert not nav.hidden
    assert any(h.endswith("sonic/") for h in nav.links["primary"]), nav.links["primary"]
    assert any(h.endswith("findings/") for h in nav.links["primary"])
    assert any(h.endswith("about/") for h in nav.links["primary"])
    assert "#flows" in nav.links["toc"] and "#findings" in nav.links["toc"]


@pytest.mark.slow
def test_error_fails_with_location_and_warning_fails_strict(tmp_path: Path) -> None:
    # The upstream page has one error (duplicate 10.2) and several warnings.
    project = _project(tmp_path)
    result = _build(project)
    assert result.returncode != 0
    assert "matrix-src/matrix.md:61:3: error duplicate-flow-id" in result.stderr


@pytest.mark.slow
def test_warnings_are_mkdocs_warnings(tmp_path: Path) -> None:
    text = (ROOT / "source" / "communication-matrix.md").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    fixed = "".join([*lines[:60], lines[60].replace("| 10.2 |", "| 10.3 |", 1), *lines[61:]])
    assert fixed != text
    project = _project(tmp_path, source=fixed)
    assert _build(project).returncode == 0  # warnings only: a plain build publishes
    strict = _build(project, "--strict")
    assert strict.returncode != 0
    assert "warning zone-spelling" in strict.stderr
    assert "matrix-src/matrix.md:68:" in strict.stderr


@pytest.mark.slow
def test_pages_option_limits_output(tmp_path: Path) -> None:
    project = _project(tmp_path, "      fail_on: never\n      pages: [sections]\n")
    result = _build(project, "--strict")
    assert result.returncode == 0, result.stderr
    site = project / "site" / "published"
    assert (site / "sonic" / "index.html").is_file()
    assert not (site / "findings").exists()
    assert not (site / "index.html").exists()


@pytest.mark.slow
def test_missing_source_fails(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "matrix-src" / "matrix.md").unlink()
    result = _build(project)
    assert result.returncode != 0
    assert "matrix-src/matrix.md" in result.stderr
