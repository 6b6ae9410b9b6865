"""The one exception family of reportgen: raised only where work cannot go on."""

from __future__ import annotations


class ReportgenError(Exception):
    """Base class: an input that cannot be read, a broken config, an output that cannot be
    written. Data problems inside a readable source are Diagnostics, not exceptions."""


class SourceError(ReportgenError):
    """The source file cannot be read at all (missing, unreadable, too large)."""


class ConfigError(ReportgenError):
    """``report.toml`` is unreadable or invalid; the message names the file and the key."""


class OutputError(ReportgenError):
    """An output could not be written; earlier outputs are left as they were."""


class RenderError(ReportgenError):
    """A renderer could not produce its output (e.g. a user template with a syntax error);
    the message names the format and, where known, the template file and line."""
