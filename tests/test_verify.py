"""``reportgen verify`` on captures written with dpkt and on logs in Zeek's and Hubble's
documented formats: detection by content, the readers, the inventory, the matching, the
errors with their locations, and ``build --observed``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dpkt
import pytest
from click.testing import CliRunner

from reportgen.build import load
from reportgen.cli import main
from reportgen.config import parse_config
from reportgen.errors import ConfigError, ReportgenError
from reportgen.model import Level, Location
from reportgen.verify import CODES, ObservedError, classify, detect, read_observed
from reportgen.verify.observed import ConnectionTable
from tests.verify_support import (
    CLIENT,
    LAB,
    SERVER,
    T0,
    connection,
    frame,
    hubble_flow,
    pcap_bytes,
    write_pcap,
    zeek_json,
    zeek_row,
    zeek_tsv,
)

MATRIX = LAB / "matrix.md"
TLS_HELLO = b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"
HTTP_GET = b"GET / HTTP/1.1\r\nHost: web\r\n\r\n"


def lab_packets() -> list[tuple[float, bytes]]:
    """What the namespace test's client does: TLS to api, HTTP to web, a line to port 7000."""
    return [
        *connection(CLIENT, 40000, SERVER, 8443, TLS_HELLO, T0),
        *connection(CLIENT, 40001, SERVER, 8080, HTTP_GET, T0 + 1),
        *connection(CLIENT, 40002, SERVER, 7000, b"hello\n", T0 + 2),
    ]


def lab_rows() -> list[dict[str, object]]:
    return [
        zeek_row(T0, CLIENT, 40000, SERVER, 8443, "ssl"),
        zeek_row(T0 + 1, CLIENT, 40001, SERVER, 8080, "http"),
        zeek_row(T0 + 2, CLIENT, 40002, SERVER, 7000),
    ]


def outcome(observed: list[Path], matrix: Path = MATRIX) -> list[tuple[str, str | None, str]]:
    data = load(matrix, observed=observed)
    assert data.verification is not None
    return [
        (i.code, i.flow_key, i.observed[0].label if i.observed else "")
        for i in data.verification.items
    ]


LAB_OUTCOME = [
    ("cleartext-observed", "1.2", "client → web TCP 8080"),
    ("undocumented-flow", None, "client → legacy-echo TCP 7000"),
    ("unobserved-flow", "1.3", ""),
]


# --- every format, detected by content --------------------------------------------------------


@pytest.mark.parametrize("form", ["pcap", "pcapng", "zeek-tsv", "zeek-json"])
def test_every_format_gives_the_same_comparison(tmp_path: Path, form: str) -> None:
    path = tmp_path / "observed.dat"  # the name says nothing: the content decides
    if form in ("pcap", "pcapng"):
        write_pcap(path, lab_packets(), ng=form == "pcapng")
    else:
        text = zeek_tsv(lab_rows()) if form == "zeek-tsv" else zeek_json(lab_rows())
        path.write_text(text)
    assert detect(path.read_bytes()[:65536], str(path)) == form
    assert outcome([path]) == LAB_OUTCOME
    (summary,) = read_observed([path]).inputs
    assert summary.format == form
    assert summary.records == (21 if form.startswith("pcap") else 3)


def test_the_pcap_reader_keeps_evidence_payload_and_direction(tmp_path: Path) -> None:
    pcap = write_pcap(tmp_path / "lab.pcap", lab_packets())
    collector = read_observed([pcap])
    convs = {c.port: c for c in collector.conversations.values()}
    assert sorted(convs) == [7000, 8080, 8443]
    web = convs[8080]
    assert (web.client, web.server, web.transport) == (CLIENT, SERVER, "TCP")
    assert web.connections == 1 and web.packets == 7 and web.inferred == 0
    assert web.payload == {"cleartext": 1}
    sample, where = web.samples["cleartext"]
    assert sample == "GET / HTTP/1.1"
    # the 4th packet of the second connection: 24-byte file header, then 7 + 3 records
    assert where.packet == 11
    assert where.offset == 24 + sum(16 + len(data) for _, data in lab_packets()[:10])
    assert convs[8443].payload == {"tls": 1}
    assert collector.tracker.table.entries == {}  # closed connections leave the table
    (summary,) = collector.inputs
    assert summary.sha256 and summary.size == pcap.stat().st_size
    assert summary.start == T0 and summary.end == pytest.approx(T0 + 2.006)


