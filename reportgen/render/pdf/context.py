"""The view model: everything the report's templates use, computed once from ``ReportData``, and
the Jinja2 environment that renders them to HTML (autoescaped).

Templates come from ``templates/pdf/`` (the ``pdf/`` folder of a user folder given as
``options.templates`` overrides any file of the same name); every value from the Markdown
passes through Jinja2's autoescape, so a cell holding ``<img src=...>`` prints as text.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, overload

import jinja2
from markupsafe import Markup

from ... import i18n
from ...bundle import ReportData
from ...diff import change_history
from ...i18n import DEFAULT_LANGUAGE, N_
from ...model import (
    FLAG_FIELDS,
    FLAG_KEYS,
    Control,
    ControlStatus,
    Diagnostic,
    Finding,
    Flag,
    Flow,
    Level,
    RuleInfo,
    SectionStatistics,
    Severity,
)
from ...ordering import finding_key
from ...vocabulary import (
    CONTROL_STATUSES,
    EXPOSURES,
    FRAMEWORKS,
    GRUNDSCHUTZ_LEVELS,
    PROTECTION_NEED_LABELS,
    PROTECTION_NEEDS,
    SEVERITY_SCHEME,
    TRUST_CLASSES,
    framework_label,
    severity_def,
)
from .. import RenderOptions
from ..html_inline import inline_filter
from ..json_ import findings_json, records_json
from ..summary import conclusion_sentences, summary_facts, summary_sentences
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

LEVEL_TITLES: dict[Level, str] = {lv: severity_def(lv.value).label for lv in Level}
"""Severity labels (msgids declared in :mod:`reportgen.vocabulary`)."""

TRUST_CLASS_NAMES: dict[str, str] = {
    "untrusted": N_("untrusted"),
    "external-service": N_("external service"),
    "tenant": N_("tenant"),
    "management": N_("management"),
    "infrastructure": N_("infrastructure"),
}

FLAG_LABELS: dict[Flag, str] = {
    Flag.YES: N_("yes"),
    Flag.NO: N_("no"),
    Flag.UNKNOWN: N_("not assessed"),
}

DIAGNOSTIC_SEVERITIES: dict[Severity, str] = {
    Severity.ERROR: N_("error"),
    Severity.WARNING: N_("warning"),
    Severity.INFO: N_("note"),
}

APPROVAL_SUBJECTS: dict[str, str] = {
    "document": N_("This document"),
    "assumptions": N_("The assumptions"),
}

STATUS_NAMES: dict[str, str] = {"Draft": N_("Draft"), "Released": N_("Released")}

ASSUMPTION_KINDS: dict[str, str] = {
    "trust-class": N_("the trust classes of the flow's zones"),
    "unknown-zone-class": N_("the class given to zones that report.toml does not name"),
    "protection-need": N_("the protection need"),
    "datastore": N_("the declaration of the data store"),
    "kubernetes": N_("the declaration of the Kubernetes zone"),
}
"""The kinds of assumption (the part of an assumption id before its colon), as the register
names them once per rule: every finding rests on the assumptions of these kinds for its own
flow, listed one by one in findings.json and the workbook."""


def assumption_kind(aid: str) -> str:
    return aid.split(":", 1)[0]


FRAMEWORK_TITLES: dict[str, str] = {f.key: f.name for f in FRAMEWORKS}
FRAMEWORK_SHORT: dict[str, str] = {f.key: f.short for f in FRAMEWORKS}

GLOSSARY: tuple[tuple[str, str], ...] = (
    ("BGP", N_("Border Gateway Protocol: exchanges routes between networks.")),
    ("BMC", N_("Baseboard management controller: the out-of-band management chip of a server.")),
    ("CNI", N_("Container Network Interface: the network plug-in of a Kubernetes cluster.")),
    ("DHCP", N_("Dynamic Host Configuration Protocol: assigns addresses in a network.")),
    ("DNS", N_("Domain Name System: resolves names to addresses.")),
    ("EVPN", N_("Ethernet VPN: carries layer-2 and layer-3 networks over a routed fabric.")),
    ("FCM", N_("firewall-controller-manager: the metal-stack component that manages firewalls.")),
    ("IPMI", N_("Intelligent Platform Management Interface: the protocol of a BMC.")),
    ("LLDP", N_("Link Layer Discovery Protocol: neighbours announce themselves on a link.")),
    ("NTP", N_("Network Time Protocol: synchronises clocks.")),
    ("OIDC", N_("OpenID Connect: sign-in through an identity provider.")),
    ("PXE", N_("Preboot Execution Environment: a server boots over the network.")),
    ("SONiC", N_("Software for Open Networking in the Cloud: the switches' operating system.")),
    ("TFTP", N_("Trivial File Transfer Protocol: unauthenticated file transfer, used to boot.")),
    ("TLS", N_("Transport Layer Security: encrypts and authenticates a connection.")),
    ("VPN", N_("Virtual private network: an encrypted tunnel between networks.")),
    ("VRF", N_("Virtual routing and forwarding: separate routing tables on one device.")),
    ("VXLAN", N_("Virtual Extensible LAN: layer-2 networks tunnelled over layer 3.")),
)
"""Abbreviations explained in the glossary; one is listed when the source uses it."""

REPORT_TERMS: tuple[tuple[str, str], ...] = (
    (N_("Finding"), N_("A contradiction between a documented flow and a rule, with its evidence.")),
    (
        N_("Data-quality issue"),
        N_(
            "A gap or contradiction in the documentation itself (missing, repeated or "
            "inconsistent entries)."
        ),
    ),
    (N_("Not assessed"), N_("A flag marked '?' in the source: it depends on the installation.")),
    (N_("Trust class"), N_("How far a zone is trusted; assigned by the report configuration.")),
    (N_("Zone"), N_("A part of the network named in the matrix (source or destination zone).")),
)


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
            N_("The Markdown source the report was generated from"),
            "Source",
            data.matrix.source.text.encode("utf-8"),
        ),
        AttachmentFile(
            "records.json", N_("Every flow of the matrix as JSON"), "Data", records_json(data)
        ),
        AttachmentFile(
            "findings.json", N_("The assessment findings as JSON"), "Data", findings_json(data)
        ),
        *_verify_attachment(data),
    )


class LazyAttachments(Sequence[AttachmentFile]):
    """``attachments(data)``, made on first use: the report's template lists them in its
    last chapters, so the parts before those are laid out without waiting for the JSON."""

    def __init__(self, data: ReportData) -> None:
        self._data = data
        self._files: tuple[AttachmentFile, ...] | None = None

    def _made(self) -> tuple[AttachmentFile, ...]:
        if self._files is None:
            self._files = attachments(self._data)
        return self._files

    @overload
    def __getitem__(self, index: int) -> AttachmentFile: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[AttachmentFile]: ...
    def __getitem__(self, index: int | slice) -> AttachmentFile | Sequence[AttachmentFile]:
        return self._made()[index]

    def __len__(self) -> int:
        return len(self._made())


def _verification(data: ReportData) -> dict[str, Any] | None:
    """The chapter on observed traffic (``build --observed``), None without it. Its module,
    and the capture readers below it, are imported only then: 0.06-0.08 s at the start of
    every other PDF, before the first part can go to a worker."""
    if data.verification is None:
        return None
    from ..verify_formats import pdf_context

    return pdf_context(data)


def _verify_attachment(data: ReportData) -> tuple[AttachmentFile, ...]:
    """``verify.json`` with ``build --observed``: the comparison with observed traffic."""
    if data.verification is None:
        return ()
    from ..json_ import verify_json

    description = "The documented matrix against observed traffic as JSON"
    return (AttachmentFile("verify.json", description, "Data", verify_json(data)),)


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


def _headings(
    data: ReportData, by_level: Sequence[tuple[Level, list[Finding]]], lang: str
) -> list[Heading]:
    """Chapter headings, numbered in order (the changes chapter only exists with --previous)."""
    _ = i18n.translations(lang).gettext
    numbers = iter(range(1, 100))

    def top(key: str, title: str) -> Heading:
        return Heading(key, str(next(numbers)), title)

    h = [top("control", _("Document control")), Heading("contents", "", _("Contents"))]
    h.append(top("summary", _("Management summary")))
    if data.changes is not None:
        old = data.changes.old
        h.append(top("changes", _("Changes since %(old)s") % {"old": old.version or old.path}))
    h += [
        top("scope", _("Scope")),
        top("method", _("Method")),
        top("rating", _("Risk rating scheme")),
        top("assumptions", _("Assumptions and limitations")),
        top("legend", _("Legend")),
    ]
    statistics = top("statistics", _("Statistics"))
    h += [
        statistics,
        Heading("coverage", f"{statistics.number}.1", _("Flag coverage per section"), 2),
        Heading("heat-map", f"{statistics.number}.2", _("Zone heat map"), 2),
        top("zones", _("Zone flow diagram")),
    ]
    register = top("findings", _("Findings register"))
    h.append(register)
    for i, (level, _found) in enumerate(by_level, start=1):
        h.append(
            Heading(f"findings-{level.value}", f"{register.number}.{i}", _(LEVEL_TITLES[level]), 2)
        )
    h += [
        top("control-status", _("Control status")),
        top("conclusion", _("Conclusion and residual risk")),
    ]
    matrix = str(next(numbers))
    h.append(Heading("matrix", matrix, _("Communication matrix")))
    for i, section in enumerate(data.matrix.sections, start=1):
        h.append(Heading(anchor("section", section.slug), f"{matrix}.{i}", section.title, 2))
    h += [
        top("traceability", _("Control traceability")),
    ]
    if data.verification is not None:
        h.append(top("verify", _("Soll-Ist-Vergleich: the matrix against observed traffic")))
    h += [
        top("not-assessed", _("Not-assessed items and data quality")),
        top("glossary", _("Glossary")),
        top("provenance", _("Provenance")),
        top("signoff", _("Sign-off")),
    ]
    return h


def _register(
    data: ReportData,
    by_level: Sequence[tuple[Level, list[Finding]]],
    labels: dict[str, str],
) -> list[tuple[Level, list[dict[str, Any]]]]:
    """The findings register: per severity, per rule (in rule-set order), its findings.

    What the findings of a rule share is printed once above them: the controls (those only
    some of them have with their count), the recommendation, and the kinds of assumption
    they rest on with their approval (all, none, or some; only in the last case does each
    finding name its unapproved assumptions). A
    finding's own line holds what is its own: the flow, the line and the evidence, its id
    only when it is not ``RULE:flow``, the controls only some of the group have, and its
    recommendation where it differs from the rule's."""
    rules = {r.id: r for r in data.assessment.rules}
    order = {r.id: i for i, r in enumerate(data.assessment.rules)}
    approved = {a.id: a.approved for a in data.assessment.assumptions}
    register = []
    for level, findings in by_level:
        groups: dict[str, list[Finding]] = {}
        for f in findings:
            groups.setdefault(f.rule, []).append(f)
        blocks = []
        for rule_id in sorted(groups, key=lambda r: (order.get(r, len(order)), r)):
            items = sorted(groups[rule_id], key=finding_key)  # the order of every output
            rule = rules.get(rule_id) or RuleInfo(
                rule_id, items[0].title, level.value, "", items[0].recommendation,
                items[0].controls,
            )  # fmt: skip
            # The controls of the group's findings, in the rule's order: those every finding
            # has, and those only some have (a mapping with a condition), with their count.
            counted = Counter(ref for f in items for ref in set(f.controls))
            had = {ref: counted[ref] for ref in rule.controls}
            for f in items:  # a control not declared by the rule (an older findings file)
                for ref in f.controls:
                    had.setdefault(ref, counted[ref])
            by_framework: dict[str, list[tuple[str, int]]] = {}
            for ref, n in had.items():
                if n:
                    shown = 0 if n == len(items) else n
                    by_framework.setdefault(ref.framework, []).append((ref.id, shown))
            common = {ref for ref, n in had.items() if n == len(items)}
            rests_on = {a for f in items for a in f.assumptions}
            states = {approved.get(a, False) for a in rests_on}
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
                    "assumption_kinds": list(
                        dict.fromkeys(assumption_kind(a) for f in items for a in f.assumptions)
                    ),
                    "approval": _approval(rests_on, states),
                    "unapproved": {
                        f.id: [a for a in f.assumptions if not approved.get(a, False)]
                        for f in items
                    },
                    "further": {
                        f.id: [str(ref) for ref in f.controls if ref not in common] for f in items
                    },
                    "own_id": {
                        f.id: f.id != f"{rule_id}:{labels.get(f.flow_key, f.flow_key)}"
                        for f in items
                    },
                }
            )
        register.append((level, blocks))
    return register


