"""``render.pdf.tree``: the tree expat builds from a packaged template's document is the one
WeasyPrint's own parser (tinyhtml5) builds, on every kind of document the templates produce;
what it cannot promise, it refuses; and a part laid out from it has the same bytes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import tinyhtml5

from reportgen.build import load
from reportgen.render import RenderOptions
from reportgen.render.pdf import context as pdf_context
from reportgen.render.pdf import parts as pdf_parts
from reportgen.render.pdf import tree
from reportgen.render.pdf.assembly import PDF_VARIANT
from reportgen.render.pdf.fetcher import BASE_URL

from .conftest import ROOT, SOURCE
from .pdf_support import load_report_data
from .test_verify import lab_rows
from .verify_support import LAB, zeek_tsv

CONFIG = ROOT / "source" / "report.toml"


def _html5(document: str) -> ET.Element:
    root: ET.Element = tinyhtml5.parse(document, namespace_html_elements=False)
    return root


def _differences(a: ET.Element, b: ET.Element, path: str = "") -> Iterator[str]:
    """Where two trees differ: tag, attributes, text, tail or children."""
    here = f"{path}/{a.tag}"
    if a.tag != b.tag or dict(a.attrib) != dict(b.attrib):
        yield f"{here}: {a.tag} {dict(a.attrib)} != {b.tag} {dict(b.attrib)}"
    if (a.text or None, a.tail or None) != (b.text or None, b.tail or None):
        yield f"{here}: text/tail {(a.text, a.tail)!r} != {(b.text, b.tail)!r}"
    if len(a) != len(b):
        yield f"{here}: children {[k.tag for k in a]} != {[k.tag for k in b]}"
        return
    for index, (x, y) in enumerate(zip(a, b, strict=True)):
        yield from _differences(x, y, f"{here}[{index}]")


def _documents(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Every kind of document the packaged templates give WeasyPrint: the report's parts in
    both languages, with a release's changes and with observed traffic, the changes
    document, the front numbered, the stamps, the attachments' carrier and the warm-up."""
    shipped = load_report_data()
    defects = load(ROOT / "tests" / "fixtures" / "defects.md", CONFIG, release="x")
    changed = load(ROOT / "tests" / "fixtures" / "diff" / "flag-lost.md", CONFIG, previous=SOURCE)
    log = tmp_path / "conn.log"
    log.write_text(zeek_tsv(lab_rows()))
    observed = load(LAB / "matrix.md", observed=[log])
    cases = [
        ("shipped en", shipped, "en", pdf_context.MAIN_TEMPLATE),
        ("shipped de", shipped, "de", pdf_context.MAIN_TEMPLATE),
        ("defects", defects, "en", pdf_context.MAIN_TEMPLATE),
        ("changes", changed, "de", pdf_context.MAIN_TEMPLATE),
        ("changes document", changed, "en", pdf_context.CHANGES_TEMPLATE),
        ("observed", observed, "en", pdf_context.MAIN_TEMPLATE),
    ]
    for name, data, lang, template in cases:
        html = pdf_context.html(data, RenderOptions(lang=lang), (), template)
        documents = pdf_parts.split(html)
        for index, document in enumerate(pdf_parts.link_across(documents)):
            yield f"{name}, part {index}", pdf_parts.without_page_numbers(document)
        if len(documents) > 1:
            yield (
                f"{name}, stamps",
                pdf_parts.stamp_document(documents[0], [False, True, False], "matrix"),
            )
            yield f"{name}, carrier", pdf_parts.carrier_document(documents[0])
        yield f"{name}, whole", pdf_parts.without_marks(html)
    yield "warm-up", pdf_parts.WARM_UP_DOCUMENT


@pytest.mark.slow
def test_the_tree_is_the_html5_parsers_for_every_document(tmp_path: Path) -> None:
    seen = 0
    for name, document in _documents(tmp_path):
        root = tree.parse(document)
        assert root is not None, name  # the packaged templates' documents all qualify
        assert list(_differences(_html5(document), root))[:5] == [], name
        seen += 1
    assert seen > 30


HOSTILE = ROOT / "tests" / "fixtures" / "xlsx-hostile.md"


@pytest.mark.parametrize(
    "text",
    [
        "a\tb\tc", "x\x0cy", "cr\rhere", "amp & lt < gt > quote \" apos '", "<!-- c -->",
        "]]> <![CDATA[ x ]]>", "\ufffe", "nbsp\u00a0zw\u200b rtl\u202e", "&nbsp; &#0; &#x1;",
        "\x7f\x85\x9f", "line\u2028sep", "\x01ctl", "<b>bold</b> `code` [l](http://x)",
        "<script>x</script>",
    ],
)  # fmt: skip
def test_a_cells_text_gives_the_html5_tree_or_a_refusal(text: str, tmp_path: Path) -> None:
    """Whatever a source's cell holds, the tree is HTML5's, or ``parse`` refuses it (control
    characters, which XML does not allow)."""
    source = HOSTILE.read_text(encoding="utf-8")
    assert "| +1        |" in source
    path = tmp_path / "matrix.md"
    path.write_text(source.replace("| +1        |", f"| {text} |", 1), encoding="utf-8")
    html = pdf_context.html(load(path, CONFIG, release="x"), RenderOptions(), ())
    document = pdf_parts.without_marks(html)
    root = tree.parse(document)
    if root is not None:
        assert list(_differences(_html5(document), root)) == []
    else:
        assert any(c in text for c in "\x01\x0c\ufffe"), text


SMALL = "<!DOCTYPE html>\n<html>\n<head><title>t</title></head>\n<body>{}</body>\n</html>\n"


