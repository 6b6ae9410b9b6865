"""Markdown pages for a docs site: an index, one page per section, and the findings.

The pages are GitHub-flavoured Markdown with pipe tables, readable as rendered by MkDocs
(Python-Markdown), GitHub and Docusaurus alike. Every value from the source is untrusted: the
templates run with :func:`escape` as Jinja2's ``finalize``, so whatever a template prints is
escaped unless a filter in this module marked it as :class:`Md` (already-safe Markdown). A
restyled template therefore cannot forget to escape.

Escaping turns the characters that could end a table cell, start inline markup or raw HTML,
or open a block (``|``, ``<``, ``>``, ``&``, backticks, ``*``, ``_``, ``[``, ``]``, ``{``,
``}``, ``~``, ``\\``) into numeric character references, folds line breaks into spaces and
neutralises a leading ``#``, ``-``, ``+``, ``=``, ``>``, ``!``, ``:``, ``1.``, ``import`` or
``export`` (ESM to MDX), so no input
can break a row or inject a link, an image or HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from .. import i18n
from ..bundle import ReportData
from ..config import MARKDOWN_FLAVORS
from ..i18n import N_
from ..inline import Kind, spans
from ..model import (
    FLAG_FIELDS,
    FLAG_KEYS,
    Finding,
    Flag,
    Flow,
    Level,
    Section,
    SectionStatistics,
)
from ..ordering import finding_key
from ..resources import templates_root
from ..vocabulary import severity_def
from . import RenderOptions

INDEX = "index.md"
FINDINGS = "findings.md"
CHANGES = "changes.md"

TEMPLATE_FOLDER = "markdown"
"""Sub-folder of the packaged templates (and of ``RenderOptions.templates``) read here."""


class Md(str):
    """Markdown that is safe to print as is (built here from escaped parts)."""

    __slots__ = ()


_ALWAYS = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "|": "&#124;",
    "\\": "&#92;",
    "`": "&#96;",
    "*": "&#42;",
    "_": "&#95;",
    "[": "&#91;",
    "]": "&#93;",
    "{": "&#123;",
    "}": "&#125;",
    "~": "&#126;",
    "$": "&#36;",
}
_ALWAYS_RE = re.compile("|".join(re.escape(c) for c in _ALWAYS))
_LEADING = re.compile(r"^[#\-+=!:%]+(?=\s|$)|^[!:]")
"""A run of block markers followed by a space or the end (``#``, ``-``, ``+``, ``=``, ``%``,
``:::`` and ``!!!`` admonitions)."""
_ESM = re.compile(r"^(?:import|export)\b")
"""MDX reads a line starting with ``import``/``export`` as JavaScript (ESM)."""
_ORDERED = re.compile(r"^(\d+)([.)])(?=\s|$)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


def escape(value: object) -> str:
    """Untrusted text as inline Markdown that renders to exactly that text.

    ``Md`` values pass unchanged; ``None`` prints nothing; other values are converted with
    ``str``. Runs of whitespace (line breaks included) become one space.
    """
    if value is None:
        return ""
    if isinstance(value, Md):
        return value
    return _escaped(str(value))


@lru_cache(maxsize=65536)
def _escaped(text: str) -> str:
    """``escape`` of a plain string. Cached: the pages repeat the same zones, components,
    protocols and rule texts (1,000 flows: 91,000 calls)."""
    text = _CONTROL.sub("", text)
    text = re.sub(r"\s+", " ", text)
    text = _ALWAYS_RE.sub(lambda m: _ALWAYS[m.group(0)], text)
    body = text.lstrip(" ")
    lead = text[: len(text) - len(body)]
    if _LEADING.match(body) or _ESM.match(body):
        body = f"&#{ord(body[0])};{body[1:]}"
    else:
        body = _ORDERED.sub(lambda m: f"{m.group(1)}&#{ord(m.group(2))};", body, count=1)
    return lead + body


def md(value: object) -> Md:
    """Escape ``value`` and mark the result safe (for building Markdown in Python)."""
    return Md(escape(value))


def anchor_slug(text: str) -> str:
    """A lower-case HTML id fragment made of ``a-z``, ``0-9`` and ``-``."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return slug or "x"


