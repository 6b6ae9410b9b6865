"""Findings and statistics on the metal-stack v0.21.11 matrix and on small hand-made tables."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import Path

import pytest

from reportgen.assess import RULES, all_controls, assess, load_catalogue, rules_markdown
from reportgen.assess.catalogue import Catalogue, lookup
from reportgen.assess.docs import RULES_END, RULES_START
from reportgen.config import Approval, Config, load_config, parse_config
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
from reportgen.vocabulary import CONTROL_STATUSES, GRUNDSCHUTZ, SEVERITIES, severity_def

from .conftest import ROOT

CONFIG = ROOT / "source" / "report.toml"
EMPTY = Report(diagnostics=())


@pytest.fixture(scope="module")
def assessment(matrix: Matrix, config: Config) -> Assessment:
    return assess(matrix, config, validate(matrix, config))


def levels(a: Assessment) -> dict[str, Level]:
    return {f.id: f.severity for f in a.findings}


PINNED: dict[str, Level] = {
    "AUTH-OUTBOUND:1.3": Level.MEDIUM,  # Internet -> GitHub, no Auth: indirect, one step down
    "AUTH-OUTBOUND:G3.3": Level.MEDIUM,  # self-update from the Internet without Auth
    "MGMT-EXPOSED:1.1": Level.MEDIUM,  # Internet -> management: outside, indirect
    "MGMT-EXPOSED:12.1": Level.LOW,  # tenant -> management: boundary, indirect
    "DATASTORE-CLEAR:2.1": Level.LOW,  # RethinkDB with Auth, without C, inside one zone
    "DATASTORE-CLEAR:2.6": Level.LOW,  # TimescaleDB (PostgreSQL port) likewise
    "DATASTORE-NOAUTH:S1.2": Level.LOW,  # SONiC ConfigDB Redis without Auth, on the switch
    "PROTO-CLEAR-LOCAL:14.1": Level.LOW,  # DHCP in clear inside the Machine zone
    "PROTO-CLEAR-CROSS:10.2~2": Level.MEDIUM,  # IPMI, management -> tenant: boundary
    "PROTO-CLEAR-CROSS:S2.1": Level.MEDIUM,  # DHCP relay, recognised by port 67/68
    "PROTO-CLEAR-CROSS:7.1": Level.LOW,  # between two management zones: internal
    "ROUTING-NOAUTH:S4.1": Level.MEDIUM,
    "CLEAR-LOCAL:2.2": Level.LOW,  # masterdata-api: an API, not a data store
    "DQ-PROTOCOL-FLAGS:16.2": Level.INFO,  # HTTPS with no flags: one finding, two readings
    "TRUST-ZONE-CONFLICT:12.3": Level.INFO,
    "DQ-DIVERGENT:3.3": Level.INFO,  # masterdata-api on 8080 and 8443 in one zone
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


def test_the_contradictory_row_16_2_is_one_finding_naming_both_readings(
    assessment: Assessment,
) -> None:
    (only,) = assessment.for_flow("16.2")
    assert only.id == "DQ-PROTOCOL-FLAGS:16.2"
    assert only.kind == "data-quality"
    assert "Reading the C flag as written: CLEAR-LOCAL (Low)" in only.evidence
    assert "Reading the protocol (HTTPS) as right, C would be `x`: no security finding" in (
        only.evidence
    )


def test_an_api_with_postgres_in_its_purpose_is_not_a_data_store(
    assessment: Assessment,
) -> None:
    rules = {f.rule for f in assessment.for_flow("2.2")}
    assert rules == {"CLEAR-LOCAL"}  # masterdata-api on 8443; its database hop is flow 4.1
    assert "DATASTORE-CLEAR" in {f.rule for f in assessment.for_flow("4.1")}


def test_ssh_named_in_the_purpose_explains_c_on_bare_tcp(assessment: Assessment) -> None:
    assert "DQ-PROTOCOL-FLAGS:8.1" not in levels(assessment)  # "Machine Access (SSH)"
    assert "DQ-PROTOCOL-FLAGS:3.2" in levels(assessment)  # RethinkDB on TCP, nothing named


def test_no_finding_compares_instances_across_zones(matrix: Matrix, assessment: Assessment) -> None:
    by_line = {f.location.line: f for f in matrix.flows}
    compared = 0
    for finding in assessment.findings:
        if finding.rule != "DQ-DIVERGENT":
            continue
        flow = next(f for f in matrix.flows if f.key == finding.flow_key)
        for line in re.findall(r"in flow \S+ \(line (\d+)\)", finding.evidence):
            other = by_line[int(line)]
            assert other.destination_zone.name == flow.destination_zone.name, finding.id
            compared += 1
    assert compared >= 3
    kube = {f.destination_zone.name for f in matrix.flows if f.destination == "kube-apiserver"}
    assert len(kube) > 1  # several clusters, each its own kube-apiserver: no finding compares
    assert not any(
        "kube-apiserver" in f.evidence for f in assessment.findings if f.rule == "DQ-DIVERGENT"
    )


def test_counts_are_kept_apart(assessment: Assessment) -> None:
    c = assessment.statistics.counts
    kinds = Counter(f.kind for f in assessment.findings)
    assert c.security_total == kinds["security"]
    assert dict(c.security) == dict(
        Counter(f.severity for f in assessment.findings if f.kind == "security")
    ) | {
        lv: 0
        for lv in (Level.HIGH, Level.MEDIUM, Level.LOW)
        if not any(f.severity is lv and f.kind == "security" for f in assessment.findings)
    }
    assert c.data_quality == kinds["data-quality"] == 9
    assert c.not_assessed == kinds["not-assessed"] == 18
    medium_high = {
        f.flow_key
        for f in assessment.findings
        if f.kind == "security" and f.severity in (Level.HIGH, Level.MEDIUM)
    }
    assert c.flows_medium_or_high == len(medium_high)
    assert dict(c.security) == {Level.HIGH: 0, Level.MEDIUM: 11, Level.LOW: 33}
    assert c.flows_medium_or_high == 10


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


def test_every_cited_control_is_in_the_catalogue_and_current(assessment: Assessment) -> None:
    catalogue = load_catalogue(all_controls())
    assert assessment.findings
    for finding in assessment.findings:
        for ref in finding.controls:
            assert ref in catalogue, (finding.id, ref)
            assert lookup(ref).title  # raises for unknown or withdrawn ids


def test_every_grundschutz_reference_carries_gspp_references(assessment: Assessment) -> None:
    with_gs = [
        f for f in assessment.findings if any(r.framework == GRUNDSCHUTZ for r in f.controls)
    ]
    assert len(with_gs) > 20
    for finding in with_gs:
        assert finding.gspp, finding.id
        assert finding.gspp == Catalogue.gspp_for(finding.controls)
        assert all(lookup(ref).title for ref in finding.gspp)


def test_findings_name_the_assumptions_they_rest_on(assessment: Assessment) -> None:
    ids = {a.id for a in assessment.assumptions}
    assert {"trust-class:Machine", "unknown-zone-class", "protection-need:default"} <= ids
    assert not any(a.approved for a in assessment.assumptions)  # nobody approved them
    by_id = {f.id: f for f in assessment.findings}
    assert set(by_id["MGMT-EXPOSED:12.1"].assumptions) >= {
        "trust-class:Machine",
        "trust-class:Metal Control Plane",
        "protection-need:default",
    }
    assert "trust-class:unknown" in by_id["TRUST-ZONE-CONFLICT:12.3"].assumptions
    for finding in assessment.findings:
        assert set(finding.assumptions) <= ids, finding.id
        if finding.kind == "security":
            assert finding.assumptions, finding.id


def test_an_approval_in_report_toml_approves_the_assumptions(
    matrix: Matrix, config: Config
) -> None:
    approved = dataclasses.replace(
        config, approvals=(Approval("trust-class:Machine", "Jane Doe", "ISO", "2026-11-30"),)
    )
    a = {x.id: x for x in assess(matrix, approved, EMPTY).assumptions}
    assert a["trust-class:Machine"].approved_by == "Jane Doe"
    assert a["trust-class:Machine"].approved_on == "2026-11-30"
    assert not a["trust-class:Firewall"].approved
    blanket = dataclasses.replace(
        config, approvals=(Approval("assumptions", "Jane Doe", "ISO", "2026-11-30"),)
    )
    assert all(x.approved for x in assess(matrix, blanket, EMPTY).assumptions)


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
    assert assessment.catalogue == load_catalogue(all_controls()).controls
    assert assessment.ruleset_version == "2.0"
    assert "Grundschutz++" in assessment.catalogue_version


# --- control status --------------------------------------------------------------------------


def test_control_status(assessment: Assessment) -> None:
    status = {(c.control.framework, c.control.id): c for c in assessment.control_status}
    assert [c.control for c in assessment.control_status] == list(assessment.catalogue)
    for finding in assessment.findings:
        for ref in finding.controls:
            entry = status[(ref.framework, ref.id)]
            assert finding.id in entry.findings
            assert entry.status == "contradicted"
    for entry in assessment.control_status:
        assert entry.status in CONTROL_STATUSES
        assert set(entry.unassessed) <= set(entry.flows)
        text = f"{entry.status} {entry.reason}".lower()
        assert "met" not in text.split() and "evidenced" not in text
        if entry.status == "not-contradicted":
            assert (
                entry.reason
                == f"not contradicted by the {len(entry.flows)} documented flow(s) in scope"
            )
        if entry.status == "not-applicable":
            assert not entry.flows and not entry.findings
    # NET.1.1.A11: the three flows from the Internet or unknown into the network, all with Auth
    a11 = status[(GRUNDSCHUTZ, "NET.1.1.A11")]
    assert (a11.status, len(a11.flows)) == ("not-contradicted", 3)
    # NET.1.1.A9 reads flags that are `?` on flows to `unknown`: not assessable
    assert status[(GRUNDSCHUTZ, "NET.1.1.A9")].status == "not-assessable"
    # Kubernetes requirements apply only to flows into zones declared a cluster
    k8s = status[(GRUNDSCHUTZ, "APP.4.4.A7")]
    assert k8s.status == "contradicted"
    assert set(k8s.flows) == {"G3.1"}
    assert status[(GRUNDSCHUTZ, "NET.1.2.A9")].status == "not-applicable"


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
    ],
)
def test_validator_contradictions_become_data_quality_findings(
    matrix: Matrix, config: Config, code: str, rule: str
) -> None:
    report = Report(diagnostics=(_diagnostic(matrix, "10.2~2", code),))
    a = assess(matrix, config, report)
    dq = [f for f in a.findings if f.kind == "data-quality" and f.flow_key == "10.2~2"]
    assert [(f.id, f.severity) for f in dq] == [(f"{rule}:10.2~2", Level.INFO)]
    assert dq[0].location == report.diagnostics[0].location
    assert "made up" in dq[0].evidence


def test_destination_zone_varies_is_not_a_finding(matrix: Matrix, config: Config) -> None:
    report = Report(diagnostics=(_diagnostic(matrix, "3.2", "destination-zone-varies", 94),))
    assert not [f for f in assess(matrix, config, report).findings if f.rule == "DQ-DIVERGENT"]


def test_two_diagnostics_of_one_rule_make_one_finding(matrix: Matrix, config: Config) -> None:
    report = Report(
        diagnostics=(
            _diagnostic(matrix, "3.2", "inconsistent-destination", 126),
            _diagnostic(matrix, "3.2", "inconsistent-destination", 94),
        )
    )
    dq = [f.id for f in assess(matrix, config, report).findings if f.rule == "DQ-DIVERGENT"]
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


def test_a_declared_protection_need_raises_the_severity(matrix: Matrix, config: Config) -> None:
    zones = tuple(
        dataclasses.replace(z, protection_need="very-high") if z.name == "Switches" else z
        for z in config.zones
    )
    a = assess(matrix, dataclasses.replace(config, zones=zones), EMPTY)
    by_id = {f.id: f for f in a.findings}
    s12 = by_id["DATASTORE-NOAUTH:S1.2"]
    assert (s12.severity, s12.exposure, s12.protection_need) == (
        Level.HIGH,
        "internal",
        "very-high",
    )
    assert "protection-need:Switches" in s12.assumptions
    assert "protection-need:Switches" in {x.id for x in a.assumptions}


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
    assert "AUTH-OUTBOUND:1.3" not in after
    assert "AUTH-OUTBOUND:G3.3" not in after
    assert after["MGMT-EXPOSED:1.1"] is Level.LOW  # tenant -> management: boundary, indirect

    path.write_text(text.replace(old, 'name = "Internet"\nclass = "external-service"'))
    assert levels(assess(matrix, load_config(path), EMPTY)) == before


# --- every rule and severity on a small table --------------------------------------------------

HEADER = (
    "| No. | Component | Source Zone | Protocol | Destination | Destination Zone | Port "
    "| C | I | Auth | Trust | Purpose | Notes |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
)
# id: (row cells after the id, {rule: severity})
H, M, L, INF, NA = Level.HIGH, Level.MEDIUM, Level.LOW, Level.INFO, Level.NOT_ASSESSED
ROWS: dict[str, tuple[str, dict[str, Level]]] = {
    "1.1": ("a | Internet | HTTP | api | Core | 80 | | | | | API | |",
            {"PROTO-CLEAR-UNTRUSTED": H, "AUTH-INBOUND": H, "MGMT-EXPOSED": M}),
    "1.2": ("a | Core | TCP | b | Core | 9000 | | | x | | Jobs | |", {"CLEAR-OPEN-PATH": L}),
    "1.3": ("a | Tenant | TCP | b | Fabric | 9000 | | | x | x | Jobs | |", {"CLEAR-CROSS": M}),
    "1.4": ("a | Core | TCP | b | Core | 9000 | | | x | x | Jobs | |", {"CLEAR-LOCAL": L}),
    "1.5": ("a | Core | TCP | db | Core | 3306 | | | | x | Data | |", {"DATASTORE-NOAUTH": L}),
    "1.6": ("a | Core | TLS | db2 | Core | 27017 | x | x | x | x | Data | |", {}),
    "1.7": ("a | Core | TCP | b | Vault | 7000 | | | x | x | MongoDB replica | |",
            {"CLEAR-CROSS": M}),
    "1.8": ("a | Core | TCP | s3 | Vendor | 9000 | | | x | | Backup | |", {"EXT-CLEAR": H}),
    "1.9": ("a | Core | HTTPS | s3 | Vendor | 443 | x | x | | | Updates | |",
            {"AUTH-OUTBOUND": M}),
    "2.1": ("a | Fabric | TCP | bgp | Fabric | 179 | | | | x | Routing | |",
            {"ROUTING-NOAUTH": L, "PROTO-CLEAR-LOCAL": L}),
    "2.2": ("a | Tenant | SNMP | b | Fabric | 161 | | | x | x | Metrics | |",
            {"PROTO-CLEAR-CROSS": M}),
    "2.3": ("a | Tenant | HTTPS | b | Vendor | 443 | x | x | x | x | Metrics | |",
            {"TRUST-ZONE-CONFLICT": INF}),
    "2.4": ("a | Tenant | HTTPS | b | Core | 443 | ? | x | x | x | API | |",
            {"NA-C": NA, "MGMT-EXPOSED": L}),
    "2.5": ("a | Crown | TCP | b | Crown | 9000 | | | x | x | Jobs | |", {"CLEAR-LOCAL": H}),
    "2.6": ("a | Tenant | HTTPS | api | Seed | 443 | x | x | x | x | API | |",
            {"MGMT-EXPOSED": L}),
    "2.7": ("a | Core | HTTPS | m | Core | 8443 | | | | x | Metrics | |",
            {"DQ-PROTOCOL-FLAGS": INF}),
    "2.8": ("a | Vault | TCP | pg | Vault | 5432 | | | x | x | Data | |",
            {"DATASTORE-CLEAR": M}),
    "2.9": ("a | Tenant | DNS | dns | Tenant | 53 | | | | x | Names | |",
            {"PROTO-CLEAR-LOCAL": L}),
    "3.1": ("a | Core | HTTPS | kube | Seed | 443 | x | x | x | x | API | |", {}),
    "3.2": ("b | Tenant | HTTPS | kube | Tenant | 6443 | x | x | x | x | API | |", {}),
    "3.3": ("a | Crown | TCP | b | Vendor | 9000 | | | x | | Jobs | |", {"EXT-CLEAR": H}),
    "3.4": ("a | Vault | TCP | b | Tenant | 9000 | | | x | x | Jobs | |", {"CLEAR-CROSS": H}),
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
name = "Vault"
class = "management"
protection_need = "high"
[[zone]]
name = "Seed"
class = "management"
kubernetes = true
[[zone]]
name = "Tenant"
class = "tenant"
[[zone]]
name = "Fabric"
class = "infrastructure"
[[zone]]
name = "Crown"
class = "infrastructure"
protection_need = "very-high"
"""
TOY_CLASSES = {
    "Internet": "untrusted", "Vendor": "external-service", "Core": "management",
    "Vault": "management", "Seed": "management", "Tenant": "tenant",
    "Fabric": "infrastructure", "Crown": "infrastructure",
}  # fmt: skip
TOY_NEEDS = {"Vault": "high", "Crown": "very-high"}