def _restated(data: ReportData) -> tuple[list[Diagnostic], list[tuple[str, int]]]:
    """The validator's diagnostics that the diagnostics table lists, and, per code, how many
    it leaves out because the register restates them: a data-quality finding on the same
    row quotes the diagnostic's message in its evidence (DQ-PROTOCOL-FLAGS, DQ-DIVERGENT).
    At 1,000 generated flows that is 448 of 558 rows."""
    quoted: dict[tuple[str, int], list[str]] = {}
    for f in data.assessment.findings:
        if f.kind == "data-quality":
            quoted.setdefault((f.location.path, f.location.line), []).append(f.evidence)
    kept: list[Diagnostic] = []
    left_out: dict[str, int] = {}
    for d in data.report.diagnostics:
        key = (d.location.path, d.location.line)
        if any(d.message in evidence for evidence in quoted.get(key, ())):
            left_out[d.code] = left_out.get(d.code, 0) + 1
        else:
            kept.append(d)
    return kept, sorted(left_out.items())


def _approval(rests_on: set[str], states: set[bool]) -> str:
    """What the register says about the approval of the assumptions a rule's findings rest
    on: ``none`` (no assumption), ``all``, ``unapproved`` (none approved) or ``some``."""
    if not rests_on:
        return "none"
    if states == {True}:
        return "all"
    return "unapproved" if states == {False} else "some"


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


