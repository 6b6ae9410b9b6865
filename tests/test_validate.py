from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.checks import CODES
from reportgen.config import Config
from reportgen.model import Matrix, Severity
from reportgen.validate import validate

from .conftest import FIXTURES, parse_file


def found(matrix: Matrix, config: Config) -> set[tuple[str, int, int]]:
    return {
        (d.code, d.location.line, d.location.column) for d in validate(matrix, config).diagnostics
    }


def test_real_defects_of_v0_21_11_are_reported(matrix: Matrix, config: Config) -> None:
    report = validate(matrix, config)
    by_code = {(d.code, d.flow_id, d.location.line) for d in report.diagnostics}
    # 10.2 is used twice: the second row (line 61) is the duplicate
    assert ("duplicate-flow-id", "10.2", 61) in by_code
    # 16.2 is HTTPS with no flags
    assert ("secure-protocol-without-c", "16.2", 76) in by_code
    # masterdata-api is 8443 in 2.2 and 8080 in 3.3
    assert ("inconsistent-destination", "3.3", 41) in by_code
    # `internet` vs `Internet` in 12.5
    assert ("zone-spelling", "12.5", 68) in by_code
    # metal-db is reached without C in 2.1 and with C in 3.2
    assert ("inconsistent-destination", "3.2", 40) in by_code
    assert report.errors == 1  # only the duplicate id is an error
    assert not report.valid


def test_diagnostic_locations_point_at_the_cell(matrix: Matrix, config: Config) -> None:
    report = validate(matrix, config)
    spelled = next(d for d in report.diagnostics if d.code == "zone-spelling")
    line = Path(matrix.source.path).read_text().splitlines()[spelled.location.line - 1]
    assert line[spelled.location.column - 1 :].startswith("internet")
    assert spelled.hint == "write 'Internet'"


def test_output_is_sorted_and_every_code_is_declared(matrix: Matrix, config: Config) -> None:
    report = validate(matrix, config)
    locations = [d.location for d in report.diagnostics]
    assert locations == sorted(locations)
    assert all(d.code in CODES and d.severity is CODES[d.code].severity for d in report.diagnostics)


def test_defects_fixture(config: Config) -> None:
    codes = found(parse_file(FIXTURES / "defects.md", config), config)
    assert {
        ("legend-missing-key", 7, 4),
        ("technology-outside-section", 11, 3),
        ("header-legend-mismatch", 15, 86),
        ("unknown-flag-value", 17, 64),
        ("unknown-flag-value", 17, 68),
        ("unknown-flag-value", 17, 74),
        ("unknown-zone", 18, 13),
        ("malformed-port", 18, 69),
        ("plaintext-protocol-with-c", 18, 76),
        ("flow-id-gap", 19, 3),
        ("port-out-of-range", 19, 67),
        ("malformed-port", 20, 67),
        ("flow-id-gap", 21, 3),
        ("column-count", 21, 92),
        ("column-count", 22, 39),
        ("empty-cell", 22, 9),
    } <= codes


def test_unknown_flag_names_the_token(config: Config) -> None:
    report = validate(parse_file(FIXTURES / "defects.md", config), config)
    messages = [d.message for d in report.diagnostics if d.code == "unknown-flag-value"]
    assert any("'X'" in m for m in messages)
    assert any("'yes'" in m for m in messages)
    assert any("'✓'" in m for m in messages)


def test_unknown_zone_has_a_did_you_mean_hint(config: Config) -> None:
    report = validate(parse_file(FIXTURES / "defects.md", config), config)
    zone = next(d for d in report.diagnostics if d.code == "unknown-zone")
    assert zone.hint == "did you mean 'Metal Control Plane'?"
    era = validate(parse_file(FIXTURES / "mkdocs-era.md", config), config)
    shoot = next(d for d in era.diagnostics if d.code == "unknown-zone")
    assert shoot.hint == "did you mean 'Shoot Cluster'?"


def test_mkdocs_era_fixture(config: Config) -> None:
    codes = {c for c, _l, _c in found(parse_file(FIXTURES / "mkdocs-era.md", config), config)}
    assert {
        "empty-flow-id",
        "duplicate-flow-id",
        "flow-id-gap",
        "zone-alias",
        "unknown-zone",
    } <= codes


def test_missing_legend(config: Config, tmp_path: Path) -> None:
    text = (FIXTURES / "missing-column.md").read_text()
    body = text.split("## Plain metal-stack", 1)[1].replace("| Purpose |", "| Trust |")
    body = body.replace("| x | p |", "| x | x |")
    path = tmp_path / "nolegend.md"
    path.write_text("# No legend\n\n## Plain metal-stack" + body)
    report = validate(parse_file(path, config, "nolegend.md"), config)
    assert [d.code for d in report.diagnostics if d.severity is Severity.ERROR] == [
        "legend-missing"
    ]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "no-matrix"),
        (b"# Title\n\nJust prose.\n", "no-matrix"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary-content"),
        ("# Caf\u00e9\n".encode("latin-1"), "not-utf8"),
    ],
)
def test_garbage_gives_one_clear_error(content: bytes, code: str, config: Config) -> None:
    from reportgen.parse import parse

    report = validate(parse(content, "junk.md", config), config)
    assert [d.code for d in report.diagnostics] == [code]
    assert report.diagnostics[0].location.path == "junk.md"


def test_not_utf8_points_at_the_bad_byte(config: Config) -> None:
    from reportgen.parse import parse

    report = validate(parse(b"# ok\n\nab\xffc\n", "bad.md", config), config)
    d = report.diagnostics[0]
    assert (d.code, d.location.line, d.location.column) == ("not-utf8", 3, 3)
    assert "0xff" in d.message
