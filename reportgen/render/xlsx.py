"""Excel workbooks: one per integration (``<slug>.xlsx``) and one with every section.

Each workbook has the sheets Matrix, Technologies, Findings, Summary, Legend and Metadata.
The whole-matrix workbook keeps *one* Matrix sheet with a Section column rather than one sheet
per section: an auditor filters and sorts across all flows at once (every flow leaving the
Internet zone, every flow without C), and the per-section workbooks share the very same
column layout, so sheets from several workbooks can be stacked without reshaping.

Safety: every value from the source is written as a string cell (``inlineStr``), never as a
formula, and text that a spreadsheet would read as a formula (leading ``=``, ``+``, ``-``,
``@``, tab, CR) also gets Excel's "quote prefix" so that editing the cell keeps it text.
Characters XML cannot carry are replaced by U+FFFD; CR line ends become LF.

Reproducibility: dates come from ``data.build.build_time`` only, and the zip is rewritten with
fixed entry timestamps, so equal inputs give byte-identical files.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.header_footer import HeaderFooter, HeaderFooterItem
from openpyxl.worksheet.header_footer import _HeaderFooterPart as _Part
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ..config import TRUST_CLASSES
from ..model import (
    FLAG_FIELDS,
    FLAG_KEYS,
    ControlRef,
    Finding,
    Flag,
    Flow,
    Level,
    ReportData,
    Section,
    SectionStatistics,
    Technology,
)
from . import Rendered, RenderOptions

COMBINED_NAME = "communication-matrix"
NOT_RECORDED = "(not recorded)"
MAX_CELL_CHARS = 32767
"""Excel's limit for the text of one cell."""
TEXT = "@"
"""The number format that makes Excel treat a cell as text."""

STATUS_VALUES: tuple[str, ...] = (
    "Open",
    "In progress",
    "Mitigated",
    "Risk accepted",
    "False positive",
    "Closed",
)
"""Values the auditor's Status column accepts (a data validation list)."""

LEVEL_DEFINITIONS: dict[Level, str] = {
    Level.HIGH: "A documented flow lacks a protection that its zones require; fix before "
    "relying on the setup.",
    Level.MEDIUM: "A protection is missing or weaker than expected, with compensating "
    "factors likely; plan a fix.",
    Level.LOW: "A minor gap or a documentation weakness; fix when convenient.",
    Level.INFO: "An observation for the record; no action required.",
    Level.NOT_ASSESSED: "The matrix marks the property with '?' (depends on configuration); "
    "the operator must assess it for the installation.",
}

TRUST_CLASS_MEANINGS: dict[str, str] = {
    "untrusted": "Outside the operator's control (the Internet, or a zone the page leaves open).",
    "external-service": "A service operated by a third party under contract.",
    "tenant": "Machines, firewalls and clusters run for and by tenants.",
    "management": "Control planes that administer everything else.",
    "infrastructure": "Network and storage fabric operated by the provider.",
}

FRAMEWORK_LABELS: dict[str, str] = {
    "iso27001": "ISO/IEC 27001",
    "grundschutz": "IT-Grundschutz",
    "c5": "C5",
}

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# --- styles ------------------------------------------------------------------------------

_FONT = "Calibri"
"""Named on every font: a font without a name falls back to a serif face in LibreOffice."""
_HEADER_FONT = Font(name=_FONT, bold=True, color="FFFFFF")
_TITLE_FONT = Font(name=_FONT, bold=True, size=13)
_BLOCK_FONT = Font(name=_FONT, bold=True, size=11, color="1F3864")
_BOLD = Font(name=_FONT, bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="1F3864")
_SUBHEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)
_WRAP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="top")
_COLUMN_ALIGNMENTS = {"wrap": _WRAP, "center": _CENTER, "top": _TOP}
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_MISSING_C_FILL = PatternFill("solid", fgColor="F4B6B6", bgColor="F4B6B6")
_MISSING_C_FONT = Font(color="9C0006")
_UNKNOWN_C_FILL = PatternFill("solid", fgColor="FFE699", bgColor="FFE699")
_LEVEL_FILLS: dict[Level, PatternFill] = {
    Level.HIGH: PatternFill("solid", fgColor="F4B6B6"),
    Level.MEDIUM: PatternFill("solid", fgColor="F8CBAD"),
    Level.LOW: PatternFill("solid", fgColor="FFE699"),
    Level.INFO: PatternFill("solid", fgColor="DDEBF7"),
    Level.NOT_ASSESSED: PatternFill("solid", fgColor="E7E6E6"),
}
_TABLE_STYLE = "TableStyleMedium2"
_LINE_HEIGHT = 15.0
"""Points per text line at the default 11 pt font."""