def _page_css(label: str) -> Markup:
    """``page %(n)s of %(m)s`` as a CSS ``content`` value with the page counters."""
    parts = re.split(r"(%\([nm]\)s)", label)
    counters = {"%(n)s": "counter(page)", "%(m)s": "counter(pages)"}
    css = [counters[p] if p in counters else '"' + p.replace('"', "") + '"' for p in parts if p]
    return Markup(" ".join(css))


def _soa(data: ReportData) -> list[dict[str, Any]]:
    """The Statement-of-Applicability excerpt: per framework, the controls the rules map to
    (considered) and, where the whole catalogue is known (ISO Annex A), those not."""
    from ...assess.catalogue import iso_annex_a

    considered: dict[str, list[str]] = {}
    for control in data.assessment.catalogue:
        considered.setdefault(control.framework, []).append(control.id)
    rows = []
    for framework, ids in considered.items():
        total: int | None = None
        missing: list[str] | None = None
        if framework == "iso27001":
            annex = list(iso_annex_a())
            total = len(annex)
            missing = [c for c in annex if c not in ids]
        rows.append(
            {
                "framework": framework,
                "title": FRAMEWORK_TITLES.get(framework, framework),
                "total": total,
                "considered": ids,
                "not_considered": missing,
            }
        )
    return rows


