"""The report's languages: catalogs, --lang, the config default, locale formatting."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from reportgen import i18n
from reportgen.build import language_name, load, render_all
from reportgen.cli import main
from reportgen.config import parse_config
from reportgen.errors import ConfigError

from .conftest import SOURCE

LOCALE = Path(i18n.__file__).resolve().parent / "locale"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_committed_mo_is_the_compiled_po(lang: str) -> None:
    """The .mo reportgen loads is committed; it must be what `scripts/i18n.sh compile`
    makes of the .po today (a stale one would print yesterday's texts)."""
    folder = LOCALE / lang / "LC_MESSAGES"
    with (folder / "reportgen.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    assert (folder / "reportgen.mo").read_bytes() == compiled.getvalue(), (
        f"run scripts/i18n.sh compile: the {lang} .mo does not match its .po"
    )


def test_every_german_msgid_is_translated_and_none_is_fuzzy() -> None:
    with (LOCALE / "de" / "LC_MESSAGES" / "reportgen.po").open("rb") as handle:
        catalog = read_po(handle, locale="de")
    missing = [
        m.id
        for m in catalog
        if m.id and (not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing, f"untranslated in de: {missing[:10]}"
    assert not fuzzy, f"fuzzy in de: {fuzzy[:10]}"


def test_the_pot_lists_what_the_catalogs_translate() -> None:
    """Each language's .po holds exactly the msgids of the .pot (`scripts/i18n.sh update`)."""
    with (LOCALE.parent / "reportgen.pot").open("rb") as handle:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    for lang in i18n.LANGUAGES:
        with (LOCALE / lang / "LC_MESSAGES" / "reportgen.po").open("rb") as handle:
            ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
        assert ids == template, f"run scripts/i18n.sh update ({lang})"


def test_languages_parse_in_order_and_refuse_unknown_ones() -> None:
    assert i18n.parse_languages("de, en,de") == ("de", "en")
    assert i18n.parse_languages(["en"]) == ("en",)
    with pytest.raises(ValueError, match="fr"):
        i18n.parse_languages("fr")
    with pytest.raises(ValueError, match="no language"):
        i18n.parse_languages(" , ")


def test_the_config_default_language() -> None:
    assert parse_config("").document.lang == ("en",)
    assert parse_config('[document]\nlang = "de"').document.lang == ("de",)
    assert parse_config('[document]\nlang = ["de", "en"]').document.lang == ("de", "en")
    with pytest.raises(ConfigError, match=r"document\.lang: unknown language 'fr'"):
        parse_config('[document]\nlang = "fr"')
    with pytest.raises(ConfigError, match=r"document\.lang"):
        parse_config("[document]\nlang = 3")


def test_dates_and_numbers_follow_the_locale() -> None:
    moment = datetime(2025, 11, 24, 16, 0, tzinfo=UTC)
    assert i18n.format_date(moment, "de") == "24. November 2025"
    assert i18n.format_date(moment, "en") == "24 November 2025"
    assert i18n.format_number(12345.5, "de") == "12.345,5"
    assert i18n.format_number(12345.5, "en") == "12,345.5"
    assert i18n.format_datetime(moment, "de") == "24.11.2025, 16:00:00 UTC"


def test_file_names_carry_the_language_when_several_are_built() -> None:
    assert language_name("pdf", "MST-SEC-CM-v0.21.11.pdf", "de") == "MST-SEC-CM-v0.21.11.de.pdf"
    assert language_name("xlsx", "plain.xlsx", "en") == "plain.en.xlsx"
    assert language_name("markdown", "index.md", "de") == "de/index.md"


def test_render_all_writes_each_language_apart_and_json_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    data = load(SOURCE)
    both = render_all(data, ["json", "markdown"], langs=("de", "en"))
    assert "findings.json" in both["json"]
    assert not any(".de." in n or ".en." in n for n in both["json"])
    assert {n.split("/")[0] for n in both["markdown"]} == {"de", "en"}
    single = render_all(data, ["markdown"], langs=("de",))
    assert "index.md" in single["markdown"]


def test_cli_lang_option_validates(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["build", str(SOURCE), "--out", str(tmp_path), "--formats", "json", "--lang", "fr"]
    )
    assert result.exit_code == 2
    assert "--lang" in result.output and "fr" in result.output


def english_leaks(text: str, data_text: str) -> list[str]:
    """The English template texts (msgids of the catalog, cut at their placeholders) that
    appear in ``text``: a fragment counts when it has at least three words, its German
    translation differs, and it is not also in the data (source, config) a report quotes."""
    import re

    with (LOCALE / "de" / "LC_MESSAGES" / "reportgen.po").open("rb") as handle:
        catalog = read_po(handle, locale="de")

    def squeeze(s: str) -> str:
        return re.sub(r"\s+", " ", s).strip()

    page, data = squeeze(text), squeeze(data_text)
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        raw = message.string or ""
        strings = (raw,) if isinstance(raw, str) else tuple(raw)
        for msgid in ids:
            for fragment in re.split(r"%\(\w+\)[sd]", msgid):
                fragment = squeeze(fragment).strip(" .,:;()")
                if len(fragment.split()) < 3 or any(fragment in s for s in strings):
                    continue
                if fragment in page and fragment not in data:
                    found.append(fragment)
    return found


def test_the_leak_finder_finds_an_english_sentence() -> None:
    assert english_leaks("Vorwort. What a documentation review can show: wenig.", "") == [
        "What a documentation review can show"
    ]
    assert english_leaks("Was eine Dokumentenprüfung zeigen kann", "") == []


@pytest.mark.slow
def test_the_german_pdf_prints_no_english_template_text(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from reportgen.render import RenderOptions
    from reportgen.render.pdf import render

    from .pdf_support import CONFIG, load_report_data

    data = load_report_data()
    (payload,) = render(data, RenderOptions(lang="de", jobs=1)).values()
    target = tmp_path / "de.pdf"
    target.write_bytes(payload)
    text = "\n".join(page.extract_text() or "" for page in PdfReader(target).pages)
    quoted = SOURCE.read_text(encoding="utf-8") + CONFIG.read_text(encoding="utf-8")
    quoted += " ".join(
        r.title + " " + r.rationale + " " + r.recommendation for r in data.assessment.rules
    )
    quoted += " ".join(f.evidence for f in data.assessment.findings)
    assert "Entwurf" in text and "Verzeichnis der Feststellungen" in text
    assert english_leaks(text, quoted) == []


def _template_cells(payload: bytes) -> dict[tuple[str, str], str]:
    """The cells a workbook's layout writes itself (not data): table and block headers (the
    header fills), sheet and block titles (their fonts), keyed by (sheet, coordinate)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(payload))
    found: dict[tuple[str, str], str] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or not cell.value.strip():
                    continue
                fill = (cell.fill.fgColor.rgb or "") if cell.fill is not None else ""
                font = cell.font
                header = str(fill).endswith(("1F3864", "D9E1F2"))
                title = bool(font and font.bold and font.sz in (11, 13))
                if header or title:
                    found[ws.title, cell.coordinate] = cell.value
    return found


@pytest.mark.slow
def test_the_german_workbook_prints_no_english_template_text() -> None:
    """Every header and title the German workbook prints differs from the English one, unless
    the catalog translates it to the same word (Status, Port, C, ...): a header or title that
    bypasses the catalog, or whose msgid has no German entry, fails here."""
    from reportgen.render import RenderOptions
    from reportgen.render.xlsx import COMBINED_NAME, render

    from .pdf_support import load_report_data

    with (LOCALE / "de" / "LC_MESSAGES" / "reportgen.po").open("rb") as handle:
        catalog = read_po(handle, locale="de")
    same = {m.id for m in catalog if isinstance(m.id, str) and m.id == m.string}
    data = load_report_data()
    name = f"{COMBINED_NAME}.xlsx"
    english = _template_cells(render(data, RenderOptions(lang="en"))[name])
    german = _template_cells(render(data, RenderOptions(lang="de"))[name])
    assert english.keys() == german.keys()
    assert len(english) > 50
    # The source's own column headers and section titles are data, not template text.
    quoted = SOURCE.read_text(encoding="utf-8")
    leaks = sorted(
        {
            text
            for key, text in english.items()
            if german[key] == text and text not in same and text not in quoted
        }
    )
    assert leaks == []
