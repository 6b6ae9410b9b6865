"""Time the PDF report for the real matrix against the floor: WeasyPrint laying out a bare
HTML table of the same rows (no CSS, no fonts to embed beyond the default, no PDF/A).

    python benchmarks/bench_pdf.py [--runs 3]

Prints the median wall time of each and their ratio. Timings belong here, never in tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from weasyprint import HTML  # noqa: E402

from reportgen.model import FLAG_FIELDS, ReportData  # noqa: E402
from reportgen.render import RenderOptions  # noqa: E402
from reportgen.render.pdf import render  # noqa: E402
from tests.pdf_support import load_report_data  # noqa: E402


def bare_table(data: ReportData) -> str:
    """The matrix rows as one plain HTML table: what any PDF of these rows must lay out."""
    rows = []
    for f in data.matrix.flows:
        cells = [
            f.label,
            f.component,
            f.source_zone.text,
            f.protocol.text,
            f.destination,
            f.destination_zone.text,
            f.ports.text if f.ports else "",
            *(f.flag(name).value for name in FLAG_FIELDS),
            f.purpose,
            f.notes,
        ]
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return "<!DOCTYPE html><html><body><table>" + "".join(rows) + "</table></body></html>"


def median_seconds(action: object, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data = load_report_data()
    flows = sum(1 for _ in data.matrix.flows)
    html = bare_table(data)
    floor, floor_pdf = median_seconds(lambda: HTML(string=html).write_pdf(), args.runs)
    report, files = median_seconds(lambda: render(data, RenderOptions()), args.runs)
    ((name, pdf),) = files.items()  # type: ignore[attr-defined]
    print(f"rows: {flows}, runs: {args.runs} (median)")
    print(f"floor   bare table  {floor:7.2f} s  {len(floor_pdf):>8} bytes")  # type: ignore[arg-type]
    print(f"report  {name}  {report:7.2f} s  {len(pdf):>8} bytes")
    print(f"ratio   report / floor = {report / floor:.1f}x")


if __name__ == "__main__":
    main()
