"""WeasyPrint, imported without the compiler runs of its native-library lookup (Linux).

WeasyPrint opens GObject, Pango, HarfBuzz and fontconfig when it is imported
(``weasyprint.text.ffi``), trying several names per library with cffi's ``dlopen``: first
Windows and generic names (``libpango-1.0-0``, ``pango-1.0``), then the Linux soname
(``libpango-1.0.so.0``) and the macOS and Windows file names. cffi loads a name that looks
like a file name directly; for every name that fails, and for every name without a dot, it
asks ``ctypes.util.find_library``, which on Linux runs ``ldconfig -p``, then ``gcc`` and
then ``ld`` for each name it cannot find (Kozea/WeasyPrint#1125). With WeasyPrint 70 on
Debian that is 22 lookups, 16 of which fail: 54 programs run. The import took 0.46-0.50 s,
with 0.20-0.22 s of CPU in those programs; with ``load`` it takes 0.25-0.27 s. ``reportgen
build`` imports WeasyPrint first thing, before it forks the PDF's workers (or in the fork
server they are forked from), so every build waited for this.

Where the dynamic linker can open a library by its soname, ``find_library`` adds nothing:
it returns that soname, which cffi then hands to ``dlopen``, the same as loading the soname
from WeasyPrint's list directly. So while WeasyPrint is imported here, ``find_library`` answers
None at once, and each library is loaded by its soname. The libraries loaded are the same
files (tests/test_pdf_library.py).

This is done only where every soname in ``SONAMES`` opens: elsewhere (a system whose
libraries only ``gcc`` or ``ld`` can find) WeasyPrint is imported as usual, so that it
neither fails nor loads a different set of libraries (without HarfBuzz's subsetter it would
subset its fonts otherwise). Should a later WeasyPrint need a library that is not listed
there, a failed import is run again with the real lookup.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib
import sys
import threading
from collections.abc import Sequence
from types import ModuleType

SONAMES = (
    "libgobject-2.0.so.0",
    "libpango-1.0.so.0",
    "libpangoft2-1.0.so.0",
    "libharfbuzz.so.0",
    "libharfbuzz-subset.so.0",
    "libfontconfig.so.1",
)
"""The Linux sonames of the libraries WeasyPrint 70 opens (``weasyprint/text/ffi.py``), the
optional subsetter included. ``harfbuzz-vector``, also optional, is not in the HarfBuzz these
machines install (6.0); where it is, its soname in WeasyPrint's list opens it either way."""

_LOCK = threading.Lock()


def _not_probed(name: str) -> str | None:
    """``find_library`` while WeasyPrint is imported: no programs run, nothing found."""
    return None


def _all_open(sonames: Sequence[str]) -> bool:
    try:
        for name in sonames:
            ctypes.CDLL(name)
    except OSError:
        return False
    return True


def load(module: str = "weasyprint", sonames: Sequence[str] = SONAMES) -> ModuleType:
    """Import ``module`` (WeasyPrint, or a module that imports it) with ``find_library``
    answering None, where every one of ``sonames`` opens (see above), and again as usual
    if that fails to open a library. Elsewhere than on Linux, where a soname does not open,
    or once the module is imported, a plain import. While the module is imported,
    ``find_library`` answers None in every thread of this process."""
    if module in sys.modules or not sys.platform.startswith("linux") or not _all_open(sonames):
        return importlib.import_module(module)
    with _LOCK:
        real = ctypes.util.find_library
        setattr(ctypes.util, "find_library", _not_probed)  # noqa: B010 - a module's function
        try:
            return importlib.import_module(module)
        except OSError:
            pass
        finally:
            setattr(ctypes.util, "find_library", real)  # noqa: B010
    return importlib.import_module(module)
