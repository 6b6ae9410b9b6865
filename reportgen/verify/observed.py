"""What the readers hand on: connections taken with their direction, aggregated per
(client address, server address, transport, server port), and a summary of each input.

Memory grows with the number of such conversations (the network's structure), never with the
number of packets: a capture of a million packets between a few dozen hosts holds a few dozen
conversations. The readers keep per-connection state only in a table of bounded size
(:class:`ConnectionTable`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from ..errors import ReportgenError

TLS, SSH, CLEARTEXT, OPAQUE = "tls", "ssh", "cleartext", "opaque"
"""What the first payload bytes of a connection show."""

ENCRYPTED_KINDS: frozenset[str] = frozenset({TLS, SSH})
"""Payload kinds that are an encrypting protocol (a TLS record, an SSH banner)."""

PAYLOAD_KINDS: tuple[str, ...] = (TLS, SSH, CLEARTEXT, OPAQUE)

SAMPLE_CHARS = 60
"""How much of a cleartext first line (or an SSH banner) an item quotes."""

_PRINTABLE = re.compile(rb"[\t\n\r\x20-\x7e]+")


class ObservedError(ReportgenError):
    """An observed input cannot be read: the message names the file and the place (a byte
    offset in a capture, a line in a log)."""

    def __init__(
        self, path: str, problem: str, *, offset: int | None = None, line: int | None = None
    ):
        self.path = path
        self.offset = offset
        self.line = line
        if line is not None:
            where = f"{path}:{line}"
        elif offset is not None:
            where = f"{path}: byte {offset}"
        else:
            where = path
        super().__init__(f"{where}: {problem}")


def classify(head: bytes) -> tuple[str, str]:
    """The kind of a connection's first payload bytes and a printable sample of them.

    A TLS record starts 0x16 0x03 (a DTLS one 0x16 0xfe); an SSH connection starts with its
    banner ``SSH-``; a payload of printable ASCII (an HTTP request line, a SMTP greeting,
    ``hello``) is cleartext; anything else is opaque: nothing is claimed about it."""
    if len(head) >= 2 and head[0] == 0x16 and head[1] in (0x03, 0xFE):
        return TLS, f"TLS record 0x16 0x{head[1]:02x}"
    if head.startswith(b"SSH-"):
        return SSH, _first_line(head)
    sample = head[:64]
    if len(sample) >= 4 and _PRINTABLE.fullmatch(sample):
        return CLEARTEXT, _first_line(head)
    return OPAQUE, ""


def _first_line(head: bytes) -> str:
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    text = line.decode("ascii", "replace")
    return "".join(c if c.isprintable() else "?" for c in text)[:SAMPLE_CHARS]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where an observation stands in its input: a packet (with its byte offset) of a
    capture, or a line of a log."""

    path: str
    packet: int | None = None
    """1-based number of the packet in the capture."""
    offset: int | None = None
    """Byte offset of the packet's record in the file."""
    line: int | None = None
    """1-based line of a Zeek or Hubble log."""

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.packet is not None:
            return f"{self.path} packet {self.packet} (byte {self.offset})"
        return self.path

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "packet": self.packet, "offset": self.offset, "line": self.line}


@dataclass(slots=True)
class Conversation:
    """The connections from one client address to one server address and port (mutable while
    the inputs are read)."""

    client: str
    server: str
    transport: str
    """``TCP`` or ``UDP``."""
    port: int
    first_seen: float
    last_seen: float
    evidence: Evidence
    """Where the first connection was seen."""
    connections: int = 0
    packets: int = 0
    inferred: int = 0
    """Connections whose direction was inferred (their handshake was not in the capture)."""
    payload: dict[str, int] = field(default_factory=dict)
    """Payload kind -> connections whose first payload was of that kind."""
    samples: dict[str, tuple[str, Evidence]] = field(default_factory=dict)
    """Payload kind -> the first sample of it and where it was seen."""
    client_labels: tuple[str, ...] = ()
    server_labels: tuple[str, ...] = ()
    """Kubernetes labels of the endpoints (Hubble), ``key=value``."""

    def seen(self, when: float) -> None:
        if when < self.first_seen:
            self.first_seen = when
        if when > self.last_seen:
            self.last_seen = when

    def add_payload(self, kind: str, sample: str, where: Evidence) -> None:
        self.payload[kind] = self.payload.get(kind, 0) + 1
        if kind not in self.samples:
            self.samples[kind] = (sample, where)


ConversationKey = tuple[str, str, str, int]


@dataclass(frozen=True, slots=True)
class InputSummary:
    """One observed input as read: its format, size and hash, what was compared and what was
    skipped (and why), and the time it covers."""

    path: str
    format: str
    """``pcap``, ``pcapng``, ``zeek-tsv``, ``zeek-json`` or ``hubble``."""
    size: int
    sha256: str
    records: int
    """Packets of a capture, connection rows of a Zeek log, flow events of a Hubble export."""
    compared: int
    """Records that were TCP or UDP over IP and so went into the comparison."""
    skipped: tuple[tuple[str, int], ...]
    """(reason, count) for the records that did not."""
    start: float | None
    end: float | None


def utc(timestamp: float | None) -> datetime | None:
    """A capture timestamp as an aware UTC datetime, to the second."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(int(timestamp), UTC)


K = TypeVar("K")
V = TypeVar("V")


class ConnectionTable(Generic[K, V]):
    """Per-connection state, at most ``limit`` entries: when full, the oldest entry goes
    (first in, first out). A connection that is still running after its entry went is seen
    again as one whose handshake is not in the capture, so memory stays bounded however long
    the capture is."""

    def __init__(self, limit: int = 1 << 16) -> None:
        self.limit = limit
        self.entries: dict[K, V] = {}
        self.evicted = 0

    def get(self, key: K) -> V | None:
        return self.entries.get(key)

    def put(self, key: K, value: V) -> None:
        entries = self.entries
        if len(entries) >= self.limit and key not in entries:
            del entries[next(iter(entries))]
            self.evicted += 1
        entries[key] = value

    def drop(self, key: K) -> None:
        self.entries.pop(key, None)


class Collector:
    """Gathers conversations from every input of one run, and the inputs' summaries."""

    def __init__(self, table_limit: int = 1 << 16) -> None:
        self.conversations: dict[ConversationKey, Conversation] = {}
        self.inputs: list[InputSummary] = []
        self.table_limit = table_limit
        self.tracker: Any = None
        """The captures' connection tracker (``pcap._Tracker``), shared by all of them."""

    def conversation(
        self,
        client: str,
        server: str,
        transport: str,
        port: int,
        when: float,
        where: Evidence,
    ) -> Conversation:
        key = (client, server, transport, port)
        conv = self.conversations.get(key)
        if conv is None:
            conv = Conversation(client, server, transport, port, when, when, where)
            self.conversations[key] = conv
        else:
            conv.seen(when)
        return conv
