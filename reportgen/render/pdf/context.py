"""The view model: everything the report's templates use, computed once from ``ReportData``, and
the Jinja2 environment that renders them to HTML (autoescaped).

Templates come from ``templates/pdf/`` (the ``pdf/`` folder of a user folder given as
``options.templates`` overrides any file of the same name); every value from the Markdown
passes through Jinja2's autoescape, so a cell holding ``<img src=...>`` prints as text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ...bundle import ReportData
from ...diff import change_history
from ...model import (
    FLAG_FIELDS,
    FLAG_KEYS,
    Finding,
    Flag,
    Flow,
    Level,
    RuleInfo,
    SectionStatistics,
)
from ...vocabulary import FRAMEWORKS
from .. import RenderOptions
from ..html_inline import inline_filter
from ..json_ import findings_json, records_json
from .diagram import (
    SEVERITY_CODES,
    SEVERITY_COLOURS,
    legend,
    tint,
    zone_diagram,
    zones_by_class,
)
from .fetcher import PDF_TEMPLATES
from .parts import PART_MARK

MAIN_TEMPLATE = "report.html"
CHANGES_TEMPLATE = "changes.html"
"""``reportgen diff --format pdf``: the changes chapter as a document of its own."""
PART_ROWS = 250
"""Table rows per part: a longer matrix section, register or table of diagnostics is laid out
in several parts (time and memory; see ``parts``)."""
PART_IDS = 2500
"""Flow and finding ids listed per part of the traceability appendix."""

SEVERITY_TEXT: dict[Level, str] = {
    Level.HIGH: "A documented flow exposes a security property towards an untrusted party; "
    "address before relying on the configuration.",
    Level.MEDIUM: "A security property is missing where the documentation says it matters; "
    "address or document a compensating control.",
    Level.LOW: "A weakness limited to trusted zones or with little exposure; plan a fix.",
    Level.INFO: "An observation without a direct weakness, for the record.",
    Level.NOT_ASSESSED: "The source marks the property '?': it depends on the installation "
    "and must be assessed there.",
}

TRUST_CLASS_TEXT: dict[str, str] = {
    "untrusted": "Outside the operator's control (the Internet, or a zone the source leaves open).",
    "external-service": "A service run by a third party under contract.",
    "tenant": "Machines, firewalls and clusters run for and by tenants.",
    "management": "Control planes that administer everything else.",
    "infrastructure": "Network and storage fabric operated by the provider.",
}

FRAMEWORK_TITLES: dict[str, str] = {f.key: f.name for f in FRAMEWORKS}
FRAMEWORK_SHORT: dict[str, str] = {f.key: f.short for f in FRAMEWORKS}


def anchor(prefix: str, key: str) -> str:
    """An HTML id made of safe characters only (``10.2~2`` -> ``flow-10.2_7e2``)."""
    return prefix + "-" + re.sub(r"[^A-Za-z0-9.-]", lambda m: f"_{ord(m.group()):x}", key)


def safe_name(text: str) -> str:
    """File-name part made of ``[A-Za-z0-9._-]`` only, never starting with a dot."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "report"


def pdf_name(data: ReportData) -> str:
    version = data.build.release or data.config.document.version
    stem = safe_name(data.config.document.document_id)
    return f"{stem}-{safe_name(version)}.pdf" if version else f"{stem}.pdf"