@pytest.mark.parametrize(
    "body",
    [
        "<p>a<br>b</p>\n",
        '<p>a <span class="x">b <a href="#c">c</a></span> <strong>d</strong></p>',
        "<ul><li>a<ul><li>b</li></ul></li></ul><dl><dt>t</dt><dd>d</dd></dl>",
        "<div><table><tbody><tr><td><p>a</p><table><tr><td>b</td></tr></table></td></tr>"
        "</tbody></table></div>",
        "<table>\n<tr><td>1</td></tr>\n<tr><td>2</td></tr>\n</table>",
        "<table><thead><tr><th>h</th></tr></thead><tr><td>1</td></tr></table>",
        "<table><colgroup><col class='w'><col></colgroup><tbody><tr><td>x</td></tr></tbody>"
        "</table>",
        '<div><svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 1 1"><g><a '
        'xlink:href="#x"><text>&amp; t</text></a></g></svg></div>',
        "",
    ],
)
def test_what_parse_makes_the_same(body: str) -> None:
    """Void elements, whitespace around the head and after the body, rows without a row
    group, and the SVG's namespace declarations: as HTML5 parses them."""
    document = SMALL.format(body)
    root = tree.parse(document)
    assert root is not None
    assert list(_differences(_html5(document), root)) == []


@pytest.mark.parametrize(
    "document",
    [
        SMALL.replace("<!DOCTYPE html>\n", "").format("<p>quirks mode</p>"),
        SMALL.format("<!-- a comment --><p>x</p>"),
        SMALL.format("<p>x</p><script>var a;</script>"),
        SMALL.format("<pre>\nx</pre>"),
        SMALL.format('<p title="two\nlines">x</p>'),
        SMALL.format("<p>a<div>b</div></p>"),
        SMALL.format("<p>a<span>b<div>c</div></span></p>"),
        SMALL.format("<ul><li>a<span><li>b</li></span></li></ul>"),
        SMALL.format("<dl><dd>a<div><dt>b</dt></div></dd></dl>"),
        SMALL.format('<a href="#a"><span><a href="#b">b</a></span></a>'),
        SMALL.format("<table>\u00a0<tr><td>x</td></tr></table>"),
        SMALL.format("<div><body class='x'>b</body></div>"),
        SMALL.format('<g xmlns="http://www.w3.org/2000/svg"><rect/></g>'),
        SMALL.format('<svg xmlns="http://www.w3.org/2000/svg" xmlns:f="urn:f"><g f:x="1"/></svg>'),
        SMALL.format("<p>x</p>") + "\u00a0",
        SMALL.format("<p>a<table><tr><td>b</td></tr></table></p>"),
        SMALL.format('<a href="#a">a<a href="#b">b</a></a>'),
        SMALL.format("<ul><li>a<li>b</li></li></ul>"),
        SMALL.format("<h1>a<h2>b</h2></h1>"),
        SMALL.format("<table>text<tr><td>x</td></tr></table>"),
        SMALL.format("<table><td>x</td></table>"),
        SMALL.format("<table><col><tr><td>x</td></tr></table>"),
        SMALL.format("<div><td>x</td></div>"),
        SMALL.format("<TABLE><tr><td>x</td></tr></TABLE>"),
        SMALL.format('<p CLASS="x">x</p>'),
        SMALL.format('<p xml:lang="en">x</p>'),
        SMALL.format("<svg><g/></svg>"),
        SMALL.format('<svg xmlns="http://www.w3.org/2000/svg"><p>x</p></svg>'),
        SMALL.format('<svg xmlns="http://www.w3.org/2000/svg"><rect fillOpacity="1"/></svg>'),
        SMALL.format("<form><input name=x></form>"),
        SMALL.format("<p>a &nbsp; b</p>"),
        SMALL.format("<p>a & b</p>"),
        SMALL.format("<p>\x0c</p>"),
        SMALL.format("<p>unclosed"),
        SMALL.format("").replace("<title>t</title>", "<title>t</title><base href='/x/'>"),
        SMALL.format("").replace("<title>t</title>", "<style>p::after{content:'&amp;'}</style>"),
        SMALL.replace("<title>t</title>", "<title>t</title>x").format(""),
        SMALL.replace("</head>", "</head>x").format(""),
        SMALL + "<p>after</p>",
    ],
)
def test_what_parse_refuses(document: str) -> None:
    """What HTML5 would parse otherwise than XML, or XML not at all: WeasyPrint parses it."""
    assert tree.parse(document) is None


@pytest.mark.slow
def test_a_part_from_the_tree_has_the_bytes_of_weasyprints_own_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    documents = pdf_parts.split(pdf_context.html(load_report_data(), RenderOptions(), ()))
    document = pdf_parts.without_page_numbers(pdf_parts.link_across(documents)[1])
    assert tree.parse(document) is not None
    fast = pdf_parts.lay_out(document, BASE_URL, None, PDF_VARIANT)
    monkeypatch.setattr(pdf_parts, "parse_tree", lambda document: None)
    own = pdf_parts.lay_out(document, BASE_URL, None, PDF_VARIANT)
    assert fast.pages == own.pages > 1
    assert fast.pdf == own.pdf


def test_a_users_templates_are_parsed_by_weasyprint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Only the packaged templates' documents take the tree: a user's templates may write
    anything."""
    asked: list[str] = []
    monkeypatch.setattr(pdf_parts, "parse_tree", lambda document: asked.append(document))
    pdf_parts.lay_out(pdf_parts.WARM_UP_DOCUMENT, BASE_URL, tmp_path, PDF_VARIANT)
    assert asked == []
    pdf_parts.lay_out(pdf_parts.WARM_UP_DOCUMENT, BASE_URL, None, PDF_VARIANT)
    assert len(asked) == 1
