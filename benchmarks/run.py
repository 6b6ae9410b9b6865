"""Timing and memory of every pipeline stage on synthetic matrices, and the ratios that matter.

    python benchmarks/run.py                         # 100, 1,000, 10,000 flows, 3 repeats
    python benchmarks/run.py --sizes 1000 --repeat 5
    python benchmarks/run.py --skip-pdf-above 1000   # the default: PDF only up to 1,000 flows

Each size runs in fresh subprocesses (one per repeat), so import costs and caches do not
leak between sizes and the peak RSS of the subprocess is the peak of that size. Inside it,
every stage (parse, validate, assess, json, markdown, xlsx, pdf) is timed with
``perf_counter``; then the stages run a second time under ``tracemalloc`` for their peak
Python allocation (the second pass is not timed: tracemalloc slows allocation down).

The floor, measured in the same subprocess on the same rows: WeasyPrint laying out a bare
HTML table, plus pandas ``DataFrame.to_excel`` with openpyxl. Reported medians over the
repeats; the machine is shared, so run with nothing else busy where possible.
"""

from __future__ import annotations

import argparse
import gc
import html
import io
import json
import logging
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

STAGES = ("parse", "validate", "assess", "json", "markdown", "xlsx", "oscal", "pdf")
SOURCE = ROOT / "source" / "communication-matrix.md"
CONFIG = ROOT / "source" / "report.toml"


# --- one size, inside a subprocess ------------------------------------------------------------


def floor_rows(matrix: Any) -> list[list[str]]:
    return [
        [
            f.id,
            f.component,
            f.source_zone.text,
            f.protocol.text,
            f.destination,
            f.destination_zone.text,
            f.ports.text if f.ports else "",
            f.confidentiality.value,
            f.integrity.value,
            f.authentication.value,
            f.trusted.value,
            f.purpose,
            f.notes,
        ]
        for f in matrix.flows
    ]


HEADER = ["No.", "Component", "Source Zone", "Protocol", "Destination", "Destination Zone",
          "Port", "C", "I", "Auth", "Trust", "Purpose", "Notes"]  # fmt: skip


def floor_pdf(rows: list[list[str]]) -> bytes:
    from weasyprint import HTML

    head = "".join(f"<th>{html.escape(h)}</th>" for h in HEADER)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    page = (
        "<html><head><style>@page{size:A4 landscape}table{border-collapse:collapse;"
        "font-size:7pt}td,th{border:1px solid #999}</style></head><body>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>"
    )
    pdf: bytes = HTML(string=page).write_pdf()
    return pdf


def floor_xlsx(rows: list[list[str]]) -> bytes:
    import pandas as pd

    buffer = io.BytesIO()
    pd.DataFrame(rows, columns=HEADER).to_excel(buffer, index=False, engine="openpyxl")
    return buffer.getvalue()


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of every child it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class _StepLog(logging.Handler):
    """The PDF's steps as ``reportgen.render.pdf.assembly`` logs them at debug level
    ("pdf parts: 12.34 s (...)"): wall seconds per step of the production path."""

    PATTERN = re.compile(r"^pdf (.+?): ([0-9.]+) s")

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seconds: dict[str, float] = {}
        log = logging.getLogger("reportgen.render.pdf.assembly")
        log.setLevel(logging.DEBUG)
        log.addHandler(self)

    def clear(self) -> None:
        self.seconds = {}

    def emit(self, record: logging.LogRecord) -> None:
        found = self.PATTERN.match(record.getMessage())
        if found:
            self.seconds[found[1]] = self.seconds.get(found[1], 0.0) + float(found[2])


def _fork_server() -> Any:
    """The module with ``start_fork_server`` and ``stop_fork_server`` in the reportgen being
    measured (older ones kept them in ``render.pdf.parts``, the oldest had neither)."""
    import importlib

    for name in ("reportgen.render.forkserver", "reportgen.render.pdf.parts"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "stop_fork_server"):
            return module
    return None


