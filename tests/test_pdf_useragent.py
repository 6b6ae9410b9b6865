"""WeasyPrint's user-agent style sheet without its rules for footnotes and notes
(``render.pdf.useragent``): exactly five rules fewer, used only for documents that cannot
place a footnote or a note, and the same bytes as WeasyPrint's own sheet gives them."""

from __future__ import annotations

import io
from typing import Any

import pikepdf
import pytest
import tinycss2
from weasyprint import html as weasyprint_html

from reportgen.render.pdf import parts, useragent
from reportgen.render.pdf.fetcher import BASE_URL, TemplateFetcher
from reportgen.render.pdf.tree import parse as parse_tree

from .test_pdf_parts import _laid_without_sharing

NOTE_PSEUDO_ELEMENTS = {
    "footnote-call", "footnote-marker", "note-call", "note-marker", "note-callback",
}  # fmt: skip

HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>User agent (test)</title><style>
@font-face { font-family: S; src: url("../fonts/DejaVuSans.ttf"); }
body { font-family: S; font-size: 10pt; }
h2::before { content: "\\2022 "; }
EXTRA
</style></head><body>"""
BODY = """<h1 id="top">Lists, tables and links</h1>
<ul><li>one</li><li>two<ol><li>nested</li></ol></li></ul>
<h2>A heading with generated content</h2>
<p>A <a href="#top">link</a>, <em>em</em>, <strong>strong</strong>, <code>code</code>,<br/>
a line break, <sub>sub</sub> and <sup>sup</sup>.</p>
<table><thead><tr><th>No.</th><th>Flow</th></tr></thead>
<tbody><tr><td>1</td><td>metal-api to metal-db</td></tr></tbody></table>
<dl><dt>Term</dt><dd>Definition</dd></dl>
"""
TAIL = "</body></html>\n"
VARIANT = parts.PDF_VARIANT


def _document(body: str = BODY, extra: str = "") -> str:
    return HEAD.replace("EXTRA", extra) + body + TAIL


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def _rules(sheet: str) -> list[str]:
    return [
        tinycss2.serialize(rule.prelude).strip() + "{" + tinycss2.serialize(rule.content) + "}"
        for rule in tinycss2.parse_stylesheet(sheet, skip_comments=True, skip_whitespace=True)
    ]


def test_the_sheet_lacks_exactly_the_five_rules_of_footnotes_and_notes() -> None:
    text = useragent.without_notes_text(weasyprint_html.UA)
    assert text is not None
    full, pruned = _rules(weasyprint_html.UA), _rules(text)
    removed = [rule for rule in full if rule not in pruned]
    assert len(full) - len(pruned) == len(removed) == useragent.NOTE_RULES
    assert {rule.split("{", 1)[0].removeprefix("::") for rule in removed} == NOTE_PSEUDO_ELEMENTS
    assert [rule for rule in full if rule not in removed] == pruned
    # The page's own footnote area and note area stay.
    assert "@footnote" in text and "@note-area" in text


def test_a_sheet_without_those_five_rules_is_not_pruned() -> None:
    one_less = weasyprint_html.UA.replace("::note-callback", "::not-a-note", 1)
    assert useragent.without_notes_text(one_less) is None


@pytest.mark.parametrize(
    ("document", "notes"),
    [
        (_document(), False),
        (_document(extra=".fn { float: footnote; }"), True),
        (_document(extra=".n { position: NOTE(side); }"), True),
        (_document(body=BODY + "<p>The Footnote says so.</p>"), True),
    ],
)
def test_a_document_that_mentions_a_footnote_or_note_may_have_one(
    document: str, notes: bool
) -> None:
    assert useragent.may_have_notes(document) is notes


def test_a_document_without_notes_gets_the_bytes_of_weasyprints_own_sheet() -> None:
    document = _document()
    assert not useragent.may_have_notes(document)
    ours = parts.lay_out(document, BASE_URL, None, VARIANT, collect=False).pdf
    assert ours == _laid_without_sharing(document)


def _with_footnote() -> str:
    body = BODY + '<p>Flows are listed<span class="fn">See the matrix.</span> here.</p>'
    return _document(body=body, extra=".fn { float: footnote; }")


def test_a_document_with_a_footnote_keeps_weasyprints_own_sheet() -> None:
    document = _with_footnote()
    ours = parts.lay_out(document, BASE_URL, None, VARIANT, collect=False).pdf
    assert ours == _laid_without_sharing(document)
    assert "1. See the matrix." in _text(ours)  # the footnote's marker, from the full sheet


def test_the_sheet_without_the_rules_cannot_lay_out_a_footnote() -> None:
    """What the guard prevents: with the pruned sheet, WeasyPrint finds no style for the
    footnote's marker and fails."""
    document = _with_footnote()
    stripped, style = parts._shared_style(document, BASE_URL, None, TemplateFetcher(None))
    assert style is not None
    html: Any = parts._parsed_html(parse_tree(stripped), BASE_URL, TemplateFetcher(None))
    assert useragent.use_without_notes(html)
    with pytest.raises(TypeError):
        html.render(stylesheets=[style.sheet], font_config=style.fonts)


@pytest.mark.parametrize("changed", ["other rules", "no text"])
def test_an_unexpected_sheet_leaves_weasyprints_own(
    monkeypatch: pytest.MonkeyPatch, changed: str
) -> None:
    if changed == "other rules":
        monkeypatch.setattr(weasyprint_html, "UA", weasyprint_html.UA.replace("::note-", "::x-"))
    else:
        monkeypatch.delattr(weasyprint_html, "UA")
    useragent._sheet_without_notes.cache_clear()
    try:
        html: Any = parts._parsed_html(parse_tree(_document()), BASE_URL, TemplateFetcher(None))
        assert not useragent.use_without_notes(html)
        assert "_ua_stylesheets" not in vars(html)
    finally:
        monkeypatch.undo()
        useragent._sheet_without_notes.cache_clear()
    with pikepdf.open(io.BytesIO(_laid_without_sharing(_document()))) as pdf:
        assert len(pdf.pages) == 1
