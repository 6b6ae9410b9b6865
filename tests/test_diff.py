"""The matrix-aware diff: matching, field changes, regressions, renderers and the CLI."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.build import load
from reportgen.bundle import ReportData
from reportgen.cli import main
from reportgen.config import Config, load_config
from reportgen.diff import Change, MatrixDiff, RegressionCode, diff, is_data_store
from reportgen.model import Finding, Level, PortSpec, Protocol
from reportgen.render.diff_formats import render, summary, to_dict

from .conftest import ROOT, SOURCE, SOURCE_MAIN

DIFF = ROOT / "tests" / "fixtures" / "diff"
CONFIG = ROOT / "source" / "report.toml"
FIXTURES = (
    "renumbered",
    "section-removed",
    "flag-lost",
    "port-moved",
    "duplicate-new",
    "internet-flow",
)


@cache
def data(path: Path, config: Config | None = None) -> ReportData:
    rel = path.relative_to(ROOT)
    cwd = Path.cwd()
    # load() shows paths relative to the working folder: pin it so snapshots are stable
    os.chdir(ROOT)
    try:
        return load(rel, config=config or load_config(CONFIG))
    finally:
        os.chdir(cwd)


def very_high(zone: str) -> Config:
    """The shipped config with one zone's protection need declared very high."""
    config = load_config(CONFIG)
    zones = tuple(
        replace(z, protection_need="very-high") if z.name == zone else z for z in config.zones
    )
    return replace(config, zones=zones)


def against(name: str) -> MatrixDiff:
    return diff(data(SOURCE), data(DIFF / f"{name}.md"))


def codes(d: MatrixDiff) -> list[tuple[str, str]]:
    return [(r.code.value, r.subject) for r in d.regressions]


# --- the shipped versions ------------------------------------------------------------------


def test_shipped_versions_differ_by_one_technology_link() -> None:
    d = diff(data(SOURCE), data(SOURCE_MAIN))
    assert d.flows == () and d.sections == () and d.regressions == ()
    assert len(d.technologies) == 1
    tech = d.technologies[0]
    assert (tech.change, tech.section, tech.name) == (Change.CHANGED, "sonic", "VPN")
    assert [c.field for c in tech.fields] == ["notes"]
    assert "../../../contributing/01-Proposals/MEP9/README.md" in tech.fields[0].old
    assert "/community/MEP-9-no-open-ports-to-the-data-center" in tech.fields[0].new
    loc = tech.fields[0].location
    assert (loc.path, loc.line) == ("source/communication-matrix.main-36d217a.md", 119)


def test_shipped_versions_text(snapshot: object) -> None:
    assert render(diff(data(SOURCE), data(SOURCE_MAIN)), "text") == snapshot


def test_a_matrix_against_itself_is_empty() -> None:
    d = diff(data(SOURCE), data(SOURCE))
    assert d.empty and not d.has_regressions
    assert render(d, "text") == "" and render(d, "github") == ""
    assert "No change." in render(d, "md")


# --- fixtures ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_text(name: str, snapshot: object) -> None:
    d = against(name)
    assert render(d, "text") + summary(d) + "\n" == snapshot


def test_renumbering_is_reported_not_as_field_changes() -> None:
    d = against("renumbered")
    added = [f for f in d.flows if f.change is Change.ADDED]
    assert [(f.key, f.destination) for f in added] == [("2.3", "metal-db-backup")]
    renumbered = {f.old_key: f.key for f in d.flows if f.renumbered}
    assert renumbered == {
        **{f"2.{n}": f"2.{n + 1}" for n in range(3, 10)},
        "10.2~2": "10.3",
        "S1.2": "S1.3",
    }
    assert all(f.fields == () for f in d.flows if f.renumbered)
    assert not any(f.change is Change.REMOVED for f in d.flows)
    # S1.2 had a High finding in OLD; under its new id S1.3 it is not a new one
    assert d.regressions == ()


