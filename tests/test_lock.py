"""Reproducible installs: constraints.txt pins every dependency exactly, and scripts/setup.sh
installs with it and waits for another package manager's apt lock, within a limit."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from .conftest import ROOT

CONSTRAINTS = ROOT / "constraints.txt"
SETUP = ROOT / "scripts" / "setup.sh"
LOCK_MESSAGE = "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)"


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line)
        assert match, f"constraints.txt: {line!r} is not an exact pin"
        found[canonical(match.group(1))] = match.group(2)
    return found


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in ("test", "docs"):
        requirements += project["optional-dependencies"][extra]
    names = (re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", r) for r in requirements)
    return {canonical(m.group(0)) for m in names if m}


def test_every_declared_dependency_is_pinned_exactly() -> None:
    missing = declared() - set(pins())
    assert not missing, f"not in constraints.txt (run scripts/lock.sh): {sorted(missing)}"


def test_the_pinned_linters_match_the_test_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    test_extra = {
        canonical(r.split("==")[0]): r.split("==")[1]
        for r in project["optional-dependencies"]["test"]
        if "==" in r
    }
    assert set(test_extra) >= {"ruff", "mypy"}
    for name, version in test_extra.items():
        assert pins()[name] == version, name


def fake_tools(folder: Path, apt_failures: int) -> None:
    """Stand-ins on PATH for the system tools setup.sh calls: dpkg-query (nothing installed),
    apt-get (refused by a held lock ``apt_failures`` times, then fine), sleep (no waiting)
    and python3 (records the pip command line)."""
    folder.mkdir()
    scripts = {
        "dpkg-query": "exit 1\n",
        "apt-get": (
            'echo "apt-get $*" >> "$FAKE_LOG"\n'
            'n=$(cat "$FAKE_STATE" 2>/dev/null || echo 0); echo $((n + 1)) > "$FAKE_STATE"\n'
            f'if [ "$n" -lt {apt_failures} ]; then echo "{LOCK_MESSAGE}" >&2; exit 100; fi\n'
        ),
        "sleep": 'echo "sleep $*" >> "$FAKE_LOG"\n',
        "python3": 'echo "python3 $*" >> "$FAKE_LOG"\n',
        "sudo": 'exec "$@"\n',
    }
    for name, body in scripts.items():
        path = folder / name
        path.write_text("#!/bin/sh\n" + body)
        path.chmod(0o755)


def run_setup(tmp_path: Path, apt_failures: int, wait: int) -> tuple[int, list[str], str]:
    bin_dir = tmp_path / "bin"
    fake_tools(bin_dir, apt_failures)
    log = tmp_path / "calls.log"
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "FAKE_LOG": str(log),
        "FAKE_STATE": str(tmp_path / "state"),
        "APT_LOCK_WAIT": str(wait),
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        ["bash", str(SETUP), "--test"], env=env, capture_output=True, text=True, timeout=60
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return done.returncode, calls, done.stderr


def test_setup_waits_for_the_apt_lock_then_installs_with_the_constraints(
    tmp_path: Path,
) -> None:
    code, calls, err = run_setup(tmp_path, apt_failures=2, wait=600)
    assert code == 0, err
    apt = [c for c in calls if c.startswith("apt-get")]
    assert len(apt) == 4  # update refused twice, update, install
    assert all("-o DPkg::Lock::Timeout=600" in c for c in apt)
    assert apt[2].endswith("update -qq") and " install -y " in apt[3]
    assert calls.count("sleep 5") == 2
    assert err.count("another package manager holds the apt lock; waiting") == 2
    pip = [c for c in calls if c.startswith("python3")]
    assert pip[-1] == (
        "python3 -m pip install --quiet --disable-pip-version-check -c constraints.txt -e .[test]"
    )


def test_setup_gives_up_after_the_limit_naming_the_lock(tmp_path: Path) -> None:
    code, calls, err = run_setup(tmp_path, apt_failures=99, wait=0)
    assert code != 0
    assert LOCK_MESSAGE in err
    assert "setup: apt-get update -qq failed" in err
    assert not any(c.startswith("python3") for c in calls)  # nothing installed after it


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="CI installs from constraints.txt")
def test_ci_installed_the_pinned_versions() -> None:
    from importlib.metadata import PackageNotFoundError, version

    wrong = {}
    for name, pinned in pins().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            continue
        if installed != pinned:
            wrong[name] = (pinned, installed)
    assert not wrong
