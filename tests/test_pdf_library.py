"""WeasyPrint's import without the compiler runs of its library lookup (render.pdf.library)."""

from __future__ import annotations

import ctypes.util
import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from reportgen.render.pdf import library

from .test_build import _fresh_python

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="load changes the import on Linux only"
)

# Run in a fresh interpreter: the programs the import starts, and the native libraries it maps.
_WATCH = textwrap.dedent(
    """
    import json, os, subprocess, sys
    started = []
    real = subprocess.Popen.__init__
    def watched(self, args, *rest, **kwargs):
        started.append(os.path.basename(str(args[0] if isinstance(args, (list, tuple)) else args)))
        return real(self, args, *rest, **kwargs)
    subprocess.Popen.__init__ = watched
    {imports}
    names = ("gobject", "pango", "harfbuzz", "fontconfig")
    with open("/proc/self/maps") as maps:
        mapped = sorted({{line.split()[-1] for line in maps
                          if ".so" in line and any(n in line for n in names)}})
    print(json.dumps({{"started": started, "mapped": mapped}}))
    """
)


def _import_in_fresh_python(imports: str) -> dict[str, list[str]]:
    result: dict[str, list[str]] = json.loads(_fresh_python(_WATCH.format(imports=imports)))
    return result


def test_weasyprint_is_imported_without_running_a_program_and_opens_the_same_libraries() -> None:
    plain = _import_in_fresh_python("import weasyprint")
    ours = _import_in_fresh_python("import reportgen.render.pdf.parts")
    # The plain import runs the lookup's programs (ldconfig, and gcc and ld where installed):
    # what this module avoids. Should WeasyPrint stop doing so, this says the module can go.
    assert plain["started"], "WeasyPrint's own import ran no program"
    assert ours["started"] == []
    assert ours["mapped"] == plain["mapped"]
    assert any("pango" in path for path in ours["mapped"])


@pytest.fixture
def needs_lookup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A module that opens a library only ``find_library`` names (as on a system where only
    gcc or ld finds it), recording what the lookup answered on each try; imported by the
    test, dropped again after it."""
    (tmp_path / "lookup_log.py").write_text("tries = []\n")
    (tmp_path / "needs_lookup.py").write_text(
        textwrap.dedent(
            """
            import ctypes.util
            import lookup_log
            FOUND = ctypes.util.find_library("c")
            lookup_log.tries.append(FOUND)
            if FOUND is None:
                raise OSError("cannot load library 'c'")
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for name in ("needs_lookup", "lookup_log"):
        sys.modules.pop(name, None)


@pytest.mark.usefixtures("needs_lookup")
def test_a_library_only_the_lookup_finds_is_opened_with_it_on_a_second_try() -> None:
    real = ctypes.util.find_library
    module = library.load("needs_lookup")
    tries = sys.modules["lookup_log"].tries
    assert module.FOUND == real("c") is not None
    assert tries == [None, module.FOUND]
    assert ctypes.util.find_library is real


@pytest.mark.usefixtures("needs_lookup")
def test_where_a_soname_does_not_open_the_import_is_a_plain_one() -> None:
    module = library.load("needs_lookup", sonames=(*library.SONAMES, "libno-such-library.so.0"))
    assert sys.modules["lookup_log"].tries == [module.FOUND]


def test_a_module_that_fails_otherwise_fails_as_it_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken_import.py").write_text("import no_such_module_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    real = ctypes.util.find_library
    with pytest.raises(ModuleNotFoundError, match="no_such_module_anywhere"):
        library.load("broken_import")
    assert ctypes.util.find_library is real