LEGEND_TITLES: dict[str, str] = {
    **{lv.title: severity_def(lv.value).label for lv in Level},
    "No finding": N_("No finding"),
}
"""The diagram legend's titles (English, from ``diagram.legend``) -> their msgids."""


CONTROL_STATUS_NAMES: dict[str, str] = {
    "contradicted": N_("contradicted"),
    "not-contradicted": N_("not contradicted"),
    "not-assessable": N_("not assessable"),
    "not-applicable": N_("not applicable"),
}


def _flow_text(flows_by_key: dict[str, Flow], lang: str) -> Any:
    """A flow key as the reader finds it in the source: its id as written, with the line of
    its row where the id repeats (``10.2 (line 61)``), never the internal ``10.2~2``."""
    _ = i18n.translations(lang).gettext
    counts: dict[str, int] = {}
    for flow in flows_by_key.values():
        counts[flow.id] = counts.get(flow.id, 0) + 1

    def text(key: str) -> str:
        flow = flows_by_key.get(key)
        if flow is None:
            return key
        if not flow.id:
            return _("row at line %(line)s") % {"line": flow.location.line}
        if counts.get(flow.id, 0) > 1:
            return _("%(id)s (line %(line)s)") % {"id": flow.id, "line": flow.location.line}
        return flow.id

    return text


