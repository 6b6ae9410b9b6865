"""Time the PDF report for the real matrix against the floor: WeasyPrint laying out a bare
HTML table of the same rows (run.py's floor_pdf: no fonts to embed, no PDF/A).

    python benchmarks/bench_pdf.py [--runs 3]

Prints the median wall time of each and their ratio. Timings belong here, never in tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from run import floor_pdf, floor_rows  # noqa: E402  (benchmarks/, the script's folder)

from reportgen.render import RenderOptions  # noqa: E402
from reportgen.render.pdf import render  # noqa: E402
from tests.pdf_support import load_report_data  # noqa: E402


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
    parser.add_argument(
        "--jobs", type=int, default=1, help="worker processes for the report's parts"
    )
    args = parser.parse_args()
    data = load_report_data()
    flows = sum(1 for _ in data.matrix.flows)
    rows = floor_rows(data.matrix)
    floor, floor_bytes = median_seconds(lambda: floor_pdf(rows), args.runs)
    report, files = median_seconds(lambda: render(data, RenderOptions(jobs=args.jobs)), args.runs)
    ((name, pdf),) = files.items()  # type: ignore[attr-defined]
    print(f"rows: {flows}, runs: {args.runs} (median), jobs: {args.jobs}")
    print(f"floor   bare table  {floor:7.2f} s  {len(floor_bytes):>8} bytes")  # type: ignore[arg-type]
    print(f"report  {name}  {report:7.2f} s  {len(pdf):>8} bytes")
    print(f"ratio   report / floor = {report / floor:.1f}x")


if __name__ == "__main__":
    main()
