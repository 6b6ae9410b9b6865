"""The PDF laid out in parts and assembled: links across parts, contents, page numbers,
bookmarks, and a matrix section cut into batches of rows.

The helpers are tested on small inputs; the assembled report is the real v0.21.11 matrix with
``PART_ROWS`` lowered to 20 and ``PART_IDS`` to 100: its largest matrix section (52 flows)
is cut into three parts, the register (62 assessed findings) between rules, and the
traceability appendix between controls.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from reportgen.render import RenderOptions
from reportgen.render import pdf as pdf_module
from reportgen.render.pdf import context as pdf_context
from reportgen.render.pdf import parts as pdf_parts_module
from reportgen.render.pdf.parts import (
    PART_MARK,
    XREF,
    Bookmark,
    link_across,
    outline_tree,
    split,
)

from .conftest import ROOT
from .pdf_support import force_layout, load_report_data
from .test_pdf import Rendered, _page_texts, check_tagged_structure

# --- the helpers ------------------------------------------------------------------------------


def test_split_repeats_head_and_prelude_inside_each_part() -> None:
    page = (
        "<html><head><title>t</title></head><body>"
        f'<div class="running">R</div>{PART_MARK}<section class="a">A</section>'
        f'{PART_MARK}<section class="b">B</section>{PART_MARK}  </body></html>'
    )
    parts = split(page)
    assert parts == [
        '<html><head><title>t</title></head><body><section class="a">'
        '<div class="running">R</div>A</section></body></html>',
        '<html><head><title>t</title></head><body><section class="b">'
        '<div class="running">R</div>B</section></body></html>',
    ]
    assert split("<html><body>one piece</body></html>") == ["<html><body>one piece</body></html>"]


def test_links_to_another_part_become_cross_references() -> None:
    first = '<h1 id="a">A</h1><a href="#a">here</a><a href="#b">there</a>'
    second = '<tr id="b"><td><a href="#a">back</a></td></tr>'
    assert link_across([first, second]) == [
        f'<h1 id="a">A</h1><a href="#a">here</a><a href="{XREF}b">there</a>',
        f'<tr id="b"><td><a href="{XREF}a">back</a></td></tr>',
    ]


def test_outline_nests_by_level_across_parts() -> None:
    marks = [
        Bookmark(1, "1 One", 0, 0, 0),
        Bookmark(2, "1.1", 1, 0, 0),
        Bookmark(3, "1.1.1", 1, 0, 0),
        Bookmark(2, "1.2", 2, 0, 0),  # a part may start with a level-2 heading
        Bookmark(1, "2 Two", 3, 0, 0),
    ]

    def shape(nodes: list[tuple[Bookmark, list[object]]]) -> list[object]:
        return [(m.label, shape(children)) for m, children in nodes]  # type: ignore[arg-type]

    assert shape(outline_tree(marks)) == [
        ("1 One", [("1.1", [("1.1.1", [])]), ("1.2", [])]),
        ("2 Two", []),
    ]


# --- the assembled report, with the matrix cut into batches -----------------------------------


@pytest.fixture(scope="module")
def batched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rendered]:
    patch = pytest.MonkeyPatch()
    patch.setattr(pdf_context, "PART_ROWS", 20)
    patch.setattr(pdf_context, "PART_IDS", 100)
    # Every piece its own part (the report's chapters are grouped into parts of at least
    # PART_MIN_CHARS otherwise), so that links, contents and stamps cross many parts.
    patch.setattr(pdf_parts_module, "PART_MIN_CHARS", 0)
    force_layout(patch, "parts")
    try:
        data = load_report_data()
        ((name, pdf),) = pdf_module.render(data, RenderOptions(jobs=2)).items()
    finally:
        patch.undo()
    path = tmp_path_factory.mktemp("parts") / name
    path.write_bytes(pdf)
    with pikepdf.open(path) as doc:
        wide = [i for i, p in enumerate(doc.pages) if p.mediabox[2] > p.mediabox[3]]
    yield Rendered(data, name, pdf, path, _page_texts(path), wide)


def _destinations(doc: pikepdf.Pdf) -> dict[str, int]:
    flat = doc.Root.Names.Dests.Names
    index = {p.obj.objgen: i for i, p in enumerate(doc.pages)}
    return {str(flat[k]): index[flat[k + 1][0].objgen] for k in range(0, len(flat), 2)}


@pytest.mark.slow
def test_every_flow_is_in_a_matrix_batch_once(batched: Rendered) -> None:
    matrix_text = "\n".join(batched.pages[i] for i in batched.landscape)
    for flow in batched.data.matrix.flows:
        assert re.search(rf"^{re.escape(flow.label)}\b", matrix_text, re.MULTILINE), flow.key
    # 52 + 9 + 13 + 3 + 6 flows in batches of 20: the first section is three parts, each
    # starting with the table's header row.
    headers = sum(page.count("Destination\nzone") for page in batched.pages)
    assert headers >= 3 + 4


@pytest.mark.slow
def test_links_resolve_across_parts(batched: Rendered) -> None:
    with pikepdf.open(batched.path) as doc:
        dests = _destinations(doc)
        links = []
        for number, page in enumerate(doc.pages):
            for annot in page.obj.get("/Annots", []):
                action = annot.get("/A")
                assert action is None or not str(action.get("/URI", "")).startswith(XREF)
                if "/Dest" in annot:
                    links.append((number, str(annot.Dest)))
    assert links, "the report has internal links"
    missing = {name for _, name in links if name not in dests}
    assert not missing
    # The register's link to flow S1.2 (a part before the matrix) leads to the matrix page
    # that lists S1.2, and the matrix's link back leads to the register page of the finding.
    flow_page = dests["flow-S1.2"]
    assert flow_page in batched.landscape
    assert re.search(r"^S1\.2\b", batched.pages[flow_page], re.MULTILINE)
    finding_page = dests["finding-DATASTORE-NOAUTH_3aS1.2"]
    assert finding_page not in batched.landscape
    assert "DATASTORE-NOAUTH" in batched.pages[finding_page]
    assert re.search(r"^S1\.2\b", batched.pages[finding_page], re.MULTILINE)
    sources = {page for page, name in links if name == "flow-S1.2"}
    assert sources and all(page < flow_page for page in sources)


@pytest.mark.slow
def test_pages_are_numbered_once_through_the_whole_document(batched: Rendered) -> None:
    total = len(batched.pages)
    for number, text in enumerate(batched.pages, start=1):
        assert text.count(f"page {number} of {total}") == 1, number
        assert len(re.findall(r"page \d+ of \d+", text)) == 1, number


@pytest.mark.slow
def test_contents_give_each_chapter_its_page(batched: Rendered) -> None:
    toc = batched.pages[2]
    titles = {
        "Document control": "1 Document control",  # in the front itself: a guess, checked
        "Management summary": "2 Management summary",
        "Findings register": "10 Findings register",
        "With Lightbits": "13.5 With Lightbits",
        "Control traceability": "14 Control traceability",
        "Sign-off": "18 Sign-off",
    }
    for title, heading in titles.items():
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", toc, flags=re.MULTILINE)
        assert match, title
        assert heading in batched.pages[int(match.group(1)) - 1], title


@pytest.mark.slow
def test_outline_is_one_tree_in_document_order(batched: Rendered) -> None:
    with pikepdf.open(batched.path) as doc, doc.open_outline() as outline:
        top = [item.title for item in outline.root]
        register = next(i for i in outline.root if i.title == "10 Findings register")
        children = [c.title for c in register.children]
        matrix = next(i for i in outline.root if i.title == "13 Communication matrix")
        sections = [c.title for c in matrix.children]
    assert top[:2] == ["1 Document control", "Contents"]
    assert top[-1] == "18 Sign-off"
    assert sections[:5] == [
        "13.1 Plain metal-stack",
        "13.2 With SONiC",
        "13.3 With Gardener",
        "13.4 With Cluster API",
        "13.5 With Lightbits",
    ]
    assert children[0].startswith("10.1 Medium")


@pytest.mark.slow
def test_the_assembled_file_keeps_pdf_a_and_its_attachments(batched: Rendered) -> None:
    with pikepdf.open(batched.path) as doc:
        meta = doc.open_metadata()
        assert meta.pdfa_status == "3A"
        assert meta.get("pdfuaid:part") == "1"
        assert sorted(doc.attachments) == sorted(
            a.name for a in pdf_module.attachments(batched.data)
        )
        # PDF/A-3: each embedded file is an associated file of the document, with its
        # relationship (the parts are laid out without them; a carrier document brings them).
        specs = [doc.Root.Names.EmbeddedFiles.Names[k] for k in range(1, 6, 2)]
        assert {s.objgen for s in doc.Root.AF} == {s.objgen for s in specs}
        assert {str(s.AFRelationship) for s in specs} == {"/Source", "/Data"}
        assert "/OutputIntents" in doc.Root
        assert len(doc.pages) == len(batched.pages)  # the carrier's page is not among them


@pytest.mark.slow
def test_the_fronts_own_pages_are_guessed_one_section_a_page() -> None:
    from reportgen.render.pdf.assembly import _guess_front_anchors

    front = (
        '<html><head><style>p{}</style></head><body><div id="running"></div>'
        '<section class="cover"><p id="top">x</p></section>'
        '<section class="chapter"><h1 id="control">y</h1><p id="history">z</p></section>'
        '<section class="chapter toc"><h1 id="contents">c</h1></section></body></html>'
    )
    assert _guess_front_anchors(front) == {"top": 1, "control": 2, "history": 2, "contents": 3}


@pytest.mark.slow
@pytest.mark.parametrize("wrong", [False, True])
def test_a_wrong_guess_of_the_fronts_pages_is_laid_out_again(
    wrong: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The contents' link to the front's own "Document control" gets the page guessed for it
    (``_guess_front_anchors``): the front is laid out once when the guess holds, and again,
    with the page its layout found, when it does not."""
    from reportgen.render.pdf import assembly

    guess = assembly._guess_front_anchors
    if wrong:
        monkeypatch.setattr(
            assembly, "_guess_front_anchors", lambda front: {**guess(front), "control": 3}
        )
    fronts: list[str] = []
    lay_out_last = pdf_parts_module.lay_out_last

    def counted(args: pdf_parts_module.Work) -> pdf_parts_module.LaidOut:
        fronts.append(args[0])
        return lay_out_last(args)

    monkeypatch.setattr(pdf_parts_module, "lay_out_last", counted)
    ((_name, pdf),) = pdf_module.render(load_report_data(), RenderOptions(jobs=1)).items()
    assert len(fronts) == (2 if wrong else 1)
    assert ('href="#control" data-page="3"' in fronts[0]) is wrong
    assert 'href="#control" data-page="2"' in fronts[-1]
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    toc = _page_texts(path)[2]
    assert re.search(r"Document control[ .]*?2\s*$", toc, flags=re.MULTILINE), toc


