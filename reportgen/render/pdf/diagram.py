"""The zone flow diagram: zones as boxes, documented flows between zones as arrows with counts."""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from ...model import Level, ReportData

SEVERITY_COLOURS: dict[Level | None, str] = {
    Level.HIGH: "#b3261e",
    Level.MEDIUM: "#c25e00",
    Level.LOW: "#8a7a00",
    Level.INFO: "#2f6690",
    Level.NOT_ASSESSED: "#6b6b6b",
    None: "#3a7d44",
}
"""Edge and box colours of the zone diagram (worst severity; ``None``: no finding)."""


def zone_diagram(data: ReportData) -> Markup:
    """Zones as boxes on an ellipse (grouped by trust class), flows as arrows with counts."""
    stats = data.assessment.statistics
    config = data.config
    order = {name: i for i, name in enumerate(("untrusted", "external-service", "tenant"))}
    zones = sorted(
        stats.zones,
        key=lambda z: (order.get(config.trust_class(z), 9), config.trust_class(z), z),
    )
    if not zones:
        return Markup("")
    # Nearly a circle: on a squat ellipse the boxes at the top and bottom collide.
    width, height = 800.0, 800.0
    box_w, box_h = 134.0, 34.0
    cx, cy = width / 2, height / 2
    rx, ry = cx - box_w / 2 - 8, cy - box_h / 2 - 8
    pos: dict[str, tuple[float, float]] = {}
    for i, zone in enumerate(zones):
        angle = -math.pi / 2 + 2 * math.pi * i / len(zones)
        pos[zone] = (cx + rx * math.cos(angle), cy + ry * math.sin(angle))

    internal: dict[str, tuple[int, Level | None]] = {}
    edges = []
    pairs = {(p.source, p.destination) for p in stats.zone_pairs}
    for pair in stats.zone_pairs:
        if pair.source == pair.destination:
            internal[pair.source] = (pair.flows, pair.worst)
        elif pair.source in pos and pair.destination in pos:
            edges.append(pair)

    def clip(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float]:
        """Where the segment from a box centre (x0, y0) towards (x1, y1) leaves the box."""
        dx, dy = x1 - x0, y1 - y0
        scale = min(
            (box_w / 2 + 3) / abs(dx) if dx else math.inf,
            (box_h / 2 + 3) / abs(dy) if dy else math.inf,
        )
        return x0 + dx * scale, y0 + dy * scale

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" class="zone-diagram" '
        'font-family="DejaVu Sans" font-size="10">',
        "<defs>",
    ]
    for level, colour in SEVERITY_COLOURS.items():
        name = level.value if level is not None else "none"
        out.append(
            f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    labels: list[str] = []
    for pair in edges:
        (x0, y0), (x1, y1) = pos[pair.source], pos[pair.destination]
        # Bend both directions of a two-way pair apart; one-way edges bend a little too,
        # so that edges through the centre do not sit on top of each other.
        bend = 0.18 if (pair.destination, pair.source) in pairs else 0.08
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        qx, qy = mx - (y1 - y0) * bend, my + (x1 - x0) * bend
        sx, sy = clip(x0, y0, qx, qy)
        ex, ey = clip(x1, y1, qx, qy)
        colour = SEVERITY_COLOURS[pair.worst]
        name = pair.worst.value if pair.worst is not None else "none"
        stroke = 1.0 + min(pair.flows, 12) * 0.25
        out.append(
            f'<path d="M{sx:.1f},{sy:.1f} Q{qx:.1f},{qy:.1f} {ex:.1f},{ey:.1f}" fill="none" '
            f'stroke="{colour}" stroke-width="{stroke:.2f}" marker-end="url(#arrow-{name})"/>'
        )
        lx, ly = 0.25 * sx + 0.5 * qx + 0.25 * ex, 0.25 * sy + 0.5 * qy + 0.25 * ey
        labels.append(
            f'<circle cx="{lx:.1f}" cy="{ly:.1f}" r="8" fill="#ffffff" stroke="{colour}"/>'
            f'<text x="{lx:.1f}" y="{ly + 3.5:.1f}" text-anchor="middle" fill="{colour}" '
            f'font-weight="bold" font-size="9">{pair.flows}</text>'
        )
    out.extend(labels)
    for zone in zones:
        x, y = pos[zone]
        count, worst = internal.get(zone, (0, None))
        colour = SEVERITY_COLOURS[worst] if count else "#444444"
        trust = config.trust_class(zone)
        fill = "#fbe9e7" if trust == "untrusted" else "#f4f6f8"
        out.append(
            f'<rect x="{x - box_w / 2:.1f}" y="{y - box_h / 2:.1f}" width="{box_w:.0f}" '
            f'height="{box_h:.0f}" rx="5" fill="{fill}" stroke="{colour}" stroke-width="1.5"/>'
            f'<text x="{x:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-weight="bold" '
            f'font-size="9.5" fill="#1a1a1a">{escape(zone)}</text>'
        )
        detail = f"{trust}" + (f" · {count} internal" if count else "")
        out.append(
            f'<text x="{x:.1f}" y="{y + 10:.1f}" text-anchor="middle" font-size="7.5" '
            f'fill="#444444">{escape(detail)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))
