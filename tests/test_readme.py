"""The README's generated tables are in step with the code's declarations."""

from __future__ import annotations

from reportgen.checks import codes_markdown

from .conftest import ROOT


def between(text: str, name: str) -> str:
    start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
    return text.split(start, 1)[1].split(end, 1)[0]


def test_diagnostics_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert between(readme, "diagnostics") == codes_markdown(), (
        "README diagnostics table is stale: paste reportgen.checks.codes_markdown()"
    )


def test_readme_starts_with_the_two_commands_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    first_block = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line for line in first_block.splitlines() if line and not line.startswith("#")]
    assert commands == [
        "scripts/setup.sh && reportgen build",
        "scripts/setup.sh --test && python3 -m pytest -q",
    ]
    assert commands[1] in ci.splitlines()
