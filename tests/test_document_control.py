"""Document control: the status is derived from recorded approvals (never invented), the
document version is apart from the release, one date source, the author from the config."""

# ruff: noqa: E501 (Markdown table rows)

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen.build import load
from reportgen.bundle import ReportData
from reportgen.config import parse_config
from reportgen.errors import ConfigError
from reportgen.render import RenderOptions
from reportgen.render.pdf import render

from .conftest import ROOT

DOCUMENT = """
[document]
title = "Toy report"
document_id = "TOY"
version = "0.2"
release = "v9.9"
author = "Example GmbH"
owner = "Example GmbH"

[[change]]
version = "0.1"
date = 2025-10-01
author = "Example GmbH"
description = "First draft."

[[change]]
version = "0.2"
author = "Example GmbH"
description = "Second draft."
"""
APPROVAL = """
[[approval]]
subject = "document"
name = "Erika Mustermann"
role = "Informationssicherheitsbeauftragte"
date = 2025-11-20
"""
MATRIX = """# Toy

**Legend**:

- `C`: Confidentiality.

## Plain metal-stack

| No. | Component | Source Zone | Protocol | Destination | Destination Zone | Port | C | I | Auth | Trust | Purpose | Notes |
| --- | --------- | ----------- | -------- | ----------- | ---------------- | ---- | - | - | ---- | ----- | ------- | ----- |
| 1.1 | metal-api | Metal Control Plane | HTTPS | masterdata-api | Metal Control Plane | 8443 | x | x | x | x | API | |
"""


def test_without_an_approval_the_document_is_a_draft() -> None:
    config = parse_config(DOCUMENT)
    assert config.document.status == "Draft"
    assert config.approvals == ()


def test_an_approval_of_the_document_releases_it() -> None:
    config = parse_config(DOCUMENT + APPROVAL)
    assert config.document.status == "Released"
    (approval,) = config.approvals_of("document")
    assert (approval.name, approval.date) == ("Erika Mustermann", "2025-11-20")


def test_an_approval_of_another_version_or_of_the_assumptions_does_not() -> None:
    other = APPROVAL + 'version = "0.1"\n'
    assert parse_config(DOCUMENT + other).document.status == "Draft"
    assumptions = APPROVAL.replace('"document"', '"assumptions"')
    config = parse_config(DOCUMENT + assumptions)
    assert config.document.status == "Draft"
    assert len(config.approvals_of("assumptions")) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[document]\nstatus = "Released"\n',
            r"document\.status: no longer configured: the status is derived",
        ),
        (
            '[document]\napprover = "security officer"\n',
            r"document\.approver: no longer configured",
        ),
        (
            APPROVAL.replace('name = "Erika Mustermann"', 'name = ""'),
            r"approval\[0\]\.name: must name a person",
        ),
        (APPROVAL.replace("date = 2025-11-20", ""), r"approval\[0\]\.date: is required"),
        (
            APPROVAL.replace("date = 2025-11-20", 'date = "soon"'),
            r"approval\[0\]\.date: must be a date",
        ),
        (APPROVAL.replace('"document"', '"everything"'), r"approval\[0\]\.subject"),
        (
            DOCUMENT.replace(
                'description = "Second draft."', 'description = "x"\ndate = 2025-11-01'
            ),
            r"change\[1\]\.date: leave it out for the current version",
        ),
    ],
)
def test_what_document_control_refuses(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(text)


def test_the_shipped_source_config_records_no_approval() -> None:
    config = parse_config((ROOT / "source" / "report.toml").read_text(encoding="utf-8"))
    assert config.approvals == ()
    assert config.document.status == "Draft"
    assert config.document.version != config.document.release


def _cover(tmp_path: Path, config_text: str, lang: str) -> tuple[ReportData, list[str]]:
    (tmp_path / "report.toml").write_text(config_text, encoding="utf-8")
    source = tmp_path / "toy.md"
    source.write_text(MATRIX, encoding="utf-8")
    data = load(source)
    data = replace(data, build=replace(data.build, build_time=datetime(2025, 11, 24, tzinfo=UTC)))
    (payload,) = render(data, RenderOptions(lang=lang)).values()
    pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(payload)).pages]
    return data, pages


@pytest.mark.slow
def test_the_cover_says_draft_until_an_approval_is_recorded(tmp_path: Path) -> None:
    _, pages = _cover(tmp_path, DOCUMENT, "en")
    cover, signoff = pages[0], pages[-1]
    assert re.search(r"Status\s+Draft", cover)
    assert re.search(r"Document version\s+0\.2", cover)
    assert re.search(r"Release under review\s+v9\.9", cover)
    assert re.search(r"Author\s+Example GmbH", cover)
    assert "Generated with" in cover and "reportgen" in cover
    assert "Nobody: no approval is recorded." in cover
    assert "No approval is recorded: this document is a draft." in signoff
    # one date source: the cover and the current version's change entry print the build date
    assert cover.count("24 November 2025") == 1
    assert "0.2 24 November 2025" in re.sub(r"\s+", " ", pages[1])
    assert "1 October 2025" in pages[1]

    _, approved = _cover(tmp_path, DOCUMENT + APPROVAL, "de")
    assert re.search(r"Status\s+Freigegeben", approved[0])
    assert "Erika Mustermann (Informationssicherheitsbeauftragte, 20. November 2025)" in re.sub(
        r"\s+", " ", approved[0]
    )
    assert "Erika Mustermann" in approved[-1]
