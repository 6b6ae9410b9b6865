"""Where the house templates live, installed or in a source checkout.

The templates (PDF HTML/CSS, Markdown, fonts) sit in the repository's top-level
``templates/`` folder. The wheel maps that folder into the package as
``reportgen/templates`` (see ``[tool.setuptools.package-dir]`` in pyproject.toml); a source
checkout, an editable install included, reads it from the repository root.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .errors import ReportgenError

_PACKAGE = Path(__file__).resolve().parent


@cache
def templates_root() -> Path:
    """The folder holding ``pdf/``, ``markdown/`` and ``fonts/``."""
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent / "templates"):
        if (candidate / "pdf").is_dir():
            return candidate
    raise ReportgenError(
        "the packaged templates are missing (neither reportgen/templates nor the "
        "repository's templates/ folder exists): reinstall reportgen"
    )
