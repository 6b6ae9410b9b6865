"""Hostile cells: nothing from the Markdown is evaluated, fetched or executed in any output.

One matrix carries formula, HTML, ``javascript:`` and template-injection payloads in every
free-text column, in a heading and in the page introduction. Each output is read back the way
its consumer reads it (JSON parsed, Markdown rendered to HTML like MkDocs does, the XLSX
zip's sheet XML and openpyxl cells, the PDF's text and its URL fetcher) and must show the
payload as the literal text it was.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook

from reportgen.build import load
from reportgen.bundle import ReportData
from reportgen.model import BuildInfo
from reportgen.render import RenderOptions, get_renderer

from .pdf_support import LAYOUTS, check_layout, force_layout

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "source" / "report.toml"

PAYLOADS = (
    '=HYPERLINK("http://127.0.0.1:1/x","y")',
    "@SUM(A1)",
    "+1+1",
    "-2+3",
    "<script>alert(1)</script>",
    "<img src=http://127.0.0.1:1/x>",
    "[x](javascript:alert(1))",
    "{{ 7*7 }}",
    "{% raw %}",
    "{{ config }}",
)

ROW = (
    "| {id} | {p} | Internet | HTTPS | {p} | Metal Control Plane | 443 | x | x | x |  "
    "| {p} | {p} |\n"
)
PAGE = (
    "# Communication Matrix\n\n"
    "Intro {{{{ 7*7 }}}} and <script>alert(2)</script>.\n\n"
    "**Legend**:\n\n- `C`: Confidentiality.\n- `I`: Integrity.\n- `Auth`: Authentication.\n"
    "- `Trust`: Trusted networks only.\n\n"
    "## Plain {{{{ 7*7 }}}} <b>metal-stack</b>\n\n"
    "| No. | Component | Source Zone | Protocol | Destination | Destination Zone | Port "
    "| C | I | Auth | Trust | Purpose | Notes |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    "{rows}\n"
    "### Used Technologies\n\n| Technology | Parties | Notes |\n|---|---|---|\n"
    "| {{% raw %}} | <script>alert(3)</script> | =1+1 |\n"
)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    rows = "".join(
        ROW.format(id=f"1.{i + 1}", p=p.replace("|", "\\|")) for i, p in enumerate(PAYLOADS)
    )
    source = tmp_path_factory.mktemp("hostile") / "communication-matrix.md"
    source.write_text(PAGE.format(rows=rows), encoding="utf-8")
    loaded = load(source, CONFIG, release="v0")
    build = BuildInfo(loaded.build.generator, datetime(2025, 1, 1, tzinfo=UTC), "v0")
    return ReportData(loaded.matrix, loaded.report, loaded.assessment, loaded.config, build)


def test_the_payloads_parse_as_plain_text(data: ReportData) -> None:
    flows = list(data.matrix.flows)
    assert [f.purpose for f in flows] == list(PAYLOADS)
    assert [f.notes for f in flows] == list(PAYLOADS)
    assert [f.component for f in flows] == list(PAYLOADS)


def test_json_keeps_every_payload_verbatim(data: ReportData) -> None:
    files = get_renderer("json")(data, RenderOptions())
    records = json.loads(files["records.json"])
    flows = [f for s in records["sections"] for f in s["flows"]]
    for field in ("component", "destination", "purpose", "notes"):
        assert [f[field] for f in flows] == list(PAYLOADS)
    assert records["sections"][0]["title"] == "Plain {{ 7*7 }} <b>metal-stack</b>"


OWN_HTML = re.compile(r'<a id="[a-z0-9-]+">|</a>')


def _markdown_html(page: str) -> str:
    """The page as MkDocs would turn it into HTML (raw HTML allowed, tables on)."""
    return str(MarkdownIt("commonmark", {"html": True}).enable("table").render(page))


def test_markdown_escapes_everything(data: ReportData) -> None:
    files = get_renderer("markdown")(data, RenderOptions())
    assert files
    seen = ""
    for name, payload in files.items():
        page = payload.decode("utf-8")
        # No template syntax survives for a downstream engine (mkdocs-macros, Jinja) to run.
        assert "{{" not in page and "{%" not in page, name
        tokens = MarkdownIt("commonmark", {"html": True}).enable("table").parse(page)
        for tok in tokens:
            assert tok.type not in {"html_block"}, (name, tok.content)
            for child in tok.children or ():
                assert child.type != "image", (name, child.content)
                if child.type == "html_inline":  # only the renderer's own anchors
                    assert OWN_HTML.fullmatch(child.content), (name, child.content)
                if child.type == "link_open":
                    href = str(child.attrGet("href") or "")
                    assert not href.casefold().startswith(("javascript:", "http://127.")), href
        rendered = _markdown_html(page)
        assert "<script" not in rendered and "<img" not in rendered, name
        hrefs = re.findall(r'href="([^"]*)"', rendered)
        assert not [h for h in hrefs if h.casefold().startswith("javascript:")], name
        seen += html.unescape(re.sub(r"<[^>]+>", "", rendered))
    for expected in PAYLOADS:
        assert expected in seen, expected
    assert "49" not in seen.replace("2025", "")


def test_xlsx_has_no_formula_and_keeps_payloads_as_text(data: ReportData) -> None:
    files = get_renderer("xlsx")(data, RenderOptions())
    assert "communication-matrix.xlsx" in files
    for name, payload in files.items():
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            for member in archive.namelist():
                if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                    xml = archive.read(member).decode("utf-8")
                    assert "<f>" not in xml and "<f " not in xml, (name, member)
                    for link in re.findall(r"<hyperlink [^>]*>", xml):
                        # internal links (finding <-> flow) only; no payload became a link
                        assert re.search(r'location="&apos;\w+&apos;!A\d+"', link) or (
                            re.search(r"location=\"'\w+'!A\d+\"", link)
                        ), link
                if member.startswith("xl/worksheets/_rels/"):
                    rels = archive.read(member).decode("utf-8")
                    for target in re.findall(r'Target="([^"]*)"', rels):
                        if "hyperlink" in rels and 'TargetMode="External"' in rels:
                            assert target.startswith(("https://", "http://", "mailto:")), target
            assert not any("externalLink" in m for m in archive.namelist()), name
    wb = load_workbook(io.BytesIO(files["communication-matrix.xlsx"]))
    ws = wb["Matrix"]
    header = [c.value for c in ws[1]]
    purpose = header.index("Purpose") + 1
    cells = [ws.cell(row=r, column=purpose) for r in range(2, 2 + len(PAYLOADS))]
    assert [c.value for c in cells] == list(PAYLOADS)
    for c in cells:
        assert c.data_type == "s", c.value
        if str(c.value).startswith(("=", "+", "-", "@")):
            assert c.quotePrefix, c.value
    assert all(not ws.cell(row=r, column=purpose).hyperlink for r in range(2, 12))
    tech = wb["Technologies"]
    values = [c.value for row in tech.iter_rows() for c in row]
    assert "{% raw %}" in values and "=1+1" in values


@pytest.mark.slow
@pytest.mark.parametrize("layout", LAYOUTS)
def test_pdf_prints_payloads_and_fetches_nothing(
    data: ReportData, tmp_path: Path, layout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfReader

    from reportgen.render.pdf import TemplateFetcher, assemble

    # The path users run: the report in parts, laid out by worker processes, each part with
    # the fetcher it builds itself.
    force_layout(monkeypatch, layout)
    result = assemble(data, RenderOptions(jobs=2))
    pdf = result.pdf
    check_layout(result.parts, layout)
    assert result.refused == ()
    assert result.served
    assert not [u for u in result.served if not u.startswith("file:")]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    squeezed = re.sub(r"\s+", "", text)
    for payload in PAYLOADS:
        assert re.sub(r"\s+", "", payload) in squeezed, payload
    assert "Plain{{7*7}}<b>metal-stack</b>" in squeezed
    fetcher = TemplateFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("http://127.0.0.1:1/x")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
