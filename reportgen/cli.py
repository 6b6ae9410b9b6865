"""The command line: a veneer over the library. Every command is a library call plus printing.

Exit codes: 0 success; 1 the input has errors (or findings / regressions at the gate asked
for); 2 usage errors, unreadable input or a broken config, and outputs that cannot be written.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from .build import DEFAULT_SOURCE
from .config import MARKDOWN_FLAVORS
from .errors import ReportgenError
from .model import Diagnostic, Report, Severity

if TYPE_CHECKING:
    from .build import Built
    from .bundle import ReportData

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
FORMATS = ("json", "markdown", "xlsx", "pdf", "oscal")


def _fail(message: str) -> NoReturn:
    click.echo(f"reportgen: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _github_escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def format_github(d: Diagnostic) -> str:
    """A GitHub Actions workflow command that annotates the line in the pull request."""
    props = ",".join(
        [
            f"file={_github_escape(d.location.path, True)}",
            f"line={d.location.line}",
            f"col={d.location.column}",
            f"title={_github_escape(d.code, True)}",
        ]
    )
    message = f"{d.message} (hint: {d.hint})" if d.hint else d.message
    return f"::{_GITHUB_LEVEL[d.severity]} {props}::{_github_escape(message)}"


def summary(report: Report, sources: int) -> str:
    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    infos = report.count(Severity.INFO)
    files = n(sources, "file")
    return (
        f"{n(report.errors, 'error')}, {n(report.warnings, 'warning')}, "
        f"{n(infos, 'note')} in {files}"
    )


def _echo_text(diagnostics: Sequence[Diagnostic], color: bool) -> None:
    if not color:
        for d in diagnostics:
            click.echo(d.format())
        return
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, soft_wrap=True)
    for d in diagnostics:
        style = _STYLE[d.severity]
        hint = f" [dim](hint: {escape(d.hint)})[/dim]" if d.hint else ""
        console.print(
            f"[bold]{escape(str(d.location))}[/bold]: [{style}]{d.severity.value}[/{style}] "
            f"[{style}]{escape(d.code)}[/{style}]: {escape(d.message)}{hint}"
        )


EXIT_INTERRUPTED = 130


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a command reads, checks and assesses its
    source (large, acyclic structures: tokens, records, diagnostics), and, for ``build``,
    while it renders, and restore it afterwards. Its full collections walk the whole growing
    heap: on a 10,000-flow matrix they made parse and validate superlinear (10k/1k: 11x and
    17.7x with the collector, 6.5x and 9.8x without); at 1,000 flows they were a fifth of the
    CPU of rendering JSON, Markdown, XLSX and OSCAL (6.4 s -> 5.2 s, the same peak RSS).
    Reference counting still frees everything as usual. (The PDF's workers run without the
    collector of their own accord: ``render.pdf.parts.GC_BUDGET``.)

    The switch is process-wide, so only the command line uses it, in its own process: the
    library (``reportgen.load``, the MkDocs plugin inside a docs build) leaves the
    collector to its host."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Commands(click.Group):
    """The command group; an interrupt (Ctrl-C) exits 130, as shells expect, with a word on
    what was kept, instead of click's bare "Aborted!" and exit 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo(
                "reportgen: interrupted; no output was half-written, earlier outputs are "
                "as they were",
                err=True,
            )
            sys.exit(EXIT_INTERRUPTED)


@click.group(
    cls=_Commands,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="reportgen", prog_name="reportgen")
def main() -> None:
    """Turn a security communication matrix kept as Markdown tables into checked records and
    auditor-grade reports (JSON, Markdown, XLSX, PDF).

    \b
    Examples:
      reportgen validate source/communication-matrix.md
      reportgen build --out output
    """


_config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="report.toml to use (default: report.toml beside the source, else built-in defaults).",
)


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text: path:line:col lines; json: an array of objects; github: workflow annotations.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@_config_option
def validate(sources: tuple[Path, ...], fmt: str, strict: bool, config_path: Path | None) -> None:
    """Check a matrix against its legend, the zone vocabulary and itself.

    Prints every diagnostic as `path:line:col: severity code: message`, then a summary.
    Exits 0 when there is no error (warnings allowed unless --strict), 1 when there is,
    2 when a source or the config cannot be read.

    \b
    Examples:
      reportgen validate
      reportgen validate docs/communication-matrix.md --format github --strict
    """
    from .build import check
    from .config import find_config

    paths = sources or (DEFAULT_SOURCE,)
    found: list[Diagnostic] = []
    try:
        for path in paths:
            config = find_config(path, config_path)
            with gc_paused():
                _matrix, report = check(path, config)
            found.extend(report.diagnostics)
    except ReportgenError as exc:
        _fail(str(exc))
    report = Report(tuple(found))
    if fmt == "json":
        click.echo(json.dumps([d.to_dict() for d in found], indent=2, ensure_ascii=False))
    elif fmt == "github":
        for d in found:
            click.echo(format_github(d))
    else:
        _echo_text(found, color=sys.stdout.isatty())
        click.echo(summary(report, len(paths)), err=True)
    failed = report.errors > 0 or (strict and report.warnings > 0)
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


