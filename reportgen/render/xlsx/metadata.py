"""The Metadata sheet: document, provenance and row counts."""

from __future__ import annotations

from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

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
    out = Blocks(ws)
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
            ("Build time (UTC)", iso(data.build.build_time)),
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