def _control_reason(lang: str) -> Any:
    """The reason for a control's status, from its counts, in the report's language."""
    t = i18n.translations(lang)

    def reason(status: ControlStatus) -> str:
        n_find, n_flows, n_open = len(status.findings), len(status.flows), len(status.unassessed)
        if status.status == "contradicted":
            return t.ngettext(
                "%(n)d security finding against it, on %(flows)d of the %(scope)d flows in its "
                "scope.",
                "%(n)d security findings against it, on %(flows)d of the %(scope)d flows in its "
                "scope.",
                n_find,
            ) % {
                "n": n_find,
                "flows": len({fid.partition(":")[2] for fid in status.findings}),
                "scope": n_flows,
            }
        if status.status == "not-contradicted":
            return t.ngettext(
                "%(n)d flow in its scope; none contradicts it.",
                "%(n)d flows in its scope; none contradicts it.",
                n_flows,
            ) % {"n": n_flows}
        if status.status == "not-assessable":
            return t.ngettext(
                "%(open)d of the %(n)d flows in its scope has '?' flags it depends on.",
                "%(open)d of the %(n)d flows in its scope have '?' flags it depends on.",
                n_open,
            ) % {"open": n_open, "n": n_flows}
        return t.gettext(CONTROL_STATUSES.get(status.status, status.status))

    return reason


def _control_title(lang: str) -> Any:
    """A control's title: the official German one (from the standards data) in German."""

    def title(control: Control) -> str:
        return control.title_de if lang == "de" and control.title_de else control.title

    return title


def _level(level: str, lang: str) -> str:
    """A Grundschutz requirement level (B, S, H) as the Kompendium names it."""
    names = GRUNDSCHUTZ_LEVELS.get(level)
    if names is None:
        return level
    return f"{names[1] if lang == 'de' else names[0]} ({level})"


def _control_status(data: ReportData, lang: str) -> list[tuple[str, list[dict[str, str]]]]:
    """The control status table in the form of an IT-Grundschutz-Check: per framework, each
    control in scope with id, title, level (Grundschutz) and documentation-review status."""
    _ = i18n.translations(lang).gettext
    reason, title = _control_reason(lang), _control_title(lang)
    out: dict[str, list[dict[str, str]]] = {}
    for status in data.assessment.control_status:
        c = status.control
        out.setdefault(c.framework, []).append(
            {
                "id": c.id,
                "title": title(c),
                "level": _level(c.level, lang) if c.level else "",
                "status": _(CONTROL_STATUS_NAMES.get(status.status, status.status)),
                "reason": reason(status),
            }
        )
    order = list(FRAMEWORK_TITLES)
    return sorted(out.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)


def _scheme(lang: str) -> dict[str, Any]:
    """The severity scheme as a table: exposure (rows) x protection need (columns)."""
    _ = i18n.translations(lang).gettext
    need_label = {k: v[1] if lang == "de" else v[0] for k, v in PROTECTION_NEED_LABELS.items()}
    return {
        "needs": [need_label[n] for n in PROTECTION_NEEDS],
        "rows": [
            {
                "exposure": _(EXPOSURE_NAMES.get(e.key, e.key)),
                "meaning": _(e.meaning),
                "cells": [
                    {
                        "key": SEVERITY_SCHEME[(e.key, n)],
                        "label": _(severity_def(SEVERITY_SCHEME[(e.key, n)]).label),
                    }
                    for n in PROTECTION_NEEDS
                ],
            }
            for e in EXPOSURES
        ],
    }


EXPOSURE_NAMES: dict[str, str] = {
    "outside": N_("outside"),
    "boundary": N_("trust boundary"),
    "internal": N_("internal"),
}


