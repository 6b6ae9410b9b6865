"""Lay the report out in parts, several at once, and assemble one PDF from them.

WeasyPrint lays a document out in one Python process and keeps every laid-out page in memory
until it writes the file. For a large matrix both the time and the memory grow with the whole
report. The report template therefore marks where it may be cut (``PART_MARK``, always
between two top-level sections, where a new page starts anyway: each chapter and matrix
section, and in a large report also between the register's severities and rules, and every
so many rows of a long table). Each part is laid out on its own, in a pool of worker
processes that have imported WeasyPrint (forked from the command's process, ``prefork``, or
from a fork server, ``worker_pool``), as soon as the template has written it (``Splitter``),
and written as a PDF; the parts are then joined with pikepdf (qpdf):

- Cross-part links: a link whose anchor is in another part is written as ``xref:ANCHOR`` and
  turned into an internal link to the named destination after the merge.
- Page numbers: parts are laid out without the ``@bottom-right`` margin box (the template puts
  "page N of M" there); once the page count is known, a stamp document of empty pages with the
  same page rules prints only that box, and each of its pages is laid over the page it numbers.
  WeasyPrint lays out one such page per page size and number of digits, and the other stamps
  are copies with the digits' glyphs replaced (``lay_out_stamps``).
- Contents: the first part (cover, document control, contents) is laid out last, once the
  page of every heading in the other parts is known, with those page numbers in its links'
  ``data-page``, from a guessed length of its own and guessed pages of its own headings, both
  checked (``assembly.FRONT_PAGES``).
- Bookmarks: each part reports its headings' bookmark levels and positions; one outline is
  built from them (the parts' own outlines are dropped).
- Every part is written with the document's metadata, PDF/A identification and output intent
  (they share the head); the joined file grows from the first body part as the parts come
  back (``Join``), and the front goes before them at the end. The attachments come in a
  document of their own (``carrier_document``).

The result does not depend on the number of workers: the parts, and so the bytes, are the same
with one worker or many (tested).
"""

from __future__ import annotations

import atexit
import gc
import io
import multiprocessing
import os
import re
import struct
import sys
import threading
import time
import types
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..forkserver import start_fork_server, worker_context
from . import identifier, useragent
from .fetcher import BASE_URL, TemplateFetcher
from .tree import parse as parse_tree

PART_MARK = "<!--reportgen:part-->"
"""Where the report template allows a cut; the text before the first mark is the prelude
(running strings) that every part repeats."""

PAGE_NUMBER_BOX = "bottom-right"
"""The margin box that holds "page N of M"; it is stamped after the merge."""

MARGIN_BOXES = (
    "top-left-corner", "top-left", "top-center", "top-right", "top-right-corner",
    "right-top", "right-middle", "right-bottom",
    "bottom-right-corner", "bottom-right", "bottom-center", "bottom-left", "bottom-left-corner",
    "left-bottom", "left-middle", "left-top",
)  # fmt: skip

PDF_VARIANT = "pdf/a-3a"
"""PDF/A-3, level A: archivable with the source and data attached, and tagged (WeasyPrint turns
on ``pdf_tags`` for it); ``declare_accessible`` adds PDF/UA-1's identification to the joined
file."""

XREF = "xref:"
PX_TO_PT = 0.75


@dataclass(frozen=True)
class Bookmark:
    level: int
    label: str
    page: int
    """Page index within the part (after the merge: within the document)."""
    x: float
    y: float
    """PDF points from the bottom-left corner."""


@dataclass(frozen=True)
class LaidOut:
    """One part, laid out and written, with what the assembly needs to know about it."""

    pdf: bytes
    pages: int
    anchors: dict[str, int] = field(default_factory=dict)
    """Anchor -> page index within the part (the first page that has it)."""
    bookmarks: tuple[Bookmark, ...] = ()
    landscape: tuple[bool, ...] = ()
    """Per page: wider than high."""
    seconds: float = 0.0
    """Time to lay the part out and write it (logged at debug level)."""
    served: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    """What the part's ``TemplateFetcher`` served and refused (in the worker that laid it out)."""


def without_marks(document: str) -> str:
    """The document without its part marks, for a layout in one piece. A mark is a comment
    between two top-level elements, which WeasyPrint lays out as if it were not there (the
    bytes are the same); without comments, the document's tree can come from ``tree.parse``."""
    return document.replace(PART_MARK, "")


def split(document: str) -> list[str]:
    """The full HTML -> one complete HTML document per part (just the document when the
    template has no marks). Every part gets the head and the prelude."""
    if PART_MARK not in document:
        return [document]
    start = _body_start(document)
    end = document.rindex("</body>")
    head, body, tail = document[:start], document[start:end], document[end:]
    prelude, *pieces = body.split(PART_MARK)
    groups = _Groups()
    bodies = [group for piece in pieces for group in groups.add(piece)] + groups.flush()
    return [head + _with_prelude(group, prelude) + tail for group in bodies]


PART_MIN_CHARS = 100_000
"""A part after the first holds consecutive pieces (the text between two marks) until it has
this many characters of HTML: each part costs its own start, its own copy of the font
subsets in the joined file and its share of the join, so the many small chapters of a short
report cost more apart than together (the shipped report: 10 parts -> 5, 1.55 -> 1.37 MB).
The first part (cover, control, contents) stays alone: it is laid out last, with the page
numbers. Pieces are cut where a page starts anyway, so grouping them changes no page."""


class _Groups:
    """Pieces -> the bodies of the parts (``PART_MIN_CHARS``)."""

    def __init__(self) -> None:
        self.seen = 0
        self.group: list[str] = []
        self.size = 0

    def add(self, piece: str) -> list[str]:
        if not piece.strip():
            return []
        self.seen += 1
        if self.seen == 1:
            return [piece]
        self.group.append(piece)
        self.size += len(piece)
        return self.flush() if self.size >= PART_MIN_CHARS else []

    def flush(self) -> list[str]:
        done = ["".join(self.group)] if self.group else []
        self.group, self.size = [], 0
        return done


