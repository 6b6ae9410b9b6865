"""XLSX workbooks: read back with openpyxl and as raw XML; LibreOffice opens them."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from reportgen.bundle import ReportData
from reportgen.config import load_config
from reportgen.model import FLAG_KEYS, ControlRef, Flag, Flow, Level, Triage
from reportgen.ordering import sorted_findings
from reportgen.parse import parse
from reportgen.render import RenderOptions
from reportgen.render.xlsx import STATUS_VALUES, render
from tests.xlsx_support import BUILD_TIME, CONFIG, HOSTILE, ROOT, bundle, report_data

EXPECTED_FLOWS = {"plain": 52, "sonic": 9, "gardener": 13, "cluster-api": 3, "lightbits": 6}
COMBINED = "communication-matrix.xlsx"
SHEETS = [
    "Matrix",
    "Technologies",
    "Findings",
    "Finding controls",
    "Firewall view",
    "Summary",
    "Legend",
    "Metadata",
]


@pytest.fixture(scope="module")
def data() -> ReportData:
    return report_data()


@pytest.fixture(scope="module")
def files(data: ReportData) -> dict[str, bytes]:
    return render(data, RenderOptions())


def _open(blob: bytes) -> Workbook:
    return load_workbook(io.BytesIO(blob))


def _header(ws: Worksheet) -> list[str]:
    return [str(c.value) for c in ws[1]]


def _records(ws: Worksheet) -> list[dict[str, object]]:
    """Data rows of a sheet's table as header -> value (blank padding rows dropped)."""
    (table,) = ws.tables.values()
    header = _header(ws)
    rows = ws[table.ref][1:]
    out = [{h: c.value for h, c in zip(header, row, strict=True)} for row in rows]
    return [r for r in out if any(v is not None for v in r.values())]


def test_one_workbook_per_section_and_one_for_all(files: dict[str, bytes]) -> None:
    assert sorted(files) == sorted(
        [*(f"{slug}.xlsx" for slug in EXPECTED_FLOWS), "communication-matrix.xlsx"]
    )


def test_sheets_and_names(files: dict[str, bytes]) -> None:
    for name, blob in files.items():
        wb = _open(blob)
        if name == COMBINED:  # the per-control view spans all sections
            assert wb.sheetnames == [*SHEETS[:4], "Controls", *SHEETS[4:]]
        else:
            assert wb.sheetnames == SHEETS
        assert all(len(name) <= 31 for name in wb.sheetnames)


def test_matrix_rows_equal_flows_per_section(files: dict[str, bytes], data: ReportData) -> None:
    total = 0
    for slug, expected in EXPECTED_FLOWS.items():
        ws = _open(files[f"{slug}.xlsx"])["Matrix"]
        rows = _records(ws)
        assert len(rows) == expected
        flows = data.matrix.section(slug).flows
        assert [r["No."] for r in rows] == [f.id for f in flows]
        total += len(rows)
    assert total == 83
    combined = _records(_open(files["communication-matrix.xlsx"])["Matrix"])
    assert len(combined) == 83
    by_section = Counter(r["Section"] for r in combined)
    assert by_section == {s.title: len(s.flows) for s in data.matrix.sections}


def test_ids_ports_and_codes_are_text(files: dict[str, bytes], data: ReportData) -> None:
    ws = _open(files["communication-matrix.xlsx"])["Matrix"]
    header = _header(ws)
    no, port = header.index("No.") + 1, header.index("Port") + 1
    flows = list(data.matrix.flows)
    for r, flow in enumerate(flows, start=2):
        for column in (no, port):
            cell = ws.cell(row=r, column=column)
            assert cell.data_type == "s"
            assert isinstance(cell.value, str)
            assert cell.number_format == "@"
        assert ws.cell(row=r, column=no).value == flow.id
        assert flow.ports is not None
        assert ws.cell(row=r, column=port).value == flow.ports.text
    ports = {ws.cell(row=r, column=port).value for r in range(2, len(flows) + 2)}
    assert "67/68" in ports


