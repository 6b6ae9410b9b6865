"""Orchestration: source -> ReportData -> files under the output folder.

This is the only library module that touches the filesystem (with ``provenance`` asking git).
Every output is rendered in memory first; only when all renderers have succeeded are the files
written, each to a temporary name in its own folder and renamed into place, so a failure never
leaves a half-written report and never removes what an earlier build wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .bundle import ReportData
from .config import Config, find_config
from .errors import OutputError, RenderError, SourceError
from .model import BuildInfo, Matrix, Report
from .version import __version__

if TYPE_CHECKING:
    from .assess.triage import TriageFile
    from .render import RenderOptions
from .parse import parse
from .provenance import git_provenance, source_path
from .validate import validate

GENERATOR = f"reportgen {__version__}"
DEFAULT_SOURCE = Path("source/communication-matrix.md")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


def read_source(path: Path, max_bytes: int) -> bytes:
    """The bytes of a source, refusing what is missing, unreadable or over the size limit."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the source: {exc.strerror or exc}") from exc
    if not path.is_file():
        raise SourceError(f"{path}: not a file")
    if size > max_bytes:
        raise SourceError(
            f"{path}: refused: the file is {size:,} bytes, over the limit of {max_bytes:,} "
            "bytes (raise [limits] max_source_bytes in report.toml if it is genuine)"
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the source: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise SourceError(f"{path}: refused: the file grew past {max_bytes:,} bytes")
    return data


def display_path(path: Path) -> str:
    """The path as diagnostics show it: relative to the working folder where possible."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def load_matrix(source: Path, config: Config) -> Matrix:
    """Read and parse one source, with git provenance where the source is in a checkout."""
    data = read_source(source, config.max_source_bytes)
    matrix = parse(data, source_path(source), config)
    found = git_provenance(source)
    if found is not None:
        matrix = replace(
            matrix,
            source=replace(
                matrix.source,
                repository=found.repository,
                commit=found.commit,
                commit_time=found.commit_time,
                tag=found.tag,
            ),
        )
    return matrix


def check(source: Path, config: Config) -> tuple[Matrix, Report]:
    """Parse and validate; what ``reportgen validate`` runs (no renderer is imported)."""
    matrix = load_matrix(source, config)
    return matrix, validate(matrix, config)


def build_time(matrix: Matrix, environ: dict[str, str] | None = None) -> datetime:
    """SOURCE_DATE_EPOCH, else the source's commit time, else now; always UTC, whole seconds."""
    env = os.environ if environ is None else environ
    if env.get("SOURCE_DATE_EPOCH", "").strip():
        return build_time_from_epoch(env)
    if matrix.source.commit_time is not None:
        return matrix.source.commit_time.astimezone(UTC)
    return datetime.now(UTC).replace(microsecond=0)


_VERSION_IN_PATH = re.compile(
    r"(?<![A-Za-z0-9])(v\d+(?:\.\d+)+(?:-[0-9A-Za-z.]+)?|main-[0-9a-f]{7,40})"
)


def version_from_path(path: Path) -> str | None:
    """A release named in the file or folder names: ``communication-matrix.v0.21.11.md``,
    ``versioned_docs/version-v0.21.11/...``, ``communication-matrix.main-36d217a.md``."""
    for part in reversed(path.parts):
        stem = part.removesuffix(".md")
        match = _VERSION_IN_PATH.search(stem)
        if match:
            return match.group(1)
    return None


def triage_path(source: Path, config: Config) -> Path:
    """The triage file: ``[assessment] triage`` relative to report.toml's folder, else
    ``findings.toml`` beside the source."""
    base = Path(config.path).parent if config.path else source.parent
    return base / config.triage


def load_triage(source: Path, config: Config) -> TriageFile | None:
    """The risk decisions beside the source, or None when there is no triage file."""
    from .assess.triage import parse_triage

    path = triage_path(source, config)
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{display_path(path)}: cannot read the triage file: {exc}") from exc
    return parse_triage(text, source_path(path))


def triage_today(environ: dict[str, str] | None = None) -> str:
    """The day risk decisions' expiries are judged on: SOURCE_DATE_EPOCH's date when set (a
    reproducible build), else today (UTC). Never the source's commit date: an acceptance
    that expired since the last commit must fail the gate."""
    env = os.environ if environ is None else environ
    if env.get("SOURCE_DATE_EPOCH", "").strip():
        return build_time_from_epoch(env).date().isoformat()
    return datetime.now(UTC).date().isoformat()


def build_time_from_epoch(env: Mapping[str, str]) -> datetime:
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        return datetime.fromtimestamp(int(epoch), UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise SourceError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from exc


def load(
    source: str | os.PathLike[str],
    config_path: str | os.PathLike[str] | None = None,
    release: str | None = None,
    config: Config | None = None,
    previous: str | os.PathLike[str] | None = None,
    observed: Sequence[str | os.PathLike[str]] = (),
) -> ReportData:
    """Everything renderers need for one source: parsed, validated and assessed; with
    ``previous``, also the diff against that earlier release (read with the same config);
    with ``observed`` captures or flow logs, the comparison with them (``reportgen verify``).
    Paths may be given as ``str`` or any path-like object."""
    from .assess import assess

    source = Path(source)
    if config is None:
        config = find_config(source, Path(config_path) if config_path is not None else None)
    matrix, report = check(source, config)
    known = matrix.source.version or version_from_path(source)
    if known and known != matrix.source.version:
        matrix = replace(matrix, source=replace(matrix.source, version=known))
    chosen = release or known or config.document.release or ""
    info = BuildInfo(generator=GENERATOR, build_time=build_time(matrix), release=chosen)
    triage = load_triage(source, config)
    assessment = assess(matrix, config, report, triage=triage, today=triage_today())
    data = ReportData(
        matrix=matrix, report=report, assessment=assessment, config=config, build=info
    )
    if observed:
        from .verify import verify

        paths = [Path(p) for p in observed]
        shown = [display_path(p) for p in paths]
        data = replace(data, verification=verify(matrix, config, paths, shown))
    if previous is None:
        return data
    from .diff import diff

    return replace(data, changes=diff(load(previous, config=config), data))


@dataclass(frozen=True, slots=True)
class Written:
    path: Path
    format: str
    size: int
    sha256: str


def _checked_name(fmt: str, name: str) -> str:
    if not _SAFE_NAME.match(name) or ".." in name.split("/"):
        raise OutputError(f"renderer {fmt!r} produced an unsafe file name {name!r}")
    return name


PARALLEL_FORMATS: frozenset[str] = frozenset({"pdf"})
"""Formats that lay their work out in worker processes (the PDF, part by part; see
``render.pdf.parts``). With ``jobs`` > 1 such a format is coordinated from a thread here while
the other formats render beside it."""


WORKER_FORMATS: frozenset[str] = frozenset({"xlsx"})
"""Formats that, beside a format of ``PARALLEL_FORMATS``, render in its worker pool, queued
after the PDF's last part, instead of here. Here they took the CPU from the workers
while the parts were laid out, and the workers then sat idle beside the front part at the
end; queued after the parts, a worker renders them then. ``reportgen build`` at 100 flows
on 2 cores: 5.05 -> 4.60 s (medians of eight runs alternated; the shipped source 4.29 ->
3.98 s, 1,000 flows 17.6-19.1 -> 16.2-17.7 s). The workbooks are the largest such output,
and this process no longer imports pandas and openpyxl for them. The bytes are the same."""


MAX_DEFAULT_JOBS = 4
"""Each PDF worker holds up to a few hundred MiB while it lays a part out."""


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_JOBS))


