from __future__ import annotations

import hashlib

import reportgen.parse as parse_module
from reportgen.config import Config
from reportgen.model import Flag, Location, Matrix, PortRange, PortSpec, Protocol, Severity
from reportgen.parse import header_key, parse, section_slug, split_row
from reportgen.validate import validate

from .conftest import FIXTURES, SOURCE_MAIN, parse_file

PATH = "source/communication-matrix.md"


def test_real_source_sections_flows_and_technologies(matrix: Matrix) -> None:
    counts = {s.slug: (len(s.flows), len(s.technologies)) for s in matrix.sections}
    assert counts == {
        "plain": (52, 9),
        "sonic": (9, 9),
        "gardener": (13, 1),
        "cluster-api": (3, 1),
        "lightbits": (6, 1),
    }
    assert len(list(matrix.flows)) == 83
    assert len(list(matrix.technologies)) == 21
    assert [s.title for s in matrix.sections] == [
        "Plain metal-stack",
        "With SONiC",
        "With Gardener",
        "With Cluster API",
        "With Lightbits",
    ]
    assert matrix.title == "Communication Matrix"
    assert dict(matrix.front_matter) == {
        "slug": "/communication-matrix",
        "title": "Communication Matrix",
    }
    assert matrix.problems == ()


def test_legend_is_read_with_locations(matrix: Matrix) -> None:
    assert [(e.key, e.location.line, e.location.column) for e in matrix.legend] == [
        ("C", 12, 4),
        ("I", 13, 4),
        ("Auth", 14, 4),
        ("Trust", 15, 4),
    ]
    assert (matrix.legend_meaning("Auth") or "").startswith("Authentication")


def test_flow_records_are_normalized(matrix: Matrix) -> None:
    flows = {f.key: f for f in matrix.flows}
    first = flows["1.1"]
    assert first.location == Location(PATH, 27, 3)
    assert first.component == "metalctl"
    assert first.protocol == Protocol("HTTPS", ("HTTPS",))
    assert first.ports == PortSpec("443", (PortRange(443, 443),))
    assert first.flags == (
        ("confidentiality", Flag.YES),
        ("integrity", Flag.YES),
        ("authentication", Flag.YES),
        ("trusted", Flag.NO),
    )
    dhcp = flows["S2.1"]
    assert dhcp.protocol.parts == ("TCP", "UDP")
    assert dhcp.ports is not None and [str(r) for r in dhcp.ports.ranges] == ["67", "68"]
    assert dhcp.source_zone.text == "Leaf Switches" and dhcp.source_zone.canonical == "Switches"
    assert flows["12.5"].destination_zone.text == "internet"
    assert flows["12.5"].destination_zone.canonical == "Internet"
    assert flows["2.8"].confidentiality is Flag.UNKNOWN
    assert flows["2.8"].optional is True and flows["2.1"].optional is False


def test_duplicate_ids_get_distinct_keys(matrix: Matrix) -> None:
    dupes = [f for f in matrix.flows if f.id == "10.2"]
    assert [(f.key, f.destination, f.location.line) for f in dupes] == [
        ("10.2", "nsq", 60),
        ("10.2~2", "machine BMC", 61),
    ]
    keys = [f.key for f in matrix.flows]
    assert len(keys) == len(set(keys))


def test_every_cell_has_its_own_column(matrix: Matrix) -> None:
    flow = next(f for f in matrix.flows if f.key == "3.3")
    port = flow.cell("port")
    assert port is not None and port.text == "8080"
    assert port.location == Location(PATH, 41, 117)
    line = (SOURCE_MAIN.parent / "communication-matrix.md").read_text().splitlines()[40]
    assert line[116:120] == "8080"
    for flow in matrix.flows:
        text = (SOURCE_MAIN.parent / "communication-matrix.md").read_text().splitlines()
        for cell in flow.cells:
            row = text[cell.location.line - 1]
            if cell.text:
                start = cell.location.column - 1
                assert row[start : start + len(cell.text)] == cell.text


