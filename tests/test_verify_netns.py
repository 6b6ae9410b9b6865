"""``reportgen verify`` on real traffic: two network namespaces joined by a veth pair, a TLS
server, a plain HTTP server and a plain TCP service in one, a client in the other, and
tcpdump writing what crosses the link to a pcap.

The matrix (tests/fixtures/verify/matrix.md) documents the TLS API (1.1), documents the plain
HTTP server as encrypted (1.2), documents a database flow that never happens (1.3) and leaves
out the TCP service on port 7000. So the comparison must find exactly one contradiction, one
undocumented flow and one unobserved flow, each at its place.

Addresses are from RFC 5737 (192.0.2.0/24) and exist only inside the namespaces. The
namespaces are removed again whatever happens; the tests skip only where the kernel (or a
missing privilege) refuses to create a namespace.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reportgen.build import load
from reportgen.cli import main
from reportgen.model import Level, Location
from tests.verify_support import CLIENT, LAB, SERVER

SUFFIX = f"{os.getpid() % 100000}"
NS_CLIENT, NS_SERVER = f"rgv-c{SUFFIX}", f"rgv-s{SUFFIX}"
VETH_CLIENT, VETH_SERVER = f"rgvc{SUFFIX}", f"rgvs{SUFFIX}"
MATRIX = LAB / "matrix.md"

SERVERS = r"""
import socket, ssl, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ADDRESS, CERTS = sys.argv[1], sys.argv[2]

def listen(port):
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((ADDRESS, port))
    sock.listen(8)
    return sock

def serve_tls(sock):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERTS + "/cert.pem", CERTS + "/key.pem")
    while True:
        conn, _ = sock.accept()
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1024)
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        except OSError:
            pass

def serve_echo(sock):
    while True:
        conn, _ = sock.accept()
        with conn:
            conn.sendall(conn.recv(1024))

