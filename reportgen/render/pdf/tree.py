"""The element tree WeasyPrint builds from one of the packaged templates' documents, built by a
C parser instead of its own.

WeasyPrint parses HTML with tinyhtml5, an HTML5 parser written in Python: about a microsecond
a character, some 5 % of a part's layout (1,000 flows: 1.2-1.7 s of CPU for the 1.6 million
characters of the parts). The packaged templates write HTML that is well-formed XML but for
its void elements (``<br>``, ``<col>``, ``<meta>``); with those closed, expat parses a part
in a twentieth of the time. On such a document HTML5's tree construction differs from the XML
tree in a few places, which ``parse`` makes the same:

- whitespace between ``<html>`` and ``<head>`` is dropped, and whitespace after ``</body>``
  and ``</html>`` ends up at the end of the body;
- rows directly in a table get a ``<tbody>`` around them;
- a namespace declaration (the SVG diagram's ``xmlns``) stays an attribute, in the XMLNS
  namespace;

Whatever else HTML5 would parse differently from XML, ``parse`` refuses (returns None), and
WeasyPrint parses the document itself: a document without ``<!DOCTYPE html>``, comments,
scripts, CDATA, processing instructions, a ``<base>`` element, a tab or line break in an
attribute value (XML turns it into a space), an entity in a style sheet, an element not in
``_PLAIN`` (such as ``pre``, forms, or anything in capitals), a paragraph, heading, link or list
item that HTML5 would close early, a table's content that it would move, SVG written without
its namespace or with an element not in ``_SVG_ELEMENTS`` inside, and anything expat cannot
parse. The trees are compared
on every document the packaged templates produce (tests/test_pdf_tree.py), and so are the
PDFs' bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from typing import Any

XMLNS = "{http://www.w3.org/2000/xmlns/}"

_VOID = re.compile(
    r"<(area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr)\b([^>]*?)/?>"
)
_REFUSED = re.compile(
    r"<!--|<!\[CDATA\[|<\?|<script\b|<base\b|<math\b"
    r"|=\"[^\"]*[\t\n\r]|='[^']*[\t\n\r]"  # XML normalises these in attribute values
    r"|<style\b[^>]*>[^<]*&",  # HTML does not decode entities in a style sheet
    re.IGNORECASE,
)
_DOCTYPE = re.compile(r"[ \t\n\f\r]*<!DOCTYPE html>[ \t\n\f\r]*", re.IGNORECASE)
"""What comes before ``<html>``: without it, HTML5 parses in quirks mode."""

_PLAIN = frozenset((
    "meta", "title", "style", "link", "section", "article", "aside",
    "header", "footer", "nav", "main", "div", "p", "span", "a", "strong", "em", "b", "i", "u",
    "s", "code", "kbd", "samp", "var", "small", "sub", "sup", "abbr", "cite", "dfn", "mark",
    "q", "time", "br", "wbr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt",
    "dd", "blockquote", "figure", "figcaption", "hr", "img", "table", "caption", "colgroup",
    "col", "thead", "tbody", "tfoot", "tr", "th", "td"
))  # fmt: skip
"""The HTML elements ``parse`` takes: HTML5 parses each of them, well nested, as XML does
(given the checks in ``_checked``)."""

_CLOSES_P = frozenset((
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
    "dl", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hgroup", "hr", "li", "dd", "dt", "listing", "main", "menu", "nav", "ol",
    "p", "plaintext", "pre", "section", "summary", "table", "ul", "xmp"
))  # fmt: skip
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_TABLE_KIDS = frozenset(("caption", "colgroup", "thead", "tbody", "tfoot", "tr"))
_ROW_GROUPS = frozenset(("thead", "tbody", "tfoot"))
_HEAD_KIDS = frozenset(("meta", "title", "style", "link"))
_SVG = "{http://www.w3.org/2000/svg}"
_SVG_ELEMENTS = frozenset((
    "svg", "g", "title", "desc", "defs", "polygon", "polyline", "path", "ellipse", "circle",
    "rect", "line", "text", "tspan", "a", "stop", "linearGradient", "radialGradient",
    "clipPath", "use"
))  # fmt: skip
"""The SVG elements ``parse`` takes (Graphviz writes some of them); HTML5 would end the SVG at
one named like an HTML element (``p``, ``div``, ``b``, ...)."""
_SVG_ATTRIBUTE_SPACES = frozenset(
    ("", "http://www.w3.org/1999/xlink", "http://www.w3.org/XML/1998/namespace",
     "http://www.w3.org/2000/xmlns/")
)  # fmt: skip
"""The namespaces HTML5 gives an SVG element's attributes (``xlink:``, ``xml:``, ``xmlns``)."""
_P_SCOPE = frozenset(
    ("button", "table", "td", "th", "caption", "marquee", "object", "applet", "template")
)  # fmt: skip
"""Where HTML5 stops looking for an open paragraph to close."""
_MARKERS = frozenset(("td", "th", "caption", "marquee", "object", "applet", "template"))
"""Where HTML5 stops looking for an open link to close."""
_SVG_CAMEL = frozenset(
    ("viewBox", "preserveAspectRatio", "linearGradient", "radialGradient", "gradientUnits",
     "gradientTransform", "clipPath", "clipPathUnits", "textPath", "textLength")
)  # fmt: skip
"""Names in capitals that HTML5 writes as SVG does (it lower-cases the others)."""


