"""Renderers: one module per output format behind one small interface.

A renderer is ``render(data: ReportData, options: RenderOptions) -> dict[str, bytes]``: it maps
file names (relative to the format's output folder, built from slugs and ids only) to their
bytes. It never parses Markdown, reads the source, or fetches anything; packaged templates
and fonts are the only files it may read. Modules are imported lazily, so ``reportgen
validate`` never pays for pandas, openpyxl or WeasyPrint.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

from ..bundle import ReportData
from ..i18n import DEFAULT_LANGUAGE

Rendered = dict[str, bytes]


@dataclass(frozen=True, slots=True)
class RenderOptions:
    templates: Path | None = None
    """A folder whose files override the packaged templates of the same name."""
    jobs: int = 1
    """Worker processes a renderer may use (the PDF lays its parts out in parallel)."""
    pool: Executor | None = field(default=None, compare=False, repr=False)
    """A process pool of ``jobs`` workers to use instead of starting one (``render_all``
    owns it, so that an interrupt stops the workers)."""
    html_done: threading.Event | None = field(default=None, compare=False, repr=False)
    """Set by the PDF renderer once its HTML is written and every part is on its way to the
    workers (``render_all`` waits for it before it renders the other formats in the same
    process, so that they do not slow the HTML down: they share one interpreter lock)."""
    lang: str = DEFAULT_LANGUAGE
    """The language to write in (one of :data:`reportgen.i18n.LANGUAGES`): the renderer
    translates with ``reportgen.i18n.translations(lang)`` and formats dates and numbers for
    it. ``build`` renders once per language and names the files apart."""


Renderer = Callable[[ReportData, RenderOptions], Rendered]

RENDERERS: dict[str, str] = {
    "json": "reportgen.render.json_",
    "markdown": "reportgen.render.markdown",
    "xlsx": "reportgen.render.xlsx",
    "pdf": "reportgen.render.pdf",
    "oscal": "reportgen.render.oscal",
}
"""Format name -> module providing ``render``; the format name is also the output folder."""


def get_renderer(name: str) -> Renderer:
    module = importlib.import_module(RENDERERS[name])
    renderer: Renderer = module.render
    return renderer
