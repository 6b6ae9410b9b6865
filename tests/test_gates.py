"""The CI gates through the command line: the triage file's risk decisions, and gates that
never pass on input they could not read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.assess.triage import TriageError, parse_triage
from reportgen.cli import main

from .conftest import ROOT

SOURCE = ROOT / "source" / "communication-matrix.md"
CONFIG = ROOT / "source" / "report.toml"
FINDING = "PROTO-CLEAR-CROSS:10.2~2"  # Medium: IPMI from management into the Machine zone


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the shipped source and config, so a test can add a triage file beside it."""
    shutil.copy(SOURCE, tmp_path / "communication-matrix.md")
    shutil.copy(CONFIG, tmp_path / "report.toml")
    return tmp_path


def triage(folder: Path, body: str) -> Path:
    path = folder / "findings.toml"
    path.write_text(body, encoding="utf-8")
    return path


def accepted(expires: str, finding: str = FINDING) -> str:
    return f"""# risk decisions
[[finding]]
id = "{finding}"
status = "accepted"
owner = "network team"
justification = "IPMI runs on a dedicated out-of-band network."
decided_by = "Jane Doe (ISO)"
decided_on = 2026-11-01
expires = {expires}
"""


def gate(folder: Path, level: str = "medium", epoch: str = "1795000000") -> tuple[int, str, str]:
    # SOURCE_DATE_EPOCH 1795000000 is 2026-11-18: the day expiries are judged on
    runner = CliRunner(env={"SOURCE_DATE_EPOCH": epoch})
    result = runner.invoke(
        main, ["assess", str(folder / "communication-matrix.md"), "--fail-on", level]
    )
    return result.exit_code, result.stdout, result.stderr


def test_without_a_triage_file_the_medium_gate_trips(checkout: Path) -> None:
    code, _, err = gate(checkout)
    assert code == 1
    assert "11 finding(s) at or above medium" in err


def test_accepted_findings_with_a_future_expiry_do_not_trip_the_gate(checkout: Path) -> None:
    medium = [
        "AUTH-OUTBOUND:1.3", "PROTO-CLEAR-CROSS:10.2~2", "PROTO-CLEAR-CROSS:12.4",
        "PROTO-CLEAR-CROSS:13.2", "PROTO-CLEAR-CROSS:S2.1", "PROTO-CLEAR-CROSS:S4.1",
        "ROUTING-NOAUTH:S4.1", "AUTH-OUTBOUND:G3.3", "MGMT-EXPOSED:1.1", "MGMT-EXPOSED:8.1",
        "MGMT-EXPOSED:S3.1",
    ]  # fmt: skip
    triage(checkout, "".join(accepted("2027-06-30", f) for f in medium))
    code, out, err = gate(checkout)
    assert code == 0, err
    assert f"{FINDING} (accepted)" in out
    assert "risk decision in force" in err
    code, _, err = gate(checkout, epoch="1800000000")  # 2027-01-15: still before the expiry
    assert code == 0, err


def test_the_same_acceptance_past_its_expiry_trips_the_gate(checkout: Path) -> None:
    triage(checkout, accepted("2026-11-10"))
    code, _, err = gate(checkout)
    assert code == 1
    assert f"the accepted decision on {FINDING} expired on 2026-11-10" in err
    assert "findings.toml:2:1:" in err  # the entry's [[finding]] line


def test_one_acceptance_leaves_the_other_findings_in_the_gate(checkout: Path) -> None:
    triage(checkout, accepted("2027-06-30"))
    code, _, err = gate(checkout)
    assert code == 1
    assert "10 finding(s) at or above medium" in err


def test_a_stale_entry_warns(checkout: Path) -> None:
    triage(checkout, accepted("2027-06-30", "CLEAR-LOCAL:99.9"))
    code, _, err = gate(checkout, level="high")
    assert code == 0
    assert "findings.toml:2:1: warning triage-stale: the triage entry for CLEAR-LOCAL:99.9" in err