def _cannot_load(fmt: str, exc: BaseException) -> RenderError:
    return RenderError(
        f"{fmt}: the renderer cannot be loaded: {exc}; install what it needs "
        "(scripts/setup.sh) or leave the format out (--formats)"
    )


def renderer_module(fmt: str) -> ModuleType:
    """The module of a format's renderer (``reportgen diff`` calls its ``changes_*``); one
    that cannot be loaded is a RenderError with the same hint as ``build`` gives."""
    import importlib

    from .render import RENDERERS

    try:
        return importlib.import_module(RENDERERS[fmt])
    except (ImportError, OSError) as exc:  # WeasyPrint raises OSError when Pango is missing
        raise _cannot_load(fmt, exc) from None


def _render_beside(fmt: str, data: ReportData, options: RenderOptions) -> dict[str, bytes]:
    """``_render_one`` in a thread beside the other formats: ``options.html_done`` is set
    when it ends, however it ends, if the renderer has not set it before."""
    try:
        return _render_one(fmt, data, options)
    finally:
        if options.html_done is not None:
            options.html_done.set()


def _pickled(data: ReportData) -> bytes | None:
    """``data`` for a worker process (``WORKER_FORMATS``); None if it does not pickle."""
    try:
        return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # whatever a caller's own objects in it raise: rendered here instead
        return None


