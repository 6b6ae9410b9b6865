"""The PDF report: content read back from the PDF, PDF/A-3a and its tags, attachments, fonts,
safety.

Rendering takes seconds on a small machine, so the real v0.21.11 report is rendered once per
module (``report``) and shared; only the reproducibility and the untrusted-content tests render
again.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from reportgen.bundle import ReportData
from reportgen.model import Finding, Level
from reportgen.render import RenderOptions
from reportgen.render.pdf import (
    PDF_TEMPLATES,
    TEMPLATES_ROOT,
    TemplateFetcher,
    assemble,
    attachments,
    environment,
    pdf_name,
    render,
    safe_name,
)
from reportgen.render.pdf.context import anchor

from .pdf_support import CONFIG, LAYOUTS, SOURCE, check_layout, force_layout, load_report_data

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Rendered:
    data: ReportData
    name: str
    pdf: bytes
    path: Path
    pages: list[str]
    """Text of each page (pdftotext, layout order)."""
    landscape: list[int]
    """Indexes of the landscape pages (the matrix chapters)."""


def _page_texts(path: Path) -> list[str]:
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            check=True,
            capture_output=True,
        ).stdout.decode("utf-8")
        pages = out.split("\f")
        return pages[:-1] if pages and not pages[-1].strip() else pages
    return [page.extract_text() for page in PdfReader(path).pages]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    data = load_report_data()
    files = render(data, RenderOptions())
    assert len(files) == 1
    ((name, pdf),) = files.items()
    path = tmp_path_factory.mktemp("pdf") / name
    path.write_bytes(pdf)
    landscape = [
        i
        for i, page in enumerate(PdfReader(path).pages)
        if float(page.mediabox.width) > float(page.mediabox.height)
    ]
    return Rendered(data, name, pdf, path, _page_texts(path), landscape)


def _squeeze(text: str) -> str:
    """Text without whitespace: table cells wrap long ids across lines."""
    return re.sub(r"\s+", "", text)


def test_file_name_is_document_id_and_release(report: Rendered) -> None:
    assert report.name == "MST-SEC-CM-v0.21.11.pdf"
    assert report.pdf.startswith(b"%PDF-1.7")


def test_safe_name_keeps_only_safe_characters() -> None:
    assert safe_name("../../etc/passwd") == "etc-passwd"
    assert safe_name("v1.0 beta/2") == "v1.0-beta-2"
    assert safe_name("...") == "report"


def test_every_flow_id_and_medium_finding_is_in_the_text(report: Rendered) -> None:
    text = "\n".join(report.pages)
    flows = list(report.data.matrix.flows)
    assert len(flows) == 83
    # Flow ids stand in the first column of the landscape matrix pages.
    matrix_text = "\n".join(report.pages[i] for i in report.landscape)
    assert any("13.1 Plain metal-stack" in report.pages[i] for i in report.landscape)
    row_starts = set(re.findall(r"^\s*([A-Z]?\d+\.\d+)\b", matrix_text, flags=re.MULTILINE))
    missing = sorted({f.label for f in flows} - row_starts)
    assert missing == []
    worst = [f for f in report.data.assessment.findings if f.severity is Level.MEDIUM]
    assert worst, "the v0.21.11 matrix has medium findings (and no high one)"
    # Each is in the register: its evidence in the text, its anchor a named destination (the
    # register prints the id itself only where the flow's id is not unique).
    squeezed = _squeeze(text)
    assert [f.id for f in worst if _squeeze(f.evidence.replace("`", "")) not in squeezed] == []
    with pikepdf.open(report.path) as pdf:
        flat = pdf.Root.Names.Dests.Names
        dests = {str(flat[k]) for k in range(0, len(flat), 2)}
    assert [f.id for f in worst if anchor("finding", f.id) not in dests] == []


def test_every_page_has_header_and_footer(report: Rendered) -> None:
    doc = report.data.config.document
    total = len(report.pages)
    assert total == len(PdfReader(report.path).pages)
    assert total > 20
    for number, page in enumerate(report.pages, start=1):
        assert doc.document_id in page, f"page {number}"
        assert f"page {number} of {total}" in page, f"page {number}"
        assert doc.classification.upper() in page, f"page {number}"


def test_contents_in_order_with_page_numbers(report: Rendered) -> None:
    text = "\n".join(report.pages)
    chapters = [
        "1 Document control",
        "Contents",
        "2 Management summary",
        "3 Scope",
        "4 Method",
        "5 Risk rating scheme",
        "6 Assumptions and limitations",
        "7 Legend",
        "8 Statistics",
        "9 Zone flow diagram",
        "10 Findings register",
        "11 Control status",
        "12 Conclusion and residual risk",
        "13 Communication matrix",
        "13.1 Plain metal-stack",
        "13.5 With Lightbits",
        "14 Control traceability",
        "15 Not-assessed items and data quality",
        "16 Glossary",
        "17 Provenance",
        "18 Sign-off",
    ]
    # The chapter headings appear in this order (skipping the table of contents, page 3).
    body = "\n".join([report.pages[1], *report.pages[3:]])
    positions = [body.find(c) for c in chapters if c != "Contents"]
    assert -1 not in positions
    assert positions == sorted(positions)
    # The table of contents gives each chapter the page it starts on.
    toc = report.pages[2]
    for title in (
        "Management summary",
        "Findings register",
        "Conclusion and residual risk",
        "Sign-off",
    ):
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", toc, flags=re.MULTILINE)
        assert match, title
        page = int(match.group(1))
        assert title in report.pages[page - 1]
    # The source's disclaimer is quoted in the scope chapter.
    assert _squeeze(report.data.matrix.disclaimer[:80]) in _squeeze(text)


def _outline(path: Path) -> list[tuple[int, str]]:
    """The bookmarks as (depth, title), in document order."""
    with pikepdf.open(path) as doc, doc.open_outline() as outline:

        def walk(items: list[pikepdf.OutlineItem], depth: int) -> Iterator[tuple[int, str]]:
            for item in items:
                yield depth, str(item.title)
                yield from walk(list(item.children), depth + 1)

        return list(walk(list(outline.root), 1))


_TOC_ENTRY = re.compile(r"^\s*(\d+(?:\.\d+)*)\s+(.+?)[ .]*\s(\d+)\s*$")


def test_bookmarks_are_the_numbered_contents(report: Rendered) -> None:
    """Every numbered heading is in the contents and in the bookmarks, at its level, and the
    two list the same headings in the same order (chapter 8 and the heat map included)."""
    marks = _outline(report.path)
    contents = subprocess.run(
        ["pdftotext", "-layout", "-f", "3", "-l", "3", "-enc", "UTF-8", str(report.path), "-"],
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8")
    toc = [m.groups() for m in map(_TOC_ENTRY.match, contents.splitlines()) if m]
    assert [f"{number} {title}" for number, title, _ in toc] == [
        title for _, title in marks if title != "Contents"
    ]
    for depth, title in marks:
        number = title.split(" ", 1)[0]
        if title != "Contents":
            assert depth == number.count(".") + 1, title
    titles = [title for _, title in marks]
    for expected in ("1 Document control", "8.2 Zone heat map", "13 Communication matrix"):
        assert expected in titles
    assert titles.index("13 Communication matrix") + 1 == titles.index("13.1 Plain metal-stack")
    # Each contents entry leads to the page where its heading stands.
    for number, title, page in toc:
        assert f"{number} {title}" in report.pages[int(page) - 1], title


def test_qpdf_check_passes(report: Rendered) -> None:
    if not shutil.which("qpdf"):
        pytest.skip("qpdf is not installed")
    result = subprocess.run(["qpdf", "--check", str(report.path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_declares_pdf_a_3a_and_pdf_ua_with_metadata(report: Rendered) -> None:
    reader = PdfReader(report.path)
    with pikepdf.open(report.path) as pdf:
        meta = pdf.open_metadata()
        assert meta.pdfa_status == "3A"
        assert meta.get("pdfuaid:part") == "1"
        assert bool(pdf.Root.MarkInfo.Marked)
        assert str(pdf.Root.Lang) == "en"  # the fixture renders the default language
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
    doc = report.data.config.document
    info = reader.metadata
    assert info is not None
    assert info.title == doc.title
    assert info.author == doc.author
    assert info.subject and "v0.21.11" in info.subject
    assert "MST-SEC-CM" in str(info.get("/Keywords"))
    assert info.get("/CreationDate") == "D:20251008120000Z"
    assert "/OutputIntents" in reader.root_object


def test_attachments_read_back_equal_the_inputs(report: Rendered) -> None:
    reader = PdfReader(report.path)
    embedded = {name: contents[0] for name, contents in reader.attachments.items()}
    expected = {a.name: a.content for a in attachments(report.data)}
    assert set(embedded) == {"communication-matrix.md", "records.json", "findings.json"}
    assert embedded == expected
    assert embedded["communication-matrix.md"] == SOURCE.read_bytes()
    # The provenance chapter lists each attachment's sha256.
    text = _squeeze("\n".join(report.pages))
    for a in attachments(report.data):
        assert a.sha256 in text


def test_all_fonts_are_the_shipped_ones_and_embedded(report: Rendered) -> None:
    if not shutil.which("pdffonts"):
        pytest.skip("pdffonts (poppler-utils) is not installed")
    out = subprocess.run(
        ["pdffonts", str(report.path)], check=True, capture_output=True, text=True
    ).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        # name, type (two words), encoding, emb, sub, uni, object, id
        fields = row.split()
        assert fields[-5] == "yes", row
        assert re.search(r"\+(Report|DejaVu)-", fields[0]), row


def test_two_renders_are_byte_identical(report: Rendered) -> None:
    again = render(load_report_data(), RenderOptions())
    assert again == {report.name: report.pdf}


# --- safety -----------------------------------------------------------------------------------


def test_fetcher_serves_only_template_files(tmp_path: Path) -> None:
    fetcher = TemplateFetcher()
    font = TEMPLATES_ROOT / "fonts" / "DejaVuSans.ttf"
    assert fetcher.resolve(font.as_uri()) == font
    for url in (
        "http://127.0.0.1:1/x",
        "https://example.org/logo.png",
        "file:///etc/passwd",
        (PDF_TEMPLATES / ".." / ".." / ".." / "pyproject.toml").as_uri(),
        "data:text/plain,hello",
        "file://evil.example/etc/passwd",
    ):
        assert fetcher.resolve(url) is None, url
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 6


def test_user_templates_override_packaged_ones(tmp_path: Path) -> None:
    (tmp_path / "report.css").write_text("html { color: #123456; }\n")
    (tmp_path / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    env = environment(tmp_path)
    assert env.get_template("report.css").render() == "html { color: #123456; }\n"
    assert env.get_template("report.html").filename == str(PDF_TEMPLATES / "report.html")
    fetcher = TemplateFetcher(tmp_path)
    # A packaged path the user overrides is served from the user's folder.
    assert fetcher.resolve((PDF_TEMPLATES / "logo.svg").as_uri()) == tmp_path / "logo.svg"
    assert fetcher.resolve((tmp_path / "logo.svg").as_uri()) == tmp_path / "logo.svg"
    assert fetcher.resolve((tmp_path.parent / "x.css").as_uri()) is None


def test_the_user_folder_is_the_pdf_subfolder_of_templates(tmp_path: Path) -> None:
    from reportgen.render import RenderOptions
    from reportgen.render.pdf import user_folder

    assert user_folder(RenderOptions(templates=tmp_path)) == tmp_path / "pdf"
    assert user_folder(RenderOptions()) is None


HOSTILE = """# Communication Matrix

