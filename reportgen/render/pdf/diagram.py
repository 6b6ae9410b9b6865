"""The zone flow diagram, laid out by Graphviz: zones as boxes inside one cluster per trust
class, the documented flows between two zones as one arrow per direction, labelled with
their count and coloured by their worst finding severity.

The DOT text is written here and piped to Graphviz's ``dot`` (the Debian package
``graphviz``, installed by ``scripts/setup.sh``), which returns SVG on stdout; the SVG is
embedded in the report's HTML. ``dot`` is called directly rather than through the
``graphviz`` PyPI wrapper: the wrapper only writes DOT and runs the same binary, and one
``subprocess.run`` with the DOT on stdin needs neither a dependency nor a temporary file.

The output is reproducible and independent of the fonts installed on the machine: every
label sits in a fixed-size cell whose size is computed here from the shipped DejaVu fonts,
so ``dot`` never measures text; zones, pairs and clusters are written in a sorted order;
and the version comment ``dot`` writes is stripped.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from markupsafe import Markup, escape

from ...bundle import ReportData
from ...errors import RenderError
from ...i18n import N_
from ...model import Level
from .fetcher import TEMPLATES_ROOT

SEVERITY_COLOURS: dict[Level | None, str] = {
    Level.HIGH: "#D55E00",
    Level.MEDIUM: "#E69F00",
    Level.LOW: "#CC79A7",
    Level.INFO: "#56B4E9",
    Level.NOT_ASSESSED: "#8C8C8C",
    None: "#009E73",
}
"""Worst severity -> colour, from the Okabe-Ito palette (distinguishable with the common
colour-vision deficiencies). Colour is never the only cue: every label also prints the
severity's code, and not-assessed edges are dashed."""

SEVERITY_CODES: dict[Level | None, str] = {
    Level.HIGH: "H",
    Level.MEDIUM: "M",
    Level.LOW: "L",
    Level.INFO: "I",
    Level.NOT_ASSESSED: "?",
    None: "–",
}

TRUST_ORDER = ("untrusted", "external-service", "tenant", "management", "infrastructure")
"""Clusters in this order; a trust class not listed here follows, by name."""

FONT = "DejaVu Sans"
"""The report's CSS maps this family to the shipped DejaVu files."""
FONT_SIZE = 8.0
"""The labels' size in points before the drawing is fitted to its frame."""
FRAME = (785.0, 400.0)
"""Width and height in points that the drawing may take: the text block of a landscape A4
page (277 mm) less the heading, the caption and the legend."""
MIN_PRINTED_SIZE = 7.0
"""The smallest label size, in points, as printed: a drawing that must be scaled down to fit
the frame is laid out again with larger labels."""


@dataclass(frozen=True, slots=True)
class LegendEntry:
    code: str
    title: str
    colour: str
    dashed: bool


def legend() -> list[LegendEntry]:
    """The severities as the diagram and the heat map draw them."""
    return [
        LegendEntry(
            SEVERITY_CODES[level],
            level.title if level is not None else "No finding",
            SEVERITY_COLOURS[level],
            level is Level.NOT_ASSESSED,
        )
        for level in (*Level, None)
    ]


