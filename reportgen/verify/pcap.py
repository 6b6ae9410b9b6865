"""pcap and pcapng captures: packets in a stream, decoded with dpkt, followed per connection.

The framing (the file header, each packet record, each pcapng block) is read here, from
1 MiB chunks, so that every packet keeps the byte offset of its record and a capture that
ends inside a record is an error naming that offset (dpkt's own pcap reader hands on a short
last packet without a word). Each packet's link layer, IP and TCP/UDP headers are decoded by
dpkt (https://github.com/kbandla/dpkt): small, pure Python, and it decodes one packet at a
time without holding the capture, where scapy costs seconds to import and builds a far
heavier object per packet.

A TCP connection's direction comes from its handshake: the sender of the SYN is the client,
the sender of a SYN-ACK the server. A connection whose handshake is not in the capture is
taken from its first packet with payload, the server being the side on the lower port; it is
counted as inferred. A UDP conversation's client is the sender of its first packet (the
receiver, where only the sender's port is a well-known one, below 1024). The first payload of
each connection, in either direction, is classified (:func:`~.observed.classify`).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator
from functools import lru_cache
from ipaddress import ip_address
from typing import IO, Any

import dpkt

from .observed import (
    Collector,
    ConnectionTable,
    Conversation,
    Evidence,
    InputSummary,
    ObservedError,
    classify,
)

CHUNK = 1 << 20
MAX_RECORD = 1 << 26
"""A packet record longer than 64 MiB is taken as a corrupt length, not a packet."""

PCAP_MAGICS: dict[bytes, tuple[str, float]] = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"

# link types (https://www.tcpdump.org/linktypes.html)
_ETHERNET, _NULL, _LOOP, _SLL, _SLL2 = 1, 0, 108, 113, 276
_RAW = frozenset({101, 12, 14})
_IPV4, _IPV6 = 228, 229

_SYN, _ACK, _FIN, _RST = dpkt.tcp.TH_SYN, dpkt.tcp.TH_ACK, dpkt.tcp.TH_FIN, dpkt.tcp.TH_RST
_DECODE_ERRORS = (dpkt.Error, struct.error, ValueError, IndexError, KeyError)

Record = tuple[int, float, int, bytes]
"""(byte offset of the record, timestamp, link type, packet bytes)."""


@lru_cache(maxsize=4096)
def address_text(packed: bytes) -> str:
    return str(ip_address(packed))


class _Chunks:
    """A file read in chunks, with the byte offset of the buffer's start and a running hash."""

    def __init__(self, handle: IO[bytes], path: str) -> None:
        self.handle = handle
        self.path = path
        self.hash = hashlib.sha256()
        self.buf = b""
        self.pos = 0
        self.base = 0
        """File offset of ``buf[0]``."""

    def ensure(self, count: int) -> bool:
        """At least ``count`` bytes from ``pos`` are in the buffer; False at a clean end
        (nothing left), an error when the file ends inside the record."""
        while len(self.buf) - self.pos < count:
            data = self.handle.read(max(CHUNK, count))
            if not data:
                left = len(self.buf) - self.pos
                if left == 0:
                    return False
                raise ObservedError(
                    self.path,
                    f"the capture is truncated: the record here needs {count} bytes, the file "
                    f"ends after {left}",
                    offset=self.offset,
                )
            self.hash.update(data)
            self.base += self.pos
            self.buf = self.buf[self.pos :] + data
            self.pos = 0
        return True

    @property
    def offset(self) -> int:
        return self.base + self.pos

    def drain(self) -> int:
        """Hash what is left unread; the file's size."""
        while data := self.handle.read(CHUNK):
            self.hash.update(data)
            self.base += len(data)
        return self.base + len(self.buf)


