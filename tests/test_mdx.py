"""The Markdown pages compiled as MDX, as a Docusaurus site compiles them: ``@mdx-js/mdx`` with
``remark-gfm``, run by node (``tests/mdx/``, installed with ``npm ci`` by ``scripts/setup.sh
--test``). The same pages are read back through markdown-it (GFM tables and autolinks) too."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from reportgen.build import load
from reportgen.bundle import ReportData
from reportgen.model import BuildInfo
from reportgen.ordering import natural_key
from reportgen.render import RenderOptions
from reportgen.render.markdown import render

from ._docs_data import metal_stack

ROOT = Path(__file__).resolve().parent.parent
MDX = ROOT / "tests" / "mdx"
CONFIG = ROOT / "source" / "report.toml"

NODE = shutil.which("node")
if NODE is None or not (MDX / "node_modules" / "@mdx-js" / "mdx").is_dir():
    pytest.skip(
        "MDX check skipped: node and tests/mdx/node_modules are needed "
        "(scripts/setup.sh --test installs nodejs and npm and runs `npm ci` in tests/mdx)",
        allow_module_level=True,
    )


def docusaurus(data: ReportData) -> ReportData:
    doc = dataclasses.replace(data.config.document, markdown_flavor="docusaurus")
    return dataclasses.replace(data, config=dataclasses.replace(data.config, document=doc))


def compile_mdx(pages: dict[str, bytes], folder: Path) -> dict[str, dict[str, str | None]]:
    for name, content in pages.items():
        (folder / name).write_bytes(content)
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(MDX / "compile.mjs"), *(str(folder / name) for name in sorted(pages))],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    results = [json.loads(line) for line in done.stdout.splitlines()]
    return {Path(r["file"]).name: r for r in results}


class Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.tags: list[str] = []
        self.cells: list[str] = []
        self._href: str | None = None
        self._label: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a" and dict(attrs).get("href"):
            self._href, self._label = dict(attrs)["href"], []
        elif tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._label)))
            self._href = None
        elif tag == "td" and self._cell is not None:
            self.cells.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._href is not None:
            self._label.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parsed(html: str) -> Html:
    parser = Html()
    parser.feed(html)
    return parser


def markdown_it(text: str) -> Html:
    engine = MarkdownIt("commonmark", {"linkify": True}).enable(["table", "linkify"])
    return parsed(engine.render(text))


def test_every_page_compiles_as_mdx(tmp_path: Path) -> None:
    pages = render(docusaurus(metal_stack()), RenderOptions())
    results = compile_mdx(pages, tmp_path)
    assert set(results) == set(pages)
    errors = {name: r["error"] for name, r in results.items() if r["error"]}
    assert errors == {}
    assert (
        results["index.md"]["frontMatter"]
        == "slug: /communication-matrix\ntitle: Communication Matrix"
    )
    index = parsed(str(results["index.md"]["html"]))
    assert "admonition" not in "".join(index.text)  # :::info is a directive, not text
    sonic = parsed(str(results["sonic.md"]["html"]))
    assert ("findings.md#finding-datastore-noauth-s1-2", "DATASTORE-NOAUTH") in sonic.links


def test_findings_are_in_natural_order(tmp_path: Path) -> None:
    data = metal_stack()
    page = render(data, RenderOptions())["findings.md"].decode()
    rows = re.findall(r"^\| \[([^\]]+)\]\(#finding-[^)]*\) \| ([^|]+) \|", page, re.M)
    assert len(rows) == len(data.assessment.findings)
    order = [level.title for level in type(data.assessment.findings[0].severity)]
    keys = [
        (order.index(severity.strip()), natural_key(fid.split(":", 1)[1].replace("&#126;", "~")))
        for fid, severity in rows
    ]
    assert keys == sorted(keys), "severity, then the flow id in natural order"
    plain_ids = [k for k in (fid.split(":", 1)[1] for fid, _ in rows) if k[0].isdigit()]
    assert plain_ids.index("8.1") < plain_ids.index("12.1")


HOSTILE_INTRO = (
    "import React from 'react'\n\n"
    "export const x = 1\n\n"
    "Braces {x} and {{y}}, <T> and &lt;z&gt;, $5 and $$a$$, see https://x.example/{v}/a "
    "and [the docs](https://x.example/p/{id}?q=<1>) or `code {c} <d>`."
)
HOSTILE_CELL = "import x {y} <T> $a https://x.example/{v} [l](https://x.example/{w}) `{c}`"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    page = (
        "# Matrix\n\n" + HOSTILE_INTRO + "\n\n"
        "**Legend**:\n\n- `C`: Confidentiality.\n- `I`: Integrity.\n- `Auth`: Auth.\n"
        "- `Trust`: Trusted.\n\n## Plain\n\n" + HOSTILE_INTRO + "\n\n"
        "| No. | Component | Source Zone | Protocol | Destination | Destination Zone | Port "
        "| C | I | Auth | Trust | Purpose | Notes |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        f"| 1.1 | {{a}} <b> | Internet | HTTPS | $x | Metal Control Plane | 443 | x | x | x |  "
        f"| {HOSTILE_CELL} | import y |\n"
    )
    source = tmp_path_factory.mktemp("mdx") / "communication-matrix.md"
    source.write_text(page, encoding="utf-8")
    loaded = load(source, CONFIG, release="v0")
    build = BuildInfo("reportgen test", loaded.build.build_time, "v0")
    return ReportData(loaded.matrix, loaded.report, loaded.assessment, loaded.config, build)


def _check_hostile(html: Html, engine: str) -> None:
    text = " ".join("".join(html.text).split())
    for literal in ("Braces {x} and {{y}}", "<T> and <z>", "$5 and $$a$$", "React from"):
        assert literal in text, (engine, literal)
    hrefs = dict(html.links)
    assert "https://x.example/%7Bv%7D/a" in hrefs, (engine, html.links)
    assert ("https://x.example/p/%7Bid%7D?q=%3C1%3E", "the docs") in html.links, engine
    assert "code" in html.tags
    assert "script" not in html.tags and "T" not in html.tags and "t" not in html.tags
    (row,) = [c for c in [html.cells] if c]
    assert row[1] == "{a} <b>", engine
    assert row[4] == "$x", engine
    assert row[11] == "import x {y} <T> $a https://x.example/{v} l {c}", engine
    assert ("https://x.example/%7Bw%7D", "l") in html.links
    assert row[12] == "import y"


def test_hostile_source_in_markdown_it_and_mdx(hostile: ReportData, tmp_path: Path) -> None:
    pages = render(docusaurus(hostile), RenderOptions())
    results = compile_mdx({"plain.md": pages["plain.md"]}, tmp_path)
    assert results["plain.md"]["error"] is None, results["plain.md"]["error"]
    _check_hostile(parsed(str(results["plain.md"]["html"])), "mdx")
    _check_hostile(markdown_it(pages["plain.md"].decode()), "markdown-it")
