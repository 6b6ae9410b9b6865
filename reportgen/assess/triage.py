"""The triage file: risk decisions about findings, kept in the repository beside the source
(``source/findings.toml``), in the spirit of Threagile's risk tracking.

::

    [[finding]]
    id = "DATASTORE-NOAUTH:S1.2"       # the finding id: RULE:flow (stable across releases)
    status = "accepted"                # open, in-progress, mitigated, accepted, false-positive
    owner = "network team"
    due = 2027-03-31
    ticket = "https://tracker.example/SEC-12"
    justification = "ConfigDB listens on the switch's loopback only."
    decided_by = "Jane Doe (CISO)"
    decided_on = 2026-11-20
    expires = 2027-05-31               # required for accepted and false-positive

Finding ids stay stable across releases because they are built from the rule id and the
flow's id as written in the matrix (``RULE:1.3``); a second flow with the same id gets
``~2``. Renumbering a flow changes its findings' ids: the old entries then show up as stale.

Parsing is pure (text in, entries out). A malformed entry raises :class:`TriageError` naming
the file, line and column; an entry whose finding no longer exists is a warning.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..errors import ReportgenError
from ..model import Diagnostic, Location, Severity, Triage
from ..vocabulary import DECIDED_STATUSES, TRIAGE_STATUSES

TRIAGE_NAME = "findings.toml"
_KEYS = (
    "id",
    "status",
    "owner",
    "due",
    "ticket",
    "justification",
    "decided_by",
    "decided_on",
    "expires",
)
_DATES = ("due", "decided_on", "expires")
_DECISION_NEEDS = ("justification", "decided_by", "decided_on", "expires")
_HEADER = re.compile(r"^\s*\[\[\s*finding\s*\]\]")


class TriageError(ReportgenError):
    """The triage file cannot be used; the message starts with ``path:line:col``."""


@dataclass(frozen=True, slots=True)
class TriageFile:
    path: str
    entries: Mapping[str, Triage]


def _where(lines: list[str], start: int, end: int, key: str | None) -> tuple[int, int]:
    """1-based (line, column) of ``key`` inside the entry spanning lines[start:end]."""
    if key is not None:
        pattern = re.compile(rf"^(\s*){re.escape(key)}\s*=")
        for n in range(start, end):
            match = pattern.match(lines[n])
            if match:
                return n + 1, len(match.group(1)) + 1
    return start + 1, 1


def parse_triage(text: str, path: str) -> TriageFile:
    """Parse and check a triage file's text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python < 3.14 gives the position only in the message: "(at line 1, column 10)"
        found = re.search(r"at line (\d+), column (\d+)", str(exc))
        where = f"{path}:{found.group(1)}:{found.group(2)}" if found else path
        raise TriageError(f"{where}: not valid TOML: {exc}") from exc
    unknown = [k for k in data if k != "finding"]
    lines = text.splitlines()
    if unknown:
        raise TriageError(f"{path}:1:1: unknown table {unknown[0]!r} (only [[finding]] entries)")
    raw = data.get("finding", [])
    if not isinstance(raw, list):
        raise TriageError(f"{path}:1:1: 'finding' must be an array of tables ([[finding]])")
    headers = [n for n, line in enumerate(lines) if _HEADER.match(line)]
    entries: dict[str, Triage] = {}
    for i, item in enumerate(raw):
        start = headers[i] if i < len(headers) else 0
        end = headers[i + 1] if i + 1 < len(headers) else len(lines)

        def fail(key: str | None, problem: str, s: int = start, e: int = end) -> TriageError:
            line, col = _where(lines, s, e, key)
            return TriageError(f"{path}:{line}:{col}: {problem}")

        entry = _entry(item, fail)
        if entry[0] in entries:
            raise fail("id", f"finding {entry[0]!r} has a second entry")
        line, col = _where(lines, start, end, None)
        entries[entry[0]] = Triage(**entry[1], location=Location(path, line, col))
    return TriageFile(path, entries)


def _entry(item: Mapping[str, Any], fail: Any) -> tuple[str, dict[str, str]]:
    for key in item:
        if key not in _KEYS:
            raise fail(key, f"unknown key {key!r} (allowed: {', '.join(_KEYS)})")
    values: dict[str, str] = {}
    for key in _KEYS:
        if key not in item:
            continue
        value = item[key]
        if key in _DATES:
            if isinstance(value, date):
                value = value.isoformat()
            if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise fail(key, f"{key} must be a date, YYYY-MM-DD")
        elif not isinstance(value, str):
            raise fail(key, f"{key} must be a string")
        values[key] = value
    finding_id = values.pop("id", "")
    if not re.fullmatch(r"[A-Z0-9-]+:\S+", finding_id):
        raise fail("id" if "id" in item else None, "id must be a finding id, RULE:flow")
    status = values.get("status", "open")
    if status not in TRIAGE_STATUSES:
        raise fail("status", f"status {status!r} is not one of {', '.join(TRIAGE_STATUSES)}")
    if status in DECIDED_STATUSES:
        missing = [k for k in _DECISION_NEEDS if not values.get(k)]
        if missing:
            raise fail(
                "status",
                f"a decision ({status}) needs {', '.join(missing)}: who decided, when, why, "
                "and until when it holds",
            )
    return finding_id, values


def stale_entries(triage: TriageFile, finding_ids: Iterable[str]) -> tuple[Diagnostic, ...]:
    """A warning per entry whose finding the assessment no longer reports."""
    known = set(finding_ids)
    return tuple(
        Diagnostic(
            code="triage-stale",
            severity=Severity.WARNING,
            message=f"the triage entry for {fid} names no current finding",
            location=entry.location or Location(triage.path, 1),
            hint="the flow was renumbered or fixed, or the rule set changed: move or remove "
            "the entry",
        )
        for fid, entry in triage.entries.items()
        if fid not in known
    )
