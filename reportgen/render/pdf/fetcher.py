"""The URL fetcher WeasyPrint gets: the packaged templates and fonts (and the user's templates
folder), nothing else.

A report never fetches a URL or reads a file outside those folders, whatever the source's cells
contain: ``TemplateFetcher`` refuses every other ``file:`` path and every network scheme.
Every part of the report is laid out with its own fetcher (``parts.lay_out``), which records
what it served and refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from ...resources import templates_root

TEMPLATES_ROOT = templates_root()
"""Packaged templates: ``pdf/`` (HTML + CSS) and ``fonts/`` (DejaVu, with licence)."""
PDF_TEMPLATES = TEMPLATES_ROOT / "pdf"
BASE_URL = PDF_TEMPLATES.as_uri() + "/"
"""The base URL of every part: relative URLs in the templates resolve inside ``pdf/``."""


class RefusedURL(ValueError):
    """A URL outside the templates folders; WeasyPrint logs it and carries on without it."""


class TemplateFetcher(URLFetcher):  # type: ignore[misc]
    """Serves ``file:`` URLs inside the packaged templates (or the user's folder), nothing else.

    A path inside the packaged ``pdf/`` folder is looked up in the user's folder first, so a
    user override of ``report.css`` or an image works the same way as one of a template.
    ``served`` and ``refused`` record what was asked for.
    """

    def __init__(self, user: Path | None = None) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.roots = tuple(p.resolve() for p in (TEMPLATES_ROOT, user) if p is not None)
        self.user = user.resolve() if user is not None else None
        self.served: list[str] = []
        self.refused: list[str] = []

    def resolve(self, url: str) -> Path | None:
        """The file a URL may be served from, or ``None`` when it is refused."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if self.user is not None and path.is_relative_to(PDF_TEMPLATES):
            candidate = (self.user / path.relative_to(PDF_TEMPLATES)).resolve()
            if candidate.is_relative_to(self.user) and candidate.is_file():
                return candidate
        if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
            return path
        return None

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self.resolve(url)
        if path is None:
            self.refused.append(url)
            raise RefusedURL(f"reportgen refuses to fetch {url!r}: not a packaged template file")
        self.served.append(url)
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {}, 200)
