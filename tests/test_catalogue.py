"""The control catalogue shipped in the package: the BSI's ISO 27001 Annex A file unmodified,
our Grundschutz and C5 entries, and that rules only name controls that exist."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from importlib import resources

import pytest

from reportgen.assess import RULES, Rule, controls_markdown, iso_annex_a, load_catalogue
from reportgen.assess.catalogue import C5, FRAMEWORKS, GRUNDSCHUTZ, ISO
from reportgen.assess.statistics import EVIDENCE

from .conftest import ROOT

DATA = resources.files("reportgen.assess").joinpath("data")


def test_iso_catalog_is_the_unmodified_bsi_file() -> None:
    sources = DATA.joinpath("SOURCES.md").read_text(encoding="utf-8")
    pinned = re.search(r"SHA-256 of the shipped catalog: `([0-9a-f]{64})`", sources)
    assert pinned is not None
    data = DATA.joinpath("ISO27001-AnnexA-catalog.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == pinned.group(1)
    assert "CC BY-SA 4.0" in sources
    assert "BSI" in sources
    assert "7ea208493289285cc30e3843365ec8048b4eb822" in sources


def test_package_data_declares_the_data_folder() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "assess/data/*" in pyproject["tool"]["setuptools"]["package-data"]["reportgen"]


def test_annex_a_is_read_from_the_bsi_file() -> None:
    raw = json.loads(DATA.joinpath("ISO27001-AnnexA-catalog.json").read_bytes())
    expected = {
        c["id"]: (c["title"], next(p["value"] for p in c["props"] if p["name"] == "de-title"))
        for g in raw["catalog"]["groups"]
        for c in g["controls"]
    }
    loaded = iso_annex_a()
    assert len(loaded) == 93
    assert {c.id: (c.title, c.title_de) for c in loaded} == expected
    by_id = {c.id: c for c in loaded}
    assert by_id["5.14"].title == "Information transfer"
    assert by_id["8.24"].title == "Use of cryptography"
    assert all(c.title_de for c in loaded)


ISSUE_ISO = [
    "5.9",
    "5.14",
    "5.15",
    "5.23",
    "8.5",
    "8.9",
    "8.15",
    "8.16",
    "8.17",
    "8.20",
    "8.21",
    "8.22",
    "8.24",
    "8.32",
]
ISSUE_GRUNDSCHUTZ = {
    "NET.1.1.A1": "B",
    "NET.1.1.A2": "B",
    "NET.1.1.A4": "B",
    "NET.1.1.A7": "B",
    "NET.1.1.A9": "B",
    "NET.1.1.A11": "B",
    "NET.1.1.A15": "B",
    "NET.1.1.A21": "S",
    "NET.1.2.A9": "B",
    "NET.1.2.A31": "H",
    "NET.3.1.A20": "S",
    "NET.3.2.A2": "B",
    "CON.1.A1": "B",
    "CON.1.A3": "S",
    "APP.4.4.A7": "S",
    "SYS.1.6.A5": "B",
}
ISSUE_C5 = [
    "COS-01",
    "COS-02",
    "COS-03",
    "COS-04",
    "COS-05",
    "COS-06",
    "COS-07",
    "COS-08",
    "CRY-01",
    "CRY-02",
]


def test_catalogue_holds_the_controls_of_the_issue() -> None:
    catalogue = load_catalogue()
    ids = {fw: [c.id for c in catalogue.controls if c.framework == fw] for fw in FRAMEWORKS}
    assert ids[ISO] == ISSUE_ISO
    assert ids[C5] == ISSUE_C5
    levels = {c.id: c.level for c in catalogue.controls if c.framework == GRUNDSCHUTZ}
    assert levels == ISSUE_GRUNDSCHUTZ
    annex = {c.id: c for c in iso_annex_a()}
    for control in catalogue.controls:
        assert control.title and control.description, control.id
        if control.framework == ISO:
            assert control.title == annex[control.id].title
            assert control.title_de == annex[control.id].title_de
        else:
            assert control.title_de, control.id
    assert catalogue.version
    assert catalogue.iso_catalog_version in catalogue.label


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_names_existing_controls_of_all_three_frameworks(rule: Rule) -> None:
    catalogue = load_catalogue()
    for ref in rule.controls:
        assert ref in catalogue, f"{rule.id} names {ref.framework} {ref.id}"
    assert {ref.framework for ref in rule.controls} == set(FRAMEWORKS)
    assert len(set(rule.controls)) == len(rule.controls)


def test_every_catalogue_control_is_used_by_a_rule_or_as_evidence() -> None:
    used = {ref for r in RULES for ref in r.controls} | {
        ref for e in EVIDENCE for ref in e.controls
    }
    unused = [c.ref for c in load_catalogue().controls if c.ref not in used]
    assert unused == []
    assert all(ref in load_catalogue() for e in EVIDENCE for ref in e.controls)


def test_controls_markdown_lists_every_control_once() -> None:
    text = controls_markdown()
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + len(load_catalogue().controls)
    assert "| Grundschutz | NET.1.2.A31 | Use of secure protocols as a rule |" in text
    assert "| ISO 27001 | 8.24 | Use of cryptography |" in text
