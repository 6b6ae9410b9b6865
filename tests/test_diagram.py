"""The zone flow diagram (Graphviz): read back from its SVG, never compared as bytes.

The shipped v0.21.11 matrix is laid out once per module. The checks are what an auditor found
wrong with the in-house ring: boxes on boxes, edges behind boxes, labels of 4.5 pt, a grouping
by trust class that was not there, severities told apart by red and green only.
"""

from __future__ import annotations

import itertools
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from reportgen.build import load
from reportgen.bundle import ReportData
from reportgen.model import Level, ZonePair
from reportgen.render.pdf.diagram import (
    AIM_ABOVE,
    FONT_SIZE,
    FRAME,
    MIN_PRINTED_SIZE,
    SEVERITY_CODES,
    SEVERITY_COLOURS,
    _Layout,
    _next_size,
    dot_source,
    legend,
    zone_diagram,
    zones_by_class,
)

from .conftest import FIXTURES, ROOT
from .pdf_support import load_report_data
from .svg_geometry import Diagram, endpoints, read
from .test_faults import generate

pytestmark = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)


@pytest.fixture(scope="module")
def data() -> ReportData:
    return load_report_data()


@pytest.fixture(scope="module")
def svg(data: ReportData) -> str:
    return str(zone_diagram(data))


@pytest.fixture(scope="module")
def drawn(svg: str) -> Diagram:
    return read(svg)


def _scale(svg: str) -> float:
    found = re.search(r'data-scale="([\d.]+)"', svg)
    assert found
    return float(found.group(1))


def test_no_two_boxes_overlap(drawn: Diagram) -> None:
    boxes = list(drawn.nodes.values()) + [e.label for e in drawn.edges if e.label is not None]
    assert len(drawn.nodes) > 10
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a.name, b.name)
    for a, b in itertools.combinations(drawn.clusters.values(), 2):
        assert not a.overlaps(b), (a.name, b.name)


def test_no_edge_passes_behind_a_box_or_a_label(drawn: Diagram) -> None:
    labels = {e.name: e.label for e in drawn.edges if e.label is not None}
    for edge in drawn.edges:
        source, destination = endpoints(edge)
        assert source in drawn.nodes and destination in drawn.nodes, edge.name
        for node in drawn.nodes.values():
            if node.name in (source, destination):
                continue
            assert not any(node.contains(p, 0.5) for p in edge.points), (edge.name, node.name)
        for name, label in labels.items():
            if name != edge.name:
                assert not any(label.contains(p, 0.5) for p in edge.points), (edge.name, name)


def test_zones_sit_in_one_cluster_per_trust_class(data: ReportData, svg: str) -> None:
    drawn = read(svg)
    classes = zones_by_class(data)
    assert len(drawn.clusters) == len(classes)
    for node in drawn.nodes.values():
        inside = [c for c in drawn.clusters.values() if c.overlaps(node)]
        assert len(inside) == 1, node.name
    for trust, _ in classes:
        assert f"Trust class: {trust}" in svg
    # The untrusted zones share one cluster.
    untrusted = dict(classes)["untrusted"]
    assert {"Internet", "unknown"} <= set(untrusted)


def test_labels_print_at_seven_points_or_more(svg: str, drawn: Diagram) -> None:
    scale = _scale(svg)
    assert drawn.font_sizes
    assert min(drawn.font_sizes) * scale >= MIN_PRINTED_SIZE >= 7.0
    # Printed at the size given, within the landscape frame, so the scale is the real one.
    height = float(re.search(r'height="([\d.]+)pt"', svg).group(1))  # type: ignore[union-attr]
    assert drawn.width_pt <= FRAME[0] + 0.01 and height <= FRAME[1] + 0.01


@pytest.mark.slow
@pytest.mark.parametrize("flows", [100, 1000])
def test_a_dense_drawing_is_laid_out_again_until_its_labels_print_at_seven_points(
    flows: int, tmp_path: Path
) -> None:
    """The synthetic 100- and 1,000-flow matrices get labels of 19.5 and 34.5 pt, which the
    drawing, scaled into its frame, prints at 7 pt or more; the SVG states the size it was
    laid out with. (Four layouts at most had printed them at 6.6 and 6.7 pt, and stated the
    size of a fifth that was never laid out.)"""
    path = tmp_path / "matrix.md"
    path.write_text(generate(flows))
    svg = str(zone_diagram(load(path, ROOT / "source" / "report.toml", release="x")))
    drawn = read(svg)
    stated = re.search(r'data-label-size="([\d.]+)"', svg)
    assert stated is not None
    assert set(drawn.font_sizes) == {float(stated.group(1))}
    assert min(drawn.font_sizes) * _scale(svg) >= MIN_PRINTED_SIZE


