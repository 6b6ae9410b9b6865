"""From ``ReportData`` to the PDF's bytes: the HTML, its parts laid out (in worker processes),
the contents' page numbers, the page-number stamps, and the join (see ``parts``).

The output is reproducible: the creation and modification dates in the Info dictionary, the
XMP packet and the embedded files all come from ``data.build.build_time``; the PDF /ID is a
digest of the content, and the fonts are the DejaVu files shipped in ``templates/fonts``
rather than whatever the system has installed.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from weasyprint import Attachment
from weasyprint.urls import URLFetcher

from ...bundle import ReportData
from .. import Rendered, RenderOptions
from . import parts as pdf_parts
from .context import (
    CHANGES_TEMPLATE,
    MAIN_TEMPLATE,
    AttachmentFile,
    LazyAttachments,
    html_stream,
    pdf_name,
    user_folder,
)
from .fetcher import BASE_URL

LOG = logging.getLogger(__name__)

ONE_PIECE_FLOWS = 50
"""A report on a matrix of fewer flows than this is laid out in one piece, in this process;
a longer one, from a template with part marks (the packaged report), in parts. Parts cost
CPU (each part's own start, the page-number stamps, the join) but lay out side by side: on 2
cores the shipped v0.21.11 report (83 flows) takes 6.7 s instead of 7.4 s, and the parts can
start while the HTML is still being rendered, which needs the choice before it. It depends
on the document only, so the bytes are the same with any ``--jobs`` (benchmarks/README.md)."""

FRONT_PAGES = 3
"""The length of the front part (cover, document control, contents) that the assembly starts
from: the contents hold one line per heading, whose number does not grow with the matrix. The
assembly lays the front out with this guess and checks it (see ``assemble``)."""

PDF_VARIANT = pdf_parts.PDF_VARIANT


def _attachments(
    files: Sequence[AttachmentFile], moment: datetime, fetcher: URLFetcher
) -> list[Attachment]:
    return [
        Attachment(
            string=f.content,
            name=f.name,
            description=f.description,
            created=moment,
            modified=moment,
            relationship=f.relationship,
            url_fetcher=fetcher,
        )
        for f in files
    ]


@dataclass(frozen=True, slots=True)
class Attach:
    """The files attached to the PDF (by its first part), as WeasyPrint wants them; picklable,
    so that the part may be laid out in a worker process."""

    files: tuple[AttachmentFile, ...]
    moment: datetime

    def __call__(self, fetcher: URLFetcher) -> list[Attachment]:
        return _attachments(self.files, self.moment, fetcher)


_TOC_LINK = re.compile(r'href="(?:#|xref:)([^"]+)" data-page="[^"]*"')


def _number_contents(front: str, pages: dict[str, int]) -> str:
    """Write the page of each heading into the contents' ``data-page`` attributes."""
    return _TOC_LINK.sub(
        lambda m: (
            m.group(0).rsplit(" data-page=", 1)[0] + f' data-page="{pages.get(m.group(1), "")}"'
        ),
        front,
    )


_SECTION = re.compile(r"<section\b")


def _guess_front_anchors(front: str) -> dict[str, int]:
    """The pages of the front's own anchors, guessed as ``FRONT_PAGES`` guesses its length:
    each of its sections (cover, document control, contents) one page. ``assemble`` writes
    them into the contents and checks them against the layout.

    A link of the contents to the front itself left to ``target-counter()`` made WeasyPrint
    lay the contents page out three times: 0.48 s for the front at 100 flows instead of
    0.40 s (medians of five), at the build's end, where nothing else runs. The bytes are the
    same (tests/test_pdf_parts.py)."""
    body = front[front.index("<body") :]
    guess: dict[str, int] = {}
    for page, section in enumerate(_SECTION.split(body)[1:], start=1):
        for name in pdf_parts.anchors_in(section):
            guess.setdefault(name, page)
    return guess


@dataclass(frozen=True, slots=True)
class Assembled:
    """The PDF and what its parts' fetchers were asked for (every part, in any worker)."""

    pdf: bytes
    parts: int
    served: tuple[str, ...]
    refused: tuple[str, ...]


def write_pdf(
    data: ReportData,
    options: RenderOptions,
    template: str = MAIN_TEMPLATE,
    files: Sequence[AttachmentFile] | None = None,
) -> bytes:
    """Lay the report out and write the PDF (see ``assemble``)."""
    return assemble(data, options, template, files).pdf


def assemble(
    data: ReportData,
    options: RenderOptions,
    template: str = MAIN_TEMPLATE,
    files: Sequence[AttachmentFile] | None = None,
) -> Assembled:
    """Lay the report out and write the PDF, recording what was fetched.

    A long report (``ONE_PIECE_FLOWS``) from a template with part marks (the packaged report)
    is laid out part by part with ``options.jobs`` worker processes and assembled (see
    ``parts``); a shorter one, or one without marks (a user's template, the changes
    document), is laid out in one piece. Either way every
    layout gets its own ``TemplateFetcher``, and the result lists what they served and
    refused, so that tests see what the production path fetched."""
    files = LazyAttachments(data) if files is None else files
    user = user_folder(options)
    moment = data.build.build_time.astimezone(UTC).replace(tzinfo=None)
    clock = time.perf_counter()
    own: Executor | None = None
    pool = options.pool
    cut = sum(1 for _ in data.matrix.flows) >= ONE_PIECE_FLOWS
    stream = _Stream(user, options.jobs if cut else 1)
    try:
        for piece in html_stream(data, options, files, template):
            if stream.feed(piece) and pool is None:
                # The report is long enough to be cut: its parts are laid out from now on,
                # while the rest of the HTML is rendered.
                pool = own = pdf_parts.worker_pool(options.jobs)
            if stream.fresh and stream.started and pool is not None:
                stream.submit(pool)
        text, documents = stream.finish()
        attach = Attach(tuple(files), moment)
        if options.html_done is not None and not (cut and len(documents) > 1):
            options.html_done.set()  # laid out here, in one piece: nothing to wait for
        if len(documents) == 1 or not cut:
            whole = pdf_parts.lay_out(
                pdf_parts.without_marks(text), BASE_URL, user, PDF_VARIANT, attach=attach
            )
            return Assembled(pdf_parts.finish_whole(whole.pdf), 1, whole.served, whole.refused)
        stamp_source = documents[0]
        _log_step("html", clock, f"{len(documents)} parts, the first sent after", stream.first)
        clock = stream.first or time.perf_counter()
        # The body's parts, side by side: those not yet laid out, then all of them back. The
        # front part (cover, control, contents) is laid out once their pages are known, with
        # the page numbers in its contents, beside the stamps that print "page N of M" on
        # every page. The front's own length (FRONT_PAGES) and the pages of its own headings
        # (_guess_front_anchors) are guessed and checked: a wrong guess lays both out again.
        if pool is None and options.jobs > 1:
            pool = own = pdf_parts.worker_pool(min(options.jobs, len(documents) - 1))
        if pool is not None:
            stream.submit(pool)
        # The attachments travel in a document of their own (see ``parts.carrier_document``),
        # queued behind the body's parts: only the join at the end needs it, and ahead of
        # the last part it held that part back by its own 0.07 s (100 flows).
        carrier_work: pdf_parts.Work | None = None
        carried: Future[pdf_parts.LaidOut] | None = None
        if files:
            carrier_work = (pdf_parts.carrier_document(documents[0]), BASE_URL, user,
                            PDF_VARIANT, attach)  # fmt: skip
            if pool is not None:
                carried = pool.submit(pdf_parts.lay_out_one, carrier_work)
        if options.html_done is not None:
            options.html_done.set()
        join = pdf_parts.Join()
        body = stream.results(pool, join)
        laid = list(body)
        carrier = None
        if carrier_work is not None:
            carrier = (
                carried.result() if carried is not None else pdf_parts.lay_out_one(carrier_work)
            )
        clock = _log_step("parts", clock, f"{sum(p.seconds for p in body):.1f} s in the workers")
        front_landscape = [False] * FRONT_PAGES
        front_source = stream.work(0)[0]
        front_anchors = _guess_front_anchors(front_source)
        for _ in range(3):
            front_pages = len(front_landscape)
            # The front's own anchors at their guessed pages (checked below), then the body's.
            pages: dict[str, int] = dict(front_anchors)
            offset = front_pages
            for part in body:
                for name, index in part.anchors.items():
                    pages.setdefault(name, offset + index + 1)
                offset += part.pages
            landscape = [*front_landscape, *(w for part in body for w in part.landscape)]
            # The stamps are form XObjects, marked as artifacts: untagged, no PDF/A of their own.
            stamp = pdf_parts.Stamps(stamp_source, tuple(landscape), "matrix", BASE_URL, user)
            front = _number_contents(front_source, pages)
            first, stamps = pdf_parts.run(
                [
                    (pdf_parts.lay_out_last, (front, BASE_URL, user, PDF_VARIANT, None)),
                    (pdf_parts.lay_out_stamps, stamp),
                ],
                options.jobs,
                pool,
            )
            found = {n: first.anchors[n] + 1 for n in front_anchors if n in first.anchors}
            if list(first.landscape) == front_landscape and found == front_anchors:
                break
            front_landscape, front_anchors = list(first.landscape), found
        else:
            raise RuntimeError("the contents do not settle on the front's pages")
    except BaseException:
        if own is not None:
            pdf_parts.stop_workers(own)
        raise
    finally:
        if own is not None:
            own.shutdown(wait=True, cancel_futures=True)
    parts = [first, *body]
    clock = _log_step("front and page numbers", clock, f"{len(landscape)} pages")
    merged = join.finish(first, stamps.pdf, carrier.pdf if carrier else None)
    _log_step("merge", clock, f"{len(merged)} bytes")
    everything = [*laid, first, stamps, *([carrier] if carrier else [])]
    return Assembled(
        merged,
        len(parts),
        tuple(url for part in everything for url in part.served),
        tuple(url for part in everything for url in part.refused),
    )


def _log_step(step: str, since: float, detail: str, until: float | None = None) -> float:
    now = time.perf_counter() if until is None else until
    LOG.debug("pdf %s: %.2f s (%s)", step, now - since, detail)
    return now


STREAM_BATCH = 1 << 16
"""Characters of HTML handed to the splitter at a time."""


class _Stream:
    """The report's HTML as the template renders it, cut into parts (``parts.Splitter``);
    when the report is to be laid out in parts, each completed body part can be sent to the
    workers (``jobs`` > 1) while the rest is rendered."""

    def __init__(self, user: Path | None, jobs: int) -> None:
        self.user = user
        self.jobs = jobs
        self.splitter = pdf_parts.Splitter()
        self.chunks: list[str] = []
        self.batch: list[str] = []
        self.size = 0
        self.documents: list[str] = []
        self.started = False
        self.fresh = False
        """The last piece completed a part."""
        self.first: float | None = None
        """When the first part was sent to a worker."""
        self.sent: dict[int, Future[pdf_parts.LaidOut]] = {}

    def feed(self, piece: str) -> bool:
        """Take a piece of the HTML; True when this piece decided that the report is laid
        out in parts, with workers (``jobs`` > 1)."""
        self.fresh = False
        self.chunks.append(piece)
        self.batch.append(piece)
        self.size += len(piece)
        if self.size < STREAM_BATCH:
            return False
        return self._take(self.splitter.feed("".join(self.batch)))

    def _take(self, documents: list[str]) -> bool:
        self.batch.clear()
        self.size = 0
        self.documents += documents
        self.fresh = bool(documents)
        if self.started or self.jobs <= 1 or not self.documents:
            return False
        self.started = True
        return True

    def work(self, index: int) -> pdf_parts.Work:
        document = pdf_parts.link_across([self.documents[index]])[0]
        return (pdf_parts.without_page_numbers(document), BASE_URL, self.user, PDF_VARIANT, None)

    def submit(self, pool: Executor) -> None:
        """Send the body parts completed so far (the largest first) to the workers."""
        waiting = [i for i in range(1, len(self.documents)) if i not in self.sent]
        for i in sorted(waiting, key=lambda i: -len(self.documents[i])):
            self.sent[i] = pool.submit(pdf_parts.lay_out_one, self.work(i))
            if self.first is None:
                self.first = time.perf_counter()

    def finish(self) -> tuple[str, list[str]]:
        """The whole HTML and its parts (``parts.split``)."""
        self._take(self.splitter.feed("".join(self.batch)))
        last, as_split = self.splitter.finish()
        self.documents += last
        text = "".join(self.chunks)
        if not as_split:  # not the packaged templates' ending: split the whole text again
            for future in self.sent.values():
                future.cancel()
            self.sent.clear()
            self.documents = pdf_parts.split(text)
        return text, self.documents

    def results(self, pool: Executor | None, join: pdf_parts.Join) -> list[pdf_parts.LaidOut]:
        """The body's parts laid out, in order (from the workers, or here without a pool),
        each joined as soon as it and those before it are back, while later ones are laid
        out."""
        laid: list[pdf_parts.LaidOut] = []
        try:
            for i in range(1, len(self.documents)):
                part = (
                    pdf_parts.lay_out_one(self.work(i)) if pool is None else self.sent[i].result()
                )
                laid.append(part)
                join.add(part)
        finally:
            for future in self.sent.values():
                future.cancel()
        return laid


def render(data: ReportData, options: RenderOptions) -> Rendered:
    return {pdf_name(data): write_pdf(data, options)}


def changes_pdf(data: ReportData, options: RenderOptions) -> bytes:
    """``reportgen diff --format pdf``: the changes between ``data.changes.old`` and this
    release as a PDF/A-3b of its own, with the diff as JSON attached."""
    if data.changes is None:
        raise ValueError("changes_pdf needs ReportData with changes (a diff)")
    from ..diff_formats import render_json

    diff_json = AttachmentFile(
        name="changes.json",
        description="The changes between the two releases as JSON",
        content=render_json(data.changes).encode("utf-8"),
        relationship="Supplement",
    )
    return write_pdf(data, options, template=CHANGES_TEMPLATE, files=(diff_json,))