def unique_anchors(keys: Iterable[str], prefix: str) -> dict[str, str]:
    """Map each key to ``prefix-<slug>``, numbering slugs that collide (``-2``, ``-3``)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for key in keys:
        if key in out:
            continue
        base = f"{prefix}-{anchor_slug(key)}"
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        used.add(candidate)
        out[key] = candidate
    return out


_URL_SAFE = re.compile(r"[^A-Za-z0-9\-._~:/?#@!$'*+,;=%]")


def url(href: str) -> str:
    """A link destination every engine (cmark-gfm, markdown-it, Python-Markdown, MDX) reads
    back as ``href``: anything outside the URL characters is percent-encoded (braces,
    brackets, parentheses, spaces, ``<>``, backslash, pipes) and ``&`` becomes ``&amp;``, so
    no entity or table syntax can form inside it."""
    encoded = _URL_SAFE.sub(
        lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), href
    )
    return encoded.replace("&", "&amp;")


def _code(text: str) -> str:
    """A code span holding ``text`` (a fence longer than any backtick run inside it)."""
    text = re.sub(r"\s+", " ", text)
    if "|" in text or not text.strip():  # a pipe would end the table cell even in code
        return escape(text)
    run = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (run + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def inline(text: str, base_url: str = "") -> Md:
    """A cell's inline Markdown, reproduced: links (``http``, ``https``, ``mailto``, relative
    ones resolved against ``base_url``) and code as Markdown, everything else escaped."""
    out: list[str] = []
    for span in spans(text, base_url):
        if span.kind is Kind.LINK:
            out.append(f"[{escape(span.text)}]({url(span.href)})")
        elif span.kind is Kind.CODE:
            out.append(_code(span.text))
        else:
            out.append(escape(span.text))
    return Md(re.sub(r"\s+", " ", "".join(out)).strip() if out else "")


def paragraphs(text: str, base_url: str = "") -> list[Md]:
    """Split prose on blank lines; each paragraph's inline Markdown rendered onto one line."""
    parts = re.split(r"\n\s*\n", text.strip()) if text.strip() else []
    return [inline(p, base_url) for p in parts if p.strip()]


LEVEL_ORDER: tuple[Level, ...] = tuple(Level)

SYMBOL_KEY: tuple[tuple[str, str, str], ...] = (
    (Flag.YES.symbol, N_("x in the source"), N_("yes")),
    (Flag.NO.symbol, N_("empty cell"), N_("no")),
    (Flag.UNKNOWN.symbol, N_("? in the source"), N_("not assessed, depends on the configuration")),
)
TRIAGE_LABELS: dict[str, str] = {
    "open": N_("open"),
    "in-progress": N_("in progress"),
    "mitigated": N_("mitigated"),
    "accepted": N_("accepted"),
    "false-positive": N_("false positive"),
}
"""The triage file's statuses as the pages print them."""

GENERATED_NOTE = N_("Generated by %(generator)s from %(source)s: edit the source, not this page.")
TRUST_CLASS_NAME: dict[str, str] = {
    "untrusted": N_("untrusted"),
    "external-service": N_("external service"),
    "tenant": N_("tenant"),
    "management": N_("management"),
    "infrastructure": N_("infrastructure"),
}
"""(symbol, as written in the source, meaning) for each flag state."""
UNKNOWN_ZONE = "⚠"


@dataclass(frozen=True, slots=True)
class _Links:
    """Anchors for every flow and finding, shared by all pages so links always resolve."""

    flow: dict[str, str]
    finding: dict[str, str]
    page: dict[str, str]
    """Section slug -> page file name."""

    def flow_href(self, flow_key: str, section: str) -> str:
        return f"{self.page.get(section, INDEX)}#{self.flow[flow_key]}"

    def finding_href(self, finding_id: str) -> str:
        return f"{FINDINGS}#{self.finding[finding_id]}"


def section_page(slug: str) -> str:
    """The page file of a section (slugs are already file-name safe; re-slug defensively)."""
    return f"{anchor_slug(slug)}.md"


def _flag_cell(flag: Flag) -> Md:
    return Md(flag.symbol)