def pcap_records(chunks: _Chunks) -> Iterator[Record]:
    if not chunks.ensure(24):
        raise ObservedError(chunks.path, "empty capture", offset=0)
    header = chunks.buf[chunks.pos : chunks.pos + 24]
    endian, scale = PCAP_MAGICS[header[:4]]
    _, _, _, _, snaplen, link = struct.unpack(endian + "HHiIII", header[4:])
    link &= 0xFFFF  # the upper bits hold the FCS length
    chunks.pos += 24
    record = struct.Struct(endian + "IIII")
    unpack = record.unpack_from
    while chunks.ensure(16):
        sec, frac, caplen, _origlen = unpack(chunks.buf, chunks.pos)
        if caplen > MAX_RECORD:
            raise ObservedError(
                chunks.path,
                f"corrupt packet record: captured length {caplen:,} (snapshot length {snaplen:,})",
                offset=chunks.offset,
            )
        offset = chunks.offset
        chunks.ensure(16 + caplen)
        start = chunks.pos + 16
        chunks.pos = start + caplen
        yield offset, sec + frac * scale, link, chunks.buf[start : start + caplen]


def pcapng_records(chunks: _Chunks) -> Iterator[Record]:
    endian = "<"
    interfaces: list[tuple[int, float, int]] = []  # link type, seconds per tick, snaplen
    last = 0.0  # a simple packet block has no timestamp: it takes the one before it
    while chunks.ensure(12):
        offset = chunks.offset
        buf, pos = chunks.buf, chunks.pos
        kind = buf[pos : pos + 4]
        if kind == PCAPNG_MAGIC:
            magic = buf[pos + 8 : pos + 12]
            if magic == b"\x4d\x3c\x2b\x1a":
                endian = "<"
            elif magic == b"\x1a\x2b\x3c\x4d":
                endian = ">"
            else:
                raise ObservedError(chunks.path, "corrupt section header block", offset=offset)
            interfaces = []
        block_type, length = struct.unpack_from(endian + "II", buf, pos)
        if length < 12 or length % 4 or length > MAX_RECORD:
            raise ObservedError(
                chunks.path, f"corrupt pcapng block: length {length:,}", offset=offset
            )
        chunks.ensure(length)
        buf, pos = chunks.buf, chunks.pos
        (trailer,) = struct.unpack_from(endian + "I", buf, pos + length - 4)
        if trailer != length:
            raise ObservedError(
                chunks.path,
                f"corrupt pcapng block: its lengths differ ({length:,} and {trailer:,})",
                offset=offset,
            )
        body = buf[pos + 8 : pos + length - 4]
        chunks.pos = pos + length
        try:
            if block_type == 1:
                interfaces.append(_interface(body, endian))
            elif block_type in (6, 2):
                if block_type == 6:
                    iface, high, low, caplen = struct.unpack_from(endian + "IIII", body)
                    data_at = 20
                else:
                    iface, _drops, high, low, caplen = struct.unpack_from(endian + "HHIII", body)
                    data_at = 20
                link, tick, _snap = interfaces[iface]
                if data_at + caplen > len(body):
                    raise ObservedError(
                        chunks.path, "corrupt packet block: data past its end", offset=offset
                    )
                last = ((high << 32) | low) * tick
                yield offset, last, link, body[data_at : data_at + caplen]
            elif block_type == 3:
                link, _tick, snap = interfaces[0]
                (origlen,) = struct.unpack_from(endian + "I", body)
                caplen = min(origlen, snap or origlen, len(body) - 4)
                yield offset, last, link, body[4 : 4 + caplen]
        except (IndexError, struct.error):
            raise ObservedError(
                chunks.path,
                f"corrupt pcapng block of type {block_type} (no such interface, or too short)",
                offset=offset,
            ) from None


def _interface(body: bytes, endian: str) -> tuple[int, float, int]:
    link, _reserved, snaplen = struct.unpack_from(endian + "HHI", body)
    tick = 1e-6
    at = 8
    while at + 4 <= len(body):
        code, size = struct.unpack_from(endian + "HH", body, at)
        if code == 0:
            break
        if code == 9 and size >= 1:  # if_tsresol
            value = body[at + 4]
            tick = 2.0 ** -(value & 0x7F) if value & 0x80 else 10.0**-value
        at += 4 + size + (-size % 4)
    return link, tick, snaplen


Decoded = tuple[int, bytes, bytes, int, int, int, bytes, int]
"""(IP protocol 6 or 17, source address, destination address, source port, destination port,
TCP flags, the first 64 payload bytes, the payload's length)."""