class Splitter:
    """``split`` on a document that arrives piece by piece: each part is returned as soon as
    the mark after it has arrived. Its documents are the ones ``split`` gives, provided the
    document ends in ``TAIL`` (``finish`` says whether it did)."""

    TAIL = "</body>\n</html>\n"
    """What follows the last part in the packaged templates."""

    def __init__(self) -> None:
        self.head: str | None = None
        self.prelude = ""
        self.rest = ""
        self.parts = 0
        self.groups = _Groups()

    def feed(self, text: str) -> list[str]:
        """The parts completed by ``text``, as documents."""
        self.rest = "".join((self.rest, text))  # plain text, even if ``text`` is Markup
        if self.head is None:
            if PART_MARK not in self.rest:
                return []
            first, self.rest = self.rest.split(PART_MARK, 1)
            start = _body_start(first)
            self.head, self.prelude = first[:start], first[start:]
        done = []
        while PART_MARK in self.rest:
            piece, self.rest = self.rest.split(PART_MARK, 1)
            done.append(piece)
        return [self._document(g) for piece in done for g in self.groups.add(piece)]

    def finish(self) -> tuple[list[str], bool]:
        """The last part, and whether the document ended in ``TAIL`` (else the parts
        returned so far end differently from ``split``'s and must be made again)."""
        if self.head is None:
            return [], False
        end = self.rest.rindex("</body>")
        piece, tail = self.rest[:end], self.rest[end:]
        self.rest = ""
        last = [*self.groups.add(piece), *self.groups.flush()]
        return [self._document(g) for g in last], tail == self.TAIL

    def _document(self, piece: str) -> str:
        assert self.head is not None
        self.parts += 1
        return self.head + _with_prelude(piece, self.prelude) + self.TAIL


def _body_start(document: str) -> int:
    """Where the body's content starts: just after the ``<body ...>`` tag."""
    return document.index(">", document.index("<body")) + 1


_OPENING_TAG = re.compile(r"<(?!!)[a-zA-Z][^>]*>")


def _with_prelude(piece: str, prelude: str) -> str:
    """The prelude goes inside the part's first element, so a forced page break (or a named
    page) on that element does not leave the prelude alone on a page before it."""
    tag = _OPENING_TAG.search(piece)
    if tag is None:
        return prelude + piece
    return piece[: tag.end()] + prelude + piece[tag.end() :]


_ID = re.compile(r'\sid="([^"]+)"')
_HREF = re.compile(r'href="#([^"]+)"')


def anchors_in(html: str) -> list[str]:
    """The ``id`` attributes in ``html`` (the template's output), in order."""
    return _ID.findall(html)


def link_across(parts: Sequence[str]) -> list[str]:
    """Point each link whose anchor is in another part at ``xref:ANCHOR``. The HTML is our
    template's output, where every attribute value is autoescaped, so a value from the
    source cannot contain the quotes these patterns look for."""

    def relink(part: str) -> str:
        local = set(anchors_in(part))
        return _HREF.sub(
            lambda m: m.group(0) if m.group(1) in local else f'href="{XREF}{m.group(1)}"', part
        )

    return [relink(part) for part in parts]


def without_page_numbers(part: str) -> str:
    """The part with the page-number box switched off (it is stamped after the merge)."""
    css = f"@page {{ @{PAGE_NUMBER_BOX} {{ content: none; }} }}"
    return part.replace("</head>", f"<style>{css}</style></head>", 1)


def _stamp_head(first_part: str, landscape_page: str, extra_css: str = "") -> str:
    """The head of a stamp document: the report's page rules with only the page-number box."""
    hidden = " ".join(
        f"@{box} {{ content: none; }}" for box in MARGIN_BOXES if box != PAGE_NUMBER_BOX
    )
    css = (
        f"@page {{ {hidden} background: none; }} html, body {{ background: none; }} "
        f".sp {{ page: auto; }} .sl {{ page: {landscape_page}; }} "
        ".sp, .sl { height: 1px; margin: 0; padding: 0; } "
        ".sp + div, .sl + div { break-before: page; }" + extra_css
    )
    return first_part[: _body_start(first_part)].replace(
        "</head>", f"<style>{css}</style></head>", 1
    )


def stamp_document(first_part: str, landscape: Sequence[bool], landscape_page: str) -> str:
    """Empty pages, one per page of the document and of the same size, that print only the
    page-number box (with the report's own page rules, so in the same place and style)."""
    pages = "".join(
        '<div class="sl"></div>' if wide else '<div class="sp"></div>' for wide in landscape
    )
    # The running strings of the prelude are not needed: only the page-number box prints.
    return _stamp_head(first_part, landscape_page) + pages + "</body></html>"


@dataclass(frozen=True)
class Stamps:
    """The page-number stamps of a joined document: one per page, ``landscape`` saying
    which pages are wide (``lay_out_stamps``)."""

    first_part: str
    landscape: tuple[bool, ...]
    landscape_page: str
    base_url: str
    user: Path | None


_PAGE_NUMBER_CONTENT = re.compile(r"@" + PAGE_NUMBER_BOX + r"\s*\{[^{}]*?\bcontent:\s*([^;{}]+);")
STAMP_STRING = "reportgen-page"
"""The named string that holds the page number in the stamp templates."""


def _stamp_templates(stamps: Stamps) -> tuple[str, list[tuple[bool, int]], str] | None:
    """A short document for ``stamps``: one page per page size and length of the page
    number, and a last page with all ten digits (so that the font embedded for the stamps
    has them). Each page number is written with a digit that the page count does not
    contain (returned), repeated. None where the report's page-number box does not say
    ``counter(page)`` in one ``content`` declaration."""
    head = stamps.first_part[: _body_start(stamps.first_part)]
    found = _PAGE_NUMBER_CONTENT.search(head)
    if found is None or "counter(page)" not in found.group(1):
        return None
    count = str(len(stamps.landscape))
    filler = next(d for d in "0123456789" if d not in count)
    content = (
        found.group(1)
        .replace("counter(pages)", f'"{count}"')
        .replace("counter(page)", f"string({STAMP_STRING})")
    )
    shapes = sorted({(wide, len(str(n))) for n, wide in enumerate(stamps.landscape, start=1)})
    css = f" @page {{ @{PAGE_NUMBER_BOX} {{ content: {content}; }} }}"
    pages = "".join(
        f'<div class="{"sl" if wide else "sp"}" '
        f"style=\"string-set: {STAMP_STRING} '{filler * digits}'\"></div>"
        for wide, digits in shapes
    )
    pages += f'<div class="sp" style="string-set: {STAMP_STRING} \'0123456789\'"></div>'
    document = _stamp_head(stamps.first_part, stamps.landscape_page, css) + pages
    return document + "</body></html>", shapes, filler


