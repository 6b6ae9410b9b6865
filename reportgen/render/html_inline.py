"""A cell's inline Markdown as HTML (for the PDF): links as ``<a>``, code as ``<code>``,
everything else escaped. The spans come from :mod:`reportgen.inline`, as for the workbooks and
the site, so all outputs show a cell alike."""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from ..inline import Kind, spans


def inline_html(text: str, base_url: str = "") -> Markup:
    parts: list[Markup] = []
    for span in spans(text, base_url):
        if span.kind is Kind.LINK:
            parts.append(Markup('<a href="{}">{}</a>').format(span.href, span.text))
        elif span.kind is Kind.CODE:
            parts.append(Markup("<code>{}</code>").format(span.text))
        else:
            parts.append(escape(span.text))
    return Markup("").join(parts)


@pass_context
def inline_filter(context: Context, text: Any) -> Markup:
    """Jinja filter ``inline``: relative links resolve against the ``doc`` in the template's
    context (``[document] docs_base_url``)."""
    if text is None:
        return Markup("")
    base = getattr(context.get("doc"), "docs_base_url", "")
    return inline_html(str(text), base if isinstance(base, str) else "")