def test_the_next_label_size_follows_the_drawings_growth() -> None:
    assert _next_size([]) == FONT_SIZE
    # A drawing (2 + size / 14) frames wide: at 8 pt its labels print at 3.11 pt, and 18 pt
    # would print at 7 pt if the drawing kept its size.
    wide = FRAME[0]
    first = _Layout(8.0, (2 + 8 / 14) * wide, FRAME[1] / 2)
    assert _next_size([first]) == 18.0
    # From two layouts the growth is known: size / (2 + size / 14) >= 7 from 28 pt on, and
    # aiming 0.1 pt above (AIM_ABOVE), >= 7.1 from 28.8 pt on.
    grown = _Layout(18.0, (2 + 18 / 14) * wide, FRAME[1] / 2)
    assert AIM_ABOVE == 0.1
    assert _next_size([first, grown]) == 29.0
    assert _Layout(29.0, (2 + 29 / 14) * wide, FRAME[1] / 2).printed == pytest.approx(7.123, 1e-3)
    # Growth that no size outruns (a frame per 5 pt): the size that would print at 7 pt if
    # the drawing kept its size.
    fast = _Layout(18.0, (2 + 8 / 14 + 10 / 5) * wide, FRAME[1] / 2)
    assert fast.printed == pytest.approx(3.9375)
    assert _next_size([first, fast]) == 32.0


def test_one_edge_per_zone_pair_with_its_count_and_severity(data: ReportData, svg: str) -> None:
    between = [p for p in data.assessment.statistics.zone_pairs if p.source != p.destination]
    drawn = read(svg)
    assert len(drawn.edges) == len(between)
    texts = re.findall(r'<g id="edge~[^"]*" class="edge">.*?</g>', svg, flags=re.DOTALL)
    labels = sorted(re.search(r">([^<>]+)</text>", t).group(1) for t in texts)  # type: ignore[union-attr]
    assert labels == sorted(f"{p.flows} {SEVERITY_CODES[p.worst]}" for p in between)
    for pair in between:
        colour = SEVERITY_COLOURS[pair.worst].lower()
        assert f'stroke="{colour}"' in svg


def test_the_legend_names_every_colour_and_code() -> None:
    entries = legend()
    assert [e.code for e in entries] == [SEVERITY_CODES[lv] for lv in (*Level, None)]
    assert len({e.colour for e in entries}) == len(entries)
    # No pure red beside a pure green: the palette is Okabe-Ito's.
    assert "#D55E00" in {e.colour for e in entries} and "#009E73" in {e.colour for e in entries}


def test_same_bytes_every_run(data: ReportData, svg: str) -> None:
    assert str(zone_diagram(data)) == svg
    assert "Generated by graphviz" not in svg


def test_hostile_zone_names_are_text(data: ReportData) -> None:
    hostile = 'Evil <b>"zone"</b> & ];\n}] x -> y'
    stats = data.assessment.statistics
    pairs = (*stats.zone_pairs, ZonePair(hostile, "Internet", 2, Level.HIGH))
    changed = replace(
        data,
        assessment=replace(
            data.assessment, statistics=replace(stats, zone_pairs=pairs, zones=(*stats.zones,))
        ),
    )
    source = dot_source(changed)
    assert hostile not in source
    assert "Evil &lt;b&gt;&#34;zone&#34;&lt;/b&gt; &amp; ];" in source
    drawn = read(str(zone_diagram(changed)))
    assert len(drawn.nodes) == len(read(str(zone_diagram(data))).nodes) + 1


def test_a_zone_the_source_leaves_empty_is_drawn_with_a_name() -> None:
    # An empty zone cell (tests/fixtures/defects.md, flow 3.2): its node's label was an
    # empty bold element, which Graphviz refuses, and so the whole PDF failed.
    empty = load_report_data(FIXTURES / "defects.md")
    assert "" in empty.assessment.statistics.zones
    svg = str(zone_diagram(empty))
    assert ">(no zone given)</text>" in svg
    assert len(read(svg).nodes) == len(empty.assessment.statistics.zones)
