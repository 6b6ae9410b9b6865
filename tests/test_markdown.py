"""The Markdown renderer: snapshots of every page, and structure read back through the two
Markdown engines that matter (markdown-it-py in GFM mode, Python-Markdown as MkDocs runs it)."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import markdown as pymarkdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from reportgen.inline import plain, spans
from reportgen.model import Section
from reportgen.render import RenderOptions, get_renderer
from reportgen.render.markdown import escape, render

from ._docs_data import metal_stack, report_data

PAGES = [
    "index.md",
    "plain.md",
    "sonic.md",
    "gardener.md",
    "cluster-api.md",
    "lightbits.md",
    "findings.md",
]


class Tables(HTMLParser):
    """Collects tables as lists of rows of cell texts; also records every start tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.tags: list[str] = []
        self.links: list[str] = []
        self._cell: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.tables[-1].append([])
        elif tag == "td" and self._in_body:
            self._cell = []
        elif tag == "a":
            self.links.extend(v or "" for k, v in attrs if k == "href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def gfm(text: str) -> Tables:
    parser = Tables()
    parser.feed(MarkdownIt("commonmark").enable("table").enable("strikethrough").render(text))
    return parser


def mkdocs_html(text: str) -> Tables:
    parser = Tables()
    parser.feed(pymarkdown.markdown(text, extensions=["tables", "toc", "attr_list"]))
    return parser


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return {k: v.decode("utf-8") for k, v in render(metal_stack(), RenderOptions()).items()}


def test_registered_as_the_markdown_format() -> None:
    assert get_renderer("markdown") is render


def test_page_names(pages: dict[str, str]) -> None:
    assert sorted(pages) == sorted(PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_snapshot(pages: dict[str, str], name: str, snapshot: object) -> None:
    assert pages[name] == snapshot


def test_deterministic() -> None:
    assert render(metal_stack(), RenderOptions()) == render(metal_stack(), RenderOptions())


@pytest.mark.parametrize("engine", [gfm, mkdocs_html])
@pytest.mark.parametrize(
    ("slug", "count"),
    [("plain", 52), ("sonic", 9), ("gardener", 13), ("cluster-api", 3), ("lightbits", 6)],
)
def test_one_row_per_flow(pages: dict[str, str], engine: object, slug: str, count: int) -> None:
    data = metal_stack()
    html = engine(pages[f"{slug}.md"])  # type: ignore[operator]
    flows_table = html.tables[0]
    assert len(flows_table) == count
    section = data.matrix.section(slug)
    assert [row[0] for row in flows_table] == [f.id for f in section.flows]
    assert {len(row) for row in flows_table} == {14}
    # canonical zones: "Leaf Switches" is shown as "Switches"
    for row, flow in zip(flows_table, section.flows, strict=True):
        assert row[2] == (flow.source_zone.canonical or f"{flow.source_zone.text} ⚠")
        assert row[7] == flow.confidentiality.symbol
    if section.technologies:
        assert [r[0] for r in html.tables[1]] == [t.name for t in section.technologies]


def test_finding_links_resolve(pages: dict[str, str]) -> None:
    findings_html = mkdocs_html(pages["findings.md"])
    ids = set(re.findall(r'<a id="([^"]+)"></a>', pages["findings.md"]))
    flow_ids = {
        (name, anchor)
        for name, text in pages.items()
        for anchor in re.findall(r'<a id="([^"]+)"></a>', text)
    }
    sonic = mkdocs_html(pages["sonic.md"])
    finding_links = [h for h in sonic.links if h.startswith("findings.md#")]
    assert finding_links, "the SONiC page links its findings"
    assert all(h.split("#", 1)[1] in ids for h in finding_links)
    flow_links = [h for h in findings_html.links if ".md#flow-" in h]
    assert len(flow_links) == 2 * len(metal_stack().assessment.findings)
    assert all(tuple(h.split("#", 1)) in flow_ids for h in flow_links)


HOSTILE = [
    "a | b",
    "a \\| b",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "![img](http://example.invalid/x.png)",
    "`code | pipe`",
    "line one\nline two\r\n| x | y |",
    "# heading",
    "- item",
    "1. item",
    ":::danger",
    "&lt;b&gt; &amp;",
    "{jsx}",
    "**bold** _it_ ~~del~~",
    "\\",
]


@pytest.mark.parametrize("engine", [gfm, mkdocs_html])
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_cell_text_keeps_the_row(engine: object, text: str) -> None:
    data = metal_stack()
    section = data.matrix.sections[1]
    first = replace(section.flows[0], component=text, purpose=text, notes=text, destination=text)
    hostile_section = replace(section, flows=(first, *section.flows[1:]))
    matrix = replace(
        data.matrix, sections=(data.matrix.sections[0], hostile_section, *data.matrix.sections[2:])
    )
    page = render(report_data(matrix, data.config), RenderOptions())["sonic.md"].decode()
    html = engine(page)  # type: ignore[operator]
    rows = html.tables[0]
    assert len(rows) == len(section.flows)
    assert len(rows[0]) == 14
    expected = " ".join(text.split())
    assert rows[0][1] == expected  # component (plain text), read back exactly
    # purpose holds inline Markdown: the reader sees its text (links, code rendered)
    assert rows[0][11] == " ".join(plain(spans(text)).split())
    assert "script" not in html.tags and "img" not in html.tags
    assert not any(h.startswith("javascript:") for h in html.links)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40))
