"""Flow logs: Zeek's conn.log (TSV and JSON) and Cilium Hubble's flow export
(``hubble observe -o json``, one flow per line), read line by line.

Zeek has already taken each connection with its direction (``id.orig_h`` is the originator)
and names the protocol it recognised (``service``: ``ssl``, ``ssh``, ``http``, …), which stands
in for the payload bytes a capture would show. A Hubble flow is one event of a connection,
``source`` to ``destination``; ``is_reply`` marks the server's side, and an L7 record (HTTP,
DNS, Kafka, seen by Cilium's proxy) means the payload was cleartext to the proxy.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from .observed import (
    CLEARTEXT,
    SSH,
    TLS,
    Collector,
    Evidence,
    InputSummary,
    ObservedError,
)

ZEEK_SERVICE_KINDS: dict[str, str] = {
    "ssl": TLS,
    "tls": TLS,
    "dtls": TLS,
    "quic": TLS,
    "ssh": SSH,
    **dict.fromkeys(
        (
            "http", "ftp", "ftp-data", "smtp", "pop3", "imap", "irc", "telnet", "dns", "dhcp",
            "ntp", "snmp", "syslog", "sip", "tftp", "mqtt", "ldap", "radius",
        ),
        CLEARTEXT,
    ),
}  # fmt: skip
"""Zeek's ``service`` names -> the payload kind they stand for (others say nothing)."""

ZEEK_REQUIRED = ("ts", "id.orig_h", "id.resp_h", "id.resp_p", "proto")


class _Lines:
    """The lines of a text input with their 1-based numbers; hashes and counts the bytes."""

    def __init__(self, handle: IO[bytes], path: str) -> None:
        self.handle = handle
        self.path = path
        self.hash = hashlib.sha256()
        self.size = 0

    def __iter__(self) -> Iterator[tuple[int, str]]:
        for number, raw in enumerate(self.handle, 1):
            self.hash.update(raw)
            self.size += len(raw)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ObservedError(
                    self.path, f"not UTF-8 text (byte {exc.start} of the line)", line=number
                ) from None
            yield number, text.rstrip("\r\n")

    def summary(
        self,
        fmt: str,
        records: int,
        compared: int,
        skipped: dict[str, int],
        span: tuple[float | None, float | None],
    ) -> InputSummary:
        return InputSummary(
            path=self.path,
            format=fmt,
            size=self.size,
            sha256=self.hash.hexdigest(),
            records=records,
            compared=compared,
            skipped=tuple(sorted(skipped.items())),
            start=span[0],
            end=span[1],
        )