def parse(document: str) -> ET.Element | None:
    """The tree tinyhtml5 builds from ``document`` (with ``namespace_html_elements=False``,
    as WeasyPrint parses), or None where this parser cannot promise that."""
    start = document.find("<html")
    end = document.rfind("</html>")
    if start < 0 or end < 0 or _REFUSED.search(document):
        return None
    end += len("</html>")
    if _DOCTYPE.fullmatch(document, 0, start) is None or not _blank(document[end:]):
        return None
    parser: Any = ET.XMLPullParser(events=("start-ns", "start"))
    try:
        parser.feed(_VOID.sub(r"<\1\2/>", document[start:end]))
        parser.close()
    except ET.ParseError:
        return None
    root: ET.Element | None = None
    declared: list[tuple[str, str]] = []
    events: Iterator[tuple[str, Any]] = parser.read_events()
    for event, item in events:
        if event == "start-ns":
            declared.append(item)  # (prefix, uri), before the element that declares it
            continue
        element: ET.Element = item
        if root is None:
            root = element
        for prefix, uri in declared:
            if prefix not in ("", "xlink"):
                return None  # HTML5 keeps another prefix's declaration as a plain attribute
            element.set(XMLNS + (prefix or "xmlns"), uri)
        declared.clear()
    if root is None or not _as_html5(root, document[end:]):
        return None
    return root


def _as_html5(root: ET.Element, after: str) -> bool:
    """Make the XML tree HTML5's; False where the document is one ``parse`` refuses."""
    if root.tag != "html" or [e.tag for e in root] != ["head", "body"]:
        return False
    head, body = root
    if not (_blank(root.text) and _blank(head.tail) and _only_whitespace_between(head)):
        return False  # text before the body would start it
    if not all(e.tag in _HEAD_KIDS for e in head):
        return False
    root.text = None
    trailing = (body.tail or "") + after
    body.tail = None
    if len(body):
        body[-1].tail = (body[-1].tail or "") + trailing
    else:
        body.text = (body.text or "") + trailing
    if not (_plain_attributes(root) and _plain_attributes(body)):
        return False
    if not all(_checked(e, False) for e in (*head, *body)):
        return False
    for table in list(root.iter("table")):
        _rows_in_body(table)
    return True


def _checked(element: ET.Element, in_svg: bool) -> bool:
    """``element`` and what is below it parse the same in HTML5 (see the module's text)."""
    tag = element.tag
    if not isinstance(tag, str):
        return False
    if tag.startswith(_SVG):
        name = tag[len(_SVG) :]
        if name not in _SVG_ELEMENTS or (name != "svg" and not in_svg):
            return False  # HTML5 starts SVG at <svg> only
        for key in element.attrib:
            namespace, _, local = key[1:].rpartition("}") if key[0] == "{" else ("", "", key)
            if namespace not in _SVG_ATTRIBUTE_SPACES or (
                local != local.lower() and local not in _SVG_CAMEL
            ):
                return False
        return all(_checked(kid, True) for kid in element)
    if in_svg or tag not in _PLAIN or not _plain_attributes(element):
        return False
    kids = [kid.tag for kid in element]
    if tag == "p" and _below(element, _CLOSES_P, _P_SCOPE):
        return False
    if tag == "a" and _below(element, {"a"}, _MARKERS):
        return False
    if tag == "li" and _below(element, {"li"}, {"ul", "ol"}):
        return False
    if tag in ("dd", "dt") and _below(element, {"dd", "dt"}, {"dl"}):
        return False
    if tag in _HEADINGS and any(k in _HEADINGS for k in kids):
        return False
    if tag == "table":
        if any(k not in _TABLE_KIDS for k in kids) or not _only_whitespace_between(element):
            return False
    elif tag in _ROW_GROUPS:
        if any(k != "tr" for k in kids) or not _only_whitespace_between(element):
            return False
    elif tag == "tr":
        if any(k not in ("td", "th") for k in kids) or not _only_whitespace_between(element):
            return False
    elif tag == "colgroup":
        if any(k != "col" for k in kids) or not _only_whitespace_between(element):
            return False
    elif any(k in _TABLE_KIDS or k in ("td", "th", "col") for k in kids):
        return False  # a row, cell or column outside its table
    return all(_checked(kid, False) for kid in element)


_SPACE = " \t\n\f\r"
"""HTML's whitespace: a no-break space, for one, is text to HTML5."""


def _plain_attributes(element: ET.Element) -> bool:
    """An HTML element's attributes as HTML5 names them: in lower case, without a
    namespace."""
    return all(k[0] != "{" and k == k.lower() for k in element.attrib)


def _below(element: ET.Element, names: Iterable[str], stops: Iterable[str]) -> bool:
    """Whether one of ``names`` is below ``element``, other than inside one of ``stops``
    (or SVG): what HTML5 would close ``element`` at (a paragraph at a block, a link at a link,
    a list item at a list item), but for those boundaries."""
    for kid in element:
        tag = kid.tag
        if not isinstance(tag, str):
            continue
        if tag in names:
            return True
        if tag not in stops and not tag.startswith("{") and _below(kid, names, stops):
            return True
    return False


def _blank(text: str | None) -> bool:
    return text is None or not text.strip(_SPACE)


def _only_whitespace_between(element: ET.Element) -> bool:
    """Only whitespace between the element's children (in a table, HTML5 moves other text out
    of it; in the head, it starts the body)."""
    return _blank(element.text) and all(_blank(kid.tail) for kid in element)


def _rows_in_body(table: ET.Element) -> None:
    """Rows written directly in the table go into a ``<tbody>``, as HTML5 puts them: one for
    each run of rows."""
    kids = list(table)
    if not any(kid.tag == "tr" for kid in kids):
        return
    grouped: list[ET.Element] = []
    group: ET.Element | None = None
    for kid in kids:
        if kid.tag == "tr":
            if group is None:
                group = ET.Element("tbody")
                grouped.append(group)
            group.append(kid)
        else:
            group = None
            grouped.append(kid)
    table[:] = grouped
