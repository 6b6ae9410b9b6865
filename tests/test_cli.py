"""The CLI as a user meets it: exit codes, exact output, garbage input, lazy imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import main

from .conftest import ROOT


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "reportgen", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_validate_real_source_exits_1_on_the_duplicate_id() -> None:
    code, out, err = invoke("validate", "source/communication-matrix.md")
    assert code == 1
    lines = out.splitlines()
    assert (
        "source/communication-matrix.md:61:3: error duplicate-flow-id: flow id 10.2 is used again "
        "(first at line 60: metal-bmc -> nsq); this one (metal-bmc -> machine BMC) is reported "
        "as 10.2~2 (hint: renumber one of them)"
    ) in lines
    assert err.strip() == "1 error, 10 warnings, 12 notes in 1 file"


def test_validate_exact_text_output(snapshot: object) -> None:
    code, out, _err = invoke("validate", "tests/fixtures/mkdocs-era.md")
    assert code == 1
    assert out == snapshot


def test_warnings_pass_unless_strict() -> None:
    path = "tests/fixtures/reordered.md"
    assert invoke("validate", path)[0] == 0
    assert invoke("validate", path, "--strict")[0] == 1


def test_json_format_has_the_documented_fields() -> None:
    code, out, _ = invoke("validate", "tests/fixtures/defects.md", "--format", "json")
    assert code == 1
    items = json.loads(out)
    assert {"code", "severity", "message", "path", "line", "column", "flow_id"} <= set(items[0])
    port = next(i for i in items if i["code"] == "port-out-of-range")
    assert (port["path"], port["line"], port["column"], port["flow_id"]) == (
        "tests/fixtures/defects.md",
        19,
        67,
        "1.5",
    )


def test_github_format_escapes_and_annotates() -> None:
    code, out, _ = invoke("validate", "source/communication-matrix.md", "--format", "github")
    assert code == 1
    assert (
        "::error file=source/communication-matrix.md,line=61,col=3,title=duplicate-flow-id::"
        "flow id 10.2 is used again" in out
    )
    assert all(
        line.startswith(("::error ", "::warning ", "::notice ")) for line in out.splitlines()
    )


def test_several_sources_and_explicit_config() -> None:
    code, _out, err = invoke(
        "validate",
        "tests/fixtures/reordered.md",
        "source/communication-matrix.md",
        "--config",
        "source/report.toml",
    )
    assert code == 1
    assert err.strip().endswith("in 2 files")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("validate", "no/such/file.md"), "no/such/file.md: cannot read the source"),
        (("validate", "--format", "xml"), "Invalid value for '--format'"),
        (("validate", "source", "--config", "source/report.toml"), "source: not a file"),
        (("build", "--formats", "json,docx"), "unknown format(s) docx"),
    ],
)
def test_usage_errors_and_unreadable_input_exit_2(args: tuple[str, ...], message: str) -> None:
    code, out, err = invoke(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in out + err


def test_broken_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "report.toml"
    bad.write_text('[document]\ntitle = "x"\nsubtitle = "y"\n')
    code, _out, err = invoke("validate", "source/communication-matrix.md", "--config", str(bad))
    assert code == 2
    assert f"{bad}: document.subtitle: unknown key" in err


@pytest.mark.parametrize(
    ("name", "content", "expected_code", "expected_exit"),
    [
        ("binary.md", bytes(range(256)) * 4, "binary-content", 1),
        ("empty.md", b"", "no-matrix", 1),
        ("latin1.md", "| Zone | Café |\n".encode("latin-1"), "not-utf8", 1),
    ],
)
def test_garbage_in_a_subprocess_never_tracebacks(
    tmp_path: Path, name: str, content: bytes, expected_code: str, expected_exit: int
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    done = run("validate", str(path), "--format", "json")
    assert done.returncode == expected_exit, done.stderr
    assert "Traceback" not in done.stderr
    assert [d["code"] for d in json.loads(done.stdout)] == [expected_code]


def test_a_20_mb_file_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    row = "| 1.1 | a | Internet | HTTPS | b | Internet | 443 | x | x | x | | p | n |\n"
    with path.open("w") as handle:
        handle.write(row * (20 * 1024 * 1024 // len(row) + 1))
    done = run("validate", str(path))
    assert done.returncode == 2
    assert "refused: the file is" in done.stderr and "over the limit of 10,485,760" in done.stderr
    assert "Traceback" not in done.stderr


def test_validate_does_not_import_heavy_libraries() -> None:
    probe = (
        "import sys\n"
        "from reportgen.cli import main\n"
        "try:\n"
        "    main(['validate', 'source/communication-matrix.md'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('pandas', 'openpyxl', 'weasyprint', 'jinja2') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert "HEAVY=\n" in done.stdout, done.stdout + done.stderr


def test_help_has_examples() -> None:
    for command in ("validate", "build", "assess"):
        code, out, _ = invoke(command, "--help")
        assert code == 0
        assert "Examples:" in out and f"reportgen {command}" in out


def test_assess_register_and_fail_on_gate() -> None:
    code, out, err = invoke("assess")
    assert code == 0
    assert (
        "source/communication-matrix.md:102:3: low DATASTORE-NOAUTH:S1.2: Data store reached "
        "without authentication."
    ) in out
    assert err.strip() == (
        "security findings: 0 high, 11 medium, 33 low; data-quality issues: 9; not assessed: "
        "18; flows with a Medium or High finding: 10"
    )
    assert invoke("assess", "--fail-on", "high")[0] == 0
    assert invoke("assess", "--fail-on", "medium")[0] == 1
    # not-assessed items never trip the gate; data-quality items are Info
    code, _, err = invoke("assess", "--fail-on", "info")
    assert code == 1
    assert "finding(s) at or above info without a risk decision in force" in err


def test_assess_json_lists_findings_with_controls() -> None:
    code, out, _ = invoke("assess", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    ids = {f["id"]: f for f in doc["findings"]}
    assert ids["AUTH-OUTBOUND:1.3"]["severity"] == "medium"
    assert ids["AUTH-OUTBOUND:1.3"]["kind"] == "security"
    assert {c["framework"] for c in ids["AUTH-OUTBOUND:1.3"]["controls"]} == {
        "iso27001",
        "grundschutz",
    }
    assert ids["AUTH-OUTBOUND:1.3"]["gspp"]
    assert ids["AUTH-OUTBOUND:1.3"]["triage"]["status"] == "open"
    assert doc["counts"] == {
        "security": {"high": 0, "medium": 11, "low": 33},
        "data_quality": 9,
        "not_assessed": 18,
        "flows_with_medium_or_high": 10,
        "security_with_decision_in_force": 0,
    }
    statuses = {c["status"] for c in doc["controls"]}
    assert statuses <= {"contradicted", "not-contradicted", "not-assessable", "not-applicable"}
    assert all(a["approved_by"] is None for a in doc["assumptions"])


def test_an_interrupt_exits_130_and_says_what_was_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import reportgen.render.json_ as json_renderer

    def interrupted(*_args: object) -> dict[str, bytes]:
        raise KeyboardInterrupt

    monkeypatch.setattr(json_renderer, "render", interrupted)
    code, _out, err = invoke("build", "--out", str(tmp_path), "--formats", "json", "--quiet")
    assert code == 130
    assert "interrupted; no output was half-written" in err
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("args", "forked", "expected"),
    [
        (["--jobs", "2"], True, ["fork 2", "load", "build", "stopped"]),
        (["--jobs", "2"], False, ["fork 2", "server", "load", "build", "stopped"]),
        (["--jobs", "1"], True, ["load", "build", "stopped"]),
    ],
)
def test_build_starts_the_pdf_workers_before_it_reads_the_source(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: list[str],
    forked: bool,
    expected: list[str],
) -> None:
    """With workers, the PDF's workers are forked from the command's process first thing
    (``parts.prefork``); where they cannot be, the fork server is started instead, to import
    WeasyPrint while the source is read."""
    import reportgen.build as build_module
    import reportgen.render.forkserver as forkserver
    import reportgen.render.pdf.parts as parts

    events: list[str] = []
    real_load = build_module.load

    def load(*a: object, **k: object) -> object:
        events.append("load")
        return real_load(*a, **k)  # type: ignore[arg-type]

    def prefork(jobs: int) -> bool:
        events.append(f"fork {jobs}")
        return forked

    monkeypatch.setattr(parts, "prefork", prefork)
    monkeypatch.setattr(forkserver, "start_fork_server", lambda: events.append("server"))
    monkeypatch.setattr(forkserver, "stop_fork_server", lambda: events.append("stopped"))
    monkeypatch.setattr(build_module, "load", load)

    def build(*a: object, **k: object) -> dict[str, object]:
        events.append("build")
        return {}

    monkeypatch.setattr(build_module, "build", build)
    monkeypatch.chdir(ROOT)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["build", "--quiet", "--formats", "pdf", "--out", str(out), *args]
    )
    assert result.exit_code == 0, result.output
    assert events == expected