@pytest.fixture(scope="module")
def toy() -> tuple[Matrix, Assessment]:
    config = parse_config(TOY_CONFIG, "toy.toml")
    rows = "".join(f"| {key} | {cells}\n" for key, (cells, _) in ROWS.items())
    legend = "- `C`: Confidentiality\n- `I`: Integrity\n- `Auth`: Authentication\n"
    legend += "- `Trust`: Trusted networks only\n"
    text = f"# Toy\n\n{legend}\n## Plain\n\n{HEADER}{rows}"
    toy_matrix = parse(text.encode(), "toy.md", config)
    assert len(list(toy_matrix.flows)) == len(ROWS)
    return toy_matrix, assess(toy_matrix, config, validate(toy_matrix, config))


@pytest.mark.parametrize("key", list(ROWS))
def test_rules_and_severities_on_a_toy_table(toy: tuple[Matrix, Assessment], key: str) -> None:
    _, a = toy
    assert {f.rule: f.severity for f in a.for_flow(key)} == ROWS[key][1]


def _printed_definition_holds(level: Level, exposure: str, need: str, indirect: bool) -> bool:
    """The severity definitions printed in every output (vocabulary.SEVERITIES), restated."""
    steps = ["high", "medium", "low"]
    direct = {
        "high": exposure == "outside"
        or (exposure == "boundary" and need != "normal")
        or (exposure == "internal" and need == "very-high"),
        "medium": (exposure == "boundary" and need == "normal")
        or (exposure == "internal" and need == "high"),
        "low": exposure == "internal" and need == "normal",
    }
    base = next(s for s in steps if direct[s])
    expected = steps[min(steps.index(base) + 1, 2)] if indirect else base
    return level.value == expected


