"""The auditor's PDF report: Jinja2 templates + CSS rendered by WeasyPrint as PDF/A-3b.

``render(data, options)`` returns ``{"<document-id>-<version>.pdf": bytes}``. The package is
split by job, and its modules import only downwards in this list:

- ``assembly``: data -> HTML -> parts laid out -> one PDF (``render``, ``write_pdf``,
  ``changes_pdf``);
- ``context``: the view model the templates see, and the Jinja2 environment (autoescaped);
- ``diagram``: the zone flow diagram;
- ``parts``: cutting the HTML into parts, laying them out in worker processes, joining them
  with pikepdf;
- ``fetcher``: the URL fetcher that serves the packaged templates and fonts, nothing else.
"""

from __future__ import annotations

from .assembly import Assembled, assemble, changes_pdf, render, write_pdf
from .context import attachments, environment, pdf_name, safe_name, user_folder
from .fetcher import PDF_TEMPLATES, TEMPLATES_ROOT, TemplateFetcher

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