def tint(colour: str, share: float = 0.5) -> str:
    """``colour`` mixed with white (``share`` of the colour): a fill dark text stays readable on."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * share):02X}" for c in rgb)


# --- text widths from the shipped fonts ----------------------------------------------------


@cache
def _advances(bold: bool) -> tuple[dict[int, int], int, int]:
    from fontTools.ttLib import TTFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    font = TTFont(str(TEMPLATES_ROOT / "fonts" / name), lazy=True)
    cmap = font.getBestCmap()
    metrics = font["hmtx"].metrics
    widths = {code: metrics[glyph][0] for code, glyph in cmap.items()}
    return widths, metrics[".notdef"][0], font["head"].unitsPerEm


def text_width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """The advance width of ``text`` in points, set in the shipped DejaVu Sans."""
    widths, missing, units = _advances(bold)
    return sum(widths.get(ord(c), missing) for c in text) * size / units


# --- DOT --------------------------------------------------------------------------------------


def _cell(text: str, width: float, size: float, bold: bool) -> str:
    """One fixed-size table cell: ``dot`` takes its size as given and never measures text."""
    body = f"<B>{escape(text)}</B>" if bold else str(escape(text))
    return (
        f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{math.ceil(width)}" HEIGHT="{math.ceil(size * 1.4)}">'
        f"{body}</TD></TR>"
    )


def _label(rows: Iterable[tuple[str, bool]], size: float, background: str | None = None) -> str:
    lines = list(rows)
    width = max(text_width(text, size, bold) for text, bold in lines) + 4
    bg = f' BGCOLOR="{background}"' if background else ""
    cells = "".join(_cell(text, width, size, bold) for text, bold in lines)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"{bg}>{cells}</TABLE>>'


def zones_by_class(data: ReportData) -> list[tuple[str, list[str]]]:
    config, stats = data.config, data.assessment.statistics
    named = {p.source for p in stats.zone_pairs} | {p.destination for p in stats.zone_pairs}
    groups: dict[str, list[str]] = {}
    for zone in sorted(set(stats.zones) | named):
        groups.setdefault(config.trust_class(zone), []).append(zone)
    rank = {name: i for i, name in enumerate(TRUST_ORDER)}
    return sorted(groups.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))


def _same(text: str) -> str:
    return text


TRUST_WORD = N_("Trust class: %(cls)s")
INSIDE_WORD = N_("%(n)s inside · %(code)s")
DIAGRAM_TITLE = N_("Zone flow diagram: documented flows between zones, grouped by trust class")
NO_ZONE = N_("(no zone given)")
"""The name the drawing gives a zone the source leaves empty."""
TRUST_NAMES: dict[str, str] = {
    "untrusted": N_("untrusted"),
    "external-service": N_("external service"),
    "tenant": N_("tenant"),
    "management": N_("management"),
    "infrastructure": N_("infrastructure"),
}
"""The words the drawing prints, as msgids; ``gettext`` translates them (the report's
language), the identity keeps them English."""


def dot_source(
    data: ReportData, size: float = FONT_SIZE, gettext: Callable[[str], str] = _same
) -> str:
    """The diagram as DOT: one cluster per trust class, one node per zone, one edge per
    ordered zone pair. Only escaped text inside fixed-size HTML labels comes from the
    source; node and cluster names are generated."""
    stats = data.assessment.statistics
    classes = zones_by_class(data)
    ids = {zone: f"z{i}" for i, zone in enumerate(z for _, zs in classes for z in zs)}
    internal = {p.source: p for p in stats.zone_pairs if p.source == p.destination}
    out = [
        'digraph "zone flows" {',
        # Left to right, ranked across clusters (newrank): of the layouts tried on the
        # shipped matrix, the one where no edge crosses a box or a label (tests check).
        "  graph [rankdir=LR, newrank=true, nodesep=0.12, ranksep=0.4, splines=true, "
        f'outputorder=nodesfirst, pad=0.05, fontname="{FONT}", fontsize={size:g}, '
        'labeljust=l, style="rounded,filled", fillcolor="#F2F4F7", color="#9AA3AE"];',
        f'  node [shape=box, style="rounded,filled", fillcolor="#FFFFFF", color="#1A1A1A", '
        f'penwidth=1, margin="0.06,0.03", fontname="{FONT}", fontsize={size:g}];',
        f'  edge [fontname="{FONT}", fontsize={size:g}, arrowsize=0.7];',
    ]
    for number, (trust, zones) in enumerate(classes):
        out.append(f"  subgraph cluster_{number} {{")
        out.append(f'    id="trust-{number}";')
        name = gettext(TRUST_NAMES[trust]) if trust in TRUST_NAMES else trust
        heading = gettext(TRUST_WORD) % {"cls": name}
        out.append(f"    label={_label([(heading, True)], size)};")
        for zone in zones:
            pair = internal.get(zone)
            rows = [(zone or gettext(NO_ZONE), True)]
            if pair is not None:
                inside = {"n": pair.flows, "code": SEVERITY_CODES[pair.worst]}
                rows.append((gettext(INSIDE_WORD) % inside, False))
            out.append(f'    {ids[zone]} [id="zone-{ids[zone]}", label={_label(rows, size)}];')
        out.append("  }")
    pairs = sorted(
        (p for p in stats.zone_pairs if p.source != p.destination),
        key=lambda p: (ids[p.source], ids[p.destination]),
    )
    for pair in pairs:
        colour = SEVERITY_COLOURS[pair.worst]
        style = ', style="dashed"' if pair.worst is Level.NOT_ASSESSED else ""
        width = 1.0 + min(pair.flows, 12) * 0.2
        text = f"{pair.flows} {SEVERITY_CODES[pair.worst]}"
        source, destination = ids[pair.source], ids[pair.destination]
        out.append(
            f'  {source} -> {destination} [id="edge~zone-{source}~zone-{destination}", '
            f'color="{colour}", penwidth={width:.1f}{style}, '
            f"label={_label([(text, False)], size, '#FFFFFF')}];"
        )
    out.append("}")
    return "\n".join(out) + "\n"


# --- SVG --------------------------------------------------------------------------------------

_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)
_TITLE = re.compile(r"<title>[^<]*</title>\s*")


def run_dot(source: str) -> str:
    """``dot -Tsvg`` on ``source``: the SVG text, from its ``<svg`` element on."""
    dot = shutil.which("dot")
    if dot is None:
        raise RenderError(
            "pdf: the zone diagram needs Graphviz's 'dot' (Debian package 'graphviz'; "
            "scripts/setup.sh installs it)"
        )
    done = subprocess.run(
        [dot, "-Tsvg"],
        input=source.encode("utf-8"),
        capture_output=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"pdf: Graphviz could not lay out the zone diagram: {message}")
    svg = done.stdout.decode("utf-8")
    return svg[svg.index("<svg") :]


_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


MAX_LAYOUTS = 6
"""Layouts of the drawing that ``zone_diagram`` tries at most to bring its labels to
``MIN_PRINTED_SIZE``."""

AIM_ABOVE = 0.1
"""Points above ``MIN_PRINTED_SIZE`` that the size from the drawing's growth aims at: the
drawing grows a little less than linearly, so aiming at the minimum itself fell just short
and took a fourth layout (100 flows: 18.5 pt printed at 6.96 pt, then 19.5 pt; 1,000
flows: 31 pt at 6.99 pt, then 31.5 pt). Aiming 0.1 pt above, the third layout suffices for
both (19.5 pt printed at 7.04 pt, 34.5 pt at 7.10 pt): one ``dot`` run less before the
first part."""


@dataclass(frozen=True)
class _Layout:
    """One layout of the drawing by ``dot``: its labels' size and the drawing's size, in
    points."""

    size: float
    width: float
    height: float

    @property
    def scale(self) -> float:
        return min(1.0, FRAME[0] / self.width, FRAME[1] / self.height)

    @property
    def printed(self) -> float:
        return self.size * self.scale


def _next_size(tried: list[_Layout]) -> float:
    """The labels' size for the next layout, on a half-point grid.

    First ``FONT_SIZE``; then the size that would print at ``MIN_PRINTED_SIZE`` if the
    drawing kept its size. That falls short when the drawing grows with its labels (it
    does: at 1,000 flows 8, 19.5, 23 and 24.5 pt printed at 2.9, 5.9, 6.6 and 6.7 pt), so from
    the third layout on, the drawing's width and height are taken as growing linearly with
    the labels' size, as the last two layouts show (from 24 to 48 pt at 1,000 flows the width
    grew by 0.49 frame widths every 4 pt, to within 1 %), and the size is the one at which
    that line prints the labels ``AIM_ABOVE`` above ``MIN_PRINTED_SIZE``."""
    if not tried:
        return FONT_SIZE
    last = tried[-1]
    wanted = last.size * MIN_PRINTED_SIZE / last.printed
    if len(tried) > 1:
        before = tried[-2]
        step = last.size - before.size
        for frame, now, then in (
            (FRAME[0], last.width, before.width),
            (FRAME[1], last.height, before.height),
        ):
            # The drawing's size in frames, a + b * size; the labels print at size / (a + b *
            # size) once that exceeds one frame.
            b = (now - then) / frame / step
            a = now / frame - b * last.size
            aim = MIN_PRINTED_SIZE + AIM_ABOVE
            if aim * b < 1:
                wanted = max(wanted, aim * a / (1 - aim * b))
    return max(last.size + 0.5, math.ceil(2 * wanted - 1e-9) / 2)  # 1e-9: rounding error


def zone_diagram(data: ReportData, gettext: Callable[[str], str] = _same) -> Markup:
    """The zone flow diagram as inline SVG, sized to print within ``FRAME`` with labels of at
    least ``MIN_PRINTED_SIZE`` (empty when the matrix names no zones).

    A drawing that must be scaled down to fit is laid out again with larger labels
    (``_next_size``), up to ``MAX_LAYOUTS`` times; the SVG is the last layout's, and states
    its labels' size and its scale."""
    if not data.assessment.statistics.zones:
        return Markup("")
    tried: list[_Layout] = []
    while True:
        size = _next_size(tried)
        svg = run_dot(dot_source(data, size, gettext))
        found = _SIZE.search(svg)
        if found is None:
            raise RenderError("pdf: Graphviz wrote an SVG without a size in points")
        tried.append(_Layout(size, float(found.group(1)), float(found.group(2))))
        if tried[-1].printed >= MIN_PRINTED_SIZE or len(tried) == MAX_LAYOUTS:
            break
    width, height, scale = tried[-1].width, tried[-1].height, tried[-1].scale
    # dot's own comments name its version; its <title>s are node ids, not text for a reader.
    svg = _TITLE.sub("", _COMMENT.sub("", svg))
    title = escape(gettext(DIAGRAM_TITLE))
    svg = _SIZE.sub(
        f'<svg width="{width * scale:.2f}pt" height="{height * scale:.2f}pt" '
        f'data-label-size="{size:g}" data-scale="{scale:.4f}"',
        svg,
        count=1,
    )
    svg = svg.replace(">", f' class="zone-diagram" role="img"><title>{title}</title>', 1)
    return Markup(svg)