def _json_object(text: str, path: str, number: int, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ObservedError(
            path,
            f"not JSON ({exc.msg} at column {exc.colno}); {what} holds one JSON object per line",
            line=number,
        ) from None
    if not isinstance(value, dict):
        raise ObservedError(path, f"not a JSON object; {what} holds one per line", line=number)
    return value


_ISO = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$")


def _timestamp(value: object, path: str, number: int, key: str) -> float:
    """Seconds since the epoch from a number or an RFC 3339 time (nanoseconds allowed)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        match = _ISO.match(value.strip())
        if match:
            zone = match.group(3) or "+00:00"
            base = datetime.fromisoformat(match.group(1) + ("+00:00" if zone == "Z" else zone))
            fraction = float("0." + match.group(2)) if match.group(2) else 0.0
            return base.timestamp() + fraction
        try:
            return float(value)
        except ValueError:
            pass
    raise ObservedError(path, f"{key} {value!r} is not a time", line=number)


def _port(value: object, path: str, number: int, key: str) -> int:
    try:
        port = int(str(value))
    except ValueError:
        raise ObservedError(path, f"{key} {value!r} is not a port", line=number) from None
    if not 0 <= port <= 65535:
        raise ObservedError(path, f"{key} {port} is not a port", line=number)
    return port


# --- Zeek conn.log -----------------------------------------------------------------------------


def read_zeek(handle: IO[bytes], path: str, collector: Collector, fmt: str) -> InputSummary:
    """Read a Zeek conn.log, TSV (``fmt == "zeek-tsv"``) or JSON lines (``"zeek-json"``)."""
    lines = _Lines(handle, path)
    records = compared = 0
    skipped: dict[str, int] = {}
    start: float | None = None
    end: float | None = None
    separator = "\t"
    unset, empty = "-", "(empty)"
    fields: list[str] | None = None
    for number, text in lines:
        if not text.strip():
            continue
        if fmt == "zeek-tsv":
            if text.startswith("#"):
                name, _, value = text[1:].partition(
                    " " if text.startswith("#separator") else separator
                )
                if name == "separator":
                    separator = value.encode("ascii").decode("unicode_escape")
                elif name == "unset_field":
                    unset = value
                elif name == "empty_field":
                    empty = value
                elif name == "path" and value != "conn":
                    raise ObservedError(
                        path, f"this is a Zeek {value!r} log, not a conn.log", line=number
                    )
                elif name == "fields":
                    fields = value.split(separator)
                    missing = [f for f in ZEEK_REQUIRED if f not in fields]
                    if missing:
                        raise ObservedError(
                            path, f"#fields lacks {', '.join(missing)}", line=number
                        )
                continue
            if fields is None:
                raise ObservedError(path, "a data row before the #fields header line", line=number)
            values = text.split(separator)
            if len(values) != len(fields):
                raise ObservedError(
                    path,
                    f"{len(values)} fields where the #fields header names {len(fields)}",
                    line=number,
                )
            row: dict[str, Any] = {
                k: None if v == unset else "" if v == empty else v
                for k, v in zip(fields, values, strict=True)
            }
        else:
            row = _json_object(text, path, number, "a Zeek JSON log")
        records += 1
        when = _zeek_row(row, path, number, collector, skipped)
        if when is None:
            continue
        compared += 1
        begin, finish = when
        start = begin if start is None else min(start, begin)
        end = finish if end is None else max(end, finish)
    if records == 0 and fmt == "zeek-tsv" and fields is None:
        raise ObservedError(path, "no #fields header and no connections: not a conn.log", line=1)
    return lines.summary(fmt, records, compared, skipped, (start, end))


def _zeek_row(
    row: dict[str, Any], path: str, number: int, collector: Collector, skipped: dict[str, int]
) -> tuple[float, float] | None:
    for key in ZEEK_REQUIRED:
        if row.get(key) in (None, ""):
            raise ObservedError(path, f"the connection has no {key}", line=number)
    transport = str(row["proto"]).upper()
    if transport not in ("TCP", "UDP"):
        reason = f"not TCP or UDP ({row['proto']})"
        skipped[reason] = skipped.get(reason, 0) + 1
        return None
    begin = _timestamp(row["ts"], path, number, "ts")
    try:
        duration = float(row.get("duration") or 0.0)
    except (TypeError, ValueError):
        duration = 0.0
    where = Evidence(path, line=number)
    conv = collector.conversation(
        str(row["id.orig_h"]),
        str(row["id.resp_h"]),
        transport,
        _port(row["id.resp_p"], path, number, "id.resp_p"),
        begin,
        where,
    )
    conv.seen(begin + duration)
    conv.connections += 1
    for key in ("orig_pkts", "resp_pkts"):
        with contextlib.suppress(TypeError, ValueError):
            conv.packets += int(row.get(key) or 0)
    history = row.get("history")
    if transport == "TCP" and isinstance(history, str) and "S" not in history:
        conv.inferred += 1
    service = row.get("service")
    names = service if isinstance(service, list) else str(service or "").split(",")
    known = [n.strip().lower() for n in names if n.strip().lower() in ZEEK_SERVICE_KINDS]
    for kind in sorted({ZEEK_SERVICE_KINDS[n] for n in known}):
        conv.add_payload(kind, f"Zeek service {','.join(n.strip() for n in names)}", where)
    return begin, begin + duration


# --- Hubble ------------------------------------------------------------------------------------

_HUBBLE_SKIP_VERDICTS = frozenset({"DROPPED", "ERROR", "AUDIT"})


def read_hubble(handle: IO[bytes], path: str, collector: Collector) -> InputSummary:
    """Read ``hubble observe -o json`` output (``{"flow": {…}}`` per line, or the bare flow
    of older releases)."""
    lines = _Lines(handle, path)
    records = compared = 0
    skipped: dict[str, int] = {}
    start: float | None = None
    end: float | None = None
    for number, text in lines:
        if not text.strip():
            continue
        obj = _json_object(text, path, number, "a Hubble export (hubble observe -o json)")
        records += 1
        flow = obj.get("flow")
        if not isinstance(flow, dict):
            flow = obj if ("IP" in obj or "l4" in obj or "verdict" in obj) else None
        if flow is None:
            result: str | float = "not a flow (node status, lost events, …)"
        else:
            result = _hubble_flow(flow, obj, path, number, collector)
        if isinstance(result, str):
            skipped[result] = skipped.get(result, 0) + 1
            continue
        compared += 1
        when = result
        start = when if start is None else min(start, when)
        end = when if end is None else max(end, when)
    return lines.summary("hubble", records, compared, skipped, (start, end))


def _labels(endpoint: object) -> tuple[str, ...]:
    if not isinstance(endpoint, dict):
        return ()
    found = []
    for label in endpoint.get("labels") or ():
        if isinstance(label, str) and label.startswith("k8s:"):
            found.append(label[4:])
    namespace = endpoint.get("namespace")
    if isinstance(namespace, str) and namespace:
        found.append(f"io.kubernetes.pod.namespace={namespace}")
    return tuple(sorted(set(found)))


def _hubble_flow(
    flow: dict[str, Any], obj: dict[str, Any], path: str, number: int, collector: Collector
) -> str | float:
    """Add one flow event and return its time; or the reason it was skipped."""
    verdict = str(flow.get("verdict", ""))
    if verdict in _HUBBLE_SKIP_VERDICTS:
        return f"verdict {verdict} (not delivered)"
    ip = flow.get("IP")
    l4 = flow.get("l4")
    if not isinstance(ip, dict) or not ip.get("source") or not ip.get("destination"):
        return "no IP addresses"
    layer = None
    transport = ""
    if isinstance(l4, dict):
        for transport in ("TCP", "UDP"):
            if isinstance(l4.get(transport), dict):
                layer = l4[transport]
                break
    if layer is None:
        return "not TCP or UDP"
    when = _timestamp(flow.get("time") or obj.get("time"), path, number, "time")
    sport = _port(layer.get("source_port", 0), path, number, "source_port")
    dport = _port(layer.get("destination_port", 0), path, number, "destination_port")
    flags = layer.get("flags") if isinstance(layer.get("flags"), dict) else {}
    reply = flow.get("is_reply")
    if reply is None:
        reply = bool(flags.get("SYN") and flags.get("ACK"))
    client, server = (ip["source"], sport), (ip["destination"], dport)
    labels = (_labels(flow.get("source")), _labels(flow.get("destination")))
    if reply:
        client, server = server, client
        labels = (labels[1], labels[0])
    where = Evidence(path, line=number)
    conv = collector.conversation(str(client[0]), str(server[0]), transport, server[1], when, where)
    if not conv.client_labels and not conv.server_labels:
        conv.client_labels, conv.server_labels = labels
    conv.packets += 1
    if transport == "UDP" and conv.connections == 0:
        conv.connections = 1
    if flags.get("SYN") and not flags.get("ACK") and not reply:
        conv.connections += 1
    l7 = flow.get("l7")
    if isinstance(l7, dict):
        for protocol in ("http", "dns", "kafka"):
            if isinstance(l7.get(protocol), dict):
                detail = l7[protocol]
                sample = " ".join(
                    str(detail[k]) for k in ("method", "url", "query") if detail.get(k)
                )
                conv.add_payload(CLEARTEXT, f"{protocol.upper()} {sample}".strip(), where)
    return when
