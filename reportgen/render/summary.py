"""The facts behind the management summary and the conclusion, and their sentences.

Every sentence the report generates about the assessment rests on a field of
:class:`SummaryFacts`, computed here from the data (never in a template, never typed). The
sentences are chosen by those facts and translated with the report's catalog; the tests run
them on matrices with different outcomes (no finding, only data-quality issues, a High inside
one zone, a High across a zone boundary).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..bundle import ReportData
from ..i18n import translations
from ..model import Finding, Flag, Level
from ..vocabulary import OUTSIDE_CLASSES

SECURITY, DATA_QUALITY, NOT_ASSESSED = "security", "data-quality", "not-assessed"
SECURITY_LEVELS: tuple[Level, ...] = (Level.HIGH, Level.MEDIUM, Level.LOW)


def finding_kind(finding: Finding) -> str:
    """``security``, ``data-quality`` or ``not-assessed`` (the assessment sets it)."""
    return finding.kind


@dataclass(frozen=True, slots=True)
class HighFinding:
    """Where a High security finding sits: inside one zone or across a zone boundary."""

    id: str
    flow: str
    """The flow id as written in the source (with its line where ids repeat)."""
    line: int
    source_zone: str
    destination_zone: str
    crosses_zones: bool
    untrusted_end: bool
    """Either end of the flow is in a zone of an untrusted trust class."""


@dataclass(frozen=True, slots=True)
class SummaryFacts:
    flows: int
    sections: int
    technologies: int
    security: tuple[tuple[Level, int], ...]
    """Security findings per severity (high, medium, low), every level present."""
    data_quality: int
    not_assessed_flags: int
    not_assessed_flows: int
    flows_medium_or_high: int
    """Distinct flows carrying a Medium or High security finding."""
    highs: tuple[HighFinding, ...]
    decided: int
    """Security findings with a risk decision in force (accepted or false positive)."""
    validation_errors: int
    validation_warnings: int
    document_approved: bool
    assumptions: int
    unapproved_assumptions: int

    def count(self, level: Level) -> int:
        return dict(self.security).get(level, 0)

    @property
    def security_total(self) -> int:
        return sum(n for _, n in self.security)

    @property
    def highs_across(self) -> tuple[HighFinding, ...]:
        return tuple(h for h in self.highs if h.crosses_zones)

    @property
    def highs_inside(self) -> tuple[HighFinding, ...]:
        return tuple(h for h in self.highs if not h.crosses_zones)

    @property
    def outcome(self) -> str:
        """The conclusion's case: ``high``, ``medium``, ``low`` (low or info only),
        ``data-quality`` (no security finding, data-quality issues), ``none``."""
        if self.count(Level.HIGH):
            return "high"
        if self.count(Level.MEDIUM):
            return "medium"
        if self.security_total:
            return "low"
        return "data-quality" if self.data_quality else "none"


def summary_facts(data: ReportData) -> SummaryFacts:
    matrix, config = data.matrix, data.config
    flows = {f.key: f for f in matrix.flows}
    findings = data.assessment.findings
    security = [f for f in findings if finding_kind(f) == SECURITY]
    unknown_flows = [f for f in flows.values() if any(v is Flag.UNKNOWN for _, v in f.flags)]
    highs = []
    for f in security:
        if f.severity is not Level.HIGH:
            continue
        flow = flows.get(f.flow_key)
        if flow is None:
            continue
        src, dst = flow.source_zone.name, flow.destination_zone.name
        highs.append(
            HighFinding(
                id=f.id,
                flow=flow.id or flow.key,
                line=flow.location.line,
                source_zone=src,
                destination_zone=dst,
                crosses_zones=src != dst,
                untrusted_end=bool(
                    {config.trust_class(src), config.trust_class(dst)} & OUTSIDE_CLASSES
                ),
            )
        )
    return SummaryFacts(
        flows=len(flows),
        sections=len(matrix.sections),
        technologies=len(list(matrix.technologies)),
        security=tuple(
            (lv, sum(1 for f in security if f.severity is lv)) for lv in SECURITY_LEVELS
        ),
        data_quality=sum(1 for f in findings if finding_kind(f) == DATA_QUALITY),
        not_assessed_flags=sum(1 for f in unknown_flows for _, v in f.flags if v is Flag.UNKNOWN),
        not_assessed_flows=len(unknown_flows),
        flows_medium_or_high=len(
            {f.flow_key for f in security if f.severity in (Level.HIGH, Level.MEDIUM)}
        ),
        highs=tuple(highs),
        decided=sum(1 for f in security if f.triage.in_force(data.assessment.today)),
        validation_errors=data.report.errors,
        validation_warnings=data.report.warnings,
        document_approved=bool(config.approvals_of("document"))
        and config.document.status == "Released",
        assumptions=len(data.assessment.assumptions),
        unapproved_assumptions=sum(1 for a in data.assessment.assumptions if not a.approved),
    )


Gettext = Callable[[str], str]
NGettext = Callable[[str, str, int], str]


def _zones(high: HighFinding) -> str:
    return f"{high.source_zone} → {high.destination_zone}"


def _where(highs: tuple[HighFinding, ...]) -> str:
    """The zone pairs of some findings, each once, in order."""
    return "; ".join(dict.fromkeys(_zones(h) for h in highs))


def summary_sentences(facts: SummaryFacts, lang: str) -> list[str]:
    """The management summary: what the matrix holds and what the review raised."""
    t = translations(lang)
    _, ngettext = t.gettext, t.ngettext
    out = [
        ngettext(
            "The communication matrix documents %(flows)d flow",
            "The communication matrix documents %(flows)d flows",
            facts.flows,
        )
        % {"flows": facts.flows}
        + " "
        + ngettext(
            "in %(sections)d section and %(tech)d technology rows.",
            "in %(sections)d sections and %(tech)d technology rows.",
            facts.sections,
        )
        % {"sections": facts.sections, "tech": facts.technologies},
        _(
            "The review raised %(total)d security findings (%(high)d high, %(medium)d medium, "
            "%(low)d low), %(dq)d data-quality issues in the documentation, and %(na)d flags "
            "marked '?' in %(naflows)d flows that it could not assess."
        )
        % {
            "total": facts.security_total,
            "high": facts.count(Level.HIGH),
            "medium": facts.count(Level.MEDIUM),
            "low": facts.count(Level.LOW),
            "dq": facts.data_quality,
            "na": facts.not_assessed_flags,
            "naflows": facts.not_assessed_flows,
        },
    ]
    if facts.flows_medium_or_high:
        out.append(
            ngettext(
                "%(n)d flow carries a medium or high finding.",
                "%(n)d distinct flows carry a medium or high finding.",
                facts.flows_medium_or_high,
            )
            % {"n": facts.flows_medium_or_high}
        )
    if facts.validation_errors:
        out.append(
            ngettext(
                "The validation of the source reported %(n)d error; the affected rows are "
                "listed with the data-quality issues.",
                "The validation of the source reported %(n)d errors; the affected rows are "
                "listed with the data-quality issues.",
                facts.validation_errors,
            )
            % {"n": facts.validation_errors}
        )
    return out


def conclusion_sentences(facts: SummaryFacts, lang: str) -> list[str]:
    """The conclusion and residual risk, chosen by the facts' outcome."""
    t = translations(lang)
    _, ngettext = t.gettext, t.ngettext
    out: list[str] = []
    outcome = facts.outcome
    if outcome == "none":
        out.append(
            _(
                "The review found no contradiction between the documented flows and the "
                "rules, and no data-quality issue."
            )
        )
    elif outcome == "data-quality":
        out.append(
            ngettext(
                "The review raised no security finding; %(n)d data-quality issue in the "
                "documentation limits what it can show.",
                "The review raised no security finding; %(n)d data-quality issues in the "
                "documentation limit what it can show.",
                facts.data_quality,
            )
            % {"n": facts.data_quality}
        )
    if facts.highs_across:
        n = len(facts.highs_across)
        untrusted = sum(1 for h in facts.highs_across if h.untrusted_end)
        out.append(
            ngettext(
                "%(n)d high finding concerns a flow across a zone boundary (%(where)s).",
                "%(n)d high findings concern flows across zone boundaries (%(where)s).",
                n,
            )
            % {"n": n, "where": _where(facts.highs_across)}
        )
        if untrusted:
            out.append(
                ngettext(
                    "%(u)d of them has an end in an untrusted zone.",
                    "%(u)d of them have an end in an untrusted zone.",
                    untrusted,
                )
                % {"u": untrusted}
            )
        else:
            out.append(_("None of them has an end in an untrusted zone."))
    if facts.highs_inside:
        n = len(facts.highs_inside)
        out.append(
            ngettext(
                "%(n)d high finding concerns a flow inside one zone (%(where)s): its exposure "
                "depends on who else can reach that zone.",
                "%(n)d high findings concern flows inside one zone each (%(where)s): their "
                "exposure depends on who else can reach those zones.",
                n,
            )
            % {"n": n, "where": _where(facts.highs_inside)}
        )
    if outcome == "medium":
        out.append(
            ngettext(
                "No high finding was raised; %(n)d medium finding marks a missing protection "
                "that needs a fix or a documented compensating control.",
                "No high finding was raised; %(n)d medium findings mark missing protections "
                "that need a fix or a documented compensating control.",
                facts.count(Level.MEDIUM),
            )
            % {"n": facts.count(Level.MEDIUM)}
        )
    elif outcome == "low":
        out.append(_("No high or medium finding was raised; the low findings are for planning."))
    if outcome in ("high", "medium"):
        out.append(
            _(
                "Residual risk: until the findings rated medium or high are fixed or their risk "
                "is accepted by a named person, the documented configuration carries the risks "
                "they describe."
            )
        )
    if facts.decided:
        out.append(
            ngettext(
                "%(n)d security finding carries a risk decision (accepted or false positive) "
                "by a named person; it is listed with the decision in the register.",
                "%(n)d security findings carry a risk decision (accepted or false positive) "
                "by a named person; they are listed with the decision in the register.",
                facts.decided,
            )
            % {"n": facts.decided}
        )
    if facts.not_assessed_flows:
        out.append(
            ngettext(
                "%(n)d flow has flags marked '?': its risk is unknown and must be assessed "
                "for each installation.",
                "%(n)d flows have flags marked '?': their risk is unknown and must be "
                "assessed for each installation.",
                facts.not_assessed_flows,
            )
            % {"n": facts.not_assessed_flows}
        )
    if facts.unapproved_assumptions:
        out.append(
            ngettext(
                "%(n)d of the %(total)d assumptions the severities rest on (trust classes, "
                "protection needs) is not approved by anybody.",
                "%(n)d of the %(total)d assumptions the severities rest on (trust classes, "
                "protection needs) are not approved by anybody.",
                facts.unapproved_assumptions,
            )
            % {"n": facts.unapproved_assumptions, "total": facts.assumptions}
        )
    out.append(
        _(
            "A review of documentation can find contradictions in it; it cannot show that a "
            "control is in place, which only a test of the installation can."
        )
    )
    return out
