"""Observed inputs, told apart by their content (never by the file's name), read into one
:class:`~.observed.Collector`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .logs import read_hubble, read_zeek
from .observed import Collector, InputSummary, ObservedError
from .pcap import PCAP_MAGICS, PCAPNG_MAGIC, read_capture

FORMATS: tuple[str, ...] = ("pcap", "pcapng", "zeek-tsv", "zeek-json", "hubble")

_PROBE = 1 << 16


def detect(head: bytes, path: str) -> str:
    """The format of an input from its first bytes; an ObservedError when it is none of
    :data:`FORMATS`."""
    if head[:4] in PCAP_MAGICS:
        return "pcap"
    if head[:4] == PCAPNG_MAGIC:
        return "pcapng"
    if head[:2] == b"\x1f\x8b":
        raise ObservedError(path, "gzip-compressed: decompress it first (zcat)", offset=0)
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not text:
        raise ObservedError(
            path,
            "the file is empty: expected a pcap or pcapng capture, a Zeek conn.log or a Hubble "
            "export",
            line=1,
        )
    if text.startswith((b"#separator", b"#fields")):
        return "zeek-tsv"
    if text.startswith(b"{"):
        first = text.split(b"\n", 1)[0]
        return "zeek-json" if b'"id.orig_h"' in first else "hubble"
    raise ObservedError(
        path,
        f"not a pcap or pcapng capture, a Zeek conn.log or a Hubble export (it starts with "
        f"{head[:8]!r})",
        offset=0,
    )


def read_into(path: Path, collector: Collector, shown: str | None = None) -> InputSummary:
    """Read one observed input into ``collector``; ``shown`` is the path as messages print it."""
    name = shown or path.as_posix()
    try:
        with path.open("rb") as handle:
            fmt = detect(handle.read(_PROBE), name)
            handle.seek(0)
            if fmt in ("pcap", "pcapng"):
                return read_capture(handle, name, collector)
            if fmt == "hubble":
                return read_hubble(handle, name, collector)
            return read_zeek(handle, name, collector, fmt)
    except OSError as exc:
        raise ObservedError(name, f"cannot read: {exc.strerror or exc}") from exc


def read_observed(paths: Sequence[Path], shown: Sequence[str] | None = None) -> Collector:
    """Every input read into one collector (TCP connections are followed across captures)."""
    collector = Collector()
    for i, path in enumerate(paths):
        collector.inputs.append(read_into(path, collector, shown[i] if shown else None))
    return collector
