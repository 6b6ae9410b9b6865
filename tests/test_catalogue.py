"""The control catalogue: the BSI's data files shipped unmodified, and every id a rule cites
known, not withdrawn, and titled as the data says. The expectations are read straight from
the JSON files here, independently of reportgen's loader."""

from __future__ import annotations

import hashlib
import json
import re
from importlib import resources
from typing import Any

import pytest

from reportgen.assess import RULES, Rule, all_controls, catalogue, controls_markdown, load_catalogue
from reportgen.assess.catalogue import (
    DATA_FILES,
    Catalogue,
    UnknownControl,
    _json,
    gspp_kernel,
    iso_annex_a,
    lookup,
)
from reportgen.model import ControlRef
from reportgen.vocabulary import GRUNDSCHUTZ, GSPP, ISO

from .conftest import ROOT

DATA = resources.files("reportgen.assess").joinpath("data")
SHARED = ROOT.parent / "shared" / "standards"


def _raw(name: str) -> Any:
    return json.loads(DATA.joinpath(name).read_bytes())


@pytest.mark.parametrize("name", DATA_FILES)
def test_shipped_data_is_the_unmodified_bsi_file(name: str) -> None:
    sources = DATA.joinpath("SOURCES.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(DATA.joinpath(name).read_bytes()).hexdigest()
    row = next((line for line in sources.splitlines() if f"`{name}`" in line), "")
    assert digest in row, f"SOURCES.md must pin {name} at {digest}"
    assert "CC BY-SA 4.0" in sources or name.startswith("grundschutz")
    shared = SHARED / name
    if shared.is_file():  # the developers' copy of the standards data
        assert hashlib.sha256(shared.read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("name", DATA_FILES)
def test_the_catalogue_reads_each_file_as_the_standard_library_does(name: str) -> None:
    """The catalogue parses with orjson (``catalogue._json``): the same values, types and
    key order as ``json.loads``, for every shipped file."""
    ours, standard = _json(name), _raw(name)
    assert ours == standard
    assert json.dumps(ours) == json.dumps(standard)  # the types and the key order too


def test_each_catalog_file_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Kernel catalog's controls, its version in the report's label and its metadata in
    the OSCAL output come from one parse (as do the Annex A catalog's and the Kompendium
    index's)."""
    parsed: list[str] = []

    def counted(name: str) -> Any:
        parsed.append(name)
        return _json(name)

    monkeypatch.setattr(catalogue, "_json", counted)
    for cached in (catalogue._iso, catalogue._gspp, catalogue._grundschutz):
        cached.cache_clear()
    catalogue.oscal_catalogs.cache_clear()
    catalogue.grundschutz_index_source.cache_clear()
    try:
        load_catalogue(all_controls())
        label = Catalogue(()).label
        documents = catalogue.oscal_catalogs()
        source = catalogue.grundschutz_index_source()
    finally:
        for cached in (catalogue._iso, catalogue._gspp, catalogue._grundschutz):
            cached.cache_clear()
        catalogue.oscal_catalogs.cache_clear()
        catalogue.grundschutz_index_source.cache_clear()
    assert sorted(parsed) == sorted(
        [catalogue.ISO_CATALOG_FILE, catalogue.GSPP_CATALOG_FILE, catalogue.GRUNDSCHUTZ_FILE]
    )
    assert catalogue.gspp_kernel_metadata()["version"][:10] in label
    assert [d.file for d in documents] == [catalogue.ISO_CATALOG_FILE, catalogue.GSPP_CATALOG_FILE]
    assert source["index_file"] == catalogue.GRUNDSCHUTZ_FILE


def test_annex_a_titles_are_the_bsi_files() -> None:
    raw = _raw("ISO27001-AnnexA-catalog.json")
    expected = {
        c["id"]: (c["title"], next(p["value"] for p in c["props"] if p["name"] == "de-title"))
        for g in raw["catalog"]["groups"]
        for c in g["controls"]
    }
    loaded = iso_annex_a()
    assert len(loaded) == 93
    assert {k: (c.title, c.title_de) for k, c in loaded.items()} == expected


def _grundschutz() -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in _raw("grundschutz-2023-requirements.json")["requirements"]}


def _kernel_titles() -> dict[str, str]:
    found: dict[str, str] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for c in items:
            found[c["id"]] = c["title"]
            walk(c.get("controls", []))

    def groups(items: list[dict[str, Any]]) -> None:
        for g in items:
            walk(g.get("controls", []))
            groups(g.get("groups", []))

    groups(_raw("GSpp-Kernel-catalog.json")["catalog"]["groups"])
    return found


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_cited_id_is_known_current_and_titled_as_the_data_says(rule: Rule) -> None:
    annex = {
        c["id"]: c["title"]
        for g in _raw("ISO27001-AnnexA-catalog.json")["catalog"]["groups"]
        for c in g["controls"]
    }
    gs = _grundschutz()
    catalogue = load_catalogue(all_controls())
    for ref in rule.controls:
        control = catalogue.get(ref)
        if ref.framework == ISO:
            assert ref.id in annex, f"{rule.id}: {ref.id} is not an Annex A control"
            assert control.title == annex[ref.id]
        else:
            assert ref.framework == GRUNDSCHUTZ
            assert ref.id in gs, f"{rule.id}: {ref.id} is not in the Kompendium 2023"
            assert gs[ref.id]["withdrawn"] is False, f"{rule.id} cites withdrawn {ref.id}"
            assert control.title == gs[ref.id]["title"]
            assert control.level == gs[ref.id]["level"]
    assert len(set(rule.controls)) == len(rule.controls)


def test_a_withdrawn_or_unknown_id_is_refused() -> None:
    assert _grundschutz()["CON.1.A3"]["withdrawn"] is True
    with pytest.raises(UnknownControl, match="withdrawn"):
        lookup(ControlRef(GRUNDSCHUTZ, "CON.1.A3"))
    with pytest.raises(UnknownControl, match="not a requirement"):
        lookup(ControlRef(GRUNDSCHUTZ, "NET.9.9.A99"))
    with pytest.raises(UnknownControl, match="Annex A"):
        lookup(ControlRef(ISO, "5.99"))
    with pytest.raises(UnknownControl, match="framework"):
        lookup(ControlRef("c5", "CRY-02"))


def test_no_rule_cites_c5_any_more() -> None:
    """No C5 data is shipped to check ids and titles against, so no C5 criterion is cited."""
    assert {ref.framework for ref in all_controls()} <= {ISO, GRUNDSCHUTZ}


def _mapping_targets() -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for name, fw in (
        ("ITGS2023-to-GSpp-mapping.json", GRUNDSCHUTZ),
        ("ISO27001-AnnexA-to-GSpp-mapping.json", ISO),
    ):
        for mapping in _raw(name)["mapping-collection"]["mappings"]:
            for entry in mapping["maps"]:
                for src in entry["sources"]:
                    key = (fw, re.sub(r"-UA.*$", "", src["id-ref"]))
                    found.setdefault(key, set()).update(t["id-ref"] for t in entry["targets"])
    return found


def test_gspp_references_are_derived_from_the_bsi_mappings() -> None:
    targets = _mapping_targets()
    kernel = _kernel_titles()
    for ref in all_controls():
        expected = {t for t in targets.get((ref.framework, ref.id), set()) if t in kernel}
        derived = Catalogue.gspp_for((ref,))
        assert {r.id for r in derived} == expected, ref
        assert all(r.framework == GSPP for r in derived)
        for r in derived:
            assert gspp_kernel()[r.id].title == kernel[r.id]


def test_controls_markdown_lists_every_control_once_with_official_titles() -> None:
    text = controls_markdown()
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + len(all_controls())
    gs = _grundschutz()
    assert f"| Grundschutz | NET.1.1.A7 | {gs['NET.1.1.A7']['title']} |" in text
    assert "| ISO 27001 | 8.24 | Use of cryptography | Verwendung von Kryptographie |" in text


def test_standards_folder_is_where_the_tests_expect_it() -> None:
    # The digests above are compared with ../shared/standards when it is there (developers'
    # machines and CI); say so when it is not, rather than pass silently.
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: shipped data checked against SOURCES.md only")
    assert {p.name for p in SHARED.glob("*.json")} >= set(DATA_FILES)


def test_sources_md_names_the_bsi_and_commits() -> None:
    sources = DATA.joinpath("SOURCES.md").read_text(encoding="utf-8")
    for needle in (
        "7ea208493289285cc30e3843365ec8048b4eb822",
        "47de2824a341812438ef3f044b3f65ce2cad6e32",
        "dd41a7467464982a79307a322be9abb7a07356a1104dd64583bab29138e410ae",
        "Bundesamt für Sicherheit in der Informationstechnik",
    ):
        assert needle in sources