def test_connections_whose_handshake_is_missing_are_inferred_and_ipv6_and_udp_work(
    tmp_path: Path,
) -> None:
    v6c, v6s = "2001:db8::10", "2001:db8::130"
    packets = [
        # mid-stream: no SYN, the server answers from the lower port
        (T0, frame(SERVER, 8080, CLIENT, 50000, payload=b"HTTP/1.1 200 OK\r\n")),
        (T0 + 0.1, frame(CLIENT, 50000, SERVER, 8080, payload=b"GET /next HTTP/1.1\r\n")),
        # a SYN-ACK without its SYN still tells the direction
        (T0 + 1, frame(SERVER, 8443, CLIENT, 50001, flags=dpkt.tcp.TH_SYN | dpkt.tcp.TH_ACK)),
        *connection(v6c, 40000, v6s, 443, TLS_HELLO, T0 + 2),
        (T0 + 3, frame(CLIENT, 53000, SERVER, 53, payload=b"\x12\x34\x01\x00", udp=True)),
        (T0 + 3.1, frame(SERVER, 53, CLIENT, 53000, payload=b"\x12\x34\x81\x80", udp=True)),
    ]
    collector = read_observed([write_pcap(tmp_path / "mixed.pcap", packets)])
    found = {
        (c.client, c.server, c.transport, c.port): (c.connections, c.inferred, c.packets)
        for c in collector.conversations.values()
    }
    assert found == {
        (CLIENT, SERVER, "TCP", 8080): (1, 1, 2),
        (CLIENT, SERVER, "TCP", 8443): (1, 0, 1),
        (v6c, v6s, "TCP", 443): (1, 0, 7),
        (CLIENT, SERVER, "UDP", 53): (1, 0, 2),
    }


def test_non_ip_and_non_tcp_udp_packets_are_counted_not_compared(tmp_path: Path) -> None:
    arp = bytes(dpkt.ethernet.Ethernet(type=dpkt.ethernet.ETH_TYPE_ARP, data=b"\x00" * 28))
    icmp_ip = dpkt.ip.IP(src=b"\xc0\x00\x02\x0a", dst=b"\xc0\x00\x02\x82", p=1, data=b"\x08" * 8)
    icmp = bytes(dpkt.ethernet.Ethernet(type=dpkt.ethernet.ETH_TYPE_IP, data=icmp_ip))
    pcap = write_pcap(tmp_path / "noise.pcap", [(T0, arp), (T0, icmp), *lab_packets()])
    (summary,) = read_observed([pcap]).inputs
    assert summary.records == 23 and summary.compared == 21
    assert dict(summary.skipped) == {
        "not IP (ARP, LLDP, …)": 1,
        "not TCP or UDP (ICMP, a fragment, …)": 1,
    }


def test_the_connection_table_is_bounded() -> None:
    table: ConnectionTable[int, int] = ConnectionTable(limit=3)
    for i in range(10):
        table.put(i, i)
    assert list(table.entries) == [7, 8, 9] and table.evicted == 7


@pytest.mark.parametrize(
    ("head", "kind", "sample"),
    [
        (TLS_HELLO, "tls", "TLS record 0x16 0x03"),
        (b"SSH-2.0-OpenSSH_9.2p1 Debian\r\n", "ssh", "SSH-2.0-OpenSSH_9.2p1 Debian"),
        (HTTP_GET, "cleartext", "GET / HTTP/1.1"),
        (b"hello\n", "cleartext", "hello"),
        (b"\x00\x00\x00\x08\x04\xd2\x16\x2f", "opaque", ""),
        (b"ok", "opaque", ""),
    ],
)
def test_first_payload_bytes_are_classified(head: bytes, kind: str, sample: str) -> None:
    assert classify(head) == (kind, sample)


# --- the other contradictions and unknown endpoints -----------------------------------------


