"""OSCAL out: compliance-trestle's models load both documents, a trestle workspace imports them,
the counts match the JSON outputs, the bytes are reproducible, and nothing claims a control is
satisfied.

The validator is compliance-trestle's pydantic models (generated from NIST's OSCAL 1.2.x JSON
schemas): NIST publishes the schema files only as release assets, which the tests do not fetch.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.assess.catalogue import (
    DATA_LICENCE,
    grundschutz_index,
    gspp_kernel,
    iso_annex_a,
    oscal_catalogs,
)
from reportgen.build import build, load
from reportgen.bundle import ReportData
from reportgen.config import Config
from reportgen.model import Triage
from reportgen.render import RenderOptions
from reportgen.render.oscal import NAMESPACE, RISK_STATUS, render, uid

from .conftest import ROOT, SOURCE
from .test_property import document, run_pipeline

trestle_ar = pytest.importorskip("trestle.oscal.assessment_results")
trestle_cd = pytest.importorskip("trestle.oscal.component")

EPOCH = "1759881600"  # 2025-10-08T00:00:00Z


@pytest.fixture(scope="module")
def data() -> Iterator[ReportData]:
    patch = pytest.MonkeyPatch()
    patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    yield load(SOURCE)
    patch.undo()


@pytest.fixture(scope="module")
def built(data: ReportData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("oscal")
    build(data, out, ["json", "oscal"])
    return out


def _doc(out: Path, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out / "oscal" / name).read_text(encoding="utf-8"))
    return loaded


def _ar(out: Path) -> dict[str, Any]:
    result: dict[str, Any] = _doc(out, "assessment-results.json")["assessment-results"]
    return result


def _cd(out: Path) -> dict[str, Any]:
    result: dict[str, Any] = _doc(out, "component-definition.json")["component-definition"]
    return result


def _walk(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def _props(item: dict[str, Any], name: str) -> list[str]:
    return [p["value"] for p in item.get("props", ()) if p["name"] == name]


def test_trestle_models_load_both_documents(built: Path) -> None:
    results = trestle_ar.AssessmentResults.oscal_read(built / "oscal/assessment-results.json")
    components = trestle_cd.ComponentDefinition.oscal_read(
        built / "oscal/component-definition.json"
    )
    for model, name in ((results, "assessment-results"), (components, "component-definition")):
        dumped = model.model_dump(mode="json", by_alias=True, exclude_none=True)
        assert dumped["metadata"]["oscal-version"] == "1.2.1"
        # nothing was dropped or changed on the way through the models
        assert dumped == _doc(built, f"{name}.json")[name]
    assert len(results.results) == 1
    assert len(components.components) == 60


@pytest.mark.slow
def test_a_trestle_workspace_imports_both_documents(built: Path, tmp_path: Path) -> None:
    """As a user runs it: ``trestle init``, then ``trestle import -f FILE -o NAME``."""
    trestle = Path(sys.executable).parent / "trestle"
    if not trestle.exists():
        pytest.skip("the trestle command is not installed beside this Python")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(trestle), *args], cwd=tmp_path, capture_output=True, text=True, timeout=300
        )

    assert run("init").returncode == 0
    for name, folder, kind in (
        ("assessment-results.json", "assessment-results", "review"),
        ("component-definition.json", "component-definitions", "matrix"),
    ):
        done = run("import", "-f", str(built / "oscal" / name), "-o", kind)
        assert done.returncode == 0, done.stdout + done.stderr
        imported = json.loads((tmp_path / folder / kind / name).read_text(encoding="utf-8"))
        assert imported == _doc(built, name)
    checked = run("validate", "-a")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_counts_match_findings_and_records(built: Path) -> None:
    findings = json.loads((built / "json/findings.json").read_text(encoding="utf-8"))
    records = json.loads((built / "json/records.json").read_text(encoding="utf-8"))
    result = _ar(built)["results"][0]
    flows = [f for s in records["sections"] for f in s["flows"]]
    security = [f for f in findings["findings"] if f["kind"] == "security"]
    # v0.21.11: 83 flows, 44 security findings, 24 controls and requirements in scope
    assert (len(flows), len(security), len(findings["controls"])) == (83, 44, 24)
    assert [_props(o, "flow-key")[0] for o in result["observations"]] == [f["key"] for f in flows]
    assert [_props(r, "finding-id")[0] for r in result["risks"]] == [f["id"] for f in security]
    assert [f["target"]["title"].split()[-1] for f in result["findings"]] != []
    assert len(result["findings"]) == len(findings["controls"])
    status = [_props(f, "review-status")[0] for f in result["findings"]]
    assert status == [c["status"] for c in findings["controls"]]


def test_observations_carry_location_and_flags(built: Path, data: ReportData) -> None:
    result = _ar(built)["results"][0]
    by_key = {_props(o, "flow-key")[0]: o for o in result["observations"]}
    for flow in data.matrix.flows:
        o = by_key[flow.key]
        assert o["uuid"] == uid(f"flow:{flow.key}")
        assert _props(o, "location") == [str(flow.location)]
        assert _props(o, "confidentiality") == [flow.confidentiality.label]
        assert _props(o, "trusted") == [flow.trusted.label]
        assert o["methods"] == ["EXAMINE"]
        assert o["collected"] == "2025-10-08T00:00:00+00:00"
        assert _props(o, "finding") == [f.id for f in data.assessment.for_flow(flow.key)]


def test_no_control_is_claimed_satisfied(built: Path) -> None:
    text = (built / "oscal/assessment-results.json").read_text(encoding="utf-8")
    assert '"satisfied"' not in text
    for f in _ar(built)["results"][0]["findings"]:
        review = _props(f, "review-status")[0]
        target = f["target"]
        if review == "contradicted":
            assert target["status"]["state"] == "not-satisfied"
            assert f.get("related-risks") or _props(f, "finding")
        else:
            assert "status" not in target, f["title"]
            assert "never that a control is satisfied" in target["remarks"]


def test_target_and_control_ids_exist_in_the_shipped_catalogs(built: Path) -> None:
    iso, kompendium, kernel = iso_annex_a(), grundschutz_index(), gspp_kernel()
    token = re.compile(r"^[_A-Za-z][_A-Za-z0-9.\-]*$")

    def check(framework: str, oscal_id: str, item: dict[str, Any]) -> None:
        assert token.match(oscal_id)
        if framework == "iso27001":
            (catalog_id,) = _props(item, "catalog-control-id")
            assert oscal_id == f"A.{catalog_id}" and catalog_id in iso
        elif framework == "grundschutz":
            assert oscal_id in kompendium and not kompendium[oscal_id].withdrawn
        else:
            assert oscal_id in kernel

    findings = _ar(built)["results"][0]["findings"]
    assert {_props(f["target"], "framework")[0] for f in findings} == {"iso27001", "grundschutz"}
    for f in findings:
        check(_props(f["target"], "framework")[0], f["target"]["target-id"], f["target"])
        for g in _props(f, "gspp-control"):
            assert g in kernel
    cd = _cd(built)
    frameworks = {r["uuid"]: r for r in cd["back-matter"]["resources"]}
    seen = set()
    for component in cd["components"]:
        for impl in component.get("control-implementations", ()):
            resource = frameworks[impl["source"].removeprefix("#")]
            framework = {
                "ISO/IEC 27001:2022 Annex A Catalog": "iso27001",
                "BSI Stand der Technik Kernel": "gspp",
            }.get(resource["title"], "grundschutz")
            seen.add(framework)
            for req in impl["implemented-requirements"]:
                check(framework, req["control-id"], req)
    assert seen == {"iso27001", "grundschutz", "gspp"}


def test_catalogs_are_cited_as_the_bsi_documents(built: Path) -> None:
    resources = {r["title"]: r for r in _ar(built)["back-matter"]["resources"]}
    sources = (ROOT / "reportgen/assess/data/SOURCES.md").read_text(encoding="utf-8")
    for c in oscal_catalogs():
        r = resources[c.title]
        assert r["uuid"] == uid(f"resource:catalog:{c.uuid}")
        assert _props(r, "version") == [c.version]
        assert _props(r, "catalog-uuid") == [c.uuid]
        assert _props(r, "licence") == [DATA_LICENCE]
        assert (
            r["document-ids"] == [{"scheme": s, "identifier": i} for s, i in c.document_ids]
            and c.document_ids
        )
        (link,) = r["rlinks"]
        assert link["hashes"] == [{"algorithm": "SHA-256", "value": c.sha256}]
        assert c.sha256 in sources
        commit = link["href"].split("/blob/")[1].split("/")[0]
        assert commit in sources and link["href"].endswith(".json")


def test_two_builds_give_the_same_bytes(data: ReportData) -> None:
    first = render(data, RenderOptions())
    patch = pytest.MonkeyPatch()
    patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        second = render(load(SOURCE), RenderOptions())
    finally:
        patch.undo()
    assert set(first) == {"assessment-results.json", "component-definition.json"}
    assert first == second


def test_uuids_are_version_5_of_stable_ids_and_unique(built: Path) -> None:
    assert uuid.uuid5(uuid.NAMESPACE_URL, "urn:reportgen:oscal") == NAMESPACE
    for doc in (_ar(built), _cd(built)):
        own = [v for k, v in _walk(doc) if k == "uuid"]
        assert len(own) == len(set(own))
        assert all(uuid.UUID(v).version == 5 for v in own)
    finding = next(
        f for f in _ar(built)["results"][0]["findings"] if f["target"]["target-id"] == "A.8.24"
    )
    assert finding["uuid"] == uid("control:iso27001:8.24")
    risk = _ar(built)["results"][0]["risks"][0]
    assert risk["uuid"] == uid(f"risk:{_props(risk, 'finding-id')[0]}")


def test_every_reference_resolves_within_the_document(built: Path) -> None:
    for doc in (_ar(built), _cd(built)):
        own = {v for k, v in _walk(doc) if k == "uuid"}
        for key, value in _walk(doc):
            if key in ("observation-uuid", "risk-uuid", "subject-uuid", "actor-uuid"):
                assert value in own, (key, value)
            if key in ("href", "source") and isinstance(value, str) and value.startswith("#"):
                assert value[1:] in own, (key, value)


def test_assumptions_appear_with_their_approval(built: Path, data: ReportData) -> None:
    result = _ar(built)["results"][0]
    props = [p for p in result["props"] if p["name"] == "assumption"]
    assert [p["value"] for p in props] == [a.id for a in data.assessment.assumptions]
    unapproved = [a for a in data.assessment.assumptions if not a.approved]
    assert unapproved and [p for p in props if p["class"] == "unapproved"]
    assert _props(result, "unapproved-assumptions") == [str(len(unapproved))]
    assert all("(not approved)" in p["remarks"] for p in props if p["class"] == "unapproved")
    assert not _ar(built)["metadata"].get("parties")


def test_risks_carry_the_triage_decision(data: ReportData) -> None:
    security = [f for f in data.assessment.findings if f.kind == "security"]
    decisions = {
        security[0].id: Triage(status="in-progress", owner="network team", due="2027-03-31"),
        security[1].id: Triage(
            status="accepted",
            owner="platform",
            justification="Loopback only.",
            decided_by="Jane Doe (CISO)",
            decided_on="2025-09-01",
            expires="2026-01-31",
        ),
        security[2].id: Triage(
            status="false-positive",
            justification="Not reachable.",
            decided_by="Jane Doe (CISO)",
            decided_on="2025-01-01",
            expires="2025-06-30",
        ),
        security[3].id: Triage(status="mitigated", owner="ops"),
    }
    findings = tuple(
        replace(f, triage=decisions.get(f.id, f.triage)) for f in data.assessment.findings
    )
    changed = replace(data, assessment=replace(data.assessment, findings=findings))
    doc = json.loads(render(changed, RenderOptions())["assessment-results.json"])
    risks = {
        _props(r, "finding-id")[0]: r for r in doc["assessment-results"]["results"][0]["risks"]
    }
    assert data.assessment.today == "2025-10-08"
    progress, accepted, expired, mitigated = (risks[f.id] for f in security[:4])
    assert progress["status"] == "investigating"
    assert _props(progress, "owner") == ["network team"]
    assert progress["deadline"] == "2027-03-31T00:00:00+00:00"
    assert accepted["status"] == "deviation-approved"
    assert accepted["risk-log"]["entries"][0]["status-change"] == "deviation-approved"
    assert accepted["risk-log"]["entries"][0]["start"] == "2025-09-01T00:00:00+00:00"
    assert _props(accepted, "decided-by") == ["Jane Doe (CISO)"]
    assert expired["status"] == "open"  # the false-positive decision expired on 2025-06-30
    triage_prop = next(p for p in expired["props"] if p["name"] == "triage-status")
    assert triage_prop["value"] == "false-positive" and triage_prop["remarks"] == "expired"
    assert mitigated["status"] == "closed"
    assert _props(mitigated, "triage-status") == ["mitigated"]
    untouched = risks[security[4].id]
    assert untouched["status"] == "open" and "risk-log" not in untouched
    assert set(RISK_STATUS.values()) <= {
        "open",
        "investigating",
        "remediating",
        "deviation-requested",
        "deviation-approved",
        "closed",
    }


def test_oscal_is_a_default_format_listed_in_the_manifest(built: Path) -> None:
    from reportgen.cli import FORMATS

    assert "oscal" in FORMATS
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    paths = {f["path"] for f in manifest["files"] if f["format"] == "oscal"}
    assert paths == {"oscal/assessment-results.json", "oscal/component-definition.json"}


def test_components_list_the_flows_they_take_part_in(built: Path, data: ReportData) -> None:
    components = {c["title"]: c for c in _cd(built)["components"]}
    for flow in data.matrix.flows:
        source = components[flow.component.strip()]
        dest = components[flow.destination.strip()]
        assert flow.key in [p["value"] for p in source["props"] if p.get("class") == "source"]
        assert flow.key in [p["value"] for p in dest["props"] if p.get("class") == "destination"]


def _loads_in_trestle(rendered: dict[str, bytes]) -> None:
    ar = json.loads(rendered["assessment-results.json"])["assessment-results"]
    cd = json.loads(rendered["component-definition.json"])["component-definition"]
    trestle_ar.AssessmentResults.model_validate(ar)
    trestle_cd.ComponentDefinition.model_validate(cd)


@pytest.mark.parametrize(
    "name", ["mkdocs-era.md", "reordered.md", "defects.md", "missing-column.md"]
)
def test_every_fixture_gives_valid_oscal(name: str) -> None:
    fixture = ROOT / "tests" / "fixtures" / name
    _loads_in_trestle(render(load(fixture, fixture.parent / "report.toml"), RenderOptions()))


def test_a_page_without_flows_gives_valid_oscal(tmp_path: Path) -> None:
    page = tmp_path / "communication-matrix.md"
    page.write_text("# Communication Matrix\n\nNothing documented yet.\n", encoding="utf-8")
    rendered = render(load(page, ROOT / "source" / "report.toml"), RenderOptions())
    _loads_in_trestle(rendered)
    result = json.loads(rendered["assessment-results.json"])["assessment-results"]["results"][0]
    assert "observations" not in result and "risks" not in result


def test_hostile_cells_stay_text_in_valid_oscal(tmp_path: Path) -> None:
    from .test_hostile import PAGE, PAYLOADS, ROW

    rows = "".join(
        ROW.format(id=f"1.{i + 1}", p=p.replace("|", "\\|")) for i, p in enumerate(PAYLOADS)
    )
    page = tmp_path / "communication-matrix.md"
    page.write_text(PAGE.format(rows=rows), encoding="utf-8")
    rendered = render(load(page, ROOT / "source" / "report.toml"), RenderOptions())
    _loads_in_trestle(rendered)
    components = json.loads(rendered["component-definition.json"])["component-definition"]
    titles = {c["title"] for c in components["components"]}
    assert set(PAYLOADS) <= titles


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=document)
def test_any_matrix_gives_oscal_that_trestle_accepts(text: str) -> None:
    """Generated pages (odd cells, ids, zones, unicode, empty tables) never break the OSCAL
    types: a prop value stays one line, a title one line, a list never empty."""
    _matrix, generated = run_pipeline(text, Config())
    _loads_in_trestle(render(generated, RenderOptions()))


@given(st.text(max_size=80))
def test_uid_is_uuid5_in_the_reportgen_namespace(stable_id: str) -> None:
    assert uid(stable_id) == str(uuid.uuid5(NAMESPACE, stable_id))
