"""A cell's inline Markdown as spans: text, code and links, for every output to render.

The source's cells hold inline Markdown (``[text](url)``, backticks). Printing it raw shows
link syntax to readers; dropping it loses the link. Every renderer turns a cell into
:class:`Span` values here and writes them in its own way (a hyperlink in a workbook, a
Markdown link on the site, an ``<a>`` in the PDF), so all outputs agree.

Safety: only ``http``, ``https`` and ``mailto`` links are kept as links. A relative link is
resolved against the configured docs base URL (``[document] docs_base_url``); without one it
is shown as its text. Any other scheme (``javascript:``, ``file:``, ``data:``, ...) is never a
link: markdown-it does not even parse it as one, so it stays literal text. Bare ``http(s)``
URLs in text become links too, as GitHub and remark-gfm would render them.

Emphasis and raw HTML are not rendered: emphasis keeps its words, HTML stays literal text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})


class Kind(Enum):
    TEXT = "text"
    CODE = "code"
    LINK = "link"


@dataclass(frozen=True, slots=True)
class Span:
    kind: Kind
    text: str
    href: str = ""
    """For links: the resolved, absolute URL (``http``, ``https`` or ``mailto``)."""


_BARE_URL = re.compile(r"(?<![^\s(*_~])https?://[^\s<>\"'`]+")
"""A bare URL where GFM's autolink extension would see one: at the start or after a space,
``(``, ``*``, ``_`` or ``~`` (so ``=HYPERLINK("http://...")`` stays text)."""
_TRAILING = ".,;:!?'\""
_PAIRS = {")": "(", "]": "[", "}": "{"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark")


def resolve(href: str, base_url: str = "") -> str | None:
    """The absolute URL a link may point to, or ``None`` when it must stay text."""
    href = href.strip()
    if not href or any(ord(c) < 0x20 or c == "\x7f" for c in href):
        return None
    scheme = urlsplit(href).scheme.casefold()
    if scheme:
        return href if scheme in ALLOWED_SCHEMES else None
    if href.startswith("//"):  # scheme-relative: would inherit whatever the reader uses
        return None
    if not base_url:
        return None
    resolved = urljoin(base_url if base_url.endswith("/") else base_url + "/", href)
    return resolved if urlsplit(resolved).scheme.casefold() in ALLOWED_SCHEMES else None


def spans(text: str, base_url: str = "") -> tuple[Span, ...]:
    """The spans of one cell's inline Markdown, adjacent text merged."""
    if not text:
        return ()
    if "://" not in text and not any(c in text for c in "[`*_<&\\"):
        return (Span(Kind.TEXT, text),)  # nothing to parse: the common case, kept cheap
    tokens = _parser().parseInline(text)
    children = tokens[0].children if tokens and tokens[0].children else []
    out: list[Span] = []
    link: list[str] | None = None
    href: str | None = None
    for token in children:
        if token.type == "link_open":
            link, href = [], resolve(str(token.attrs.get("href", "")), base_url)
        elif token.type == "link_close":
            label = "".join(link or [])
            if href is not None:
                out.append(Span(Kind.LINK, label or href, href))
            else:
                out.append(Span(Kind.TEXT, label))
            link, href = None, None
        elif link is not None:
            link.append(_token_text(token))
        elif token.type == "code_inline":
            out.append(Span(Kind.CODE, token.content))
        elif token.type == "text":
            out.extend(_bare_urls(token.content))
        else:  # raw HTML stays literal text, never a link
            out.append(Span(Kind.TEXT, _token_text(token)))
    return _merged(out)


def _token_text(token: Token) -> str:
    if token.type in {"softbreak", "hardbreak"}:
        return "\n" if token.type == "hardbreak" else " "
    if token.type == "image":
        return "".join(_token_text(t) for t in token.children or ())
    return token.content


def _bare_urls(text: str) -> list[Span]:
    out: list[Span] = []
    at = 0
    for m in _BARE_URL.finditer(text):
        url = _trimmed(m.group(0))
        if len(url) <= len("https://"):
            continue
        out.append(Span(Kind.TEXT, text[at : m.start()]))
        out.append(Span(Kind.LINK, url, _parser().normalizeLink(url)))
        at = m.start() + len(url)
    out.append(Span(Kind.TEXT, text[at:]))
    return out


def _trimmed(url: str) -> str:
    """A bare URL without the punctuation that ends the sentence around it (a closing
    bracket only when it has no partner inside the URL)."""
    while url:
        last = url[-1]
        if last in _TRAILING or (last in _PAIRS and url.count(_PAIRS[last]) < url.count(last)):
            url = url[:-1]
        else:
            break
    return url


def _merged(items: list[Span]) -> tuple[Span, ...]:
    out: list[Span] = []
    for span in items:
        if span.kind is Kind.TEXT and not span.text:
            continue
        if out and span.kind is Kind.TEXT and out[-1].kind is Kind.TEXT:
            out[-1] = Span(Kind.TEXT, out[-1].text + span.text)
        else:
            out.append(span)
    return tuple(out)


def plain(items: tuple[Span, ...]) -> str:
    """The text a reader sees: code as its text, a link as its label."""
    return "".join(span.text for span in items)


def links(items: tuple[Span, ...]) -> tuple[Span, ...]:
    return tuple(span for span in items if span.kind is Kind.LINK)


__all__ = ["ALLOWED_SCHEMES", "Kind", "Span", "links", "plain", "resolve", "spans"]