def test_tls_on_a_clear_flow_another_port_and_unknown_endpoints(tmp_path: Path) -> None:
    shutil.copy(LAB / "report.toml", tmp_path / "report.toml")
    text = MATRIX.read_text()
    clear_api = "| 1.1 | client | Clients | TCP | api | Servers | 8443 | |"
    text = text.replace("| 1.1 | client | Clients | HTTPS | api | Servers | 8443 | x |", clear_api)
    db = "| 1.3 | client | Clients | TCP | db | Servers | 5433 |"
    text = text.replace("| 1.3 | client | Clients | TCP | db | Servers | 5432 |", db)
    matrix = tmp_path / "matrix.md"
    matrix.write_text(text)
    packets = [
        *connection(CLIENT, 40000, SERVER, 8443, TLS_HELLO, T0),
        *connection(CLIENT, 40001, SERVER, 8080, b"\x00\x01binary", T0 + 1),
        *connection(CLIENT, 40002, SERVER, 5432, b"\x00\x00\x00\x08\x04\xd2\x16\x2f", T0 + 2),
        *connection("203.0.113.7", 40003, SERVER, 8443, TLS_HELLO, T0 + 3),
    ]
    data = load(matrix, observed=[write_pcap(tmp_path / "c.pcap", packets)])
    result = data.verification
    assert result is not None
    found = [(i.code, i.severity, i.flow_key, i.location) for i in result.items]
    path = data.matrix.source.path
    assert found == [
        ("port-differs", Level.HIGH, "1.3", Location(path, 26, db.index("5433") + 1)),
        ("encryption-observed", Level.INFO, "1.1", Location(path, 24, len(clear_api))),
        ("unknown-endpoint", Level.INFO, None, None),
    ]
    port, tls, unknown = result.items
    assert "documents port 5433" in port.message and "TCP 5432" in port.message
    assert "carried TLS" in tls.message
    assert unknown.message.startswith("203.0.113.7 is in no zone network")
    assert "api (server) TCP 8443" in unknown.message
    assert unknown.evidence is not None and unknown.evidence.packet == 22
    # binary first bytes on 1.2 (C marked) are no claim either way: no contradiction
    assert [k for k, _ in result.matched] == ["1.1", "1.2"]
    assert set(CODES) >= {i.code for i in result.items}


def test_flows_the_inventory_cannot_see_are_not_covered_not_unobserved(tmp_path: Path) -> None:
    shutil.copy(LAB / "report.toml", tmp_path / "report.toml")
    matrix = tmp_path / "matrix.md"
    matrix.write_text(
        MATRIX.read_text().replace("| db | Servers | 5432 |", "| nas | Storage | 2049 |")
    )
    data = load(matrix, observed=[write_pcap(tmp_path / "c.pcap", lab_packets())])
    assert data.verification is not None
    assert [i.code for i in data.verification.items] == ["cleartext-observed", "undocumented-flow"]
    assert data.verification.not_covered == (
        ("1.3", "the inventory has no address for Storage (zone)"),
    )


def test_a_flow_whose_component_is_not_inventoried_is_matched_by_its_zone(tmp_path: Path) -> None:
    """Where the inventory lacks a flow's component, the flow stands for its zone: traffic
    from or to any address of that zone on that port is the flow."""
    (tmp_path / "report.toml").write_text(
        (LAB / "report.toml").read_text().replace('name = "legacy-echo"', 'name = "echo"')
    )
    matrix = tmp_path / "matrix.md"
    matrix.write_text(
        MATRIX.read_text().replace("| db | Servers | 5432 |", "| legacy-echo | Servers | 7000 |")
    )
    data = load(matrix, observed=[write_pcap(tmp_path / "c.pcap", lab_packets())])
    assert data.verification is not None
    # 1.3 marks C, and 'hello' went in clear: a contradiction of its own
    assert [(i.code, i.flow_key) for i in data.verification.items] == [
        ("cleartext-observed", "1.2"),
        ("cleartext-observed", "1.3"),
    ]
    assert [k for k, _ in data.verification.matched] == ["1.1", "1.2", "1.3"]


# --- Zeek and Hubble --------------------------------------------------------------------------


def test_zeek_rows_that_are_not_tcp_or_udp_are_counted(tmp_path: Path) -> None:
    rows = [*lab_rows(), zeek_row(T0 + 3, CLIENT, 8, SERVER, 0, proto="icmp")]
    log = tmp_path / "conn.log"
    log.write_text(zeek_tsv(rows))
    (summary,) = read_observed([log]).inputs
    assert (summary.records, summary.compared, dict(summary.skipped)) == (
        4,
        3,
        {"not TCP or UDP (icmp)": 1},
    )
    assert summary.end == pytest.approx(T0 + 2.01)


K8S_TOML = """
[[zone]]
name = "Clients"
class = "tenant"

[[zone]]
name = "Servers"
class = "management"

[[component]]
name = "client"
labels = { app = "client" }
zone = "Clients"

[[component]]
name = "api"
labels = { app = "api", "io.kubernetes.pod.namespace" = "lab" }
zone = "Servers"

[[component]]
name = "web"
labels = { app = "web" }
zone = "Servers"

[[component]]
name = "db"
labels = { app = "db" }
zone = "Servers"

[[component]]
name = "legacy-echo"
labels = { app = "echo" }
zone = "Servers"
"""


