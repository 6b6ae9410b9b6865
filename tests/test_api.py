"""The Python API: ``reportgen.load`` and ``Result.to_frames``, and docs/api.md's example."""

from __future__ import annotations

import contextlib
import io
import pydoc
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import reportgen
from reportgen.assess.catalogue import lookup
from reportgen.config import load_config
from reportgen.errors import ReportgenError
from reportgen.frames import COLUMNS
from reportgen.model import ControlRef

from .conftest import ROOT, SOURCE

DOC = ROOT / "docs" / "api.md"


@pytest.fixture(scope="module")
def result() -> reportgen.Result:
    return reportgen.load(str(SOURCE))


@pytest.fixture(scope="module")
def frames(result: reportgen.Result) -> dict[str, pd.DataFrame]:
    return result.to_frames()


def test_load_takes_a_str_a_path_and_a_config(result: reportgen.Result) -> None:
    assert len(result.flows) == 83
    assert len(result.technologies) == 21
    assert result.matrix.title == "Communication Matrix"
    assert not result.valid
    assert [d.code for d in result.diagnostics if d.severity.value == "error"] == [
        "duplicate-flow-id"
    ]
    assert {f.kind for f in result.findings} >= {"security", "not-assessed"}
    assert result.statistics.overall.flows == 83
    by_path = reportgen.load(SOURCE, ROOT / "source" / "report.toml", release="v9")
    by_config = reportgen.load(SOURCE, load_config(ROOT / "source" / "report.toml"))
    assert by_path.data.build.release == "v9"
    assert [f.id for f in by_path.findings] == [f.id for f in by_config.findings]


def test_an_unreadable_source_raises_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ReportgenError, match=re.escape(str(tmp_path / "none.md"))):
        reportgen.load(tmp_path / "none.md")


def test_frames_have_the_documented_columns_in_order(frames: dict[str, pd.DataFrame]) -> None:
    documented = documented_columns()
    assert list(frames) == list(COLUMNS) == list(documented)
    for name, frame in frames.items():
        assert list(frame.columns) == [c for c, _ in documented[name]], name
        for column, kind in documented[name]:
            dtype = frame[column].dtype
            if kind == "int":
                assert pd.api.types.is_integer_dtype(dtype), (name, column, dtype)
            elif kind == "bool":
                assert pd.api.types.is_bool_dtype(dtype), (name, column, dtype)
            else:
                assert all(isinstance(v, str) for v in frame[column]), (name, column)


def test_flows_frame_is_flat_and_matches_the_records(
    result: reportgen.Result, frames: dict[str, pd.DataFrame]
) -> None:
    flows = frames["flows"]
    assert len(flows) == 83
    first = flows.iloc[0].to_dict()
    assert {k: first[k] for k in ("key", "source_zone", "source_trust", "destination_trust")} == {
        "key": "1.1",
        "source_zone": "Internet",
        "source_trust": "untrusted",
        "destination_trust": "management",
    }
    assert (first["ports"], first["line"], first["column"]) == ("443", 27, 3)
    assert (first["confidentiality"], first["trusted"]) == ("x", "")
    assert set(flows.confidentiality) <= {"x", "", "?"}
    assert list(flows.key) == [f.key for f in result.flows]
    # 12.5 writes `internet` for its destination: canonical name and written text both kept
    row = flows[flows.key == "12.5"].iloc[0]
    assert (row.destination_zone_text, row.destination_zone) == ("internet", "Internet")
    assert flows.findings.sum() == len(result.findings)


def test_finding_controls_has_one_row_per_finding_and_control(
    result: reportgen.Result, frames: dict[str, pd.DataFrame]
) -> None:
    pairs = frames["finding_controls"]
    assert len(pairs) == sum(len(f.controls) + len(f.gspp) for f in result.findings)
    assert pairs.derived.sum() == sum(len(f.gspp) for f in result.findings)
    catalogue = {(c.framework, c.id): c.title for c in result.data.assessment.catalogue}
    for framework, control_id, title, derived in zip(
        pairs.framework, pairs.control_id, pairs.control_title, pairs.derived, strict=True
    ):
        ref = ControlRef(str(framework), str(control_id))
        assert (catalogue.get((ref.framework, ref.id)) or lookup(ref).title) == title
        assert derived == (framework == "gspp")
    findings = frames["findings"]
    assert list(findings.id) == [f.id for f in result.findings]
    joined = pairs.merge(findings, left_on="finding_id", right_on="id", how="left")
    assert joined.id.notna().all()


def test_diagnostics_frame_matches_the_report(
    result: reportgen.Result, frames: dict[str, pd.DataFrame]
) -> None:
    rows = frames["diagnostics"][["code", "severity", "line", "column"]].to_records(index=False)
    assert [tuple(r) for r in rows] == [
        (d.code, d.severity.value, d.location.line, d.location.column) for d in result.diagnostics
    ]


def test_the_docs_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code.group(1), str(DOC), "exec"), namespace)
    result = namespace["result"]
    assert printed.getvalue().startswith(
        f"83 flows, {len(result.findings)} findings\nvalid: False\n"
    )
    clear_crossing = [
        f.key for f in result.flows if f.confidentiality.value == "" and f.crosses_zones
    ]
    assert list(namespace["clear_crossing"].key) == clear_crossing
    assert len(clear_crossing) == 7
    assert namespace["per_control"].iloc[0] > 0


def test_help_names_load_and_the_result() -> None:
    text = pydoc.plain(pydoc.render_doc(reportgen))
    assert "reportgen.load(" in text and "to_frames()" in text
    assert re.search(r"^\s+load\(source", text, re.M)  # listed under FUNCTIONS
    assert "class Result" in text


def documented_columns() -> dict[str, list[tuple[str, str]]]:
    """docs/api.md's column tables: ### `name` then | `column` | type | meaning |."""
    tables: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^### `(\w+)`$", line)
        if heading:
            current = tables.setdefault(heading.group(1), [])
            continue
        row = re.match(r"^\| `(\w+)` \| (text|int|bool) \|", line)
        if row and current is not None:
            current.append((row.group(1), row.group(2)))
    return tables


def test_findings_and_controls_carry_the_triage_and_the_review_status(
    result: reportgen.Result, frames: dict[str, pd.DataFrame]
) -> None:
    findings = frames["findings"]
    for finding, row in zip(result.findings, findings.itertuples(index=False), strict=True):
        assert (row.kind, row.status, row.owner, row.due) == (
            finding.kind,
            finding.triage.status,
            finding.triage.owner,
            finding.triage.due,
        )
        assert row.assumptions == ", ".join(finding.assumptions)
    controls = frames["controls"]
    statuses = result.data.assessment.control_status
    assert list(zip(controls.control_id, controls.status, strict=True)) == [
        (s.control.id, s.status) for s in statuses
    ]
    assert list(controls.findings) == [len(s.findings) for s in statuses]
