"""build: JSON outputs against their schema, determinism, atomic writes, provenance."""

from __future__ import annotations

import json
import pickle
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reportgen.build import build, build_time, load, write_outputs
from reportgen.bundle import ReportData
from reportgen.errors import OutputError
from reportgen.provenance import git_provenance, strip_credentials
from reportgen.render import RenderOptions

from .conftest import SOURCE, SOURCE_MAIN

EPOCH = "1759881600"  # 2025-10-08T00:00:00Z


@pytest.fixture(scope="module")
def data(monkeypatch_module: pytest.MonkeyPatch) -> ReportData:
    return load(SOURCE)


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    patch = pytest.MonkeyPatch()
    patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    yield patch
    patch.undo()


def test_json_outputs_validate_against_the_schema(data: ReportData, tmp_path: Path) -> None:
    written = build(data, tmp_path, ["json"]).written
    names = sorted(w.path.relative_to(tmp_path).as_posix() for w in written)
    assert names == [
        "json/diagnostics.json",
        "json/findings.json",
        "json/records.json",
        "json/records.schema.json",
        "json/statistics.json",
        "manifest.json",
    ]
    records = json.loads((tmp_path / "json/records.json").read_text())
    schema = json.loads((tmp_path / "json/records.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(records, schema)
    assert [len(s["flows"]) for s in records["sections"]] == [52, 9, 13, 3, 6]
    assert sum(len(s["technologies"]) for s in records["sections"]) == 21
    assert records["source"]["sha256"] == data.matrix.source.sha256
    flow = records["sections"][0]["flows"][0]
    assert flow["location"] == {"path": "source/communication-matrix.md", "line": 27, "column": 3}
    assert flow["source_zone"] == {
        "text": "Internet",
        "canonical": "Internet",
        "trust_class": "untrusted",
    }


def test_schema_rejects_a_broken_record(data: ReportData, tmp_path: Path) -> None:
    build(data, tmp_path, ["json"])
    records = json.loads((tmp_path / "json/records.json").read_text())
    schema = json.loads((tmp_path / "json/records.schema.json").read_text())
    records["sections"][0]["flows"][0]["confidentiality"] = "yes"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(records, schema)


def test_diagnostics_json_matches_validate(data: ReportData, tmp_path: Path) -> None:
    build(data, tmp_path, ["json"])
    items = json.loads((tmp_path / "json/diagnostics.json").read_text())
    assert [(d["code"], d["line"]) for d in items] == [
        (d.code, d.location.line) for d in data.report.diagnostics
    ]


def test_records_of_both_shipped_versions_differ_only_in_the_vpn_link(
    data: ReportData, tmp_path: Path
) -> None:
    other = load(SOURCE_MAIN)
    build(data, tmp_path / "a", ["json"])
    build(other, tmp_path / "b", ["json"])
    a = json.loads((tmp_path / "a/json/records.json").read_text())["sections"]
    b = json.loads((tmp_path / "b/json/records.json").read_text())["sections"]

    def strip(sections: list[dict[str, object]]) -> str:
        return json.dumps(sections).replace(SOURCE_MAIN.name, SOURCE.name)

    assert a != b
    vpn_a = next(t for t in a[1]["technologies"] if t["name"] == "VPN")
    vpn_b = next(t for t in b[1]["technologies"] if t["name"] == "VPN")
    for t in (vpn_a, vpn_b):
        t["notes"] = t["cells"] = None
    assert strip(a) == strip(b)


def test_same_epoch_gives_identical_bytes(data: ReportData, tmp_path: Path) -> None:
    build(data, tmp_path / "1", ["json"])
    build(load(SOURCE), tmp_path / "2", ["json"])
    for name in (
        "json/records.json",
        "json/findings.json",
        "json/statistics.json",
        "manifest.json",
    ):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_build_time_prefers_source_date_epoch(data: ReportData) -> None:
    assert build_time(data.matrix, {"SOURCE_DATE_EPOCH": EPOCH}) == datetime(
        2025, 10, 8, tzinfo=UTC
    )
    assert data.build.build_time == datetime(2025, 10, 8, tzinfo=UTC)
    assert data.build.release == "v0.21.11"


def test_a_failed_write_keeps_earlier_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs(out, {"json": {"a.json": b"old-a", "b.json": b"old-b"}})
    (out / "json" / "b.json").chmod(0o444)
    blocker = out / "json" / "c.json"
    blocker.mkdir()  # a folder where a file must go: the rename fails
    with pytest.raises(OutputError) as caught:
        write_outputs(out, {"json": {"a.json": b"new-a", "c.json": b"new-c"}})
    assert "c.json: cannot write" in str(caught.value)
    assert (out / "json" / "a.json").read_bytes() == b"new-a"  # complete, not half-written
    assert (out / "json" / "b.json").read_bytes() == b"old-b"
    assert not [p for p in (out / "json").iterdir() if p.name.endswith(".tmp")]


def test_unsafe_names_are_refused(tmp_path: Path) -> None:
    from reportgen.build import _checked_name

    for name in ("../escape.json", "/abs.json", "a/../../b", ".hidden", "a\\b"):
        with pytest.raises(OutputError):
            _checked_name("json", name)


def test_git_provenance(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    page = repo / "page.md"
    page.write_text("# x\n")
    env = {
        "GIT_AUTHOR_DATE": "2025-10-08T12:00:00Z",
        "GIT_COMMITTER_DATE": "2025-10-08T12:00:00Z",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "PATH": "/usr/bin:/bin",
    }
    for args in (
        ["init", "-q"],
        ["add", "page.md"],
        ["commit", "-qm", "x"],
        ["remote", "add", "origin", "https://user:secret@example.invalid/docs.git"],
    ):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env)
    found = git_provenance(page)
    assert found is not None
    assert found.repository == "https://example.invalid/docs.git"
    assert found.commit_time == datetime(2025, 10, 8, 12, tzinfo=UTC)
    assert found.tag is None  # no tag yet
    subprocess.run(["git", "-C", str(repo), "tag", "v1.2.0"], check=True, env=env)
    tagged = git_provenance(page)
    assert tagged is not None and (tagged.tag, tagged.commit) == ("v1.2.0", found.commit)
    page.write_text("# changed\n")
    assert git_provenance(page) is None  # a modified file is not what the commit holds
    assert git_provenance(tmp_path / "nowhere" / "x.md") is None


def test_strip_credentials() -> None:
    assert strip_credentials("https://tok@host/x") == "https://host/x"
    assert strip_credentials("git@github.com:org/repo.git") == "git@github.com:org/repo.git"


@pytest.mark.parametrize(
    ("path", "version"),
    [
        ("source/communication-matrix.main-36d217a.md", "main-36d217a"),
        ("x/communication-matrix.v0.21.11.md", "v0.21.11"),
        (
            "versioned_docs/version-v0.21.11/docs/06-For CISOs/04-communication-matrix.md",
            "v0.21.11",
        ),
        ("docs/v1.2.3-rc.1/matrix.md", "v1.2.3-rc.1"),
        ("source/communication-matrix.md", None),
        ("docs/environment-v2/matrix.md", None),
    ],
)
def test_version_from_path(path: str, version: str | None) -> None:
    from reportgen.build import version_from_path

    assert version_from_path(Path(path)) == version


def test_release_precedence(monkeypatch_module: pytest.MonkeyPatch) -> None:
    assert load(SOURCE_MAIN).build.release == "main-36d217a"  # the path, over the config
    assert load(SOURCE).build.release == "v0.21.11"  # the config
    stamped = load(SOURCE, release="v9.0.0")
    assert stamped.build.release == "v9.0.0"
    assert stamped.matrix.source.version is None  # the source itself does not say


@pytest.mark.slow
def test_pdf_in_its_own_process_gives_the_same_bytes(
    data: ReportData, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reportgen.build as build_module
    from reportgen.build import render_all

    # The other formats wait until the PDF's HTML is written and its parts are sent.
    events: list[threading.Event | None] = []
    seen: list[tuple[str, list[bool]]] = []
    real = build_module._render_one

    def watched(fmt: str, data: ReportData, options: RenderOptions) -> dict[str, bytes]:
        if fmt == "pdf":
            events.append(options.html_done)
        else:
            seen.append((fmt, [e is not None and e.is_set() for e in events]))
        return real(fmt, data, options)

    monkeypatch.setattr(build_module, "_render_one", watched)
    apart = render_all(data, ["json", "pdf"], jobs=2)
    assert seen == [("json", [True])]
    here = render_all(data, ["json", "pdf"], jobs=1)
    assert list(apart) == ["json", "pdf"]
    assert apart == here


def test_a_broken_user_template_is_a_clear_error_from_either_process(
    data: ReportData, tmp_path: Path
) -> None:
    from reportgen.build import render_all
    from reportgen.errors import RenderError

    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "report.html").write_text("<html>{% for x in %}</html>\n")
    for jobs in (1, 2):
        with pytest.raises(RenderError) as caught:
            render_all(data, ["json", "pdf"], templates=tmp_path, jobs=jobs)
        assert str(caught.value) == (
            f"pdf: template error: {tmp_path / 'pdf' / 'report.html'}:1: "
            "Expected an expression, got 'end of statement block'"
        )


def test_a_renderer_that_cannot_load_is_a_clear_error(
    data: ReportData, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reportgen.render as render
    from reportgen.build import render_all
    from reportgen.errors import RenderError

    def missing(name: str) -> object:
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(render, "get_renderer", missing)
    with pytest.raises(RenderError) as caught:
        render_all(data, ["pdf"], jobs=1)
    assert str(caught.value).startswith(
        "pdf: the renderer cannot be loaded: cannot load library 'libpango-1.0-0'; install"
    )


def test_a_parallel_pdf_that_cannot_load_is_a_clear_error(
    data: ReportData, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on a machine without Pango, with workers: the parts module's import fails.
    from reportgen.build import render_all
    from reportgen.errors import RenderError

    from .pdf_support import without_weasyprint

    without_weasyprint(monkeypatch)
    with pytest.raises(RenderError) as caught:
        render_all(data, ["json", "pdf"], jobs=2)
    assert str(caught.value).startswith("pdf: the renderer cannot be loaded:")


def _fresh_python(code: str) -> str:
    """What ``code`` prints in a fresh interpreter, with the shipped source as ``argv[1]``."""
    import sys

    done = subprocess.run(
        [sys.executable, "-c", code, str(SOURCE)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_a_build_without_the_pdf_does_not_import_weasyprint() -> None:
    code = (
        "import sys; from reportgen.build import load, render_all; "
        "render_all(load(sys.argv[1]), ['json', 'markdown'], jobs=2); "
        "print('weasyprint' in sys.modules)"
    )
    assert _fresh_python(code) == "False"


@pytest.mark.slow
def test_the_workbooks_render_in_the_pdf_workers_after_its_parts(
    data: ReportData, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With workers, the workbooks go to the PDF's pool, queued behind every part it sent
    (``WORKER_FORMATS``); the bytes are those rendered here."""
    from reportgen.build import _render_pickled, render_all
    from reportgen.render.pdf import parts

    sent: list[str] = []
    real = parts.LazyPool.submit

    def watched(self: parts.LazyPool, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        sent.append(f"{fn.__name__}:{args[0]}" if fn is _render_pickled else fn.__name__)
        return real(self, fn, *args, **kwargs)

    monkeypatch.setattr(parts.LazyPool, "submit", watched)
    apart = render_all(data, ["json", "xlsx", "pdf"], jobs=2)
    assert sent.count("_render_pickled:xlsx") == 1
    workbooks = sent.index("_render_pickled:xlsx")
    assert sent[:workbooks].count("lay_out_one") >= 3  # two body parts and the attachments
    assert set(sent[:workbooks]) == {"lay_out_one"}
    assert set(sent[workbooks + 1 :]) == {"lay_out_last", "lay_out_stamps"}
    sent.clear()
    here = render_all(data, ["json", "xlsx", "pdf"], jobs=1)
    assert sent == []
    assert list(apart) == ["json", "xlsx", "pdf"]
    assert apart == here


UNREADABLE = b"cno_such_module_reportgen\nGone\n)R."
"""A pickle of a class no process has (as one a notebook defined after the workers were
forked)."""


def test_data_a_worker_cannot_read_is_rendered_here() -> None:
    from reportgen.build import _render_pickled
    from reportgen.render import RenderOptions

    with pytest.raises(ModuleNotFoundError):
        pickle.loads(UNREADABLE)
    assert _render_pickled("xlsx", UNREADABLE, RenderOptions()) is None


@pytest.mark.slow
@pytest.mark.parametrize("blob", [None, UNREADABLE], ids=["does-not-pickle", "unreadable"])
def test_workbooks_of_data_that_does_not_travel_render_here(
    data: ReportData, monkeypatch: pytest.MonkeyPatch, blob: bytes | None
) -> None:
    """Data that does not pickle is not sent; data a worker cannot read comes back as None
    and is rendered here. Either way the workbooks are the same, and the PDF is not hurt."""
    import reportgen.build as build_module
    from reportgen.build import render_all

    here = render_all(data, ["xlsx", "pdf"], jobs=1)
    monkeypatch.setattr(build_module, "_pickled", lambda data: blob)
    assert render_all(data, ["xlsx", "pdf"], jobs=2) == here


def test_a_pdf_without_observed_traffic_does_not_import_the_capture_readers() -> None:
    """The PDF's chapter on observed traffic, and the capture readers below it, are imported
    only for a build with ``--observed``: at the start of every other PDF they cost
    0.06-0.08 s before the first part could go to a worker."""
    code = (
        "import sys; from reportgen.build import load; from reportgen.render import "
        "RenderOptions; from reportgen.render.pdf.context import MAIN_TEMPLATE, "
        "LazyAttachments, html_stream; data = load(sys.argv[1]); "
        "html = ''.join(html_stream(data, RenderOptions(), LazyAttachments(data), "
        "MAIN_TEMPLATE)); assert 'Document control' in html; "
        "print(sorted(m for m in ('dpkt', 'reportgen.verify', 'reportgen.render.verify_formats')"
        " if m in sys.modules))"
    )
    assert _fresh_python(code) == "[]"
