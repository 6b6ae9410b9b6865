"""The PDF's file identifier, hashed from the file WeasyPrint wrote
(``render.pdf.identifier``) instead of by pydyf's second serialisation of every object: the
same bytes as WeasyPrint's own, for the variants that ask for one, with and without
attachments; a file not laid out as expected is refused and written again the usual way."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from weasyprint import HTML, Attachment

from reportgen.render.pdf import identifier
from reportgen.render.pdf.fetcher import BASE_URL, TemplateFetcher
from reportgen.render.pdf.parts import PDF_VARIANT

DOCUMENT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Identifier (test)</title><style>
@font-face { font-family: S; src: url("../fonts/DejaVuSans.ttf"); }
body { font-family: S; } table { border-collapse: collapse; } td { border: 0.5pt solid #999; }
</style></head><body><h1 id="top">Identifier</h1>
<p>Text with (parentheses), a back\\slash, \u00e4\u00df and <a href="#top">a link</a>.</p>
<table><thead><tr><th>No.</th><th>Flow</th></tr></thead><tbody>
<tr><td>1</td><td>metal-api to metal-db</td></tr><tr><td>2</td><td>endobj xref</td></tr>
</tbody></table><p style="break-before: page">A second page.</p></body></html>
"""
MOMENT = datetime(2025, 1, 1, tzinfo=UTC)


def _laid() -> Any:
    fetcher = TemplateFetcher(None)
    return HTML(string=DOCUMENT, base_url=BASE_URL, url_fetcher=fetcher).render()


def _attachments() -> list[Attachment]:
    return [
        Attachment(string=b"a,b\n1,2\n", name="flows.csv", created=MOMENT, modified=MOMENT),
        Attachment(string=b"{}", name="data.json", created=MOMENT, modified=MOMENT),
    ]


def _own(laid: Any, variant: str | None, attachments: list[Attachment] | None = None) -> bytes:
    pdf: bytes = laid.write_pdf(pdf_variant=variant, attachments=attachments, uncompressed_pdf=True)
    return pdf


# (PDF/X is left out: WeasyPrint writes a random document id into its XMP.)
@pytest.mark.parametrize("variant", [PDF_VARIANT, "pdf/a-1b", "pdf/a-2u", "pdf/a-4u"])
def test_the_identifier_is_the_one_weasyprint_writes(variant: str) -> None:
    laid = _laid()
    assert identifier.wants_identifier(variant)
    ours = identifier.write(laid, variant, lambda: None)
    assert ours == _own(laid, variant)
    found = re.search(rb"/ID \[\(([0-9a-f]{32})\) \(([0-9a-f]{32})\)\]\n>>\nstartxref\n", ours)
    assert found is not None and found.group(1) == found.group(2)


def test_a_file_with_attachments_gets_weasyprints_identifier() -> None:
    laid = _laid()
    ours = identifier.write(laid, PDF_VARIANT, _attachments)
    assert ours == _own(laid, PDF_VARIANT, _attachments())
    assert b"flows.csv" in ours


@pytest.mark.parametrize("variant", [None, "pdf/ua-1"])
def test_a_variant_without_an_identifier_is_written_as_it_is(variant: str | None) -> None:
    laid = _laid()
    assert not identifier.wants_identifier(variant)
    ours = identifier.write(laid, variant, lambda: None)
    assert ours == _own(laid, variant)
    assert b"/ID [" not in ours


def _entries(pdf: bytes) -> tuple[int, list[bytes]]:
    table = re.search(rb"\nxref\n0 (\d+)\n", pdf)
    assert table is not None
    start = table.end()
    return start, [pdf[start + 20 * k : start + 20 * (k + 1)] for k in range(int(table.group(1)))]


def test_a_file_not_laid_out_as_pydyf_writes_it_is_refused() -> None:
    laid = _laid()
    bare: bytes = laid.write_pdf(
        pdf_variant=PDF_VARIANT, uncompressed_pdf=True, pdf_identifier=False
    )
    assert identifier.identified(bare) == _own(laid, PDF_VARIANT)
    start, entries = _entries(bare)
    first = next(k for k, e in enumerate(entries) if e.endswith(b" n \n"))
    moved = b"%010d" % (int(entries[first][:10]) + 1) + entries[first][10:]
    refused = {
        # compressed: object streams and a cross-reference stream, no table
        "compressed": laid.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=False),
        "identified already": _own(laid, PDF_VARIANT),
        "an object not at its offset": bare.replace(entries[first], moved, 1),
        "a table shorter than it says": bare[: start + 20 * (len(entries) - 1)]
        + bare[start + 20 * len(entries) :],
        "no endobj": bare.replace(b"\nendobj\n", b"\nendobj \n", 1),
    }
    for name, pdf in refused.items():
        assert pdf != bare, name
        assert identifier.identified(pdf) is None, name


def test_a_file_it_cannot_read_is_written_again_with_fresh_attachments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fallback: an attachment can be read once, so a second writing makes them again."""
    laid = _laid()
    monkeypatch.setattr(identifier, "identified", lambda pdf: None)
    made: list[int] = []

    def attachments() -> list[Attachment]:
        made.append(1)
        return _attachments()

    ours = identifier.write(laid, PDF_VARIANT, attachments)
    assert len(made) == 2
    assert ours == _own(laid, PDF_VARIANT, _attachments())