def test_escape_round_trips_through_a_table_cell(text: str) -> None:
    table = f"| a | b |\n| --- | --- |\n| {escape(text)} | end |\n"
    html = gfm(table)
    assert html.tables[0] == [[" ".join(text.split()), "end"]]
    assert html.tags.count("td") == 2


def test_templates_can_be_overridden(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path)) / "markdown"
    folder.mkdir()
    (folder / "_key.md.j2").write_text("KEY {{ '<b>' }}\n", encoding="utf-8")
    out = render(metal_stack(), RenderOptions(templates=Path(str(tmp_path))))
    assert "KEY &lt;b&gt;" in out["sonic.md"].decode()  # overridden, and still escaped
    assert "# Findings" in out["findings.md"].decode()  # other templates still packaged


def test_unknown_zone_is_marked() -> None:
    data = metal_stack()
    sec: Section = data.matrix.sections[1]
    flow = sec.flows[0]
    odd = replace(flow, source_zone=replace(flow.source_zone, text="Moon | Base", canonical=None))
    matrix = replace(
        data.matrix,
        sections=(
            data.matrix.sections[0],
            replace(sec, flows=(odd, *sec.flows[1:])),
            *data.matrix.sections[2:],
        ),
    )
    page = render(report_data(matrix, data.config), RenderOptions())["sonic.md"].decode()
    assert gfm(page).tables[0][0][2] == "Moon | Base ⚠"
    assert "Zones not in the configuration" in page


def test_flavors_front_matter_and_admonitions() -> None:
    data = metal_stack()
    mkdocs = render(data, RenderOptions())["index.md"].decode()
    doc = replace(data.config.document, markdown_flavor="docusaurus")
    docu = render(replace(data, config=replace(data.config, document=doc)), RenderOptions())
    index = docu["index.md"].decode()
    for page in (mkdocs, index):  # the source's front matter is kept
        assert page.startswith(
            "---\nslug: /communication-matrix\ntitle: Communication Matrix\n---\n"
        )
    assert re.search(r"^!!! info\n    Generated by ", mkdocs, re.M)
    assert re.search(r"^:::info\nGenerated by .*\n:::$", index, re.M)
    assert "!!!" not in "".join(p.decode() for p in docu.values())


def test_cli_flavor_option(tmp_path: object) -> None:
    from pathlib import Path

    from click.testing import CliRunner

    from reportgen.cli import main

    out = Path(str(tmp_path)) / "out"
    result = CliRunner().invoke(
        main, ["build", "--formats", "markdown", "--flavor", "docusaurus", "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    assert ":::info" in (out / "markdown" / "index.md").read_text(encoding="utf-8")


def test_no_link_syntax_or_backticks_reach_the_site(pages: dict[str, str]) -> None:
    """Cells' and prose's inline Markdown is rendered: the HTML's text shows no ``](`` and no
    backticks, and the legend's `x` is code."""
    for name, page in pages.items():
        html = pymarkdown.markdown(page, extensions=["tables", "toc", "attr_list", "admonition"])
        text = re.sub(r"<[^>]+>", "", html)
        assert "](" not in text, name
        assert "`" not in text, name
    assert "<code>x</code>" in pymarkdown.markdown(pages["index.md"], extensions=["tables"])