class Page(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass

tls, echo = listen(8443), listen(7000)
web = ThreadingHTTPServer((ADDRESS, 8080), Page)
threading.Thread(target=serve_tls, args=(tls,), daemon=True).start()
threading.Thread(target=serve_echo, args=(echo,), daemon=True).start()
print("ready", flush=True)
web.serve_forever()
"""

CLIENT_SCRIPT = r"""
import socket, ssl, sys

SERVER = sys.argv[1]

context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
with socket.create_connection((SERVER, 8443), timeout=5) as raw:
    with context.wrap_socket(raw) as tls:
        tls.sendall(b"GET /api HTTP/1.1\r\nHost: api\r\n\r\n")
        assert tls.recv(1024).startswith(b"HTTP/1.1 200")

with socket.create_connection((SERVER, 8080), timeout=5) as web:
    web.sendall(b"GET / HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n")
    assert web.recv(1024).startswith(b"HTTP/1.")

with socket.create_connection((SERVER, 7000), timeout=5) as echo:
    echo.sendall(b"hello\n")
    assert echo.recv(1024) == b"hello\n"
print("done", flush=True)
"""


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10)


def _in(ns: str, *command: str) -> list[str]:
    return ["ip", "netns", "exec", ns, *command]


def _must(*args: str) -> None:
    done = _ip(*args)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")


def _wait_for(stream: object, marker: str, what: str, timeout: float = 10.0) -> None:
    """Read lines from a process's pipe until ``marker`` shows (the process is ready)."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = stream.readline()  # type: ignore[attr-defined]
        if not line:
            break
        seen.append(line)
        if marker in line:
            return
    raise RuntimeError(f"{what} did not get ready: {''.join(seen)!r}")


@pytest.fixture(scope="module")
def lab() -> Iterator[None]:
    """Two namespaces, client (192.0.2.10) and server (192.0.2.130), on one veth link."""
    for tool in ("ip", "tcpdump", "openssl"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed: run scripts/setup.sh --test")
    made = _ip("netns", "add", NS_CLIENT)
    if made.returncode != 0:
        pytest.skip(f"the kernel refuses network namespaces here: {made.stderr.strip()}")
    try:
        _must("netns", "add", NS_SERVER)
        _must("link", "add", VETH_CLIENT, "type", "veth", "peer", "name", VETH_SERVER)
        _must("link", "set", VETH_CLIENT, "netns", NS_CLIENT)
        _must("link", "set", VETH_SERVER, "netns", NS_SERVER)
        for ns, dev, address in (
            (NS_CLIENT, VETH_CLIENT, CLIENT),
            (NS_SERVER, VETH_SERVER, SERVER),
        ):
            _must("-n", ns, "addr", "add", f"{address}/24", "dev", dev)
            _must("-n", ns, "link", "set", "lo", "up")
            _must("-n", ns, "link", "set", dev, "up")
        yield
    finally:
        for ns in (NS_CLIENT, NS_SERVER):
            _ip("netns", "del", ns)


def _stop(process: subprocess.Popen[str], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def capture(lab: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real traffic between the namespaces, as tcpdump wrote it."""
    work = tmp_path_factory.mktemp("netns")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(work / "key.pem"),
            "-out", str(work / "cert.pem"), "-days", "1", "-subj", "/CN=api.lab",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    (work / "servers.py").write_text(SERVERS)
    (work / "client.py").write_text(CLIENT_SCRIPT)
    pcap = work / "lab.pcap"
    servers = subprocess.Popen(
        _in(NS_SERVER, sys.executable, str(work / "servers.py"), SERVER, str(work)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    tcpdump: subprocess.Popen[str] | None = None
    try:
        _wait_for(servers.stdout, "ready", "the servers")
        # --immediate-mode hands each packet on at once (else packets wait in the kernel
        # ring for up to a second, and SIGINT ends tcpdump without them); -U writes each
        # one at once; -Z root keeps the right to write into tmp_path
        tcpdump = subprocess.Popen(
            [
                *_in(NS_SERVER, "tcpdump", "-i", VETH_SERVER, "-n", "--immediate-mode", "-U"),
                *("-Z", "root", "-w", str(pcap)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        _wait_for(tcpdump.stderr, "listening on", "tcpdump")
        client = subprocess.run(
            _in(NS_CLIENT, sys.executable, str(work / "client.py"), SERVER),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert client.returncode == 0, client.stderr
        time.sleep(0.2)  # the servers' last packets (FIN, ACK) cross the link
    finally:
        if tcpdump is not None:
            _stop(tcpdump, signal.SIGINT)  # tcpdump flushes and closes the file on SIGINT
        _stop(servers)
    assert tcpdump is not None and tcpdump.returncode == 0, tcpdump and tcpdump.stderr
    return pcap


def test_the_capture_gives_exactly_the_documented_discrepancies(capture: Path) -> None:
    data = load(MATRIX, observed=[capture])
    result = data.verification
    assert result is not None
    path = data.matrix.source.path
    found = [
        (i.kind, i.code, i.severity, i.flow_key, i.location, i.observed and i.observed[0].label)
        for i in result.items
    ]
    assert found == [
        (
            "contradiction",
            "cleartext-observed",
            Level.HIGH,
            "1.2",
            Location(path, 25, 59),  # the C cell of row 1.2
            "client → web TCP 8080",
        ),
        (
            "undocumented",
            "undocumented-flow",
            Level.HIGH,
            None,
            None,
            "client → legacy-echo TCP 7000",
        ),
        ("unobserved", "unobserved-flow", Level.INFO, "1.3", Location(path, 26, 3), ()),
    ]
    assert [key for key, _ in result.matched] == ["1.1", "1.2"]
    assert result.not_covered == ()
    api = dict(result.matched)["1.1"][0]
    assert api.connections == 1 and api.inferred == 0
    assert dict(api.payload) == {"tls": 1}
    web = dict(result.matched)["1.2"][0]
    assert web.sample("cleartext") is not None
    assert web.sample("cleartext")[0] == "GET / HTTP/1.1"  # type: ignore[index]
    undocumented = result.items[1]
    assert undocumented.evidence is not None and undocumented.evidence.path.endswith("lab.pcap")
    assert undocumented.evidence.packet is not None and undocumented.evidence.offset is not None
    assert [c.id for c in undocumented.controls] == ["NET.1.1.A15", "8.20", "8.22"]
    assert undocumented.controls[0].title_de == "Regelmäßiger Soll-Ist-Vergleich"
    (summary,) = result.inputs
    assert summary.format == "pcap" and summary.records == summary.compared + sum(
        n for _, n in summary.skipped
    )
    assert result.start is not None and result.end is not None


def test_cli_gates_and_formats_on_the_capture(capture: Path) -> None:
    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["verify", str(MATRIX), "--observed", str(capture), *args])

    plain = run()
    assert plain.exit_code == 0, plain.output
    lines = plain.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("tests/fixtures/verify/matrix.md:25:59: high cleartext-observed:")
    assert "1 contradiction, 1 undocumented flow, 1 unobserved flow" in plain.stderr
    for gate in ("undocumented", "contradiction", "unobserved"):
        assert run("--fail-on", gate).exit_code == 1
    assert run("--fail-on", "unknown").exit_code == 0
    as_json = json.loads(run("--format", "json").stdout)
    assert as_json["summary"]["undocumented"] == 1
    assert [i["code"] for i in as_json["items"]] == [
        "cleartext-observed",
        "undocumented-flow",
        "unobserved-flow",
    ]
    github = run("--format", "github").stdout.splitlines()
    assert github[0].startswith(
        "::error file=tests/fixtures/verify/matrix.md,line=25,col=59,title=cleartext-observed::"
    )


def test_build_puts_the_comparison_into_every_output(capture: Path, tmp_path: Path) -> None:
    import io

    import openpyxl
    from pypdf import PdfReader

    from reportgen.build import build

    data = load(MATRIX, observed=[capture])
    out = tmp_path / "out"
    written = build(data, out, ["json", "markdown", "xlsx", "pdf"], jobs=1).written
    names = {w.path.relative_to(out).as_posix() for w in written}
    assert {"json/verify.json", "markdown/verify.md"} <= names

    page = (out / "markdown" / "verify.md").read_text()
    assert "## Contradictions (1)" in page and "## Undocumented flows (1)" in page
    assert "## Unobserved flows (1)" in page and "## Unknown endpoints (0)" in page
    assert "client → legacy-echo TCP 7000 (Clients → Servers) is not in the matrix" in page
    assert "[verification page](verify.md)" in (out / "markdown" / "index.md").read_text()

    workbook = openpyxl.load_workbook(out / "xlsx" / "communication-matrix.xlsx")
    sheet = workbook["Soll-Ist"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[3], r[4]) for r in rows] == [
        ("contradiction", "cleartext-observed", "1.2", 25),
        ("undocumented", "undocumented-flow", None, None),
        ("unobserved", "unobserved-flow", "1.3", 26),
    ]

    (pdf,) = (out / "pdf").glob("*.pdf")
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    flat = " ".join(text.split())
    assert "Soll-Ist-Vergleich: the matrix against observed traffic" in flat
    assert "flow 1.2 marks C (x), but client → web TCP 8080 carried cleartext" in flat
    assert "client → legacy-echo TCP 7000 (Clients → Servers) is not in the matrix" in flat
    assert "flow 1.3 (client → db TCP 5432) was not observed" in flat
    assert "NET.1.1.A15 Regelmäßiger Soll-Ist-Vergleich" in flat
    outline = [str(o.title) for o in reader.outline if not isinstance(o, list)]
    assert any(
        str(t).endswith("Soll-Ist-Vergleich: the matrix against observed traffic") for t in outline
    )
    assert "verify.json" in reader.attachments
