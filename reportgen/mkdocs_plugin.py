"""MkDocs plugin: publish the matrix pages (and reportgen's own reference) at build time.

A docs repository names the plugin in ``mkdocs.yml``; on every build the plugin reads the
Markdown source, validates and assesses it, renders the Markdown pages in memory and adds them
to the site with ``File.generated``, so no generated file is ever checked in::

    plugins:
      - search
      - reportgen:
          source: docs/communication-matrix.md   # relative to mkdocs.yml
          folder: matrix                          # pages appear under /matrix/

Diagnostics (option ``fail_on``, default ``error``): an *error* stops the build with
:class:`mkdocs.exceptions.PluginError` listing every error as
``path:line:col: error code: message``; a *warning* is logged on the
``mkdocs.plugins.reportgen`` logger, so ``mkdocs build --strict`` fails on it as MkDocs fails on
its own warnings, and a plain ``mkdocs build`` still publishes. ``fail_on: warning`` fails on
warnings even without ``--strict``. ``fail_on: never`` publishes whatever the source holds
(for a page you do not own: the index page's Validation table lists every diagnostic) and logs
one summary line at info level. Info diagnostics are logged at debug level (``mkdocs build -v``).
A source or config that cannot be read always fails the build.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from .bundle import ReportData
from .errors import ReportgenError
from .model import Severity

log: logging.LoggerAdapter[logging.Logger] = get_plugin_logger(__name__)

PAGE_KINDS = ("index", "sections", "findings")
FAIL_ON = ("error", "warning", "never")


class ReportgenPluginConfig(base.Config):  # type: ignore[no-untyped-call]
    source = c.Type(str, default="source/communication-matrix.md")
    """The Markdown source, relative to the folder of ``mkdocs.yml``."""
    config = c.Optional(c.Type(str))
    """``report.toml`` (relative to ``mkdocs.yml``); default: beside the source, else none."""
    folder = c.Type(str, default="matrix")
    """Where the pages go inside the site (``matrix`` -> ``/matrix/index.html``)."""
    pages = c.ListOfItems(c.Choice(PAGE_KINDS), default=list(PAGE_KINDS))
    """Which pages to publish: ``index``, ``sections`` (one per section), ``findings``."""
    templates = c.Optional(c.Type(str))
    """A folder whose ``markdown/`` templates override the packaged ones."""
    release = c.Optional(c.Type(str))
    """The release to stamp on the pages (default: the source's front matter, the config)."""
    fail_on = c.Choice(FAIL_ON, default="error")
    """The lowest diagnostic severity that stops the build (``never``: publish regardless)."""
    reference = c.Type(bool, default=False)
    """Also publish reportgen's own reference (diagnostic codes, rules, CLI) under
    ``reference/``; used by reportgen's documentation site."""


class ReportgenPlugin(BasePlugin[ReportgenPluginConfig]):  # type: ignore[no-untyped-call]
    """Adds the generated matrix pages to the site's files."""

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        root = Path(config.config_file_path or ".").resolve().parent
        data = self._load(root)
        self._report(data)
        for name, content in self._pages(data, root).items():
            files.append(File.generated(config, name, content=content))
        if self.config.reference:
            for name, text in reference_pages(data).items():
                files.append(File.generated(config, f"reference/{name}", content=text))
        return files

    def _load(self, root: Path) -> ReportData:
        source = root / self.config.source
        config_path = root / self.config.config if self.config.config else None
        try:
            return _load(source, config_path, self.config.release)
        except ReportgenError as exc:
            raise PluginError(f"reportgen: {exc}") from exc

    def _report(self, data: ReportData) -> None:
        report = data.report
        fail_on = self.config.fail_on
        if fail_on == "never":
            if report.diagnostics:
                log.info(
                    f"{report.errors} error(s) and {report.warnings} warning(s) in "
                    f"{self.config.source}, published anyway (fail_on: never)"
                )
            for d in report.diagnostics:
                log.debug(d.format())
            return
        failing = {Severity.ERROR} | ({Severity.WARNING} if fail_on == "warning" else set())
        stopping = [d.format() for d in report.diagnostics if d.severity in failing]
        for d in report.diagnostics:
            if d.severity is Severity.WARNING and d.severity not in failing:
                log.warning(d.format())
            elif d.severity is Severity.INFO:
                log.debug(d.format())
        if stopping:
            listing = "\n  ".join(stopping)
            raise PluginError(
                f"reportgen: {len(stopping)} validation problem(s) in the source "
                f"(fail_on: {fail_on}):\n  {listing}"
            )

    def _pages(self, data: ReportData, root: Path) -> dict[str, bytes]:
        from .render import RenderOptions
        from .render.markdown import FINDINGS, INDEX, with_flavor
        from .render.markdown import render as render_markdown

        templates = root / self.config.templates if self.config.templates else None
        # MkDocs reads !!! admonitions, whatever flavor report.toml names for other sites.
        rendered = render_markdown(with_flavor(data, "mkdocs"), RenderOptions(templates=templates))
        wanted = set(self.config.pages)
        folder = self.config.folder.strip("/")
        kinds = {
            name: {INDEX: "index", FINDINGS: "findings"}.get(name, "sections") for name in rendered
        }
        dropped = [name for name, kind in kinds.items() if kind not in wanted]
        out: dict[str, bytes] = {}
        for name, content in rendered.items():
            kind = kinds[name]
            if kind in wanted:
                # The section pages keep the site's navigation and contents: the wide
                # table scrolls sideways inside the content column (Material wraps every
                # table in a horizontally scrolling box), not the page.
                content = _unlink(content, dropped)
                out[f"{folder}/{name}" if folder else name] = content
        return out


def _unlink(content: bytes, dropped: list[str]) -> bytes:
    """Turn links to pages that are not published into their plain text (link texts are
    escaped by the renderer, so they hold no ``]``)."""
    for name in dropped:
        pattern = re.compile(rb"\[([^\]]*)\]\(" + re.escape(name.encode()) + rb"(?:#[^)]*)?\)")
        content = pattern.sub(rb"\1", content)
    return content


def _load(source: Path, config_path: Path | None, release: str | None) -> ReportData:
    from .build import load

    return load(source, config_path, release)


# --- reportgen's own reference, generated from the code's declarations ----------------------


def reference_pages(data: ReportData) -> dict[str, str]:
    """``diagnostics.md`` from the declared codes, ``rules.md`` from the ruleset in use and
    ``cli.md`` from the click commands' help."""
    from .render.markdown import escape

    return {
        "diagnostics.md": _diagnostics_page(escape),
        "rules.md": _rules_page(data, escape),
        "cli.md": _cli_page(),
    }


def _diagnostics_page(escape: Any) -> str:
    from .checks import CODES

    lines = [
        "# Diagnostic codes",
        "",
        "Every code `reportgen validate` can print, generated from the declarations in "
        "`reportgen/checks/__init__.py`. Each diagnostic is printed as "
        "`path:line:col: severity code: message`.",
        "",
        "| Code | Severity | Meaning | Why it matters |",
        "| --- | --- | --- | --- |",
    ]
    for code in sorted(CODES.values(), key=lambda x: x.code):
        lines.append(
            f"| `{code.code}` | {code.severity.value} | {escape(code.summary)} "
            f"| {escape(code.why)} |"
        )
    return "\n".join(lines) + "\n"


def _rules_page(data: ReportData, escape: Any) -> str:
    from .assess.docs import severity_scheme_markdown
    from .vocabulary import framework_label

    a = data.assessment
    rules = a.rules
    lines = [
        "# Assessment rules",
        "",
        "The rules `reportgen assess` applies, generated from the ruleset"
        + (f" (version {escape(a.ruleset_version)})." if rules else "."),
        "",
    ]
    if not rules:
        lines.append("The assessment is not available in this build.")
        return "\n".join(lines) + "\n"
    lines += [
        "## Severity scheme",
        "",
        "Severity is never declared per rule. A security finding takes it from the exposure "
        "of its flow (the zones' trust classes) and the protection need declared in "
        "report.toml; an indirect weakness is one step lower. Data-quality findings are Info; "
        "a `?` flag gives only a Not assessed item.",
        "",
        severity_scheme_markdown(),
        "## Rules",
        "",
        "| Rule | Kind | Examines | Title | Rationale | Recommendation |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        lines.append(
            f"| `{rule.id}` | {escape(rule.kind)} | {escape(rule.scope)} | {escape(rule.title)} "
            f"| {escape(rule.rationale)} | {escape(rule.recommendation)} |"
        )
    titles = {(c.framework, c.id): c for c in a.catalogue}
    lines += [
        "",
        "## Controls per rule: why and when",
        "",
        "Each (rule, control) pair with the control's official title (from the BSI data), one "
        "sentence on why it applies, and the condition under which it does.",
        "",
        "| Rule | Control | Title | Why it applies | Applies when |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        for m in rule.mappings:
            control = titles[(m.ref.framework, m.ref.id)]
            level = f" ({control.level})" if control.level else ""
            lines.append(
                f"| `{rule.id}` | {escape(framework_label(m.ref.framework).short)} "
                f"{escape(m.ref.id)}{level} | {escape(control.title)} | {escape(m.rationale)} "
                f"| {escape(m.condition) if m.condition else 'always'} |"
            )
    return "\n".join(lines) + "\n"


def _cli_page() -> str:
    import click

    from .cli import main

    ctx = click.Context(main, info_name="reportgen")
    parts = [
        "# Command line",
        "",
        "Generated from the commands' own `--help`.",
        "",
        "```text",
        main.get_help(ctx),
        "```",
    ]
    commands = getattr(main, "commands", {})
    for name in sorted(commands):
        sub = commands[name]
        sub_ctx = click.Context(sub, info_name=f"reportgen {name}", parent=ctx)
        parts += ["", f"## `reportgen {name}`", "", "```text", sub.get_help(sub_ctx), "```"]
    return "\n".join(parts) + "\n"