def _parse_formats(value: str) -> list[str]:
    chosen = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in FORMATS]
    if unknown:
        raise click.BadParameter(
            f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}"
        )
    return [f for f in FORMATS if f in chosen]


@main.command()
@click.argument("source", required=False, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("output"),
    show_default=True,
    help="Output folder; each format writes into its own subfolder.",
)
@click.option(
    "--formats",
    default=",".join(FORMATS),
    show_default=True,
    help="Comma-separated formats to build.",
)
@click.option(
    "--release", default=None, help="Release to stamp (default: front matter, path, config)."
)
@click.option(
    "--previous",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="An earlier release of the source: adds the changes since it to every output.",
)
@click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Folder with templates overriding the packaged ones of the same name.",
)
@click.option(
    "--observed",
    "observed",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A capture or flow log (pcap, pcapng, Zeek conn.log, Hubble JSON); repeatable. Adds "
    "the comparison with the matrix to every output (see `reportgen verify`).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes that lay the PDF's parts out side by side while the other formats "
    "render (the workbooks in a worker too, after the parts; default: the number of cores, at "
    "most 4). Outputs are the same for any value.",
)
@click.option(
    "--flavor",
    type=click.Choice(MARKDOWN_FLAVORS),
    default=None,
    help="Site generator the Markdown pages are for (default: [document] markdown_flavor, "
    "else mkdocs); docusaurus writes :::info admonitions and pages that compile as MDX.",
)
@click.option(
    "--lang",
    "langs",
    default=None,
    metavar="LANG[,LANG]",
    help="Language(s) of the reports: en, de, or both (de,en); with more than one, each file "
    "name carries its language (default: [document] lang in report.toml, else en).",
)
@click.option("--strict", is_flag=True, help="Exit 1 when validation found errors.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors (for CI).")
@_config_option
def build(
    source: Path | None,
    out: Path,
    formats: str,
    release: str | None,
    previous: Path | None,
    templates: Path | None,
    observed: tuple[Path, ...],
    jobs: int | None,
    flavor: str | None,
    langs: str | None,
    strict: bool,
    quiet: bool,
    config_path: Path | None,
) -> None:
    """Build the reports for one source into OUT/<format>/ and write OUT/manifest.json.

    Outputs are rendered in memory first and written atomically, so a failure leaves
    earlier outputs as they were. Validation problems are reported in the outputs; the
    build still succeeds unless --strict is given and there are errors.

    \b
    Examples:
      reportgen build
      reportgen build source/communication-matrix.md --out output --formats json,pdf
      SOURCE_DATE_EPOCH=1759881600 reportgen build --release v0.21.11 --quiet
      reportgen build docs/matrix.md --previous old/matrix.md --formats pdf,xlsx
      reportgen build --lang de,en --formats pdf
      reportgen build --observed capture.pcap --observed conn.log
      reportgen build --formats markdown --flavor docusaurus
    """
    from .build import build as run_build
    from .build import default_jobs, load
    from .i18n import parse_languages

    try:
        chosen = _parse_formats(formats)
        languages = parse_languages(langs) if langs is not None else ()
    except click.BadParameter as exc:
        raise click.UsageError(str(exc)) from exc
    except ValueError as exc:
        raise click.UsageError(f"--lang: {exc}") from exc
    path = source or DEFAULT_SOURCE
    workers = jobs or default_jobs()
    try:
        if "pdf" in chosen and workers > 1:
            _start_pdf_workers(workers)
        with gc_paused():
            data = load(path, config_path, release, previous=previous, observed=observed)
            if flavor is not None:  # --flavor wins over report.toml
                from .render.markdown import with_flavor

                data = with_flavor(data, flavor)
            if quiet:
                built = run_build(data, out, chosen, templates, jobs=workers, langs=languages)
            else:
                built = _build_with_progress(data, out, chosen, templates, workers, languages)
    except ReportgenError as exc:
        _fail(str(exc))
    finally:
        _stop_pdf_workers()
    failed = strict and not data.report.valid
    if not quiet:
        _print_written(built)
    if not quiet or failed:
        click.echo(f"validation: {summary(data.report, 1)}; {_where(path, out, chosen)}", err=True)
    if failed:
        sys.exit(EXIT_FAILED)


