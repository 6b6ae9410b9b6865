"""Findings and statistics on the metal-stack v0.21.11 matrix and on small hand-made tables."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from reportgen.assess import RULES, assess, load_catalogue, rules_markdown
from reportgen.assess.catalogue import FRAMEWORKS
from reportgen.assess.docs import RULES_END, RULES_START
from reportgen.config import Config, load_config, parse_config
from reportgen.model import (
    FLAG_FIELDS,
    Assessment,
    Diagnostic,
    Flag,
    Level,
    Location,
    Matrix,
    Report,
    Severity,
)
from reportgen.parse import parse
from reportgen.validate import validate

from .conftest import ROOT

CONFIG = ROOT / "source" / "report.toml"
EMPTY = Report(diagnostics=())


@pytest.fixture(scope="module")
def assessment(matrix: Matrix, config: Config) -> Assessment:
    return assess(matrix, config, validate(matrix, config))


def levels(a: Assessment) -> dict[str, Level]:
    return {f.id: f.severity for f in a.findings}


PINNED: dict[str, Level] = {
    "AUTH-OUTBOUND:1.3": Level.MEDIUM,  # Internet -> GitHub, no Auth (updater)
    "MGMT-EXPOSED:1.1": Level.MEDIUM,
    "DATASTORE-CLEAR:2.1": Level.MEDIUM,  # RethinkDB with Auth, without C
    "DATASTORE-CLEAR:2.6": Level.MEDIUM,  # TimescaleDB with Auth, without C
    "PROTO-CLEAR-LOCAL:14.1": Level.INFO,  # DHCP in clear
    "PROTO-CLEAR-LOCAL:14.2": Level.INFO,  # DNS in clear
    "PROTO-CLEAR-LOCAL:14.3": Level.INFO,  # NTP in clear
    "CLEAR-LOCAL:16.2": Level.LOW,  # HTTPS with no flags
    "DQ-PROTOCOL-FLAGS:16.2": Level.LOW,  # validator: secure-protocol-without-c
    "AUTH-OUTBOUND:G3.3": Level.MEDIUM,  # self-update from the Internet without Auth
    "DATASTORE-NOAUTH:S1.2": Level.HIGH,  # SONiC ConfigDB Redis without Auth
    "PROTO-CLEAR-CROSS:10.2~2": Level.MEDIUM,  # IPMI, the second row numbered 10.2
    "PROTO-CLEAR-CROSS:S2.1": Level.MEDIUM,  # DHCP relay, recognised by port 67/68
    "ROUTING-NOAUTH:S4.1": Level.MEDIUM,
    "TRUST-ZONE-CONFLICT:12.3": Level.LOW,
    "DQ-DIVERGENT:3.3": Level.LOW,  # masterdata-api on 8080 and 8443
    "NA-C:2.8": Level.NOT_ASSESSED,
    "NA-I:2.8": Level.NOT_ASSESSED,
    "NA-AUTH:2.8": Level.NOT_ASSESSED,
    "NA-TRUST:2.8": Level.NOT_ASSESSED,
    "NA-C:2.9": Level.NOT_ASSESSED,
    "NA-TRUST:2.9": Level.NOT_ASSESSED,
    "NA-AUTH:6.1": Level.NOT_ASSESSED,
    "NA-C:11.1": Level.NOT_ASSESSED,
    "NA-TRUST:3.7": Level.NOT_ASSESSED,
    "NA-TRUST:8.1": Level.NOT_ASSESSED,
    "NA-AUTH:12.5": Level.NOT_ASSESSED,
}


@pytest.mark.parametrize(("finding_id", "level"), sorted(PINNED.items()))
def test_pinned_findings(assessment: Assessment, finding_id: str, level: Level) -> None:
    assert levels(assessment).get(finding_id) is level


def test_superseded_generic_findings_are_not_repeated(assessment: Assessment) -> None:
    found = levels(assessment)
    assert "CLEAR-LOCAL:2.1" not in found  # DATASTORE-CLEAR explains it
    assert "CLEAR-LOCAL:14.1" not in found  # PROTO-CLEAR-LOCAL explains it
    assert "CLEAR-CROSS:7.1" not in found  # PROTO-CLEAR-CROSS explains it
    assert "PROTO-CLEAR-CROSS:7.1" in found


def test_well_protected_flows_have_no_findings(assessment: Assessment) -> None:
    for key in ("2.4", "2.7", "7.2", "9.1", "G1.1", "L1.1"):
        assert assessment.for_flow(key) == (), key


def test_not_assessed_is_exactly_one_finding_per_question_mark(
    matrix: Matrix, assessment: Assessment
) -> None:
    prefix = {"confidentiality": "NA-C", "integrity": "NA-I"}
    prefix |= {"authentication": "NA-AUTH", "trusted": "NA-TRUST"}
    expected = {
        f"{prefix[name]}:{flow.key}"
        for flow in matrix.flows
        for name in FLAG_FIELDS
        if flow.flag(name) is Flag.UNKNOWN
    }
    got = {f.id for f in assessment.findings if f.severity is Level.NOT_ASSESSED}
    assert got == expected
    assert len(got) == 18
    flows = {f.flow_key for f in assessment.findings if f.severity is Level.NOT_ASSESSED}
    assert flows == {"2.8", "2.9", "3.7", "6.1", "8.1", "11.1", "12.5"}


def test_question_marks_are_not_read_as_empty(assessment: Assessment) -> None:
    for finding in assessment.for_flow("2.8"):
        assert finding.severity is Level.NOT_ASSESSED


def test_every_finding_names_controls_of_all_frameworks(assessment: Assessment) -> None:
    catalogue = load_catalogue()
    assert assessment.findings
    for finding in assessment.findings:
        assert {ref.framework for ref in finding.controls} == set(FRAMEWORKS), finding.id
        for ref in finding.controls:
            assert ref in catalogue, (finding.id, ref)


def test_findings_are_unique_sorted_and_deterministic(
    matrix: Matrix, config: Config, assessment: Assessment
) -> None:
    ids = [f.id for f in assessment.findings]
    assert len(ids) == len(set(ids))
    order = {flow.key: i for i, flow in enumerate(matrix.flows)}
    ranks = [(f.severity.rank, order[f.flow_key]) for f in assessment.findings]
    assert ranks == sorted(ranks)
    assert assess(matrix, config, validate(matrix, config)) == assessment
    for finding in assessment.findings:
        flow = next(fl for fl in matrix.flows if fl.key == finding.flow_key)
        assert finding.id == f"{finding.rule}:{flow.key}"
        assert finding.flow_id == flow.id
        assert finding.section == flow.section
        assert finding.location.path == flow.location.path
        assert finding.location.line == flow.location.line
        assert finding.evidence and finding.recommendation


def test_assessment_carries_rules_catalogue_and_versions(assessment: Assessment) -> None:
    assert [r.id for r in assessment.rules] == [r.id for r in RULES]
    assert assessment.catalogue == load_catalogue().controls
    assert assessment.ruleset_version
    assert assessment.catalogue_version == load_catalogue().label


# --- data-quality findings come from the validation report ---------------------------------


def _diagnostic(matrix: Matrix, key: str, code: str, column: int = 60) -> Diagnostic:
    flow = next(f for f in matrix.flows if f.key == key)
    where = Location(flow.location.path, flow.location.line, column)
    return Diagnostic(code, Severity.WARNING, f"flow {flow.label}: made up", where, flow_id=flow.id)


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("secure-protocol-without-c", "DQ-PROTOCOL-FLAGS"),
        ("plaintext-protocol-with-c", "DQ-PROTOCOL-FLAGS"),
        ("encryption-unnamed", "DQ-PROTOCOL-FLAGS"),
        ("inconsistent-destination", "DQ-DIVERGENT"),
        ("destination-zone-varies", "DQ-DIVERGENT"),
    ],
)
def test_validator_contradictions_become_low_findings(
    matrix: Matrix, config: Config, code: str, rule: str
) -> None:
    report = Report(diagnostics=(_diagnostic(matrix, "10.2~2", code),))
    a = assess(matrix, config, report)
    dq = [f for f in a.findings if f.rule.startswith("DQ-")]
    assert [(f.id, f.severity) for f in dq] == [(f"{rule}:10.2~2", Level.LOW)]
    assert dq[0].location == report.diagnostics[0].location
    assert f"[{code}]" in dq[0].evidence


def test_two_diagnostics_of_one_rule_make_one_finding(matrix: Matrix, config: Config) -> None:
    report = Report(
        diagnostics=(
            _diagnostic(matrix, "3.2", "inconsistent-destination", 126),
            _diagnostic(matrix, "3.2", "destination-zone-varies", 94),
        )
    )
    dq = [f.id for f in assess(matrix, config, report).findings if f.rule.startswith("DQ-")]
    assert dq == ["DQ-DIVERGENT:3.2"]


def test_other_diagnostics_and_other_lines_are_ignored(matrix: Matrix, config: Config) -> None:
    flow = next(f for f in matrix.flows if f.key == "2.1")
    report = Report(
        diagnostics=(
            _diagnostic(matrix, "2.1", "zone-spelling"),
            Diagnostic(
                "encryption-unnamed",
                Severity.WARNING,
                "not on a flow row",
                Location(flow.location.path, 1, 1),
            ),
            Diagnostic(
                "encryption-unnamed",
                Severity.WARNING,
                "another file",
                Location("other.md", flow.location.line, 1),
            ),
        )
    )
    a = assess(matrix, config, report)
    assert not [f for f in a.findings if f.rule.startswith("DQ-")]
    assert levels(assess(matrix, config, EMPTY)) == levels(a)


# --- zone trust classes come from the configuration ------------------------------------------


def _reclass(config: Config, zone: str, trust_class: str) -> Config:
    zones = tuple(
        dataclasses.replace(z, trust_class=trust_class) if z.name == zone else z
        for z in config.zones
    )
    return dataclasses.replace(config, zones=zones)


def test_reclassing_unknown_as_management_changes_findings(
    matrix: Matrix, config: Config, assessment: Assessment
) -> None:
    before = levels(assessment)
    after = levels(assess(matrix, _reclass(config, "unknown", "management"), EMPTY))
    for gone in ("MGMT-EXPOSED:8.1", "MGMT-EXPOSED:S3.1", "TRUST-ZONE-CONFLICT:12.3"):
        assert gone in before
        assert gone not in after


def test_reclassing_machines_as_untrusted_raises_plaintext_to_high(
    matrix: Matrix, config: Config
) -> None:
    after = levels(assess(matrix, _reclass(config, "Machine", "untrusted"), EMPTY))
    assert after["PROTO-CLEAR-UNTRUSTED:14.1"] is Level.HIGH
    assert after["PROTO-CLEAR-UNTRUSTED:13.2"] is Level.HIGH
    assert after["AUTH-INBOUND:12.4"] is Level.HIGH
    assert "PROTO-CLEAR-LOCAL:14.1" not in after
    assert "EXT-CLEAR:14.1" not in after  # the plaintext rule explains it
    assert after["EXT-CLEAR:10.2~2"] is Level.HIGH  # IPMI into the now-untrusted zone


def test_trust_classes_are_read_from_report_toml(
    tmp_path: Path, matrix: Matrix, assessment: Assessment
) -> None:
    text = CONFIG.read_text(encoding="utf-8")
    old = 'name = "Internet"\nclass = "untrusted"'
    assert old in text
    path = tmp_path / "report.toml"
    path.write_text(text.replace(old, 'name = "Internet"\nclass = "tenant"'), encoding="utf-8")
    after = levels(assess(matrix, load_config(path), EMPTY))
    before = levels(assess(matrix, load_config(CONFIG), EMPTY))
    assert before["AUTH-OUTBOUND:1.3"] is Level.MEDIUM
    assert before["AUTH-OUTBOUND:G3.3"] is Level.MEDIUM
    assert "AUTH-OUTBOUND:1.3" not in after
    assert "AUTH-OUTBOUND:G3.3" not in after
    assert after["MGMT-EXPOSED:1.1"] is Level.MEDIUM  # tenant -> management still counts

    path.write_text(text.replace(old, 'name = "Internet"\nclass = "external-service"'))
    assert levels(assess(matrix, load_config(path), EMPTY)) == before


# --- every rule on a small table -------------------------------------------------------------

HEADER = (
    "| No. | Component | Source Zone | Protocol | Destination | Destination Zone | Port "
    "| C | I | Auth | Trust | Purpose | Notes |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
)
ROWS = {
    # id: (row cells after the id, expected rules)
    "1": ("a | Internet | HTTP | api | Core | 80 | | | | | API | |", {
        "PROTO-CLEAR-UNTRUSTED", "AUTH-INBOUND", "MGMT-EXPOSED"}),
    "2": ("a | Core | TCP | b | Core | 9000 | | | x | | Jobs | |", {"CLEAR-OPEN-PATH"}),
    "3": ("a | Tenant | TCP | b | Fabric | 9000 | | | x | x | Jobs | |", {"CLEAR-CROSS"}),
    "4": ("a | Core | TCP | b | Core | 9000 | | | x | x | Jobs | |", {"CLEAR-LOCAL"}),
    "5": ("a | Core | TCP | db | Core | 3306 | | | | x | Data | |", {"DATASTORE-NOAUTH"}),
    "6": ("a | Core | TCP | db | Core | 27017 | x | x | x | x | Data | |", set()),
    "7": ("a | Core | TCP | b | Core | 7000 | | | x | x | MongoDB replica | |", {
        "DATASTORE-CLEAR"}),
    "8": ("a | Core | TCP | s3 | Vendor | 9000 | | | x | | Backup | |", {"EXT-CLEAR"}),
    "9": ("a | Core | HTTPS | s3 | Vendor | 443 | x | x | | | Updates | |", {"AUTH-OUTBOUND"}),
    "10": ("a | Fabric | TCP | b | Fabric | 179 | | | | x | Routing | |", {
        "ROUTING-NOAUTH", "PROTO-CLEAR-LOCAL"}),
    "11": ("a | Tenant | SNMP | b | Fabric | 161 | | | x | x | Metrics | |", {
        "PROTO-CLEAR-CROSS"}),
    "12": ("a | Tenant | HTTPS | b | Vendor | 443 | x | x | x | x | Metrics | |", {
        "TRUST-ZONE-CONFLICT"}),
    "13": ("a | Tenant | HTTPS | b | Core | 443 | ? | x | x | x | API | |", {
        "NA-C", "MGMT-EXPOSED"}),
}  # fmt: skip

TOY_CONFIG = """
[[zone]]
name = "Internet"
class = "untrusted"
[[zone]]
name = "Vendor"
class = "external-service"
[[zone]]
name = "Core"
class = "management"
[[zone]]
name = "Tenant"
class = "tenant"
[[zone]]
name = "Fabric"
class = "infrastructure"
"""


@pytest.fixture(scope="module")
def toy() -> Assessment:
    config = parse_config(TOY_CONFIG, "toy.toml")
    rows = "".join(f"| {key} | {cells}\n" for key, (cells, _) in ROWS.items())
    text = f"# Toy\n\n## Plain\n\n{HEADER}{rows}"
    toy_matrix = parse(text.encode(), "toy.md", config)
    assert len(list(toy_matrix.flows)) == len(ROWS)
    return assess(toy_matrix, config, EMPTY)


@pytest.mark.parametrize("key", list(ROWS))
def test_rules_on_a_toy_table(toy: Assessment, key: str) -> None:
    assert {f.rule for f in toy.for_flow(key)} == ROWS[key][1]


def test_every_rule_fires_somewhere_in_the_toy_or_the_real_matrix(
    toy: Assessment, assessment: Assessment
) -> None:
    fired = {f.rule for f in toy.findings} | {f.rule for f in assessment.findings}
    assert {r.id for r in RULES} - fired == set()


# --- statistics ------------------------------------------------------------------------------


def test_statistics_counts(matrix: Matrix, assessment: Assessment) -> None:
    stats = assessment.statistics
    assert stats.overall.slug == "all"
    assert stats.overall.flows == 83
    assert [(s.slug, s.flows) for s in stats.sections] == [
        ("plain", 52),
        ("sonic", 9),
        ("gardener", 13),
        ("cluster-api", 3),
        ("lightbits", 6),
    ]
    assert stats.overall.technologies == sum(s.technologies for s in stats.sections) == 21
    for block in (stats.overall, *stats.sections):
        assert [c.flag for c in block.flags] == ["C", "I", "Auth", "Trust"]
        for coverage in block.flags:
            assert coverage.total == block.flows
        assert [level for level, _ in block.findings] == list(Level)
    for i, coverage in enumerate(stats.overall.flags):
        assert coverage.yes == sum(s.flags[i].yes for s in stats.sections)
        assert coverage.unknown == sum(s.flags[i].unknown for s in stats.sections)
    c = stats.overall.flags[0]
    assert c.unknown == 4  # 2.8, 2.9, 6.1, 11.1
    assert c.yes == sum(1 for f in matrix.flows if f.confidentiality is Flag.YES)
    assert dict(stats.overall.findings) == Counter(f.severity for f in assessment.findings)
    by_section = Counter(f.section for f in assessment.findings)
    for s in stats.sections:
        assert sum(n for _, n in s.findings) == by_section[s.slug]


def test_zone_pairs(matrix: Matrix, assessment: Assessment) -> None:
    stats = assessment.statistics
    assert sum(p.flows for p in stats.zone_pairs) == 83
    assert stats.zones[:3] == ("Internet", "unknown", "Metal Control Plane")
    assert len(set(stats.zones)) == len(stats.zones)
    pairs = {(p.source, p.destination): p for p in stats.zone_pairs}
    assert len(pairs) == len(stats.zone_pairs)
    assert pairs[("Switches", "Switches")].worst is Level.HIGH
    mcp = "Metal Control Plane"
    inside = [f for f in matrix.flows if f.source_zone.name == f.destination_zone.name == mcp]
    assert pairs[(mcp, mcp)].flows == len(inside) == 25
    assert pairs[("Seed Cluster", "Lightbits Cluster")].worst is None
    order = {z: i for i, z in enumerate(stats.zones)}
    keys = [(order[p.source], order[p.destination]) for p in stats.zone_pairs]
    assert keys == sorted(keys)


def test_control_traceability(assessment: Assessment) -> None:
    traces = {t.control.ref: t for t in assessment.statistics.controls}
    assert [t.control for t in assessment.statistics.controls] == list(assessment.catalogue)
    for finding in assessment.findings:
        for ref in finding.controls:
            assert finding.id in traces[ref].findings
    all_ids = {f.id for f in assessment.findings}
    for trace in traces.values():
        assert set(trace.findings) <= all_ids
    ntp = next(t for t in traces.values() if t.control.id == "8.17")
    assert "14.3" in ntp.evidenced_by
    crypto = next(t for t in traces.values() if t.control.id == "8.24")
    assert "2.4" in crypto.evidenced_by and "2.1" not in crypto.evidenced_by


# --- the README rules table ------------------------------------------------------------------


def test_rules_markdown_has_one_row_per_rule() -> None:
    text = rules_markdown()
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [r.id for r in RULES]
    high = next(row for row in rows if "`EXT-CLEAR`" in row)
    assert "| High |" in high and "NET.1.1.A9" in high and "CRY-02" in high


def test_readme_rules_table_is_current() -> None:
    readme = ROOT / "README.md"
    if not readme.is_file() or RULES_START not in readme.read_text(encoding="utf-8"):
        pytest.skip("README has no rules section yet")
    text = readme.read_text(encoding="utf-8")
    start = text.index(RULES_START) + len(RULES_START)
    current = text[start : text.index(RULES_END, start)]
    assert current.strip() == rules_markdown().strip(), (
        "README rules table is stale: paste reportgen.assess.rules_markdown()"
    )