@pytest.mark.parametrize(
    ("body", "where", "problem"),
    [
        ('[[finding]]\nid = "X:1"\nstatus = "waived"\n', ":3:1:", "status 'waived'"),
        ('\n\n[[finding]]\nid = "MGMT-EXPOSED:1.1"\ndue = "soon"\n', ":5:1:", "due must be a date"),
        ('[[finding]]\nid = "MGMT-EXPOSED:1.1"\nstatus = "accepted"\n', ":3:1:", "needs"),
        ('[[finding]]\nid = "MGMT-EXPOSED:1.1"\n  colour = "red"\n', ":3:3:", "unknown key"),
        ('[[finding]]\nstatus = "open"\n', ":1:1:", "id must be a finding id"),
        ('[[finding]]\nid = "A:1"\n[[finding]]\nid = "A:1"\n', ":4:1:", "second entry"),
        ("[[finding]\nid = 1\n", ":1:", "not valid TOML"),
    ],
)
def test_a_malformed_entry_names_its_line(
    checkout: Path, body: str, where: str, problem: str
) -> None:
    path = triage(checkout, body)
    code, out, err = gate(checkout)
    assert code == 2
    assert out == ""
    assert f"{path.name}{where}" in err
    assert problem in err
    with pytest.raises(TriageError):
        parse_triage(body, "findings.toml")


def test_the_shipped_triage_file_holds_no_decision() -> None:
    shipped = ROOT / "source" / "findings.toml"
    assert parse_triage(shipped.read_text(encoding="utf-8"), str(shipped)).entries == {}


# --- gates on input that could not be read ------------------------------------------------


def unreadable(tmp_path: Path) -> dict[str, Path]:
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"# Matrix\n\x00\x01\x02 not text\n")
    renamed = tmp_path / "renamed.md"
    lines = SOURCE.read_text(encoding="utf-8").split("\n")
    sonic_header = next(i for i, line in enumerate(lines) if line.startswith("| No.") and i > 90)
    assert "| Auth |" in lines[sonic_header]
    lines[sonic_header] = lines[sonic_header].replace("| Auth |", "| Signed |")
    renamed.write_text("\n".join(lines), encoding="utf-8")
    return {"empty": empty, "binary": binary, "renamed": renamed}


@pytest.mark.parametrize(
    ("name", "code"),
    [("empty", "no-matrix"), ("binary", "binary-content"), ("renamed", "missing-column")],
)
def test_assess_gate_fails_on_unreadable_input(tmp_path: Path, name: str, code: str) -> None:
    path = unreadable(tmp_path)[name]
    exit_code, _, err = run("assess", str(path), "--config", str(CONFIG), "--fail-on", "high")
    assert exit_code == 1
    assert f"error {code}:" in err
    assert "the source was not read in full, so the gate fails" in err
    exit_code, _, _ = run(
        "assess", str(path), "--config", str(CONFIG), "--fail-on", "high", "--allow-unreadable"
    )
    assert exit_code == 0


def test_the_renamed_header_skips_the_sonic_rows(tmp_path: Path) -> None:
    path = unreadable(tmp_path)["renamed"]
    _, _, err = run("assess", str(path), "--config", str(CONFIG), "--fail-on", "high")
    assert "its 9 row(s) are skipped" in err


@pytest.mark.parametrize(("name", "code"), [("empty", "no-matrix"), ("renamed", "missing-column")])
def test_diff_gate_fails_on_unreadable_input(tmp_path: Path, name: str, code: str) -> None:
    path = unreadable(tmp_path)[name]
    exit_code, _, err = run(
        "diff", str(SOURCE), str(path), "--config", str(CONFIG), "--fail-on", "regression"
    )
    assert exit_code == 1
    assert f"error {code}:" in err
    exit_code, _, _ = run(
        "diff", str(SOURCE), str(path), "--config", str(CONFIG), "--fail-on", "regression",
        "--allow-unreadable",
    )  # fmt: skip
    assert exit_code == 0


def test_a_readable_source_passes_the_gates() -> None:
    assert run("assess", str(SOURCE), "--fail-on", "high")[0] == 0
    assert run("diff", str(SOURCE), str(SOURCE), "--fail-on", "regression")[0] == 0
