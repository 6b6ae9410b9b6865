# ruff: noqa: E501 (Markdown table rows)
"""The management summary and the conclusion state what the data shows: checked on four
matrices with different outcomes, in English and German."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.build import load
from reportgen.bundle import ReportData
from reportgen.model import Level
from reportgen.render.summary import conclusion_sentences, summary_facts, summary_sentences

from .conftest import ROOT

HEAD = """# Toy

**Legend**:

- `C`: Confidentiality.
- `I`: Integrity.
- `Auth`: Authentication.
- `Trust`: Trusted networks only.

## Plain metal-stack

| No. | Component | Source Zone | Protocol | Destination | Destination Zone | Port | C | I | Auth | Trust | Purpose | Notes |
| --- | --------- | ----------- | -------- | ----------- | ---------------- | ---- | - | - | ---- | ----- | ------- | ----- |
"""
API = "| {id} | metal-api | Metal Control Plane | HTTPS | masterdata-api | Metal Control Plane | 8443 | x | x | {auth} | x | API | |\n"
ROWS = {
    "no-finding": API.format(id="1.1", auth="x"),
    "data-quality-only": API.format(id="1.1", auth="x") + API.format(id="1.2", auth=""),
    "high-inside-one-zone": (
        "| 1.1 | metal-core | Switches | TCP | Redis | Switches | 6379 | | | | x | ConfigDB | |\n"
    ),
    "high-across-a-boundary": (
        "| 1.1 | client | Internet | HTTP | metal-api | Metal Control Plane | 80 | | | | | API | |\n"
    ),
}


def _load(tmp_path: Path, case: str) -> ReportData:
    """The case's matrix with the shipped config; the Switches zone is declared of very high
    protection need, so that an unprotected data store inside it rates High (the scheme:
    internal x very high)."""
    folder = tmp_path / case
    folder.mkdir()
    config = (ROOT / "source" / "report.toml").read_text(encoding="utf-8")
    assert 'name = "Switches"\n' in config
    config = config.replace(
        'name = "Switches"\n', 'name = "Switches"\nprotection_need = "very-high"\n', 1
    )
    (folder / "report.toml").write_text(config, encoding="utf-8")
    source = folder / "matrix.md"
    source.write_text(HEAD + ROWS[case], encoding="utf-8")
    return load(source, folder / "report.toml")


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ReportData]:
    folder = tmp_path_factory.mktemp("toy")
    return {case: _load(folder, case) for case in ROWS}


def _text(sentences: list[str]) -> str:
    return " ".join(sentences)


def test_no_finding(cases: dict[str, ReportData]) -> None:
    facts = summary_facts(cases["no-finding"])
    assert (facts.outcome, facts.security_total, facts.data_quality) == ("none", 0, 0)
    text = _text(conclusion_sentences(facts, "en"))
    assert "found no contradiction" in text
    assert "high finding" not in text and "Residual risk" not in text
    assert "cannot show that a control is in place" in text
    assert "keinen Widerspruch" in _text(conclusion_sentences(facts, "de"))
    summary = _text(summary_sentences(facts, "en"))
    assert "documents 1 flow in 1 section" in summary
    assert "raised 0 security findings" in summary


def test_only_data_quality_issues(cases: dict[str, ReportData]) -> None:
    facts = summary_facts(cases["data-quality-only"])
    assert facts.outcome == "data-quality"
    assert (facts.security_total, facts.data_quality) == (0, 1)
    text = _text(conclusion_sentences(facts, "en"))
    assert "no security finding; 1 data-quality issue" in text
    assert "found no contradiction" not in text and "high finding" not in text
    assert "1 Datenqualitätsmangel" in _text(conclusion_sentences(facts, "de"))


def test_a_high_inside_one_zone(cases: dict[str, ReportData]) -> None:
    facts = summary_facts(cases["high-inside-one-zone"])
    assert facts.outcome == "high" and facts.count(Level.HIGH) == 1
    assert [h.crosses_zones for h in facts.highs] == [False]
    text = _text(conclusion_sentences(facts, "en"))
    assert "1 high finding concerns a flow inside one zone (Switches → Switches)" in text
    assert "across" not in text and "untrusted zone." not in text
    assert "Residual risk" in text
    assert "innerhalb einer Zone (Switches → Switches)" in _text(conclusion_sentences(facts, "de"))


def test_a_high_across_a_boundary(cases: dict[str, ReportData]) -> None:
    facts = summary_facts(cases["high-across-a-boundary"])
    highs = facts.count(Level.HIGH)
    assert facts.outcome == "high" and highs >= 1
    assert all(h.crosses_zones and h.untrusted_end for h in facts.highs)
    text = _text(conclusion_sentences(facts, "en"))
    assert f"{highs} high finding" in text
    assert "across" in text and "(Internet → Metal Control Plane)" in text
    assert f"{highs} of them" in text and "untrusted zone" in text
    assert "inside one zone" not in text
    assert "Zonengrenze" in _text(conclusion_sentences(facts, "de"))


def test_the_real_matrix_no_longer_claims_highs_reach_untrusted_zones() -> None:
    """The old summary said that v0.21.11's High (S1.2, inside the Switches zone) concerned
    flows that reach untrusted zones; under the severity scheme it has no High at all."""
    from tests.pdf_support import load_report_data

    data = load_report_data()
    facts = summary_facts(data)
    text = _text(summary_sentences(facts, "en") + conclusion_sentences(facts, "en"))
    assert "reach untrusted zones" not in text and "this conclusion" not in text
    assert facts.highs == () and facts.count(Level.HIGH) == 0
    assert "No high finding was raised" in text
    counts = data.assessment.statistics.counts
    assert facts.security == counts.security[: len(facts.security)]
    assert (facts.data_quality, facts.flows_medium_or_high) == (
        counts.data_quality,
        counts.flows_medium_or_high,
    )
    assert "The validation of the source reported 1 error" in text
    assert f"{facts.unapproved_assumptions} of the {facts.assumptions} assumptions" in text
    assert "assumptions that nobody has approved" not in text  # said once, with its count