def test_hubble_flows_are_named_by_kubernetes_labels(tmp_path: Path) -> None:
    (tmp_path / "report.toml").write_text(K8S_TOML)
    matrix = tmp_path / "matrix.md"
    shutil.copy(MATRIX, matrix)
    pods = {
        "client": ("10.244.1.10", {"app": "client"}),
        "api": ("10.244.2.20", {"app": "api"}),
        "web": ("10.244.2.21", {"app": "web"}),
        "echo": ("10.244.2.22", {"app": "echo"}),
    }

    def side(name: str, port: int) -> tuple[str, int, dict[str, str], str]:
        address, labels = pods[name]
        return (address, port, labels, "lab")

    t = "2026-01-01T00:00:0{}.123456789Z"
    lines = [
        hubble_flow(t.format(0), side("client", 41000), side("api", 8443), {"SYN": True}),
        hubble_flow(
            t.format(0), side("api", 8443), side("client", 41000), {"SYN": True, "ACK": True}, True
        ),
        hubble_flow(
            t.format(1),
            side("client", 41001),
            side("web", 8080),
            l7={"type": "REQUEST", "http": {"method": "GET", "url": "http://web/"}},
        ),
        hubble_flow(t.format(2), side("client", 41002), side("echo", 7000), {"SYN": True}),
        hubble_flow(t.format(3), side("client", 41003), side("web", 9999), verdict="DROPPED"),
        json.dumps({"node_status": {"state": "NODE_CONNECTED"}, "node_name": "kind-worker"}) + "\n",
    ]
    export = tmp_path / "hubble.json"
    export.write_text("".join(lines))
    assert detect(export.read_bytes(), "hubble.json") == "hubble"
    assert outcome([export], matrix) == LAB_OUTCOME
    (summary,) = read_observed([export]).inputs
    assert (summary.records, summary.compared) == (6, 4)
    assert dict(summary.skipped) == {
        "not a flow (node status, lost events, …)": 1,
        "verdict DROPPED (not delivered)": 1,
    }
    assert summary.start == pytest.approx(T0 + 0.123456789)


# --- errors with a location -------------------------------------------------------------------


def test_a_truncated_pcap_names_the_byte_offset(tmp_path: Path) -> None:
    whole = pcap_bytes(lab_packets())
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(whole[:-10])
    last = len(whole) - (16 + len(lab_packets()[-1][1]))
    with pytest.raises(ObservedError) as caught:
        read_observed([cut])
    assert caught.value.offset == last
    assert str(caught.value) == (
        f"{cut.as_posix()}: byte {last}: the capture is truncated: the record here needs "
        f"{16 + len(lab_packets()[-1][1])} bytes, the file ends after "
        f"{16 + len(lab_packets()[-1][1]) - 10}"
    )
    assert isinstance(caught.value, ReportgenError)
    header_only = tmp_path / "header.pcap"
    header_only.write_bytes(whole[:30])
    with pytest.raises(ObservedError, match=r"header\.pcap: byte 24: the capture is truncated"):
        read_observed([header_only])


def test_a_corrupt_pcapng_block_names_the_byte_offset(tmp_path: Path) -> None:
    good = tmp_path / "good.pcapng"
    write_pcap(good, lab_packets(), ng=True)
    data = bytearray(good.read_bytes())
    # the first packet block follows the section header and the interface description
    (shb_len,) = __import__("struct").unpack_from("<I", data, 4)
    (idb_len,) = __import__("struct").unpack_from("<I", data, shb_len + 4)
    first = shb_len + idb_len
    data[first + 4 : first + 8] = (7).to_bytes(4, "little")
    bad = tmp_path / "bad.pcapng"
    bad.write_bytes(bytes(data))
    with pytest.raises(ObservedError, match=rf"bad\.pcapng: byte {first}: corrupt pcapng block"):
        read_observed([bad])