def test_derived_columns(files: dict[str, bytes], data: ReportData) -> None:
    rows = _records(_open(files["communication-matrix.xlsx"])["Matrix"])
    for row, flow in zip(rows, data.matrix.flows, strict=True):
        assert row["Source zone (canonical)"] == (flow.source_zone.canonical or None)
        assert row["Source trust class"] == data.config.trust_class(flow.source_zone.name)
        assert row["Destination trust class"] == data.config.trust_class(flow.destination_zone.name)
        assert row["Crosses zones"] == ("yes" if flow.crosses_zones else "no")
        ids = [f.id for f in sorted_findings(list(data.assessment.for_flow(flow.key)))]
        assert str(row["Findings"] or "").split("\n") == (ids or [""])
        for name, flag in flow.flags:
            assert row[FLAG_KEYS[name]] == (flag.value or None)
    assert {r["Source trust class"] for r in rows} >= {"untrusted", "management"}


def test_matrix_table_freeze_validation_and_highlight(files: dict[str, bytes]) -> None:
    for name, blob in files.items():
        ws = _open(blob)["Matrix"]
        (table,) = ws.tables.values()
        assert table.name == "Flows"
        assert table.autoFilter is not None
        assert table.tableStyleInfo is not None and table.tableStyleInfo.name
        header = _header(ws)
        letter = {h: get_column_letter(i) for i, h in enumerate(header, start=1)}
        assert header[0] == "Key"
        assert ws.freeze_panes == letter["Source Zone"] + "2"  # Key, Section, No., Component
        assert ws.print_title_rows == "$1:$1"
        lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
        assert len(lists) == 1, name
        assert lists[0].formula1 == '"x,?"'
        assert str(lists[0].sqref).startswith(f"{letter['C']}2:{letter['Trust']}")
        rules = [rule for cf in ws.conditional_formatting for rule in cf.rules]
        formulas = [f for rule in rules for f in rule.formula]
        assert any(f"LEN(${letter['C']}2)=0" in f for f in formulas)
        notes = header.index("Notes") + 1
        assert ws.column_dimensions[letter["Notes"]].width
        assert ws.cell(row=2, column=notes).alignment.wrap_text


def test_missing_c_rule_matches_the_flows_it_should(files: dict[str, bytes]) -> None:
    """The highlight formula, evaluated here, picks exactly the zone-crossing flows without C."""
    ws = _open(files["communication-matrix.xlsx"])["Matrix"]
    rows = _records(ws)
    rule = next(r for cf in ws.conditional_formatting for r in cf.rules if "LEN" in r.formula[0])
    match = re.fullmatch(r'AND\(\$([A-Z]+)2="yes",LEN\(\$([A-Z]+)2\)=0\)', rule.formula[0])
    assert match is not None
    crosses, c = (ws[f"{col}1"].value for col in match.groups())
    assert (crosses, c) == ("Crosses zones", "C")
    flagged = [r for r in rows if r["Crosses zones"] == "yes" and r["C"] is None]
    assert flagged  # the v0.21.11 page has such flows (e.g. 7.1 over HTTP)
    assert "7.1" in {r["No."] for r in flagged}


def test_technologies(files: dict[str, bytes], data: ReportData) -> None:
    for section in data.matrix.sections:
        ws = _open(files[f"{section.slug}.xlsx"])["Technologies"]
        rows = _records(ws)
        assert [r["Technology"] for r in rows] == [t.name for t in section.technologies]
    combined = _records(_open(files["communication-matrix.xlsx"])["Technologies"])
    assert len(combined) == 21


