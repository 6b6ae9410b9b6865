"""Markdown (bytes) -> :class:`~reportgen.model.Matrix`, with a location on everything.

markdown-it-py finds the structure (front matter, headings, the legend list, tables, and
admonitions in both the Docusaurus ``:::info`` and the MkDocs ``!!! info`` shape, so a table
inside one is still found and text inside a code fence never is). Cells are then read from
the raw table lines, so every cell keeps its own column and a row with the wrong number of
cells is noticed instead of being padded silently.

Matrix tables and "Used Technologies" tables are told apart by their header row, and columns
are found by header name, so reordered or extra columns still parse. The parser reports what
it cannot make sense of as Diagnostics in ``Matrix.problems``; it never raises on content.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_block.table import table as markdown_table
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from .config import Config
from .model import (
    Cell,
    Diagnostic,
    Flag,
    Flow,
    LegendEntry,
    Location,
    Matrix,
    PortSpec,
    Protocol,
    Section,
    Severity,
    Source,
    Technology,
    ZoneRef,
)

# --- columns ---------------------------------------------------------------------------

MATRIX_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("no", "no.", "nr", "#", "id", "number"),
    "component": ("component", "source component", "client"),
    "source_zone": ("source zone", "from zone", "zone"),
    "protocol": ("protocol", "proto"),
    "destination": ("destination", "target", "server"),
    "destination_zone": ("destination zone", "target zone", "to zone"),
    "port": ("port", "ports", "destination port"),
    "confidentiality": ("c", "confidentiality"),
    "integrity": ("i", "integrity"),
    "authentication": ("auth", "authentication", "authn"),
    "trusted": ("trust", "trusted"),
    "purpose": ("purpose",),
    "notes": ("notes", "note", "comment", "comments", "remarks"),
}
"""Field -> header names that mean it, already normalized by :func:`header_key`."""

REQUIRED_MATRIX_FIELDS: tuple[str, ...] = (
    "component",
    "source_zone",
    "protocol",
    "destination",
    "destination_zone",
    "port",
    "confidentiality",
    "integrity",
    "authentication",
    "trusted",
)

TECHNOLOGY_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("technology", "technologies", "name"),
    "parties": ("parties", "party", "used by"),
    "notes": ("notes", "note", "description", "comment"),
}

FLAG_TOKENS: dict[str, Flag] = {"x": Flag.YES, "": Flag.NO, "?": Flag.UNKNOWN}

_OPTIONAL = re.compile(r"\boptional\b", re.IGNORECASE)
_LEGEND_ITEM = re.compile(r"^\s*`?\s*([^`:]+?)\s*`?\s*:\s*(.+)$", re.DOTALL)
_LINE_BREAK = re.compile(r"\r\n?|\n")
"""Line ends as markdown-it counts them (``str.splitlines`` also splits at form feed, U+2028,
U+0085 and other separators, which shifted every later row against the token map)."""
_ADMONITIONS = ("info", "note", "tip", "warning", "danger", "caution", "important")


def header_key(text: str) -> str:
    """Normalize a header cell: case, spacing, emphasis and a trailing period do not matter."""
    text = re.sub(r"[*_`]", "", text)
    text = re.sub(r"\s+", " ", text).strip().casefold()
    return text[:-1].rstrip() if text.endswith(".") else text


def _lookup(columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {alias: name for name, aliases in columns.items() for alias in aliases}


_MATRIX_LOOKUP = _lookup(MATRIX_COLUMNS)
_TECH_LOOKUP = _lookup(TECHNOLOGY_COLUMNS)


@cache
def _markdown() -> MarkdownIt:
    """The block parser. Inline parsing is switched off: table cells are read from the raw
    lines, and the few inline runs we need (headings, paragraphs, legend items) are parsed
    on demand by :func:`_inline`; on large tables this halves the parse time."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table").disable("inline")
    md.use(front_matter_plugin).use(admon_plugin)
    for name in _ADMONITIONS:
        md.use(container_plugin, name=name)
    md.block.ruler.at("table", _lean_table)
    return md


_TABLE_KEPT = frozenset({"table_open", "table_close", "tr_open", "tr_close"})
_SCRATCH = Token("scratch", "", 0)


