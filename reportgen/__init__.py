"""reportgen: a security communication matrix (Markdown) in, auditor-grade reports out.

A communication matrix is a Markdown page whose tables list every network flow of a system
with its zones, protocol, port and the flags C (confidentiality), I (integrity), Auth and
Trust. reportgen parses it with a location on every cell, validates it against its legend,
its zone vocabulary and itself, assesses it against ISO/IEC 27001, BSI IT-Grundschutz and
BSI C5 controls, and renders PDF, XLSX, Markdown and JSON reports.

From Python::

    import reportgen

    result = reportgen.load("source/communication-matrix.md")
    result.diagnostics        # validation problems, each with path, line and column
    result.findings           # the findings register, worst first
    frames = result.to_frames()   # pandas DataFrames (imports pandas on first use)
    frames["flows"]           # one row per flow, flat columns

From the shell: ``reportgen validate``, ``reportgen assess``, ``reportgen build``,
``reportgen diff``, ``reportgen verify`` (``reportgen --help``). Documentation:
``docs/api.md`` (this API), ``docs/usage.md`` (the command line), ``docs/architecture.md``
(the modules and layers).

Modules, in pipeline order: ``model`` (the records), ``config``, ``parse``, ``checks`` and
``validate``, ``assess``, ``verify`` (observed traffic), ``diff``, ``bundle``, ``render`` and
``frames``, ``build``, ``api``, ``cli``, ``mkdocs_plugin``.
"""

from .api import Result, load
from .version import __version__

__all__ = ["Result", "__version__", "load"]