def _where(source: Path, out: Path, formats: Sequence[str]) -> str:
    """Where the build's diagnostics can be read in full."""
    run = f"`reportgen validate {source}`"
    if "json" in formats:
        return f"details in {out / 'json' / 'diagnostics.json'} or by {run}"
    return f"details by {run}"


def _build_with_progress(
    data: ReportData,
    out: Path,
    formats: Sequence[str],
    templates: Path | None,
    jobs: int,
    langs: Sequence[str],
) -> Built:
    from rich.console import Console

    from .build import build as run_build

    console = Console(stderr=True)
    with console.status("rendering") as status:

        def step(fmt: str) -> None:
            status.update(f"rendering {fmt}")

        return run_build(data, out, formats, templates, step, jobs, langs)


def _start_pdf_workers(jobs: int) -> None:
    """Start the PDF's workers before anything else: imported here, WeasyPrint is imported
    once, and the workers forked from this process have it (``parts.prefork``). Where they
    cannot be forked from here, a fork server is started instead: it imports WeasyPrint in
    its own process while this one reads and assesses the source."""
    try:
        from .render.pdf.parts import prefork
    except (ImportError, OSError):  # WeasyPrint raises OSError when Pango is missing
        return  # the build reports it where it renders the PDF
    if not prefork(jobs):
        from .render.forkserver import start_fork_server

        start_fork_server()


def _stop_pdf_workers() -> None:
    """End the workers no build adopted, and wait for the PDF's fork server (if the build
    started one): their CPU time then counts in this command's, as ``time`` reports it."""
    parts = sys.modules.get("reportgen.render.pdf.parts")
    if parts is not None:
        parts.stop_preforked()
    server = sys.modules.get("reportgen.render.forkserver")
    if server is not None:
        server.stop_fork_server()


def _print_written(built: Built) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=None, show_edge=False)
    table.add_column("file")
    table.add_column("size", justify="right")
    table.add_column("sha256")
    for w in built.written:
        table.add_row(str(w.path), f"{w.size:,}", w.sha256[:12])
    console = Console()
    console.print(table)
    for path in built.removed:
        click.echo(f"removed {path} (an earlier build's, not written by this one)")
    for path in built.kept:
        click.echo(f"kept {path}: an earlier build wrote it; it changed since or cannot go")


_LEVELS = ("high", "medium", "low", "info")

_allow_unreadable_option = click.option(
    "--allow-unreadable",
    is_flag=True,
    default=False,
    help="Let the gate pass on a source that was not read in full (by default it fails).",
)


@main.command()
@click.argument("source", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: the findings register, worst first; json: findings.json.",
)
@click.option(
    "--fail-on",
    type=click.Choice(_LEVELS),
    default=None,
    help="Exit 1 when a finding at or above this severity exists (a CI gate).",
)
@_allow_unreadable_option
@_config_option
def assess(
    source: Path | None,
    fmt: str,
    fail_on: str | None,
    allow_unreadable: bool,
    config_path: Path | None,
) -> None:
    """Print the findings register: each flow that is a risk, against which controls.

    "Not assessed" findings (a `?` flag) are listed but never trip --fail-on, and neither do
    findings with a risk decision in force (accepted or false positive in the triage file,
    findings.toml beside the source, until its expiry). An expired acceptance trips it.
    With --fail-on, a source that could not be read in full (no matrix, binary content, a
    table skipped for a missing column, …) fails the gate too, unless --allow-unreadable.

    \b
    Examples:
      reportgen assess
      reportgen assess docs/communication-matrix.md --fail-on high
      reportgen assess --format json > findings.json
    """
    from .build import load
    from .model import Level

    try:
        with gc_paused():
            data = load(source or DEFAULT_SOURCE, config_path)
    except ReportgenError as exc:
        _fail(str(exc))
    assessment = data.assessment
    findings = assessment.findings
    if fmt == "json":
        from .render.json_ import findings_json

        click.echo(findings_json(data).decode("utf-8"), nl=False)
    else:
        for f in findings:
            status = "" if f.triage.status == "open" else f" ({f.triage.status})"
            click.echo(
                f"{f.location}: {f.severity.value} {f.id}{status}: {f.title}. {f.evidence} "
                f"[{', '.join(c.id for c in f.controls)}]"
            )
        click.echo(counts_line(data), err=True)
    for d in assessment.triage_diagnostics:
        click.echo(d.format(), err=True)
    if fail_on is None:
        _warn_unread(data)
        return
    _gate_on_unread(data, allow_unreadable)
    threshold = Level(fail_on).rank
    today = assessment.today
    tripping = [
        f
        for f in findings
        if f.kind != "not-assessed"
        and f.severity.rank <= threshold
        and not f.triage.in_force(today)
    ]
    for f in tripping:
        if f.triage.expired(today):
            click.echo(
                f"{f.triage.location}: the {f.triage.status} decision on {f.id} expired on "
                f"{f.triage.expires}: it no longer takes the finding out of the gate",
                err=True,
            )
    if tripping:
        click.echo(
            f"reportgen: {len(tripping)} finding(s) at or above {fail_on} without a risk "
            "decision in force",
            err=True,
        )
        sys.exit(EXIT_FAILED)