def test_every_security_severity_satisfies_its_printed_definition(
    toy: tuple[Matrix, Assessment], matrix: Matrix, config: Config, assessment: Assessment
) -> None:
    toy_matrix, toy_assessment = toy
    indirect = {r.id for r in RULES if r.indirect}
    checked: Counter[Level] = Counter()
    for m, a, classes, needs in (
        (toy_matrix, toy_assessment, TOY_CLASSES, TOY_NEEDS),
        (matrix, assessment, {z.name: z.trust_class for z in config.zones}, {}),
    ):
        flows = {f.key: f for f in m.flows}
        for finding in a.findings:
            if finding.kind != "security":
                assert finding.severity in (Level.INFO, Level.NOT_ASSESSED)
                continue
            flow = flows[finding.flow_key]
            src = classes.get(flow.source_zone.name, "untrusted")
            dst = classes.get(flow.destination_zone.name, "untrusted")
            outside = {"untrusted", "external-service"}
            exposure = (
                "outside" if {src, dst} & outside else ("boundary" if src != dst else "internal")
            )
            order = ["normal", "high", "very-high"]
            need = max(
                (
                    needs.get(z, "normal")
                    for z in (flow.source_zone.name, flow.destination_zone.name)
                ),
                key=order.index,
            )
            assert (finding.exposure, finding.protection_need) == (exposure, need), finding.id
            assert _printed_definition_holds(
                finding.severity, exposure, need, finding.rule in indirect
            ), finding.id
            checked[finding.severity] += 1
    assert set(checked) == {Level.HIGH, Level.MEDIUM, Level.LOW}