def _network_layer(link: int, data: bytes) -> Any:
    if link == _ETHERNET:
        return dpkt.ethernet.Ethernet(data).data
    if link == _SLL:
        return dpkt.sll.SLL(data).data
    if link == _SLL2:
        return dpkt.sll2.SLL2(data).data
    if link in (_NULL, _LOOP):
        return dpkt.loopback.Loopback(data).data
    if link in _RAW or link in (_IPV4, _IPV6):
        version = data[0] >> 4 if data else 0
        return dpkt.ip.IP(data) if version == 4 else dpkt.ip6.IP6(data)
    return None


def decode_dpkt(link: int, data: bytes) -> Decoded | str:
    """A packet's addresses, ports, flags and payload as dpkt decodes them; or why it is not
    compared."""
    try:
        layer = _network_layer(link, data)
    except _DECODE_ERRORS:
        return "undecodable link layer"
    if layer is None:
        return f"link type {link} not supported"
    if not isinstance(layer, dpkt.ip.IP | dpkt.ip6.IP6):
        return "not IP (ARP, LLDP, …)"
    segment = layer.data
    if isinstance(segment, dpkt.tcp.TCP):
        payload = bytes(segment.data)
        return (6, layer.src, layer.dst, segment.sport, segment.dport, segment.flags & 0xFF,
                payload[:64], len(payload))  # fmt: skip
    if isinstance(segment, dpkt.udp.UDP):
        payload = bytes(segment.data)
        return (17, layer.src, layer.dst, segment.sport, segment.dport, 0, payload[:64],
                len(payload))  # fmt: skip
    return "not TCP or UDP (ICMP, a fragment, …)"


_PORTS = struct.Struct("!HH").unpack_from


def decode(link: int, data: bytes) -> Decoded | str:
    """:func:`decode_dpkt`, with a shortcut for the packets that make up nearly every capture:
    Ethernet II (or raw IP) carrying an unfragmented IPv4 TCP or UDP packet. Those four
    headers are read directly (five times faster than building dpkt's objects; a test checks
    that both agree); anything else (VLAN tags, IPv6, Linux cooked captures, fragments,
    options dpkt must judge) goes to dpkt."""
    if link == _ETHERNET:
        if len(data) < 34 or data[12] != 8 or data[13] != 0:
            return decode_dpkt(link, data)
        base = 14
    elif link in _RAW or link == _IPV4:
        base = 0
    else:
        return decode_dpkt(link, data)
    if len(data) < base + 20:
        return decode_dpkt(link, data)
    vihl = data[base]
    ihl = (vihl & 15) * 4
    proto = data[base + 9]
    if (
        vihl >> 4 != 4
        or ihl < 20
        or proto not in (6, 17)
        or data[base + 6] & 0x3F
        or data[base + 7]
    ):
        return decode_dpkt(link, data)
    end = base + ((data[base + 2] << 8) | data[base + 3])
    if end > len(data) or end < base + ihl:
        return decode_dpkt(link, data)
    l4 = base + ihl
    if proto == 6:
        offset = (data[l4 + 12] >> 4) * 4 if end >= l4 + 20 else 0
        if offset < 20 or l4 + offset > end:
            return decode_dpkt(link, data)
        start = l4 + offset
        flags = data[l4 + 13]
    else:
        if end < l4 + 8:
            return decode_dpkt(link, data)
        start = l4 + 8
        flags = 0
    sport, dport = _PORTS(data, l4)
    return (proto, data[base + 12 : base + 16], data[base + 16 : base + 20], sport, dport, flags,
            data[start : min(end, start + 64)], end - start)  # fmt: skip


class _Connection:
    """The state of one TCP connection or UDP conversation while it runs."""

    __slots__ = ("client", "conv", "done", "fins")

    def __init__(self, client: tuple[bytes, int], conv: Conversation) -> None:
        self.client = client
        self.conv = conv
        self.done = False
        """Its first payload was classified."""
        self.fins = 0
        """1: the client sent FIN, 2: the server did; at 3 (or a RST) the state goes."""


def _seen(
    state: _Connection, when: float, payload: bytes, path: str, number: int, offset: int
) -> None:
    """Count a packet of ``state``'s connection; its first payload classifies it (the
    evidence is built only then: this runs for every packet)."""
    conv = state.conv
    conv.packets += 1
    if when > conv.last_seen:
        conv.last_seen = when
    if payload and not state.done:
        state.done = True
        kind, sample = classify(payload)
        conv.add_payload(kind, sample, Evidence(path, number, offset))