def _assumptions(data: ReportData, lang: str) -> list[dict[str, Any]]:
    """Each assumption in the report's language, with who approved it (or nobody)."""
    t = i18n.translations(lang)
    _ = t.gettext
    trust = {k: _(v) for k, v in TRUST_CLASS_NAMES.items()}
    need = {k: v[1] if lang == "de" else v[0] for k, v in PROTECTION_NEED_LABELS.items()}
    rows = []
    for a in data.assessment.assumptions:
        kind, _sep, subject = a.id.partition(":")
        if kind == "trust-class":
            text = _("Zone %(zone)s is of trust class %(cls)s.") % {
                "zone": subject,
                "cls": trust.get(a.value, a.value),
            }
        elif kind == "unknown-zone-class":
            text = _("A zone the configuration does not name is treated as %(cls)s.") % {
                "cls": trust.get(a.value, a.value)
            }
        elif a.id == "protection-need:default":
            text = _("The protection need is %(need)s unless declared otherwise.") % {
                "need": need.get(a.value, a.value)
            }
        elif kind == "protection-need":
            text = _("%(subject)s has protection need %(need)s.") % {
                "subject": subject,
                "need": need.get(a.value, a.value),
            }
        elif kind == "kubernetes":
            text = _("Zone %(zone)s is a Kubernetes cluster.") % {"zone": subject}
        elif kind == "datastore":
            text = _("Component %(name)s is a data store (%(kind)s).") % {
                "name": subject,
                "kind": a.value,
            }
        else:
            text = a.statement
        approved = (
            _("%(name)s (%(role)s, %(date)s)")
            % {"name": a.approved_by, "role": a.role, "date": i18n.format_date(a.approved_on, lang)}
            if a.approved
            else _("nobody")
        )
        rows.append({"id": a.id, "text": text, "approved": approved, "ok": a.approved})
    return rows


def _glossary(data: ReportData, lang: str) -> list[tuple[str, str]]:
    """The abbreviations the source uses, then the report's own terms."""
    _ = i18n.translations(lang).gettext
    text = data.matrix.source.text
    used = [
        (term, _(meaning))
        for term, meaning in GLOSSARY
        if re.search(rf"(?<![A-Za-z]){re.escape(term)}(?![A-Za-z])", text)
    ]
    return used + [(_(term), _(meaning)) for term, meaning in REPORT_TERMS]


TRIAGE_NAMES: dict[str, str] = {
    "open": N_("open"),
    "in-progress": N_("in progress"),
    "mitigated": N_("mitigated"),
    "accepted": N_("accepted"),
    "false-positive": N_("false positive"),
}


def _triage(lang: str) -> Any:
    """Status, owner and due date of a finding, from the triage file."""
    _ = i18n.translations(lang).gettext

    def triage(finding: Finding) -> dict[str, str]:
        tri = finding.triage
        return {
            "status": _(TRIAGE_NAMES.get(tri.status, tri.status)),
            "owner": tri.owner or "–",
            "due": i18n.format_date(tri.due, lang) if tri.due else "–",
            "ticket": tri.ticket,
            "decided": (
                _("%(name)s, %(date)s")
                % {"name": tri.decided_by, "date": i18n.format_date(tri.decided_on, lang)}
                if tri.decided_by and tri.decided_on
                else tri.decided_by
            ),
            "justification": tri.justification,
        }

    return triage


def _change_history(data: ReportData, lang: str) -> list[dict[str, str]]:
    """The change history with one date source: the current version's entry (which the
    config leaves without a date) is dated with the build date."""
    rows = []
    for c in change_history(data):
        when = date.fromisoformat(c.date) if c.date else data.build.build_time.date()
        rows.append(
            {
                "version": c.version,
                "date": i18n.format_date(when, lang),
                "author": c.author,
                "description": c.description,
            }
        )
    return rows


class Deferred:
    """A value computed in a thread from now on, and waited for when a template renders it
    (``__html__``: it is markup)."""

    def __init__(self, make: Callable[..., str], *args: Any) -> None:
        self._value: str | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(make, *args), daemon=True)
        self._thread.start()

    def _run(self, make: Callable[..., str], *args: Any) -> None:
        try:
            self._value = make(*args)
        except BaseException as exc:  # re-raised where the value is used
            self._error = exc

    def result(self) -> str:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value

    def __html__(self) -> str:
        return self.result()

    def __str__(self) -> str:
        return self.result()


