"""The control catalogue: ISO/IEC 27001:2022 Annex A (from the BSI's OSCAL file, shipped
unmodified), BSI IT-Grundschutz requirements and BSI C5:2020 criteria (from ``controls.toml``).

Nothing here types a control title by hand: Annex A titles come from the BSI catalog, the
others from the data file. Both files ship in the package (``reportgen/assess/data``).
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ..errors import ReportgenError
from ..model import Control, ControlRef

ISO = "iso27001"
GRUNDSCHUTZ = "grundschutz"
C5 = "c5"
FRAMEWORKS: tuple[str, ...] = (ISO, GRUNDSCHUTZ, C5)
"""Framework keys in the order reports list them."""

ISO_CATALOG_FILE = "ISO27001-AnnexA-catalog.json"
CONTROLS_FILE = "controls.toml"
GRUNDSCHUTZ_LEVELS: dict[str, str] = {"B": "Basis", "S": "Standard", "H": "erhöht"}


@dataclass(frozen=True, slots=True)
class Framework:
    key: str
    name: str
    edition: str


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The controls in scope, in framework order then as listed in the data file."""

    version: str
    frameworks: tuple[Framework, ...]
    controls: tuple[Control, ...]
    iso_catalog_version: str

    def get(self, ref: ControlRef) -> Control:
        for control in self.controls:
            if control.framework == ref.framework and control.id == ref.id:
                return control
        raise KeyError(f"{ref.framework} {ref.id}")

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, ControlRef) and any(c.ref == ref for c in self.controls)

    def framework(self, key: str) -> Framework:
        for fw in self.frameworks:
            if fw.key == key:
                return fw
        raise KeyError(key)

    @property
    def label(self) -> str:
        """The version string reports print: ours plus the BSI catalog's."""
        return f"{self.version} (ISO/IEC 27001 Annex A catalog {self.iso_catalog_version})"


def _data(name: str) -> bytes:
    return resources.files("reportgen.assess").joinpath("data", name).read_bytes()


@cache
def iso_annex_a() -> tuple[Control, ...]:
    """All 93 Annex A controls from the BSI's OSCAL catalog: id, English and German title."""
    try:
        catalog = json.loads(_data(ISO_CATALOG_FILE))["catalog"]
    except (OSError, ValueError, KeyError) as exc:  # a broken installation
        raise ReportgenError(f"cannot read the packaged {ISO_CATALOG_FILE}: {exc}") from exc
    controls: list[Control] = []
    for group in catalog["groups"]:
        for raw in group["controls"]:
            de = next((p["value"] for p in raw.get("props", ()) if p["name"] == "de-title"), "")
            controls.append(Control(ISO, raw["id"], raw["title"], title_de=de))
    return tuple(controls)


@cache
def iso_catalog_version() -> str:
    version: str = json.loads(_data(ISO_CATALOG_FILE))["catalog"]["metadata"]["version"]
    return version


def _entries(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ReportgenError(f"{CONTROLS_FILE}: [[{key}]] must be an array of tables")
    return value


@cache
def load_catalogue() -> Catalogue:
    """The catalogue shipped in the package (read once)."""
    data = tomllib.loads(_data(CONTROLS_FILE).decode("utf-8"))
    annex = {c.id: c for c in iso_annex_a()}
    controls: list[Control] = []
    for entry in _entries(data, ISO):
        base = annex.get(entry["id"])
        if base is None:
            raise ReportgenError(f"{CONTROLS_FILE}: {entry['id']} is not an Annex A control")
        controls.append(
            Control(ISO, base.id, base.title, base.title_de, description=entry["description"])
        )
    for entry in _entries(data, GRUNDSCHUTZ):
        if entry["level"] not in GRUNDSCHUTZ_LEVELS:
            raise ReportgenError(f"{CONTROLS_FILE}: {entry['id']}: level must be B, S or H")
        controls.append(
            Control(
                GRUNDSCHUTZ,
                entry["id"],
                entry["title"],
                entry["title_de"],
                level=entry["level"],
                description=entry["description"],
            )
        )
    for entry in _entries(data, C5):
        controls.append(
            Control(
                C5, entry["id"], entry["title"], entry["title_de"], description=entry["description"]
            )
        )
    frameworks = tuple(
        Framework(key, data["frameworks"][key]["name"], data["frameworks"][key]["edition"])
        for key in FRAMEWORKS
    )
    return Catalogue(
        version=str(data["version"]),
        frameworks=frameworks,
        controls=tuple(controls),
        iso_catalog_version=iso_catalog_version(),
    )