def _render_pickled(fmt: str, blob: bytes, options: RenderOptions) -> dict[str, bytes] | None:
    """``_render_one`` in a worker, on data pickled by ``_pickled``; None when the worker
    cannot read it back (a class it does not have, say one a notebook defined after the
    workers were forked), and the caller renders the format itself. The data travels as
    bytes so that such a failure stays here, not in the pool's own unpickling, which would
    break the pool and the PDF with it."""
    try:
        data = pickle.loads(blob)
    except Exception:
        return None
    return _render_one(fmt, data, options)


def _render_one(fmt: str, data: ReportData, options: RenderOptions) -> dict[str, bytes]:
    """One renderer; a template problem (typically in a user's ``--templates`` folder)
    becomes a RenderError naming the template and line instead of a traceback."""
    import jinja2

    from .render import get_renderer

    try:
        renderer = get_renderer(fmt)
    except (ImportError, OSError) as exc:  # WeasyPrint raises OSError when Pango is missing
        raise _cannot_load(fmt, exc) from None
    try:
        return renderer(data, options)
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name}:{exc.lineno}: " if (exc.filename or exc.name) else ""
        raise RenderError(f"{fmt}: template error: {where}{exc.message}") from None
    except jinja2.TemplateError as exc:
        raise RenderError(f"{fmt}: template error: {exc.message or exc}") from None


LANGUAGE_NEUTRAL: frozenset[str] = frozenset({"json"})
"""Formats written once whatever the languages (machine-readable data, no prose)."""


def language_name(fmt: str, name: str, lang: str) -> str:
    """The file name of one language's output when several languages are built:
    ``MST-SEC-CM-v1.pdf`` -> ``MST-SEC-CM-v1.de.pdf``; Markdown pages go into a folder per
    language (``de/index.md``) so that their links to each other still hold."""
    if fmt == "markdown":
        return f"{lang}/{name}"
    folder, _, base = name.rpartition("/")
    stem, dot, ext = base.rpartition(".")
    named = f"{stem}.{lang}.{ext}" if dot and stem else f"{base}.{lang}"
    return f"{folder}/{named}" if folder else named


