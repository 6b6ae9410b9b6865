"""The report's languages: gettext catalogs (managed with Babel) and locale formatting.

Every text a renderer prints is an English msgid wrapped in ``_()`` / ``ngettext()`` (Python)
or ``{% trans %}`` / ``_()`` (Jinja2 templates, through ``jinja2.ext.i18n``). The catalogs are
``locale/<lang>/LC_MESSAGES/reportgen.po``; the compiled ``.mo`` beside each is committed, so
a fresh clone and ``pip install`` need no build step (``tests/test_i18n.py`` fails when a
``.mo`` is older than its ``.po``). How to extract, update and compile: ``README.md`` here.

Dates and numbers are formatted per locale with Babel; the one date every output prints is
``BuildInfo.build_time`` (SOURCE_DATE_EPOCH, else the source's commit time, else now).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from ..errors import ReportgenError

if TYPE_CHECKING:
    import jinja2

DOMAIN = "reportgen"
LANGUAGES: tuple[str, ...] = ("en", "de")
"""The languages reportgen ships a catalog for; English is the source language."""
DEFAULT_LANGUAGE = "en"

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a msgid for extraction without translating it here (module-level tables); the
    renderer translates it with the report's language when it prints it."""
    return message


def parse_languages(value: str | Iterable[str]) -> tuple[str, ...]:
    """``"de,en"`` or ``["de", "en"]`` -> ``("de", "en")``; ValueError for an unknown one.
    Order is kept, duplicates dropped."""
    items = value.split(",") if isinstance(value, str) else list(value)
    chosen: list[str] = []
    for item in items:
        lang = item.strip().lower()
        if not lang:
            continue
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; reportgen has {', '.join(LANGUAGES)}")
        if lang not in chosen:
            chosen.append(lang)
    if not chosen:
        raise ValueError(f"no language given; use one or more of {', '.join(LANGUAGES)}")
    return tuple(chosen)


def catalog_path(lang: str) -> str:
    """The ``.mo`` file of a language, relative to this package."""
    return f"locale/{lang}/LC_MESSAGES/{DOMAIN}.mo"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` (``gettext.GNUTranslations``)."""
    if lang not in LANGUAGES:
        raise ReportgenError(f"no catalog for language {lang!r}")
    try:
        data = resources.files(__name__).joinpath(catalog_path(lang)).read_bytes()
    except OSError as exc:
        raise ReportgenError(
            f"the {lang} catalog ({catalog_path(lang)}) is missing: reinstall reportgen"
        ) from exc
    return gettext.GNUTranslations(io.BytesIO(data))


def locale_name(lang: str) -> str:
    """The Babel locale of a report language."""
    return {"en": "en_GB", "de": "de_DE"}.get(lang, lang)


def format_date(moment: date | datetime | str, lang: str) -> str:
    """A date as the locale writes it in prose: ``24. November 2025``, ``24 November 2025``;
    an ISO date string is read first (a string that is not one is printed as it is)."""
    from babel.dates import format_date as babel_date

    if isinstance(moment, str):
        try:
            day = date.fromisoformat(moment.strip())
        except ValueError:
            return moment
    else:
        day = moment.date() if isinstance(moment, datetime) else moment
    return babel_date(day, format="long", locale=locale_name(lang))


def format_datetime(moment: datetime, lang: str) -> str:
    """A UTC time as the locale writes it (``24.11.2025, 16:00:00 UTC``)."""
    from babel.dates import format_datetime as babel_datetime

    text = babel_datetime(moment, format="medium", tzinfo=UTC, locale=locale_name(lang))
    return f"{text} UTC"


def format_number(value: float, lang: str) -> str:
    """A number with the locale's grouping and decimal sign (``1.234,5`` in German)."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale_name(lang))


def install(env: jinja2.Environment, lang: str) -> None:
    """Give a renderer's Jinja2 environment the language: ``jinja2.ext.i18n`` with the
    catalog (newstyle gettext, so ``_("%(n)s flows", n=3)`` formats and escapes; trimmed
    ``{% trans %}`` blocks, as ``pybabel extract`` reads them), ``lang`` as a global, and the
    filters ``date`` and ``number`` that format per locale."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(  # type: ignore[attr-defined]
        translations(lang), newstyle=True
    )
    env.globals["lang"] = lang
    env.filters["date"] = lambda moment: format_date(moment, lang)
    env.filters["datetime"] = lambda moment: format_datetime(moment, lang)
    env.filters["number"] = lambda value: format_number(value, lang)
