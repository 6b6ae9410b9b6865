"""Throughput and memory of ``reportgen verify`` on a generated capture, against the floor
``tcpdump -r FILE -w /dev/null`` (libpcap reading and writing the same packets, nothing more).

    python benchmarks/bench_verify.py [--packets 100000,1000000] [--runs 3] [--keep DIR]

The capture is written with dpkt: Ethernet/IPv4 TCP connections of 10 packets (handshake,
a first payload, three data segments, a reply, the close) from 20 client addresses to four
services of the verify lab (tests/fixtures/verify), seeded, so that the matrix has flows to
match, contradictions and an undocumented flow. Each size is verified in a fresh subprocess
(``verify()`` timed with perf_counter, median of --runs; peak RSS is the subprocess's
``ru_maxrss`` after all runs). Timings belong here, never in the tests.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import dpkt  # noqa: E402

LAB = ROOT / "tests" / "fixtures" / "verify"
SERVER = bytes([192, 0, 2, 130])
SERVICES = (
    (8443, b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"),
    (8080, b"GET / HTTP/1.1\r\nHost: web\r\n\r\n"),
    (7000, b"hello\n"),
    (5432, b"\x00\x00\x00\x08\x04\xd2\x16\x2f"),
)
PER_CONNECTION = 10


def _frame(src: bytes, sport: int, dst: bytes, dport: int, flags: int, payload: bytes) -> bytes:
    seg = dpkt.tcp.TCP(sport=sport, dport=dport, flags=flags, data=payload)
    ip = dpkt.ip.IP(src=src, dst=dst, p=dpkt.ip.IP_PROTO_TCP, data=seg)
    ip.len = len(bytes(ip))
    eth = dpkt.ethernet.Ethernet(src=b"\x02" * 6, dst=b"\x04" * 6, data=ip)
    return bytes(eth)


def generate(path: Path, packets: int, seed: int = 17) -> float:
    """Write ``packets`` packets to ``path``; the seconds it took."""
    start = time.perf_counter()
    rng = random.Random(seed)
    syn, ack, fin, psh = dpkt.tcp.TH_SYN, dpkt.tcp.TH_ACK, dpkt.tcp.TH_FIN, dpkt.tcp.TH_PUSH
    # one template connection per (client, service); only the client port changes, so the
    # frames are built once and patched (the TCP checksum is left as dpkt computed it)
    templates = {}
    for host in range(10, 30):
        client = bytes([192, 0, 2, host])
        for port, first in SERVICES:
            steps = [
                (client, 1, SERVER, port, syn, b""),
                (SERVER, port, client, 1, syn | ack, b""),
                (client, 1, SERVER, port, ack, b""),
                (client, 1, SERVER, port, psh | ack, first),
                (SERVER, port, client, 1, psh | ack, b"ok"),
                (client, 1, SERVER, port, psh | ack, b"x" * 200),
                (client, 1, SERVER, port, psh | ack, b"y" * 200),
                (SERVER, port, client, 1, ack, b""),
                (client, 1, SERVER, port, fin | ack, b""),
                (SERVER, port, client, 1, fin | ack, b""),
            ]
            templates[(host, port)] = [(_frame(*step), step[0] == client) for step in steps]
    keys = list(templates)
    when = 1_767_225_600.0
    with path.open("wb") as handle:
        writer = dpkt.pcap.Writer(handle)
        written = 0
        while written < packets:
            cport = rng.randrange(32768, 61000).to_bytes(2, "big")
            for frame, from_client in templates[rng.choice(keys)]:
                at = 34 if from_client else 36  # Ethernet 14 + IPv4 20: sport, then dport
                data = frame[:at] + cport + frame[at + 2 :]
                writer.writepkt(data, ts=when)
                when += 0.0001
                written += 1
                if written == packets:
                    break
    return time.perf_counter() - start


CHILD = r"""
import json, resource, statistics, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from reportgen.build import load
from reportgen.verify import verify
data = load(Path(sys.argv[2]))
times = []
for _ in range(int(sys.argv[4])):
    start = time.perf_counter()
    result = verify(data.matrix, data.config, [Path(sys.argv[3])])
    times.append(time.perf_counter() - start)
print(json.dumps({
    "seconds": statistics.median(times),
    "records": result.inputs[0].records,
    "items": [i.code for i in result.items],
    "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def floor(path: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            ["tcpdump", "-r", str(path), "-w", "/dev/null"], check=True, capture_output=True
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", default="100000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="keep the captures here")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    if shutil.which("tcpdump") is None:
        sys.exit("tcpdump is not installed (scripts/setup.sh --test installs it)")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-verify-"))
    folder.mkdir(parents=True, exist_ok=True)
    figures = []
    for packets in [int(n) for n in args.packets.split(",")]:
        path = folder / f"capture-{packets}.pcap"
        made = generate(path, packets)
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(ROOT), str(LAB / "matrix.md"), str(path),
             str(args.runs)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        ours = json.loads(child.stdout)
        base = floor(path, args.runs)
        row = {
            "packets": packets,
            "bytes": path.stat().st_size,
            "generate_seconds": round(made, 2),
            "reportgen_seconds": round(ours["seconds"], 3),
            "reportgen_packets_per_second": round(packets / ours["seconds"]),
            "tcpdump_seconds": round(base, 3),
            "tcpdump_packets_per_second": round(packets / base),
            "ratio": round(ours["seconds"] / base, 1),
            "peak_rss_mib": round(ours["peak_rss_mib"], 1),
            "items": ours["items"],
        }
        figures.append(row)
        print(
            f"{packets:>9,} packets ({row['bytes'] / 2**20:.0f} MiB, written in {made:.1f} s): "
            f"reportgen {ours['seconds']:.2f} s = {row['reportgen_packets_per_second']:,} pkt/s; "
            f"tcpdump -r -w /dev/null {base:.2f} s = {row['tcpdump_packets_per_second']:,} "
            f"pkt/s; ratio {row['ratio']}; peak RSS {row['peak_rss_mib']} MiB"
        )
        if args.keep is None:
            path.unlink()
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
