"""WeasyPrint's user-agent style sheet without the rules for footnotes and notes, for the
documents of the packaged templates, which have neither.

Five rules of WeasyPrint's sheet (70) style pseudo-elements of footnotes and notes
(``::footnote-call``, ``::footnote-marker``, ``::note-call``, ``::note-marker``,
``::note-callback``). Their selectors match every element, so WeasyPrint computes five
pseudo-element styles for each element of a document. It reads them only for an element
whose ``float`` is ``footnote`` or whose ``position`` is ``note()``: about 0.06 s of
the 1.3 s layout of a 24-page part of a 100-flow report, for styles nobody reads.

A document that mentions neither ``footnote`` nor ``note(`` anywhere, in its text or its
style sheets, can have no such element, and is laid out with the sheet without those rules.
Its computed styles, and so its bytes, are the same (tests/test_pdf_useragent.py).
"""

from __future__ import annotations

import functools
import re
from typing import Any

NOTE_RULES = 5
"""The rules for the pseudo-elements of footnotes and notes in WeasyPrint's sheet."""

_NOTE_RULE = re.compile(r"^::(?:footnote|note)-[a-z-]+ \{[^{}\n]*\}\n", re.MULTILINE)
_NOTES = re.compile(r"footnote|note\(", re.IGNORECASE)


def may_have_notes(document: str) -> bool:
    """Whether ``document`` (its HTML with its ``<style>``) could place a footnote or a note:
    it mentions one, in any letter case."""
    return _NOTES.search(document) is not None


def without_notes_text(sheet: str) -> str | None:
    """``sheet`` (WeasyPrint's user-agent style sheet) without its ``NOTE_RULES`` rules for
    the pseudo-elements of footnotes and notes; None unless it has exactly those."""
    pruned, removed = _NOTE_RULE.subn("", sheet)
    return pruned if removed == NOTE_RULES else None


@functools.cache
def _sheet_without_notes() -> Any | None:
    """The parsed sheet (once per process), or None where WeasyPrint's is not as expected.
    Its ``@counter-style`` rules go to a counter-style set of their own: WeasyPrint takes a
    document's counter styles from its own sheet's set (``HTML._ua_counter_style``)."""
    from weasyprint import CSS
    from weasyprint import html as weasyprint_html
    from weasyprint.css.counters import CounterStyle

    own = getattr(weasyprint_html, "UA", None)  # the text WeasyPrint parses its sheet from
    text = without_notes_text(own) if isinstance(own, str) else None
    return None if text is None else CSS(string=text, counter_style=CounterStyle())


def use_without_notes(html: Any) -> bool:
    """Have WeasyPrint lay out ``html`` (its ``HTML``) with the sheet without the rules for
    footnotes and notes (not with forms, which WeasyPrint lays out only when asked to).
    False, and ``html`` unchanged, where WeasyPrint's sheet is not as expected."""
    sheet = _sheet_without_notes()
    own = getattr(type(html), "_ua_stylesheets", None)
    if sheet is None or own is None:
        return False

    def stylesheets(forms: bool = False) -> list[Any]:
        return [sheet] if not forms else list(own(html, forms))

    html._ua_stylesheets = stylesheets
    return True