def _lean_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's table rule, keeping only the tokens the parser reads (the table and its
    rows, with their line maps). The cell, section and inline tokens it would also make,
    ~40 per row that nothing here reads, are written into one scratch token instead: on a
    10,000-row table that is 400,000 fewer objects to create and to garbage-collect."""
    if silent:
        return markdown_table(state, start, end, silent)
    return pushing_only(state, _TABLE_KEPT, lambda: markdown_table(state, start, end, silent))


def pushing_only(state: StateBlock, kept: frozenset[str], rule: Callable[[], bool]) -> bool:
    """Run a markdown-it block ``rule`` so that of the tokens it pushes only those of the
    ``kept`` types reach the stream; the others go to a scratch token nobody reads.

    The one place that patches markdown-it's internals. It relies on what
    ``tests/test_parse.py::test_pushing_only_pins_markdown_its_push`` checks: a rule creates
    its tokens by calling ``state.push(type, tag, nesting)`` on the state it is given, looked
    up on the instance (so an instance attribute shadows ``StateBlock.push``), and keeps
    using the token ``push`` returns only to set its attributes. Deleting the instance
    attribute restores the class's method; one the state already had is put back."""
    own = vars(state).get("push")
    push = state.push

    def filtered(ttype: str, tag: str, nesting: Literal[-1, 0, 1]) -> Token:
        return push(ttype, tag, nesting) if ttype in kept else _SCRATCH

    state.push = filtered  # type: ignore[method-assign]
    try:
        return rule()
    finally:
        if own is None:
            del state.push
        else:
            state.push = own  # type: ignore[method-assign]


@cache
def _inline_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


# --- raw table cells -----------------------------------------------------------------------


def split_row(line: str) -> list[tuple[str, int]]:
    """Split a raw table line into (cell text, 1-based column of the text).

    Pipes escaped as ``\\|`` stay inside their cell (and are unescaped). The column of an
    empty cell is the one just after its opening pipe.
    """
    cells: list[tuple[str, int]] = []
    start = 0
    stripped = line.rstrip()
    i = len(stripped) - len(stripped.lstrip())
    if stripped[i : i + 1] == "|":
        i += 1
    start = i
    escaped = False
    bounds: list[tuple[int, int]] = []
    while i < len(stripped):
        ch = stripped[i]
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "|":
            bounds.append((start, i))
            start = i + 1
        i += 1
    if start < len(stripped):
        bounds.append((start, len(stripped)))
    for begin, end in bounds:
        raw = stripped[begin:end]
        text = raw.strip()
        offset = len(raw) - len(raw.lstrip()) if text else min(1, len(raw))
        cells.append((text.replace("\\|", "|"), begin + offset + 1))
    return cells


# --- parser state ------------------------------------------------------------------------


@dataclass
class _SectionBuilder:
    title: str
    slug: str
    location: Location
    intro: list[str] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    technologies: list[Technology] = field(default_factory=list)
    rows: int = 0
    has_table: bool = False

    def build(self) -> Section:
        return Section(
            title=self.title,
            slug=self.slug,
            location=self.location,
            intro="\n\n".join(self.intro),
            flows=tuple(self.flows),
            technologies=tuple(self.technologies),
        )


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return slug or "section"


def section_slug(title: str, system: str) -> str:
    """``With SONiC`` -> ``sonic``; ``Plain metal-stack`` -> ``plain`` (system name dropped)."""
    slug = slugify(title)
    if slug.startswith("with-"):
        slug = slug[5:]
    system_slug = slugify(system) if system else ""
    if system_slug and slug != system_slug:
        slug = re.sub(rf"(^|-){re.escape(system_slug)}($|-)", "-", slug).strip("-")
    return slug or "section"


def _plain(token: Token) -> str:
    """The readable text of an inline token (link targets and emphasis marks dropped)."""
    parsed = _inline_parser().parseInline(token.content)
    children = parsed[0].children if parsed else None
    if not children:
        return token.content.strip()
    parts: list[str] = []
    for child in children:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
    return "".join(parts).strip()