class _Tracker:
    """Follows connections across the packets of one run (all its captures)."""

    def __init__(self, collector: Collector) -> None:
        self.collector = collector
        self.table: ConnectionTable[tuple[Any, ...], _Connection] = ConnectionTable(
            collector.table_limit
        )

    def _open(
        self,
        client: tuple[bytes, int],
        server: tuple[bytes, int],
        transport: str,
        when: float,
        where: Evidence,
        inferred: bool,
    ) -> _Connection:
        conv = self.collector.conversation(
            address_text(client[0]), address_text(server[0]), transport, server[1], when, where
        )
        conv.connections += 1
        if inferred:
            conv.inferred += 1
        return _Connection(client, conv)

    def tcp(self, packet: Decoded, when: float, path: str, number: int, offset: int) -> None:
        _, src, dst, sport, dport, flags, payload, _length = packet
        key = (src, sport, dst, dport) if (src, sport) <= (dst, dport) else (dst, dport, src, sport)
        state = self.table.get(key)
        syn_only = flags & (_SYN | _ACK) == _SYN
        if state is None or (syn_only and state.done and state.client == (src, sport)):
            where = Evidence(path, number, offset)
            if syn_only:
                state = self._open((src, sport), (dst, dport), "TCP", when, where, False)
            elif flags & (_SYN | _ACK) == _SYN | _ACK:
                state = self._open((dst, dport), (src, sport), "TCP", when, where, False)
            elif payload and not flags & (_FIN | _RST):
                client, server = ((src, sport), (dst, dport))
                if sport < dport:
                    client, server = server, client
                state = self._open(client, server, "TCP", when, where, True)
            else:
                return
            self.table.put(key, state)
        _seen(state, when, payload, path, number, offset)
        if flags & (_FIN | _RST):
            # a closed connection leaves the table (what follows carries no payload, so it
            # opens no new state); a long capture of short connections stays small
            state.fins |= 1 if state.client == (src, sport) else 2
            if state.fins == 3 or flags & _RST:
                self.table.drop(key)

    def udp(self, packet: Decoded, when: float, path: str, number: int, offset: int) -> None:
        _, src, dst, sport, dport, _flags, payload, _length = packet
        key = (src, sport, dst, dport) if (src, sport) <= (dst, dport) else (dst, dport, src, sport)
        state = self.table.get(key)
        if state is None:
            where = Evidence(path, number, offset)
            client, server = (src, sport), (dst, dport)
            if sport < 1024 <= dport:
                client, server = server, client
            state = self._open(client, server, "UDP", when, where, False)
            self.table.put(key, state)
        _seen(state, when, payload, path, number, offset)


def read_capture(handle: IO[bytes], path: str, collector: Collector) -> InputSummary:
    """Read a pcap or pcapng capture from ``handle`` into ``collector``; connections are
    followed across all the captures read into one collector."""
    chunks = _Chunks(handle, path)
    if not chunks.ensure(4):
        raise ObservedError(path, "empty capture", offset=0)
    head = chunks.buf[:4]
    fmt = "pcapng" if head == PCAPNG_MAGIC else "pcap"
    records = pcapng_records(chunks) if fmt == "pcapng" else pcap_records(chunks)
    if collector.tracker is None:
        collector.tracker = _Tracker(collector)
    tracker: _Tracker = collector.tracker
    tcp, udp = tracker.tcp, tracker.udp
    skipped: dict[str, int] = {}
    number = compared = 0
    start: float | None = None
    end: float | None = None
    for number, (offset, when, link, data) in enumerate(records, 1):
        if start is None or when < start:
            start = when
        if end is None or when > end:
            end = when
        packet = decode(link, data)
        if isinstance(packet, str):
            skipped[packet] = skipped.get(packet, 0) + 1
        else:
            (tcp if packet[0] == 6 else udp)(packet, when, path, number, offset)
            compared += 1
    size = chunks.drain()
    return InputSummary(
        path=path,
        format=fmt,
        size=size,
        sha256=chunks.hash.hexdigest(),
        records=number,
        compared=compared,
        skipped=tuple(sorted(skipped.items())),
        start=start,
        end=end,
    )