def context(
    data: ReportData, files: Sequence[AttachmentFile], lang: str = DEFAULT_LANGUAGE
) -> dict[str, Any]:
    """Everything the templates use, computed once here so templates stay declarative."""
    t = i18n.translations(lang)
    _ = t.gettext
    # Graphviz runs in its own process while the rest is computed and rendered.
    diagram = Deferred(zone_diagram, data, _)
    diagnostics, restated = _restated(data)
    matrix, assessment, doc = data.matrix, data.assessment, data.config.document
    by_level = [
        (level, [f for f in assessment.findings if f.severity is level])
        for level in Level
        if any(f.severity is level for f in assessment.findings)
    ]
    flows_by_key: dict[str, Flow] = {f.key: f for f in matrix.flows}
    # A flow as the register names it: its id as written, else its key.
    labels = {key: flow.id or key for key, flow in flows_by_key.items()}
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
        if any(v is Flag.UNKNOWN for _n, v in f.flags)
    ]
    headings = _headings(data, by_level, lang)
    version = data.build.release or doc.release
    facts = summary_facts(data)
    approvals = [a for a in data.config.approvals_of("document") if a.version in ("", doc.version)]
    return {
        "data": data,
        "doc": doc,
        "config": data.config,
        "matrix": matrix,
        "assessment": assessment,
        "build": data.build,
        "version": version,
        "doc_version_text": doc.version or _("unversioned"),
        "page_css": _page_css(_("page %(n)s of %(m)s")),
        "status_text": _(STATUS_NAMES.get(doc.status, doc.status)),
        "approvals": approvals,
        "all_approvals": data.config.approvals,
        "assumption_approvals": data.config.approvals_of("assumptions"),
        "approval_subjects": {k: _(v) for k, v in APPROVAL_SUBJECTS.items()},
        "source_tag": matrix.source.tag,
        "date": i18n.format_date(data.build.build_time, lang),
        "build_time": i18n.format_datetime(data.build.build_time, lang),
        "w3c_time": _w3c(data.build.build_time),
        "keywords": ", ".join(
            k
            for k in (
                _("communication matrix"),
                _("security report"),
                "ISO/IEC 27001",
                "BSI IT-Grundschutz",
                doc.system,
                doc.document_id,
                version,
            )
            if k
        ),
        "subject": _("Security assessment of the %(system)s communication matrix")
        % {"system": doc.system or matrix.title}
        + (f", {version}" if version else ""),
        "headings": headings,
        "h": {x.id: x for x in headings},
        "change_history": _change_history(data, lang),
        "changes": _changes(data),
        "facts": facts,
        "summary": summary_sentences(facts, lang),
        "conclusion": conclusion_sentences(facts, lang),
        "verification": _verification(data),
        "approved_assumptions": {a.id: a.approved for a in assessment.assumptions},
        "assumption_kinds": {k: _(v) for k, v in ASSUMPTION_KINDS.items()},
        "flag_fields": [(name, FLAG_KEYS[name]) for name in FLAG_FIELDS],
        "flag_states": list(Flag),
        "flag_labels": {f: _(label) for f, label in FLAG_LABELS.items()},
        "levels": list(Level),
        "level_titles": {lv: _(title) for lv, title in LEVEL_TITLES.items()},
        "severity_names": {
            **{lv.value: _(title) for lv, title in LEVEL_TITLES.items()},
            "scheme": _("by the scheme"),
            "scheme, indirect": _("by the scheme, one step lower"),
        },
        "severity_key": [
            *((lv.value, _(title)) for lv, title in LEVEL_TITLES.items()),
            ("none", _("no finding")),
        ],
        "severity_text": {lv: _(severity_def(lv.value).definition) for lv in Level},
        "trust_text": {t.key: _(t.meaning) for t in TRUST_CLASSES},
        "scheme": _scheme(lang),
        "assumptions": _assumptions(data, lang),
        "unapproved_assumptions": sum(1 for a in assessment.assumptions if not a.approved),
        "control_statuses": {k: _(v) for k, v in CONTROL_STATUS_NAMES.items()},
        "control_reason": _control_reason(lang),
        "control_title": _control_title(lang),
        "trust_names": {k: _(v) for k, v in TRUST_CLASS_NAMES.items()},
        "diagnostic_severities": {k: _(v) for k, v in DIAGNOSTIC_SEVERITIES.items()},
        "framework_titles": {
            k: framework_label(k).name_de if lang == "de" else v
            for k, v in FRAMEWORK_TITLES.items()
        },
        "framework_short": FRAMEWORK_SHORT,
        "register": _register(data, by_level, labels),
        "triage": _triage(lang),
        "triaged": any(f.triage.location is not None for f in assessment.findings),
        "control_status": _control_status(data, lang),
        "glossary": _glossary(data, lang),
        "soa": _soa(data),
        "part_rows": PART_ROWS,
        "part_ids": PART_IDS,
        "register_findings": sum(
            len(found) for level, found in by_level if level is not Level.NOT_ASSESSED
        ),
        "findings_by_level": by_level,
        "flows_by_key": flows_by_key,
        "flow_text": _flow_text(flows_by_key, lang),
        "rule_totals": _rule_totals(by_level, headings),
        "flow_label": lambda f: labels.get(f.flow_key, f.flow_key),
        "section_titles": section_titles,
        "stat_sections": [
            {
                "stats": s,
                "title": _("All sections") if s is assessment.statistics.overall else s.title,
                "rows": _flag_rows(s),
            }
            for s in (*assessment.statistics.sections, assessment.statistics.overall)
        ],
        "heat": _heat_map(data),
        "diagram": diagram,
        "severity_legend": [{"entry": e, "fill": tint(e.colour)} for e in legend()],
        "legend_titles": {e.code: _(LEGEND_TITLES.get(e.title, e.title)) for e in legend()},
        "controls": sorted(
            controls.items(),
            key=lambda kv: list(FRAMEWORK_TITLES).index(kv[0]) if kv[0] in FRAMEWORK_TITLES else 99,
        ),
        "not_assessed": not_assessed,
        "diagnostics": diagnostics,
        "restated": restated,
        "attachments": files,
        "zones_used": [
            {"name": z, "zone": data.config.zone(z), "class": data.config.trust_class(z)}
            for z in assessment.statistics.zones
        ],
    }


