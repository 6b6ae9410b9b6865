"""The Python API: :func:`load` a communication matrix, get a :class:`Result`.

The command line and the MkDocs plugin are built on the same library calls; this module puts
the ones a notebook or a script needs behind one function. See ``docs/api.md``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from .bundle import ReportData
    from .config import Config
    from .model import Diagnostic, Finding, Flow, Matrix, Statistics, Technology


@dataclass(frozen=True, slots=True)
class Result:
    """One source, read, validated and assessed.

    ``matrix`` is the parsed page (sections, legend, source), ``flows`` and
    ``technologies`` its rows in source order, ``diagnostics`` what validation found
    (``valid`` is true when none is an error), ``findings`` the assessment's register, worst
    first, and ``statistics`` its figures. ``data`` is the whole bundle the renderers get."""

    data: ReportData

    @property
    def matrix(self) -> Matrix:
        return self.data.matrix

    @property
    def flows(self) -> tuple[Flow, ...]:
        return tuple(self.data.matrix.flows)

    @property
    def technologies(self) -> tuple[Technology, ...]:
        return tuple(self.data.matrix.technologies)

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.data.report.diagnostics

    @property
    def valid(self) -> bool:
        return self.data.report.valid

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.data.assessment.findings

    @property
    def statistics(self) -> Statistics:
        return self.data.assessment.statistics

    @property
    def config(self) -> Config:
        return self.data.config

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """pandas DataFrames ``flows``, ``technologies``, ``findings``,
        ``finding_controls`` (one row per finding and control) and ``diagnostics``, with flat
        columns (documented in ``docs/api.md``). pandas is imported here, on first use."""
        from .frames import to_frames

        return to_frames(self.data)


def load(
    source: str | os.PathLike[str],
    config: Config | str | os.PathLike[str] | None = None,
    *,
    release: str | None = None,
) -> Result:
    """Read, validate and assess one Markdown source.

    ``config`` is a :class:`~reportgen.config.Config` or the path of a ``report.toml``;
    by default the ``report.toml`` beside the source, else the built-in defaults.
    ``release`` stamps the release (default: the source's front matter, a version in its
    path, the config). Raises :class:`~reportgen.errors.ReportgenError` for a source or
    config that cannot be read; problems *in* the source are ``diagnostics``, not errors.

    >>> import reportgen
    >>> result = reportgen.load("source/communication-matrix.md")  # doctest: +SKIP
    >>> result.to_frames()["flows"].shape  # doctest: +SKIP
    (83, 26)
    """
    from .build import load as load_data
    from .config import Config as ConfigType

    if isinstance(config, ConfigType):
        return Result(load_data(source, release=release, config=config))
    return Result(load_data(source, Path(config) if config is not None else None, release))