def test_the_printed_definitions_name_the_scheme() -> None:
    for key in ("high", "medium", "low"):
        text = severity_def(key).definition
        assert "severity scheme" in text or "protection need" in text
    assert "towards an untrusted party" not in " ".join(s.definition for s in SEVERITIES)


def test_kubernetes_and_management_conditions_on_the_toy(toy: tuple[Matrix, Assessment]) -> None:
    _, a = toy
    ids = {f.id: {r.id for r in f.controls} for f in a.findings}
    assert {"APP.4.4.A7", "SYS.1.6.A5"} <= ids["MGMT-EXPOSED:2.6"]
    assert not {"APP.4.4.A7", "SYS.1.6.A5"} & ids["MGMT-EXPOSED:2.4"]
    assert "NET.1.2.A9" in ids["PROTO-CLEAR-CROSS:2.2"]  # SNMP into infrastructure
    assert "NET.1.1.A19" in ids["PROTO-CLEAR-LOCAL:2.9"]  # DNS
    assert "NET.1.1.A34" in ids["CLEAR-LOCAL:2.5"]  # very high protection need
    assert "NET.1.1.A34" not in ids["CLEAR-LOCAL:1.4"]
    assert "APP.4.3.A16" in ids["DATASTORE-CLEAR:2.8"]  # PostgreSQL is relational
    assert "NET.1.1.A7" not in ids["CLEAR-LOCAL:1.4"]  # exempt: one trusted zone