# --- entry point -------------------------------------------------------------------------


def render(data: ReportData, options: RenderOptions) -> Rendered:
    """``<slug>.xlsx`` per section and ``communication-matrix.xlsx`` with all sections."""
    del options  # no templates: the layout lives in this module
    files: Rendered = {}
    taken = {COMBINED_NAME}
    for section in data.matrix.sections:
        name = _unique(section.slug, taken)
        files[f"{name}.xlsx"] = workbook_bytes(data, (section,))
    files[f"{COMBINED_NAME}.xlsx"] = workbook_bytes(data, data.matrix.sections)
    return files


def _unique(slug: str, taken: set[str]) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", slug.casefold()).strip("-") or "section"
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}-{n}"
    taken.add(candidate)
    return candidate


def workbook_bytes(data: ReportData, sections: Sequence[Section]) -> bytes:
    """One workbook covering ``sections``, as reproducible bytes."""
    wb = build_workbook(data, sections)
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        # ExcelWriter directly: Workbook.save would stamp the current time as "modified".
        ExcelWriter(wb, archive).save()
    return _pin_zip(raw.getvalue(), data.build.build_time)


def changes_workbook(data: ReportData) -> bytes:
    """``reportgen diff --format xlsx``: one Changes sheet (every change and regression of
    ``data.changes``), printed and stamped like the other workbooks."""
    if data.changes is None:
        raise ValueError("changes_workbook needs ReportData with changes (a diff)")
    scope = Scope(data.matrix.sections, combined=True)
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    _changes_sheet(wb.create_sheet("Changes"), data)
    for ws in wb.worksheets:
        _print_setup(ws, data, scope)
    _properties(wb, data, scope)
    old, new = data.changes.old, data.changes.new
    wb.properties.title = _clean(f"Changes from {old.label} to {new.label}")
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    return _pin_zip(raw.getvalue(), data.build.build_time)


def _pin_zip(data: bytes, when: datetime) -> bytes:
    """Rewrite a zip with fixed entry timestamps and attributes in a fixed entry order."""
    stamp = _zip_time(when)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        # [Content_Types].xml first, as Office writes it; otherwise openpyxl's fixed order.
        infos = sorted(src.infolist(), key=lambda i: i.filename != "[Content_Types].xml")
        for info in infos:
            pinned = zipfile.ZipInfo(info.filename, date_time=stamp)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.create_system = 0
            pinned.external_attr = 0o644 << 16
            dst.writestr(pinned, src.read(info.filename), compresslevel=6)
    return out.getvalue()


def _zip_time(when: datetime) -> tuple[int, int, int, int, int, int]:
    utc = _naive_utc(when)
    if utc.year < 1980:  # the zip format cannot say earlier
        return (1980, 1, 1, 0, 0, 0)
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second - utc.second % 2)


def _naive_utc(when: datetime) -> datetime:
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.replace(tzinfo=None, microsecond=0)


# --- the workbook ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """What one workbook covers."""

    sections: tuple[Section, ...]
    combined: bool

    @property
    def title(self) -> str:
        return "All sections" if self.combined else self.sections[0].title

    @property
    def flows(self) -> tuple[Flow, ...]:
        return tuple(f for s in self.sections for f in s.flows)

    @property
    def technologies(self) -> tuple[tuple[Section, Technology], ...]:
        return tuple((s, t) for s in self.sections for t in s.technologies)

    @property
    def slugs(self) -> frozenset[str]:
        return frozenset(s.slug for s in self.sections)


def build_workbook(data: ReportData, sections: Sequence[Section]) -> Workbook:
    """The openpyxl workbook for ``sections`` (all of the matrix's sections = combined)."""
    scope = Scope(tuple(sections), combined=tuple(sections) == data.matrix.sections)
    findings = tuple(f for f in data.assessment.findings if f.section in scope.slugs)
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    _matrix_sheet(wb.create_sheet("Matrix"), data, scope)
    _technologies_sheet(wb.create_sheet("Technologies"), scope)
    _findings_sheet(wb.create_sheet("Findings"), data, scope, findings)
    _summary_sheet(wb.create_sheet("Summary"), data, scope, findings)
    _legend_sheet(wb.create_sheet("Legend"), data)
    _metadata_sheet(wb.create_sheet("Metadata"), data, scope, findings)
    if scope.combined and data.changes is not None:
        _changes_sheet(wb.create_sheet("Changes"), data)
    if scope.combined and data.verification is not None:
        _verify_sheet(wb.create_sheet("Soll-Ist"), data)
    for ws in wb.worksheets:
        _print_setup(ws, data, scope)
    wb.active = 0
    _properties(wb, data, scope)
    return wb


