"""A PDF's file identifier, computed from the file WeasyPrint wrote.

A PDF/A variant asks WeasyPrint for a file identifier (the trailer's ``/ID``). pydyf (0.13),
which writes WeasyPrint's files, makes it from an MD5 hash of every object's serialised data,
which it serialises a second time for that, content streams included: 0.05-0.065 s of the
0.5-0.6 s that writing a 24-page part of a 100-flow report takes. Written uncompressed, the
file holds those same bytes, one object after another at the offsets its cross-reference
table gives. ``write`` therefore asks WeasyPrint for a file without an identifier and puts in
the one pydyf would have written, hashed from the file itself. The bytes are the same
(tests/test_pdf_identifier.py); a file not laid out as expected is written again the usual
way.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

_XREF = re.compile(rb"\nxref\n0 (\d+)\n")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf]) \n")
_ENTRY_SIZE = 20
_END = b"\nendobj\n"
_TRAILER_END = b"\n>>\nstartxref\n"


def wants_identifier(variant: str | None) -> bool:
    """Whether WeasyPrint gives a file of ``variant`` an identifier unless told otherwise."""
    if variant is None:
        return False
    from weasyprint.pdf import VARIANTS

    properties: dict[str, Any] = VARIANTS[variant][1]
    return bool(properties.get("pdf_identifier"))


def write(document: Any, variant: str | None, attachments: Callable[[], list[Any] | None]) -> bytes:
    """``document.write_pdf`` uncompressed, for ``variant`` and with the attachments that
    ``attachments`` makes, as WeasyPrint would write it, with the file identifier added from
    the written bytes (``identified``) where the variant asks for one. ``attachments`` is
    called again if the file has to be written a second time: an attachment is read once."""
    if wants_identifier(variant):
        bare: bytes = document.write_pdf(
            pdf_variant=variant,
            attachments=attachments(),
            uncompressed_pdf=True,
            pdf_identifier=False,
        )
        found = identified(bare)
        if found is not None:
            return found
    pdf: bytes = document.write_pdf(
        pdf_variant=variant, attachments=attachments(), uncompressed_pdf=True
    )
    return pdf


def identified(pdf: bytes) -> bytes | None:
    """``pdf``, an uncompressed file pydyf wrote without an identifier, with the ``/ID``
    entry pydyf writes when asked for one: twice the hexadecimal MD5 of every object's data,
    in the order of their numbers. None where the file is not laid out as pydyf 0.13 writes
    it: a cross-reference table at the end whose objects follow one another from the header
    on, each ``N G obj``, its data and ``endobj``, and a trailer without an ``/ID``."""
    xref = list(_XREF.finditer(pdf))
    if len(xref) != 1:
        return None
    count = int(xref[0].group(1))
    table = xref[0].end()
    start = xref[0].start() + 1  # where the table's ``xref`` line starts
    entries = _ENTRY.findall(pdf, table, table + count * _ENTRY_SIZE)
    if len(entries) != count:
        return None
    written = [
        (number, int(offset), int(generation))
        for number, (offset, generation, state) in enumerate(entries)
        if state == b"n"
    ]
    digest = hashlib.md5(usedforsecurity=False)
    view = memoryview(pdf)
    for k, (number, offset, generation) in enumerate(written):
        header = b"%d %d obj\n" % (number, generation)
        end = written[k + 1][1] if k + 1 < len(written) else start
        if not pdf.startswith(header, offset) or pdf[end - len(_END) : end] != _END:
            return None
        digest.update(view[offset + len(header) : end - len(_END)])
    trailer = pdf.rfind(_TRAILER_END)
    if trailer < table or b"/ID" in pdf[table:trailer]:
        return None
    value = digest.hexdigest().encode("ascii")
    entry = b"\n/ID [(" + value + b") (" + value + b")]"
    return pdf[:trailer] + entry + pdf[trailer:]