def test_both_shipped_versions_differ_only_in_the_technology_link(
    matrix: Matrix, config: Config
) -> None:
    other = parse_file(SOURCE_MAIN, config)
    assert [(f.key, f.flags, f.ports, f.location.line) for f in matrix.flows] == [
        (f.key, f.flags, f.ports, f.location.line) for f in other.flows
    ]
    old = [(t.name, t.parties, t.notes) for t in matrix.technologies]
    new = [(t.name, t.parties, t.notes) for t in other.technologies]
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert len(changed) == 1
    (before, after) = changed[0]
    assert before[0] == after[0] == "VPN"
    assert "MEP9/README.md" in before[2] and "MEP-9-no-open-ports" in after[2]


def test_mkdocs_era_shape(config: Config) -> None:
    m = parse_file(FIXTURES / "mkdocs-era.md", config)
    assert m.front_matter == ()
    assert [(s.slug, len(s.flows), len(s.technologies)) for s in m.sections] == [
        ("plain", 4, 0),
        ("gardener", 2, 0),
    ]
    flows = list(m.flows)
    assert [f.key for f in flows] == ["1.1", "plain-row2", "1.1~2", "1.4", "G1.1", "G1.2"]
    assert flows[0].component == "metalctl"  # centre-padded cells are trimmed
    assert flows[0].location.column == 4
    assert flows[1].source_zone.canonical == "Metal Control Plane"  # an older zone name
    assert flows[3].optional
    # the Gardener table stands inside an indented `!!! note` body
    assert flows[4].location.line == 31 and flows[4].location.column == 7
    assert "older release" in m.disclaimer


def test_reordered_and_extra_columns(config: Config) -> None:
    m = parse_file(FIXTURES / "reordered.md", config)
    assert m.source.version == "v9.9.9"
    a, b = m.sections[0].flows
    assert (a.id, a.component, a.destination, a.protocol.parts) == (
        "L1.1",
        "lb-csi-node",
        "duros-api",
        ("NVME", "TCP"),
    )
    assert (a.confidentiality, a.integrity, a.authentication, a.trusted) == (
        Flag.YES,
        Flag.YES,
        Flag.YES,
        Flag.NO,
    )
    assert a.extra == (("Owner", "storage team"),)
    assert a.destination_zone.canonical == "Lightbits Cluster"
    assert b.ports is not None and b.ports.ranges == (PortRange(30000, 32767),)


def test_missing_column_is_a_problem_naming_it(config: Config) -> None:
    m = parse_file(FIXTURES / "missing-column.md", config)
    assert [p.code for p in m.problems] == ["missing-column"]
    assert "Trust" in m.problems[0].message
    assert m.problems[0].location.line == 12


def test_split_row_handles_escapes_and_missing_outer_pipes() -> None:
    assert split_row("| a | b \\| c |  |") == [("a", 3), ("b | c", 7), ("", 16)]
    assert split_row("a | b") == [("a", 1), ("b", 5)]


def test_header_key_and_slugs() -> None:
    assert header_key(" No. ") == "no"
    assert header_key("Destination  Zone.") == "destination zone"
    assert header_key("**Auth**") == "auth"
    assert section_slug("Plain metal-stack", "metal-stack") == "plain"
    assert section_slug("With Cluster API", "metal-stack") == "cluster-api"
    assert section_slug("With SONiC", "metal-stack") == "sonic"
    assert section_slug("metal-stack", "metal-stack") == "metal-stack"


# --- front matter, containers, the push filter, text input ---------------------------------

MINIMAL_TABLE = (
    "## Plain\n\n"
    "| No. | Component | Source Zone | Protocol | Destination | Destination Zone | Port "
    "| C | I | Auth | Trust |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
    "| 1.1 | a | Internet | HTTPS | b | Internet | 443 | x | x | x | |\n"
)


def test_broken_front_matter_is_a_diagnostic_at_its_line_and_column(config: Config) -> None:
    text = "---\ntitle: Matrix\nversion: [v1\nslug: x\n---\n\n# Matrix\n\n" + MINIMAL_TABLE
    m = parse(text, "fm.md", config)
    assert m.front_matter == ()
    [problem] = [p for p in m.problems if p.code == "front-matter-unreadable"]
    assert problem.severity is Severity.WARNING
    # PyYAML notices the unclosed flow sequence where the next key starts: line 4, column 5
    assert (problem.location.path, problem.location.line, problem.location.column) == (
        "fm.md",
        4,
        5,
    )
    assert "not valid YAML" in problem.message
    assert [f.key for f in m.flows] == ["1.1"]  # the rest of the page is still read
    codes = [d.code for d in validate(m, config).diagnostics]
    assert "front-matter-unreadable" in codes


