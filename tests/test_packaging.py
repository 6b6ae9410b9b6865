"""The wheel's package list in pyproject.toml names every package of the source tree, and the
house templates are found where reportgen.resources looks for them."""

from __future__ import annotations

import tomllib
from pathlib import Path

from reportgen.resources import templates_root

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_for_the_wheel() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in ROOT.glob("reportgen/**/__init__.py")
    }
    assert on_disk <= listed, f"add to [tool.setuptools] packages: {sorted(on_disk - listed)}"
    assert setuptools["package-dir"]["reportgen.templates"] == "templates"


def test_the_templates_are_the_top_level_folder_in_a_checkout() -> None:
    root = templates_root()
    assert root == ROOT / "templates"
    for sub in ("pdf/report.html", "markdown", "fonts/DejaVuSans.ttf"):
        assert (root / sub).exists(), sub