def test_an_empty_conn_log_and_a_bad_hubble_line_name_their_line(tmp_path: Path) -> None:
    empty = tmp_path / "conn.log"
    empty.write_text("")
    with pytest.raises(ObservedError) as caught:
        read_observed([empty])
    assert str(caught.value).startswith(f"{empty.as_posix()}:1: the file is empty")
    export = tmp_path / "hubble.json"
    good = hubble_flow(
        "2026-01-01T00:00:00Z", ("10.0.0.1", 1, {}, "a"), ("10.0.0.2", 2, {}, "b"), {"SYN": True}
    )
    export.write_text(good + good + "level=info msg=reconnecting\n")
    with pytest.raises(ObservedError) as caught:
        read_observed([export])
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{export.as_posix()}:3: not JSON")
    header_only = tmp_path / "header.log"
    header_only.write_text("#separator \\x09\n#path\tconn\n")
    with pytest.raises(ObservedError, match=r"header\.log:1: no #fields header"):
        read_observed([header_only])
    wrong = tmp_path / "dns.log"
    wrong.write_text(zeek_tsv(lab_rows()).replace("#path\tconn", "#path\tdns"))
    with pytest.raises(ObservedError, match=r"dns\.log:5: this is a Zeek 'dns' log"):
        read_observed([wrong])
    short = tmp_path / "short.log"
    text = zeek_tsv(lab_rows())
    short.write_text(text.replace("\t-\n#close", "\n#close"))
    with pytest.raises(ObservedError, match=r"short\.log:11: 20 fields where the #fields"):
        read_observed([short])


def test_unknown_content_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("just some notes\n")
    with pytest.raises(ObservedError, match=r"notes\.txt: byte 0: not a pcap or pcapng capture"):
        read_observed([other])


def test_cli_exit_2_on_unreadable_input_and_build_keeps_earlier_outputs(tmp_path: Path) -> None:
    good = write_pcap(tmp_path / "lab.pcap", lab_packets())
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(good.read_bytes()[:-3])
    runner = CliRunner()
    result = runner.invoke(main, ["verify", str(MATRIX), "--observed", str(cut)])
    assert result.exit_code == 2
    assert "cut.pcap: byte " in result.stderr and "truncated" in result.stderr
    out = tmp_path / "out"
    built = runner.invoke(
        main,
        ["build", str(MATRIX), "--observed", str(good), "--out", str(out), "--formats",
         "json,markdown", "--quiet"],
    )  # fmt: skip
    assert built.exit_code == 0, built.output
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert out / "json" / "verify.json" in before
    again = runner.invoke(
        main,
        ["build", str(MATRIX), "--observed", str(cut), "--out", str(out), "--formats",
         "json,markdown", "--quiet"],
    )  # fmt: skip
    assert again.exit_code == 2
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    verify_json = json.loads((out / "json" / "verify.json").read_text())
    assert verify_json["summary"]["contradiction"] == 1
    assert verify_json["inputs"][0]["sha256"]
    missing = runner.invoke(main, ["verify", str(MATRIX), "--observed", str(tmp_path / "no")])
    assert missing.exit_code == 2