def start_workers(jobs: int) -> str:
    """Start the PDF's workers as ``reportgen build`` does first thing: forked from this
    process where the reportgen measured can (``parts.prefork``), else its fork server. Says
    which."""
    import importlib

    parts = importlib.import_module("reportgen.render.pdf.parts")
    prefork = getattr(parts, "prefork", None)
    if prefork is not None and prefork(jobs):
        return "forked from the build's process"
    server = _fork_server()
    if server is not None and hasattr(server, "start_fork_server"):
        server.start_fork_server()
        return "fork server"
    return "started by the build"


def stop_server() -> None:
    """End what ``start_workers`` started and the build did not (and wait for it), so that
    the workers' CPU counts in ``RUSAGE_CHILDREN``."""
    parts = sys.modules.get("reportgen.render.pdf.parts")
    if parts is not None and hasattr(parts, "stop_preforked"):
        parts.stop_preforked()
    server = _fork_server()
    if server is not None:
        server.stop_fork_server()


def run_size(
    flows: int, with_pdf: bool, memory: bool, jobs: int = 2, only_build: bool = False
) -> dict[str, Any]:
    from generate import generate

    from reportgen.assess import assess
    from reportgen.build import load, render_all
    from reportgen.bundle import ReportData
    from reportgen.cli import gc_paused
    from reportgen.config import load_config
    from reportgen.parse import parse
    from reportgen.render import RenderOptions, get_renderer
    from reportgen.validate import validate

    config = load_config(CONFIG)
    source = generate(flows).encode("utf-8")
    # Import every renderer (and its heavy libraries) before timing: the stages measure the
    # work, the import cost is measured separately by the CLI ratio.
    base = load(SOURCE, CONFIG, release="bench")
    for fmt in ("json", "markdown", "xlsx", "oscal", *(("pdf",) if with_pdf else ())):
        get_renderer(fmt)
    import pandas  # noqa: F401
    import weasyprint  # noqa: F401

    state: dict[str, Any] = {}

    def stage(name: str) -> Callable[[], object]:
        # As the command line runs them: with the cyclic GC paused (cli.gc_paused).
        def parse_() -> object:
            with gc_paused():
                state["matrix"] = parse(source, "bench.md", config)
            return state["matrix"]

        def validate_() -> object:
            with gc_paused():
                state["report"] = validate(state["matrix"], config)
            return state["report"]

        def assess_() -> object:
            with gc_paused():
                state["assessment"] = assess(state["matrix"], config, state["report"])
            state["data"] = ReportData(
                state["matrix"],
                state["report"],
                state["assessment"],
                config,
                replace(base.build, build_time=datetime(2025, 1, 1, tzinfo=UTC)),
            )
            return state["assessment"]

        if name == "parse":
            return parse_
        if name == "validate":
            return validate_
        if name == "assess":
            return assess_
        if name == "floor_pdf":
            return lambda: floor_pdf(floor_rows(state["matrix"]))
        if name == "floor_xlsx":
            return lambda: floor_xlsx(floor_rows(state["matrix"]))
        if name == "build":
            # What `reportgen build` does, in its order: the fork server started first (it
            # imports WeasyPrint while the source is read), then, with the cyclic collector
            # paused (cli.gc_paused), parse, validate, assess and every format, the PDF's
            # parts in `jobs` workers.
            formats = ["json", "markdown", "xlsx", "oscal", "pdf"]

            def build_() -> object:
                state["workers"] = start_workers(jobs)
                with gc_paused():
                    start = time.perf_counter()
                    matrix = parse(source, "bench.md", config)
                    report = validate(matrix, config)
                    assessment = assess(matrix, config, report)
                    state["build_load"] = time.perf_counter() - start
                    state["matrix"], state["assessment"] = matrix, assessment
                    data = ReportData(
                        matrix, report, assessment, config,
                        replace(base.build, build_time=datetime(2025, 1, 1, tzinfo=UTC)),
                    )  # fmt: skip
                    return render_all(data, formats, jobs=jobs)

            return build_
        renderer = get_renderer(name)
        return lambda: renderer(state["data"], RenderOptions())

    # The build runs in a process of its own (``only_build``), as fresh as the command line's:
    # its workers are forked from it, and a process that has run the other stages first is
    # hundreds of MB larger (copy-on-write faults on both sides of the fork).
    names = [s for s in STAGES if with_pdf or s != "pdf"] + ["floor_xlsx"]
    names += ["floor_pdf"] if with_pdf else []
    if only_build:
        names = ["build"]
    times: dict[str, float] = {}
    cpus: dict[str, float] = {}
    sizes: dict[str, int] = {}
    steps = _StepLog()
    pdf_steps: dict[str, float] = {}
    for name in names:
        if name == "build":
            stop_server()  # none should run; the build starts its own, as the command line does
        gc.collect()
        steps.clear()
        cpu = cpu_seconds()
        start = time.perf_counter()
        result = stage(name)()
        times[name] = time.perf_counter() - start
        if name == "build":
            # The workers are forked by a fork server, which waits for each; stopping it (and
            # waiting for it) brings their CPU time and its own into RUSAGE_CHILDREN here.
            stop_server()
            pdf_steps = dict(steps.seconds)
        cpus[name] = cpu_seconds() - cpu
        if isinstance(result, dict):
            sizes[name] = sum(len(v) for v in result.values())
    peaks: dict[str, int] = {}
    if memory:
        for name in names:
            if name == "build" or (name in ("pdf", "floor_pdf") and flows > 100):
                continue  # WeasyPrint under tracemalloc takes many minutes; peak RSS covers it
            gc.collect()
            tracemalloc.start()
            stage(name)()
            peaks[name] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    return {
        "flows": sum(1 for _ in state["matrix"].flows),
        "findings": len(state["assessment"].findings),
        "source_bytes": len(source),
        "times": times,
        "cpu": cpus,
        "pdf_steps": pdf_steps if with_pdf else {},
        "build_load": state.get("build_load", 0.0),
        "workers": state.get("workers", ""),
        "peaks": peaks,
        "output_bytes": sizes,
    }