class _InOrder(Executor):
    """Runs each submission at once, here, and records what it was: a body part, the
    attachments' carrier, the front or the stamps."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if fn is pdf_parts_module.lay_out_one:
            document = args[0][0]
            self.sent.append("body" if "<section" in document else "carrier")
        else:
            self.sent.append(fn.__name__)
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


@pytest.mark.slow
def test_the_attachments_carrier_is_queued_behind_every_body_part() -> None:
    """Only the join at the end needs the carrier: ahead of a body part, it held that part
    back."""
    pool = _InOrder()
    rendered = pdf_module.render(load_report_data(), RenderOptions(jobs=2, pool=pool))
    ((_name, pdf),) = rendered.items()
    assert pool.sent.count("carrier") == 1
    assert pool.sent.count("body") >= 2
    carrier = pool.sent.index("carrier")
    assert set(pool.sent[:carrier]) == {"body"}
    assert "body" not in pool.sent[carrier:]
    assert pool.sent[carrier + 1 :] == ["lay_out_last", "lay_out_stamps"]
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert len(doc.attachments) >= 1


def test_a_template_without_part_marks_is_laid_out_in_one_piece(tmp_path: Path) -> None:
    data = load_report_data()
    user = tmp_path / "pdf"
    user.mkdir()
    template = (pdf_module.PDF_TEMPLATES / "report.html").read_text(encoding="utf-8")
    (user / "report.html").write_text(template.replace("{{ part_mark }}", ""), encoding="utf-8")
    ((_, pdf),) = pdf_module.render(data, RenderOptions(templates=tmp_path)).items()
    path = tmp_path / "one.pdf"
    path.write_bytes(pdf)
    pages = _page_texts(path)
    # One WeasyPrint document: its own "page N of M" and its own links, nothing cross-referenced.
    assert f"page 1 of {len(pages)}" in pages[0]
    with pikepdf.open(path) as doc:
        for page in doc.pages:
            for annot in page.obj.get("/Annots", []):
                action = annot.get("/A")
                assert action is None or not str(action.get("/URI", "")).startswith(XREF)


@pytest.mark.slow
def test_the_tagged_structure_survives_the_join(batched: Rendered) -> None:
    """Each part is tagged on its own; joined, the tree reads back as one (see test_pdf)."""
    check_tagged_structure(batched)


def _children_cpu() -> float:
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def test_the_workers_cpu_counts_once_the_fork_server_is_stopped() -> None:
    """The workers are the fork server's children, not this process's: their CPU reaches
    ``RUSAGE_CHILDREN`` (what time(1) and benchmarks/run.py read) only once the server that
    waited for them is stopped and waited for, which `reportgen build` does at its end."""
    import multiprocessing

    from reportgen.build import render_all
    from reportgen.render.forkserver import stop_fork_server

    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork server on this platform")
    stop_fork_server()  # one started by an earlier test: its children are not this build's
    start = _children_cpu()
    pdf = render_all(load_report_data(), ["pdf"], jobs=2)["pdf"]
    assert len(pdf) == 1
    unseen = _children_cpu() - start
    stop_fork_server()
    seen = _children_cpu() - start
    # The shipped report is laid out in parts (83 flows): some seconds of CPU in the workers.
    assert unseen < 0.5 < seen, (unseen, seen)


_PREFORK_BUILD = """
import os, resource, sys, threading
sys.path.insert(0, sys.argv[1])
from reportgen.render.pdf import parts
from tests.pdf_support import load_report_data

