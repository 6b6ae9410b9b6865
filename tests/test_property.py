"""Property tests: generated Markdown matrices, broken ones included, through the whole pipeline.

Each example is a page made of random blocks (headings, matrix tables with missing or extra
columns, rows with the wrong number of cells, tables without a header, headings without a
table, paragraphs) whose cells mix hostile fragments: pipes, backslashes, HTML, Markdown links
and images, control characters, right-to-left text, emoji, 10,000-character runs. The
properties: nothing raises; every diagnostic points inside the file; every flow that parsed
comes back unchanged from ``records.json`` and from the combined workbook's Matrix sheet.
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from reportgen.assess import assess
from reportgen.bundle import ReportData
from reportgen.config import Config
from reportgen.model import BuildInfo, Flow, Matrix
from reportgen.parse import parse
from reportgen.render import RenderOptions, get_renderer
from reportgen.render.xlsx.cells import markdown_value
from reportgen.validate import validate

PATH = "fuzz/matrix.md"
LONG = "ab\u05d0 " * 2500  # 10,000 characters, Hebrew mixed in

FRAGMENTS = (
    "|",
    "\\|",
    "\\",
    "\\\\",
    "<b>bold</b>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[link](http://127.0.0.1:1/x)",
    "![image](http://127.0.0.1:1/i.png)",
    "`code`",
    "**em**",
    "&amp;",
    "_x0041_",
    "\t",
    "\x01",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1f",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "\ufeff",
    "\ufffe",
    "שלום",
    "مرحبا",
    "😀",
    "👩‍👩‍👧",
    "=1+1",
    "-",
    "x",
    "?",
    "443",
    "67/68",
    "30000-32767",
    "Internet",
    "Optional",
    "{{ 7*7 }}",
    "#",
    "1.",
)

MATRIX_HEADER = (
    "No.",
    "Component",
    "Source Zone",
    "Protocol",
    "Destination",
    "Destination Zone",
    "Port",
    "C",
    "I",
    "Auth",
    "Trust",
    "Purpose",
    "Notes",
)
TECH_HEADER = ("Technology", "Parties", "Notes")

word = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\n\r\x00"),
    max_size=12,
)
cell = st.lists(st.one_of(st.sampled_from(FRAGMENTS), word), max_size=4).map("".join)
long_cell = st.one_of(cell, cell, cell, cell, cell, cell, cell, cell, st.just(LONG))


@st.composite
def table(draw: st.DrawFn) -> str:
    header = list(draw(st.sampled_from((MATRIX_HEADER, MATRIX_HEADER, TECH_HEADER))))
    if draw(st.booleans()):  # drop, duplicate or add a column
        action = draw(st.sampled_from(("drop", "dup", "add")))
        index = draw(st.integers(0, len(header) - 1))
        if action == "drop":
            del header[index]
        elif action == "dup":
            header.insert(index, header[index])
        else:
            header.insert(index, draw(cell) or "Extra")
    lines = []
    if draw(st.integers(0, 9)) > 0:  # else: a table without header
        lines.append("| " + " | ".join(h.replace("|", "\\|") for h in header) + " |")
        lines.append("|" + "---|" * len(header))
    for _ in range(draw(st.integers(0, 4))):
        width = len(header) + draw(st.sampled_from((0, 0, 0, 0, -1, 1, -3)))
        cells = [draw(long_cell) for _ in range(max(width, 0))]
        lead = draw(st.sampled_from(("| ", "|", "")))
        lines.append(lead + " | ".join(cells) + draw(st.sampled_from((" |", "|", ""))))
    return "\n".join(lines)


block = st.one_of(
    table(),
    table(),
    cell.map(lambda t: f"## {t}"),
    cell.map(lambda t: f"### {t}"),
    cell.map(lambda t: f"# {t}"),
    cell,
    st.just("**Legend**:\n\n- `C`: Confidentiality.\n- `x`: yes"),
    st.just("::: info\n| a | b |\n|---|---|\n| 1 | 2 |\n:::"),
)
document = st.lists(block, max_size=7).map(lambda blocks: "\n\n".join(blocks) + "\n")
endings = st.sampled_from(("\n", "\r\n", "\r"))


def lines_of(text: str) -> list[str]:
    """Lines as Markdown (and every editor) counts them: LF, CRLF and lone CR end a line."""
    return re.split(r"\r\n?|\n", text)


def run_pipeline(text: str, config: Config) -> tuple[Matrix, ReportData]:
    matrix = parse(text.encode("utf-8"), PATH, config)
    report = validate(matrix, config)
    data = ReportData(
        matrix=matrix,
        report=report,
        assessment=assess(matrix, config, report),
        config=config,
        build=BuildInfo("reportgen test", datetime(2025, 1, 1, tzinfo=UTC), "v0"),
    )
    return matrix, data


def assert_locations_inside(text: str, data: ReportData) -> None:
    lines = lines_of(text.removeprefix("\ufeff"))
    places = [(d.code, d.location) for d in data.report.diagnostics]
    places += [(f"finding {f.id}", f.location) for f in data.assessment.findings]
    for flow in data.matrix.flows:
        places.append((f"flow {flow.key}", flow.location))
        places += [(f"cell {flow.key}.{c.field}", c.location) for c in flow.cells]
    for what, loc in places:
        assert loc.path == PATH, what
        assert 1 <= loc.line <= len(lines), (what, loc, len(lines))
        assert 1 <= loc.column <= len(lines[loc.line - 1]) + 1, (what, loc)


def assert_cells_are_where_they_say(text: str, matrix: Matrix) -> None:
    """A cell's location points at its text in the source (the first 20 characters)."""
    lines = lines_of(text.removeprefix("\ufeff"))
    for flow in matrix.flows:
        for c in flow.cells:
            if not c.text or "|" in c.text:  # an unescaped '\|' is not found verbatim
                continue
            line = lines[c.location.line - 1]
            start = c.location.column - 1
            head = c.text[:20]
            assert line[start : start + len(head)] == head, (c.field, c.location, head)


XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def in_workbook(text: str) -> str:
    """What the XLSX renderer documents it does to text: XML-illegal characters become
    U+FFFD, CR line ends become LF (cells longer than Excel's limit are truncated; ours
    stay under it)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return XML_ILLEGAL.sub("\ufffd", text)


def flow_fields(flow: Flow) -> dict[str, object]:
    return {
        "key": flow.key,
        "id": flow.id,
        "section": flow.section,
        "component": flow.component,
        "source_zone": flow.source_zone.text,
        "protocol": flow.protocol.text,
        "destination": flow.destination,
        "destination_zone": flow.destination_zone.text,
        "ports": None if flow.ports is None else flow.ports.text,
        "confidentiality": flow.confidentiality.value,
        "integrity": flow.integrity.value,
        "authentication": flow.authentication.value,
        "trusted": flow.trusted.value,
        "purpose": flow.purpose,
        "notes": flow.notes,
        "extra": dict(flow.extra),
        "line": flow.location.line,
    }


def record_fields(record: dict[str, object]) -> dict[str, object]:
    r: dict[str, object] = dict(record)
    ports = r["ports"]
    return {
        "key": r["key"],
        "id": r["id"],
        "section": r["section"],
        "component": r["component"],
        "source_zone": r["source_zone"]["text"],  # type: ignore[index]
        "protocol": r["protocol"]["text"],  # type: ignore[index]
        "destination": r["destination"],
        "destination_zone": r["destination_zone"]["text"],  # type: ignore[index]
        "ports": None if ports is None else ports["text"],  # type: ignore[index]
        "confidentiality": r["confidentiality"],
        "integrity": r["integrity"],
        "authentication": r["authentication"],
        "trusted": r["trusted"],
        "purpose": r["purpose"],
        "notes": r["notes"],
        "extra": r["extra"],
        "line": r["location"]["line"],  # type: ignore[index]
    }


def assert_json_round_trip(matrix: Matrix, files: dict[str, bytes]) -> None:
    records = json.loads(files["records.json"])
    got = [record_fields(f) for s in records["sections"] for f in s["flows"]]
    assert got == [flow_fields(f) for f in matrix.flows]
    diagnostics = json.loads(files["diagnostics.json"])
    assert isinstance(diagnostics, list)


def assert_xlsx_round_trip(matrix: Matrix, files: dict[str, bytes]) -> None:
    wb = load_workbook(io.BytesIO(files["communication-matrix.xlsx"]))
    ws = wb["Matrix"]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    col = {name: header.index(name) for name in ("No.", "Component", "Destination", "Purpose")}
    col["Notes"] = header.index("Notes")
    body = [r for r in rows[1:] if any(v not in (None, "") for v in r)]
    flows = list(matrix.flows)
    assert len(body) == len(flows)
    for row, flow in zip(body, flows, strict=True):
        for name, value in (
            ("No.", flow.id),
            ("Component", flow.component),
            ("Destination", flow.destination),
            # Purpose and Notes hold inline Markdown: the cell shows its text (links and
            # code rendered, entities decoded), as reportgen.inline reads it.
            ("Purpose", str(markdown_value(flow.purpose))),
            ("Notes", str(markdown_value(flow.notes))),
        ):
            got = row[col[name]]
            assert (got or "") == in_workbook(value), (name, flow.key)


FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FULL = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FAST
@given(text=document, ending=endings)
def test_parse_validate_assess_never_raise_and_locations_are_inside(text: str, ending: str) -> None:
    text = text.replace("\n", ending)
    matrix, data = run_pipeline(text, Config())
    assert_locations_inside(text, data)
    assert_cells_are_where_they_say(text, matrix)


@FULL
@given(text=document)
def test_renderers_never_raise_and_records_round_trip(text: str) -> None:
    matrix, data = run_pipeline(text, Config())
    json_files = get_renderer("json")(data, RenderOptions())
    assert_json_round_trip(matrix, json_files)
    markdown_files = get_renderer("markdown")(data, RenderOptions())
    for name, payload in markdown_files.items():
        page = payload.decode("utf-8")
        assert "<script" not in page.casefold(), name
    xlsx_files = get_renderer("xlsx")(data, RenderOptions())
    assert_xlsx_round_trip(matrix, xlsx_files)


@FAST
@given(body=st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(body: bytes) -> None:
    matrix = parse(body, PATH, Config())
    report = validate(matrix, Config())
    assess(matrix, Config(), report)
    assert all(d.location.line >= 1 and d.location.column >= 1 for d in report.diagnostics)
