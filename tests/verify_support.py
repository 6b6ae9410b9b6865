"""Captures and logs for the verify tests, written with dpkt and in Zeek's and Hubble's
documented formats. Addresses are from the RFC 5737 documentation ranges."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import dpkt

from tests.conftest import FIXTURES

LAB = FIXTURES / "verify"
CLIENT, SERVER = "192.0.2.10", "192.0.2.130"
T0 = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC

Packet = tuple[float, bytes]


def _addr(text: str) -> bytes:
    family = socket.AF_INET6 if ":" in text else socket.AF_INET
    return socket.inet_pton(family, text)


def frame(
    src: str,
    sport: int,
    dst: str,
    dport: int,
    flags: int = dpkt.tcp.TH_ACK,
    payload: bytes = b"",
    udp: bool = False,
) -> bytes:
    """An Ethernet frame carrying one TCP segment (or UDP datagram)."""
    segment: Any
    if udp:
        segment = dpkt.udp.UDP(sport=sport, dport=dport, data=payload)
        segment.ulen = len(bytes(segment))
        proto = dpkt.ip.IP_PROTO_UDP
    else:
        segment = dpkt.tcp.TCP(sport=sport, dport=dport, flags=flags, data=payload)
        proto = dpkt.ip.IP_PROTO_TCP
    if ":" in src:
        ip: Any = dpkt.ip6.IP6(src=_addr(src), dst=_addr(dst), nxt=proto, hlim=64, data=segment)
        ip.plen = len(bytes(segment))
        kind = dpkt.ethernet.ETH_TYPE_IP6
    else:
        ip = dpkt.ip.IP(src=_addr(src), dst=_addr(dst), p=proto, data=segment)
        ip.len = len(bytes(ip))
        kind = dpkt.ethernet.ETH_TYPE_IP
    return bytes(dpkt.ethernet.Ethernet(src=b"\x02" * 6, dst=b"\x04" * 6, type=kind, data=ip))


def connection(
    client: str,
    cport: int,
    server: str,
    sport: int,
    first: bytes,
    when: float,
    reply: bytes = b"ok",
) -> list[Packet]:
    """A whole TCP connection: handshake, the client's first payload, a reply, the close."""
    syn, ack, fin, psh = dpkt.tcp.TH_SYN, dpkt.tcp.TH_ACK, dpkt.tcp.TH_FIN, dpkt.tcp.TH_PUSH
    steps = [
        (client, cport, server, sport, syn, b""),
        (server, sport, client, cport, syn | ack, b""),
        (client, cport, server, sport, ack, b""),
        (client, cport, server, sport, psh | ack, first),
        (server, sport, client, cport, psh | ack, reply),
        (client, cport, server, sport, fin | ack, b""),
        (server, sport, client, cport, fin | ack, b""),
    ]
    return [(when + i * 0.001, frame(*step)) for i, step in enumerate(steps)]


def write_pcap(path: Path, packets: Iterable[Packet], ng: bool = False) -> Path:
    with path.open("wb") as handle:
        writer: Any = dpkt.pcapng.Writer(handle) if ng else dpkt.pcap.Writer(handle)
        for when, data in packets:
            writer.writepkt(data, ts=when)
    return path


def pcap_bytes(packets: Iterable[Packet]) -> bytes:
    buf = io.BytesIO()
    writer = dpkt.pcap.Writer(buf)
    for when, data in packets:
        writer.writepkt(data, ts=when)
    return buf.getvalue()


ZEEK_FIELDS = [
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "proto",
    "service",
    "duration",
    "orig_bytes",
    "resp_bytes",
    "conn_state",
    "local_orig",
    "local_resp",
    "missed_bytes",
    "history",
    "orig_pkts",
    "orig_ip_bytes",
    "resp_pkts",
    "resp_ip_bytes",
    "tunnel_parents",
]
ZEEK_TYPES = [
    "time",
    "string",
    "addr",
    "port",
    "addr",
    "port",
    "enum",
    "string",
    "interval",
    "count",
    "count",
    "string",
    "bool",
    "bool",
    "count",
    "string",
    "count",
    "count",
    "count",
    "count",
    "set[string]",
]
"""The #fields and #types lines of Zeek's conn.log (Zeek's documentation, conn.log)."""


