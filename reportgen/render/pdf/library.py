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

On Linux ``find_library`` finds nothing the dynamic linker would not: it returns the
library's soname, which cffi then hands to ``dlopen``, the same as loading the soname from
WeasyPrint's list directly. So while WeasyPrint is imported here, ``find_library`` answers
None at once, and each library is loaded by its soname. The libraries loaded are the same
files (tests/test_pdf_library.py). Where that fails (a system whose libraries only
``gcc`` or ``ld`` can find), the import is run again with the real lookup, and fails or
succeeds as it always did; WeasyPrint's hint on a missing library is then printed once.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import importlib
import io
import sys
import threading
from types import ModuleType

_LOCK = threading.Lock()


def _not_probed(name: str) -> str | None:
    """``find_library`` while WeasyPrint is imported: no programs run, nothing found."""
    return None


def load(module: str = "weasyprint") -> ModuleType:
    """Import ``module`` (WeasyPrint, or a module that imports it) with ``find_library``
    answering None (see above), then, if that fails to open a library, as usual. Elsewhere
    than on Linux, or once the module is imported, a plain import."""
    if module in sys.modules or not sys.platform.startswith("linux"):
        return importlib.import_module(module)
    with _LOCK:
        real = ctypes.util.find_library
        setattr(ctypes.util, "find_library", _not_probed)  # noqa: B010 - a module's function
        try:
            # WeasyPrint prints a hint before it re-raises a failed dlopen: not for this try.
            with contextlib.redirect_stdout(io.StringIO()):
                return importlib.import_module(module)
        except OSError:
            pass
        finally:
            setattr(ctypes.util, "find_library", real)  # noqa: B010
    return importlib.import_module(module)