def user_folder(options: RenderOptions) -> Path | None:
    """The user's PDF overrides: ``<templates>/pdf/``, laid out like the packaged folder."""
    # Absolute: a worker process may run in another working directory.
    return options.templates.absolute() / "pdf" if options.templates is not None else None


@functools.lru_cache(maxsize=16)
def environment(user: Path | None, lang: str = DEFAULT_LANGUAGE) -> jinja2.Environment:
    """Jinja2 environment: the user's folder first, then the packaged templates; translated
    into ``lang`` (``reportgen.i18n``). One per folder and language, so that each template
    is compiled once per process (Jinja reloads a template whose file has changed)."""
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
    i18n.install(env, lang)
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


def _rule_totals(
    by_level: Sequence[tuple[Level, list[Finding]]], headings: Sequence[Heading]
) -> dict[str, tuple[int, str]]:
    """Per rule: how many findings it raised, and the register sections (by severity) that
    list them (``"10.1, 10.2"``). The traceability appendix names a control's findings of a
    rule by this count when the control has every one of them, instead of listing the
    flows that the register lists already."""
    numbers = {x.id: x.number for x in headings}
    counts: dict[str, int] = {}
    where: dict[str, list[str]] = {}
    for level, found in by_level:
        for f in found:
            counts[f.rule] = counts.get(f.rule, 0) + 1
            section = numbers.get(f"findings-{level.value}", "")
            if section and section not in where.setdefault(f.rule, []):
                where[f.rule].append(section)
    return {rule: (n, ", ".join(where.get(rule, []))) for rule, n in counts.items()}


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
    return "".join(html_stream(data, options, files, template))


def html_stream(
    data: ReportData,
    options: RenderOptions,
    files: Sequence[AttachmentFile],
    template: str = MAIN_TEMPLATE,
) -> Iterator[str]:
    """The same HTML, piece by piece as the template renders it, so that the parts written
    so far can be laid out while the rest is rendered."""
    env = environment(user_folder(options), options.lang)
    # The context first: it starts Graphviz (``Deferred``), which then runs while Jinja
    # compiles the template (about 0.15 s; at 1,000 flows the first part was ready after
    # 0.36 s when Graphviz started after the compilation, 0.30 s now).
    values = context(data, files, options.lang)
    return env.get_template(template).generate(values)
