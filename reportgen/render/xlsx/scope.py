"""What one workbook covers: one section or all of them."""

from __future__ import annotations

from dataclasses import dataclass

from ...model import (
    Flow,
    ReportData,
    Section,
    SectionStatistics,
    Technology,
)

# --- the workbook ------------------------------------------------------------------------


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
