#!/usr/bin/env python3
"""reportgen's module import graph, read from the code, checked against its layers.

Every ``import`` of a reportgen module anywhere in a module counts: at the top, inside a
function (the lazy imports that keep ``reportgen validate`` light) and under
``TYPE_CHECKING`` (a type is a dependency too). Each module belongs to one layer of
:data:`LAYERS`; a module may import from its own layer and the layers below it, never from
one above. docs/architecture.md explains the layers.

    python scripts/import_graph.py            check; print each violation, exit 1 on any
    python scripts/import_graph.py --dot      the graph in Graphviz's dot language
    python scripts/import_graph.py --text     the graph as "module -> imports" lines, by layer
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "reportgen"

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundation",
        (
            "errors",
            "model",
            "version",
            "config",
            "protocols",
            "vocabulary",
            "resources",
            "provenance",
            "i18n",
            "inline",
            "ordering",
        ),
    ),
    ("parse", ("parse",)),
    ("validate", ("checks", "validate")),
    ("assess", ("assess", "verify")),
    ("diff", ("diff",)),
    ("bundle", ("bundle",)),
    ("render", ("render", "frames")),
    ("build", ("build", "manifest")),
    ("entry", ("", "__main__", "api", "cli", "mkdocs_plugin")),
)
"""Layers, lowest first, and the modules (or packages, with everything inside them) in each,
named relative to ``reportgen`` (``""`` is the package itself)."""

EXCEPTIONS: dict[tuple[str, str], str] = {
    ("mkdocs_plugin", "cli"): (
        "the plugin publishes the command line's reference page from the click commands "
        "themselves (their --help), so the published help cannot drift from the program"
    ),
    ("", "api"): "the package re-exports the Python API: `reportgen.load`",
    ("__main__", "cli"): "`python -m reportgen` runs the command line",
}
"""Imports between two modules of the top layer are not allowed either (each entry point
stands on the library, not on another entry point), except these, each with its reason."""

KNOWN_CYCLES: dict[frozenset[str], str] = {
    frozenset({"render.markdown", "render.verify_formats"}): (
        "the Markdown renderer imports the verify page's renderer lazily, which uses the "
        "Markdown renderer's Md and escape helpers; moving those helpers into a module of "
        "their own breaks the cycle (then delete this entry)"
    ),
}
"""Import cycles (modules that import each other, directly or around a loop) are violations
too, except these, each with its reason."""


@dataclass(frozen=True, slots=True, order=True)
class Edge:
    source: str
    target: str
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT / PACKAGE).rglob("*.py"))}


def imports(name: str, path: Path, known: set[str]) -> Iterator[Edge]:
    """The reportgen modules ``name`` imports, each with the line of its import."""
    is_package = path.name == "__init__.py"
    package = name.split(".") if is_package else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    yield Edge(name, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target != PACKAGE and not target.startswith(PACKAGE + "."):
                continue
            for alias in node.names:  # `from . import pdf_parts` imports a module
                sub = f"{target}.{alias.name}"
                yield Edge(name, sub if sub in known else target, node.lineno)


def graph() -> list[Edge]:
    found = modules()
    known = set(found)
    edges = {e for name, path in found.items() for e in imports(name, path, known)}
    return sorted(e for e in edges if e.source != e.target)


def short(module: str) -> str:
    return module.removeprefix(PACKAGE).removeprefix(".")


def unit(module: str) -> str:
    """The entry of LAYERS a module falls under (the longest that matches)."""
    name = short(module)
    matches = [
        member
        for _layer, members in LAYERS
        for member in members
        if name == member or (member and name.startswith(member + "."))
    ]
    if not matches:
        raise LookupError(module)
    return max(matches, key=len)


def layer_of(module: str) -> int:
    member = unit(module)
    return next(i for i, (_, members) in enumerate(LAYERS) if member in members)


def violations(edges: list[Edge]) -> list[str]:
    problems: list[str] = []
    for name in sorted({e.source for e in edges} | {e.target for e in edges} | set(modules())):
        try:
            layer_of(name)
        except LookupError:
            problems.append(
                f"{name}: in no layer; add it to LAYERS in scripts/import_graph.py "
                "(docs/architecture.md says which layer holds what)"
            )
    top = len(LAYERS) - 1
    for e in edges:
        try:
            low, high = layer_of(e.source), layer_of(e.target)
        except LookupError:
            continue
        where = f"{e.source} (line {e.line}) imports {e.target}"
        if high > low:
            problems.append(f"{where}: layer '{LAYERS[high][0]}' stands above '{LAYERS[low][0]}'")
        elif (
            low == high == top
            and unit(e.source) != unit(e.target)
            and (unit(e.source), unit(e.target)) not in EXCEPTIONS
        ):
            problems.append(f"{where}: one entry point importing another")
    for group in cycles(edges):
        names = frozenset(short(m) for m in group)
        if names not in KNOWN_CYCLES:
            problems.append(f"import cycle: {' <-> '.join(sorted(names))}")
    return problems


def cycles(edges: list[Edge]) -> list[set[str]]:
    """The groups of modules that import each other around a loop (Tarjan's strongly
    connected components with more than one module)."""
    following: dict[str, set[str]] = {}
    for e in edges:
        following.setdefault(e.source, set()).add(e.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(following.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(group)

    for node in sorted(following):
        if node not in index:
            visit(node)
    return found


def _by_layer() -> list[tuple[str, list[str]]]:
    """The package's modules grouped by layer, lowest first; a last group holds those in
    no layer (which the check reports)."""
    groups: list[tuple[str, list[str]]] = [(layer, []) for layer, _members in LAYERS]
    unplaced: list[str] = []
    for m in sorted(modules()):
        try:
            groups[layer_of(m)][1].append(m)
        except LookupError:
            unplaced.append(m)
    return groups + ([("no layer", unplaced)] if unplaced else [])


def dot(edges: list[Edge]) -> str:
    lines = [
        "digraph reportgen {",
        "  rankdir=BT;",
        '  node [shape=box, fontname="DejaVu Sans", fontsize=10];',
    ]
    for layer, names in _by_layer():
        lines.append(f'  subgraph "cluster_{layer}" {{ label="{layer}"; ')
        lines += [f'    "{short(m) or PACKAGE}";' for m in names]
        lines.append("  }")
    for e in sorted({(e.source, e.target) for e in edges}):
        lines.append(f'  "{short(e[0]) or PACKAGE}" -> "{short(e[1]) or PACKAGE}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def text(edges: list[Edge]) -> str:
    out: list[str] = []
    targets: dict[str, set[str]] = {}
    for e in edges:
        targets.setdefault(e.source, set()).add(short(e.target) or PACKAGE)
    for layer, names in _by_layer():
        out.append(f"[{layer}]")
        for m in names:
            imported = ", ".join(sorted(targets.get(m, set()))) or "-"
            out.append(f"  {short(m) or PACKAGE} -> {imported}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--dot", action="store_true", help="print the graph as Graphviz dot")
    shown.add_argument("--text", action="store_true", help="print the graph by layer")
    args = parser.parse_args(argv)
    edges = graph()
    problems = violations(edges)
    if args.dot:
        sys.stdout.write(dot(edges))
    elif args.text:
        sys.stdout.write(text(edges))
    for problem in problems:
        print(f"import_graph: {problem}", file=sys.stderr)
    present = {frozenset(short(m) for m in group) for group in cycles(edges)}
    for gone in sorted(sorted(c) for c in set(KNOWN_CYCLES) - present):
        print(
            f"import_graph: note: the known cycle {' <-> '.join(gone)} is gone; "
            "delete it from KNOWN_CYCLES",
            file=sys.stderr,
        )
    if not problems and not (args.dot or args.text):
        print(f"import_graph: {len(edges)} import statements in {len(modules())} modules, all down")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