def _properties(wb: Workbook, data: ReportData, scope: Scope) -> None:
    doc = data.config.document
    when = _naive_utc(data.build.build_time)
    props = wb.properties
    props.title = _clean(f"{doc.title}: {scope.title}")
    props.subject = _clean(f"Communication matrix of {doc.system or data.matrix.title}")
    props.creator = _clean(doc.author or data.build.generator)
    props.lastModifiedBy = _clean(data.build.generator)
    props.keywords = _clean(
        ", ".join(
            k
            for k in ("communication matrix", "security", "ISO 27001", doc.system, scope.title)
            if k
        )
    )
    props.identifier = _clean(doc.document_id)
    props.version = _clean(doc.version) or None
    props.category = _clean(doc.classification)
    props.description = _clean(
        f"{doc.document_id} {doc.version} ({doc.classification}); generated by "
        f"{data.build.generator} from {data.matrix.source.path}"
    )
    props.created = when
    props.modified = when


# --- safe cells --------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Text a worksheet can hold: no XML-illegal characters, LF line ends, Excel's length."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ILLEGAL_XML.sub("\ufffd", text)
    if len(text) > MAX_CELL_CHARS:
        marker = " [truncated]"
        text = text[: MAX_CELL_CHARS - len(marker)] + marker
    return text


def put(ws: Worksheet, row: int, column: int, value: Any, *, text: bool = True) -> XlCell:
    """Write one cell. Strings are always string cells, never formulas.

    ``text`` also sets the text number format, so what Excel shows is what was written and a
    later edit of the cell stays text (``1.10`` stays ``1.10``, ``67/68`` never becomes a date).
    """
    cell = _cell(ws, row, column)
    _write(cell, value)
    if text and (value is None or isinstance(value, str)):
        cell.number_format = TEXT
    return cell


def _cell(ws: Worksheet, row: int, column: int) -> XlCell:
    cell = ws.cell(row=row, column=column)
    if not isinstance(cell, XlCell):  # a merged cell; this module never merges
        raise TypeError(f"cell {cell.coordinate} is merged")
    return cell


def _write(cell: XlCell, value: Any) -> None:
    """The value of ``put``, without touching the cell's style but for the quote prefix."""
    if isinstance(value, str):
        raw = value
        value = _clean(value)
        cell.value = value
        cell.data_type = "s"  # assigning "=..." makes openpyxl guess a formula; undo that
        if raw.startswith(_FORMULA_TRIGGERS) or value.startswith(_FORMULA_TRIGGERS):
            cell.quotePrefix = True
    elif value is not None:
        cell.value = value


def _column_style(wb: Workbook, column: Column) -> str:
    """A named cell style for a table column's data cells (number format and alignment),
    registered once per workbook. Assigning it sets every attribute in one step; setting
    alignment and number format per cell made openpyxl hash both for every cell, about a
    third of the workbooks' Python function calls (cProfile)."""
    kind = "wrap" if column.wrap else "center" if column.center else "top"
    name = f"reportgen {'text' if column.text else 'value'} {kind}"
    if name not in wb.named_styles:
        style = NamedStyle(name=name, alignment=copy(_COLUMN_ALIGNMENTS[kind]), hidden=True)
        if column.text:
            style.number_format = TEXT
        wb.add_named_style(style)
    return name


