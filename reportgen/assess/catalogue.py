"""The control catalogue, read from the BSI's data files shipped unmodified in
``reportgen/assess/data`` (see SOURCES.md there): nothing here types an id or a title.

- ISO/IEC 27001:2022 Annex A: the BSI's OSCAL catalog (English title, German ``de-title``).
- IT-Grundschutz-Kompendium Edition 2023: an index of requirement ids, official German
  titles, levels (B/S/H) and the withdrawn (ENTFALLEN) flag.
- Grundschutz++: the BSI "Stand der Technik Kernel" OSCAL catalog, and the BSI's OSCAL mapping
  collections from Kompendium 2023 requirements and from Annex A controls to it.

A control that is unknown or withdrawn is an error when the rule set is loaded, not a line in
a report.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import orjson

from ..errors import ReportgenError
from ..model import Control, ControlRef
from ..vocabulary import GRUNDSCHUTZ, GSPP, ISO

FRAMEWORKS: tuple[str, ...] = (ISO, GRUNDSCHUTZ)
"""Frameworks the rules map to directly, in the order reports list them; Grundschutz++
references are derived from these through the BSI's mappings."""

ISO_CATALOG_FILE = "ISO27001-AnnexA-catalog.json"
GRUNDSCHUTZ_FILE = "grundschutz-2023-requirements.json"
GSPP_CATALOG_FILE = "GSpp-Kernel-catalog.json"
ITGS_MAPPING_FILE = "ITGS2023-to-GSpp-mapping.json"
ISO_MAPPING_FILE = "ISO27001-AnnexA-to-GSpp-mapping.json"
DATA_FILES: tuple[str, ...] = (
    ISO_CATALOG_FILE,
    GRUNDSCHUTZ_FILE,
    GSPP_CATALOG_FILE,
    ITGS_MAPPING_FILE,
    ISO_MAPPING_FILE,
)


def _data(name: str) -> bytes:
    return resources.files("reportgen.assess").joinpath("data", name).read_bytes()