def _first_bad_byte(data: bytes, exc: UnicodeDecodeError) -> tuple[int, int]:
    before = data[: exc.start]
    line = before.count(b"\n") + 1
    column = len(before) - (before.rfind(b"\n") + 1) + 1
    return line, column


def _container_step(ttype: str) -> int:
    """+1 for a token that opens an admonition or container, -1 for one that closes it."""
    if ttype == "admonition_open" or (ttype.startswith("container_") and ttype.endswith("_open")):
        return 1
    if ttype == "admonition_close" or (ttype.startswith("container_") and ttype.endswith("_close")):
        return -1
    return 0


class _Parser:
    def __init__(self, text: str, path: str, config: Config) -> None:
        self.text = text
        self.lines = _LINE_BREAK.split(text)
        self.path = path
        self.config = config
        self.problems: list[Diagnostic] = []
        self.sections: list[_SectionBuilder] = []
        self.preamble: _SectionBuilder | None = None
        self.orphans: list[Technology] = []
        self.legend: list[LegendEntry] = []
        self.title: str | None = None
        self.title_location = Location(path, 1, 1)
        self.front_matter: dict[str, str] = {}
        self.disclaimer: list[str] = []
        self.seen_ids: dict[str, int] = {}
        self.slugs: set[str] = set()
        self.headers: list[Cell] = []

    def loc(self, line0: int, column: int = 1) -> Location:
        return Location(self.path, line0 + 1, column)

    def problem(
        self, code: str, severity: Severity, message: str, location: Location, hint: str = ""
    ) -> None:
        self.problems.append(Diagnostic(code, severity, message, location, hint or None))

    # -- walking the token stream --

    def run(self) -> None:
        tokens = _markdown().parse(self.text)
        current: _SectionBuilder | None = None
        legend_next = False
        containers = 0  # admonitions and containers open around the current token
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            containers += _container_step(tok.type)
            if tok.type == "front_matter":
                self.front_matter = self._front_matter(tok)
            elif tok.type == "heading_open":
                inline = tokens[i + 1]
                text = _plain(inline)
                line0 = tok.map[0] if tok.map else 0
                column = self._text_column(line0, inline.content)
                if tok.tag == "h1" and self.title is None:
                    self.title = text
                    self.title_location = self.loc(line0, column)
                elif tok.tag == "h2":
                    current = self._open_section(text, self.loc(line0, column))
                legend_next = False
            elif tok.type == "paragraph_open" and tokens[i + 1].type == "inline":
                inline = tokens[i + 1]
                text = _plain(inline)
                if re.match(r"^\s*legend\s*:?\s*$", text, re.IGNORECASE):
                    legend_next = True
                elif containers > 0:
                    pass
                # Prose keeps its inline Markdown (links, code): renderers turn it into
                # their own markup with reportgen.inline, instead of losing the links here.
                elif current is None and not self.legend and not legend_next:
                    self.disclaimer.append(inline.content)
                elif current is not None and not current.has_table:
                    current.intro.append(inline.content)
            elif tok.type == "bullet_list_open" and legend_next and not self.legend:
                i = self._read_legend(tokens, i)
                legend_next = False
                continue
            elif tok.type == "table_open":
                i = self._read_table(tokens, i, current)
                continue
            i += 1

    def _front_matter(self, token: Token) -> dict[str, str]:
        values, problem, where = _front_matter(token.content)
        if problem:
            first0 = (token.map[0] if token.map else 0) + 1  # the line after the opening ---
            line, column = where or (0, 0)
            self.problem(
                "front-matter-unreadable",
                Severity.WARNING,
                f"{problem}; none of its keys (title, version) is read",
                self.loc(first0 + line, column + 1),
                "fix the YAML between the '---' lines, or remove it",
            )
        return values

    def _text_column(self, line0: int, content: str) -> int:
        if 0 <= line0 < len(self.lines) and content:
            found = self.lines[line0].find(content[:20])
            if found >= 0:
                return found + 1
        return 1

    def _open_section(self, title: str, location: Location) -> _SectionBuilder:
        base = section_slug(title, self.config.document.system)
        slug, n = base, 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        builder = _SectionBuilder(title=title, slug=slug, location=location)
        self.sections.append(builder)
        return builder

    def _read_legend(self, tokens: Sequence[Token], i: int) -> int:
        depth = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "bullet_list_open":
                depth += 1
            elif tok.type == "bullet_list_close":
                depth -= 1
                if depth == 0:
                    return i + 1
            elif tok.type == "inline" and depth == 1 and tok.map:
                match = _LEGEND_ITEM.match(tok.content)
                line0 = tok.map[0]
                if match:
                    key = match.group(1).strip()
                    meaning = re.sub(r"\s+", " ", match.group(2)).strip()
                    self.legend.append(
                        LegendEntry(key, meaning, self.loc(line0, self._text_column(line0, key)))
                    )
                else:
                    self.problem(
                        "legend-entry-unreadable",
                        Severity.WARNING,
                        f"legend item {tok.content[:40]!r} is not of the form `KEY`: meaning",
                        self.loc(line0, self._text_column(line0, tok.content)),
                    )
            i += 1
        return i

    def _read_table(self, tokens: Sequence[Token], i: int, section: _SectionBuilder | None) -> int:
        table = tokens[i]
        end = i
        while end < len(tokens) and tokens[end].type != "table_close":
            end += 1
        rows: list[int] = [
            t.map[0] for t in tokens[i:end] if t.type == "tr_open" and t.map is not None
        ]
        start0 = table.map[0] if table.map else 0
        if not rows:
            return end + 1
        header_line0 = rows[0]
        header = split_row(self.lines[header_line0])
        keys = [header_key(text) for text, _ in header]
        kind = self._classify(keys)
        location = self.loc(start0, header[0][1] if header else 1)
        if kind == "technology":
            self._technology_table(header, keys, rows[1:], section, location)
        elif kind == "matrix":
            if section is None:
                section = self._preamble_section(location)
            self._matrix_table(header, keys, rows[1:], section, location)
        else:
            self.problem(
                "unrecognized-table",
                Severity.INFO,
                "table is neither a communication matrix nor a 'Used Technologies' table "
                f"(header: {', '.join(t for t, _ in header)[:80]}); skipped",
                location,
            )
        return end + 1

    @staticmethod
    def _classify(keys: Sequence[str]) -> str:
        if keys and _TECH_LOOKUP.get(keys[0]) == "name":
            return "technology"
        known = {_MATRIX_LOOKUP[k] for k in keys if k in _MATRIX_LOOKUP}
        if len(known & {"protocol", "destination", "destination_zone", "port", "source_zone"}) >= 2:
            return "matrix"
        if "technology" in keys:
            return "technology"
        return "other"

    def _preamble_section(self, location: Location) -> _SectionBuilder:
        if self.preamble is None:
            self.problem(
                "table-outside-section",
                Severity.WARNING,
                "matrix table stands before any '##' section heading; reported as section 'main'",
                location,
                "put it under a '## <integration>' heading",
            )
            title = self.title or "Communication Matrix"
            self.preamble = _SectionBuilder(title=title, slug="main", location=location)
            self.slugs.add("main")
            self.sections.insert(0, self.preamble)
        return self.preamble

    def _columns(
        self,
        header: Sequence[tuple[str, int]],
        keys: Sequence[str],
        lookup: dict[str, str],
        location: Location,
    ) -> tuple[dict[str, int], dict[int, str]]:
        """Map field -> cell index, and index -> header text for columns we do not know."""
        fields: dict[str, int] = {}
        extra: dict[int, str] = {}
        for index, key in enumerate(keys):
            name = lookup.get(key)
            if name is None or name in fields:
                extra[index] = header[index][0]
                if name in fields:
                    self.problem(
                        "duplicate-column",
                        Severity.WARNING,
                        f"column {header[index][0]!r} appears twice; the second one is kept "
                        "as an extra column",
                        Location(location.path, location.line, header[index][1]),
                    )
            else:
                fields[name] = index
        return fields, extra

    def _cells(self, line0: int, width: int, what: str) -> list[tuple[str, int]]:
        """The cells of a row, padded to the header's width (a wrong count is reported)."""
        cells = split_row(self.lines[line0])
        if len(cells) != width:
            if len(cells) > width:
                column = cells[width][1]
            else:
                column = cells[-1][1] if cells else 1
            self.problem(
                "column-count",
                Severity.ERROR,
                f"{what} row has {len(cells)} cells but the header has {width}",
                self.loc(line0, column),
                "add or remove '|' so every row has one cell per column; an unescaped '|' "
                "inside a cell is written '\\|'",
            )
            if len(cells) < width:
                last = cells[-1][1] if cells else 1
                cells = cells + [("", last)] * (width - len(cells))
        return cells

    def _technology_table(
        self,
        header: Sequence[tuple[str, int]],
        keys: Sequence[str],
        rows: Sequence[int],
        section: _SectionBuilder | None,
        location: Location,
    ) -> None:
        fields, _extra = self._columns(header, keys, _TECH_LOOKUP, location)
        for line0 in rows:
            cells = self._cells(line0, len(header), "technology")
            made = tuple(
                Cell(name, cells[index][0], self.loc(line0, cells[index][1]))
                for name, index in fields.items()
            )

            def text(name: str, made: tuple[Cell, ...] = made) -> str:
                return next((c.text for c in made if c.field == name), "")

            tech = Technology(
                name=text("name"),
                parties=text("parties"),
                notes=text("notes"),
                section=section.slug if section else None,
                location=self.loc(line0, cells[0][1] if cells else 1),
                cells=made,
            )
            if section is None:
                self.orphans.append(tech)
            else:
                section.technologies.append(tech)
        if section is not None:
            section.has_table = True

    def _matrix_table(
        self,
        header: Sequence[tuple[str, int]],
        keys: Sequence[str],
        rows: Sequence[int],
        section: _SectionBuilder,
        location: Location,
    ) -> None:
        section.has_table = True
        fields, extra = self._columns(header, keys, _MATRIX_LOOKUP, location)
        missing = [name for name in REQUIRED_MATRIX_FIELDS if name not in fields]
        if missing:
            names = ", ".join(column_title(m) for m in missing)
            self.problem(
                "missing-column",
                Severity.ERROR,
                f"matrix table lacks the required column(s): {names}; its "
                f"{len(rows)} row(s) are skipped",
                location,
                "required: " + ", ".join(column_title(n) for n in REQUIRED_MATRIX_FIELDS),
            )
            return
        header_line0 = location.line - 1
        self.headers.extend(
            Cell(name, header[index][0], self.loc(header_line0, header[index][1]))
            for name, index in fields.items()
        )
        for line0 in rows:
            cells = self._cells(line0, len(header), "matrix")
            section.flows.append(self._flow(line0, cells, fields, extra, section))

    def _flow(
        self,
        line0: int,
        cells: Sequence[tuple[str, int]],
        fields: dict[str, int],
        extra: dict[int, str],
        section: _SectionBuilder,
    ) -> Flow:
        section.rows += 1
        made = tuple(
            Cell(name, cells[index][0], self.loc(line0, cells[index][1]))
            for name, index in fields.items()
        )
        values = {c.field: c.text for c in made}

        def flag(name: str) -> Flag:
            # An unknown token is recorded as UNKNOWN, never as NO; the validator reports it.
            return FLAG_TOKENS.get(values[name].casefold().strip(), Flag.UNKNOWN)

        try:
            ports: PortSpec | None = PortSpec.parse(values["port"])
        except ValueError:
            ports = None
        flow_id = values.get("id", "")
        key = self._key(flow_id, section)
        return Flow(
            key=key,
            id=flow_id,
            section=section.slug,
            component=values["component"],
            source_zone=self._zone(values["source_zone"]),
            protocol=Protocol.parse(values["protocol"]),
            destination=values["destination"],
            destination_zone=self._zone(values["destination_zone"]),
            ports=ports,
            confidentiality=flag("confidentiality"),
            integrity=flag("integrity"),
            authentication=flag("authentication"),
            trusted=flag("trusted"),
            purpose=values.get("purpose", ""),
            notes=values.get("notes", ""),
            optional=bool(_OPTIONAL.search(values.get("notes", ""))),
            location=self.loc(line0, cells[0][1] if cells else 1),
            cells=made,
            extra=tuple((name, cells[index][0]) for index, name in extra.items()),
        )

    def _key(self, flow_id: str, section: _SectionBuilder) -> str:
        if not flow_id:
            return f"{section.slug}-row{section.rows}"
        count = self.seen_ids.get(flow_id, 0) + 1
        self.seen_ids[flow_id] = count
        return flow_id if count == 1 else f"{flow_id}~{count}"

    def _zone(self, text: str) -> ZoneRef:
        canonical, _match = self.config.resolve_zone(text)
        return ZoneRef(text=text, canonical=canonical)

    def matrix(self, source: Source) -> Matrix:
        sections = tuple(s.build() for s in self.sections if s.has_table)
        title = self.title or self.front_matter.get("title") or _stem(self.path)
        return Matrix(
            title=title,
            legend=tuple(self.legend),
            sections=sections,
            source=source,
            location=self.title_location,
            front_matter=tuple(self.front_matter.items()),
            disclaimer="\n\n".join(self.disclaimer),
            orphan_technologies=tuple(self.orphans),
            problems=tuple(self.problems),
            headers=tuple(self.headers),
        )