def _lines(text: str, width: float, *, bold: bool = False) -> int:
    """Estimated wrapped lines of ``text`` in a column ``width`` characters wide.

    Excel does not grow a row for wrapped text it did not lay out itself, so rows get an
    explicit height from this estimate (proportional text fits ~1.25 characters per width
    unit, bold ~1.0).
    """
    per_line = max(1, int(width * (1.0 if bold else 1.25)) - 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n")) if text else 1


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: float
    wrap: bool = False
    center: bool = False
    text: bool = True


def _table_sheet(
    ws: Worksheet,
    name: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    freeze: str = "A2",
) -> int:
    """Header + rows as a styled Excel Table with autofilter and a frozen header row.

    Returns the last row of the table. An empty table keeps one blank row (Excel cannot open a
    table without a data row).
    """
    for c, column in enumerate(columns, start=1):
        cell = put(ws, 1, c, column.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = column.width
    wb = ws.parent
    assert wb is not None
    styles = [_column_style(wb, column) for column in columns]
    for r, values in enumerate(rows, start=2):
        lines = 1
        for c, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            cell = _cell(ws, r, c)
            cell.style = styles[c - 1]
            _write(cell, value)
            if column.wrap and isinstance(value, str):
                lines = max(lines, _lines(value, column.width))
        if lines > 1:
            ws.row_dimensions[r].height = lines * _LINE_HEIGHT
    header_lines = max(_lines(c.header, c.width, bold=True) for c in columns)
    ws.row_dimensions[1].height = max(2, header_lines) * _LINE_HEIGHT
    last = max(2, len(rows) + 1)
    table = Table(displayName=name, ref=f"A1:{get_column_letter(len(columns))}{last}")
    table.tableStyleInfo = TableStyleInfo(
        name=_TABLE_STYLE, showRowStripes=True, showColumnStripes=False
    )
    ws.add_table(table)
    ws.freeze_panes = freeze
    ws.print_title_rows = "1:1"
    return last


def _table_headers(base: Sequence[str], extra: Iterable[str]) -> list[str]:
    """``base`` plus ``extra`` headers made unique and single-line (Table column names)."""
    seen = {h.casefold() for h in base}
    out = list(base)
    for header in extra:
        name = re.sub(r"\s+", " ", _clean(header)).strip() or "Column"
        candidate, n = name, 1
        while candidate.casefold() in seen:
            n += 1
            candidate = f"{name} ({n})"
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


# --- Matrix ------------------------------------------------------------------------------

_MATRIX_SOURCE = (
    Column("Section", 16, wrap=True),
    Column("No.", 6),
    Column("Component", 20, wrap=True),
    Column("Source Zone", 19, wrap=True),
    Column("Protocol", 9),
    Column("Destination", 20, wrap=True),
    Column("Destination Zone", 19, wrap=True),
    Column("Port", 11),
    Column("C", 5, center=True),
    Column("I", 5, center=True),
    Column("Auth", 6, center=True),
    Column("Trust", 6, center=True),
    Column("Purpose", 26, wrap=True),
    Column("Notes", 36, wrap=True),
)
_MATRIX_DERIVED = (
    Column("Source zone (canonical)", 19, wrap=True),
    Column("Source trust class", 13),
    Column("Destination zone (canonical)", 19, wrap=True),
    Column("Destination trust class", 13),
    Column("Crosses zones", 8, center=True),
    Column("Optional", 9, center=True),
    Column("Findings", 20, wrap=True),
    Column("Worst finding", 11),
    Column("Source line", 7, text=False),
)
MATRIX_FLAG_COLUMNS = {"C": 9, "I": 10, "Auth": 11, "Trust": 12}
"""Flag column header -> 1-based column number on the Matrix sheet."""


def _port_text(flow: Flow) -> str:
    if flow.ports is not None:
        return flow.ports.text
    cell = flow.cell("port")
    return cell.text if cell is not None else ""


def _flag_value(flag: Flag) -> str | None:
    return flag.value or None


def _worst(findings: Iterable[Finding]) -> Level | None:
    levels = [f.severity for f in findings]
    return min(levels, key=lambda level: level.rank) if levels else None


def _matrix_sheet(ws: Worksheet, data: ReportData, scope: Scope) -> None:
    flows = scope.flows
    extra_headers: list[str] = []
    for flow in flows:
        for header, _ in flow.extra:
            if header not in extra_headers:
                extra_headers.append(header)
    source_headers = [c.header for c in _MATRIX_SOURCE]
    extra_names = _table_headers(source_headers, extra_headers)[len(source_headers) :]
    extra_cols = tuple(Column(name, 20, wrap=True) for name in extra_names)
    derived_headers = _table_headers(
        [*source_headers, *extra_names], [c.header for c in _MATRIX_DERIVED]
    )[len(source_headers) + len(extra_names) :]
    derived_cols = tuple(
        Column(h, c.width, c.wrap, c.center, c.text)
        for h, c in zip(derived_headers, _MATRIX_DERIVED, strict=True)
    )
    columns = (*_MATRIX_SOURCE, *extra_cols, *derived_cols)
    titles = {s.slug: s.title for s in data.matrix.sections}
    config = data.config

    rows: list[list[Any]] = []
    for flow in flows:
        found = data.assessment.for_flow(flow.key)
        worst = _worst(found)
        extras = dict(flow.extra)
        rows.append(
            [
                titles.get(flow.section, flow.section),
                flow.id,
                flow.component,
                flow.source_zone.text,
                flow.protocol.text,
                flow.destination,
                flow.destination_zone.text,
                _port_text(flow),
                *(_flag_value(flow.flag(name)) for name in FLAG_FIELDS),
                flow.purpose,
                flow.notes,
                *(extras.get(h, "") for h in extra_headers),
                flow.source_zone.canonical or "",
                config.trust_class(flow.source_zone.name),
                flow.destination_zone.canonical or "",
                config.trust_class(flow.destination_zone.name),
                "yes" if flow.crosses_zones else "no",
                "yes" if flow.optional else "no",
                "\n".join(f.id for f in found),
                worst.title if worst is not None else "",
                flow.location.line,
            ]
        )
    last = _table_sheet(ws, "Flows", columns, rows, freeze="D2")

    # Flags: x, ? or empty, nothing else.
    flag_list = DataValidation(
        type="list",
        formula1='"x,?"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Flag",
        error="Use x (yes), ? (not assessed) or leave the cell empty (no).",
        promptTitle="Flag",
        prompt="x = yes, ? = not assessed, empty = no",
        showInputMessage=True,
    )
    first_flag = get_column_letter(MATRIX_FLAG_COLUMNS["C"])
    last_flag = get_column_letter(MATRIX_FLAG_COLUMNS["Trust"])
    flag_list.add(f"{first_flag}2:{last_flag}{last}")
    ws.add_data_validation(flag_list)

    # A zone-crossing flow without C (red) or with C not assessed (amber), at a glance.
    crosses = get_column_letter(len(_MATRIX_SOURCE) + len(extra_cols) + 5)
    c_col = get_column_letter(MATRIX_FLAG_COLUMNS["C"])
    target = f"A2:{c_col}{last}"
    ws.conditional_formatting.add(
        target,
        FormulaRule(  # type: ignore[no-untyped-call]
            formula=[f'AND(${crosses}2="yes",LEN(${c_col}2)=0)'],
            fill=_MISSING_C_FILL,
            font=_MISSING_C_FONT,
            stopIfTrue=True,
        ),
    )
    ws.conditional_formatting.add(
        target,
        FormulaRule(  # type: ignore[no-untyped-call]
            formula=[f'AND(${crosses}2="yes",${c_col}2="?")'],
            fill=_UNKNOWN_C_FILL,
            stopIfTrue=True,
        ),
    )


# --- Technologies ------------------------------------------------------------------------

_TECH_COLUMNS = (
    Column("Section", 18),
    Column("Technology", 30, wrap=True),
    Column("Parties", 26, wrap=True),
    Column("Notes", 70, wrap=True),
    Column("Source line", 8, text=False),
)


def _technologies_sheet(ws: Worksheet, scope: Scope) -> None:
    rows = [
        [section.title, tech.name, tech.parties, tech.notes, tech.location.line]
        for section, tech in scope.technologies
    ]
    _table_sheet(ws, "Technologies", _TECH_COLUMNS, rows, freeze="C2")


# --- Changes since a previous release (combined workbook, with --previous) ---------------

_CHANGE_COLUMNS = (
    Column("Kind", 14),
    Column("Change", 26, wrap=True),
    Column("Source line", 8, text=False),
    Column("Details", 90, wrap=True),
)


def _changes_sheet(ws: Worksheet, data: ReportData) -> None:
    """One row per change and per regression, in the diff's order."""
    from .diff_formats import entries

    if data.changes is None:
        return
    rows = [[kind, title, loc.line, message] for kind, loc, title, message in entries(data.changes)]
    _table_sheet(ws, "Changes", _CHANGE_COLUMNS, rows, freeze="A2")


# --- Soll-Ist: the matrix against observed traffic (combined workbook, with --observed) ------

_VERIFY_WIDTHS = {"Matrix line": 8, "Observed": 30, "Evidence": 30, "Message": 70, "Controls": 20}


def _verify_sheet(ws: Worksheet, data: ReportData) -> None:
    """One row per item of the comparison (``render.verify_formats.rows``)."""
    from .verify_formats import HEADER, rows

    if data.verification is None:
        return
    columns = [
        Column(h, _VERIFY_WIDTHS.get(h, 14), wrap=h in _VERIFY_WIDTHS, text=h != "Matrix line")
        for h in HEADER
    ]
    _table_sheet(ws, "SollIst", columns, rows(data.verification), freeze="A2")


# --- Findings ----------------------------------------------------------------------------

_FINDING_COLUMNS = (
    Column("Finding", 20, wrap=True),
    Column("Severity", 12),
    Column("Section", 18),
    Column("Flow", 7),
    Column("Component", 18, wrap=True),
    Column("Destination", 18, wrap=True),
    Column("Rule", 10),
    Column("Title", 30, wrap=True),
    Column("Evidence", 40, wrap=True),
    Column("Controls", 22, wrap=True),
    Column("Recommendation", 40, wrap=True),
    Column("Source line", 8, text=False),
    Column("Status", 13),
    Column("Owner", 16),
    Column("Due date", 12, text=False),
    Column("Comment", 30, wrap=True),
)
FINDING_STATUS_COLUMN = 13
FINDING_DUE_COLUMN = 15


def control_label(ref: ControlRef) -> str:
    return f"{FRAMEWORK_LABELS.get(ref.framework, ref.framework)} {ref.id}"


def _findings_sheet(
    ws: Worksheet, data: ReportData, scope: Scope, findings: Sequence[Finding]
) -> None:
    flows = {f.key: f for f in scope.flows}
    titles = {s.slug: s.title for s in data.matrix.sections}
    rows: list[list[Any]] = []
    for finding in findings:
        flow = flows.get(finding.flow_key)
        rows.append(
            [
                finding.id,
                finding.severity.title,
                titles.get(finding.section, finding.section),
                finding.flow_id,
                flow.component if flow else "",
                flow.destination if flow else "",
                finding.rule,
                finding.title,
                finding.evidence,
                "\n".join(control_label(c) for c in finding.controls),
                finding.recommendation,
                finding.location.line,
                None,
                None,
                None,
                None,
            ]
        )
    last = _table_sheet(ws, "Findings", _FINDING_COLUMNS, rows, freeze="B2")
    for r, finding in enumerate(findings, start=2):
        ws.cell(row=r, column=2).fill = _LEVEL_FILLS[finding.severity]
    for r in range(2, last + 1):
        ws.cell(row=r, column=FINDING_DUE_COLUMN).number_format = "yyyy-mm-dd"
    status = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUS_VALUES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Status",
        error="Choose a status from the list.",
    )
    status.add(f"{get_column_letter(FINDING_STATUS_COLUMN)}2:{get_column_letter(13)}{last}")
    ws.add_data_validation(status)
    due = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="1",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Due date",
        error="Enter a date (YYYY-MM-DD).",
    )
    due.add(
        f"{get_column_letter(FINDING_DUE_COLUMN)}2:{get_column_letter(FINDING_DUE_COLUMN)}{last}"
    )
    ws.add_data_validation(due)


