"""The Metadata sheet: document, provenance and row counts."""

from __future__ import annotations

from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from ...i18n import N_
from .archive import iso
from .cells import put
from .labels import NOT_RECORDED
from .layout import Blocks
from .scope import Book

# --- Metadata ----------------------------------------------------------------------------


def metadata_sheet(ws: Worksheet, book: Book) -> None:
    data, scope, findings = book.data, book.scope, book.findings
    for letter, width in zip("ABCDEFG", (30, 70, 14, 14, 14, 14, 14), strict=True):
        ws.column_dimensions[letter].width = width
    doc = data.config.document
    source = data.matrix.source
    commit_time = iso(source.commit_time) if source.commit_time else ""
    out = Blocks(ws, book.gettext)
    out.title("Metadata")
    out.block(
        N_("Document"),
        (N_("Field"), N_("Value")),
        (
            (N_("Title"), doc.title),
            (N_("Document id"), doc.document_id),
            (N_("Document version"), doc.version),
            (N_("Status"), doc.status),
            (N_("Classification"), doc.classification),
            (N_("Owner"), doc.owner),
            (N_("Workbook scope"), scope.title),
        ),
        left=True,
    )
    out.block(
        N_("Provenance"),
        (N_("Field"), N_("Value")),
        (
            (N_("Source path"), source.path),
            (N_("Source sha256"), source.sha256),
            (N_("Source size (bytes)"), source.size),
            (N_("Repository"), source.repository or NOT_RECORDED),
            (N_("Commit"), source.commit or NOT_RECORDED),
            (N_("Commit time (UTC)"), commit_time or NOT_RECORDED),
            (N_("Source version"), source.version or NOT_RECORDED),
            (N_("Release"), data.build.release or NOT_RECORDED),
            (N_("Generator"), data.build.generator),
            (N_("Rule set version"), data.assessment.ruleset_version),
            (N_("Control catalogue version"), data.assessment.catalogue_version),
            (N_("Build time (UTC)"), iso(data.build.build_time)),
            (N_("Validation errors"), data.report.errors),
            (N_("Validation warnings"), data.report.warnings),
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
        N_("Row counts (completeness check: each equals the rows of its sheet)"),
        (
            N_("Section"),
            N_("Slug"),
            N_("Matrix rows"),
            N_("Technologies rows"),
            N_("Findings rows"),
        ),
        [*rows, total],
        total=True,
    )
    put(ws, out.row, 1, "Flows in the whole source")
    put(ws, out.row, 2, sum(len(s.flows) for s in data.matrix.sections), text=False)
    ws.cell(row=out.row, column=2).alignment = Alignment(horizontal="left")