assert parts.prefork(2)
pool = parts._preforked
workers = set(pool._processes)
for pid in workers:  # forked from this process, not from a fork server
    with open(f"/proc/{pid}/stat") as stat:
        assert stat.read().split()[3] == str(os.getpid())
from reportgen.build import render_all

data = load_report_data()
laid = render_all(data, ["pdf"], jobs=2)["pdf"]
assert parts._preforked is None, "the build adopted the pool"
from multiprocessing import forkserver
assert getattr(forkserver._forkserver, "_forkserver_pid", None) is None, "no fork server"
used = resource.getrusage(resource.RUSAGE_CHILDREN)
assert used.ru_utime + used.ru_stime > 0.5, "the workers laid the parts out and were waited for"
alone = render_all(data, ["pdf"], jobs=1)["pdf"]
assert laid == alone, "the same bytes as with one process"
print("ok", len(workers))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked only on Linux")
def test_workers_forked_from_the_command_lay_the_parts_out() -> None:
    """``prefork`` (what ``reportgen build`` calls first thing) forks the workers from this
    process; the build adopts them instead of starting a fork server, and the PDF is the one a
    single process lays out."""
    done = subprocess.run(
        [sys.executable, "-c", _PREFORK_BUILD, str(ROOT)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok", "2"]


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked only on Linux")
def test_no_worker_is_forked_while_another_thread_runs() -> None:
    code = (
        "import threading; from reportgen.render.pdf import parts; "
        "stop = threading.Event(); t = threading.Thread(target=stop.wait); t.start(); "
        "print(parts.prefork(2), parts._preforked is None); stop.set(); t.join(); "
        "print(parts.prefork(2), len(parts._preforked._processes)); parts.stop_preforked(); "
        "print(parts._preforked is None)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["False True", "True 2", "True"]


def test_small_pieces_are_grouped_into_parts_the_first_alone() -> None:
    from reportgen.render.pdf.parts import PART_MIN_CHARS, Splitter

    head = "<html><head></head><body>"
    chapters = [f"<section><p>{'x' * (PART_MIN_CHARS // 3)}</p></section>" for _ in range(7)]
    page = head + "<p>run</p>" + "".join(PART_MARK + c for c in chapters) + "\n</body>\n</html>\n"
    parts = split(page)
    # The front alone, then 3 + 3 chapters (each group reaches PART_MIN_CHARS), then the rest.
    assert [p.count("<section>") for p in parts] == [1, 3, 3]
    assert all(p.startswith(head) and "run" in p for p in parts)
    streamed = Splitter()
    got = [d for i in range(0, len(page), 1000) for d in streamed.feed(page[i : i + 1000])]
    last, as_split = streamed.finish()
    assert as_split and got + last == parts


def _laid_without_sharing(document: str) -> bytes:
    from weasyprint import HTML

    from reportgen.render.pdf.assembly import PDF_VARIANT
    from reportgen.render.pdf.fetcher import BASE_URL, TemplateFetcher

    laid = HTML(string=document, base_url=BASE_URL, url_fetcher=TemplateFetcher(None)).render()
    return pdf_parts_module._compressed(
        laid.write_pdf(pdf_variant=PDF_VARIANT, uncompressed_pdf=True)
    )


def test_a_part_compressed_by_qpdf_has_weasyprints_content() -> None:
    """A part is written uncompressed by WeasyPrint and compressed by qpdf (``_compressed``):
    the same pages, content streams, fonts and tagged structure as WeasyPrint's own
    compressed file, with object streams, and reproducible."""
    from weasyprint import HTML

    from reportgen.render.pdf.assembly import PDF_VARIANT
    from reportgen.render.pdf.fetcher import BASE_URL, TemplateFetcher

    document = split(pdf_context.html(load_report_data(), RenderOptions(), ()))[1]
    laid = HTML(string=document, base_url=BASE_URL, url_fetcher=TemplateFetcher(None)).render()
    own = laid.write_pdf(pdf_variant=PDF_VARIANT)
    ours = pdf_parts_module._compressed(
        laid.write_pdf(pdf_variant=PDF_VARIANT, uncompressed_pdf=True)
    )
    assert ours == pdf_parts_module._compressed(
        laid.write_pdf(pdf_variant=PDF_VARIANT, uncompressed_pdf=True)
    )
    assert b"/ObjStm" in ours
    with pikepdf.open(io.BytesIO(own)) as a, pikepdf.open(io.BytesIO(ours)) as b:
        assert len(a.pages) == len(b.pages) > 1
        for pa, pb in zip(a.pages, b.pages, strict=True):
            assert pa.Contents.read_bytes() == pb.Contents.read_bytes()
            fonts_a = {str(f.BaseFont) for f in pa.Resources.Font.values()}
            assert fonts_a == {str(f.BaseFont) for f in pb.Resources.Font.values()}
        assert len(a.Root.StructTreeRoot.ParentTree.Nums) == len(
            b.Root.StructTreeRoot.ParentTree.Nums
        )
        assert str(a.Root.Metadata.read_bytes()) == str(b.Root.Metadata.read_bytes())


@pytest.mark.slow
def test_a_worker_parses_the_head_style_once_and_lays_out_the_same_bytes() -> None:
    """``lay_out`` parses a head's ``<style>`` once per process and hands it to WeasyPrint as
    a user style sheet: for the report's own parts the bytes are those of a plain layout,
    each part still records the fonts the sheet fetched, and a document with another author
    style is laid out as it is."""
    from reportgen.render.pdf.assembly import PDF_VARIANT
    from reportgen.render.pdf.fetcher import BASE_URL, TemplateFetcher

    html = pdf_context.html(load_report_data(), RenderOptions(), ())
    documents = split(html)
    assert len(documents) > 2
    pdf_parts_module._STYLES.clear()
    firsts = [pdf_parts_module.lay_out(d, BASE_URL, None, PDF_VARIANT) for d in documents[:3]]
    assert len(pdf_parts_module._STYLES) == 1  # one sheet for all three parts
    for document, laid in zip(documents[:3], firsts, strict=True):
        assert laid.pdf == _laid_without_sharing(document)
        fonts = [u for u in laid.served if u.endswith(".ttf")]
        assert any(u.endswith("/DejaVuSans.ttf") for u in fonts), laid.served
    # Another author style: the document keeps its own <style>, and its rule wins as before.
    for extra in (
        '<link rel="stylesheet" href="x.css">',
        '<p style="color: red !important">x</p>',
        "<style>p { color: red; }</style>",
    ):
        body = documents[1].index("<body>") + len("<body>")
        document = documents[1][:body] + extra + documents[1][body:]
        kept, style = pdf_parts_module._shared_style(document, BASE_URL, None, TemplateFetcher())
        assert style is None and kept == document


def test_a_worker_warms_up_on_the_reports_fonts() -> None:
    laid = pdf_parts_module.warm_up()
    assert laid.pages == 1 and laid.anchors == {"w": 0}
    fonts = {url.rsplit("/", 1)[-1] for url in laid.served if url.endswith(".ttf")}
    assert fonts == {
        "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
        "DejaVuSansCondensed.ttf", "DejaVuSansMono.ttf",
    }  # fmt: skip
    assert not laid.refused


def test_workers_take_turns_to_warm_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker warms up only in its turn (``worker_pool`` gives its workers a semaphore of
    as many turns as there are cores beside the command's)."""
    import threading

    turns = threading.BoundedSemaphore(1)
    warmed: list[int] = []
    monkeypatch.setattr(pdf_parts_module, "_warm_up_turns", turns)
    monkeypatch.setattr(pdf_parts_module, "warm_up", lambda: warmed.append(1))
    assert turns.acquire(timeout=1)  # another worker's turn
    worker = threading.Thread(target=pdf_parts_module._ready)
    worker.start()
    worker.join(0.2)
    assert worker.is_alive() and not warmed
    turns.release()
    worker.join(10)
    assert not worker.is_alive() and warmed == [1]
    assert pdf_parts_module._spare_cores() >= 1


def _styles_kept() -> int:
    return len(pdf_parts_module._STYLES)


@pytest.mark.slow
def test_a_warmed_up_worker_lays_out_the_bytes_of_a_fresh_one() -> None:
    """A worker of a pool started ahead of its work (``worker_pool(warm=True)``, as
    ``prefork`` starts it) warms up first (``warm_up``); a part it lays out then has the bytes
    a fresh worker of the same kind, that laid nothing out before, gives it. A pool started
    when the work is there does not warm up."""
    from concurrent.futures import ProcessPoolExecutor

    from reportgen.render.forkserver import worker_context
    from reportgen.render.pdf.assembly import PDF_VARIANT
    from reportgen.render.pdf.fetcher import BASE_URL

    documents = split(pdf_context.html(load_report_data(), RenderOptions(), ()))
    work = (
        pdf_parts_module.without_page_numbers(documents[2]), BASE_URL, None, PDF_VARIANT, None
    )  # fmt: skip
    with ProcessPoolExecutor(1, mp_context=worker_context()) as fresh:
        assert fresh.submit(_styles_kept).result() == 0
        plain = fresh.submit(pdf_parts_module.lay_out_one, work).result()
    with pdf_parts_module.worker_pool(1, warm=True) as warm:
        assert warm.submit(_styles_kept).result() == 1  # the warm-up's sheet
        warmed = warm.submit(pdf_parts_module.lay_out_one, work).result()
    assert warmed.pages == plain.pages > 1
    assert warmed.pdf == plain.pdf
    with pdf_parts_module.worker_pool(1) as cold:  # started when the work is there
        assert cold.submit(_styles_kept).result() == 0


def _collector_enabled() -> bool:
    import gc

    return gc.isenabled()


def test_a_worker_runs_without_the_cyclic_collector_and_collects_when_due(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    pool = pdf_parts_module.worker_pool(1)
    try:
        assert pool.submit(_collector_enabled).result(timeout=60) is False
    finally:
        pool.shutdown()
    assert gc.isenabled()  # this process keeps its collector

    monkeypatch.setattr(pdf_parts_module, "GC_BUDGET", 1000)

    def pile_up() -> int:
        for _ in range(5000):  # cyclic garbage, as a laid-out part is
            cycle: list[object] = []
            cycle.append(cycle)
        return gc.get_count()[0]

    pdf_parts_module._collect_if_due()  # the collector on: left to its own thresholds
    gc.disable()  # as in a worker, or under the command line's gc_paused
    try:
        pending = pile_up()
        assert pending > 1000
        pdf_parts_module._collect_if_due()
        assert gc.get_count()[0] < 1000
    finally:
        gc.enable()


@pytest.mark.skipif(
    sys.implementation.name != "cpython" or sys.version_info < (3, 11),
    reason="the frame stack in chunks is CPython 3.11's",
)
def test_calls_with_stack_room_map_no_frame_stack_chunks() -> None:
    """A call that goes deep and back, again and again, as WeasyPrint's layout does. Without
    room, each descent maps the 16 KiB chunks of frame stack that the previous return
    unmapped, and touching a fresh mapping is a page fault the kernel counts. Inside
    ``_with_stack_room`` the frames fit into the room it keeps, and nothing is mapped.
    (Laying out the largest part of a 1,000-flow report, the faults fell from 360,000 to
    70,000 and the system time from 2.6 s to 0.3 s.)"""
    import gc
    import resource

    def dive(depth: int) -> int:
        return 0 if depth == 0 else dive(depth - 1) + 1

    def oscillate() -> int:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(2000):
            dive(400)  # about 40 KiB of frames: two chunks or more past the first
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

    enabled = gc.isenabled()
    gc.disable()
    try:
        plain = oscillate()
        room = pdf_parts_module._with_stack_room(oscillate)
    finally:
        if enabled:
            gc.enable()
    assert plain > 2000 > 20 * room, (plain, room)


def _glyph(c: dict[str, Any]) -> tuple[object, ...]:
    """A character as drawn: text, position, size, font (without its subset tag), colour."""
    font = c["fontname"].split("+")[-1]
    position = (round(c["x0"], 4), round(c["top"], 4))
    return (c["text"], *position, c["size"], font, c["non_stroking_color"])


def _chars(pdf: bytes) -> list[list[tuple[object, ...]]]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as opened:
        return [[(p.width, p.height)] + [_glyph(c) for c in p.chars] for p in opened.pages]


@pytest.mark.slow
def test_stamps_from_templates_are_the_stamps_laid_out_page_by_page() -> None:
    """The page numbers drawn from a few templates (one per page size and number of digits,
    ``lay_out_stamps``) are, glyph for glyph and position for position, those WeasyPrint
    lays out on a page of their own: 105 pages, portrait and landscape, with one, two and
    three digits, in English and German."""
    from reportgen.render.pdf.fetcher import BASE_URL

    landscape = (False,) * 8 + (True,) * 5 + (False,) * 90 + (True,) * 2
    for lang in ("en", "de"):
        html = pdf_context.html(load_report_data(), RenderOptions(lang=lang), ())
        first = split(html)[0]
        stamps = pdf_parts_module.Stamps(first, landscape, "matrix", BASE_URL, None)
        templates = pdf_parts_module._stamp_templates(stamps)
        assert templates is not None
        document, shapes, filler = templates
        assert shapes == [(False, 1), (False, 2), (False, 3), (True, 1), (True, 2), (True, 3)]
        assert filler == "2"  # the first digit the page count, 105, does not have
        laid = pdf_parts_module.lay_out(document, BASE_URL, None, None)
        assert laid.pages == len(shapes) + 1  # the templates and the page of all digits
        quick = pdf_parts_module._expand_stamps(laid.pdf, shapes, filler, landscape)
        assert quick is not None
        assert pdf_parts_module.lay_out_stamps(stamps).pdf == quick
        whole = pdf_parts_module.stamp_document(first, landscape, "matrix")
        slow = pdf_parts_module.lay_out(whole, BASE_URL, None, None)
        assert _chars(quick) == _chars(slow.pdf)
        label = "Seite 104 von 105" if lang == "de" else "page 104 of 105"
        assert "".join(str(c[0]) for c in _chars(quick)[103][1:]) == label


def test_a_page_number_box_without_the_page_counter_is_stamped_page_by_page() -> None:
    from reportgen.render.pdf.fetcher import BASE_URL

    first = split(pdf_context.html(load_report_data(), RenderOptions(), ()))[0]
    plain = first.replace("counter(page)", '"?"', 1)
    stamps = pdf_parts_module.Stamps(plain, (False, False, True), "matrix", BASE_URL, None)
    assert pdf_parts_module._stamp_templates(stamps) is None
    laid = pdf_parts_module.lay_out_stamps(stamps)
    assert laid.pages == 3 and laid.landscape == (False, False, True)


_KEPT: list[pikepdf.Pdf] = []
"""The files of ``_font_page``'s pages, kept open while the tests read them."""


def _font_page(cmap: bytes) -> pikepdf.Page:
    pdf = pikepdf.new()
    _KEPT.append(pdf)
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, ToUnicode=pikepdf.Stream(pdf, cmap))
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, Resources=resources)
    return pikepdf.Page(pdf.make_indirect(page))


def test_the_digits_codes_come_from_the_fonts_unicode_map() -> None:
    ranges = (
        b"2 beginbfrange\n<0013> <001c> <0030>\n<0001> <0001> <00660069>\nendbfrange\n"
        b"1 beginbfchar\n<0020> <0041>\nendbfchar\n"
    )
    codes = pdf_parts_module._digit_codes(_font_page(ranges))
    assert codes == {str(d): f"{0x13 + d:04x}".encode() for d in range(10)}
    # The digits one by one, upper-case codes read as lower case.
    chars = b"10 beginbfchar\n" + b"".join(
        f"<00{0x1A + d:02X}> <{0x30 + d:04x}>\n".encode() for d in range(10)
    )
    codes = pdf_parts_module._digit_codes(_font_page(chars + b"endbfchar\n"))
    assert codes == {str(d): f"00{0x1A + d:02x}".encode() for d in range(10)}
    # Without all ten digits there is nothing to number with.
    some = b"1 beginbfrange\n<0013> <001a> <0030>\nendbfrange\n"
    assert pdf_parts_module._digit_codes(_font_page(some)) is None


def test_a_template_is_numbered_only_where_its_filler_digit_stands() -> None:
    template = b"BT [<0053>0<0044>0<0003>0<0015>0<0015>0<0003>0<0014>0<0016>] TJ ET"
    numbered = pdf_parts_module._numbered(template, b"0015", [b"0013", b"001c"])
    assert numbered == b"BT [<0053>0<0044>0<0003>0<0013>0<001c>0<0003>0<0014>0<0016>] TJ ET"
    assert pdf_parts_module._numbered(template, b"0015", [b"0013"]) is None