def test_findings_sheet(files: dict[str, bytes], data: ReportData) -> None:
    for section in data.matrix.sections:
        ws = _open(files[f"{section.slug}.xlsx"])["Findings"]
        rows = _records(ws)
        expected = sorted_findings(
            [f for f in data.assessment.findings if f.section == section.slug]
        )
        assert [r["Finding"] for r in rows] == [f.id for f in expected]
        assert [r["Severity"] for r in rows] == [f.severity.title for f in expected]
        for row in rows:
            assert row["Status"] == "Open"  # no triage decision: Open
            assert all(row[c] is None for c in ("Owner", "Due date", "Comment"))
        (status,) = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
        assert status.formula1 == '"' + ",".join(STATUS_VALUES) + '"'
        col = get_column_letter(_header(ws).index("Status") + 1)
        assert re.fullmatch(rf"{col}2(:{col}\d+)?", str(status.sqref))
        assert any(dv.type == "date" for dv in ws.data_validations.dataValidation)
    all_rows = _records(_open(files["communication-matrix.xlsx"])["Findings"])
    assert len(all_rows) == len(data.assessment.findings)


def test_summary_reconciles(files: dict[str, bytes], data: ReportData) -> None:
    ws = _open(files["communication-matrix.xlsx"])["Summary"]
    values: dict[object, int] = {}
    for r in range(1, ws.max_row + 1):
        values.setdefault(ws.cell(row=r, column=1).value, r)  # the first of equal labels
    assert ws.cell(row=values["Flows"], column=2).value == 83
    assert ws.cell(row=values["Technologies"], column=2).value == 21
    stats = data.assessment.statistics.overall
    for cov in stats.flags:
        row = values[cov.flag]
        got = [ws.cell(row=row, column=c).value for c in range(2, 6)]
        assert got == [cov.yes, cov.no, cov.unknown, cov.total]
    grid = values["Source \\ Destination"]
    total_col = [c.value for c in ws[grid]].index("Total") + 1
    grid_total = 0
    r = grid + 1
    while ws.cell(row=r, column=1).value:
        grid_total += int(str(ws.cell(row=r, column=total_col).value or 0))
        r += 1
    assert grid_total == 83


def test_metadata_reconciles_with_source(files: dict[str, bytes], data: ReportData) -> None:
    source = data.matrix.source
    for name, blob in files.items():
        ws = _open(blob)["Metadata"]
        fields: dict[object, int] = {
            ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)
        }

        def value(key: str, ws: Worksheet = ws, fields: dict[object, int] = fields) -> object:
            return ws.cell(row=fields[key], column=2).value

        assert value("Source sha256") == source.sha256
        assert value("Source path") == source.path
        assert value("Build time (UTC)") == "2025-10-08T12:30:00Z"
        assert value("Rule set version") == data.assessment.ruleset_version
        assert value("Generator") == data.build.generator
        assert value("Flows in the whole source") == 83
        total = fields["Total"]
        assert ws.cell(row=total, column=3).value == len(_records(_open(blob)["Matrix"])), name


def test_print_setup_and_properties(files: dict[str, bytes], data: ReportData) -> None:
    doc = data.config.document
    for blob in files.values():
        wb = _open(blob)
        for ws in wb.worksheets:
            assert ws.page_setup.orientation == "landscape"
            assert ws.page_setup.fitToWidth == 1
            assert ws.page_setup.fitToHeight == 0
            page_setup = ws.sheet_properties.pageSetUpPr
            assert page_setup is not None and page_setup.fitToPage
            footer = ws.oddFooter
            assert footer is not None
            left, center = footer.left, footer.center
            assert left is not None and left.text == f"{doc.document_id} {doc.version}"
            assert center is not None and center.text == doc.classification
        for ws in (wb["Matrix"], wb["Technologies"], wb["Findings"]):
            assert ws.print_title_rows == "$1:$1"
        props = wb.properties
        assert props.title and doc.title in props.title
        assert props.subject and props.creator and props.keywords
        assert "communication matrix" in props.keywords
        assert props.created == BUILD_TIME.replace(tzinfo=None)
        assert props.modified == BUILD_TIME.replace(tzinfo=None)