def counts_line(data: ReportData) -> str:
    """The counts kept apart: security findings per severity, data quality, not assessed."""
    c = data.assessment.statistics.counts
    security = ", ".join(f"{n} {level.value}" for level, n in c.security)
    decided = f" ({c.decided} with a risk decision in force)" if c.decided else ""
    return (
        f"security findings: {security}{decided}; data-quality issues: {c.data_quality}; "
        f"not assessed: {c.not_assessed}; flows with a Medium or High finding: "
        f"{c.flows_medium_or_high}"
    )


def _unread_of(data: ReportData) -> tuple[Diagnostic, ...]:
    from .checks import unread

    return unread(data.report.diagnostics)


def _warn_unread(data: ReportData) -> None:
    lost = _unread_of(data)
    if lost:
        click.echo(
            f"reportgen: warning: {data.matrix.source.path} was not read in full "
            f"({len(lost)} error(s) that lose flows or cells; see `reportgen validate`)",
            err=True,
        )


def _gate_on_unread(data: ReportData, allow: bool) -> None:
    """A gate never passes on input it could not read, unless told to."""
    lost = _unread_of(data)
    if not lost or allow:
        return
    for d in lost:
        click.echo(d.format(), err=True)
    click.echo(
        f"reportgen: {data.matrix.source.path}: the source was not read in full, so the gate "
        "fails; fix the errors above, or pass --allow-unreadable to gate on what was read",
        err=True,
    )
    sys.exit(EXIT_FAILED)


@main.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md", "json", "github", "pdf", "xlsx"]),
    default="text",
    show_default=True,
    help="text: path:line:col lines; md: a Markdown page; json: one document; "
    "github: workflow annotations on NEW's lines (errors for regressions); "
    "pdf, xlsx: a document written to --out.",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="File to write the output to, in any format (required for pdf and xlsx; the "
    "others print to standard output without it).",
)
@click.option(
    "--fail-on",
    "fail_on",
    type=click.Choice(["regression"]),
    default=None,
    help="Exit 1 when the diff has a security regression (the CI gate for pull requests).",
)
@_allow_unreadable_option
@_config_option
def diff_command(
    old: Path,
    new: Path,
    fmt: str,
    out_file: Path | None,
    fail_on: str | None,
    allow_unreadable: bool,
    config_path: Path | None,
) -> None:
    """Show what changed in the communication between two versions of a matrix.

    Flows are matched by id, then by (component, destination, port) to detect renumbering.
    Reports added, removed and changed sections, flows (field by field) and technologies,
    and the security regressions among them: a flag lost (x to empty or ?), a new flow
    from or to an untrusted zone, Trust gained without C, a port change on a data store,
    a new High finding. Locations are in NEW (in OLD for what was removed).
    Exits 0, or 1 with --fail-on regression when there is one or when OLD or NEW could not
    be read in full (unless --allow-unreadable), 2 when an input or the config cannot be read.

    \b
    Examples:
      reportgen diff old/communication-matrix.md source/communication-matrix.md
      reportgen diff v0.21.11.md main.md --format github --fail-on regression
      reportgen diff v0.21.11.md main.md --format md > changes.md
      reportgen diff v0.21.11.md main.md --format pdf --out changes.pdf
    """
    from .build import load
    from .config import find_config
    from .diff import diff
    from .render.diff_formats import render
    from .render.diff_formats import summary as diff_summary

    if fmt in ("pdf", "xlsx") and out_file is None:
        raise click.UsageError(f"--format {fmt} writes a file: give it with --out FILE")
    try:
        # one vocabulary for both sides (NEW's), so a zone or slug never differs by config
        config = find_config(new, config_path)
        with gc_paused():
            before = load(old, config=config)
            after = load(new, config=config)
    except ReportgenError as exc:
        _fail(str(exc))
    result = diff(before, after)
    if fmt in ("pdf", "xlsx") and out_file is not None:  # --out is required for them
        _write_diff_document(replace(after, changes=result), fmt, out_file)
    elif out_file is not None:
        _write_file(out_file, render(result, fmt).encode("utf-8"))
    else:
        click.echo(render(result, fmt), nl=False)
    if fmt in ("text", "pdf", "xlsx"):
        click.echo(diff_summary(result), err=True)
    if fail_on == "regression":
        _gate_on_unread(before, allow_unreadable)
        _gate_on_unread(after, allow_unreadable)
        if result.has_regressions:
            sys.exit(EXIT_FAILED)