def test_front_matter_that_is_not_a_mapping_is_reported(config: Config) -> None:
    m = parse("---\n- a\n- b\n---\n\n" + MINIMAL_TABLE, "list.md", config)
    [problem] = [p for p in m.problems if p.code == "front-matter-unreadable"]
    assert problem.location == Location("list.md", 2, 1)
    assert "YAML list" in problem.message


def test_empty_front_matter_is_no_problem(config: Config) -> None:
    m = parse("---\n---\n\n" + MINIMAL_TABLE, "empty.md", config)
    assert m.problems == ()


def test_text_inside_nested_containers_is_neither_intro_nor_disclaimer(config: Config) -> None:
    text = (
        "# T\n\nDisclaimer.\n\n:::info\nInside info.\n\n!!! note\n    Inside both.\n\n:::\n\n"
        "After.\n\n"
        + MINIMAL_TABLE.replace("## Plain\n\n", "## Plain\n\nIntro.\n\n:::tip\nTip.\n:::\n\n")
    )
    m = parse(text, "c.md", config)
    assert m.disclaimer == "Disclaimer.\n\nAfter."
    assert m.sections[0].intro == "Intro."


def test_parse_accepts_text_and_hashes_its_utf8_bytes(config: Config) -> None:
    text = "# Straße\n\n" + MINIMAL_TABLE
    from_text = parse(text, "s.md", config)
    from_bytes = parse(text.encode("utf-8"), "s.md", config)
    assert from_text == from_bytes
    assert from_text.source.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert parse("\ud800", "bad.md", config).problems[0].code == "not-utf8"


def test_pushing_only_pins_markdown_its_push() -> None:
    """What ``parse.pushing_only`` relies on in markdown-it: its table rule pushes through
    the instance's ``state.push``, the kept tokens (types and line maps) are exactly those
    the stock rule makes, and deleting the instance attribute restores ``StateBlock.push``."""
    from markdown_it import MarkdownIt
    from markdown_it.rules_block.state_block import StateBlock
    from markdown_it.rules_block.table import table

    source = MINIMAL_TABLE + "| 1.2 | c | Internet | SSH | d | Internet | 22 | x | | x | |\n"
    stock = [
        (t.type, t.map)
        for t in MarkdownIt("commonmark").enable("table").parse(source)
        if t.type in parse_module._TABLE_KEPT
    ]
    assert [ttype for ttype, _ in stock] == [
        "table_open",
        "tr_open",
        "tr_close",
        "tr_open",
        "tr_close",
        "tr_open",
        "tr_close",
        "table_close",
    ]

    full = [t.type for t in MarkdownIt("commonmark").enable("table").parse(source)]
    assert {"th_open", "td_open", "inline"} <= set(full)  # what the filter has to drop

    state = StateBlock(source, MarkdownIt("commonmark").enable("table"), {}, [])
    first = source[: source.index("| No.")].count("\n")
    rule = lambda: table(state, first, state.lineMax, False)  # noqa: E731
    assert parse_module.pushing_only(state, parse_module._TABLE_KEPT, rule)
    assert [(t.type, t.map) for t in state.tokens] == stock  # only these were kept
    assert "push" not in vars(state)  # the class's method is back
    assert state.push.__func__ is StateBlock.push  # type: ignore[attr-defined]

    own = state.push  # an instance attribute the state already had is put back
    state.push = own  # type: ignore[method-assign]
    parse_module.pushing_only(state, frozenset(), lambda: False)
    assert vars(state)["push"] is own
    # the parser's own table rule gives the same rows
    lean = [(t.type, t.map) for t in parse_module._markdown().parse(source)]
    assert [item for item in lean if item[0] in parse_module._TABLE_KEPT] == stock
