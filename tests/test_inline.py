"""reportgen.inline: a cell's inline Markdown as text, code and link spans."""

from __future__ import annotations

import pytest

from reportgen.inline import Kind, Span, plain, resolve, spans

BASE = "https://docs.example.org/docs/references/"


def test_link_code_and_text() -> None:
    items = spans("Auth `x` via [the docs](https://a.example/p?q=1) now.")
    assert items == (
        Span(Kind.TEXT, "Auth "),
        Span(Kind.CODE, "x"),
        Span(Kind.TEXT, " via "),
        Span(Kind.LINK, "the docs", "https://a.example/p?q=1"),
        Span(Kind.TEXT, " now."),
    )
    assert plain(items) == "Auth x via the docs now."


def test_relative_links_need_a_base_url() -> None:
    text = "Access [without SSH](../../contributing/MEP9/README.md)."
    assert spans(text) == (Span(Kind.TEXT, "Access without SSH."),)
    assert spans(text, BASE)[1] == Span(
        Kind.LINK, "without SSH", "https://docs.example.org/contributing/MEP9/README.md"
    )


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "file:///etc/passwd",
        "data:text/html,x",
        "vbscript:x",
        "ftp://x/y",
        "//evil.example/x",
    ],
)
def test_other_schemes_stay_text(href: str) -> None:
    items = spans(f"[x]({href})", BASE)
    assert all(s.kind is not Kind.LINK for s in items), items
    assert resolve(href, BASE) is None


def test_mailto_and_escapes() -> None:
    assert spans("[m](mailto:a@b.example)")[0] == Span(Kind.LINK, "m", "mailto:a@b.example")
    assert plain(spans("&lt;x&gt; and \\*y\\*")) == "<x> and *y*"


def test_bare_urls_like_gfm() -> None:
    items = spans("see https://x.example/{v}. and (https://a.example/b)")
    assert [s for s in items if s.kind is Kind.LINK] == [
        Span(Kind.LINK, "https://x.example/{v}", "https://x.example/%7Bv%7D"),
        Span(Kind.LINK, "https://a.example/b", "https://a.example/b"),
    ]
    formula = '=HYPERLINK("http://127.0.0.1:1/x","y")'
    assert spans(formula) == (Span(Kind.TEXT, formula),)


def test_raw_html_stays_literal() -> None:
    assert spans("<img src=http://127.0.0.1/x> <b>b</b>") == (
        Span(Kind.TEXT, "<img src=http://127.0.0.1/x> <b>b</b>"),
    )