# --- the inventory's configuration ------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[[zone]]\nname = "A"\nclass = "tenant"\nnetworks = ["192.0.2.1/24"]',
            "zone[0].networks: '192.0.2.1/24' is not an address or CIDR network",
        ),
        (
            '[[component]]\nname = "x"\naddresses = ["300.0.0.1"]',
            "component[0].addresses: '300.0.0.1' is not an address",
        ),
        ('[[component]]\nname = "x"\naddress = ["192.0.2.1"]', "component[0].address: unknown key"),
        (
            '[[component]]\nname = "x"\naddresses = ["192.0.2.1"]\nports = [0]',
            "component[0].ports: must be a list of port numbers",
        ),
        (
            '[[component]]\nname = "x"\naddresses = ["192.0.2.1"]\nzone = "Nowhere"',
            "component[0].zone: 'Nowhere' is not a [[zone]] name",
        ),
        (
            '[[component]]\nname = "x"\nlabels = { app = 1 }',
            "component[0].labels: must be a table of strings",
        ),
        (
            '[[component]]\nname = "x"\naddresses = ["192.0.2.1"]\n'
            '[[component]]\nname = "X"\naddresses = ["192.0.2.2"]',
            "component[1].name: 'X' is already a [[component]]",
        ),
    ],
)
def test_a_bad_inventory_names_the_key(toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(toml, "report.toml")
    assert str(caught.value).startswith(f"report.toml: {message}")


def test_components_sharing_an_address_are_told_apart_by_port() -> None:
    from reportgen.verify.inventory import Inventory

    config = parse_config((LAB / "report.toml").read_text())
    inventory = Inventory(config)
    assert inventory.resolve(SERVER, 8080).names == ("web",)
    assert inventory.resolve(SERVER, 7000).names == ("legacy-echo",)
    assert inventory.resolve(SERVER, 9999).names == ()
    assert inventory.resolve(SERVER, 9999).zone == "Servers"
    assert inventory.resolve(SERVER, None).names == ("api", "web", "legacy-echo", "db")
    assert inventory.resolve(CLIENT, None).label == "client"
    assert not inventory.resolve("198.51.100.1", 80).known


# --- the decoder's shortcut agrees with dpkt --------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from reportgen.verify.pcap import decode, decode_dpkt  # noqa: E402


@st.composite
def ipv4_frames(draw: st.DrawFn) -> bytes:
    """Ethernet frames of IPv4 TCP or UDP, with IP and TCP options, fragments, padding and
    cut-off ends: what the shortcut reads itself and what it must hand to dpkt."""
    udp = draw(st.booleans())
    payload = draw(st.binary(max_size=80))
    sport, dport = draw(st.integers(0, 65535)), draw(st.integers(0, 65535))
    if udp:
        segment = bytes(dpkt.udp.UDP(sport=sport, dport=dport, data=payload, ulen=8 + len(payload)))
    else:
        options = draw(st.sampled_from([b"", b"\x01\x01\x01\x01", b"\x02\x04\x05\xb4" * 2]))
        tcp = dpkt.tcp.TCP(sport=sport, dport=dport, flags=draw(st.integers(0, 255)), data=payload)
        tcp.opts = options
        tcp.off = (20 + len(options)) // 4
        segment = bytes(tcp)
    ip = dpkt.ip.IP(
        src=draw(st.binary(min_size=4, max_size=4)),
        dst=draw(st.binary(min_size=4, max_size=4)),
        p=dpkt.ip.IP_PROTO_UDP if udp else dpkt.ip.IP_PROTO_TCP,
        data=segment,
    )
    ip.opts = draw(st.sampled_from([b"", b"\x01\x01\x01\x00"]))
    ip.hl = (20 + len(ip.opts)) // 4
    ip.df = draw(st.booleans())
    ip.mf = draw(st.sampled_from([0, 0, 0, 1]))
    ip.offset = draw(st.sampled_from([0, 0, 0, 5 * 8]))
    ip.len = len(bytes(ip))
    frame = bytes(dpkt.ethernet.Ethernet(src=b"\x02" * 6, dst=b"\x04" * 6, data=ip))
    frame += draw(st.sampled_from([b"", b"\x00" * 6]))  # Ethernet padding past the IP packet
    cut = draw(st.integers(0, 3))
    return frame if cut == 0 else frame[: draw(st.integers(0, len(frame)))]


@settings(max_examples=400, deadline=None)
@given(ipv4_frames())
def test_the_decoder_shortcut_agrees_with_dpkt(frame: bytes) -> None:
    fast, slow = decode(1, frame), decode_dpkt(1, frame)
    if isinstance(fast, tuple) or isinstance(slow, tuple):
        assert fast == slow


def test_severity_follows_the_projects_scheme_exposure_and_protection_need() -> None:
    from reportgen.verify import severity

    lab = parse_config((LAB / "report.toml").read_text())
    plain = parse_config(
        (LAB / "report.toml").read_text().replace('protection_need = "high"\n', "")
    )
    assert severity(lab, "Clients", "Servers") is Level.HIGH  # boundary x high
    assert severity(plain, "Clients", "Servers") is Level.MEDIUM  # boundary x normal
    assert severity(plain, "Servers", "Servers") is Level.LOW  # internal x normal
    assert severity(lab, "Servers", "Servers") is Level.MEDIUM  # internal x high
    assert severity(plain, None, "Servers") is Level.HIGH  # no zone: unknown_zone_class
    needy = parse_config(
        (LAB / "report.toml")
        .read_text()
        .replace('name = "db"', 'name = "db"\nprotection_need = "very-high"')
    )
    assert severity(needy, "Servers", "Servers", ["db"]) is Level.HIGH  # internal x very high


def test_a_component_without_addresses_is_not_looked_for_in_traffic() -> None:
    from reportgen.verify.inventory import Inventory

    text = (
        LAB / "report.toml"
    ).read_text() + '\n[[component]]\nname = "cache"\ndatastore = "key-value"\n'
    inventory = Inventory(parse_config(text))
    assert inventory.component("cache") is None
    assert inventory.side("cache", "Servers") == ("zone", "Servers")
    assert inventory.side("db", "Servers") == ("component", "db")