def _json(name: str) -> Any:
    """A shipped data file, parsed. orjson reads the same values as the standard library
    (tests/test_catalogue.py compares them for every file) in about half the time: the
    Grundschutz++ Kernel catalog, 3.8 MB, in 11 ms instead of 22 ms."""
    try:
        return orjson.loads(_data(name))
    except (OSError, ValueError) as exc:  # a broken installation
        raise ReportgenError(f"cannot read the packaged {name}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class _Parsed:
    """What is read from one shipped OSCAL catalog, parsed once: its uuid and metadata, and
    its controls. The Kernel catalog was parsed three times per build (its controls, its
    version for the report's label, its metadata for the OSCAL output)."""

    head: Mapping[str, Any]
    """The catalog's ``uuid`` and ``metadata``."""
    controls: dict[str, Control]


def _head(catalog: Mapping[str, Any]) -> dict[str, Any]:
    return {"uuid": catalog["uuid"], "metadata": catalog["metadata"]}


def data_digest(name: str) -> str:
    """SHA-256 of a shipped data file (tests compare it with SOURCES.md)."""
    return hashlib.sha256(_data(name)).hexdigest()


@cache
def _iso() -> _Parsed:
    catalog = _json(ISO_CATALOG_FILE)["catalog"]
    controls: dict[str, Control] = {}
    for group in catalog["groups"]:
        for raw in group["controls"]:
            de = next((p["value"] for p in raw.get("props", ()) if p["name"] == "de-title"), "")
            controls[raw["id"]] = Control(ISO, raw["id"], raw["title"], title_de=de)
    return _Parsed(_head(catalog), controls)


def iso_annex_a() -> dict[str, Control]:
    """All 93 Annex A controls from the BSI's OSCAL catalog, by id."""
    return _iso().controls


def iso_catalog_version() -> str:
    version: str = _iso().head["metadata"]["version"]
    return version


@dataclass(frozen=True, slots=True)
class Requirement:
    id: str
    module: str
    module_title: str
    title: str
    """Official German title (None in the index for withdrawn requirements: then empty)."""
    level: str
    withdrawn: bool


@cache
def _grundschutz() -> tuple[dict[str, Requirement], dict[str, str]]:
    """The Kompendium index's requirements and its ``source``, from one parse."""
    data = _json(GRUNDSCHUTZ_FILE)
    modules: Mapping[str, str] = data["modules"]
    index = {
        r["id"]: Requirement(
            r["id"],
            r["module"],
            modules.get(r["module"], ""),
            r["title"] or "",
            r["level"],
            bool(r["withdrawn"]),
        )
        for r in data["requirements"]
    }
    return index, {k: str(v) for k, v in data["source"].items()}


def grundschutz_index() -> dict[str, Requirement]:
    """Every requirement of the Kompendium, Edition 2023, withdrawn ones included, by id."""
    return _grundschutz()[0]


def _walk(controls: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for c in controls:
        yield c
        yield from _walk(c.get("controls", ()))


def _walk_groups(groups: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for g in groups:
        yield from _walk(g.get("controls", ()))
        yield from _walk_groups(g.get("groups", ()))


@cache
def _gspp() -> _Parsed:
    catalog = _json(GSPP_CATALOG_FILE)["catalog"]
    controls = {
        c["id"]: Control(GSPP, c["id"], c["title"], title_de=c["title"])
        for c in _walk_groups(catalog["groups"])
    }
    return _Parsed(_head(catalog), controls)


def gspp_kernel() -> dict[str, Control]:
    """The Grundschutz++ Kernel catalog's controls (German titles), by id."""
    return _gspp().controls


def gspp_kernel_metadata() -> Mapping[str, Any]:
    metadata: Mapping[str, Any] = _gspp().head["metadata"]
    return metadata


def _targets(name: str, source_of: Any) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for mapping in _json(name)["mapping-collection"]["mappings"]:
        for entry in mapping["maps"]:
            targets = [t["id-ref"] for t in entry.get("targets", ())]
            for source in entry.get("sources", ()):
                found[source_of(source["id-ref"])].update(targets)
    return {k: frozenset(v) for k, v in found.items()}


@cache
def gspp_targets() -> dict[ControlRef, frozenset[str]]:
    """Grundschutz 2023 requirement or Annex A control -> Grundschutz++ target ids, as the
    BSI's mapping collections state them (Kompendium parts such as ``NET.1.1.A4-UA.1`` are
    folded into their requirement). Targets outside the Kernel catalog are kept here and
    dropped by :meth:`Catalogue.gspp_for`."""
    result: dict[ControlRef, frozenset[str]] = {}
    for req, ids in _targets(ITGS_MAPPING_FILE, lambda ref: ref.split("-UA")[0]).items():
        result[ControlRef(GRUNDSCHUTZ, req)] = ids
    for iso, ids in _targets(ISO_MAPPING_FILE, lambda ref: ref).items():
        result[ControlRef(ISO, iso)] = ids
    return result


class UnknownControl(ReportgenError):
    """A rule names a control that the standards data does not have, or that is withdrawn."""


def lookup(ref: ControlRef) -> Control:
    """The control with its official titles (and level); raise for unknown or withdrawn ids."""
    if ref.framework == ISO:
        control = iso_annex_a().get(ref.id)
        if control is None:
            raise UnknownControl(f"{ref.id} is not an ISO/IEC 27001:2022 Annex A control")
        return control
    if ref.framework == GRUNDSCHUTZ:
        req = grundschutz_index().get(ref.id)
        if req is None:
            raise UnknownControl(f"{ref.id} is not a requirement of the Kompendium 2023")
        if req.withdrawn:
            raise UnknownControl(f"{ref.id} is withdrawn (ENTFALLEN) in the Kompendium 2023")
        return Control(GRUNDSCHUTZ, req.id, req.title, title_de=req.title, level=req.level)
    if ref.framework == GSPP:
        control = gspp_kernel().get(ref.id)
        if control is None:
            raise UnknownControl(f"{ref.id} is not a control of the Grundschutz++ Kernel")
        return control
    raise UnknownControl(f"unknown framework {ref.framework!r} for {ref.id}")


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The controls in scope (every control a rule maps to), with titles from the data."""

    controls: tuple[Control, ...]

    def get(self, ref: ControlRef) -> Control:
        for control in self.controls:
            if control.framework == ref.framework and control.id == ref.id:
                return control
        raise KeyError(f"{ref.framework} {ref.id}")

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, ControlRef) and any(c.ref == ref for c in self.controls)

    @staticmethod
    def gspp_for(refs: Iterable[ControlRef]) -> tuple[ControlRef, ...]:
        """Grundschutz++ Kernel controls the BSI maps ``refs`` to, sorted, Kernel ids only."""
        kernel = gspp_kernel()
        targets = gspp_targets()
        ids = {t for ref in refs for t in targets.get(ref, ()) if t in kernel}
        return tuple(ControlRef(GSPP, i) for i in sorted(ids, key=_natural))

    @property
    def label(self) -> str:
        """The versions reports print: the BSI data the titles come from."""
        kernel = gspp_kernel_metadata()
        return (
            f"ISO/IEC 27001 Annex A catalog {iso_catalog_version()}; IT-Grundschutz-Kompendium "
            f"Edition 2023; Grundschutz++ Kernel {str(kernel.get('version', ''))[:10]}"
        )


def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in text.replace("-", ".").split("."))


def load_catalogue(refs: Iterable[ControlRef]) -> Catalogue:
    """The catalogue of ``refs`` (ISO first, then Grundschutz, each in natural id order)."""
    unique = sorted(set(refs), key=lambda r: (FRAMEWORKS.index(r.framework), _natural(r.id)))
    return Catalogue(controls=tuple(lookup(ref) for ref in unique))


# --- the shipped OSCAL catalogs as documents (for renderers that reference them) -------------

DATA_LICENCE = "CC BY-SA 4.0"
DATA_LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"
_UPSTREAM = "https://github.com/BSI-Bund/Stand-der-Technik-Bibliothek/blob/"
_CATALOG_UPSTREAM: dict[str, tuple[str, str]] = {
    ISO_CATALOG_FILE: (
        ISO,
        "7ea208493289285cc30e3843365ec8048b4eb822/control_layer/ISO27001/"
        "ISO27001-AnnexA-catalog.json",
    ),
    GSPP_CATALOG_FILE: (
        GSPP,
        "47de2824a341812438ef3f044b3f65ce2cad6e32/control_layer/Grundschutz++/sources/catalogs/"
        "Kernel/BSI-Stand-der-Technik-Kernel-catalog.json",
    ),
}
"""Where each shipped catalog was copied from (the commits of SOURCES.md; a test compares)."""


@dataclass(frozen=True, slots=True)
class CatalogDocument:
    """One of the BSI's OSCAL catalogs shipped in ``data/``, as a document to cite: its own
    uuid, metadata and document ids, the file's SHA-256, where it came from, its licence."""

    framework: str
    file: str
    uuid: str
    title: str
    version: str
    published: str
    last_modified: str
    oscal_version: str
    document_ids: tuple[tuple[str, str], ...]
    """(scheme, identifier) pairs, as the catalog's metadata states them."""
    sha256: str
    url: str
    licence: str = DATA_LICENCE
    licence_url: str = DATA_LICENCE_URL


@cache
def oscal_catalogs() -> tuple[CatalogDocument, ...]:
    """The ISO/IEC 27001 Annex A and Grundschutz++ Kernel catalogs, in that order."""
    heads = {ISO_CATALOG_FILE: _iso().head, GSPP_CATALOG_FILE: _gspp().head}
    found = []
    for name, (framework, path) in _CATALOG_UPSTREAM.items():
        catalog = heads[name]
        meta = catalog["metadata"]
        found.append(
            CatalogDocument(
                framework=framework,
                file=name,
                uuid=catalog["uuid"],
                title=meta["title"],
                version=str(meta.get("version", "")),
                published=str(meta.get("published", "")),
                last_modified=str(meta.get("last-modified", "")),
                oscal_version=str(meta.get("oscal-version", "")),
                document_ids=tuple(
                    (str(d.get("scheme", "")), str(d["identifier"]))
                    for d in meta.get("document-ids", ())
                ),
                sha256=data_digest(name),
                url=_UPSTREAM + path,
            )
        )
    return tuple(found)


@cache
def grundschutz_index_source() -> Mapping[str, str]:
    """What the Kompendium 2023 index was extracted from (title, file, sha256, note), and the
    index file's own SHA-256 as ``index_sha256``."""
    source = dict(_grundschutz()[1])
    source["index_file"] = GRUNDSCHUTZ_FILE
    source["index_sha256"] = data_digest(GRUNDSCHUTZ_FILE)
    return source