def _zone_cell(flow: Flow, which: str) -> Md:
    zone = flow.source_zone if which == "source" else flow.destination_zone
    if zone.canonical is None:
        return Md(f"{escape(zone.text)} {UNKNOWN_ZONE}")
    return md(zone.canonical)


def _port_cell(flow: Flow) -> Md:
    if flow.ports is not None:
        return md(flow.ports.text)
    cell = flow.cell("port")
    return Md(f"{escape(cell.text if cell else '')} {UNKNOWN_ZONE}".strip())


def _table(header: Sequence[str], align: Sequence[str], rows: Iterable[Sequence[str]]) -> Md:
    """A GFM pipe table; every cell must already be escaped Markdown."""
    marks = {"l": "---", "c": ":-:", "r": "--:"}
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(marks[a] for a in align) + " |",
    ]
    lines.extend("| " + " | ".join(c if c else " " for c in row) + " |" for row in rows)
    return Md("\n".join(lines))


def _link(text: str, href: str) -> Md:
    return Md(f"[{escape(text)}]({href})")


def _flow_table(section: Section, page: _Page) -> Md:
    data, links = page.data, page.links
    extra_headers: list[str] = []
    for flow in section.flows:
        for name, _value in flow.extra:
            if name not in extra_headers:
                extra_headers.append(name)
    header = [
        page._("No."),
        page._("Component"),
        page._("Source zone"),
        page._("Protocol"),
        page._("Destination"),
        page._("Destination zone"),
        page._("Port"),
        *(FLAG_KEYS[f] for f in FLAG_FIELDS),
        page._("Purpose"),
        page._("Notes"),
        *(escape(h) for h in extra_headers),
        page._("Findings"),
    ]
    align = ["l"] * 6 + ["r"] + ["c"] * len(FLAG_FIELDS) + ["l"] * (3 + len(extra_headers))
    rows = []
    for flow in section.flows:
        findings = sorted(data.assessment.for_flow(flow.key), key=finding_key)
        extra = dict(flow.extra)
        rows.append(
            [
                Md(f'<a id="{links.flow[flow.key]}"></a>{escape(flow.label)}'),
                md(flow.component),
                _zone_cell(flow, "source"),
                md(flow.protocol.text),
                md(flow.destination),
                _zone_cell(flow, "destination"),
                _port_cell(flow),
                *(_flag_cell(flow.flag(f)) for f in FLAG_FIELDS),
                page.inline(flow.purpose),
                page.inline(flow.notes),
                *(page.inline(extra.get(h, "")) for h in extra_headers),
                Md(", ".join(_finding_link(f, links) for f in findings)),
            ]
        )
    return _table([escape(h) if not isinstance(h, Md) else h for h in header], align, rows)


def _finding_link(finding: Finding, links: _Links) -> str:
    return _link(finding.rule, links.finding_href(finding.id))


def _coverage(stats: SectionStatistics, key: str) -> Md:
    for cov in stats.flags:
        if cov.flag == key:
            return Md(
                f"{cov.yes} {Flag.YES.symbol} · {cov.no} {Flag.NO.symbol}"
                f" · {cov.unknown} {Flag.UNKNOWN.symbol}"
            )
    return Md("–")


def _level_counts(stats: SectionStatistics) -> list[Md]:
    counts = dict(stats.findings)
    return [Md(str(counts.get(level, 0))) for level in LEVEL_ORDER]


def _normalized_zones(section: Section) -> list[tuple[Md, Md, int]]:
    seen: dict[tuple[str, str], int] = {}
    for flow in section.flows:
        for zone in (flow.source_zone, flow.destination_zone):
            if zone.canonical is not None and zone.text != zone.canonical:
                seen[(zone.text, zone.canonical)] = seen.get((zone.text, zone.canonical), 0) + 1
    return [(md(text), md(canon), n) for (text, canon), n in sorted(seen.items())]


def _unknown_zones(section: Section) -> list[Md]:
    names = {
        zone.text
        for flow in section.flows
        for zone in (flow.source_zone, flow.destination_zone)
        if zone.canonical is None
    }
    return [md(n) for n in sorted(names)]


