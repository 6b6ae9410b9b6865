from __future__ import annotations

import pytest

from reportgen.config import Config, ZoneMatch, parse_config
from reportgen.errors import ConfigError


def test_shipped_config(config: Config) -> None:
    assert config.document.document_id == "MST-SEC-CM"
    assert config.resolve_zone("internet") == ("Internet", ZoneMatch.SPELLING)
    assert config.resolve_zone("Switch") == ("Switches", ZoneMatch.ALIAS)
    assert config.resolve_zone("Leaf Switches") == ("Switches", ZoneMatch.ALIAS)
    assert config.resolve_zone("Metal Control Plane") == ("Metal Control Plane", ZoneMatch.EXACT)
    assert config.resolve_zone("Mars") == (None, ZoneMatch.UNKNOWN)
    assert config.trust_class("Internet") == "untrusted"
    assert config.trust_class("Shoot Cluster") == "tenant"
    assert config.trust_class("Mars") == "untrusted"  # unknown zones are not trusted


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[document]\ntitel = "x"\n', "report.toml: document.titel: unknown key"),
        ('colour = "red"\n', "report.toml: colour: unknown key"),
        ('[[zone]]\nname = "A"\nclass = "friendly"\n', "zone[0].class: 'friendly' is not one of"),
        ('[[zone]]\nclass = "tenant"\n', "zone[0].name: is required"),
        (
            '[[zone]]\nname = "A"\nclass = "tenant"\naliases = "b"\n',
            "zone[0].aliases: must be a list",
        ),
        (
            '[[zone]]\nname = "A"\nclass = "tenant"\n[[zone]]\nname = "B"\nclass = "tenant"\n'
            'aliases = ["a"]\n',
            "zone[1].aliases: 'a' is already used by zone 'A'",
        ),
        ('[document]\ndocument_id = "../x"\n', "document.document_id: use letters"),
        ("[limits]\nmax_source_bytes = 0\n", "limits.max_source_bytes: must be a whole number"),
        ("[document\n", "report.toml: not valid TOML"),
        ("[document]\nversion = 3\n", "document.version: must be a string, not int"),
    ],
)
def test_bad_config_names_the_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "report.toml")
    assert message in str(caught.value)


def test_defaults_without_file() -> None:
    config = parse_config("")
    assert config.zones == ()
    assert config.document.document_id == "COMM-MATRIX"
    assert config.max_source_bytes == 10 * 1024 * 1024