def test_removed_section_lists_its_flows_at_old_locations() -> None:
    d = against("section-removed")
    assert [(s.change, s.slug, s.flows) for s in d.sections] == [(Change.REMOVED, "lightbits", 6)]
    removed = [f for f in d.flows if f.change is Change.REMOVED]
    assert [f.key for f in removed] == ["L1.1", "L1.2", "L2.1", "L2.2", "L3.1", "L3.2"]
    assert {f.location.path for f in removed} == {"source/communication-matrix.md"}
    assert removed[0].location.line == 185
    techs = [(t.change, t.section, t.name) for t in d.technologies]
    assert techs == [(Change.REMOVED, "sonic", "ICMP"), (Change.REMOVED, "lightbits", "Lightbits")]
    # and the other way round it is an added section
    back = diff(data(DIFF / "section-removed.md"), data(SOURCE))
    assert [(s.change, s.slug) for s in back.sections] == [(Change.ADDED, "lightbits")]


def test_flags_lost_and_trust_without_c() -> None:
    d = against("flag-lost")
    assert codes(d) == [
        ("flag-lost", "1.1"),
        ("flag-lost", "2.1"),
        ("flag-lost", "2.4"),
        ("trust-without-c", "11.1"),
    ]
    by_key = {f.key: f for f in d.flows}
    assert [(c.field, c.old, c.new) for c in by_key["1.1"].fields] == [("authentication", "x", "?")]
    assert [(c.field, c.old, c.new) for c in by_key["2.4"].fields] == [("confidentiality", "x", "")]
    lost = next(r for r in d.regressions if r.subject == "2.4")
    assert (lost.location.path, lost.location.line) == ("tests/fixtures/diff/flag-lost.md", 33)
    # Auth lost on a data store inside one zone is Low at normal protection need, High at very
    # high: only then is it a new High finding
    config = very_high("Metal Control Plane")
    d = diff(data(SOURCE, config), data(DIFF / "flag-lost.md", config))
    assert ("new-high-finding", "2.1") in codes(d)
    high = next(r for r in d.regressions if r.code is RegressionCode.NEW_HIGH_FINDING)
    assert high.finding == "DATASTORE-NOAUTH:2.1"


def test_port_change_is_a_regression_only_on_a_data_store() -> None:
    d = against("port-moved")
    assert [(f.key, [(c.field, c.old, c.new) for c in f.fields]) for f in d.flows] == [
        ("4.1", [("ports", "5432", "5433")]),
        ("16.2", [("ports", "9080", "9081")]),
    ]
    assert codes(d) == [("data-store-port", "4.1")]


def test_duplicate_ids_on_the_new_side() -> None:
    d = against("duplicate-new")
    assert [(f.old_key, f.key, f.renumbered) for f in d.flows] == [("G2.3", "G2.2~2", True)]
    assert d.regressions == ()


def test_duplicate_ids_on_both_sides_match_by_position() -> None:
    # the shipped source has 10.2 twice; against itself neither repeat is reported
    d = diff(data(SOURCE), data(DIFF / "port-moved.md"))
    assert not any(f.key.startswith("10.2") for f in d.flows)


def test_new_internet_flow_and_technology() -> None:
    d = against("internet-flow")
    assert [(f.change, f.key) for f in d.flows] == [(Change.ADDED, "1.4")]
    assert [(t.change, t.name) for t in d.technologies] == [(Change.ADDED, "WireGuard")]
    assert codes(d) == [("untrusted-flow", "1.4")]
    assert "Internet" in d.regressions[0].message


def with_flow(d: ReportData, key: str, **changes: object) -> ReportData:
    """``d`` with one flow's attributes replaced."""
    sections = tuple(
        replace(s, flows=tuple(replace(f, **changes) if f.key == key else f for f in s.flows))  # type: ignore[arg-type]
        for s in d.matrix.sections
    )
    return replace(d, matrix=replace(d.matrix, sections=sections))