# --- flavors --------------------------------------------------------------------------------

FLAVORS = MARKDOWN_FLAVORS
"""``mkdocs`` (Python-Markdown with the admonition extension) or ``docusaurus`` (MDX)."""


def with_flavor(data: ReportData, flavor: str) -> ReportData:
    """``data`` whose Markdown is for ``flavor`` (the command line's ``--flavor``, the MkDocs
    plugin's own flavor), whatever report.toml says."""
    document = replace(data.config.document, markdown_flavor=flavor)
    return replace(data, config=replace(data.config, document=document))


def front_matter(items: Sequence[tuple[str, str]]) -> Md:
    """The source's front matter, kept (a Docusaurus site takes its URL from ``slug``)."""
    if not items:
        return Md("")
    body = yaml.safe_dump(dict(items), sort_keys=False, allow_unicode=True, width=1000)
    return Md(f"---\n{body}---\n\n")


def admonition(body: str, kind: str = "info", *, flavor: str = "mkdocs") -> Md:
    """An admonition box around already-rendered Markdown ``body``: ``:::info`` for
    Docusaurus, ``!!! info`` (body indented four spaces) for MkDocs."""
    lines = str(body).strip().splitlines()
    if flavor == "docusaurus":
        return Md("\n".join([f":::{kind}", *lines, ":::"]))
    return Md("\n".join([f"!!! {kind}", *(f"    {line}" if line else "" for line in lines)]))


# --- pages ----------------------------------------------------------------------------------