Hostile <script>alert(1)</script> intro with [a link](http://127.0.0.1:{port}/intro).

**Legend**:

- `C`: Confidentiality.
- `I`: Integrity.
- `Auth`: Authentication.
- `Trust`: Trusted networks only.

## Plain metal-stack

| No. | Component | Source Zone | Protocol | Destination | Destination Zone | Port | C | I | Auth | Trust | Purpose | Notes |
| --- | --------- | ----------- | -------- | ----------- | ---------------- | ---- | - | - | ---- | ----- | ------- | ----- |
| 1.1 | <img src=http://127.0.0.1:{port}/x> | Internet | HTTPS | metal-api | Metal Control Plane | 443 | x | x | x |   | API | See [docs](http://127.0.0.1:{port}/y) |
"""  # noqa: E501


class _Listener:
    """A TCP server on localhost that counts connection attempts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_untrusted_markup_is_printed_not_fetched(
    tmp_path: Path, layout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    force_layout(monkeypatch, layout)
    listener = _Listener()
    try:
        source = tmp_path / "communication-matrix.md"
        source.write_text(HOSTILE.format(port=listener.port), encoding="utf-8")
        data = load_report_data(source, CONFIG)
        # The production path, both ways: in parts laid out by two worker processes, or whole.
        result = assemble(data, RenderOptions(jobs=2))
    finally:
        listener.close()
    pdf = result.pdf
    check_layout(result.parts, layout)
    assert listener.connections == 0
    assert result.refused == ()
    assert result.served, "the fonts come through the fetcher"
    assert all(
        Path(url.removeprefix("file://")).is_relative_to(TEMPLATES_ROOT) for url in result.served
    )
    path = tmp_path / pdf_name(data)
    path.write_bytes(pdf)
    text = _squeeze("\n".join(_page_texts(path)))
    assert _squeeze(f"<img src=http://127.0.0.1:{listener.port}/x>") in text
    # The cell's Markdown link is rendered as a link (http is allowed), never printed as
    # link syntax, and the link is not fetched (listener.connections == 0 above).
    assert "[docs](" not in text and _squeeze("See docs") in text
    uris = [
        str(annot.get_object().get("/A", {}).get("/URI", ""))
        for page in PdfReader(path).pages
        for annot in page.get("/Annots", [])
    ]
    assert f"http://127.0.0.1:{listener.port}/y" in uris
    assert "<script>alert(1)</script>" in text


def test_the_parts_path_refuses_what_a_user_stylesheet_asks_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's report.css that asks for a network URL and a file outside the templates: every
    part's fetcher refuses both (in the worker processes), and the refusals come back."""
    listener = _Listener()
    user = tmp_path / "pdf"
    user.mkdir()
    css = (PDF_TEMPLATES / "report.css").read_text(encoding="utf-8")
    outside = tmp_path / "outside.css"
    outside.write_text("body { color: red; }", encoding="utf-8")
    hostile = (
        f'@import url("http://127.0.0.1:{listener.port}/x.css");\n'
        f'@import url("{outside.as_uri()}");\n'
    )
    (user / "report.css").write_text(hostile + css, encoding="utf-8")
    force_layout(monkeypatch, "parts")
    try:
        result = assemble(load_report_data(), RenderOptions(templates=tmp_path, jobs=2))
    finally:
        listener.close()
    assert listener.connections == 0
    assert result.parts > 1
    refused = set(result.refused)
    assert refused == {f"http://127.0.0.1:{listener.port}/x.css", outside.as_uri()}
    # Every part and the page-number stamps asked, and each was refused.
    assert result.refused.count(outside.as_uri()) >= result.parts


def _char_sizes(path: Path, index: int) -> list[tuple[float, str]]:
    """(size in points, character) of every character drawn on a page (pdfplumber). For text
    turned by 90 degrees pdfplumber's ``size`` is the advance; its font size is then the
    extent across the baseline, which is horizontal."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [
            (round(c["size"] if c["upright"] else c["x1"] - c["x0"], 2), c["text"])
            for c in pdf.pages[index].chars
        ]


def _page_with(report: Rendered, heading: str) -> int:
    return next(i for i, text in enumerate(report.pages) if re.search(rf"^{heading}$", text, re.M))


def test_the_figures_print_their_labels_at_seven_points_or_more(report: Rendered) -> None:
    diagram = _page_with(report, "9 Zone flow diagram")
    assert diagram in report.landscape
    sizes = _char_sizes(report.path, diagram)
    assert len(sizes) > 300
    assert min(size for size, _ in sizes) >= 7.0
    heat = _page_with(report, "8.2 Zone heat map")
    text = report.pages[heat]
    assert "flows" in text and "(not findings)" in text
    assert "Destination zone" in text and "Source zone" in text
    for zone in report.data.assessment.statistics.zones:
        assert text.count(zone) >= 2, zone  # the row's head and the column's
    assert min(size for size, _ in _char_sizes(report.path, heat)) >= 7.5


def _matrix_pages(report: Rendered) -> range:
    """The pages of chapter 8, from its heading to the next chapter's."""
    start = _page_with(report, "13 Communication matrix")
    end = _page_with(report, "14 Control traceability")
    return range(start, end)


def test_matrix_pages_set_no_text_under_seven_and_a_half_points(report: Rendered) -> None:
    pages = _matrix_pages(report)
    assert len(pages) >= 5
    assert all(i in report.landscape for i in pages)
    sizes = [size for i in pages for size, _ in _char_sizes(report.path, i)]
    assert len(sizes) > 10_000
    assert min(sizes) >= 7.5
    # The table itself is at 8 pt (the running header and footer are 7.5 pt).
    assert sum(1 for s in sizes if s >= 8.0) > 0.9 * len(sizes)


def _words(text: str, word: str) -> int:
    return len(re.findall(rf"(?<![\w.~-]){re.escape(word)}(?![\w~-])", text))


def test_ids_are_never_broken(report: Rendered) -> None:
    findings = [f for f in report.data.assessment.findings if f.severity is not Level.NOT_ASSESSED]
    # The matrix lists, per flow, the rules that raised a finding on it: each rule id whole.
    matrix = "\n".join(report.pages[i] for i in _matrix_pages(report))
    for rule in {f.rule for f in findings}:
        assert _words(matrix, rule) == sum(1 for f in findings if f.rule == rule), rule
    # The register prints each rule id whole above its findings, and each finding's flow id.
    register = "\n".join(
        report.pages[_page_with(report, "10 Findings register") : _matrix_pages(report)[0]]
    )
    labels = {flow.key: flow.label for flow in report.data.matrix.flows}
    for finding in findings:
        assert _words(register, finding.rule) >= 1, finding.rule
        assert _words(register, labels[finding.flow_key]) >= 1, finding.id
    # Every diagnostic code stands whole.
    everything = "\n".join(report.pages)
    for code in {d.code for d in report.data.report.diagnostics}:
        assert _words(everything, code) >= 1, code
    # Nowhere in the document is a rule id broken at one of its hyphens: pdftotext joins such
    # a break and drops the hyphen ("DQ-PROTOCOLFLAGS" in the v0.21.11 matrix at 7 pt).
    text = "\n".join(report.pages)
    for rule in {r.id for r in report.data.assessment.rules}:
        for cut in [m.start() for m in re.finditer("-", rule)]:
            assert rule[:cut] + rule[cut + 1 :] not in text, rule


def _tagged_text(path: Path, kinds: set[str]) -> list[tuple[str, str]]:
    """(type, text) of every structure element of the given types, in the order of the tree:
    the text is read through the element's marked-content ids from the characters of its page
    (pdfplumber), so it shows that the tree points at the content it describes."""
    import pdfplumber

    found: list[tuple[str, str]] = []
    with pdfplumber.open(path) as pdf:
        chars: dict[int, dict[int, str]] = {}

        def page_text(number: int, mcids: set[int]) -> str:
            if number not in chars:
                by_mcid: dict[int, str] = {}
                for c in pdf.pages[number - 1].chars:
                    if c.get("mcid") is not None:
                        by_mcid[c["mcid"]] = by_mcid.get(c["mcid"], "") + c["text"]
                chars[number] = by_mcid
            return "".join(chars[number].get(m, "") for m in sorted(mcids))

        def mcids(node: dict[str, object]) -> set[int]:
            own: set[int] = set(node.get("mcids", ()))  # type: ignore[call-overload]
            for child in node.get("children", ()):  # type: ignore[attr-defined]
                if child.get("page_number") == node.get("page_number"):
                    own |= mcids(child)
            return own

        def walk(nodes: list[dict[str, object]]) -> None:
            for node in nodes:
                if node["type"] in kinds:
                    text = page_text(int(node["page_number"]), mcids(node))  # type: ignore[call-overload]
                    found.append((str(node["type"]), text))
                walk(node.get("children", []))  # type: ignore[arg-type]

        walk(pdf.structure_tree)
    return found


def check_tagged_structure(report: Rendered) -> None:
    """One tree with every heading, in order, on the page that shows it, and every bookmark a
    tagged heading (after a join, the parts' trees joined)."""
    with pikepdf.open(report.path) as doc:
        root = doc.Root.StructTreeRoot
        pages = {p.obj.objgen for p in doc.pages}
        keys = [int(k) for k in root.ParentTree.Nums[0::2]]
        assert keys == sorted(set(keys))
        if "/ParentTreeNextKey" in root:  # optional; the join writes it
            assert int(root.ParentTreeNextKey) == keys[-1] + 1
        assert sorted(int(p.obj.StructParents) for p in doc.pages) == sorted(
            {int(p.obj.StructParents) for p in doc.pages}
        )
        assert {int(p.obj.StructParents) for p in doc.pages} <= set(keys)
        assert len(root.K) == 1  # one /Document
        assert all(kid.P.objgen == root.K[0].objgen for kid in root.K[0].K)
        for kid in root.K[0].K:
            if "/Pg" in kid:
                assert kid.Pg.objgen in pages
    headings = _tagged_text(report.path, {"H1", "H2"})
    texts = [re.sub(r"\s+", " ", t).strip() for _, t in headings]
    titles = [title for _, title in _outline(report.path)]
    positions = [next(i for i, t in enumerate(texts) if t.startswith(title)) for title in titles]
    assert positions == sorted(positions)
    # The matrix's last section (in a part of its own when cut) is an H2.
    last = next(title for title in titles if title.endswith(" With Lightbits"))
    assert ("H2", last) in [(k, re.sub(r"\s+", " ", t).strip()) for k, t in headings]
    figures = _tagged_text(report.path, {"Figure"})
    assert figures, "the zone diagram is a tagged figure"


def test_the_tagged_structure_reads_back(report: Rendered) -> None:
    check_tagged_structure(report)


def test_diagnostics_the_register_quotes_are_not_listed_twice(report: Rendered) -> None:
    from reportgen.model import Diagnostic
    from reportgen.render.pdf.context import _restated

    data = report.data
    kept, left_out = _restated(data)
    quoted = [f for f in data.assessment.findings if f.kind == "data-quality"]

    def quotes(d: Diagnostic) -> bool:
        here = (d.location.path, d.location.line)
        return any((f.location.path, f.location.line) == here and d.message in f.evidence
                   for f in quoted)  # fmt: skip

    # v0.21.11 has both kinds: 9 quoted by a data-quality finding, 14 that no finding quotes.
    assert [d for d in kept if quotes(d)] == []
    assert sum(n for _, n in left_out) == len(data.report.diagnostics) - len(kept) == 9
    assert len(kept) == 14
    text = _squeeze("\n".join(report.pages))
    assert _squeeze("9 diagnostics are not repeated here") in text
    # Each listed diagnostic stands with its location in the table (which may break the path
    # at a hyphen; pdftotext then drops it).
    unhyphened = text.replace("-", "")
    for d in kept:
        where = f"{d.location.path}:{d.location.line}:{d.location.column}"
        assert _squeeze(where).replace("-", "") in unhyphened


def test_traceability_names_a_rule_by_its_count_where_the_control_has_all_of_it(
    report: Rendered,
) -> None:
    from collections import Counter

    from reportgen.render.pdf.context import by_rule

    data = report.data
    start = _page_with(report, "14 Control traceability")
    end = _page_with(report, "15 Not-assessed items and data quality")
    text = _squeeze("\n".join(report.pages[start:end]))
    totals = Counter(f.rule for f in data.assessment.findings)
    labels = {flow.key: flow.label for flow in data.matrix.flows}
    whole = listed = 0
    for status in data.assessment.control_status:
        for rule, items in by_rule(status.findings):
            if len(items) > 5 and len(items) == totals[rule]:
                whole += 1
                assert _squeeze(f"{rule}: all {len(items)} findings of the rule") in text
            else:
                listed += 1
                assert all(_squeeze(labels[key]) in text for _fid, key in items), rule
    # v0.21.11 has both: a control with every finding of a rule (8.24 and DATASTORE-CLEAR's
    # 11), and controls with some or few findings of one, listed flow by flow.
    assert whole >= 1 and listed >= 1


def test_register_counts_a_control_only_some_findings_of_a_rule_fall_under(
    report: Rendered,
) -> None:
    data = report.data
    start = _page_with(report, "10 Findings register")
    register = _squeeze("\n".join(report.pages[start : _matrix_pages(report)[0]]))
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in data.assessment.findings:
        if f.severity is not Level.NOT_ASSESSED:
            groups.setdefault((f.severity.value, f.rule), []).append(f)
    further = 0
    for items in groups.values():
        refs = {ref for f in items for ref in f.controls}
        for ref in refs:
            n = sum(1 for f in items if ref in f.controls)
            if n < len(items):
                assert _squeeze(f"{ref.id} ({n} of {len(items)})") in register, ref
                further += n
    # v0.21.11: PROTO-CLEAR-CROSS's NET.1.1.A19 (DHCP/DNS/NTP) holds for S2.1 only.
    assert _squeeze("NET.1.1.A19 (1 of 5)") in register
    assert register.count(_squeeze("Also under:")) == sum(
        1
        for items in groups.values()
        for f in items
        if any(sum(1 for g in items if ref in g.controls) < len(items) for ref in f.controls)
    )
    assert further >= 1


@pytest.mark.parametrize(
    ("subject", "expected"),
    [(None, {"unapproved"}), ("assumptions", {"all"}), ("trust-class:Internet", {"some"})],
)
def test_register_states_the_approval_of_the_assumptions_a_rule_rests_on(
    tmp_path: Path, subject: str | None, expected: set[str]
) -> None:
    from reportgen.build import load
    from reportgen.render.pdf.context import _register

    config = tmp_path / "report.toml"
    text = CONFIG.read_text(encoding="utf-8")
    if subject is not None:
        text += (
            f'\n[[approval]]\nsubject = "{subject}"\nname = "Jane Doe"\n'
            'role = "Information security officer"\ndate = 2026-11-30\n'
        )
    config.write_text(text, encoding="utf-8")
    data = load(SOURCE, config)
    approved = {a.id for a in data.assessment.assumptions if a.approved}
    by_level = [
        (level, [f for f in data.assessment.findings if f.severity is level]) for level in Level
    ]
    labels = {flow.key: flow.id or flow.key for flow in data.matrix.flows}
    groups = [g for _level, found in _register(data, by_level, labels) for g in found]
    resting = [g for g in groups if any(f.assumptions for f in g["findings"])]
    internet = [
        g for g in resting if any("trust-class:Internet" in f.assumptions for f in g["findings"])
    ]
    assert resting and internet
    if subject == "trust-class:Internet":
        # Groups with a finding on an Internet flow have approved and unapproved assumptions;
        # each finding names exactly its unapproved ones.
        assert {g["approval"] for g in internet} == expected
        for g in internet:
            for f in g["findings"]:
                assert g["unapproved"][f.id] == [a for a in f.assumptions if a not in approved]
                assert "trust-class:Internet" not in g["unapproved"][f.id]
    else:
        assert {g["approval"] for g in resting} == expected