def test_zone_spelling_protocol_case_and_port_notation_are_not_changes() -> None:
    old = data(SOURCE)
    flows = {f.key: f for f in old.matrix.flows}
    zone = flows["12.5"].destination_zone
    assert (zone.text, zone.canonical) == ("internet", "Internet")
    same = with_flow(old, "12.5", destination_zone=replace(zone, text="Internet"))
    same = with_flow(same, "14.1", ports=PortSpec.parse("67, 68"))
    same = with_flow(same, "1.1", protocol=Protocol.parse("https"))
    assert diff(old, same).empty
    moved = with_flow(old, "12.5", destination_zone=replace(zone, canonical="unknown"))
    [change] = diff(old, moved).flows
    assert [(c.field, c.old, c.new) for c in change.fields] == [
        ("destination_zone", "Internet", "unknown")
    ]


def test_high_finding_on_a_renumbered_flow_is_not_new() -> None:
    config = very_high("Switches")
    old, new = data(SOURCE, config), data(DIFF / "renumbered.md", config)
    assert any(f.id.endswith(":S1.2") and f.severity is Level.HIGH for f in old.assessment.findings)
    assert any(f.id.endswith(":S1.3") and f.severity is Level.HIGH for f in new.assessment.findings)
    assert diff(old, new).regressions == ()


def test_a_finding_that_becomes_high_is_a_regression() -> None:
    old, new = data(SOURCE), data(SOURCE_MAIN)
    flow = next(f for f in new.matrix.flows if f.key == "2.4")
    extra = Finding(
        id="TEST-RULE:2.4",
        rule="TEST-RULE",
        title="made up for the test",
        severity=Level.HIGH,
        flow_key="2.4",
        flow_id="2.4",
        section="plain",
        evidence="",
        controls=(),
        recommendation="",
        location=flow.location,
    )
    medium = replace(extra, severity=Level.MEDIUM)
    old2 = replace(old, assessment=replace(old.assessment, findings=(medium,)))
    new2 = replace(new, assessment=replace(new.assessment, findings=(extra,)))
    d = diff(old2, new2)
    assert [(r.code, r.finding) for r in d.regressions] == [
        (RegressionCode.NEW_HIGH_FINDING, "TEST-RULE:2.4")
    ]
    high_before = replace(old.assessment, findings=(extra,))
    assert diff(replace(old, assessment=high_before), new2).regressions == ()


def test_data_store_detection() -> None:
    flows = {f.key: f for f in data(SOURCE).matrix.flows}
    assert is_data_store(flows["2.1"])  # 28015 RethinkDB
    assert not is_data_store(flows["2.2"])  # purpose "Postgres", but an API on 8443
    assert is_data_store(flows["6.5"])  # etcd peer port 2380
    assert not is_data_store(flows["16.2"])
    assert not is_data_store(flows["1.1"])


# --- renderers ----------------------------------------------------------------------------


def test_json_structure() -> None:
    doc = json.loads(render(against("flag-lost"), "json"))
    assert doc["format"] == 1
    assert doc["old"]["path"] == "source/communication-matrix.md"
    assert doc["new"]["path"] == "tests/fixtures/diff/flag-lost.md"
    assert doc["summary"]["changed"]["flows"] == 4 and doc["summary"]["regressions"] == 4
    flow = next(f for f in doc["flows"] if f["key"] == "2.4")
    assert flow["change"] == "changed" and flow["renumbered"] is False
    assert flow["fields"] == [
        {
            "field": "confidentiality",
            "title": "C",
            "old": "x",
            "new": "",
            "location": {"path": "tests/fixtures/diff/flag-lost.md", "line": 33, "column": 125},
        }
    ]
    assert {r["code"] for r in doc["regressions"]} == {"flag-lost", "trust-without-c"}
    assert doc == to_dict(against("flag-lost"))


def test_json_renumbering() -> None:
    doc = json.loads(render(against("renumbered"), "json"))
    bmc = next(f for f in doc["flows"] if f["key"] == "10.3")
    assert (bmc["old_key"], bmc["old_id"], bmc["id"], bmc["renumbered"]) == (
        "10.2~2",
        "10.2",
        "10.3",
        True,
    )
    added = next(f for f in doc["flows"] if f["change"] == "added")
    assert added["old_key"] is None and added["old_id"] is None