def lay_out_stamps(stamps: Stamps) -> LaidOut:
    """The stamps as one PDF page each, for the build's end (no collection first).

    WeasyPrint spends about 4 ms on a page of its own for each stamp, most of it on the
    page's sixteen margin boxes: 0.76 s for the 178 pages of a 1,000-flow report, at the end
    of the build, where nothing else runs beside it. The digits of DejaVu Sans all have the
    same advance, so every stamp of a page size and a number of digits is drawn alike but
    for the digits' glyphs. WeasyPrint lays out one such template each
    (``_stamp_templates``), and each page's stamp is its template with the glyphs of the
    page's own number put in (``_expand_stamps``). Where that does not apply (another
    template's page-number box, glyphs not where expected), a page per stamp is laid out as
    before. Tests compare both ways glyph by glyph."""
    templates = _stamp_templates(stamps)
    if templates is not None:
        document, shapes, filler = templates
        laid = lay_out(document, stamps.base_url, stamps.user, None, collect=False)
        expanded = _expand_stamps(laid.pdf, shapes, filler, stamps.landscape)
        if expanded is not None:
            return LaidOut(
                expanded,
                len(stamps.landscape),
                {},
                (),
                stamps.landscape,
                laid.seconds,
                laid.served,
                laid.refused,
            )
    whole = stamp_document(stamps.first_part, stamps.landscape, stamps.landscape_page)
    return lay_out(whole, stamps.base_url, stamps.user, None, collect=False)


_GLYPHS = re.compile(rb"<([0-9A-Fa-f]+)>")
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_BFRANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def _digit_codes(page: Any) -> dict[str, bytes] | None:
    """The character codes of the digits in the one font a stamp template uses, read from
    its ``ToUnicode`` map (hexadecimal, lower case). None unless there is one font that has
    all ten."""
    fonts = page.Resources.get("/Font")
    if fonts is None or len(fonts) != 1:
        return None
    cmap = next(iter(fonts.values())).get("/ToUnicode")
    if cmap is None:
        return None
    text = cmap.read_bytes()
    codes: dict[str, bytes] = {}
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in _BFRANGE.findall(block):
            if len(dst) != 4:
                continue  # not one character of the Basic Multilingual Plane: no digit
            start = int(lo, 16)
            for offset in range(int(hi, 16) - start + 1):
                code = f"{start + offset:0{len(lo)}x}".encode()
                codes.setdefault(chr(int(dst, 16) + offset), code)
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for code, dst in _BFCHAR.findall(block):
            if len(dst) == 4:
                codes.setdefault(chr(int(dst, 16)), code.lower())
    digits = {d: codes[d] for d in "0123456789" if d in codes}
    return digits if len(digits) == 10 else None


def _numbered(content: bytes, filler: bytes, digits: list[bytes]) -> bytes | None:
    """A template's drawing with the filler digit's glyphs replaced by ``digits``, in order;
    None unless the filler's glyph occurs exactly once per digit."""
    found = [m for m in _GLYPHS.finditer(content) if m.group(1).lower() == filler]
    if len(found) != len(digits):
        return None
    out = bytearray(content)
    for match, code in zip(reversed(found), reversed(digits), strict=True):
        out[match.start(1) : match.end(1)] = code
    return bytes(out)