def _environment(options: RenderOptions) -> Environment:
    loaders: list[Any] = []
    if options.templates is not None:
        loaders.append(FileSystemLoader(str(Path(options.templates) / TEMPLATE_FOLDER)))
    loaders.append(FileSystemLoader(str(templates_root() / TEMPLATE_FOLDER)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=False,  # Markdown, not HTML: ``finalize`` escapes instead
        finalize=escape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["link"] = _link
    i18n.install(env, options.lang)
    return env


def _links(data: ReportData) -> _Links:
    return _Links(
        flow=unique_anchors((f.key for f in data.matrix.flows), "flow"),
        finding=unique_anchors((f.id for f in data.assessment.findings), "finding"),
        page={s.slug: section_page(s.slug) for s in data.matrix.sections},
    )


@dataclass(frozen=True, slots=True)
class _Page:
    """What every page builder reads: the data, the templates, the anchors, the flavor."""

    data: ReportData
    env: Environment
    links: _Links
    flavor: str
    lang: str = i18n.DEFAULT_LANGUAGE

    def _(self, message: str) -> str:
        """``message`` in the page's language (a msgid of the catalogs)."""
        return i18n.translations(self.lang).gettext(message)

    def trust(self, trust_class: str) -> str:
        """A trust class's name in the page's language."""
        return self._(TRUST_CLASS_NAME.get(trust_class, trust_class))

    def level(self, level: Level) -> str:
        """A severity's label from the vocabulary, in the page's language."""
        return self._(severity_def(level.value).label)

    @property
    def base_url(self) -> str:
        return self.data.config.document.docs_base_url

    def inline(self, text: str) -> Md:
        return inline(text, self.base_url)

    def render(self, template: str, **context: Any) -> bytes:
        common: dict[str, Any] = {
            "data": self.data,
            "matrix": self.data.matrix,
            "symbol_key": [
                (sym, self._(written), self._(mean)) for sym, written, mean in SYMBOL_KEY
            ],
            "level_title": self.level,
            "unknown_zone": UNKNOWN_ZONE,
            "findings_page": FINDINGS,
            "index_page": INDEX,
            "flavor": self.flavor,
        }
        return self.env.get_template(template).render(**common, **context).encode("utf-8")

    def admonition(self, body: str, kind: str = "info") -> Md:
        return admonition(body, kind, flavor=self.flavor)

    def paragraphs(self, text: str) -> list[Md]:
        return paragraphs(text, self.base_url)


def _build_lines(page: _Page) -> list[tuple[str, Md]]:
    data, _ = page.data, page._
    source = data.matrix.source
    lines: list[tuple[str, Md]] = [(_("Source"), md(source.path))]
    if source.version:
        lines.append((_("Version"), md(source.version)))
    if source.repository:
        lines.append((_("Repository"), md(source.repository)))
    if source.commit:
        lines.append((_("Commit"), md(source.commit)))
    lines.append(("SHA-256", md(source.sha256)))
    lines.append((_("Generated"), md(f"{data.build.build_time:%Y-%m-%d %H:%M} UTC")))
    lines.append((_("Generator"), md(data.build.generator)))
    return lines


def render(data: ReportData, options: RenderOptions) -> dict[str, bytes]:
    """The Markdown pages: ``index.md``, ``<section>.md`` per section, ``findings.md`` (and
    ``changes.md`` with a diff). The flavor comes from ``[document] markdown_flavor``."""
    flavor = data.config.document.markdown_flavor
    page = _Page(data, _environment(options), _links(data), flavor, options.lang)
    out: dict[str, bytes] = {}
    for section in data.matrix.sections:
        out[page.links.page[section.slug]] = _section_page(page, section)
    out[INDEX] = _index_page(page)
    out[FINDINGS] = _findings_page(page)
    if data.changes is not None:
        from .diff_formats import render_md

        out[CHANGES] = render_md(data.changes).encode("utf-8")
    if data.verification is not None:
        from .verify_formats import PAGE, markdown_page

        out[PAGE] = markdown_page(data).encode("utf-8")
    return out


def _section_page(page: _Page, section: Section) -> bytes:
    findings = [f for f in page.data.assessment.findings if f.section == section.slug]
    unknown = _unknown_zones(section)
    unknown_class = page.data.config.unknown_zone_class
    return page.render(
        "section.md.j2",
        section=section,
        intro=page.paragraphs(section.intro),
        flows_table=_flow_table(section, page),
        technologies_table=_table(
            [page._("Technology"), page._("Parties"), page._("Notes")],
            "lll",
            (
                [page.inline(t.name), page.inline(t.parties), page.inline(t.notes)]
                for t in section.technologies
            ),
        ),
        normalized=_normalized_zones(section),
        unknown=unknown,
        unknown_note=page.admonition(
            escape(page._("Zones not in the configuration (%(mark)s): %(zones)s."))
            % {"mark": UNKNOWN_ZONE, "zones": ", ".join(unknown)}
            + " "
            + escape(page._("They are assessed as %(cls)s.") % {"cls": page.trust(unknown_class)}),
            "warning",
        )
        if unknown
        else Md(""),
        finding_counts=_count_levels(findings, page),
    )


def _index_page(page: _Page) -> bytes:
    data = page.data
    assessment = data.assessment
    stats_by_slug = {s.slug: s for s in assessment.statistics.sections}
    level_titles = [page.level(level) for level in LEVEL_ORDER]
    sections_table = _table(
        [page._("Section"), page._("Flows"), page._("Technologies"), *level_titles],
        "lrr" + "r" * len(level_titles),
        (
            [
                _link(sec.title, page.links.page[sec.slug]),
                Md(str(len(sec.flows))),
                Md(str(len(sec.technologies))),
                *(
                    _level_counts(stats_by_slug[sec.slug])
                    if sec.slug in stats_by_slug
                    else [Md("0")] * len(level_titles)
                ),
            ]
            for sec in data.matrix.sections
        ),
    )
    coverage_rows = [
        [
            md(stats.title)
            if stats.slug == "all"
            else _link(stats.title, section_page(stats.slug)),
            *(_coverage(stats, FLAG_KEYS[f]) for f in FLAG_FIELDS),
        ]
        for stats in (*assessment.statistics.sections, assessment.statistics.overall)
    ]
    return page.render(
        "index.md.j2",
        front_matter=front_matter(data.matrix.front_matter),
        disclaimer=page.paragraphs(data.matrix.disclaimer),
        provenance=_build_lines(page),
        generated_note=page.admonition(
            escape(
                page._(
                    "Generated by %(generator)s from %(source)s: edit the source, not this page."
                )
                % {"generator": data.build.generator, "source": data.matrix.source.path}
            )
        ),
        legend_table=_table(
            [page._("Key"), page._("Meaning")],
            "ll",
            ([page.inline(e.key), page.inline(e.meaning)] for e in data.matrix.legend),
        ),
        sections_table=sections_table,
        coverage_table=_table(
            [page._("Section"), *(FLAG_KEYS[f] for f in FLAG_FIELDS)],
            "l" + "c" * len(FLAG_FIELDS),
            coverage_rows,
        ),
        diagnostics_table=_table(
            [page._(h) for h in (N_("Location"), N_("Severity"), N_("Code"), N_("Message"))],
            "llll",
            (
                [md(str(d.location)), md(d.severity.value), md(d.code), md(d.message)]
                for d in data.report.diagnostics
            ),
        ),
        finding_counts=_count_levels(assessment.findings, page),
    )


def _findings_page(page: _Page) -> bytes:
    data, links = page.data, page.links
    assessment = data.assessment
    ordered = sorted(assessment.findings, key=finding_key)
    flows = {f.key: f for f in data.matrix.flows}
    titles = {s.slug: s.title for s in data.matrix.sections}
    controls = {(c.framework, c.id): c for c in assessment.catalogue}
    approved = {a.id: a.approved for a in assessment.assumptions}
    summary = _table(
        [
            page._(h)
            for h in (N_("Finding"), N_("Severity"), N_("Section"), N_("Flow"), N_("Title"))
        ],
        "lllll",
        (
            [
                _link(f.id, f"#{links.finding[f.id]}"),
                md(page.level(f.severity)),
                md(titles.get(f.section, f.section)),
                _flow_link(f, flows, links),
                page.inline(page._(f.title)),
            ]
            for f in ordered
        ),
    )
    groups = []
    for level in LEVEL_ORDER:
        items = []
        for f in ordered:
            if f.severity is not level:
                continue
            flow = flows.get(f.flow_key)
            items.append(
                {
                    "finding": f,
                    "anchor": links.finding[f.id],
                    "title": page.inline(page._(f.title)),
                    "evidence": md(f.evidence),  # our sentence around untrusted cell text: escaped
                    "recommendation": page.inline(page._(f.recommendation)),
                    "flow_link": _flow_link(f, flows, links),
                    "route": md(
                        f"{flow.component} ({flow.source_zone.name}) → "
                        f"{flow.destination} ({flow.destination_zone.name})"
                    )
                    if flow
                    else Md(""),
                    "section_title": titles.get(f.section, f.section),
                    "controls": [
                        md(
                            f"{c.id} {controls[(c.framework, c.id)].title}"
                            if (c.framework, c.id) in controls
                            else c.id
                        )
                        for c in f.controls
                    ],
                    "status": md(page._(TRIAGE_LABELS.get(f.triage.status, f.triage.status))),
                    "owner": md(f.triage.owner),
                    "due": md(f.triage.due),
                    "assumptions": [
                        md(
                            f"{a} ("
                            + (page._("approved") if approved.get(a) else page._("not approved"))
                            + ")"
                        )
                        for a in f.assumptions
                    ],
                }
            )
        if items:
            groups.append({"level": level, "items": items})
    return page.render(
        "findings.md.j2",
        summary_table=summary,
        groups=groups,
        finding_counts=_count_levels(assessment.findings, page),
        counts_by_level={lv.value: n for lv, n in assessment.statistics.counts.security},
    )


def _flow_link(f: Finding, flows: dict[str, Flow], links: _Links) -> Md:
    if f.flow_key in flows:
        return _link(f.flow_id or f.flow_key, links.flow_href(f.flow_key, f.section))
    return md(f.flow_id or f.flow_key)


def _count_levels(findings: Iterable[Finding], page: _Page) -> list[tuple[str, int]]:
    counts = dict.fromkeys(LEVEL_ORDER, 0)
    for f in findings:
        counts[f.severity] += 1
    return [(page.level(level), n) for level, n in counts.items()]


__all__ = [
    "FINDINGS",
    "FLAVORS",
    "INDEX",
    "Md",
    "admonition",
    "anchor_slug",
    "escape",
    "inline",
    "render",
    "section_page",
    "url",
    "with_flavor",
]
