"""Geometry read back from the zone diagram's SVG (as Graphviz writes it): the boxes of zones,
clusters and edge labels, the edges' curves, and the font sizes of the texts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    name: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, margin: float = 0.0) -> bool:
        return (
            self.x0 + margin < other.x1
            and other.x0 + margin < self.x1
            and self.y0 + margin < other.y1
            and other.y0 + margin < self.y1
        )

    def contains(self, point: Point, margin: float = 0.0) -> bool:
        x, y = point
        return self.x0 + margin < x < self.x1 - margin and self.y0 + margin < y < self.y1 - margin


@dataclass(frozen=True)
class Edge:
    name: str
    """The DOT id: ``edge-<source>-<destination>``."""
    points: tuple[Point, ...]
    """Points along the curve (each cubic Bézier sampled)."""
    label: Box | None


@dataclass(frozen=True)
class Diagram:
    nodes: dict[str, Box]
    clusters: dict[str, Box]
    edges: list[Edge]
    font_sizes: list[float]
    width_pt: float


def _box(name: str, coordinates: str) -> Box:
    values = [float(v) for v in _NUMBER.findall(coordinates)]
    xs, ys = values[0::2], values[1::2]
    return Box(name, min(xs), min(ys), max(xs), max(ys))


def _sample(d: str, steps: int = 24) -> tuple[Point, ...]:
    values = [float(v) for v in _NUMBER.findall(d)]
    points = list(zip(values[0::2], values[1::2], strict=True))
    out = [points[0]]
    for i in range(1, len(points) - 2, 3):
        p0, p1, p2, p3 = points[i - 1], points[i], points[i + 1], points[i + 2]
        for k in range(1, steps + 1):
            t = k / steps
            a, b, c, e = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
            out.append(
                (
                    a * p0[0] + b * p1[0] + c * p2[0] + e * p3[0],
                    a * p0[1] + b * p1[1] + c * p2[1] + e * p3[1],
                )
            )
    return tuple(out)


def read(svg: str) -> Diagram:
    root = ET.fromstring(svg)
    nodes, clusters, edges = {}, {}, []
    for group in root.iter(f"{SVG}g"):
        kind, name = group.get("class"), group.get("id", "")
        shape = group.find(f"{SVG}path")
        if kind == "node" and shape is not None:
            nodes[name] = _box(name, shape.get("d", ""))
        elif kind == "cluster" and shape is not None:
            clusters[name] = _box(name, shape.get("d", ""))
        elif kind == "edge" and shape is not None:
            label = None
            for polygon in group.findall(f"{SVG}polygon"):
                if polygon.get("fill") == "#ffffff":
                    label = _box(name, polygon.get("points", ""))
            edges.append(Edge(name, _sample(shape.get("d", "")), label))
    sizes = [float(t.get("font-size", "0")) for t in root.iter(f"{SVG}text")]
    width = float(root.get("width", "0").removesuffix("pt"))
    return Diagram(nodes, clusters, edges, sizes, width)


def endpoints(edge: Edge) -> tuple[str, str]:
    """``edge-zone-z1-zone-z4`` -> (``zone-z1``, ``zone-z4``)."""
    _, source, destination = edge.name.split("~")
    return source, destination
