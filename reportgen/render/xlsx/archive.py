"""Reproducible workbook bytes: the zip is rewritten with fixed entry timestamps and
attributes, so equal inputs give byte-identical files."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from openpyxl import Workbook

from .writer import FastExcelWriter


def workbook_to_bytes(wb: Workbook, when: datetime) -> bytes:
    """``wb`` as xlsx bytes stamped with ``when`` only."""
    raw = io.BytesIO()
    # Stored, not deflated: pin_zip compresses every entry anyway.
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as archive:
        # An ExcelWriter directly: Workbook.save would stamp the current time as "modified".
        FastExcelWriter(wb, archive).save()
    return pin_zip(raw.getvalue(), when)


def pin_zip(data: bytes, when: datetime) -> bytes:
    """Rewrite a zip with fixed entry timestamps and attributes in a fixed entry order."""
    stamp = zip_time(when)
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


def zip_time(when: datetime) -> tuple[int, int, int, int, int, int]:
    utc = naive_utc(when)
    if utc.year < 1980:  # the zip format cannot say earlier
        return (1980, 1, 1, 0, 0, 0)
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second - utc.second % 2)


def naive_utc(when: datetime) -> datetime:
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.replace(tzinfo=None, microsecond=0)


def iso(when: datetime) -> str:
    return naive_utc(when).isoformat() + "Z"