def render_all(
    data: ReportData,
    formats: Sequence[str],
    templates: Path | None = None,
    progress: Callable[[str], None] | None = None,
    jobs: int = 1,
    langs: Sequence[str] = (),
) -> dict[str, dict[str, bytes]]:
    """Render every requested format in memory (nothing is written here), once per language
    in ``langs`` (default: the config's ``[document] lang``). With more than one language the
    file names carry it (:func:`language_name`); language-neutral formats render once.

    With ``jobs`` > 1 the PDF lays its parts out in a pool of ``jobs`` worker processes,
    coordinated from a thread while the other formats render here (the workbooks in that
    pool, after the PDF's parts: ``WORKER_FORMATS``): the workers the command
    line forked before any thread started (``parts.prefork``), else workers forked from a
    fork server (so that no lock held by a thread of this one is inherited), started only
    when the PDF is long enough to be cut (``render.pdf.parts``). The bytes are the same
    either way. Any failure or interrupt here stops the workers too."""
    from .render import RenderOptions

    languages = tuple(langs) or data.config.document.lang
    several = len(languages) > 1
    tasks = [
        (fmt, lang)
        for fmt in formats
        for lang in (languages[:1] if fmt in LANGUAGE_NEUTRAL else languages)
    ]
    base = RenderOptions(templates=templates, jobs=jobs)
    beside = [t for t in tasks if t[0] in PARALLEL_FORMATS] if jobs > 1 else []
    pool: Any = None
    threads: Any = None
    pending: dict[tuple[str, str], Any] = {}
    if beside:
        from concurrent.futures import ThreadPoolExecutor

        try:
            from .render.pdf.parts import LazyPool, end_workers, stop_workers
        except (ImportError, OSError) as exc:  # WeasyPrint raises OSError when Pango is missing
            raise _cannot_load(beside[0][0], exc) from None

        pool = LazyPool(jobs)
        threads = ThreadPoolExecutor(len(beside), thread_name_prefix="reportgen-render")
        written = {task: threading.Event() for task in beside}
        pending = {
            (f, lang): threads.submit(
                _render_beside,
                f,
                data,
                replace(base, pool=pool, lang=lang, html_done=written[f, lang]),
            )
            for f, lang in beside
        }
        # The PDF's HTML first: the parts go to the workers as it is written, and the other
        # formats would take the interpreter lock from it half of the time (1,000 flows: the
        # first part left 0.7 s later, the build took 2 s longer).
        for event in written.values():
            event.wait()
    rendered: dict[str, dict[str, bytes]] = {fmt: {} for fmt in formats}
    workers: dict[int, Any] | None = None
    try:
        elsewhere = [t for t in tasks if t[0] in WORKER_FORMATS] if pool is not None else []
        blob = _pickled(data) if elsewhere else None
        if blob is not None:
            # Queued behind the PDF's parts, all sent before its html_done was set.
            for fmt, lang in elsewhere:
                pending[fmt, lang] = pool.submit(
                    _render_pickled, fmt, blob, replace(base, lang=lang)
                )
        for fmt, lang in [t for t in tasks if t not in pending] + list(pending):
            if progress is not None:
                progress(f"{fmt} ({lang})" if several and fmt not in LANGUAGE_NEUTRAL else fmt)
            files = pending[fmt, lang].result() if (fmt, lang) in pending else None
            if files is None:
                files = _render_one(fmt, data, replace(base, lang=lang))
            if several and fmt not in LANGUAGE_NEUTRAL:
                files = {language_name(fmt, n, lang): b for n, b in files.items()}
            rendered[fmt].update({_checked_name(fmt, n): b for n, b in files.items()})
    except BaseException:
        if pool is not None:
            workers = stop_workers(pool)
        raise
    finally:
        if threads is not None:
            threads.shutdown(wait=True, cancel_futures=True)
        if workers is not None:
            end_workers(workers)  # again: one may have started while the thread still submitted
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return {fmt: dict(sorted(rendered[fmt].items())) for fmt in formats}


def _umask() -> int:
    """The process's umask. Linux states it in /proc (read without changing anything);
    elsewhere it can only be read by setting it, and is set straight back."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _stage(target: Path, payload: bytes) -> Path:
    """Write ``payload`` to a temporary file beside ``target`` and flush it to disk; the
    temporary file is removed again if anything (even an interrupt) stops the write.

    ``mkstemp`` creates the file 0600; it gets the mode ``open()`` would have given it
    (0666 less the umask: 0644 under the usual 022), since a report is meant to be read."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(target: Path, payload: bytes) -> None:
    """Write to a temporary file beside the target, flush it to disk, then rename."""
    tmp = _stage(target, payload)
    try:
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_outputs(out: Path, rendered: dict[str, dict[str, bytes]]) -> list[Written]:
    """Write rendered files under ``out/<format>/`` in two steps: every file goes to a
    temporary name first, and only when all of them are on disk are they renamed into place.
    A full disk, a refused folder or an interrupt while writing therefore replaces nothing;
    an OSError becomes an OutputError that names the file, and no temporary file is left."""
    root = out.resolve()
    pending: list[tuple[Path, Path, str, str, bytes]] = []
    written: list[Written] = []
    try:
        for fmt, files in rendered.items():
            for name, payload in files.items():
                target = (root / fmt / name).resolve()
                if root not in target.parents:
                    raise OutputError(f"refusing to write outside {out}: {fmt}/{name}")
                try:
                    tmp = _stage(target, payload)
                except OSError as exc:
                    raise OutputError(
                        f"{out / fmt / name}: cannot write: {exc.strerror or exc}; nothing "
                        "was replaced, earlier outputs left as they were"
                    ) from exc
                pending.append((tmp, target, fmt, name, payload))
        while pending:
            tmp, target, fmt, name, payload = pending[0]
            try:
                tmp.replace(target)
            except OSError as exc:
                raise OutputError(
                    f"{out / fmt / name}: cannot write: {exc.strerror or exc}; files already "
                    f"replaced: {len(written)}, the others left as they were"
                ) from exc
            pending.pop(0)
            written.append(
                Written(
                    path=out / fmt / name,
                    format=fmt,
                    size=len(payload),
                    sha256=hashlib.sha256(payload).hexdigest(),
                )
            )
    finally:
        for tmp, *_ in pending:
            tmp.unlink(missing_ok=True)
    return written


MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Built:
    """What :func:`build` did to the output folder."""

    written: tuple[Written, ...]
    """Every file written, the manifest last."""
    removed: tuple[Path, ...] = ()
    """Files an earlier build wrote (its manifest lists them) that this build did not."""
    kept: tuple[Path, ...] = ()
    """Such files left in place: changed since that build wrote them, or not removable."""


def _listed(out: Path) -> dict[str, str]:
    """The files (relative path -> sha256) that the manifest in ``out`` lists; nothing when
    there is none or it is not one of ours."""
    try:
        files = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
        return {str(f["path"]): str(f["sha256"]) for f in files}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _sha256_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def remove_stale(
    out: Path, listed: dict[str, str], written: Sequence[Written]
) -> tuple[list[Path], list[Path]]:
    """Remove the files an earlier build listed in its manifest (``listed``) that this build
    did not write, and nothing else: only regular files inside ``out``, under a name a
    renderer could have produced, whose bytes are still those the manifest recorded (a file
    changed since is kept and reported). Folders emptied by this are removed too.
    Returns (removed, kept)."""
    root = out.resolve()
    now = {w.path.relative_to(out).as_posix() for w in written} | {MANIFEST}
    removed: list[Path] = []
    kept: list[Path] = []
    for name in sorted(set(listed) - now):
        path = out / name
        if not _SAFE_NAME.match(name) or ".." in name.split("/"):
            continue
        if root not in path.resolve().parents or path.is_symlink() or not path.is_file():
            continue
        if _sha256_of(path) != listed[name]:
            kept.append(path)
            continue
        try:
            path.unlink()
        except OSError:
            kept.append(path)
            continue
        removed.append(path)
        folder = path.parent
        while folder != out and folder.resolve() != root:
            try:
                folder.rmdir()  # only when empty
            except OSError:
                break
            folder = folder.parent
    return removed, kept


def build(
    data: ReportData,
    out: Path,
    formats: Sequence[str],
    templates: Path | None = None,
    progress: Callable[[str], None] | None = None,
    jobs: int = 1,
    langs: Sequence[str] = (),
) -> Built:
    """Render every format (in each of ``langs``, default the config's), then write them
    all, then remove what the previous build in ``out`` wrote and this one did not
    (``--release v1`` then ``v2``: the v1 PDF), then write the manifest that lists exactly the
    files in ``out``."""
    from .manifest import manifest_json

    rendered = render_all(data, formats, templates, progress, jobs, langs)
    listed = _listed(out)
    written = write_outputs(out, rendered)
    removed, kept = remove_stale(out, listed, written)
    payload = manifest_json(data, [(w.path.relative_to(out).as_posix(), w) for w in written])
    target = out / MANIFEST
    try:
        write_atomic(target, payload)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from exc
    written.append(Written(target, "manifest", len(payload), hashlib.sha256(payload).hexdigest()))
    return Built(tuple(written), tuple(removed), tuple(kept))