def _w3c(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


@dataclass(frozen=True, slots=True)
class Heading:
    id: str
    number: str
    title: str
    level: int = 1

    @property
    def text(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title


@dataclass(frozen=True, slots=True)
class AttachmentFile:
    name: str
    description: str
    relationship: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def attachments(data: ReportData) -> tuple[AttachmentFile, ...]:
    """The files embedded in the PDF: source Markdown, records JSON, findings JSON."""
    source_name = safe_name(Path(data.matrix.source.path).name) or "source.md"
    return (
        AttachmentFile(
            source_name,
            "The Markdown source the report was generated from",
            "Source",
            data.matrix.source.text.encode("utf-8"),
        ),
        AttachmentFile(
            "records.json", "Every flow of the matrix as JSON", "Data", records_json(data)
        ),
        AttachmentFile(
            "findings.json", "The assessment findings as JSON", "Data", findings_json(data)
        ),
    )


def _summary(data: ReportData) -> list[str]:
    """The management summary's sentences, each backed by a figure in the report."""
    matrix, stats = data.matrix, data.assessment.statistics
    overall = stats.overall
    counts = dict(overall.findings)
    flows = list(matrix.flows)
    unknown_flows = [f for f in flows if any(v is Flag.UNKNOWN for _, v in f.flags)]
    unknown_flags = sum(c.unknown for c in overall.flags)
    high, medium = counts.get(Level.HIGH, 0), counts.get(Level.MEDIUM, 0)
    total = sum(counts.values())
    parts = [
        f"The matrix documents {_plural(len(flows), 'flow')} in "
        f"{_plural(len(matrix.sections), 'section')} (integrations) and "
        f"{_plural(len(list(matrix.technologies)), 'technology', 'technologies')}.",
        f"The assessment raised {_plural(total, 'finding')}: "
        + ", ".join(f"{counts.get(lv, 0)} {lv.title.lower()}" for lv in Level)
        + ".",
        f"{_plural(unknown_flags, 'flag')} in {_plural(len(unknown_flows), 'flow')} are marked "
        "'?' (not assessed): their state depends on the installation.",
    ]
    if high:
        parts.append(
            f"{_plural(high, 'high finding')} concern flows that reach untrusted zones; they "
            "should be resolved or accepted explicitly before the configuration is relied on."
        )
    elif medium:
        parts.append(
            "No high finding was raised; the medium findings mark missing protections that "
            "need a fix or a documented compensating control."
        )
    else:
        parts.append("No high or medium finding was raised against the documented flows.")
    if unknown_flows:
        parts.append(
            "Flows marked '?' are not covered by this conclusion and need to be assessed for "
            "each installation."
        )
    parts.append(
        "These statements describe the documented matrix; they are not a test of observed "
        "network traffic."
    )
    return parts


def _bar(coverage_yes: int, coverage_no: int, unknown: int) -> list[tuple[str, int, float]]:
    total = coverage_yes + coverage_no + unknown
    if not total:
        return []
    return [
        (kind, n, round(100.0 * n / total, 2))
        for kind, n in (("yes", coverage_yes), ("no", coverage_no), ("unknown", unknown))
        if n
    ]


def _flag_rows(section: SectionStatistics) -> list[dict[str, Any]]:
    return [
        {"flag": c.flag, "total": c.total, "segments": _bar(c.yes, c.no, c.unknown)}
        for c in section.flags
    ]


def _heat_map(data: ReportData) -> dict[str, Any]:
    """Flows per (source zone, destination zone), both axes in the diagram's order (by trust
    class), so row n and column n are the same zone; each cell has its worst severity."""
    stats = data.assessment.statistics
    zones = [(zone, trust) for trust, names in zones_by_class(data) for zone in names]
    cells = {(p.source, p.destination): p for p in stats.zone_pairs}
    rows = []
    for src, trust in zones:
        row: list[dict[str, object] | None] = []
        for dst, _ in zones:
            pair = cells.get((src, dst))
            if pair is None:
                row.append(None)
            else:
                row.append(
                    {
                        "flows": pair.flows,
                        "code": SEVERITY_CODES[pair.worst],
                        "fill": tint(SEVERITY_COLOURS[pair.worst]),
                        "title": pair.worst.title if pair.worst is not None else "No finding",
                    }
                )
        rows.append({"zone": src, "trust": trust, "cells": row})
    return {"columns": [zone for zone, _ in zones], "rows": rows}


def _headings(data: ReportData, by_level: Sequence[tuple[Level, list[Finding]]]) -> list[Heading]:
    """Chapter headings, numbered in order (the changes chapter only exists with --previous)."""
    numbers = iter(range(1, 100))

    def top(key: str, title: str) -> Heading:
        return Heading(key, str(next(numbers)), title)

    h = [top("control", "Document control"), Heading("contents", "", "Contents")]
    h.append(top("summary", "Management summary"))
    if data.changes is not None:
        old = data.changes.old
        h.append(top("changes", f"Changes since {old.version or old.path}"))
    h += [top("scope", "Scope and method"), top("legend", "Legend")]
    statistics = top("statistics", "Statistics")
    h += [
        statistics,
        Heading("coverage", f"{statistics.number}.1", "Flag coverage per section", 2),
        Heading("heat-map", f"{statistics.number}.2", "Zone heat map", 2),
        top("zones", "Zone flow diagram"),
    ]
    register = top("findings", "Findings register")
    h.append(register)
    for i, (level, _) in enumerate(by_level, start=1):
        h.append(Heading(f"findings-{level.value}", f"{register.number}.{i}", level.title, 2))
    matrix = top("matrix", "Communication matrix")
    h.append(matrix)
    for i, section in enumerate(data.matrix.sections, start=1):
        h.append(Heading(anchor("section", section.slug), f"{matrix.number}.{i}", section.title, 2))
    h += [
        top("traceability", "Control traceability"),
        top("not-assessed", "Not-assessed items and data quality"),
        top("provenance", "Provenance"),
        top("signoff", "Sign-off"),
    ]
    return h


def _register(
    data: ReportData, by_level: Sequence[tuple[Level, list[Finding]]]
) -> list[tuple[Level, list[dict[str, Any]]]]:
    """The findings register: per severity, per rule (in rule-set order), its findings.
    A rule's controls and recommendation are printed once above its findings."""
    rules = {r.id: r for r in data.assessment.rules}
    order = {r.id: i for i, r in enumerate(data.assessment.rules)}
    register = []
    for level, findings in by_level:
        groups: dict[str, list[Finding]] = {}
        for f in findings:
            groups.setdefault(f.rule, []).append(f)
        blocks = []
        for rule_id in sorted(groups, key=lambda r: (order.get(r, len(order)), r)):
            items = groups[rule_id]
            rule = rules.get(rule_id) or RuleInfo(
                rule_id, items[0].title, level.value, "", items[0].recommendation,
                items[0].controls,
            )  # fmt: skip
            by_framework: dict[str, list[str]] = {}
            for ref in rule.controls:
                by_framework.setdefault(ref.framework, []).append(ref.id)
            blocks.append(
                {
                    "rule": rule,
                    "findings": items,
                    "count": len(items),
                    "controls": sorted(
                        by_framework.items(),
                        key=lambda kv: (
                            list(FRAMEWORK_SHORT).index(kv[0]) if kv[0] in FRAMEWORK_SHORT else 99
                        ),
                    ),
                }
            )
        register.append((level, blocks))
    return register


def _changes(data: ReportData) -> dict[str, Any] | None:
    """The 'changes since' chapter: the diff's summary and one row per change."""
    if data.changes is None:
        return None
    from ..diff_formats import entries, summary

    return {
        "diff": data.changes,
        "summary": summary(data.changes),
        "rows": [
            {"kind": kind, "line": loc.line, "path": loc.path, "title": title, "message": msg}
            for kind, loc, title, msg in entries(data.changes)
        ],
    }


def context(data: ReportData, files: Sequence[AttachmentFile]) -> dict[str, Any]:
    """Everything the templates use, computed once here so templates stay declarative."""
    matrix, assessment, doc = data.matrix, data.assessment, data.config.document
    by_level = [
        (level, [f for f in assessment.findings if f.severity is level])
        for level in Level
        if any(f.severity is level for f in assessment.findings)
    ]
    flows_by_key: dict[str, Flow] = {f.key: f for f in matrix.flows}
    section_titles = {s.slug: s.title for s in matrix.sections}
    controls: dict[str, list[Any]] = {}
    for status in assessment.control_status:
        controls.setdefault(status.control.framework, []).append(status)
    not_assessed = [
        {
            "flow": f,
            "flags": [FLAG_KEYS[n] for n, v in f.flags if v is Flag.UNKNOWN],
            "section": section_titles.get(f.section, f.section),
        }
        for f in matrix.flows
        if any(v is Flag.UNKNOWN for _, v in f.flags)
    ]
    headings = _headings(data, by_level)
    version = data.build.release or doc.version
    return {
        "data": data,
        "doc": doc,
        "matrix": matrix,
        "assessment": assessment,
        "build": data.build,
        "version": version,
        "date": data.build.build_time.astimezone(UTC).strftime("%Y-%m-%d"),
        "build_time": data.build.build_time.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "w3c_time": _w3c(data.build.build_time),
        "keywords": ", ".join(
            k
            for k in (
                "communication matrix",
                "security report",
                "ISO/IEC 27001",
                "BSI IT-Grundschutz",
                "BSI C5",
                doc.system,
                doc.document_id,
                version,
            )
            if k
        ),
        "subject": f"Security assessment of the {doc.system or matrix.title} communication "
        f"matrix{', ' + version if version else ''}",
        "headings": headings,
        "h": {x.id: x for x in headings},
        "change_history": change_history(data),
        "changes": _changes(data),
        "summary": _summary(data),
        "flag_fields": [(name, FLAG_KEYS[name]) for name in FLAG_FIELDS],
        "flag_states": list(Flag),
        "levels": list(Level),
        "severity_text": SEVERITY_TEXT,
        "trust_text": TRUST_CLASS_TEXT,
        "framework_titles": FRAMEWORK_TITLES,
        "framework_short": FRAMEWORK_SHORT,
        "register": _register(data, by_level),
        "part_rows": PART_ROWS,
        "part_ids": PART_IDS,
        "register_findings": sum(
            len(found) for level, found in by_level if level is not Level.NOT_ASSESSED
        ),
        "findings_by_level": by_level,
        "flows_by_key": flows_by_key,
        "section_titles": section_titles,
        "stat_sections": [
            {"stats": s, "rows": _flag_rows(s)}
            for s in (*assessment.statistics.sections, assessment.statistics.overall)
        ],
        "heat": _heat_map(data),
        "diagram": zone_diagram(data),
        "severity_legend": [{"entry": e, "fill": tint(e.colour)} for e in legend()],
        "controls": sorted(
            controls.items(),
            key=lambda kv: list(FRAMEWORK_TITLES).index(kv[0]) if kv[0] in FRAMEWORK_TITLES else 99,
        ),
        "not_assessed": not_assessed,
        "diagnostics": data.report.diagnostics,
        "attachments": files,
        "zones_used": [
            {"name": z, "zone": data.config.zone(z), "class": data.config.trust_class(z)}
            for z in assessment.statistics.zones
        ],
    }


def user_folder(options: RenderOptions) -> Path | None:
    """The user's PDF overrides: ``<templates>/pdf/``, laid out like the packaged folder."""
    return options.templates / "pdf" if options.templates is not None else None


def environment(user: Path | None) -> jinja2.Environment:
    """Jinja2 environment: the user's folder first, then the packaged templates."""
    loaders: list[jinja2.BaseLoader] = []
    if user is not None:
        loaders.append(jinja2.FileSystemLoader(str(user)))
    loaders.append(jinja2.FileSystemLoader(str(PDF_TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["anchor"] = anchor
    env.globals["part_mark"] = Markup(PART_MARK)
    env.filters["by_rule"] = by_rule
    env.filters["id_list"] = id_list
    env.filters["inline"] = inline_filter  # a cell's inline Markdown: links, code
    return env


_BREAKS_INSIDE = re.compile(r"[-~/]")


def id_list(ids: Iterable[str]) -> Markup:
    """Ids joined by ", ", each one that a line could break inside (at a hyphen, tilde or
    slash) kept whole in a ``span.id``; the others need no element of their own."""
    return Markup(", ").join(
        Markup('<span class="id">{}</span>').format(i) if _BREAKS_INSIDE.search(i) else i
        for i in ids
    )


def by_rule(finding_ids: Sequence[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """``["A:1.1", "A:1.2", "B:2.1"]`` -> ``[("A", [("A:1.1", "1.1"), ...]), ("B", ...)]``:
    finding ids grouped by rule, each with its flow key, in first-seen order. The
    traceability appendix lists ``A: 1.1, 1.2`` instead of repeating the rule on every id."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for fid in finding_ids:
        rule, _, key = fid.partition(":")
        groups.setdefault(rule, []).append((fid, key))
    return list(groups.items())


def html(
    data: ReportData,
    options: RenderOptions,
    files: Sequence[AttachmentFile],
    template: str = MAIN_TEMPLATE,
) -> str:
    """The report as an HTML string (autoescaped), before WeasyPrint lays it out."""
    env = environment(user_folder(options))
    return env.get_template(template).render(context(data, files))