def column_title(name: str) -> str:
    """The header a field has in the metal-stack page (``source_zone`` -> ``Source Zone``)."""
    titles = {
        "id": "No.",
        "source_zone": "Source Zone",
        "destination_zone": "Destination Zone",
        "confidentiality": "C",
        "integrity": "I",
        "authentication": "Auth",
        "trusted": "Trust",
    }
    return titles.get(name, name.replace("_", " ").title())


def _stem(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] or "matrix"


def _front_matter(content: str) -> tuple[dict[str, str], str, tuple[int, int] | None]:
    """Front matter as flat strings (YAML, read with the safe loader; a value that is not a
    scalar is kept as its text), or what is wrong with it and where in ``content``
    (0-based line and column), with nothing read."""
    import yaml  # deferred: only pages with front matter pay for it

    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = (mark.line, mark.column) if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return {}, f"the front matter is not valid YAML: {problem}", where
    if data is None:
        return {}, "", None
    if not isinstance(data, dict):
        kind = type(data).__name__
        return {}, f"the front matter is a YAML {kind}, not a mapping of keys to values", (0, 0)
    return {str(k): "" if v is None else str(v) for k, v in data.items()}, "", None


# --- entry point -------------------------------------------------------------------------


def parse(data: bytes | str, path: str = "<string>", config: Config | None = None) -> Matrix:
    """Parse one Markdown source, its bytes or its text, into a Matrix; ``path`` is what
    locations name. Never raises on content."""
    if isinstance(data, str):
        # the sha256 is of the UTF-8 bytes; a lone surrogate becomes a not-utf8 diagnostic
        data = data.encode("utf-8", "surrogatepass")
    config = config or Config()
    digest = hashlib.sha256(data).hexdigest()
    problems: list[Diagnostic] = []
    text = ""
    if b"\x00" in data:
        offset = data.index(b"\x00")
        line = data[:offset].count(b"\n") + 1
        column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        problems.append(
            Diagnostic(
                "binary-content",
                Severity.ERROR,
                "the file contains NUL bytes: it is binary, not a Markdown page",
                Location(path, line, column),
            )
        )
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, column = _first_bad_byte(data, exc)
            problems.append(
                Diagnostic(
                    "not-utf8",
                    Severity.ERROR,
                    f"the file is not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded",
                    Location(path, line, column),
                    "save the file as UTF-8",
                )
            )
    text = text.removeprefix("\ufeff")
    source = Source(path=path, sha256=digest, size=len(data), text=text)
    if problems:
        return Matrix(
            title=_stem(path),
            legend=(),
            sections=(),
            source=source,
            location=Location(path, 1, 1),
            problems=tuple(problems),
        )
    parser = _Parser(text, path, config)
    parser.run()
    matrix = parser.matrix(source)
    version = dict(matrix.front_matter).get("version")
    if version:
        matrix = _with_version(matrix, version)
    return matrix


def _with_version(matrix: Matrix, version: str) -> Matrix:
    from dataclasses import replace

    return replace(matrix, source=replace(matrix.source, version=version))


__all__ = ["column_title", "header_key", "parse", "split_row"]