# --- Summary -----------------------------------------------------------------------------


class _Blocks:
    """Writes titled blocks of rows down a sheet."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 1

    def title(self, text: str) -> None:
        put(self.ws, self.row, 1, text).font = _TITLE_FONT
        self.row += 2

    def block(
        self,
        title: str,
        header: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        left: bool = False,
        total: bool = False,
    ) -> None:
        """A titled block; ``left`` aligns numbers left (key/value lists), ``total`` makes the
        last row bold."""
        put(self.ws, self.row, 1, title).font = _BLOCK_FONT
        self.row += 1
        widths = [self.ws.column_dimensions[get_column_letter(c)].width or 10 for c in range(1, 16)]
        header_lines = max(_lines(t, widths[c], bold=True) for c, t in enumerate(header[:15]))
        if header_lines > 1:
            self.ws.row_dimensions[self.row].height = header_lines * _LINE_HEIGHT
        for c, text in enumerate(header, start=1):
            cell = put(self.ws, self.row, c, text)
            cell.font = _BOLD
            cell.fill = _SUBHEADER_FILL
            cell.border = _BOX
            cell.alignment = _WRAP
        self.row += 1
        first = self.row
        for values in rows:
            lines = 1
            for c, value in enumerate(values, start=1):
                cell = put(self.ws, self.row, c, value, text=isinstance(value, str))
                cell.border = _BOX
                cell.alignment = _WRAP_LEFT if left else _WRAP
                if isinstance(value, str) and c <= len(widths):
                    lines = max(lines, _lines(value, widths[c - 1]))
            if lines > 1:
                self.ws.row_dimensions[self.row].height = lines * _LINE_HEIGHT
            self.row += 1
        if total and self.row > first:
            for c in range(1, len(header) + 1):
                self.ws.cell(row=self.row - 1, column=c).font = _BOLD
        self.row += 1


def _statistics(data: ReportData, scope: Scope) -> SectionStatistics | None:
    stats = data.assessment.statistics
    if scope.combined:
        return stats.overall
    for section_stats in stats.sections:
        if section_stats.slug == scope.sections[0].slug:
            return section_stats
    return None


def _summary_sheet(
    ws: Worksheet, data: ReportData, scope: Scope, findings: Sequence[Finding]
) -> None:
    for letter, width in zip("ABCDEFGHIJKLMNO", (26, 14, 14, 14, 14, 14, 14, 14), strict=False):
        ws.column_dimensions[letter].width = width
    flows = scope.flows
    out = _Blocks(ws)
    out.title(f"Summary: {scope.title}")
    stats = _statistics(data, scope)
    out.block(
        "Overview",
        ("Figure", "Count"),
        (
            ("Flows", len(flows)),
            ("Technologies", len(scope.technologies)),
            ("Findings", len(findings)),
            ("Zone-crossing flows", sum(1 for f in flows if f.crosses_zones)),
            ("Optional flows", sum(1 for f in flows if f.optional)),
        ),
        left=True,
    )
    if stats is not None:
        out.block(
            "Flag coverage",
            ("Flag", "Yes (x)", "No (empty)", "Not assessed (?)", "Total", "Yes share"),
            (
                (cov.flag, cov.yes, cov.no, cov.unknown, cov.total, _share(cov.yes, cov.total))
                for cov in stats.flags
            ),
        )
        for r in range(out.row - 1 - len(stats.flags), out.row - 1):
            ws.cell(row=r, column=6).number_format = "0.0%"
        by_level = dict(stats.findings)
    else:
        counts = Counter(f.severity for f in findings)
        by_level = {level: counts.get(level, 0) for level in Level}
    out.block(
        "Findings by severity",
        ("Severity", "Findings"),
        ((level.title, by_level.get(level, 0)) for level in Level),
    )
    if scope.combined:
        per_section = {s.slug: s for s in data.assessment.statistics.sections}
        out.block(
            "Per section",
            ("Section", "Flows", "Technologies", *(level.title for level in Level)),
            (
                (
                    s.title,
                    len(s.flows),
                    len(s.technologies),
                    *(
                        dict(per_section[s.slug].findings).get(level, 0)
                        if s.slug in per_section
                        else sum(1 for f in findings if f.section == s.slug and f.severity is level)
                        for level in Level
                    ),
                )
                for s in scope.sections
            ),
        )
    _zone_grid(out, data, flows)


def _share(part: int, total: int) -> float:
    return part / total if total else 0.0


def _zone_grid(out: _Blocks, data: ReportData, flows: Sequence[Flow]) -> None:
    counts = Counter((f.source_zone.name, f.destination_zone.name) for f in flows)
    order = {z: i for i, z in enumerate(data.assessment.statistics.zones)}
    present = {z for pair in counts for z in pair}
    zones = sorted(present, key=lambda z: (order.get(z, len(order)), z))
    sources = [z for z in zones if any(s == z for s, _ in counts)]
    targets = [z for z in zones if any(d == z for _, d in counts)]
    out.block(
        "Flows by zone pair (rows: source zone, columns: destination zone)",
        ("Source \\ Destination", *targets, "Total"),
        (
            (
                src,
                *(counts.get((src, dst)) or None for dst in targets),
                sum(counts.get((src, dst), 0) for dst in targets),
            )
            for src in sources
        ),
    )


# --- Legend ------------------------------------------------------------------------------


def _legend_sheet(ws: Worksheet, data: ReportData) -> None:
    for letter, width in zip("ABCDEF", (24, 16, 60, 40, 40, 40), strict=True):
        ws.column_dimensions[letter].width = width
    out = _Blocks(ws)
    out.title("Legend")
    out.block(
        "Flag columns (from the source's legend)",
        ("Column", "Field", "Meaning"),
        ((key, name, data.matrix.legend_meaning(key) or "") for name, key in FLAG_KEYS.items()),
    )
    out.block(
        "Flag values",
        ("Value", "Means", "Explanation"),
        (
            ("x", Flag.YES.label, "The property holds for the flow."),
            ("(empty)", Flag.NO.label, "The property does not hold for the flow."),
            ("?", Flag.UNKNOWN.label, "Depends on the configuration; assess per installation."),
        ),
    )
    out.block(
        "Highlighting on the Matrix sheet",
        ("Colour", "", "Meaning"),
        (
            ("Red", "", "The flow crosses zones and is not encrypted (C empty)."),
            ("Amber", "", "The flow crosses zones and its encryption is not assessed (C is ?)."),
        ),
    )
    out.block(
        "Finding severities",
        ("Severity", "", "Definition"),
        ((level.title, "", LEVEL_DEFINITIONS[level]) for level in Level),
    )
    out.block(
        "Trust classes (least trusted first)",
        ("Class", "", "Meaning"),
        ((name, "", TRUST_CLASS_MEANINGS.get(name, "")) for name in TRUST_CLASSES),
    )
    out.block(
        "Zones (report.toml)",
        ("Zone", "Trust class", "Description", "Also written as"),
        ((z.name, z.trust_class, z.description, ", ".join(z.aliases)) for z in data.config.zones),
    )
    if data.assessment.rules:
        out.block(
            f"Rules (rule set {data.assessment.ruleset_version})",
            ("Rule", "Severity", "Title", "Rationale", "Recommendation", "Controls"),
            (
                (
                    rule.id,
                    rule.severity,
                    rule.title,
                    rule.rationale,
                    rule.recommendation,
                    "\n".join(control_label(c) for c in rule.controls),
                )
                for rule in data.assessment.rules
            ),
        )
    out.block(
        "Auditor status values (Findings sheet)",
        ("Status", "", ""),
        ((s, "", "") for s in STATUS_VALUES),
    )


# --- Metadata ----------------------------------------------------------------------------


def _metadata_sheet(
    ws: Worksheet, data: ReportData, scope: Scope, findings: Sequence[Finding]
) -> None:
    for letter, width in zip("ABCDEFG", (30, 70, 14, 14, 14, 14, 14), strict=True):
        ws.column_dimensions[letter].width = width
    doc = data.config.document
    source = data.matrix.source
    commit_time = _iso(source.commit_time) if source.commit_time else ""
    out = _Blocks(ws)
    out.title("Metadata")
    out.block(
        "Document",
        ("Field", "Value"),
        (
            ("Title", doc.title),
            ("Document id", doc.document_id),
            ("Document version", doc.version),
            ("Status", doc.status),
            ("Classification", doc.classification),
            ("Owner", doc.owner),
            ("Workbook scope", scope.title),
        ),
        left=True,
    )
    out.block(
        "Provenance",
        ("Field", "Value"),
        (
            ("Source path", source.path),
            ("Source sha256", source.sha256),
            ("Source size (bytes)", source.size),
            ("Repository", source.repository or NOT_RECORDED),
            ("Commit", source.commit or NOT_RECORDED),
            ("Commit time (UTC)", commit_time or NOT_RECORDED),
            ("Source version", source.version or NOT_RECORDED),
            ("Release", data.build.release or NOT_RECORDED),
            ("Generator", data.build.generator),
            ("Rule set version", data.assessment.ruleset_version),
            ("Control catalogue version", data.assessment.catalogue_version),
            ("Build time (UTC)", _iso(data.build.build_time)),
            ("Validation errors", data.report.errors),
            ("Validation warnings", data.report.warnings),
        ),
        left=True,
    )
    rows = []
    for section in scope.sections:
        in_findings = sum(1 for f in findings if f.section == section.slug)
        rows.append(
            (
                section.title,
                section.slug,
                len(section.flows),
                len(section.technologies),
                in_findings,
            )
        )
    total = (
        "Total",
        "",
        len(scope.flows),
        len(scope.technologies),
        len(findings),
    )
    out.block(
        "Row counts (completeness check: each equals the rows of its sheet)",
        ("Section", "Slug", "Matrix rows", "Technologies rows", "Findings rows"),
        [*rows, total],
        total=True,
    )
    put(ws, out.row, 1, "Flows in the whole source")
    put(ws, out.row, 2, sum(len(s.flows) for s in data.matrix.sections), text=False)
    ws.cell(row=out.row, column=2).alignment = Alignment(horizontal="left")


def _iso(when: datetime) -> str:
    return _naive_utc(when).isoformat() + "Z"


# --- print -------------------------------------------------------------------------------


def _footer_text(text: str) -> str:
    return _clean(text).replace("&", "&&").replace("\n", " ")


def _print_setup(ws: Worksheet, data: ReportData, scope: Scope) -> None:
    doc = data.config.document
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ident = " ".join(p for p in (doc.document_id, doc.version) if p)
    small = 8
    ws.HeaderFooter = HeaderFooter(
        oddHeader=HeaderFooterItem(
            left=_Part(text=_footer_text(doc.title), size=small),
            right=_Part(text=_footer_text(f"{scope.title}: {ws.title}"), size=small),
        ),
        oddFooter=HeaderFooterItem(
            left=_Part(text=_footer_text(ident), size=small),
            center=_Part(text=_footer_text(doc.classification), size=small),
            right=_Part(text="Page &P of &N", size=small),
        ),
    )
