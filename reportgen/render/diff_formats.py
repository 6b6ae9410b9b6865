"""Renderers for a :class:`~reportgen.diff.MatrixDiff`: text, Markdown, JSON, GitHub.

Pure functions: a diff in, a string out. Values from the matrices are untrusted: text output
quotes them as JSON strings (control characters escaped), Markdown puts them in code spans
with pipes escaped, GitHub annotations percent-escape them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..diff import (
    Change,
    FieldChange,
    FlowChange,
    MatrixDiff,
    Regression,
    SectionChange,
    Side,
    TechnologyChange,
)
from ..model import FLAG_FIELDS, Location

DIFF_FORMAT = 1
"""Bumped when the JSON document changes incompatibly."""

FORMATS: tuple[str, ...] = ("text", "md", "json", "github")


def _q(text: str) -> str:
    """A value quoted for a one-line text report."""
    return json.dumps(text, ensure_ascii=False)


def _value(change: FieldChange, which: str) -> str:
    value = change.old if which == "old" else change.new
    if change.field in FLAG_FIELDS:
        return value or "empty"
    return _q(value)


def _tech_section(section: str) -> str:
    return section or "-"


def _flow_subject(f: FlowChange) -> str:
    return f"[{f.section}] {f.component} -> {f.destination}"


# --- one entry per line, shared by text and GitHub ---------------------------------------


def entries(d: MatrixDiff) -> Iterator[tuple[str, Location, str, str]]:
    """(kind, location, title, message) for every change, in report order: sections, flows,
    technologies, then regressions."""
    for s in d.sections:
        yield _section_entry(s)
    for f in d.flows:
        yield from _flow_entries(f)
    for t in d.technologies:
        yield from _tech_entries(t)
    for r in d.regressions:
        yield ("regression", r.location, f"regression {r.code.value}", r.message)


def _n(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _section_entry(s: SectionChange) -> tuple[str, Location, str, str]:
    title = f"section {s.change.value}"
    if s.change is Change.CHANGED:
        return ("change", s.location, title, f"{s.slug}: title {_q(s.old_title)} -> {_q(s.title)}")
    return (
        "change",
        s.location,
        title,
        f"{s.slug} {_q(s.title)} ({_n(s.flows, 'flow')}, "
        f"{_n(s.technologies, 'technology', 'technologies')})",
    )


def _flow_entries(f: FlowChange) -> Iterator[tuple[str, Location, str, str]]:
    if f.change is not Change.CHANGED:
        yield ("change", f.location, f"flow {f.change.value}", f"{f.key} {_flow_subject(f)}")
        return
    if f.renumbered:
        yield (
            "change",
            f.location,
            "flow renumbered",
            f"{f.old_key} -> {f.key} {_flow_subject(f)}",
        )
    for c in f.fields:
        yield (
            "change",
            c.location,
            "flow changed",
            f"{f.key} {_flow_subject(f)}: {c.title} {_value(c, 'old')} -> {_value(c, 'new')}",
        )


def _tech_entries(t: TechnologyChange) -> Iterator[tuple[str, Location, str, str]]:
    subject = f"[{_tech_section(t.section)}] {_q(t.name)}"
    if t.change is not Change.CHANGED:
        yield ("change", t.location, f"technology {t.change.value}", subject)
        return
    for c in t.fields:
        yield (
            "change",
            c.location,
            "technology changed",
            f"{subject}: {c.title} {_value(c, 'old')} -> {_value(c, 'new')}",
        )


def summary(d: MatrixDiff) -> str:
    """One line: what changed and how many regressions."""

    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    parts = []
    for label, attr in (("section", "sections"), ("flow", "flows"), ("technology", "technologies")):
        added = d.count(Change.ADDED)[attr]
        removed = d.count(Change.REMOVED)[attr]
        changed = d.count(Change.CHANGED)[attr]
        word = "technologies" if label == "technology" else f"{label}s"
        parts.append(f"{word}: +{added} -{removed} ~{changed}")
    return (
        f"{d.old.label} -> {d.new.label}: {'; '.join(parts)} "
        f"({d.renumbered} renumbered); {n(len(d.regressions), 'regression')}"
    )


# --- text --------------------------------------------------------------------------------


def render_text(d: MatrixDiff) -> str:
    """``path:line:col: kind: message``, one line per change; empty when nothing changed."""
    lines = [f"{loc}: {title}: {message}" for _kind, loc, title, message in entries(d)]
    return "".join(f"{line}\n" for line in lines)


# --- GitHub ------------------------------------------------------------------------------


def _gh(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(d: MatrixDiff) -> str:
    """Workflow commands: ``::error`` for regressions, ``::notice`` for other changes."""
    out = []
    for kind, loc, title, message in entries(d):
        level = "error" if kind == "regression" else "notice"
        gh_title = "regression" if kind == "regression" else title
        if kind == "regression":
            message = f"{title.removeprefix('regression ')}: {message}"
        props = (
            f"file={_gh(loc.path, True)},line={loc.line},col={loc.column},"
            f"title={_gh(gh_title, True)}"
        )
        out.append(f"::{level} {props}::{_gh(message)}\n")
    return "".join(out)


# --- JSON --------------------------------------------------------------------------------


def _loc(loc: Location) -> dict[str, Any]:
    return {"path": loc.path, "line": loc.line, "column": loc.column}


def _side(s: Side) -> dict[str, Any]:
    return {"path": s.path, "version": s.version, "sha256": s.sha256, "commit": s.commit}


def _fields(fields: tuple[FieldChange, ...]) -> list[dict[str, Any]]:
    return [
        {
            "field": c.field,
            "title": c.title,
            "old": c.old,
            "new": c.new,
            "location": _loc(c.location),
        }
        for c in fields
    ]


def _regression(r: Regression) -> dict[str, Any]:
    return {
        "code": r.code.value,
        "title": r.code.title,
        "section": r.section,
        "subject": r.subject,
        "finding": r.finding or None,
        "message": r.message,
        "location": _loc(r.location),
    }


def to_dict(d: MatrixDiff) -> dict[str, Any]:
    counts = {c.value: d.count(c) for c in Change}
    return {
        "format": DIFF_FORMAT,
        "old": _side(d.old),
        "new": _side(d.new),
        "summary": {**counts, "renumbered": d.renumbered, "regressions": len(d.regressions)},
        "sections": [
            {
                "change": s.change.value,
                "slug": s.slug,
                "title": s.title,
                "old_title": s.old_title or None,
                "flows": s.flows,
                "technologies": s.technologies,
                "location": _loc(s.location),
            }
            for s in d.sections
        ],
        "flows": [
            {
                "change": f.change.value,
                "section": f.section,
                "key": f.key,
                "id": f.id,
                "old_key": f.old_key or None,
                "old_id": f.old_id if f.change is not Change.ADDED else None,
                "renumbered": f.renumbered,
                "component": f.component,
                "destination": f.destination,
                "fields": _fields(f.fields),
                "location": _loc(f.location),
            }
            for f in d.flows
        ],
        "technologies": [
            {
                "change": t.change.value,
                "section": t.section or None,
                "name": t.name,
                "fields": _fields(t.fields),
                "location": _loc(t.location),
            }
            for t in d.technologies
        ],
        "regressions": [_regression(r) for r in d.regressions],
    }


def render_json(d: MatrixDiff) -> str:
    return json.dumps(to_dict(d), indent=2, ensure_ascii=False) + "\n"


# --- Markdown ----------------------------------------------------------------------------


def _code(text: str) -> str:
    """A code span that shows the text literally, safe inside a table cell."""
    if not text:
        return "*(empty)*"
    text = " ".join(text.split()).replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_loc(loc: Location) -> str:
    return _code(str(loc))


def _md_fields(fields: tuple[FieldChange, ...]) -> str:
    return "<br>".join(f"{c.title}: {_code(c.old)} → {_code(c.new)}" for c in fields)


def render_md(d: MatrixDiff) -> str:
    """A Markdown page: summary, regressions, then sections, flows and technologies."""
    out = [
        "# Changes in the communication matrix",
        "",
        f"From {_code(d.old.label)} to {_code(d.new.label)}.",
        "",
    ]
    counts = {c: d.count(c) for c in Change}
    out += [
        "| | Added | Removed | Changed |",
        "| --- | ---: | ---: | ---: |",
    ]
    for attr in ("sections", "flows", "technologies"):
        row = " | ".join(str(counts[c][attr]) for c in Change)
        out.append(f"| {attr.capitalize()} | {row} |")
    out += ["", f"Renumbered flows: {d.renumbered}. Security regressions: {len(d.regressions)}."]
    if d.empty and not d.regressions:
        out += ["", "No change."]
    if d.regressions:
        out += ["", "## Security regressions", "", "| Regression | Flow | Detail | Location |"]
        out.append("| --- | --- | --- | --- |")
        out += [
            f"| {r.code.title} | {_code(r.subject)} | {_code(r.message)} | {_md_loc(r.location)} |"
            for r in d.regressions
        ]
    if d.sections:
        out += ["", "## Sections", "", "| Change | Section | Title | Location |"]
        out.append("| --- | --- | --- | --- |")
        for s in d.sections:
            title = (
                f"{_code(s.old_title)} → {_code(s.title)}"
                if s.change is Change.CHANGED
                else _code(s.title)
            )
            out.append(f"| {s.change.value} | {_code(s.slug)} | {title} | {_md_loc(s.location)} |")
    if d.flows:
        out += ["", "## Flows", "", "| Change | Flow | Section | Component → Destination |"]
        out[-1] += " Fields | Location |"
        out.append("| --- | --- | --- | --- | --- | --- |")
        for f in d.flows:
            change = "renumbered" if f.renumbered else f.change.value
            flow = f"{_code(f.old_key)} → {_code(f.key)}" if f.renumbered else _code(f.key)
            out.append(
                f"| {change} | {flow} | {_code(f.section)} | "
                f"{_code(f.component)} → {_code(f.destination)} | {_md_fields(f.fields)} | "
                f"{_md_loc(f.location)} |"
            )
    if d.technologies:
        out += ["", "## Technologies", "", "| Change | Section | Technology | Fields | Location |"]
        out.append("| --- | --- | --- | --- | --- |")
        out += [
            f"| {t.change.value} | {_code(_tech_section(t.section))} | {_code(t.name)} | "
            f"{_md_fields(t.fields)} | {_md_loc(t.location)} |"
            for t in d.technologies
        ]
    return "\n".join(out) + "\n"


RENDER = {"text": render_text, "md": render_md, "json": render_json, "github": render_github}


def render(d: MatrixDiff, fmt: str) -> str:
    """The diff in one of :data:`FORMATS`."""
    return RENDER[fmt](d)
