"""The auditor's PDF report: Jinja2 templates + CSS rendered by WeasyPrint as PDF/A-3b.

``render(data, options)`` returns ``{"<document-id>-<version>.pdf": bytes}``. The package is
split by job, and its modules import only downwards in this list:

- ``assembly``: data -> HTML -> parts laid out -> one PDF (``render``, ``write_pdf``,
  ``changes_pdf``);
- ``context``: the view model the templates see, and the Jinja2 environment (autoescaped);
- ``diagram``: the zone flow diagram;
- ``parts``: cutting the HTML into parts, laying them out in worker processes, joining them
  with pikepdf;
- ``fetcher``: the URL fetcher that serves the packaged templates and fonts, nothing else;
- ``library``: WeasyPrint's import, without the compiler runs of its library lookup.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .library import load

# WeasyPrint first, without its library lookup's compiler runs (``library``); the fetcher
# imports it. Importing this package fails, as it always did, where WeasyPrint cannot load
# (no Pango), which ``build.renderer_module`` reports.
load()
from .fetcher import PDF_TEMPLATES, TEMPLATES_ROOT, TemplateFetcher  # noqa: E402

if TYPE_CHECKING:
    from .assembly import Assembled, assemble, changes_pdf, render, write_pdf
    from .context import attachments, environment, pdf_name, safe_name, user_folder

_FROM = {
    **dict.fromkeys(("Assembled", "assemble", "changes_pdf", "render", "write_pdf"), "assembly"),
    **dict.fromkeys(
        ("attachments", "environment", "pdf_name", "safe_name", "user_folder"), "context"
    ),
}
"""Where the rest of the package's names come from. They are imported on first use (PEP
562), so that a PDF worker, which imports ``parts`` (through this package), does not import
the templates' Jinja environment and view model it never uses: the fork server that preloads
``parts`` is ready 0.15 s sooner."""


def __getattr__(name: str) -> Any:
    module = _FROM.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "PDF_TEMPLATES",
    "TEMPLATES_ROOT",
    "Assembled",
    "TemplateFetcher",
    "assemble",
    "attachments",
    "changes_pdf",
    "environment",
    "pdf_name",
    "render",
    "safe_name",
    "user_folder",
    "write_pdf",
]