def test_byte_identical_and_pinned(data: ReportData, files: dict[str, bytes]) -> None:
    again = render(data, RenderOptions())
    assert again == files
    for blob in files.values():
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            names = archive.namelist()
            assert names[0] == "[Content_Types].xml"
            assert {i.date_time for i in archive.infolist()} == {(2025, 10, 8, 12, 30, 0)}
            core = archive.read("docProps/core.xml").decode()
            assert "2025-10-08T12:30:00Z" in core
    later = dataclasses.replace(
        data, build=dataclasses.replace(data.build, build_time=BUILD_TIME.replace(year=2026))
    )
    assert render(later, RenderOptions())["plain.xlsx"] != files["plain.xlsx"]


# --- hostile cells --------------------------------------------------------------------

HOSTILE_TEXTS = {
    "component": '=HYPERLINK("http://x","y")',
    "notes": "@SUM(A1)",
    "purpose": "+1",
    "destination": "\tcmd",
}


@pytest.fixture(scope="module")
def hostile() -> tuple[ReportData, dict[str, bytes]]:
    config = load_config(CONFIG)
    matrix = parse(HOSTILE.read_bytes(), str(HOSTILE.relative_to(ROOT)), config)
    section = matrix.sections[0]
    first, second = section.flows
    # Markdown strips leading whitespace from cells; put a tab, a CR and a control
    # character in as a future parser (or another source format) might.
    second = dataclasses.replace(
        second, destination="\tcmd", notes="\rline\x07bell", purpose="-2+3"
    )
    matrix = dataclasses.replace(
        matrix, sections=(dataclasses.replace(section, flows=(first, second)),)
    )
    data = bundle(matrix, config)
    return data, render(data, RenderOptions())