def test_every_rule_fires_somewhere_in_the_toy_or_the_real_matrix(
    toy: tuple[Matrix, Assessment], assessment: Assessment
) -> None:
    fired = {f.rule for f in toy[1].findings} | {f.rule for f in assessment.findings}
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
    assert {k: n for k, n in stats.overall.findings if n} == Counter(
        f.severity for f in assessment.findings
    )
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
    assert pairs[("Switches", "Switches")].worst is Level.LOW
    mcp = "Metal Control Plane"
    inside = [f for f in matrix.flows if f.source_zone.name == f.destination_zone.name == mcp]
    assert pairs[(mcp, mcp)].flows == len(inside) == 25
    assert pairs[("Seed Cluster", "Lightbits Cluster")].worst is None
    order = {z: i for i, z in enumerate(stats.zones)}
    keys = [(order[p.source], order[p.destination]) for p in stats.zone_pairs]
    assert keys == sorted(keys)


# --- the README rules table ------------------------------------------------------------------


def test_rules_markdown_has_one_row_per_rule() -> None:
    text = rules_markdown()
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [r.id for r in RULES]
    ext = next(row for row in rows if "`EXT-CLEAR`" in row)
    assert "| security | scheme |" in ext and "NET.1.1.A9" in ext and "CON.1.A3" not in ext


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