def _write_file(target: Path, payload: bytes) -> None:
    """Write ``target`` atomically; a failure is a usage-level error naming the file."""
    from .build import write_atomic

    try:
        write_atomic(target, payload)
    except OSError as exc:
        _fail(f"{target}: cannot write: {exc.strerror or exc}; nothing was replaced")


def _write_diff_document(data: ReportData, fmt: str, target: Path) -> None:
    """The diff as a PDF or a workbook, written atomically to ``target``. A renderer that
    cannot be loaded (WeasyPrint without Pango) gets the same hint as in ``build``."""
    from .build import renderer_module
    from .render import RenderOptions

    try:
        module = renderer_module(fmt)
        if fmt == "pdf":
            payload: bytes = module.changes_pdf(data, RenderOptions())
        else:
            payload = module.changes_workbook(data)
    except ReportgenError as exc:
        _fail(str(exc))
    _write_file(target, payload)


_GITHUB_SEVERITY = {"high": "error", "medium": "warning", "low": "warning", "info": "notice"}


@main.command("verify")
@click.argument("source", required=False, type=click.Path(path_type=Path))
@click.option(
    "--observed",
    "observed",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A pcap or pcapng capture, a Zeek conn.log (TSV or JSON) or a Hubble export "
    "(hubble observe -o json), told apart by content; repeatable.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text: one line per item, where: severity code: message; json: verify.json; "
    "github: workflow annotations on the matrix's lines.",
)
@click.option(
    "--fail-on",
    "fail_on",
    multiple=True,
    type=click.Choice(["undocumented", "contradiction", "unobserved", "unknown"]),
    help="Exit 1 when the comparison has an item of this kind (repeatable; a CI gate).",
)
@_config_option
def verify_command(
    source: Path | None,
    observed: tuple[Path, ...],
    fmt: str,
    fail_on: tuple[str, ...],
    config_path: Path | None,
) -> None:
    """Compare the documented matrix with observed traffic (NET.1.1.A15, Soll-Ist-Vergleich).

    Observed connections are taken with their direction (TCP SYN, Zeek's orig/resp, Hubble's
    source/destination), named through the inventory in report.toml (zone `networks`,
    `[[component]]` addresses, ports or Kubernetes labels) and matched against the documented
    flows. Reports contradictions (C marked but cleartext seen; C empty but TLS seen; another
    port), undocumented flows (findings, severity by the zones' trust classes), documented
    flows not seen in the capture window, and addresses the inventory does not know.
    Exits 0, or 1 when a --fail-on gate trips, 2 when an input or the config cannot be read.

    \b
    Examples:
      reportgen verify --observed capture.pcap
      reportgen verify docs/matrix.md --observed conn.log --observed hubble.json \\
          --fail-on undocumented --fail-on contradiction
      reportgen verify --observed capture.pcapng --format json > verify.json
    """
    from .build import load

    try:
        with gc_paused():
            data = load(source or DEFAULT_SOURCE, config_path, observed=observed)
    except ReportgenError as exc:
        _fail(str(exc))
    result = data.verification
    assert result is not None
    if fmt == "json":
        from .render.json_ import verify_json

        click.echo(verify_json(data).decode("utf-8"), nl=False)
    elif fmt == "github":
        path = data.matrix.source.path
        for item in result.items:
            props = [f"file={_github_escape(path, True)}"]
            if item.location is not None:
                props += [f"line={item.location.line}", f"col={item.location.column}"]
            props.append(f"title={_github_escape(item.code, True)}")
            where = "" if item.location is not None else f"{item.where}: "
            click.echo(
                f"::{_GITHUB_SEVERITY[item.severity.value]} {','.join(props)}::"
                f"{_github_escape(where + item.message)}"
            )
    else:
        for item in result.items:
            click.echo(item.format())
        click.echo(result.summary(), err=True)
    if result.tripped(fail_on):
        sys.exit(EXIT_FAILED)