def _sheet_xml(blob: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return {
            n: archive.read(n).decode()
            for n in archive.namelist()
            if n.startswith("xl/worksheets/sheet")
        }


def test_hostile_cells_are_never_formulas(hostile: tuple[ReportData, dict[str, bytes]]) -> None:
    _data, files = hostile
    assert len(files) == 2
    for blob in files.values():
        for name, xml in _sheet_xml(blob).items():
            assert "<f>" not in xml and "<f " not in xml, name
            cells = re.findall(r"<c [^>]*>.*?</c>", xml)
            payloads = [c for c in cells if "HYPERLINK" in c or "SUM(A1)" in c]
            for xml_cell in payloads:
                assert 't="inlineStr"' in xml_cell and "<f" not in xml_cell, (name, xml_cell)
            if name == "xl/worksheets/sheet1.xml":  # the Matrix holds the hostile cells
                assert payloads, "the hostile cells were not found on the Matrix sheet"
        wb = _open(blob)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


def test_hostile_cells_read_back_as_typed(hostile: tuple[ReportData, dict[str, bytes]]) -> None:
    _data, files = hostile
    wb = _open(files["hostile-cells.xlsx"])
    rows = _records(wb["Matrix"])
    assert rows[0]["No."] == "1.10"
    assert rows[0]["Component"] == '=HYPERLINK("http://x","y")'
    assert rows[0]["Notes"] == "@SUM(A1)"
    assert rows[0]["Purpose"] == "+1"
    assert rows[1]["Component"] == "-2"
    assert rows[1]["Port"] == "67/68"
    assert rows[1]["Purpose"] == "-2+3"
    assert rows[1]["Destination"] == "\tcmd"
    assert rows[1]["Notes"] == "\nline\ufffdbell"  # CR -> LF, BEL (not XML) -> U+FFFD
    ws = wb["Matrix"]
    header = _header(ws)
    for column in ("Component", "Notes", "Purpose"):
        cell = ws.cell(row=2, column=header.index(column) + 1)
        assert cell.data_type == "s"
        assert cell.quotePrefix, column
    assert not ws.cell(row=2, column=header.index("Destination") + 1).quotePrefix
    assert header.index("=Extra") == header.index("Notes") + 1  # unknown column kept, as text
    assert [r["=Extra"] for r in rows] == ["+x", "1.10"]
    assert ws.cell(row=1, column=header.index("=Extra") + 1).data_type == "s"
    techs = _records(wb["Technologies"])
    assert techs[0]["Technology"] == "=2*3"
    assert techs[0]["Parties"] == "@All"
    assert rows[1]["C"] == Flag.UNKNOWN.value


def test_hostile_sheet_xml_uses_inline_strings(
    hostile: tuple[ReportData, dict[str, bytes]],
) -> None:
    _data, files = hostile
    xml = _sheet_xml(files["hostile-cells.xlsx"])["xl/worksheets/sheet1.xml"]
    cell = re.search(r'<c r="D2"[^>]*>(.*?)</c>', xml)  # Component, after Key, Section, No.
    assert cell is not None
    assert 't="inlineStr"' in cell.group(0)
    assert "<is><t>=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)</t></is>" in cell.group(1) or (
        '<is><t>=HYPERLINK("http://x","y")</t></is>' in cell.group(1)
    )


def test_print_header_and_footer_parts(files: dict[str, bytes]) -> None:
    """Pins what ``printing.header_footer_part`` (openpyxl's private ``_HeaderFooterPart``)
    writes: each part as its size code ``&8`` and a space before its text (the space keeps a
    text that starts with a digit from being read as part of the size)."""
    xml = _sheet_xml(files["plain.xlsx"])["xl/worksheets/sheet1.xml"]
    header = re.search(r"<oddHeader>(.*?)</oddHeader>", xml)
    footer = re.search(r"<oddFooter>(.*?)</oddFooter>", xml)
    assert header is not None and footer is not None
    assert header.group(1) == (
        "&amp;L&amp;8 metal-stack Communication Matrix: Security Report"
        "&amp;R&amp;8 Plain metal-stack: Matrix"
    )
    assert footer.group(1).endswith("&amp;R&amp;8 Page &amp;P of &amp;N")
    ws = _open(files["plain.xlsx"])["Matrix"]
    assert ws.oddFooter is not None and ws.oddHeader is not None
    assert ws.oddFooter.right.text == "Page &P of &N"
    assert ws.oddFooter.right.size == 8
    assert ws.oddHeader.right.text == "Plain metal-stack: Matrix"


# --- LibreOffice ----------------------------------------------------------------------


def _office() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_opens_every_workbook(files: dict[str, bytes], tmp_path: Path) -> None:
    office = _office()
    if office is None:
        pytest.skip("LibreOffice (libreoffice/soffice) is not installed")
    for name, blob in files.items():
        (tmp_path / name).write_bytes(blob)
    profile = tmp_path / "profile"
    result = subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            *sorted(str(tmp_path / n) for n in files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    pypdf = pytest.importorskip("pypdf")
    for name in files:
        pdf = tmp_path / "pdf" / name.replace(".xlsx", ".pdf")
        assert pdf.is_file(), result.stdout + result.stderr
        text = "\n".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)
        assert "Metadata" in text and "Source sha256" in text


# --- links, long tables and views ------------------------------------------------------


def _column(ws: Worksheet, header: str) -> int:
    return _header(ws).index(header) + 1


def test_every_finding_links_to_its_flow_row_and_back(
    files: dict[str, bytes], data: ReportData
) -> None:
    for name, blob in files.items():
        wb = _open(blob)
        matrix, findings = wb["Matrix"], wb["Findings"]
        keys = {matrix.cell(row=r, column=1).value: r for r in range(2, matrix.max_row + 1)}
        assert len(keys) == matrix.max_row - 1, "the Key column is unique"
        flow_col = _column(findings, "Flow key")
        finding_rows = {}
        for r in range(2, findings.max_row + 1):
            finding_rows[findings.cell(row=r, column=1).value] = r
            cell = findings.cell(row=r, column=flow_col)
            assert cell.hyperlink is not None, (name, r)
            sheet, _, target = str(cell.hyperlink.location).partition("!")
            assert sheet == "'Matrix'"
            assert matrix[target].value == cell.value  # lands on the flow's Key cell
            assert keys[cell.value] == matrix[target].row
        ids_col, back_col = _column(matrix, "Findings"), _column(matrix, "Worst finding")
        for r in range(2, matrix.max_row + 1):
            cell = matrix.cell(row=r, column=back_col)
            ids = matrix.cell(row=r, column=ids_col).value
            if not ids:
                assert cell.hyperlink is None and not cell.value
                continue
            assert cell.hyperlink is not None
            sheet, _, target = str(cell.hyperlink.location).partition("!")
            assert sheet == "'Findings'"
            first = str(ids).split("\n")[0]  # the worst, listed first
            assert findings[target].value == first and finding_rows[first] == findings[target].row
            assert findings.cell(row=findings[target].row, column=2).value == cell.value
    # the two flows numbered 10.2 are told apart
    plain = _records(_open(files["plain.xlsx"])["Matrix"])
    assert [r["Key"] for r in plain if r["No."] == "10.2"] == ["10.2", "10.2~2"]


def test_no_cell_holds_link_syntax_or_backticks(files: dict[str, bytes]) -> None:
    wb = _open(files["communication-matrix.xlsx"])
    seen_link = False
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert "](" not in cell.value, (ws.title, cell.coordinate, cell.value)
                    assert "`" not in cell.value, (ws.title, cell.coordinate, cell.value)
    techs = wb["Technologies"]
    for r in range(2, techs.max_row + 1):
        cell = techs.cell(row=r, column=_column(techs, "Notes"))
        if "without open SSH ports" in str(cell.value):
            # no docs base URL configured: the relative link is shown as its text
            assert cell.value == "Management access without open SSH ports."
            assert cell.hyperlink is None
            seen_link = True
    assert seen_link


def test_relative_links_resolve_against_the_docs_base_url(data: ReportData) -> None:
    base = "https://docs.example.org/docs/references/"
    config = dataclasses.replace(
        data.config, document=dataclasses.replace(data.config.document, docs_base_url=base)
    )
    wb = _open(render(dataclasses.replace(data, config=config), RenderOptions())[COMBINED])
    techs = wb["Technologies"]
    (cell,) = [
        techs.cell(row=r, column=_column(techs, "Notes"))
        for r in range(2, techs.max_row + 1)
        if "SSH ports" in str(techs.cell(row=r, column=_column(techs, "Notes")).value)
    ]
    assert cell.value == "Management access without open SSH ports."
    assert cell.hyperlink is not None
    assert cell.hyperlink.target == (
        "https://docs.example.org/contributing/01-Proposals/MEP9/README.md"
    )


def test_finding_controls_filter_is_exact(files: dict[str, bytes], data: ReportData) -> None:
    rows = _records(_open(files["communication-matrix.xlsx"])["Finding controls"])
    assert len(rows) == sum(len(f.controls) for f in data.assessment.findings)
    iso = [r for r in rows if r["Framework"] == "ISO/IEC 27001" and r["Control"] == "8.2"]
    expected = {
        f.id for f in data.assessment.findings if ControlRef("iso27001", "8.2") in f.controls
    }
    assert {r["Finding"] for r in iso} == expected
    assert not any(str(r["Control"]).startswith("8.2") and r["Control"] != "8.2" for r in iso)
    titles = {(c.framework, c.id): c.title for c in data.assessment.catalogue}
    assert any(r["Control"] == "8.20" for r in rows)  # they exist, in their own rows
    for r in rows:
        if r["Framework"] == "ISO/IEC 27001":
            assert r["Control title"] == titles[("iso27001", str(r["Control"]))]


def test_firewall_view_one_row_per_protocol_and_port(
    files: dict[str, bytes], data: ReportData
) -> None:
    rows = _records(_open(files["communication-matrix.xlsx"])["Firewall view"])
    header = _header(_open(files["communication-matrix.xlsx"])["Firewall view"])
    assert not {"Findings", "Severity", "Status", "C", "Auth"} & set(header)
    keys = [(r["Source zone"], r["Destination zone"], r["Protocol"], r["Port"]) for r in rows]
    assert len(keys) == len(set(keys))
    for r in rows:
        assert "/" not in str(r["Protocol"]) and "/" not in str(r["Port"])
    expected = set()
    for flow in data.matrix.flows:
        assert flow.ports is not None
        for proto in flow.protocol.parts:
            for port in flow.ports.ranges:
                expected.add((flow.source_zone.name, flow.destination_zone.name, proto, str(port)))
                row = rows[
                    keys.index(
                        expected_key := (
                            flow.source_zone.name,
                            flow.destination_zone.name,
                            proto,
                            str(port),
                        )
                    )
                ]
                assert flow.key in str(row["Flows"]).split("\n"), expected_key
    assert set(keys) == expected
    split = [f for f in data.matrix.flows if "/" in f.protocol.text or "/" in str(f.ports)]
    assert split, "the shipped source has TCP/UDP and 67/68 flows"


def test_high_and_medium_rows_are_highlighted_whole(data: ReportData) -> None:
    """A High finding inside one zone colours its whole row: the rule tests the Worst finding
    column, not zone crossing, and comes before the C rules."""
    inside = next(f for f in data.assessment.findings if not _flow(data, f.flow_key).crosses_zones)
    assert not _flow(data, inside.flow_key).crosses_zones
    high = dataclasses.replace(inside, severity=Level.HIGH)
    findings = tuple(high if f is inside else f for f in data.assessment.findings)
    changed = dataclasses.replace(
        data, assessment=dataclasses.replace(data.assessment, findings=findings)
    )
    ws = _open(render(changed, RenderOptions())[COMBINED])["Matrix"]
    header = _header(ws)
    rules = [(str(cf.sqref), r) for cf in ws.conditional_formatting for r in cf.rules]
    worst = get_column_letter(header.index("Worst finding") + 1)
    whole = f"A2:{get_column_letter(len(header))}{ws.max_row}"
    assert [(sq, r.formula) for sq, r in rules[:2]] == [
        (whole, [f'${worst}2="High"']),
        (whole, [f'${worst}2="Medium"']),
    ]
    assert all(sq == whole for sq, _ in rules)
    rows = _records(ws)
    (row,) = [r for r in rows if r["Key"] == inside.flow_key]
    assert row["Worst finding"] == "High" and row["Crosses zones"] == "no"


def _flow(data: ReportData, key: str) -> Flow:
    return next(f for f in data.matrix.flows if f.key == key)


def test_controls_sheet_one_row_per_control_in_scope(
    files: dict[str, bytes], data: ReportData
) -> None:
    ws = _open(files[COMBINED])["Controls"]
    rows = _records(ws)
    statuses = data.assessment.control_status
    assert len(rows) == len(statuses) > 0
    by_id = {(r["Framework"], r["Control"]): r for r in rows}
    labels = {"iso27001": "ISO 27001", "grundschutz": "Grundschutz"}
    for status in statuses:
        control = status.control
        row = by_id[(labels[control.framework], control.id)]
        assert row["Title"] == control.title  # the catalogue's official title (English)
        assert row["Findings"] == len(status.findings)
        assert row["Flows in scope"] == len(status.flows)
        assert row["Worst severity"] == (status.worst.title if status.worst else None)
        assert row["Review status"] == status.status.replace("-", " ").capitalize()
        assert (row["Applicability"] == "Not applicable") == (status.status == "not-applicable")
        assert row["Reason"] and "`" not in str(row["Reason"])
        assert row["Auditor status"] is None and row["Auditor comment"] is None
    (choice,) = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    col = get_column_letter(_header(ws).index("Auditor status") + 1)
    assert str(choice.sqref) == f"{col}2:{col}{len(rows) + 1}"
    assert "Partially implemented" in str(choice.formula1)


def test_controls_sheet_titles_in_german(data: ReportData) -> None:
    rows = _records(_open(render(data, RenderOptions(lang="de"))[COMBINED])["Controls"])
    for status in data.assessment.control_status:
        if status.control.title_de:
            assert any(r["Titel"] == status.control.title_de for r in rows), status.control.id


def test_findings_status_starts_at_the_triage_status(data: ReportData) -> None:
    first = data.assessment.findings[0]
    decided = dataclasses.replace(
        first,
        triage=Triage(status="accepted", owner="Ops", due="2026-01-31", ticket="SEC-1"),
    )
    findings = (decided, *data.assessment.findings[1:])
    changed = dataclasses.replace(
        data, assessment=dataclasses.replace(data.assessment, findings=findings)
    )
    rows = _records(_open(render(changed, RenderOptions())[COMBINED])["Findings"])
    (row,) = [r for r in rows if r["Finding"] == first.id]
    assert (row["Status"], row["Owner"], row["Ticket"]) == ("Risk accepted", "Ops", "SEC-1")
    assert str(row["Due date"]).startswith("2026-01-31")  # a date cell (datetime read back)
    assert {r["Status"] for r in rows if r["Finding"] != first.id} == {"Open"}


def test_shared_tables_give_each_workbook_its_own_bytes(
    data: ReportData, files: dict[str, bytes]
) -> None:
    """``render`` builds the analytical tables of all its workbooks together
    (``frames.Tables``); each workbook is still the one built on its own."""
    from reportgen.render.xlsx import workbook_bytes

    alone = {
        f"{section.slug}.xlsx": workbook_bytes(data, (section,)) for section in data.matrix.sections
    }
    alone[COMBINED] = workbook_bytes(data, data.matrix.sections)
    assert alone.keys() == files.keys()
    assert [name for name in files if files[name] != alone[name]] == []


def test_tables_of_several_scopes_stay_apart(data: ReportData) -> None:
    """One pandas pass over several scopes (an empty one among them) cuts back into each
    scope's rows: the same rows as that scope's table built alone, nothing of its
    neighbours."""
    from reportgen.render.xlsx.frames import (
        FIREWALL_COLUMNS,
        finding_controls_frames,
        firewall_frames,
        zone_pair_frames_each,
    )

    sections = data.matrix.sections
    scopes = [sections[1].flows, (), sections[0].flows, tuple(f for s in sections for f in s.flows)]
    zones = data.assessment.statistics.zones
    together = firewall_frames(scopes)
    pairs = zone_pair_frames_each(scopes, zones)
    findings = [
        tuple(sorted_findings([f for f in data.assessment.findings if f.flow_key in keys]))
        for keys in ({f.key for f in flows} for flows in scopes)
    ]
    controls = finding_controls_frames(findings)
    assert len(together) == len(pairs) == len(controls) == len(scopes)
    for i, flows in enumerate(scopes):
        (one,) = firewall_frames([flows])
        rows = list(together[i].itertuples(index=False, name=None))
        assert rows == list(one.itertuples(index=False, name=None))
        assert list(together[i].columns) == list(FIREWALL_COLUMNS)
        # Every row's flows belong to this scope only.
        keys = {f.key for f in flows}
        assert all(set(row[6].split("\n")) <= keys for row in rows)
        assert bool(rows) == bool(flows)
        (alone,) = zone_pair_frames_each([flows], zones)
        for name, table in pairs[i].items():
            assert table.to_numpy().tolist() == alone[name].to_numpy().tolist()
            assert list(table.index) == list(alone[name].index)
            assert list(table.columns) == list(alone[name].columns)
        assert int(pairs[i]["flows"].to_numpy().sum()) == len(flows)
        (own,) = finding_controls_frames([findings[i]])
        assert list(controls[i].itertuples(index=False, name=None)) == list(
            own.itertuples(index=False, name=None)
        )
        assert set(controls[i]["finding"]) == {f.id for f in findings[i] if f.controls}