def zeek_tsv(rows: Sequence[dict[str, Any]]) -> str:
    """A conn.log in Zeek's default TSV form (header lines as Zeek writes them)."""
    head = [
        "#separator \\x09",
        "#set_separator\t,",
        "#empty_field\t(empty)",
        "#unset_field\t-",
        "#path\tconn",
        "#open\t2026-01-01-00-00-00",
        "#fields\t" + "\t".join(ZEEK_FIELDS),
        "#types\t" + "\t".join(ZEEK_TYPES),
    ]
    body = ["\t".join(str(row.get(f, "-")) for f in ZEEK_FIELDS) for row in rows]
    return "\n".join([*head, *body, "#close\t2026-01-01-01-00-00"]) + "\n"


def zeek_json(rows: Sequence[dict[str, Any]]) -> str:
    """A conn.log in Zeek's JSON form (``LogAscii::use_json=T``): unset fields left out."""
    return "".join(
        json.dumps({k: v for k, v in row.items() if v not in ("-", None)}) + "\n" for row in rows
    )


def zeek_row(
    ts: float, orig: str, oport: int, resp: str, rport: int, service: str = "-", **extra: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "ts": f"{ts:.6f}",
        "uid": f"C{int(ts * 1000) % 10**9:09d}x",
        "id.orig_h": orig,
        "id.orig_p": oport,
        "id.resp_h": resp,
        "id.resp_p": rport,
        "proto": "tcp",
        "service": service,
        "duration": "0.010000",
        "orig_bytes": 100,
        "resp_bytes": 200,
        "conn_state": "SF",
        "local_orig": "-",
        "local_resp": "-",
        "missed_bytes": 0,
        "history": "ShADadFf",
        "orig_pkts": 5,
        "orig_ip_bytes": 400,
        "resp_pkts": 4,
        "resp_ip_bytes": 500,
        "tunnel_parents": "-",
    }
    row.update(extra)
    return row


def hubble_flow(
    time: str,
    src: tuple[str, int, dict[str, str], str],
    dst: tuple[str, int, dict[str, str], str],
    flags: dict[str, bool] | None = None,
    is_reply: bool = False,
    verdict: str = "FORWARDED",
    l7: dict[str, Any] | None = None,
) -> str:
    """One line of ``hubble observe -o json``: (address, port, labels, namespace) per side."""

    def endpoint(side: tuple[str, int, dict[str, str], str]) -> dict[str, Any]:
        _address, _port, labels, namespace = side
        return {
            "ID": 1234,
            "identity": 5678,
            "namespace": namespace,
            "labels": [f"k8s:{k}={v}" for k, v in labels.items()]
            + [f"k8s:io.kubernetes.pod.namespace={namespace}"],
            "pod_name": f"{next(iter(labels.values()), 'pod')}-7d9f8c-abcde",
        }

    flow: dict[str, Any] = {
        "time": time,
        "uuid": "0b4e3a36-2b6f-4a6e-9d1e-1f0d8d7b2c11",
        "verdict": verdict,
        "ethernet": {"source": "02:00:00:00:00:01", "destination": "02:00:00:00:00:02"},
        "IP": {"source": src[0], "destination": dst[0], "ipVersion": "IPv4"},
        "l4": {
            "TCP": {
                "source_port": src[1],
                "destination_port": dst[1],
                "flags": flags or {"ACK": True},
            }
        },
        "source": endpoint(src),
        "destination": endpoint(dst),
        "Type": "L3_L4",
        "node_name": "kind-worker",
        "is_reply": is_reply,
        "traffic_direction": "EGRESS",
        "Summary": "TCP Flags: " + ", ".join(sorted((flags or {"ACK": True}).keys())),
    }
    if l7 is not None:
        flow["Type"] = "L7"
        flow["l7"] = l7
    return json.dumps({"flow": flow, "node_name": "kind-worker", "time": time}) + "\n"