def test_github_annotations() -> None:
    lines = render(against("port-moved"), "github").splitlines()
    assert lines == [
        "::notice file=tests/fixtures/diff/port-moved.md,line=46,col=118,title=flow changed::"
        '4.1 [plain] masterdata-api -> masterdata-db: Port "5432" -> "5433"',
        "::notice file=tests/fixtures/diff/port-moved.md,line=76,col=118,title=flow changed::"
        '16.2 [plain] prometheus -> metal-metrics-exporter: Port "9080" -> "9081"',
        "::error file=tests/fixtures/diff/port-moved.md,line=46,col=118,title=regression::"
        "data-store-port: port of data store flow 4.1 (masterdata-api -> masterdata-db) "
        "changed from 5432 to 5433",
    ]


def test_markdown(snapshot: object) -> None:
    md = render(against("flag-lost"), "md")
    assert "## Security regressions" in md
    assert md == snapshot


def test_markdown_escapes_untrusted_text() -> None:
    from markdown_it import MarkdownIt

    d = diff(data(SOURCE), data(SOURCE_MAIN))
    tech = d.technologies[0]
    field = replace(tech.fields[0], new="a | b ` <script>alert(1)</script>")
    evil = replace(d, technologies=(replace(tech, fields=(field,)),))
    html = MarkdownIt("commonmark").enable("table").render(render(evil, "md"))
    assert "<script>" not in html
    # the pipe stayed inside its cell: the technologies table has one row of five cells
    technologies = html.split("<table>")[-1]
    assert technologies.count("</td>") == 5
    assert "a | b" in technologies


def test_text_quotes_control_characters() -> None:
    d = diff(data(SOURCE), data(SOURCE_MAIN))
    tech = d.technologies[0]
    field = replace(tech.fields[0], new="line\nbreak\x1b[31m")
    evil = replace(d, technologies=(replace(tech, fields=(field,)),))
    text = render(evil, "text")
    assert text.count("\n") == 1 and "\x1b" not in text


# --- CLI -----------------------------------------------------------------------------------


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_shipped_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = invoke(
        "diff", "source/communication-matrix.md", "source/communication-matrix.main-36d217a.md"
    )
    assert code == 0
    assert out.startswith("source/communication-matrix.main-36d217a.md:119:46: technology changed")
    assert len(out.splitlines()) == 1
    assert "0 regressions" in err


def test_cli_fail_on_regression(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args = ["diff", "source/communication-matrix.md", "tests/fixtures/diff/port-moved.md"]
    args += ["--config", "source/report.toml"]
    assert invoke(*args)[0] == 0
    code, out, _ = invoke(*args, "--fail-on", "regression", "--format", "github")
    assert code == 1
    assert out.splitlines()[-1].startswith("::error file=tests/fixtures/diff/port-moved.md")
    # no regression: the gate passes
    ok = ["diff", "source/communication-matrix.md", "tests/fixtures/diff/renumbered.md"]
    assert invoke(*ok, "--config", "source/report.toml", "--fail-on", "regression")[0] == 0


def test_cli_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    base = ["diff", "source/communication-matrix.md", "tests/fixtures/diff/internet-flow.md"]
    base += ["--config", "source/report.toml"]
    code, out, _ = invoke(*base, "--format", "json")
    assert code == 0 and json.loads(out)["summary"]["regressions"] == 1
    code, out, _ = invoke(*base, "--format", "md")
    assert code == 0 and out.startswith("# Changes in the communication matrix")


def test_cli_unreadable_input(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = invoke("diff", "source/communication-matrix.md", str(tmp_path / "missing.md"))
    assert code == 2 and out == ""
    assert "missing.md: cannot read the source" in err
    broken = tmp_path / "report.toml"
    broken.write_text("[nope]\n")
    code, _, err = invoke(
        "diff",
        "source/communication-matrix.md",
        "source/communication-matrix.md",
        "--config",
        str(broken),
    )
    assert code == 2 and "nope" in err


def test_cli_usage_errors() -> None:
    assert invoke("diff", "source/communication-matrix.md")[0] == 2
    assert invoke("diff", "a.md", "b.md", "--format", "pdf")[0] == 2


def test_cli_help_has_examples() -> None:
    code, out, _ = invoke("diff", "--help")
    assert code == 0 and "Examples:" in out and "--fail-on regression" in out