# --- the parent: subprocesses, medians, ratios -------------------------------------------------


def child(flows: int, with_pdf: bool, memory: bool, jobs: int = 2) -> dict[str, Any]:
    result = _child(flows, with_pdf, memory, jobs)
    if with_pdf and not memory:
        # The build in a fresh process of its own (see run_size).
        build = _child(flows, with_pdf, memory, jobs, only_build=True)
        for key in ("times", "cpu"):
            result[key]["build"] = build[key]["build"]
        for key in ("pdf_steps", "build_load", "workers"):
            result[key] = build[key]
        result["build_max_rss"] = build["max_rss"]
    return result


def _child(
    flows: int, with_pdf: bool, memory: bool, jobs: int = 2, only_build: bool = False
) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", str(flows), "--memory" if memory else "--time"]
    args += ["--jobs", str(jobs)]
    if not with_pdf:
        args.append("--no-pdf")
    if only_build:
        args.append("--only-build")
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark subprocess for {flows} flows failed ({proc.returncode})")
    result: dict[str, Any] = json.loads(out)
    result["max_rss"] = usage.ru_maxrss * 1024  # Linux: KiB
    return result


def process_time(args: list[str], repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of a command."""
    walls, cpus = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _pid, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"{args} failed")
    return statistics.median(walls), statistics.median(cpus)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, load average at start {load:.2f}"
    )


def mib(n: float) -> str:
    return f"{n / 2**20:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per size (median)")
    parser.add_argument("--skip-pdf-above", type=int, default=1000, metavar="N")
    parser.add_argument("--cli-repeat", type=int, default=7)
    parser.add_argument(
        "--build-repeat", type=int, default=3, metavar="N",
        help="runs of `reportgen build` on the shipped source (median; 0: none)",
    )  # fmt: skip
    parser.add_argument(
        "--trace-up-to", type=int, default=1000, metavar="N",
        help="run the (slow) tracemalloc pass only for sizes up to N flows",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--jobs", type=int, default=2, help="PDF worker processes of the build")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--time", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-pdf", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only-build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        result = run_size(args.child, not args.no_pdf, args.memory, args.jobs, args.only_build)
        sys.stdout.write(json.dumps(result))
        return

    print(f"machine: {machine()}")
    sizes = [int(s) for s in args.sizes.split(",")]
    report: dict[str, Any] = {"machine": machine(), "sizes": {}}
    for flows in sizes:
        with_pdf = flows <= args.skip_pdf_above
        runs = [child(flows, with_pdf, memory=False, jobs=args.jobs) for _ in range(args.repeat)]
        mem = child(flows, with_pdf, memory=True) if flows <= args.trace_up_to else {"peaks": {}}
        names = list(runs[0]["times"])
        median = {n: statistics.median(r["times"][n] for r in runs) for n in names}
        cpu_median = {n: statistics.median(r["cpu"][n] for r in runs) for n in names}
        steps = sorted({k for r in runs for k in r["pdf_steps"]})
        step_median = {
            k: statistics.median(r["pdf_steps"].get(k, 0.0) for r in runs) for k in steps
        }
        entry = {
            "flows": runs[0]["flows"],
            "findings": runs[0]["findings"],
            "source_bytes": runs[0]["source_bytes"],
            "times": median,
            "cpu": cpu_median,
            "pdf_steps": step_median,
            "build_load": statistics.median(r.get("build_load", 0.0) for r in runs),
            "workers": runs[0].get("workers", ""),
            "jobs": args.jobs,
            "peaks": mem["peaks"],
            "max_rss": statistics.median(r["max_rss"] for r in runs),
            "build_max_rss": statistics.median(r.get("build_max_rss", 0) for r in runs),
            "pdf": with_pdf,
        }
        report["sizes"][str(flows)] = entry
        rss = mib(entry["max_rss"])
        print(f"\n{flows:,} flows ({entry['source_bytes']:,} bytes, {entry['findings']:,} "
              f"findings; median of {args.repeat}; peak RSS {rss} MiB)")  # fmt: skip
        print(f"  {'stage':<11} {'seconds':>9} {'CPU s':>9} {'peak MiB':>9}")
        for n in names:
            print(f"  {n:<11} {median[n]:>9.3f} {cpu_median[n]:>9.3f} "
                  f"{mib(mem['peaks'].get(n, 0)):>9}")  # fmt: skip
        if step_median:
            print("  the PDF in the build, wall seconds per step: "
                  + ", ".join(f"{k} {v:.2f}" for k, v in step_median.items()))  # fmt: skip

    ratios: dict[str, Any] = {}

    def total(entry: dict[str, Any], stages: tuple[str, ...]) -> float:
        return float(sum(entry["times"][s] for s in stages if s in entry["times"]))

    no_pdf = tuple(s for s in STAGES if s != "pdf")
    for size, e in report["sizes"].items():
        if not e["pdf"]:
            continue
        # The build as `reportgen build` runs it (the "build" stage, in a fresh process): the
        # PDF's workers started (forked from it, or from a fork server), then parse,
        # validate, assess and every format, the PDF's parts in `jobs` workers. Its CPU
        # counts every process: that one, the fork server if any, and the workers
        # (RUSAGE_CHILDREN once they, and the server, are waited for).
        floor = e["times"]["floor_pdf"] + e["times"]["floor_xlsx"]
        floor_cpu = e["cpu"]["floor_pdf"] + e["cpu"]["floor_xlsx"]
        wall = e["times"]["build"]
        cpu = e["cpu"]["build"]
        ratios[f"build/floor@{size} (wall)"] = wall / floor
        ratios[f"build/floor@{size} (CPU)"] = cpu / floor_cpu
        ratios[f"build (one process)/floor@{size}"] = total(e, STAGES) / floor
        # What runs in one process while no worker lays a part out: parse, validate and
        # assess, the HTML, the front part with its page numbers beside the stamps (two
        # documents at most, so it counts as sequential), and the end of the join.
        steps = e["pdf_steps"]
        if "parts" in steps:
            sequential = e["build_load"] + sum(v for k, v in steps.items() if k != "parts")
            e["sequential_seconds"] = sequential
            e["parallel_seconds"] = steps["parts"]
            ratios[f"sequential share of the build@{size}"] = sequential / wall
        print(f"\n{size} flows, the build with {e['jobs']} workers ({e['workers']}): "
              f"{wall:.2f} s wall, "
              f"{cpu:.2f} s CPU; floor {floor:.2f} s wall, {floor_cpu:.2f} s CPU"
              + (f"; sequential {e['sequential_seconds']:.2f} s, parts (parallel) "
                 f"{e['parallel_seconds']:.2f} s" if "parts" in steps else ""))  # fmt: skip
    if "1000" in report["sizes"] and "10000" in report["sizes"]:
        small, big = report["sizes"]["1000"], report["sizes"]["10000"]
        ratios["validate 10k/1k"] = big["times"]["validate"] / small["times"]["validate"]
        check = ("parse", "validate")
        ratios["parse+validate 10k/1k"] = total(big, check) / total(small, check)
        ratios["build (no pdf) 10k/1k"] = total(big, no_pdf) / total(small, no_pdf)
        if big["pdf"]:
            ratios["build 10k/1k"] = total(big, STAGES) / total(small, STAGES)

    validate_wall, validate_cpu = process_time(
        [sys.executable, "-m", "reportgen", "validate", str(SOURCE)], args.cli_repeat
    )
    import_wall, import_cpu = process_time(
        [sys.executable, "-c", "import markdown_it"], args.cli_repeat
    )
    ratios["validate process / import markdown_it (wall)"] = validate_wall / import_wall
    ratios["validate process / import markdown_it (cpu)"] = validate_cpu / import_cpu
    report["cli"] = {
        "validate_wall": validate_wall,
        "validate_cpu": validate_cpu,
        "import_markdown_it_wall": import_wall,
        "import_markdown_it_cpu": import_cpu,
    }
    report["ratios"] = ratios
    print(f"\nreportgen validate (real source): {validate_wall:.3f} s wall, {validate_cpu:.3f} s "
          f"CPU; python -c 'import markdown_it': {import_wall:.3f} s wall, {import_cpu:.3f} s "
          f"CPU (median of {args.cli_repeat})")  # fmt: skip
    if args.build_repeat > 0:
        # What a user waits for: the command itself, imports, the source's catalogs and the
        # written files included, which the stages above leave out (they import and load
        # before timing). No target; the figure to compare between runs of the same machine.
        with tempfile.TemporaryDirectory() as out:
            build_wall, build_cpu = process_time(
                [sys.executable, "-m", "reportgen", "build", "--out", out, "--quiet"],
                args.build_repeat,
            )
        report["cli"]["build_shipped_wall"] = build_wall
        report["cli"]["build_shipped_cpu"] = build_cpu
        print(f"reportgen build (the shipped source, its config's formats and language): "
              f"{build_wall:.2f} s wall, {build_cpu:.2f} s CPU, every process "
              f"(median of {args.build_repeat})")  # fmt: skip
    targets = {"build/floor@1000 (CPU)": 3, "build/floor@100 (wall)": 3,
               "sequential share of the build@1000": 0.10,
               "validate 10k/1k": 11, "parse+validate 10k/1k": 11,
               "build (no pdf) 10k/1k": 11, "build 10k/1k": 11,
               "validate process / import markdown_it (wall)": 3}  # fmt: skip
    print("\nratios:")
    for name, value in ratios.items():
        target = targets.get(name)
        verdict = "" if target is None else ("  ok" if value <= target else "  MISSED")
        goal = "" if target is None else f" (target <= {target})"
        print(f"  {name:<46} {value:6.2f}{goal}{verdict}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