def _expand_stamps(
    pdf: bytes, shapes: list[tuple[bool, int]], filler: str, landscape: Sequence[bool]
) -> bytes | None:
    """One page per entry of ``landscape``: the template of its size and number length,
    numbered (``_numbered``). None where a template is not as expected."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as source:
        if len(source.pages) != len(shapes) + 1:
            return None
        codes = _digit_codes(source.pages[-1])
        if codes is None:
            return None
        templates: dict[tuple[bool, int], tuple[Any, Any, bytes]] = {}
        for shape, page in zip(shapes, source.pages, strict=False):
            if _digit_codes(page) != codes:
                return None
            resources = page.obj.Resources
            if not resources.is_indirect:  # shared by the template's copies
                resources = source.make_indirect(resources)
            templates[shape] = (page.obj.MediaBox, resources, page.Contents.read_bytes())
        kept = len(source.pages)
        for number, wide in enumerate(landscape, start=1):
            label = str(number)
            box, resources, content = templates[(wide, len(label))]
            drawn = _numbered(content, codes[filler], [codes[d] for d in label])
            if drawn is None:
                return None
            stamp = pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=box,
                Resources=resources,
                Contents=pikepdf.Stream(source, drawn),
            )
            source.pages.append(pikepdf.Page(source.make_indirect(stamp)))
        del source.pages[:kept]  # the templates
        buffer = io.BytesIO()
        source.save(buffer, deterministic_id=True)
        return buffer.getvalue()


def carrier_document(first_part: str) -> str:
    """An empty document with the report's head, to carry its attachments: laid out with
    them among the body's parts, its catalogue's embedded files and associated files
    (PDF/A-3's ``/AF``) are moved into the joined file (``Join``), and its page is dropped.

    The front part used to carry them, and it is laid out after every other part (it needs
    their page numbers): at 1,000 flows, compressing the 6 MB of JSON there was a third of a
    second of the build's sequential end."""
    return first_part[: _body_start(first_part)] + "</body></html>"


STACK_ROOM = 1 << 20
"""Bytes of the interpreter's frame stack that a layout gets in one piece
(``_with_stack_room``)."""


def _stack_room_caller() -> Callable[..., Any]:
    """``call(fn, *args)``, from a frame that reserves ``STACK_ROOM`` bytes of frame stack.

    CPython (3.11 and later) keeps Python frames in chunks of 16 KiB: it maps a chunk from
    the system when a call needs one and unmaps it as soon as the call that needed it
    returns. WeasyPrint's layout recurses deeply and back, so its calls cross a chunk's end
    back and forth: laying out five parts at 1,000 flows made 290,000 ``mmap`` and as many
    ``munmap`` calls, 2.6 s of system time beside 13.3 s of user time.

    The frame of the returned function declares a stack ``STACK_ROOM`` bytes deep (its code's
    ``co_stacksize``; it uses a few slots of it). Pushing it makes the interpreter map one
    chunk of twice that size, and the frames of the layout below it fit into the room it
    leaves: the same five parts, 0.3 s of system time and 12.1 s of user time. Only the pages
    the layout touches are ever backed by memory. Elsewhere than CPython 3.11+ it is a plain
    call."""

    def call(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    if sys.implementation.name != "cpython" or sys.version_info < (3, 11):
        return call  # pragma: no cover - other interpreters
    code = call.__code__
    slots = STACK_ROOM // struct.calcsize("P")
    roomy = code.replace(co_stacksize=code.co_stacksize + slots)
    return types.FunctionType(roomy, call.__globals__, "with_stack_room")


_with_stack_room = _stack_room_caller()


def lay_out(
    document: str,
    base_url: str,
    user: Path | None,
    variant: str | None,
    attach: Callable[[Any], list[Any]] | None = None,
    collect: bool = True,
) -> LaidOut:
    """Lay one part out and write it (runs in a worker process), with room on the frame
    stack (``_with_stack_room``). ``collect``: a worker collects its garbage first if it is
    due (``GC_BUDGET``)."""
    if collect:
        _collect_if_due()
    laid_out: LaidOut = _with_stack_room(_lay_out, document, base_url, user, variant, attach)
    return laid_out


def _lay_out(
    document: str,
    base_url: str,
    user: Path | None,
    variant: str | None,
    attach: Callable[[Any], list[Any]] | None,
) -> LaidOut:
    from weasyprint import HTML

    start = time.perf_counter()
    fetcher = TemplateFetcher(user)
    notes = useragent.may_have_notes(document)  # before its <style> is taken out
    document, style = _shared_style(document, base_url, user, fetcher)
    root = parse_tree(document) if user is None else None
    if root is None:
        html = HTML(string=document, base_url=base_url, url_fetcher=fetcher)
    else:
        html = _parsed_html(root, base_url, fetcher)
        if not notes:
            useragent.use_without_notes(html)
    laid = html.render(
        stylesheets=[style.sheet] if style else None,
        font_config=style.fonts if style else None,
    )
    anchors: dict[str, int] = {}
    bookmarks = []
    for index, page in enumerate(laid.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)
        for level, label, (x, y), _state in page.bookmarks:
            bookmarks.append(
                Bookmark(level, label, index, x * PX_TO_PT, (page.height - y) * PX_TO_PT)
            )
    pdf = _compressed(
        identifier.write(laid, variant, lambda: attach(fetcher) if attach is not None else None)
    )
    wide = tuple(page.width > page.height for page in laid.pages)
    seconds = time.perf_counter() - start
    return LaidOut(
        pdf,
        len(laid.pages),
        anchors,
        tuple(bookmarks),
        wide,
        seconds,
        tuple(fetcher.served),
        tuple(fetcher.refused),
    )


def _parsed_html(root: Any, base_url: str, fetcher: TemplateFetcher) -> Any:
    """WeasyPrint's ``HTML`` for a tree ``tree.parse`` built from a packaged template's
    document: what ``HTML(string=..., base_url=..., url_fetcher=...)`` makes of the document
    (WeasyPrint 70), without parsing it again. ``parse`` refuses a ``<base>`` element, so the
    base URL is the one given. The parts' bytes are the same (tests/test_pdf_tree.py)."""
    import cssselect2
    from weasyprint import HTML
    from weasyprint.urls import ensure_url

    html = HTML.__new__(HTML)
    html.base_url = ensure_url(base_url)
    html.url_fetcher = fetcher
    html.media_type = "print"
    html.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
    html.etree_element = html.wrapper_element.etree_element
    return html


def _compressed(pdf: bytes) -> bytes:
    """``pdf`` as WeasyPrint writes it uncompressed, with its streams and objects
    compressed by qpdf at zlib's default level (6) instead of WeasyPrint's level 9.

    WeasyPrint compresses every stream, and the object stream, at zlib's highest level,
    which costs more than parsing the file once more and compressing it at the default
    level: the parts of a 1,000-flow report laid out one after another took 25.2-25.7 s
    instead of 26.4-31.5 s. The content is the same (the pages' drawing operators, text,
    XMP, attachments and structure compared); the reports are 1.8 % (83 flows) to 5.9 %
    (20 flows, with its attachments) larger."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as source:
        out = io.BytesIO()
        source.save(
            out,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            deterministic_id=True,
            fix_metadata_version=False,  # the XMP as WeasyPrint wrote it
        )
    return out.getvalue()


@dataclass(frozen=True)
class _Style:
    """A head's style sheet, parsed once per process, with the fonts its ``@font-face``
    rules registered, and what the fetcher was asked for while it was parsed."""

    sheet: Any
    fonts: Any
    served: tuple[str, ...]
    refused: tuple[str, ...]


_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_OTHER_STYLE = re.compile(
    r"<style\b|<link\b[^>]*\bstylesheet\b|\bstyle=\"[^\"]*!\s*important", re.IGNORECASE
)
_STYLES: dict[tuple[str, str, Path | None], _Style] = {}
STYLES_KEPT = 4
"""Style sheets a process keeps parsed. A worker of a build meets up to four per language:
the warm-up's, the body parts' and front's (one sheet), the attachments carrier's, and the
stamps'. The oldest is dropped first, which is the warm-up's."""
# Dropped before the interpreter tears its modules down: a FontConfiguration freed after
# WeasyPrint's module globals are gone reports a TypeError from its __del__ on the way out.
atexit.register(_STYLES.clear)


def _shared_style(
    document: str, base_url: str, user: Path | None, fetcher: TemplateFetcher
) -> tuple[str, _Style | None]:
    """The document without its head's ``<style>`` elements, and their sheet parsed once
    in this process (a worker lays out several parts with the same head).

    Its parse, with the ``@font-face`` fonts it loads, was a tenth of a second of every part.
    WeasyPrint takes the sheet as a user style sheet; with no other author style in the
    document (no other ``<style>``, no linked sheet, no ``!important`` in a style attribute)
    the cascade is the same, and so are the bytes (tests/test_pdf_parts.py). Otherwise the
    document is left as it is. The fetcher records what the sheet's parse fetched, as if it
    had been parsed for this document."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    head_end = document.find("</head>")
    found = list(_STYLE.finditer(document, 0, max(head_end, 0)))
    if not found:
        return document, None
    starts = [0, *(m.end() for m in found)]
    ends = [*(m.start() for m in found), len(document)]
    rest = "".join(document[a:b] for a, b in zip(starts, ends, strict=True))
    if _OTHER_STYLE.search(rest):
        return document, None
    css = "\n".join(m.group(1) for m in found)
    key = (css, base_url, user)
    style = _STYLES.get(key)
    if style is None:
        first = TemplateFetcher(user)
        fonts = FontConfiguration()
        sheet = CSS(string=css, base_url=base_url, url_fetcher=first, font_config=fonts)
        style = _Style(sheet, fonts, tuple(first.served), tuple(first.refused))
        while len(_STYLES) >= STYLES_KEPT:
            del _STYLES[next(iter(_STYLES))]
        _STYLES[key] = style
    fetcher.served.extend(style.served)
    fetcher.refused.extend(style.refused)
    return rest, style


Work = tuple[str, str, "Path | None", "str | None", "Callable[[Any], list[Any]] | None"]
"""One layout's arguments to ``lay_out``: document, base URL, user folder, PDF variant and
attachments (a picklable callable, since it may travel to a worker)."""


def lay_out_one(args: Work) -> LaidOut:
    """``lay_out`` with its arguments in one tuple (what a worker is sent)."""
    return lay_out(*args)


def lay_out_last(args: Work) -> LaidOut:
    """``lay_out_one`` for a document the build's end waits for: no collection first (the
    garbage waiting in its worker ends with the worker, after the build)."""
    return lay_out(*args, collect=False)


def run(
    work: Sequence[tuple[Callable[[Any], LaidOut], Any]], jobs: int, pool: Executor | None = None
) -> list[LaidOut]:
    """Lay out the documents the build's end waits for (the front part with
    ``lay_out_last``, the stamps with ``lay_out_stamps``): each ``(function, argument)``
    in ``pool`` when given, else in a pool of ``jobs`` worker processes (``worker_pool``)
    when ``jobs`` > 1, else here, in the order given; the results come back in the order of
    ``work``."""
    if pool is None and (jobs <= 1 or len(work) <= 1):
        return [function(argument) for function, argument in work]
    if pool is not None:
        futures = [pool.submit(function, argument) for function, argument in work]
        try:
            return [future.result() for future in futures]
        finally:
            for future in futures:
                future.cancel()
    with worker_pool(min(jobs, len(work))) as own:
        try:
            return run(work, jobs, own)
        except BaseException:
            stop_workers(own)
            raise


GC_BUDGET = 1_500_000
"""Objects a worker lets pile up before it collects its garbage: at 1,000 flows, six parts
per worker, one collection each, and a resident size of up to 370 MB instead of 200 MB.

A laid-out part is one large reference cycle (elements, styles, boxes, PDF objects: 370,000
objects for a 17-page matrix part), so only the cyclic collector frees it, and with its usual
thresholds the collector also walked the growing layout many times over while the part was
being laid out: a quarter of a worker's CPU time (1,000 flows: 38.0 s -> 28.9 s without it,
31.1 s when collecting after every part).
A worker therefore runs with the collector off (``_worker_start``) and collects, before its
next part, only once this many objects are waiting; a worker that ends first collects
nothing. The same holds wherever a part is laid out with the collector off: the command
line pauses it for the whole build (``cli.gc_paused``), and with ``--jobs 1`` lays every
part out in its own process (1,000 flows: 980 MB without these collections)."""


_warm_up_turns: Any = None
"""The semaphore a worker takes its turn to warm up with (``_ready``), from
``worker_pool(warm=True)``; None: the worker does not warm up."""


def _worker_start(turns: Any = None) -> None:
    """A PDF worker's initializer: the collector off for its lifetime (see ``GC_BUDGET``),
    and what it inherited moved out of the collector's way; ``turns``, the pool's
    semaphore for warming up."""
    global _warm_up_turns
    gc.disable()
    gc.freeze()
    _warm_up_turns = turns


def _spare_cores() -> int:
    """The cores this process may run on, less the one the command keeps busy (at least
    one)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores - 1)


def _collect_if_due() -> None:
    """With the collector off (a worker, or a command line that paused it), collect once
    ``GC_BUDGET`` objects wait; with it on, leave it to its own thresholds."""
    if not gc.isenabled() and gc.get_count()[0] > GC_BUDGET:
        gc.collect()


WARM_UP_DOCUMENT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Warm-up</title><style>
@font-face { font-family: W; src: url("../fonts/DejaVuSans.ttf"); }
@font-face { font-family: W; src: url("../fonts/DejaVuSans-Bold.ttf"); font-weight: bold; }
@font-face { font-family: W; src: url("../fonts/DejaVuSans-Oblique.ttf"); font-style: italic; }
@font-face { font-family: WC; src: url("../fonts/DejaVuSansCondensed.ttf"); }
@font-face { font-family: WM; src: url("../fonts/DejaVuSansMono.ttf"); }
@page { size: A4; @bottom-right { content: counter(page); } }
body { font-family: W; font-size: 9pt; }
table { border-collapse: collapse; } td { font-family: WC; border: 0.5pt solid #999; }
code { font-family: WM; }
</style></head><body><h1 id="w">Warm-up</h1>
<p>Text, <strong>strong</strong>, <em>em</em> and <code>code</code>: 0123456789, \u00e4\u00df.</p>
<table><thead><tr><th>No.</th><th>Text</th></tr></thead>
<tbody><tr><td>1</td><td><a href="#w">a link</a></td></tr></tbody></table>
</body></html>
"""
"""What a worker lays out, and throws away, before its first part (``warm_up``): text in
the report's fonts, a heading, a table and a link, written as PDF/A-3a."""


def warm_up() -> LaidOut:
    """Lay out ``WARM_UP_DOCUMENT``: what a worker does once, on its first layout, it then
    does while it would otherwise wait for the first part (the workers start before the
    source is read). That is mostly the first use of WeasyPrint's text, drawing and PDF code
    and of the libraries below it, whatever the document's fonts and style sheet.
    At 100 flows a part laid out after this warm-up took 1.89 s instead of 2.06 s (CPU,
    medians of six), and 1.86 s after a warm-up with the part's own style sheet; the warm-up
    takes 0.15-0.25 s, in turns (``_ready``). It changes no part's bytes
    (tests/test_pdf_parts.py)."""
    return lay_out(WARM_UP_DOCUMENT, BASE_URL, None, PDF_VARIANT, collect=False)


def _ready() -> int:
    """A worker's first task: it is up, with ``forkserver.PRELOAD`` imported; in a pool
    started ahead of its work (``worker_pool(warm=True)``), also warmed up (``warm_up``),
    taking turns with the pool's other workers so that no more of them warm up at once than
    there are cores beside the command's."""
    if _warm_up_turns is not None:
        with _warm_up_turns:
            warm_up()
    return os.getpid()


def worker_pool(jobs: int, context: Any = None, warm: bool = False) -> ProcessPoolExecutor:
    """A pool of ``jobs`` worker processes for the parts, started at once (from
    ``context``, a multiprocessing context, when given: ``prefork``'s fork context).

    Where the platform has it, the workers are forked from a fork server that has imported
    WeasyPrint (``forkserver.PRELOAD``): a worker starts in milliseconds instead of spending about a
    second importing it, and, being forked from the server rather than from this process, it
    inherits no lock held by one of this process's threads. Elsewhere they are spawned. Each
    worker is started now, with a first task (``_ready``), so that it is ready (importing, in
    the spawn case) while this process renders the HTML and the other formats.

    ``warm``: the workers warm up in that first task (``warm_up``), for a pool started ahead
    of its work (``prefork``, before the source is read). A pool started when the first part
    is ready (the fork server's, a build's own) does not: its workers would lay out the
    warm-up document, and wait for their turns, while the parts wait for them."""
    mp_context = worker_context() if context is None else context
    # While the workers warm up, the command reads the source and renders the HTML on a core
    # of its own. On 2 cores, with two warm-ups at once, the HTML took 0.40-0.47 s to its
    # first part in the alternated 100-flow runs, against 0.28-0.36 s without warm-ups.
    turns = mp_context.BoundedSemaphore(_spare_cores()) if warm else None
    pool = ProcessPoolExecutor(
        jobs, mp_context=mp_context, initializer=_worker_start, initargs=(turns,)
    )
    for _ in range(jobs):
        pool.submit(_ready)
    return pool


_preforked: ProcessPoolExecutor | None = None
"""The pool ``prefork`` started, until a build's ``LazyPool`` adopts it."""


def prefork(jobs: int) -> bool:
    """Fork ``jobs`` PDF workers from this process now, while it runs no other thread, for
    the next build's ``LazyPool`` to adopt. True if they were forked.

    ``reportgen build`` calls this first thing. It imports WeasyPrint anyway, and workers
    forked from it after that import need not import it again, as the fork server does:
    about a second of CPU, and at 100 flows the 0.6 s the first part waited for the server.
    Forking is safe only while no other thread can hold a lock the children would inherit:
    with another thread alive, or on a platform other than Linux (macOS's system libraries
    are not safe to fork), nothing is forked and the build uses the fork server."""
    global _preforked
    if _preforked is not None:
        return True
    if sys.platform != "linux" or threading.active_count() > 1:
        return False
    # A fork context launches every worker at the first submission, before the pool starts
    # its own management thread.
    _preforked = worker_pool(jobs, multiprocessing.get_context("fork"), warm=True)
    return True


def _adopt_preforked(jobs: int) -> ProcessPoolExecutor | None:
    """The pool ``prefork`` started, if it has ``jobs`` workers; it is then no longer kept
    here. One with another number of workers is stopped."""
    global _preforked
    pool, _preforked = _preforked, None
    if pool is not None and pool._max_workers != jobs:  # type: ignore[attr-defined]
        stop_workers(pool)
        return None
    return pool


def stop_preforked() -> None:
    """Stop the pool ``prefork`` started if no build adopted it (a build that failed before
    it rendered): its workers end now, and their CPU time counts in this process's."""
    global _preforked
    pool, _preforked = _preforked, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)  # they are idle: they end at once


class LazyPool(Executor):
    """The worker pool of a build, started only when a PDF is laid out in parts (a short one
    is laid out in one piece, in this process). It adopts the workers ``prefork`` forked;
    without them the fork server is started at once, so that the workers are ready soon
    after the pool is asked for."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = _adopt_preforked(jobs)
        self._closed = False
        self._lock = threading.Lock()
        if self._pool is None:
            start_fork_server()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if self._pool is None:
                self._pool = worker_pool(self.jobs)
            pool = self._pool
        return pool.submit(fn, *args, **kwargs)

    def stop(self) -> dict[int, Any]:
        """``stop_workers`` for this pool: closed under the lock first, so that no worker pool
        can start after the one (if any) that is stopped here."""
        with self._lock:
            self._closed = True
            pool = self._pool
        return {} if pool is None else stop_workers(pool)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closed = True
            pool = self._pool
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def stop_workers(pool: Executor) -> dict[int, Any]:
    """Stop a process pool now: refuse new work and end its workers (``shutdown`` alone waits
    for the running parts). Returns the pool's own table of worker processes: a worker that a
    submission already under way starts is still entered there, so a caller whose other
    thread may still be submitting ends the table again (``end_workers``) once that thread
    is done."""
    if isinstance(pool, LazyPool):
        return pool.stop()
    found = getattr(pool, "_processes", None)  # the pool's dict itself, even while empty
    workers: dict[int, Any] = found if found is not None else {}
    pool.shutdown(wait=False, cancel_futures=True)
    end_workers(workers)
    return workers


def end_workers(workers: dict[int, Any]) -> None:
    processes = list(workers.values())
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=10)


def outline_tree(marks: Sequence[Bookmark]) -> list[tuple[Bookmark, list[Any]]]:
    """Flat bookmarks in document order -> nested ``(bookmark, children)``: a bookmark is a
    child of the nearest earlier one with a lower level."""
    root: list[tuple[Bookmark, list[Any]]] = []
    stack: list[tuple[int, list[Any]]] = [(0, root)]
    for mark in marks:
        while len(stack) > 1 and stack[-1][0] >= mark.level:
            stack.pop()
        children: list[Any] = []
        stack[-1][1].append((mark, children))
        stack.append((mark.level, children))
    return root


def open_part(part: LaidOut) -> Any:
    """A part's PDF, parsed."""
    import pikepdf

    return pikepdf.open(io.BytesIO(part.pdf))


class Join:
    """The joined file, built while the parts are laid out: the body's parts are added in
    order as they come back (``add``), and the front part, laid out last, goes before them
    (``finish``), which also resolves cross-part links, rebuilds the named destinations and
    the outline, lays the stamp pages over the pages and writes the file reproducibly.

    The file grows from the first body part, whose catalogue is the front's but for the
    attachments (every part has the same head: metadata, language, output intent; see
    ``carrier_document`` for the attachments). So only inserting the front, the stamps and
    the writing are left for the end, where nothing else runs."""

    def __init__(self) -> None:
        self.out: Any = None
        self.structure: _Structure | None = None
        self.sources: list[Any] = []
        """Every part's parsed file, open until the save: qpdf reads copied streams from them."""
        self.dests: dict[str, Any] = {}
        self.marks: list[Bookmark] = []
        self.pages = 0

    def add(self, part: LaidOut) -> None:
        """Append the next body part."""
        source = open_part(part)
        self.sources.append(source)
        if self.out is None:
            self.out = source
            self.structure = _Structure(source)
        else:
            _copy_pages(self.out, source, at=None)
            assert self.structure is not None
            self.structure.add(source, self.pages)
        self._destinations(source, self.pages, self.dests)
        self.marks.extend(
            Bookmark(m.level, m.label, m.page + self.pages, m.x, m.y) for m in part.bookmarks
        )
        self.pages += part.pages

    def _destinations(self, source: Any, offset: int, into: dict[str, Any]) -> None:
        import pikepdf

        names = source.Root.get("/Names")
        if names is None or "/Dests" not in names:
            return
        flat = names.Dests.Names
        index = {p.obj.objgen: i for i, p in enumerate(source.pages)}
        for k in range(0, len(flat), 2):
            name, dest = str(flat[k]), flat[k + 1]
            target_page = self.out.pages[offset + index[dest[0].objgen]].obj
            into.setdefault(name, pikepdf.Array([target_page, *list(dest)[1:]]))

    def finish(
        self, front: LaidOut, stamps: bytes | None = None, attachments: bytes | None = None
    ) -> bytes:
        """Put the front part first and write the file. ``attachments``: the laid-out
        ``carrier_document``, whose embedded files the joined file takes over."""
        import pikepdf

        if self.structure is None:
            raise RuntimeError("nothing to join: a report in one piece is not joined")
        source = open_part(front)
        self.sources.append(source)
        _copy_pages(self.out, source, at=0)
        self.structure.add(source, 0, first=True)
        out = self.out
        # The front's names first: a name it shares with a later part is its own.
        dests: dict[str, Any] = {}
        self._destinations(source, 0, dests)
        for name, dest in self.dests.items():
            dests.setdefault(name, dest)
        marks = [*front.bookmarks]
        marks += [Bookmark(m.level, m.label, m.page + front.pages, m.x, m.y) for m in self.marks]
        for each in out.pages:
            annots = each.obj.get("/Annots")
            if annots is None:
                continue
            kept = pikepdf.Array()
            for annot in annots:
                action = annot.get("/A")
                uri = str(action.get("/URI", "")) if action is not None else ""
                if uri.startswith(XREF):
                    target = uri[len(XREF) :]
                    if target not in dests:
                        continue  # a link to nothing is dropped, as WeasyPrint drops its own
                    del annot["/A"]
                    annot.Dest = pikepdf.String(target)
                kept.append(annot)
            each.obj.Annots = kept
        if dests:
            flat_names = pikepdf.Array()
            for name in sorted(dests, key=lambda n: n.encode("utf-8")):
                flat_names.append(pikepdf.String(name))
                flat_names.append(dests[name])
            if "/Names" not in out.Root:
                out.Root.Names = pikepdf.Dictionary()
            out.Root.Names.Dests = pikepdf.Dictionary(Names=flat_names)
        self.structure.finish()
        declare_accessible(out)
        _write_outline(out, outline_tree(marks))
        if stamps is not None:
            stamp = pikepdf.open(io.BytesIO(stamps))
            if len(stamp.pages) != len(out.pages):
                raise RuntimeError(
                    f"page numbering: {len(stamp.pages)} stamp pages for {len(out.pages)} pages"
                )
            for each, over in zip(out.pages, stamp.pages, strict=True):
                _overlay(out, each, over)
            self.sources.append(stamp)
        if attachments is not None:
            self.sources.append(_adopt_attachments(out, attachments))
        buffer = io.BytesIO()
        # Object streams, as in the parts WeasyPrint writes: without them every copied
        # object was written on its own, uncompressed (1,000 flows: 10.3 MB from 2.9 MB of
        # parts; now 2.9 MB, and the write takes half the time).
        # Streams are copied as they are: qpdf would otherwise decode each
        # compressed stream only to write the same bytes (1,000 flows: 0.55 -> 0.46 s).
        out.save(
            buffer,
            deterministic_id=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
        )
        return buffer.getvalue()


def _copy_pages(out: Any, source: Any, at: int | None) -> None:
    """Copy every page of ``source`` into ``out``: at the end, or from index ``at``."""
    import pikepdf

    with warnings.catch_warnings():
        # pikepdf warns that a page copy leaves the links to named destinations of its
        # source behind; the join rebuilds the named destinations of every part (tests:
        # every link resolves).
        quiet = getattr(pikepdf, "PageCopyWarning", None)  # pikepdf >= 10
        if quiet is not None:
            warnings.simplefilter("ignore", quiet)
        if at is None:
            out.pages.extend(source.pages)
        else:
            for offset, page in enumerate(source.pages):
                out.pages.insert(at + offset, page)


def _adopt_attachments(out: Any, carrier_pdf: bytes) -> Any:
    """Move the carrier's embedded files and its ``/AF`` array (the same file
    specifications, so copied once) into ``out``'s catalogue; returns the opened carrier,
    which must stay open until ``out`` is saved."""
    import pikepdf

    carrier = pikepdf.open(io.BytesIO(carrier_pdf))
    names = carrier.Root.get("/Names")
    embedded = names.get("/EmbeddedFiles") if names is not None else None
    if embedded is None:
        return carrier
    if "/Names" not in out.Root:
        out.Root.Names = pikepdf.Dictionary()
    out.Root.Names.EmbeddedFiles = out.copy_foreign(embedded)
    associated = carrier.Root.get("/AF")
    if associated is not None:
        out.Root.AF = pikepdf.Array([out.copy_foreign(spec) for spec in associated])
    return carrier


class _Structure:
    """The parts' structure trees (a tagged PDF), joined into the first part's.

    Each part's tree is one ``/Document`` element whose children are the part's content;
    its ``/ParentTree`` maps each page's ``/StructParents`` key (the page's index) and each
    annotation's ``/StructParent`` key (after the pages) to structure elements. Joined, every
    later part's children hang under the first part's ``/Document``, and its keys are moved
    past the keys used so far, on its pages and annotations and in the one parent tree.
    The elements are copied from the same source as the pages, so pikepdf maps their
    ``/Pg`` and ``/Obj`` references to the copied pages and annotations."""

    def __init__(self, out: Any) -> None:
        import pikepdf

        self.out = out
        self.root = out.Root.get("/StructTreeRoot")
        self.nums = pikepdf.Array()
        self.next_key = 0
        if self.root is None:
            return
        kids = self.root.K
        self.document = kids[0] if isinstance(kids, pikepdf.Array) else kids
        self._append(self.root.ParentTree.Nums, 0, lambda value: value)

    def _append(self, nums: Any, offset: int, copy: Callable[[Any], Any]) -> None:
        for k in range(0, len(nums), 2):
            key = int(nums[k]) + offset
            self.nums.append(key)
            self.nums.append(copy(nums[k + 1]))
            self.next_key = max(self.next_key, key + 1)

    def add(self, source: Any, first_page: int, first: bool = False) -> None:
        """Join the tree of ``source``, whose pages were just copied in from ``first_page``:
        its content after what is there, or before it (``first``)."""
        import pikepdf

        theirs = source.Root.get("/StructTreeRoot")
        if self.root is None or theirs is None:
            return

        def copy(value: Any) -> Any:
            if isinstance(value, pikepdf.Array) and not value.is_indirect:
                return pikepdf.Array([self.out.copy_foreign(v) for v in value])
            return self.out.copy_foreign(value)

        offset = self.next_key
        for page in self.out.pages[first_page : first_page + len(source.pages)]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annot in page.obj.get("/Annots", []):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + offset
        tree = theirs.ParentTree
        if tree.is_indirect:
            # One copy of the whole parent tree: qpdf maps each object it has copied already
            # (pages, annotations) to that copy and copies the rest once. Element by element,
            # this was a fifth of the join's time at 1,000 flows; the bytes are the same.
            self._append(self.out.copy_foreign(tree).Nums, offset, lambda value: value)
        else:
            self._append(tree.Nums, offset, copy)
        kids = theirs.K
        document = self.out.copy_foreign(kids[0] if isinstance(kids, pikepdf.Array) else kids)
        theirs_kids = list(document.K)
        for kid in theirs_kids:
            kid.P = self.document
        if first:
            self.document.K = pikepdf.Array([*theirs_kids, *self.document.K])
        else:
            for kid in theirs_kids:
                self.document.K.append(kid)

    def finish(self) -> None:
        import pikepdf

        if self.root is None:
            return
        self.root.ParentTree = self.out.make_indirect(pikepdf.Dictionary(Nums=self.nums))
        self.root.ParentTreeNextKey = self.next_key


PDF_UA_PART = "1"


def declare_accessible(out: Any) -> None:
    """Add PDF/UA-1's identification to the XMP packet of a tagged file. WeasyPrint writes one
    variant's identification (here PDF/A-3a, whose level A needs the same tags); its own
    ``pdf/ua-1`` variant differs from that only in this entry. No date or producer changes, so
    the bytes stay reproducible."""
    if "/StructTreeRoot" not in out.Root:
        return
    with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["pdfuaid:part"] = PDF_UA_PART


def finish_whole(pdf: bytes) -> bytes:
    """A document laid out in one piece, with the identification ``Join`` gives the parts."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as out:
        if "/StructTreeRoot" not in out.Root:
            return pdf
        declare_accessible(out)
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True, stream_decode_level=pikepdf.StreamDecodeLevel.none)
        return buffer.getvalue()


STAMP_NAME = "/ReportgenPageNumber"


def _overlay(out: Any, page: Any, over: Any) -> None:
    """Draw ``over`` (a page of the same size) on top of ``page`` as a form XObject under a
    fixed resource name (pikepdf's own ``add_overlay`` picks a random one, and the output
    must be reproducible)."""
    import pikepdf

    form = out.copy_foreign(over.as_form_xobject())
    resources = page.obj.get("/Resources")
    if resources is None:
        page.obj.Resources = resources = pikepdf.Dictionary()
    elif resources.is_indirect:
        # WeasyPrint shares one resource dictionary between the pages of a part.
        page.obj.Resources = resources = pikepdf.Dictionary(resources)
    xobjects = resources.get("/XObject")
    xobjects = pikepdf.Dictionary() if xobjects is None else pikepdf.Dictionary(xobjects)
    xobjects[STAMP_NAME] = form
    resources.XObject = xobjects
    page.contents_add(pikepdf.Stream(out, b"q\n"), prepend=True)
    # Marked as an artifact: in a tagged PDF, page numbers are not part of the content.
    page.contents_add(pikepdf.Stream(out, f"\nQ q /Artifact BMC {STAMP_NAME} Do EMC Q\n".encode()))


def _write_outline(out: Any, tree: list[tuple[Bookmark, list[Any]]]) -> None:
    import pikepdf

    def items(nodes: list[tuple[Bookmark, list[Any]]]) -> list[pikepdf.OutlineItem]:
        made = []
        for mark, children in nodes:
            item = pikepdf.OutlineItem(
                mark.label, mark.page, page_location="XYZ", left=mark.x, top=mark.y, zoom=0
            )
            item.children.extend(items(children))
            made.append(item)
        return made

    with out.open_outline() as outline:
        outline.root.clear()
        outline.root.extend(items(tree))
