"""Where the workbooks' render time goes: each sheet of the whole-matrix workbook, the zip
written and pinned, and the floor (pandas ``DataFrame.to_excel`` of the same flow rows),
reported as ratios within one run.

    python benchmarks/bench_xlsx.py [--flows 83,1000] [--runs 5]

83 flows is the shipped source; other sizes are generated (benchmarks/generate.py). Each
figure is the median of --runs in this process after one warm-up run. Timings belong here,
never in the tests; the machine is shared, so read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from run import floor_rows, floor_xlsx  # noqa: E402

from reportgen.build import load  # noqa: E402
from reportgen.bundle import ReportData  # noqa: E402
from reportgen.render import RenderOptions  # noqa: E402
from reportgen.render.xlsx import SHEETS, Sheet, build_workbook, render, workbook_bytes  # noqa: E402
from reportgen.render.xlsx.archive import workbook_to_bytes  # noqa: E402
from reportgen.render.xlsx.scope import Book, Scope  # noqa: E402

SOURCE = ROOT / "source" / "communication-matrix.md"
CONFIG = ROOT / "source" / "report.toml"


def median(fn: Callable[[], object], runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def data_for(flows: int, folder: Path) -> ReportData:
    if flows == 83:
        return load(SOURCE, CONFIG)
    source = folder / f"matrix-{flows}.md"
    source.write_text(generate(flows), encoding="utf-8")
    return load(source, CONFIG)


def measure(data: ReportData, runs: int) -> dict[str, float]:
    sections = data.matrix.sections
    scope = Scope(tuple(sections), combined=True)
    book = Book.of(data, scope)
    figures: dict[str, float] = {}
    for sheet in SHEETS:

        def one(sheet: Sheet = sheet) -> None:
            sheet.write(Workbook().create_sheet(sheet.name), book)

        figures[f"sheet {sheet.name}"] = median(one, runs)
    wb = build_workbook(data, sections)
    figures["zip (write + pin)"] = median(
        lambda: workbook_to_bytes(wb, data.build.build_time), runs
    )
    figures["whole-matrix workbook"] = median(lambda: workbook_bytes(data, sections), runs)
    figures["all workbooks (render)"] = median(lambda: render(data, RenderOptions()), runs)
    rows = floor_rows(data.matrix)
    figures["floor: pandas to_excel of the flows"] = median(lambda: floor_xlsx(rows), runs)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", default="83,1000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for flows in (int(n) for n in args.flows.split(",")):
            figures = measure(data_for(flows, Path(tmp)), args.runs)
            floor = figures["floor: pandas to_excel of the flows"]
            whole = figures["whole-matrix workbook"]
            print(
                f"{flows} flows (median of {args.runs};"
                " x: ratio to the floor; share of one workbook)"
            )
            for name, seconds in figures.items():
                share = f"{seconds / whole:6.1%}" if name.startswith(("sheet", "zip")) else ""
                print(f"  {name:40} {seconds * 1000:9.1f} ms  x{seconds / floor:6.2f}  {share}")


if __name__ == "__main__":
    main()
