"""What one workbook covers: one section or all of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ...bundle import ReportData
from ...i18n import DEFAULT_LANGUAGE, translations
from ...model import (
    Finding,
    Flow,
    Section,
    SectionStatistics,
    Technology,
)
from ...ordering import sorted_findings
from .cells import Link, internal_link, markdown_value
from .frames import Tables
from .labels import FINDINGS_SHEET, MATRIX_SHEET


@dataclass(frozen=True, slots=True)
class Scope:
    """What one workbook covers."""

    sections: tuple[Section, ...]
    combined: bool

    @property
    def title(self) -> str:
        return "All sections" if self.combined else self.sections[0].title

    @property
    def flows(self) -> tuple[Flow, ...]:
        return tuple(f for s in self.sections for f in s.flows)

    @property
    def technologies(self) -> tuple[tuple[Section, Technology], ...]:
        return tuple((s, t) for s in self.sections for t in s.technologies)

    @property
    def slugs(self) -> frozenset[str]:
        return frozenset(s.slug for s in self.sections)


def scope_statistics(data: ReportData, scope: Scope) -> SectionStatistics | None:
    stats = data.assessment.statistics
    if scope.combined:
        return stats.overall
    for section_stats in stats.sections:
        if section_stats.slug == scope.sections[0].slug:
            return section_stats
    return None


def scope_tables(data: ReportData, scopes: Sequence[Scope]) -> Tables:
    """The analytical tables of ``scopes``' workbooks, built together (``frames.Tables``),
    with each scope's findings in the one shared order."""
    return Tables(
        [scope.flows for scope in scopes],
        [
            tuple(sorted_findings([f for f in data.assessment.findings if f.section in s.slugs]))
            for s in scopes
        ],
        data.assessment.statistics.zones,
    )


@dataclass(frozen=True, slots=True)
class Book:
    """What every sheet of one workbook reads: the data, the scope, its findings in the one
    shared order, and where each flow and finding stands (for internal hyperlinks)."""

    data: ReportData
    scope: Scope
    findings: tuple[Finding, ...]
    flow_rows: dict[str, int]
    """Flow key -> its row on the Matrix sheet."""
    finding_rows: dict[str, int]
    """Finding id -> its row on the Findings sheet."""
    tables: Tables
    """The analytical tables (``frames``), shared with the other workbooks of a render."""
    index: int
    """This workbook's scope in ``tables``."""
    lang: str = DEFAULT_LANGUAGE
    """The workbook's language (``RenderOptions.lang``)."""

    @classmethod
    def of(
        cls,
        data: ReportData,
        scope: Scope,
        lang: str = DEFAULT_LANGUAGE,
        shared: tuple[Tables, int] | None = None,
    ) -> Book:
        """The book of ``scope``; ``shared``: the render's tables (``scope_tables``) and this
        scope's place in them, else tables of this scope alone."""
        tables, index = shared if shared is not None else (scope_tables(data, [scope]), 0)
        findings = tables.findings[index]
        return cls(
            data=data,
            scope=scope,
            findings=findings,
            flow_rows={f.key: r for r, f in enumerate(scope.flows, start=2)},
            finding_rows={f.id: r for r, f in enumerate(findings, start=2)},
            lang=lang,
            tables=tables,
            index=index,
        )

    def firewall(self) -> pd.DataFrame:
        """The Firewall view's rows (``frames.firewall_frames``)."""
        return self.tables.firewall(self.index)

    def zone_pairs(self) -> dict[str, pd.DataFrame]:
        """The zone-pair tables (``frames.zone_pair_frames_each``)."""
        return self.tables.zone_pairs(self.index)

    def finding_controls(self) -> pd.DataFrame:
        """One row per finding and control (``frames.finding_controls_frames``)."""
        return self.tables.finding_controls(self.index)

    def gettext(self, message: str) -> str:
        """``message`` (a msgid) in the workbook's language."""
        return translations(self.lang).gettext(message)

    def text(self, markdown: str) -> str | Link:
        """A source cell's inline Markdown as a cell value (links resolved, code as text)."""
        return markdown_value(markdown, self.data.config.document.docs_base_url)

    def flow_link(self, key: str, text: str) -> str | Link:
        """``text`` linking to the flow's Key cell on the Matrix sheet."""
        row = self.flow_rows.get(key)
        return internal_link(text, MATRIX_SHEET, f"A{row}") if row else text

    def finding_link(self, finding_id: str, text: str) -> str | Link:
        """``text`` linking to the finding's row on the Findings sheet."""
        row = self.finding_rows.get(finding_id)
        return internal_link(text, FINDINGS_SHEET, f"A{row}") if row else text
